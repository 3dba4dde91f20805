"""Offer photos: the content decides, and what is stored is always our own re-encoding.

Re-encoding with Pillow means an uploaded file is never served as it came: a
renamed executable or an SVG with a script cannot be opened as a raster image
and is refused, and the EXIF data (often the GPS position of the phone that took
the picture) is dropped.
"""

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000  # far above any phone camera; refuses decompression bombs
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
FULL_SIZE = 1600
THUMBNAIL_SIZE = 480


@dataclass(frozen=True)
class ProcessedPhoto:
    image: ContentFile[bytes]
    thumbnail: ContentFile[bytes]
    width: int
    height: int


def _refuse() -> ValidationError:
    return ValidationError(_("Only JPEG, PNG or WebP photos are accepted."), code="file_type")


def _jpeg(image: Image.Image, longest_side: int) -> tuple[bytes, int, int]:
    copy = image.copy()
    copy.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    copy.save(buffer, format="JPEG", quality=85, optimize=True)
    return buffer.getvalue(), copy.width, copy.height


def photo_process(upload: UploadedFile) -> ProcessedPhoto:
    """Checks an upload and returns the resized JPEGs to store, or raises ValidationError."""
    if upload.size is not None and upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The photo is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_PHOTO_BYTES)},
            code="file_too_large",
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise _refuse()
                if probe.width * probe.height > MAX_PHOTO_PIXELS:
                    raise ValidationError(_("The photo has too many pixels."), code="file_too_large")
                probe.verify()
            upload.seek(0)
            with Image.open(upload) as opened:
                opened.load()
                image = ImageOps.exif_transpose(opened).convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise _refuse() from error
    except Image.DecompressionBombWarning as error:
        raise ValidationError(_("The photo has too many pixels."), code="file_too_large") from error
    full, width, height = _jpeg(image, FULL_SIZE)
    thumb, _w, _h = _jpeg(image, THUMBNAIL_SIZE)
    return ProcessedPhoto(image=ContentFile(full), thumbnail=ContentFile(thumb), width=width, height=height)
