"""What each questionnaire answer means, whatever its label says (questionnaire.yaml keys)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MapsTo(models.TextChoices):
    ORGANISATION_TYPE = "organisation_type", _("Type de structure")
    USES_STATE_TOOLS = "uses_state_tools", _("Utilise déjà des outils de l'État")
    HEADCOUNT = "headcount", _("Nombre d'utilisateurs")
    CURRENT_SUITE = "current_suite", _("Suite actuelle")
    TOOLS_BY_USAGE = "tools_by_usage", _("Outils par usage")
    PAIN_POINTS = "pain_points", _("Irritants")
    DATA_SENSITIVITY = "data_sensitivity", _("Sensibilité des données")
    IT_CAPACITY = "it_capacity", _("Capacité informatique")
    OWN_DOMAIN = "own_domain", _("Nom de domaine propre")
    DEADLINE = "deadline", _("Contrainte de calendrier")
    DEADLINE_DATE = "deadline_date", _("Date de fin de contrat")
    BUDGET = "budget", _("Budget")
    PACE = "pace", _("Rythme souhaité")
    CHANGE_READINESS = "change_readiness", _("Rapport au changement")
    SUPPORT_NEEDS = "support_needs", _("Besoins d'accompagnement")
    ORGANISATION_NAME = "organisation_name", _("Nom de la structure")
    CONTACT_NAME = "contact_name", _("Prénom et nom")
    ROLE = "role", _("Fonction")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Téléphone")
    POSTCODE = "postcode", _("Code postal")
    SIREN = "siren", _("SIREN / SIRET")
    COMMENT = "comment", _("Commentaire")
    CONSENT_CONTACT = "consent_contact", _("Consentement au contact")
    CONSENT_NEWSLETTER = "consent_newsletter", _("Lettre d'information")


# Without these the pipeline cannot open an engagement or lawfully call back.
REQUIRED_MAPPINGS = (MapsTo.EMAIL, MapsTo.ORGANISATION_NAME, MapsTo.CONSENT_CONTACT)
