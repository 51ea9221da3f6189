"""The demo questionnaire. Idempotent: the page is found by slug."""

from __future__ import annotations

from django.db import transaction

from audits.models import AuditFormField, AuditPage
from cms.models import HomePage

INTRO = (
    "<p>Quelques questions simples sur vos outils et vos besoins. Pas de jargon, pas de "
    "question piège : cochez ce qui vous ressemble.</p>"
)

FIELDS = [
    {
        "label": "Quel type de structure êtes-vous ?",
        "field_type": "radio",
        "maps_to": "organisation_type",
        "choices": "Commune / intercommunalité\nDépartement / Région\nAutre établissement public\n"
        "Association\nCoopérative\nEntreprise\nAutre",
    },
    {"label": "Nom de la structure", "field_type": "singleline", "maps_to": "organisation_name"},
    {"label": "Prénom Nom", "field_type": "singleline", "maps_to": "contact_name"},
    {"label": "E-mail", "field_type": "email", "maps_to": "email"},
    {
        "label": "Code postal / commune",
        "field_type": "singleline",
        "maps_to": "postcode",
        "required": False,
    },
    {
        "label": "J'accepte que LaSuite.coop / Open Source Politics utilise ces informations "
        "pour me recontacter au sujet de l'audit.",
        "field_type": "checkbox",
        "maps_to": "consent_contact",
        "help_text": "Vos réponses sont conservées 3 ans après notre dernier échange. "
        "Voir la politique de confidentialité.",
    },
]


@transaction.atomic
def load(home: HomePage) -> AuditPage:
    # The French questionnaire (an English translation may share the slug).
    page = AuditPage.objects.filter(slug="audit", locale=home.locale).first()
    if page is not None:
        return page
    page = AuditPage(
        title="Audit de souveraineté numérique",
        slug="audit",
        intro=INTRO,
        thank_you_text="",
        show_in_menus=True,
    )
    for order, spec in enumerate(FIELDS):
        page.form_fields.add(
            AuditFormField(
                sort_order=order,
                label=spec["label"],
                field_type=spec["field_type"],
                maps_to=spec["maps_to"],
                choices=spec.get("choices", ""),
                required=spec.get("required", True),
                help_text=spec.get("help_text", ""),
            )
        )
    home.add_child(instance=page)
    return page
