"""Form fields of the questionnaire beyond Django's own."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.catalogue_data import GridRow
from audits.choices import EXCLUSIVE_VALUES

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


class SingleLineField(forms.CharField):
    """Text on one line: line breaks and control characters become spaces (a name never
    carries a CRLF into an e-mail header, a CSV cell or a log line)."""

    def to_python(self, value):
        value = super().to_python(value)
        return " ".join(_CONTROL.sub(" ", value).split()) if value else value


class MultiLineField(forms.CharField):
    """Free text: keeps line breaks, drops other control characters."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", value)


class LimitedMultipleChoiceField(forms.MultipleChoiceField):
    """Several answers, at most `max_choices`, "Je ne sais pas"-like answers alone."""

    def __init__(self, *args, max_choices: int | None = None, **kwargs):
        self.max_choices = max_choices
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        if self.max_choices and len(value) > self.max_choices:
            raise ValidationError(
                _("Choisissez au plus %(max)s réponses.") % {"max": self.max_choices},
                code="max_choices",
            )
        exclusive = [v for v in value if v in EXCLUSIVE_VALUES]
        if exclusive and len(value) > 1:
            label = dict(self.choices).get(exclusive[0], exclusive[0])
            raise ValidationError(
                _("« %(label)s » ne se coche pas avec une autre réponse.") % {"label": label},
                code="exclusive",
            )


def validate_phone(value: str) -> None:
    digits = re.sub(r"\D", "", value)
    if not re.fullmatch(r"[0-9 +().\-]{6,25}", value) or not 6 <= len(digits) <= 15:
        raise ValidationError(
            _("Indiquez un numéro de téléphone, par exemple 06 12 34 56 78."), code="phone"
        )


def validate_postcode(value: str) -> None:
    if not re.search(r"(?<!\d)\d{5}(?!\d)", value):
        raise ValidationError(
            _("Indiquez un code postal à 5 chiffres, par exemple 69007 ou « 69007 Lyon »."),
            code="postcode",
        )


def validate_siren(value: str) -> None:
    digits = re.sub(r"[\s.]", "", value)
    if not re.fullmatch(r"\d{9}|\d{14}", digits):
        raise ValidationError(
            _("Un SIREN a 9 chiffres, un SIRET 14 : vérifiez le numéro ou laissez vide."),
            code="siren",
        )


class ToolsByUsageWidget(forms.Widget):
    """One fieldset per usage, one checkbox per tool (name + badge), "Autre", "Aucun"."""

    template_name = "audits/widgets/tools_by_usage.html"

    def __init__(self, rows: list[GridRow] | None = None, attrs=None):
        self.rows = rows or []
        super().__init__(attrs)

    def subwidget_name(self, name: str, usage: str) -> str:
        return f"{name}__{usage}"

    def value_from_datadict(self, data, files, name):
        value = {}
        for row in self.rows:
            key = self.subwidget_name(name, row.usage)
            picked = data.getlist(key) if hasattr(data, "getlist") else data.get(key, [])
            if isinstance(picked, str):
                picked = [picked]
            if picked:
                value[row.usage] = list(picked)
        return value

    def value_omitted_from_data(self, data, files, name):
        return False

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        value = value if isinstance(value, dict) else {}
        base_id = (attrs or {}).get("id") or f"id_{name}"
        context["rows"] = [
            {
                "usage": row.usage,
                "label": row.label,
                "id": f"{base_id}_{row.usage}",
                "name": self.subwidget_name(name, row.usage),
                "options": [
                    {
                        "option": option,
                        "id": f"{base_id}_{row.usage}_{index}",
                        "checked": option.value in (value.get(row.usage) or []),
                    }
                    for index, option in enumerate(row.options)
                ],
            }
            for row in self.rows
        ]
        return context


class ToolsByUsageField(forms.Field):
    """{usage slug: [tool slugs]} with choices from the catalogue."""

    widget = ToolsByUsageWidget
    default_error_messages = {
        "required": gettext_lazy("Cochez au moins un outil, ou « Aucun », pour un usage."),
    }

    def __init__(self, *, rows: list[GridRow], **kwargs):
        self.rows = rows
        kwargs.setdefault("widget", ToolsByUsageWidget(rows))
        super().__init__(**kwargs)
        self.widget.rows = rows

    def to_python(self, value):
        if not value:
            return {}
        if not isinstance(value, dict):
            raise ValidationError(_("Réponse illisible."), code="invalid")
        return value

    def validate(self, value):
        if self.required and not any(value.values()):
            raise ValidationError(self.error_messages["required"], code="required")
        rows = {row.usage: row for row in self.rows}
        errors = []
        for usage, picked in value.items():
            row = rows.get(usage)
            if row is None:
                errors.append(
                    ValidationError(_("Usage inconnu : « %(usage)s ».") % {"usage": usage[:60]})
                )
                continue
            labels = row.labels()
            unknown = [v for v in picked if v not in labels]
            if unknown:
                errors.append(
                    ValidationError(
                        _("« %(usage)s » : réponse inconnue « %(value)s ».")
                        % {"usage": row.label, "value": str(unknown[0])[:60]}
                    )
                )
            elif "aucun" in picked and len(picked) > 1:
                errors.append(
                    ValidationError(
                        _("« %(usage)s » : « Aucun » ne se coche pas avec un outil.")
                        % {"usage": row.label}
                    )
                )
        if errors:
            raise ValidationError(errors)

    def clean(self, value):
        value = super().clean(value)
        # Catalogue order, no duplicates, empty usages dropped.
        ordered = {}
        for row in self.rows:
            picked = value.get(row.usage) or []
            kept = [option.value for option in row.options if option.value in picked]
            if kept:
                ordered[row.usage] = kept
        return ordered

    def has_changed(self, initial, data):
        return (initial or {}) != (data or {})
