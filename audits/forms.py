from collections import Counter

from django.utils.translation import gettext as _
from wagtail.contrib.forms.forms import WagtailAdminFormPageForm

from audits.choices import choice_errors, parse_choices
from audits.mapping import REQUIRED_MAPPINGS, MapsTo

CHOICE_TYPES = {"radio", "checkboxes", "dropdown", "multiselect"}
MAX_STEPS = 5


class AuditPageAdminForm(WagtailAdminFormPageForm):
    """Refuses to save a questionnaire the pipeline could not use."""

    def clean(self):
        cleaned_data = super().clean()
        formset = self.formsets.get("form_fields")
        if formset is None:
            return cleaned_data
        kept = [
            form
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        kept.sort(key=lambda form: form.cleaned_data.get("ORDER") or 0)
        mappings = [
            form.cleaned_data.get("maps_to") for form in kept if form.cleaned_data.get("maps_to")
        ]
        duplicates = sorted(key for key, count in Counter(mappings).items() if count > 1)
        if duplicates:
            self.add_error(
                None,
                _("Chaque correspondance ne peut servir qu'une fois : %(keys)s.")
                % {"keys": ", ".join(str(MapsTo(key).label) for key in duplicates)},
            )
        missing = [key for key in REQUIRED_MAPPINGS if key not in mappings]
        if missing:
            self.add_error(
                None,
                _("Il manque une question pour : %(keys)s.")
                % {"keys": ", ".join(str(key.label) for key in missing)},
            )
        steps = sum(1 for form in kept if form.cleaned_data.get("field_type") == "step")
        if steps > MAX_STEPS:
            self.add_error(
                None,
                _("%(max)s étapes au plus : le questionnaire doit rester court (%(n)s ici).")
                % {"max": MAX_STEPS, "n": steps},
            )
        self._check_fields(kept)
        return cleaned_data

    def _check_fields(self, kept):
        seen: dict[str, set[str]] = {}
        for form in kept:
            data = form.cleaned_data
            field_type = data.get("field_type")
            if field_type in CHOICE_TYPES:
                if not parse_choices(data.get("choices", "")):
                    form.add_error("choices", _("Indiquez au moins un choix."))
                for error in choice_errors(data.get("choices", "")):
                    form.add_error("choices", error)
            controller = data.get("show_if_field")
            if controller:
                if controller not in seen:
                    form.add_error(
                        "show_if_field",
                        _("La question dont dépend celle-ci doit être placée avant elle."),
                    )
                else:
                    values = {
                        v.strip() for v in data.get("show_if_values", "").split(",") if v.strip()
                    }
                    unknown = sorted(values - seen[controller]) if seen[controller] else []
                    if not values:
                        form.add_error("show_if_values", _("Indiquez au moins une valeur."))
                    elif unknown:
                        form.add_error(
                            "show_if_values",
                            _("Valeurs inconnues pour cette question : %(values)s.")
                            % {"values": ", ".join(unknown)},
                        )
            if data.get("maps_to"):
                seen[data["maps_to"]] = {c.value for c in parse_choices(data.get("choices", ""))}
