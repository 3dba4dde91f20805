"""Fixtures every fund test shares."""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path: Path) -> Path:
    """The private default storage in this test's directory: application documents land there, and a
    test can see what was stored and what was deleted."""
    location = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    }
    return location
