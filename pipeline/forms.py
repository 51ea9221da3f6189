"""Admin forms for the pipeline's plain records (organisations, territory rules)."""

from __future__ import annotations

import re
import zoneinfo

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm

from pipeline import identity
from pipeline.models import Organisation, TerritoryRule
from pipeline.services.base import CONSULTANTS_GROUP

TERRITORY = re.compile(r"^(\d{2}|2[AB]|9[78]\d)$")


def clean_territory(value: str) -> str:
    value = (value or "").strip().upper()
    if value and not TERRITORY.match(value):
        raise forms.ValidationError(
            _("Indiquez un numéro de département : 69, 2A, 974…"), code="territory"
        )
    return value


class OrganisationForm(WagtailAdminModelForm):
    # Wider than the column: a SIRET or a spaced SIREN is accepted and normalised.
    siren = forms.CharField(label=gettext_lazy("SIREN ou SIRET"), max_length=20, required=False)
    territory = forms.CharField(
        label=gettext_lazy("territoire"),
        max_length=10,
        required=False,
        help_text=gettext_lazy("Département ; déduit du code postal s'il est vide."),
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "headcount",
            "siren",
            "domain",
            "postcode",
            "territory",
            "website",
            "time_zone",
        ]

    def clean_siren(self):
        value = self.cleaned_data.get("siren", "")
        if value and not identity.normalise_siren(value):
            raise forms.ValidationError(_("Un SIREN a 9 chiffres (ou un SIRET 14)."))
        return identity.normalise_siren(value)

    def clean_postcode(self):
        value = self.cleaned_data.get("postcode", "")
        if value and not identity.normalise_postcode(value):
            raise forms.ValidationError(_("Un code postal a 5 chiffres."))
        return identity.normalise_postcode(value)

    def clean_domain(self):
        value = (self.cleaned_data.get("domain", "") or "").strip().lower().removeprefix("www.")
        if value and not re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", value):
            raise forms.ValidationError(_("Un domaine ressemble à « mairie-exemple.fr »."))
        return value

    def clean_territory(self):
        return clean_territory(self.cleaned_data.get("territory", ""))

    def clean_time_zone(self):
        value = (self.cleaned_data.get("time_zone", "") or "").strip()
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(
                _("Fuseau horaire inconnu : par exemple Europe/Paris ou Indian/Reunion.")
            ) from None
        return value

    def clean(self):
        data = super().clean()
        if data.get("postcode") and not data.get("territory"):
            data["territory"] = identity.territory_from_postcode(data["postcode"])
        return data


class ConsultantField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class TerritoryRuleForm(WagtailAdminModelForm):
    territory = forms.CharField(
        label=gettext_lazy("territoire"),
        max_length=10,
        help_text=gettext_lazy("Numéro de département : 69, 2A, 974…"),
    )
    consultant = ConsultantField(
        label=gettext_lazy("Consultant·e"), queryset=get_user_model().objects.none()
    )

    class Meta:
        model = TerritoryRule
        fields = ["territory", "consultant"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name=CONSULTANTS_GROUP)
            .order_by("first_name", "last_name")
        )

    def clean_territory(self):
        return clean_territory(self.cleaned_data.get("territory", ""))
