"""Distances on the territory: great-circle (haversine), in km with one decimal.

Roads in the valleys are longer than the straight line; these figures are for
ranking and "a few kilometres" promises, not for route planning.
"""

from decimal import ROUND_HALF_UP, Decimal

from haversine import Unit, haversine

from .models import Municipality

Point = tuple[float, float]


def _round_km(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def municipality_point(municipality: Municipality) -> Point:
    return (float(municipality.latitude), float(municipality.longitude))


def distance_km(a: Point, b: Point) -> Decimal:
    """Great-circle distance between two (latitude, longitude) points."""
    for lat, lon in (a, b):
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"not a coordinate: {lat}, {lon}")
    return _round_km(haversine(a, b, unit=Unit.KILOMETERS))


def municipality_distance_km(a: Municipality, b: Municipality) -> Decimal:
    return distance_km(municipality_point(a), municipality_point(b))


def point_to_municipality_km(point: Point, municipality: Municipality) -> Decimal:
    return distance_km(point, municipality_point(municipality))
