"""Checks that every catalogue is complete and that the compiled .mo files are current.

It also extracts the strings marked for translation in the code and templates (with
Django's own template lexer) and fails when one is missing from the catalogue, so a
new string cannot ship untranslated because `make messages` was forgotten.

    python scripts/check_translations.py            # check (used by `make test`)
    python scripts/check_translations.py --compile  # rewrite the .mo files from the .po files

Pure Python (babel): no gettext tools needed to run or test the platform.
"""

import io
import sys
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "conciliare"
LOCALE_DIR = PACKAGE_DIR / "locale"
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "gettext_lazy": None,
    "ngettext_lazy": (1, 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
# English is the source language: its catalogue may leave entries empty.
MUST_BE_COMPLETE = {"it"}


def compiled(po_path: Path) -> bytes:
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def problems_in(po_path: Path, language: str) -> list[str]:
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        label = message.id if isinstance(message.id, str) else message.id[0]
        if message.fuzzy:
            problems.append(f"{language}: fuzzy: {label!r}")
        elif language in MUST_BE_COMPLETE and (
            not message.string or (isinstance(message.string, tuple) and not all(message.string))
        ):
            problems.append(f"{language}: untranslated: {label!r}")
    return problems


def _python_ids(source: bytes) -> set[str]:
    ids = set()
    for _line, message, _comments, _context in extract("python", io.BytesIO(source), keywords=KEYWORDS):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def source_message_ids() -> set[str]:
    """Every msgid marked in the package's Python code and templates."""
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=True)
        django.setup()
    from django.utils.translation.template import templatize

    ids: set[str] = set()
    for path in PACKAGE_DIR.rglob("*.py"):
        if "tests" not in path.parts and "migrations" not in path.parts:
            ids |= _python_ids(path.read_bytes())
    for path in list(PACKAGE_DIR.rglob("*.html")) + list(PACKAGE_DIR.rglob("*.txt")):
        if "templates" in path.parts:
            # templatize() keeps the template's indentation, which Python's tokenizer refuses.
            code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
            ids |= _python_ids("\n".join(line.lstrip() for line in code.splitlines()).encode())
    return {message_id for message_id in ids if message_id}


def catalogue_ids(po_path: Path) -> set[str]:
    with po_path.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def main(compile_: bool) -> int:
    problems: list[str] = []
    italian = LOCALE_DIR / "it" / "LC_MESSAGES" / "django.po"
    for missing in sorted(source_message_ids() - catalogue_ids(italian)):
        problems.append(f"it: not in the catalogue (run `make messages`): {missing!r}")
    for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po")):
        language = po_path.parent.parent.name
        mo_path = po_path.with_suffix(".mo")
        if compile_:
            mo_path.write_bytes(compiled(po_path))
        problems += problems_in(po_path, language)
        if not mo_path.exists() or mo_path.read_bytes() != compiled(po_path):
            problems.append(f"{language}: {mo_path.name} is out of date: run `make messages`")
    for problem in problems:
        print(problem)
    print(f"translations: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main("--compile" in sys.argv))
