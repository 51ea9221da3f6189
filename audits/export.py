"""Submissions in Wagtail's listing and CSV/XLSX export: labels instead of keys, and cells a
spreadsheet will never run as formulas."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from wagtail.admin.widgets.button import HeaderButton
from wagtail.contrib.forms.views import SubmissionsListView

from audits.models import AuditFieldType

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """'=HYPERLINK(…)' typed in a form must stay text in Excel/LibreOffice (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _tool_names() -> dict[str, str]:
    from audits.catalogue_data import questionnaire_grid

    names, usages = {}, {}
    for row in questionnaire_grid():
        usages[row.usage] = row.label
        for option in row.options:
            names[(row.usage, option.value)] = option.label
    return {"tools": names, "usages": usages}


def readable_answers(page, form_data: Mapping[str, Any], _cache: dict | None = None) -> dict:
    """form_data with choice values replaced by their current labels."""
    cache = _cache if _cache is not None else {}
    if "fields" not in cache:
        cache["fields"] = [f for f in page.get_form_fields() if not f.is_layout]
    readable = dict(form_data)
    for field in cache["fields"]:
        value = form_data.get(field.clean_name)
        if value in (None, "", [], {}):
            continue
        if field.field_type == AuditFieldType.TOOLS_BY_USAGE and isinstance(value, dict):
            if "grid" not in cache:
                cache["grid"] = _tool_names()
            grid = cache["grid"]
            readable[field.clean_name] = " ; ".join(
                "{} : {}".format(
                    grid["usages"].get(usage, usage),
                    ", ".join(grid["tools"].get((usage, slug), slug) for slug in picked),
                )
                for usage, picked in value.items()
            )
        elif field.field_type == "checkbox":
            readable[field.clean_name] = _("Oui") if value else _("Non")
        elif field.choices:
            labels = field.choice_labels()
            if isinstance(value, list):
                readable[field.clean_name] = ", ".join(labels.get(v, v) for v in value)
            else:
                readable[field.clean_name] = labels.get(value, value)
    return readable


DELETE_SUBMISSIONS_PERMISSION = "audits.delete_auditsubmission"


class AuditSubmissionsListView(SubmissionsListView):
    """Wagtail's submissions listing, with readable answers and formula-safe exports; the bulk
    delete only for those allowed to delete answers (administrators by default)."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not request.user.has_perm(DELETE_SUBMISSIONS_PERMISSION):
            self.results_template_name = "audits/admin/list_submissions_readonly.html"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("page")

    @cached_property
    def header_buttons(self):
        """Each translation of the questionnaire keeps its own answers: one button per
        other language, so English answers are one click away from the French ones."""
        names = settings.PASSERELLE_LANGUAGE_NAMES
        return [
            HeaderButton(
                _("Réponses : %(language)s") % {"language": names.get(code, code)},
                url=reverse("wagtailforms:list_submissions", args=[page_id]),
                icon_name="globe",
            )
            for page_id, code in self.form_page.get_translations()
            .order_by("locale__language_code")
            .values_list("pk", "locale__language_code")
        ]

    def _readable(self, submission) -> dict:
        if not hasattr(self, "_label_cache"):
            self._label_cache = {}
        return {
            **readable_answers(self.form_page, submission.form_data, self._label_cache),
            "submit_time": submission.submit_time,
            "score": submission.score,
        }

    def to_row_dict(self, item):
        data = self._readable(item)
        return OrderedDict(
            (field, neutralise_formula(data.get(field))) for field in self.list_export
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.is_export:
            return context
        data_fields = self.form_page.get_data_fields()
        context["data_rows"] = [
            {
                "model_id": submission.id,
                "fields": [self._readable(submission).get(name) for name, _label in data_fields],
            }
            for submission in context["submissions"]
        ]
        return context
