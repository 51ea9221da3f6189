"""Spreadsheet exports that are safe to open and cheap to produce.

Safe: no cell is ever run as a formula. A value such as `=HYPERLINK("http://evil", "clic")`
typed into the questionnaire would otherwise run when a consultant opens the CSV in Excel or
LibreOffice (CSV/formula injection).

Cheap: the CSV is streamed. Rows are read from the database in chunks while they are sent
(`QuerySet.iterator`), never all at once, so the memory an export needs stays flat whatever the
number of rows (the bench measures 100,000). Choice labels ("Qualifié", "Association") are
looked up once per export, not translated again for every cell.
"""

from __future__ import annotations

import csv
import re
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from wagtail.admin.views.mixins import Echo, ExcelDateFormatter
from wagtail.coreutils import multigetattr

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
DISPLAY_METHOD = re.compile(r"get_(\w+)_display")


def neutralise(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would read as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class FormulaSafeExportMixin:
    """For Wagtail listing views with CSV/XLSX export: every cell goes through `neutralise`,
    whatever the format (openpyxl stores a text starting with "=" as a formula); rows are read
    in chunks of `export_chunk_size`, the CSV is streamed as they come."""

    export_chunk_size = 2000

    def get(self, request, *args, **kwargs):
        if getattr(self, "is_export", False):
            # The listing page's context would count (and so load) every row: skip it.
            return self.as_spreadsheet(self.get_queryset(), request.GET.get("export"))
        return super().get(request, *args, **kwargs)

    def export_items(self, queryset):
        return queryset.iterator(chunk_size=self.export_chunk_size)

    def stream_csv(self, queryset):
        writer = csv.DictWriter(Echo(), fieldnames=self.list_export)
        yield writer.writerow(
            {field: self.get_heading(queryset, field) for field in self.list_export}
        )
        for item in self.export_items(queryset):
            yield self.write_csv_row(writer, self.to_row_dict(item))

    def write_xlsx(self, queryset, output):
        from openpyxl import Workbook

        workbook = Workbook(write_only=True, iso_dates=True)
        worksheet = workbook.create_sheet(title="Sheet1")
        worksheet.append(self.get_heading(queryset, field) for field in self.list_export)
        date_format = ExcelDateFormatter().get()
        for item in self.export_items(queryset):
            worksheet.append(
                self.generate_xlsx_row(worksheet, self.to_row_dict(item), date_format=date_format)
            )
        workbook.save(output)

    def to_row_dict(self, item):
        return {field: neutralise(self.export_value(item, field)) for field in self.list_export}

    def export_value(self, item, path: str):
        """`multigetattr`, except `…get_<field>_display`, answered from labels read once."""
        *parents, last = path.split(".")
        match = DISPLAY_METHOD.fullmatch(last)
        if match is None:
            return multigetattr(item, path)
        target = item
        for part in parents:
            target = getattr(target, part, None)
            if target is None:
                return None
        labels = self._choice_labels(type(target), match[1])
        if labels is None:
            return multigetattr(item, path)
        value = getattr(target, match[1])
        return force_str(labels.get(make_hashable(value), value), strings_only=True)

    def _choice_labels(self, model, field_name: str) -> dict | None:
        cache = self.__dict__.setdefault("_export_labels", {})
        key = (model, field_name)
        if key not in cache:
            try:
                field = model._meta.get_field(field_name)
            except FieldDoesNotExist:
                cache[key] = None
            else:
                cache[key] = (
                    {make_hashable(value): str(label) for value, label in field.flatchoices}
                    if field.choices
                    else None
                )
        return cache[key]
