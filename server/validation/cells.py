"""Spreadsheet cells that cannot run: text a spreadsheet would read as a formula (`=cmd|...`,
`+1`, `-1`, `@SUM(...)`) is exported with a leading apostrophe, so Excel and LibreOffice show it as text."""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(row: Iterable[object]) -> list[object]:
    return [safe_cell(value) for value in row]
