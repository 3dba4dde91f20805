from pathlib import Path

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path: Path) -> Path:
    """The private default storage in a directory of this test, so that a test can see what got stored."""
    location = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    }
    return location


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English here (the Italian catalogue is checked by make test)."""
    with translation.override("en"):
        yield
