"""Fill empty msgstr entries of locale/zh_Hans django.po from scripts/zh_hans.tsv, then compile.

Usage: .venv/bin/python scripts/po_fill.py   (after manage.py makemessages -l zh_Hans)
The TSV (English<TAB>Chinese) is the translators' source; the .po stays the format Django reads.
"""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
TSV = ROOT / "scripts" / "zh_hans.tsv"


def unquote(s: str) -> str:
    return s.encode("latin-1", "backslashreplace").decode("unicode_escape")


def quote(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


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
    pattern = re.compile(r'^msgid "(.+)"\nmsgstr ""$', re.M)
    missing = []

    def fill(match: re.Match) -> str:
        en = match.group(1).replace('\\"', '"')
        zh = table.get(en)
        if zh is None:
            missing.append(en)
            return match.group(0)
        return f'msgid "{match.group(1)}"\nmsgstr "{quote(zh)}"'

    text = pattern.sub(fill, text)
    text = text.replace("#, fuzzy\n", "")
    PO.write_text(text, encoding="utf-8")
    subprocess.run(["msgfmt", "-o", str(PO.with_suffix(".mo")), str(PO)], check=True)
    for en in missing:
        print("untranslated:", en)


if __name__ == "__main__":
    main()
