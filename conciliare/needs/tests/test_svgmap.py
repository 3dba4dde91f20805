"""The SVG map: projection, paths, and the gap map's markup (pure functions, no database)."""

import math
import re
from decimal import Decimal

import pytest
from django.utils import translation

from conciliare.needs import svgmap
from conciliare.needs.gaps import GapAnalysis, GapCell, GapClass, Place, Suggestion
from conciliare.needs.svgmap import Shape, fit, path_data, polygons


def square(lon: float, lat: float, side: float) -> dict[str, object]:
    ring = [[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_a_square_at_sixty_degrees_projects_to_a_rectangle_twice_as_tall() -> None:
    # Around 60 N a degree of longitude is half a degree of latitude: the map shrinks x by cos(60) = 0.5.
    geometry = square(10, 59.5, 1)
    projection = fit([geometry], width=100, pad=0)
    assert projection.shrink == pytest.approx(0.5)
    assert (projection.width, round(projection.height, 6)) == (100, 200)
    assert projection.view_box == "0 0 100 200"
    assert path_data(geometry, projection) == "M0 200L100 200L100 0L0 0Z"


def test_padding_and_the_middle_latitude() -> None:
    geometry = square(9.0, 45.0, 0.5)
    projection = fit([geometry], width=220, pad=10)
    shrink = math.cos(math.radians(45.25))
    assert projection.shrink == pytest.approx(shrink)
    scale = 200 / (0.5 * shrink)
    assert projection.height == pytest.approx(0.5 * scale + 20)
    top = _number(10 + 0.5 * scale)
    assert path_data(geometry, projection) == f"M10 {top}L210 {top}L210 10L10 10Z"


def _number(value: float) -> str:
    return f"{round(value, 1):.1f}".removesuffix(".0")


def test_a_multipolygon_gives_one_subpath_per_ring() -> None:
    island = square(10, 10, 1)["coordinates"]
    lake_shore = [
        [[12, 10], [13, 10], [13, 11], [12, 11], [12, 10]],
        [[12.25, 10.25], [12.75, 10.25], [12.5, 10.75], [12.25, 10.25]],
    ]
    geometry = {"type": "MultiPolygon", "coordinates": [island, lake_shore]}
    assert len(polygons(geometry)) == 2
    projection = fit([geometry], width=300, pad=0)
    d = path_data(geometry, projection)
    assert d.count("M") == 3 and d.count("Z") == 3  # the island, the other shore and its hole
    assert d.startswith("M0 ")


def test_not_a_surface_is_refused() -> None:
    with pytest.raises(ValueError):
        polygons({"type": "Point", "coordinates": [9, 45]})
    with pytest.raises(ValueError):
        fit([])


def test_each_shape_is_a_path_with_its_code_title_class_and_fill() -> None:
    shapes = [
        Shape(
            "016001",
            square(9, 45, 0.1),
            GapClass.NOT_COVERED,
            "Alfa <& co>",
            href="#comune-016001",
            centre=(45.05, 9.05),
            marker="7",
        ),
        Shape("016002", square(9.1, 45, 0.1), GapClass.OUTSIDE, "Fuori"),
    ]
    markup = str(svgmap.svg(shapes, title="Mappa", description="Descrizione"))
    assert markup.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="gap-map" viewBox="0 0 ')
    assert '<a href="#comune-016001" aria-label="Alfa &lt;&amp; co&gt;">' in markup
    assert re.search(
        r'<path id="map-016001" data-istat="016001" data-class="not-covered" class="area not-covered missing" d="M[^"]+" fill="#b2182b"',
        markup,
    )
    assert "<title>Alfa &lt;&amp; co&gt;</title>" in markup
    # The context shape is drawn first (underneath), without a link.
    assert markup.index('id="map-016002"') < markup.index('id="map-016001"')
    assert 'href="#comune-016002"' not in markup
    assert markup.count("<circle") == 1 and ">7</text>" in markup
    without_links = str(svgmap.svg(shapes, title="Mappa", description="Descrizione", links=False))
    assert "<a " not in without_links and without_links.count("<path") == 2


def _analysis() -> GapAnalysis:
    def place(pk: int, name: str, district: str) -> Place:
        return Place(pk, f"0160{pk:02d}", name, district, (45.0 + pk / 10, 9.0))

    inside = [place(1, "Alfa", "Val Cavallina"), place(2, "Bravo", "Val Cavallina")]
    outside = place(3, "Fuori", "")
    cells = [
        GapCell(inside[0], "nursery", 9, 0, False, 0, False, None, (Suggestion("Nido Bravo", Decimal("11.1")),), 6, 2),
        GapCell(inside[1], "nursery", 2, 30, False, 1, True, Decimal("0.0"), (), 3, 1, signals_any=7),
    ]
    return GapAnalysis([*inside, outside], {"nursery": cells}, Decimal("10"))


def test_the_gap_map_draws_every_municipality_and_marks_only_groups_of_five() -> None:
    boundaries = {pk: square(9, 45 + pk / 10, 0.09) for pk in (1, 2, 3)}
    with translation.override("en"):
        markup = str(svgmap.gap_svg(_analysis(), "nursery", boundaries))
    assert markup.count("<path") == 3
    assert 'data-istat="016001" data-class="not-covered"' in markup
    assert 'data-istat="016002" data-class="served-few"' in markup
    assert 'data-istat="016003" data-class="outside"' in markup
    assert (
        "Alfa (Val Cavallina); Not covered: 5 or more people need it, no service within reach; people who need it: 9"
        in markup
    )
    assert (
        "Bravo (Val Cavallina); Service within reach (fewer than 5 people need it, or none); people who need it: fewer than 5"
        in markup
    )
    # Six people asked for a supplier in Alfa (and two others signalled a need): a marker with the six of the
    # table, never the eight of both kinds; three and one in Bravo: none, and no number anywhere.
    assert markup.count("<circle") == 1 and ">6</text>" in markup
    assert "asking for a supplier: 6; signalling an unmet need: fewer than 5" in markup
    assert not re.search(r"[ >]8[;<\"]", markup)
    assert "supplier: 3" not in markup and "need: 1" not in markup
    # Seven in Bravo signalled with no category.
    assert "signalling with no category: 7" in markup
    assert "Map of the gaps: Nursery (asilo nido)" in markup


def test_the_legend_lists_every_class_in_order() -> None:
    with translation.override("en"):
        items = svgmap.legend()
    assert [item.gap_class for item in items] == list(GapClass.ORDER)
    assert items[0].fill == "#b2182b" and items[0].label.startswith("Not covered")
