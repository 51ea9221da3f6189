"""The e-mail templates Passerelle starts with (loaded by migration 0006, editable afterwards in
Pipeline › Modèles d'e-mail). If consultants delete the one a button needs, the text below is
used instead, so "propose new slots" and the follow-up draft always work.
"""

from __future__ import annotations

from pipeline.models import EmailPurpose, EmailTemplate

DEFAULT_TEMPLATES: list[dict[str, str]] = [
    {
        "purpose": EmailPurpose.GENERAL,
        "language": "fr",
        "name": "Message libre",
        "subject": "Votre audit numérique — {organisation}",
        "body": ("Bonjour {prenom},\n\n\n\nBien cordialement,\n{consultant}"),
    },
    {
        "purpose": EmailPurpose.BOOKING_INVITE,
        "language": "fr",
        "name": "Invitation à prendre rendez-vous",
        "subject": "Choisissons ensemble un moment pour votre audit",
        "body": (
            "Bonjour {prenom},\n\n"
            "Merci d'avoir répondu au questionnaire pour {organisation}. Pour parcourir ensemble "
            "vos résultats et les solutions libres qui vous conviendraient, je vous propose un "
            "rendez-vous d'une heure, en visio ou par téléphone.\n\n"
            "Choisissez le créneau qui vous arrange :\n"
            "{lien_rendez_vous}\n\n"
            "Bien cordialement,\n"
            "{consultant}"
        ),
    },
    {
        "purpose": EmailPurpose.NO_SHOW,
        "language": "fr",
        "name": "Rendez-vous manqué : nouveaux créneaux",
        "subject": "Nous nous sommes manqués — choisissons un autre moment",
        "body": (
            "Bonjour {prenom},\n\n"
            "Nous avions rendez-vous le {date_rendez_vous} pour parler des outils numériques de "
            "{organisation}, mais nous ne nous sommes pas retrouvés. Ce n'est pas grave : "
            "choisissez un nouveau créneau quand cela vous arrange, en suivant ce lien :\n\n"
            "{lien_rendez_vous}\n\n"
            "À très bientôt,\n"
            "{consultant}"
        ),
    },
    {
        "purpose": EmailPurpose.FOLLOW_UP,
        "language": "fr",
        "name": "Suite du rendez-vous",
        "subject": "Suite à notre rendez-vous — {organisation}",
        "body": (
            "Bonjour {prenom},\n\n"
            "Merci pour notre échange du {date_rendez_vous}. Voici ce que nous avons retenu :\n\n"
            "{compte_rendu}\n\n"
            "Prochaines étapes :\n"
            "{prochaines_etapes}\n\n"
            "Je reste à votre disposition pour toute question.\n\n"
            "Bien cordialement,\n"
            "{consultant}"
        ),
    },
]


def default_template(purpose: str, language: str = "fr") -> EmailTemplate:
    """An unsaved template with the built-in text for this use (French)."""
    for entry in DEFAULT_TEMPLATES:
        if entry["purpose"] == purpose:
            return EmailTemplate(**entry)
    return EmailTemplate(**DEFAULT_TEMPLATES[0])
