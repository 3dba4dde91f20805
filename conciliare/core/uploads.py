"""Checks on uploaded files: the content decides the type, not the name."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
}
DOCUMENT_KINDS = ("pdf", "png", "jpeg")
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024


def sniff_kind(upload: UploadedFile) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for kind, signatures in SIGNATURES.items():
        if any(head.startswith(signature) for signature in signatures):
            return kind
    return None


def validate_document(
    upload: UploadedFile, *, kinds: tuple[str, ...] = DOCUMENT_KINDS, max_bytes: int = MAX_DOCUMENT_BYTES
) -> str:
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="file_too_large",
        )
    kind = sniff_kind(upload)
    if kind not in kinds:
        raise ValidationError(_("Only PDF, PNG or JPEG documents are accepted."), code="file_type")
    return kind
