"""The territory drawn as inline SVG from the municipalities' GeoJSON boundaries: no tiles, no downloads.

Projection: equirectangular, longitudes shrunk by the cosine of the middle latitude of the area, so
that a km east-west and a km north-south are about as long on the map (at 45.7 degrees a degree of
longitude is 0.7 of a degree of latitude). For an area of some 40 km this is as good as any other
projection, and it is a multiplication. Coordinates are written with one decimal of a viewBox of
about 800 units: a tenth of a unit is some 5 metres on the ground.

The geometry functions are pure. `gap_svg` turns the gap table's rows into the map: one <path> per
municipality (in a link to its row of the table, with a <title> for the hover and an aria-label for
screen readers), coloured by the row's class, and a small circle where the table shows a count of people
who sent a signal (5 or more of one kind), with the larger of the two counts shown: never a number the
table does not give (see gaps). The page and the PDF embed the same markup.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from conciliare.catalogue.categories import category_label

from .gaps import CLASS_LABELS, GapAnalysis, GapClass, Place, describe, people_text

Ring = Sequence[Sequence[float]]  # GeoJSON positions: [longitude, latitude]

# Red for "nothing within reach", blue for "served", yellow in between: readable with the commonest
# colour blindness (no red against green); the table says the same in words.
FILLS: dict[str, str] = {
    GapClass.NOT_COVERED: "#b2182b",
    GapClass.NO_SERVICE: "#ef8a62",
    GapClass.PARTLY_COVERED: "#f6d55c",
    GapClass.COVERED: "#2166ac",
    GapClass.SERVED: "#92c5de",
    GapClass.OUTSIDE: "#e6e6e6",
}
STROKE = "#3d4a43"


def polygons(geometry: Mapping[str, Any]) -> list[list[Ring]]:
    """The polygons of a Polygon or MultiPolygon, each a list of rings (the outer one first, then holes)."""
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return [list(coordinates)]
    if kind == "MultiPolygon":
        return [list(polygon) for polygon in coordinates]
    raise ValueError(f"not a Polygon or MultiPolygon: {kind}")


def _positions(geometries: Iterable[Mapping[str, Any]]) -> list[tuple[float, float]]:
    return [
        (float(lon), float(lat))
        for geometry in geometries
        for polygon in polygons(geometry)
        for ring in polygon
        for lon, lat, *_height in ring
    ]


@dataclass(frozen=True)
class Projection:
    """Longitude/latitude to viewBox units: x east, y south (SVG's y grows downwards)."""

    min_lon: float
    max_lat: float
    shrink: float  # cos(middle latitude): how much shorter a degree of longitude is
    scale: float  # viewBox units per degree of latitude
    pad: float
    width: float
    height: float

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x = self.pad + (lon - self.min_lon) * self.shrink * self.scale
        y = self.pad + (self.max_lat - lat) * self.scale
        return x, y

    @property
    def view_box(self) -> str:
        return f"0 0 {_number(self.width)} {_number(self.height)}"


def fit(geometries: Iterable[Mapping[str, Any]], *, width: float = 800, pad: float = 10) -> Projection:
    """The projection that fits every geometry into `width` units (plus `pad` around); the height follows."""
    points = _positions(geometries)
    if not points:
        raise ValueError("nothing to draw")
    lons, lats = [lon for lon, _lat in points], [lat for _lon, lat in points]
    shrink = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span = (max(lons) - min(lons)) * shrink or (max(lats) - min(lats)) or 1.0
    scale = (width - 2 * pad) / span
    height = (max(lats) - min(lats)) * scale + 2 * pad
    return Projection(min(lons), max(lats), shrink, scale, pad, width, height)


def _number(value: float) -> str:
    """One decimal, without a useless ".0" or "-0"."""
    text = f"{round(value, 1):.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def path_data(geometry: Mapping[str, Any], projection: Projection) -> str:
    """The `d` of a <path>: one closed subpath per ring (holes too: fill-rule evenodd empties them)."""
    subpaths = []
    for polygon in polygons(geometry):
        for ring in polygon:
            points = [projection.xy(float(lon), float(lat)) for lon, lat, *_height in ring]
            if len(points) > 1 and points[0] == points[-1]:
                points = points[:-1]  # GeoJSON repeats the first position; Z closes the subpath
            if len(points) < 3:
                continue
            head, *rest = (f"{_number(x)} {_number(y)}" for x, y in points)
            subpaths.append(f"M{head}" + "".join(f"L{point}" for point in rest) + "Z")
    return "".join(subpaths)


@dataclass(frozen=True)
class Shape:
    """One municipality on the map."""

    istat_code: str
    geometry: Mapping[str, Any]
    gap_class: str
    label: str  # the hover title and the link's accessible name
    href: str = ""  # where focusing and clicking lead (its row in the table); "" for a context shape
    centre: tuple[float, float] | None = None  # (latitude, longitude) of the marker
    marker: str = ""  # the marker's text: the larger count of people of one kind of signal; "" for no marker


def _path(shape: Shape, projection: Projection) -> SafeString:
    classes = f"area {shape.gap_class}" + (" missing" if shape.gap_class in GapClass.MISSING else "")
    return format_html(
        '<path id="map-{}" data-istat="{}" data-class="{}" class="{}" d="{}" fill="{}" stroke="{}" '
        'stroke-width="0.8" fill-rule="evenodd"><title>{}</title></path>',
        shape.istat_code,
        shape.istat_code,
        shape.gap_class,
        classes,
        path_data(shape.geometry, projection),
        FILLS.get(shape.gap_class, FILLS[GapClass.OUTSIDE]),
        STROKE,
        shape.label,
    )


def _marker(shape: Shape, projection: Projection) -> SafeString:
    if not shape.marker or shape.centre is None:
        return SafeString("")
    x, y = projection.xy(shape.centre[1], shape.centre[0])
    return format_html(
        '<g class="marker" aria-hidden="true"><circle cx="{}" cy="{}" r="9" fill="#fff" stroke="{}" '
        'stroke-width="1.5"/><text x="{}" y="{}" text-anchor="middle" font-size="10" font-weight="bold" '
        'font-family="DejaVu Sans, sans-serif" fill="{}">{}</text></g>',
        _number(x),
        _number(y),
        STROKE,
        _number(x),
        _number(y + 3.5),
        STROKE,
        shape.marker,
    )


def svg(
    shapes: Sequence[Shape],
    *,
    title: str,
    description: str,
    width: float = 800,
    links: bool = True,
    fit_to: Sequence[Shape] = (),
) -> SafeString:
    """The whole map: context shapes first (grey, not focusable), then the municipalities, then the markers.

    The view fits `fit_to` (all the shapes when empty): context shapes beyond it are cut at the edge.
    Without `links` (the PDF: WeasyPrint draws no shape inside an <a>) the paths stand alone.
    Nothing to draw (no municipality has a boundary) gives no map at all: the pages still show the table.
    """
    geometries = [shape.geometry for shape in fit_to or shapes]
    if not _positions(geometries):
        return SafeString("")
    projection = fit(geometries, width=width, pad=24)
    drawn = []
    for shape in sorted(shapes, key=lambda s: bool(s.href)):
        path = _path(shape, projection)
        if shape.href and links:
            path = format_html('<a href="{}" aria-label="{}">{}</a>', shape.href, shape.label, path)
        drawn.append(path)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="gap-map" viewBox="{}" role="group" '
        'aria-labelledby="gap-map-title gap-map-desc"><title id="gap-map-title">{}</title>'
        '<desc id="gap-map-desc">{}</desc>{}{}</svg>',
        projection.view_box,
        title,
        description,
        format_html_join("", "{}", ((path,) for path in drawn)),
        format_html_join("", "{}", ((_marker(shape, projection),) for shape in shapes)),
    )


# --- The gap map ------------------------------------------------------------------------------------------------


def row_anchor(place: Place) -> str:
    """The id of the municipality's row in the table: the map's links lead there."""
    return f"comune-{place.istat_code}"


def gap_svg(analysis: GapAnalysis, category: str, boundaries: Mapping[int, Any], *, links: bool = True) -> SafeString:
    """The map of one category: the districts' municipalities by class, the neighbours grey around them."""
    rows = {row.place.pk: row for row in analysis.rows(category)}
    shapes = []
    for place in analysis.places:
        geometry = boundaries.get(place.pk)
        if not geometry:
            continue
        row = rows.get(place.pk)
        if row is None:  # a neighbour: context only
            shapes.append(Shape(place.istat_code, geometry, GapClass.OUTSIDE, place.name))
            continue
        shapes.append(
            Shape(
                place.istat_code,
                geometry,
                row.gap_class,
                describe(row),
                href=f"#{row_anchor(place)}",
                centre=place.point,
                marker="" if row.signals is None else people_text(row.signals),
            )
        )
    missing = sum(row.missing for row in rows.values())
    return svg(
        shapes,
        title=gettext("Map of the gaps: %(category)s") % {"category": category_label(category)},
        description=gettext(
            "The municipalities of the three districts coloured by how the category is covered; %(count)s of "
            "them have no service within reach. The table below gives the same figures."
        )
        % {"count": missing},
        links=links,
        fit_to=[shape for shape in shapes if shape.gap_class != GapClass.OUTSIDE],
    )


@dataclass(frozen=True)
class LegendItem:
    gap_class: str
    fill: str
    label: str


def legend() -> list[LegendItem]:
    return [LegendItem(code, FILLS[code], str(CLASS_LABELS[code])) for code in GapClass.ORDER]
