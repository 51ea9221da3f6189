"""Spreadsheet exports that are safe to open: no cell is ever run as a formula.

A value such as `=HYPERLINK("http://evil", "clic")` typed into the questionnaire would otherwise
run when a consultant opens the CSV in Excel or LibreOffice (CSV/formula injection).
"""

from __future__ import annotations

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would read as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class FormulaSafeExportMixin:
    """For Wagtail listing views with CSV/XLSX export: every cell goes through `neutralise`,
    whatever the format (openpyxl stores a text starting with "=" as a formula)."""

    def to_row_dict(self, item):
        return {key: neutralise(value) for key, value in super().to_row_dict(item).items()}
