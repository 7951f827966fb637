"""Fill English translations into web/locales/en/LC_MESSAGES/messages.po from a TSV of "中文<TAB>English".

Usage: python scripts/translate.py < pairs.tsv   (then `make messages` compiles the catalogue)
Existing translations are kept unless the TSV gives a new one.
"""

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "web/locales/en/LC_MESSAGES/messages.po"


def main() -> None:
    pairs = dict(line.rstrip("\n").split("\t", 1) for line in sys.stdin if "\t" in line)
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if message.id and isinstance(message.id, str) and message.id in pairs:
            message.string = pairs[message.id]
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False)
    missing = [m.id for m in catalog if m.id and not m.string]
    if missing:
        print("untranslated:", *missing, sep="\n  ", file=sys.stderr)


if __name__ == "__main__":
    main()
