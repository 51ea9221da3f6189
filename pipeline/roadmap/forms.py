"""Forms of the private roadmap page. They work without JavaScript."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pipeline.models import RoadmapItemStatus
from pipeline.services.roadmaps import AUTHOR_MAX_LENGTH, COMMENT_MAX_LENGTH

ACTIONS = [
    (RoadmapItemStatus.DONE, _("C'est fait")),
    (RoadmapItemStatus.IN_PROGRESS, _("On s'y met")),
    (RoadmapItemStatus.PLANNED, _("Pas encore commencé")),
    ("comment", _("Envoyer le commentaire")),
]


class ItemActionForm(forms.Form):
    """One form per step: change its state, or leave a comment."""

    action = forms.ChoiceField(
        choices=ACTIONS, error_messages={"invalid_choice": _("Cette action n'existe pas.")}
    )
    body = forms.CharField(
        label=_("Une question, une remarque ?"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _("Le commentaire est trop long (%(limit_value)s caractères au plus).")
        },
    )
    author_name = forms.CharField(
        label=_("Votre prénom (facultatif)"),
        required=False,
        max_length=AUTHOR_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"max_length": _("Le prénom est trop long.")},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "comment" and not cleaned.get("body"):
            self.add_error(
                "body", ValidationError(_("Écrivez votre commentaire avant de l'envoyer."))
            )
        return cleaned


class ResendForm(forms.Form):
    email = forms.EmailField(
        label=_("Votre adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Indiquez votre adresse e-mail."),
            "invalid": _("Cette adresse e-mail n'est pas valide."),
        },
    )
