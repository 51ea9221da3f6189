"""Demo users and organisations. Idempotent: users by username, organisations by name."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from pipeline import services
from pipeline.models import Organisation
from pipeline.roles import ensure_roles
from pipeline.stages import LostReason, Stage

User = get_user_model()


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    email: str
    group: str | None
    superuser: bool = False


DEMO_USERS = (
    DemoUser("admin", "Alex", "Admin", "admin@passerelle.localhost", None, superuser=True),
    DemoUser(
        "marketing", "Maëlle", "Martin", "marketing@passerelle.localhost", services.MARKETING_GROUP
    ),
    DemoUser(
        "consultant",
        "Camille",
        "Durand",
        "consultant@passerelle.localhost",
        services.CONSULTANTS_GROUP,
    ),
)

# (organisation, contact, e-mail, postcode, type, path of stages after "new")
DEMO_ORGANISATIONS = (
    ("Mairie de Saint-Aubin-sur-Loire", "Sophie Bernard", "secretariat.staubin@orange.fr",
     "49250", "commune_intercommunalite", []),
    ("Association Les Jardins Partagés", "Karim Haddad", "karim@jardins-partages.org",
     "69007", "association", [Stage.QUALIFIED]),
    ("Scop Atelier Bois & Co", "Léa Moreau", "lea.moreau@atelier-bois.coop",
     "44000", "cooperative", [Stage.MEETING_SCHEDULED]),
    ("Communauté de communes du Val Vert", "Thomas Petit", "t.petit@cc-valvert.fr",
     "24000", "commune_intercommunalite", [Stage.MEETING_SCHEDULED, Stage.MEETING_HELD]),
    ("Centre de santé Solidaire", "Nadia Benali", "direction@centresante-solidaire.fr",
     "13001", "association", [Stage.QUALIFIED, Stage.MEETING_SCHEDULED, Stage.MEETING_HELD,
                              Stage.ROADMAP_DRAFT]),
    ("Ressourcerie du Littoral", "Julien Roux", "julien@ressourcerie-littoral.fr",
     "17000", "association", [Stage.MEETING_SCHEDULED, Stage.MEETING_HELD, Stage.ROADMAP_DRAFT,
                              Stage.ROADMAP_SHARED]),
    ("SCIC Énergies Citoyennes", "Claire Fontaine", "claire@energies-citoyennes.coop",
     "38000", "cooperative", [Stage.MEETING_SCHEDULED, Stage.MEETING_HELD, Stage.ROADMAP_DRAFT,
                              Stage.ROADMAP_SHARED, Stage.IN_TRANSITION]),
    ("Ville de Montreval", "Paul Girard", "dsi@montreval.fr",
     "01340", "commune_intercommunalite", [Stage.MEETING_SCHEDULED, Stage.MEETING_HELD,
                                           Stage.ROADMAP_DRAFT, Stage.ROADMAP_SHARED,
                                           Stage.IN_TRANSITION, Stage.COMPLETED]),
    ("Agence Pixel Nord", "Hugo Lambert", "hugo@pixelnord.fr",
     "59000", "entreprise", ["lost"]),
    ("Mairie de Saint-Pierre", "Marie Hoarau", "mairie@saintpierre974.re",
     "97410", "commune_intercommunalite", [Stage.QUALIFIED]),
)  # fmt: skip


@transaction.atomic
def load_users() -> dict[str, User]:
    ensure_roles()
    users = {}
    for spec in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "email": spec.email,
                "is_staff": spec.superuser,
                "is_superuser": spec.superuser,
            },
        )
        if created:
            user.set_password(settings.DEMO_PASSWORD)
            user.save()
        if spec.group:
            user.groups.add(Group.objects.get(name=spec.group))
        users[spec.username] = user
    return users


@transaction.atomic
def load_organisations(consultant) -> list[Organisation]:
    organisations = []
    for name, contact_name, email, postcode, kind, path in DEMO_ORGANISATIONS:
        existing = Organisation.objects.filter(name=name).first()
        if existing:
            organisations.append(existing)
            continue
        result = services.intake_submission(
            {
                "organisation_name": name,
                "contact_name": contact_name,
                "email": email,
                "postcode": postcode,
                "organisation_type": kind,
                "consent_contact": True,
            },
            source="Démo",
        )
        engagement = result.engagement
        services.assign(engagement, consultant, user=None)
        for stage in path:
            if stage == "lost":
                services.mark_lost(engagement, LostReason.BUDGET, user=consultant)
            else:
                services.move_stage(engagement, stage, user=consultant)
        organisations.append(result.organisation)
    return organisations
