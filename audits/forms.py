from collections import Counter

from django.utils.translation import gettext as _
from wagtail.contrib.forms.forms import WagtailAdminFormPageForm

from audits.mapping import REQUIRED_MAPPINGS, MapsTo


class AuditPageAdminForm(WagtailAdminFormPageForm):
    """Refuses to save a questionnaire the pipeline could not use."""

    def clean(self):
        cleaned_data = super().clean()
        formset = self.formsets.get("form_fields")
        if formset is None:
            return cleaned_data
        mappings = [
            form.cleaned_data.get("maps_to")
            for form in formset.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("maps_to")
        ]
        duplicates = sorted(key for key, count in Counter(mappings).items() if count > 1)
        if duplicates:
            self.add_error(
                None,
                _("Chaque correspondance ne peut servir qu'une fois : %(keys)s.")
                % {"keys": ", ".join(MapsTo(key).label for key in duplicates)},
            )
        missing = [key for key in REQUIRED_MAPPINGS if key not in mappings]
        if missing:
            self.add_error(
                None,
                _("Il manque une question pour : %(keys)s.")
                % {"keys": ", ".join(str(key.label) for key in missing)},
            )
        return cleaned_data
