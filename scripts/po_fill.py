"""Fill empty msgstr entries of locale/zh_Hans django.po from scripts/zh_hans.tsv, then compile.

Usage: .venv/bin/python scripts/po_fill.py
       (after manage.py makemessages -l zh_Hans)
The TSV (English<TAB>Chinese) is the translators' source; the .po stays the format Django reads.
Fuzzy entries (msgmerge's guesses, which Django ignores) are treated as untranslated: the flag and
their "#|" comments go, and the msgstr comes from the TSV or is left empty and reported.
"""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
TSV = ROOT / "scripts" / "zh_hans.tsv"


def unquote(s: str) -> str:
    """A quoted .po string (one line of it) → its text."""
    s = s.strip()
    if s.startswith('"') and s.endswith('"'):
        s = s[1:-1]
    return s.replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")


def quote(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def strip_fuzzy(line: str) -> str | None:
    """A "#," flags line without its fuzzy flag (None if no flag is left); other lines as is."""
    if not line.startswith("#,"):
        return line
    flags = [f.strip() for f in line[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
    return "#, " + ", ".join(flags) if flags else None


def main() -> None:
    table = {}
    for line in TSV.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            en, zh = line.split("\t", 1)
            table[en] = zh
    text = PO.read_text(encoding="utf-8")
    text = text.replace(
        '"Content-Type: text/plain; charset=CHARSET\\n"',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
    )
    missing = []
    blocks = text.split("\n\n")
    for i, block in enumerate(blocks):
        lines = block.split("\n")
        try:
            id_at = next(n for n, line in enumerate(lines) if line.startswith("msgid "))
            str_at = next(n for n, line in enumerate(lines) if line.startswith("msgstr "))
        except StopIteration:
            continue
        msgid = "".join(
            unquote(line.split(" ", 1)[1] if n == id_at else line)
            for n, line in enumerate(lines[id_at:str_at], start=id_at)
        )
        if not msgid:
            continue
        # The TSV is the source of truth: msgmerge's fuzzy guesses and stale strings are replaced.
        # A fuzzy entry counts as untranslated: drop the flag (keeping python-format etc.) and
        # its "#|" previous-msgid comments; its msgstr is rewritten from the TSV or cleared.
        lines = [strip_fuzzy(line) for line in lines if not line.startswith("#|")]
        lines = [line for line in lines if line is not None]
        str_at = next(n for n, line in enumerate(lines) if line.startswith("msgstr "))
        zh = table.get(msgid)
        if zh is None:
            missing.append(msgid)
            blocks[i] = "\n".join([*lines[:str_at], 'msgstr ""'])
            continue
        blocks[i] = "\n".join([*lines[:str_at], f'msgstr "{quote(zh)}"'])
    text = "\n\n".join(blocks)
    PO.write_text(text, encoding="utf-8")
    subprocess.run(["msgfmt", "-o", str(PO.with_suffix(".mo")), str(PO)], check=True)
    for en in missing:
        print("untranslated:", en)


if __name__ == "__main__":
    main()
