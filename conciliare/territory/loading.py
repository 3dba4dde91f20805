"""Loads the territory shipped in `data/` (see data/SOURCES.md for origins and licences)."""

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
ATTRIBUTION = (
    "Fonte: ISTAT (CC BY 3.0); coordinate: GeoNames (CC BY 4.0); "
    "confini comunali: © Openpolis (openpolis/geojson-italy), CC BY 4.0, derivati da dati ISTAT, "
    "semplificati e arrotondati; CAP: Garda Informatica (MIT)."
)


def read_rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for name in ("comuni.csv", "neighbours.csv"):
        with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def read_boundaries() -> dict[str, dict[str, Any]]:
    with open(DATA_DIR / "comuni.geojson", encoding="utf-8") as handle:
        collection = json.load(handle)
    return {feature["properties"]["istat_code"]: feature["geometry"] for feature in collection["features"]}


def load_territory(district_model: Any, municipality_model: Any) -> int:
    """Creates or updates districts and municipalities; returns how many municipalities.

    Takes the model classes so that a data migration can pass its historical models.
    """
    boundaries = read_boundaries()
    districts: dict[str, Any] = {}
    count = 0
    for row in read_rows():
        district = None
        if row["ambito_code"]:
            code = row["ambito_code"]
            if code not in districts:
                districts[code], _ = district_model.objects.update_or_create(
                    code=int(code), defaults={"name": row["ambito_name"]}
                )
            district = districts[code]
        municipality_model.objects.update_or_create(
            istat_code=row["istat_code"],
            defaults={
                "name": row["name"],
                "district": district,
                "province": row["province"],
                "latitude": Decimal(row["latitude"]),
                "longitude": Decimal(row["longitude"]),
                "population": int(row["population"]),
                "postal_code": row["postal_code"],
                "boundary": boundaries[row["istat_code"]],
            },
        )
        count += 1
    return count
