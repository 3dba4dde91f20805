"""Checks that every catalogue is complete and that the compiled .mo files are current.

    python scripts/check_translations.py            # check (used by `make test`)
    python scripts/check_translations.py --compile  # rewrite the .mo files from the .po files

Pure Python (babel): no gettext tools needed to run or test the platform.
"""

import io
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "conciliare" / "locale"
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


def main(compile_: bool) -> int:
    problems: list[str] = []
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
