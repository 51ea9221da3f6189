"""Builds Django form fields from the editors' questions (Wagtail's FormBuilder, extended).

Choices carry stable values ("valeur | Libellé"), the tools grid comes from the catalogue, and
a few mapped answers get the validation their meaning needs (e-mail, phone, postcode, SIREN).
"""

from __future__ import annotations

from collections import OrderedDict

from django import forms
from django.utils.translation import gettext as _
from wagtail.contrib.forms.forms import BaseForm, FormBuilder

from audits.catalogue_data import questionnaire_grid
from audits.choices import parse_choices
from audits.fields import (
    LimitedMultipleChoiceField,
    MultiLineField,
    SingleLineField,
    ToolsByUsageField,
    validate_phone,
    validate_postcode,
    validate_siren,
)
from audits.mapping import MapsTo

# Lengths that fit the pipeline's columns; anything longer gets a French message, not a cut.
MAX_LENGTHS = {
    MapsTo.ORGANISATION_NAME: 200,
    MapsTo.CONTACT_NAME: 200,
    MapsTo.ROLE: 200,
    MapsTo.PHONE: 25,
    MapsTo.POSTCODE: 100,
    MapsTo.SIREN: 20,
    MapsTo.EMAIL: 254,
}
VALIDATORS = {
    MapsTo.PHONE: [validate_phone],
    MapsTo.POSTCODE: [validate_postcode],
    MapsTo.SIREN: [validate_siren],
}
AUTOCOMPLETE = {
    MapsTo.ORGANISATION_NAME: "organization",
    MapsTo.CONTACT_NAME: "name",
    MapsTo.ROLE: "organization-title",
    MapsTo.EMAIL: "email",
    MapsTo.PHONE: "tel",
    MapsTo.POSTCODE: "postal-code",
}
MULTILINE_MAX = 2000


class AuditFormBuilder(FormBuilder):
    def __init__(self, fields):
        super().__init__([field for field in fields if not field.is_layout])
        self._grid = None

    @property
    def grid(self):
        if self._grid is None:
            self._grid = questionnaire_grid()
        return self._grid

    def get_formatted_field_choices(self, field):
        return [(choice.value, choice.label) for choice in parse_choices(field.choices)]

    def get_formatted_field_initial(self, field):
        return [choice.value for choice in parse_choices(field.default_value)]

    def get_field_options(self, field):
        options = super().get_field_options(field)
        message = {
            "radio": _("Choisissez une réponse."),
            "dropdown": _("Choisissez une réponse."),
            "checkboxes": _("Cochez au moins une réponse."),
            "multiselect": _("Choisissez au moins une réponse."),
        }.get(field.field_type, _("Cette réponse est obligatoire."))
        options["error_messages"] = {"required": message}
        return options

    def _text_attrs(self, field) -> dict:
        attrs = {}
        if field.maps_to in AUTOCOMPLETE:
            attrs["autocomplete"] = AUTOCOMPLETE[field.maps_to]
        if field.maps_to == MapsTo.PHONE:
            attrs["type"] = "tel"
            attrs["inputmode"] = "tel"
        return attrs

    def create_singleline_field(self, field, options):
        options["max_length"] = MAX_LENGTHS.get(field.maps_to, 255)
        options["validators"] = VALIDATORS.get(field.maps_to, [])
        options["widget"] = forms.TextInput(attrs=self._text_attrs(field))
        return SingleLineField(**options)

    def create_multiline_field(self, field, options):
        options["max_length"] = MULTILINE_MAX
        options["widget"] = forms.Textarea(attrs={"rows": 4})
        return MultiLineField(**options)

    def create_email_field(self, field, options):
        options["max_length"] = MAX_LENGTHS[MapsTo.EMAIL]
        options["widget"] = forms.EmailInput(attrs={"autocomplete": "email"})
        options["error_messages"]["invalid"] = _(
            "Indiquez une adresse e-mail valide, par exemple nom@structure.fr."
        )
        return forms.EmailField(**options)

    def create_date_field(self, field, options):
        options["widget"] = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        options["error_messages"]["invalid"] = _("Indiquez une date, par exemple 30/06/2026.")
        return forms.DateField(input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"], **options)

    def create_checkboxes_field(self, field, options):
        options["choices"] = self.get_formatted_field_choices(field)
        options["initial"] = self.get_formatted_field_initial(field)
        options["widget"] = forms.CheckboxSelectMultiple
        return LimitedMultipleChoiceField(max_choices=field.max_choices, **options)

    def create_multiselect_field(self, field, options):
        options["choices"] = self.get_formatted_field_choices(field)
        return LimitedMultipleChoiceField(max_choices=field.max_choices, **options)

    def create_checkbox_field(self, field, options):
        # A consent box is never ticked in advance, whatever the default says.
        options["initial"] = False
        if field.maps_to == MapsTo.CONSENT_CONTACT:
            options["error_messages"]["required"] = _(
                "Nous avons besoin de votre accord pour vous recontacter."
            )
        return forms.BooleanField(**options)

    def create_tools_by_usage_field(self, field, options):
        options.pop("initial", None)
        options.pop("error_messages", None)
        return ToolsByUsageField(rows=self.grid, **options)

    @property
    def formfields(self):
        fields = OrderedDict()
        for field in self.fields:
            options = self.get_field_options(field)
            create_field = self.get_create_field_function(field.field_type)
            name = field.clean_name or field.get_field_clean_name()
            form_field = create_field(field, options)
            # Single inputs point at their help text (groups do it on their fieldset).
            if (
                field.help_text
                and not isinstance(
                    form_field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple
                )
                and field.field_type != "tools_by_usage"
            ):
                form_field.widget.attrs["aria-describedby"] = f"id_{name}_help"
            fields[name] = form_field
        return fields

    def get_form_class(self):
        return type("AuditForm", (BaseForm,), self.formfields)
