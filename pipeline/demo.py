"""Demo users and organisations. Idempotent: users by username, organisations by name."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from pipeline import services
from pipeline.models import (
    Activity,
    ActivityKind,
    Contact,
    Engagement,
    Notification,
    Organisation,
    StageChange,
)
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
    ("Commune de Saint-Julien-des-Prés", "Martine Lefèvre", "mairie.stjuliendespres@gmail.com",
     "71520", "commune_intercommunalite", [Stage.QUALIFIED, Stage.MEETING_SCHEDULED,
                                           Stage.MEETING_HELD, Stage.ROADMAP_DRAFT,
                                           Stage.ROADMAP_SHARED]),
)  # fmt: skip

# Three contrasting organisations whose roadmaps differ as the drafting rules say (issue 7):
# a small commune on Google with no domain of its own, an association on Microsoft holding
# health data, a cooperative already half on free tools. Keys and values of questionnaire.yaml.
SMALL_COMMUNE_ON_GOOGLE = "Commune de Saint-Julien-des-Prés"
ASSOCIATION_WITH_HEALTH_DATA = "Centre de santé Solidaire"
COOPERATIVE_HALF_FREE = "SCIC Énergies Citoyennes"
ROADMAP_ANSWERS = {
    SMALL_COMMUNE_ON_GOOGLE: {
        "headcount": "1_10", "current_suite": "google", "own_domain": "non_adresses_grand_public",
        "tools_by_usage": {"email": ["gmail"], "calendar": ["google-calendar"],
                           "visio": ["google-meet"], "chat": ["whatsapp"],
                           "documents": ["google-docs"], "files": ["google-drive"],
                           "forms-polls": ["doodle"]},
        "data_sensitivity": ["publiques_uniquement"], "it_capacity": "personne",
        "pain_points": ["dependance_us_cloud_act", "cout"], "budget": "aucun",
        "pace": "progressivement", "change_readiness": "mitige",
        "support_needs": ["formation_groupe", "accompagnement_dirigeants"],
    },
    ASSOCIATION_WITH_HEALTH_DATA: {
        "headcount": "11_50", "current_suite": "microsoft", "own_domain": "oui",
        "tools_by_usage": {"email": ["outlook"], "calendar": ["outlook-calendar"],
                           "visio": ["microsoft-teams"], "chat": ["microsoft-teams"],
                           "documents": ["microsoft-word"], "files": ["onedrive", "sharepoint"],
                           "spreadsheets": ["microsoft-excel"]},
        "data_sensitivity": ["sante", "donnees_personnelles"], "it_capacity": "prestataire",
        "pain_points": ["rgpd", "securite"], "pace": "tout_doucement",
        "change_readiness": "plutot_reticentes",
        "support_needs": ["tutoriels_videos", "assistance_quotidien"],
    },
    COOPERATIVE_HALF_FREE: {
        "headcount": "51_250", "current_suite": "mixte", "own_domain": "oui",
        "tools_by_usage": {"email": ["gmail"], "calendar": ["google-calendar"],
                           "visio": ["jitsi-meet"], "chat": ["element-matrix"],
                           "documents": ["google-docs"], "files": ["nextcloud"],
                           "spreadsheets": ["google-sheets"]},
        "data_sensitivity": ["donnees_personnelles"], "it_capacity": "volontaire_interne",
        "pain_points": ["valeurs", "dependance_us_cloud_act"], "budget": "moins_1000",
        "pace": "rapidement", "change_readiness": "plutot_a_l_aise",
        "support_needs": ["ambassadeurs_internes"],
    },
}  # fmt: skip


# What each demo engagement looks like on the board: answers, score, next action (days from
# today; negative = overdue), tasks (title, days) and a note. Keyed by organisation name.
DEMO_DETAILS = {
    "Mairie de Saint-Aubin-sur-Loire": {
        "answers": {"headcount": "11_50", "current_suite": "microsoft",
                    "tools_by_usage": {"email": ["orange-mail"], "documents": ["microsoft-word"]},
                    "own_domain": "non_adresses_grand_public", "pace": "progressivement",
                    "pain_points": ["dependance_us_cloud_act", "rgpd"]},
        "score": 78, "next": ("Appeler la secrétaire de mairie", -3),
        "tasks": [("Vérifier le nom de domaine de la commune", 2)],
        "note": "Messagerie Orange partagée entre trois agents, pas de nom de domaine propre.",
    },
    "Association Les Jardins Partagés": {
        "answers": {"headcount": "1_10", "current_suite": "google",
                    "tools_by_usage": {"email": ["gmail"], "files": ["google-drive"],
                                       "chat": ["whatsapp"]}},
        "score": 64, "next": ("Proposer trois créneaux de rendez-vous", 1),
        "tasks": [("Envoyer la plaquette Tchap / Visio", -1)],
    },
    "Scop Atelier Bois & Co": {
        "answers": {"headcount": "11_50", "current_suite": "mixte",
                    "tools_by_usage": {"visio": ["zoom"], "documents": ["google-docs"]}},
        "score": 55, "next": ("Préparer le rendez-vous : inventaire des outils", 4),
    },
    "Communauté de communes du Val Vert": {
        "answers": {"headcount": "251_1000", "current_suite": "microsoft",
                    "tools_by_usage": {"email": ["outlook"], "chat": ["microsoft-teams"],
                                       "files": ["sharepoint", "onedrive"]}},
        "score": 88, "next": ("Rédiger la feuille de route", -6),
        "tasks": [("Compte rendu du rendez-vous", -2), ("Lister les marchés en cours", 7)],
        "note": "Contrat Microsoft 365 jusqu'en juin 2027 : commencer par la visio et les "
        "documents.",
    },
    "Centre de santé Solidaire": {
        "next": ("Valider l'hébergeur HDS avec la direction", 3),
        "tasks": [("Vérifier les exigences HDS", 5)],
    },
    "Ressourcerie du Littoral": {
        "answers": {"headcount": "11_50", "current_suite": "outils_varies",
                    "tools_by_usage": {"visio": ["zoom"], "file-transfer": ["wetransfer"],
                                       "documents": ["google-docs"], "chat": ["whatsapp"],
                                       "newsletter-contacts": ["mailchimp"]},
                    "pace": "progressivement", "pain_points": ["trop_outils", "cout"]},
        "next": ("Relancer après l'envoi de la feuille de route", -1),
    },
    "SCIC Énergies Citoyennes": {
        "next": ("Point d'étape : migration des agendas", 10),
        "tasks": [("Former les référents Docs", 6)],
    },
    "Ville de Montreval": {"answers": {"headcount": "251_1000", "current_suite": "microsoft",
                                       "tools_by_usage": {"visio": ["zoom"],
                                                          "documents": ["microsoft-word"],
                                                          "chat": ["microsoft-teams"]},
                                       "pace": "rapidement"}},
    "Agence Pixel Nord": {"answers": {"headcount": "1_10", "current_suite": "google"},
                          "score": 35},
    SMALL_COMMUNE_ON_GOOGLE: {
        "next": ("Point sur le nom de domaine avec la secrétaire de mairie", 5),
        "note": "Trois agents et deux élus sur des adresses Gmail personnelles ; budget quasi nul.",
    },
    "Mairie de Saint-Pierre": {
        "answers": {"headcount": "51_250", "current_suite": "microsoft"},
        "score": 69, "next": ("Rendez-vous en visio (heure de La Réunion)", 0),
    },
}  # fmt: skip


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
        spread_in_time(engagement, index=len(organisations))
        organisations.append(result.organisation)
    for organisation in organisations:
        engagement = organisation.engagements.order_by("created_at").first()
        if engagement is not None:
            details = DEMO_DETAILS.get(organisation.name, {})
            if organisation.name in ROADMAP_ANSWERS:
                details = {**details, "answers": ROADMAP_ANSWERS[organisation.name]}
            enrich(engagement, details, consultant)
    return organisations


def spread_in_time(engagement: Engagement, *, index: int) -> None:
    """Demo journeys are created in a second; move them back in time, a few days per stage,
    so that the board's "days in stage" and the reports' medians look like real life."""
    changes = list(engagement.stage_changes.order_by("changed_at", "pk"))
    if not changes:
        return
    now = timezone.now()
    step_days = 4 + index % 5
    first = now - datetime.timedelta(days=step_days * len(changes) + index % 3, hours=index)
    originals = [c.changed_at for c in changes]
    targets = [
        first + datetime.timedelta(days=step_days * i, hours=2 * i) for i in range(len(changes))
    ]

    def moved(when):
        """The same offset from the stage change just before it."""
        slot = max((i for i, t in enumerate(originals) if t <= when), default=0)
        return targets[slot] + (when - originals[slot])

    for change, target in zip(changes, targets, strict=True):
        StageChange.objects.filter(pk=change.pk).update(changed_at=target)
    for activity in engagement.activities.all():
        Activity.objects.filter(pk=activity.pk).update(occurred_at=moved(activity.occurred_at))
    for notification in engagement.notifications.all():
        Notification.objects.filter(pk=notification.pk).update(
            created_at=moved(notification.created_at)
        )
    organisation = engagement.organisation
    for model, rows in (
        (Engagement.history.model, Engagement.history.filter(id=engagement.pk)),
        (Organisation.history.model, Organisation.history.filter(id=organisation.pk)),
        (Contact.history.model, Contact.history.filter(organisation_id=organisation.pk)),
    ):
        for row in rows:
            model.objects.filter(pk=row.pk).update(history_date=moved(row.history_date))
    Contact.objects.filter(organisation=organisation).update(created_at=targets[0])
    Organisation.objects.filter(pk=organisation.pk).update(created_at=targets[0])
    Engagement.objects.filter(pk=engagement.pk).update(
        created_at=targets[0], stage_changed_at=targets[-1]
    )


def enrich(engagement: Engagement, details: dict, consultant) -> None:
    """Answers, score, next action, tasks and a note — once: skipped when already there."""
    today = timezone.localdate()
    if details.get("answers") and not engagement.answers.get("current_suite"):
        answers = {**engagement.answers, **details["answers"]}
        Engagement.objects.filter(pk=engagement.pk).update(answers=answers)
    if details.get("score") is not None and engagement.score is None:
        Engagement.objects.filter(pk=engagement.pk).update(score=details["score"])
    engagement.refresh_from_db()
    if engagement.score is None and engagement.answers.get("tools_by_usage"):
        from audits.services import diagnose

        result = diagnose(engagement.answers)
        Engagement.objects.filter(pk=engagement.pk).update(
            score=result.score, score_details=result.as_dict()
        )
        engagement.refresh_from_db()
    if details.get("next") and not engagement.next_action and engagement.is_open:
        text, days = details["next"]
        services.set_next_action(
            engagement, text, today + datetime.timedelta(days=days), user=consultant
        )
    if not engagement.tasks.exists():
        for title, days in details.get("tasks", []):
            services.add_task(
                engagement,
                title,
                user=consultant,
                due_date=today + datetime.timedelta(days=days),
                assignee=consultant,
            )
    if details.get("note") and not engagement.activities.filter(kind=ActivityKind.NOTE).exists():
        services.add_note(engagement, details["note"], user=consultant)


# --- Roadmaps (issue 7) ------------------------------------------------------------------------

# How long ago each roadmap started, by stage, in months.
ROADMAP_AGE = {
    Stage.ROADMAP_DRAFT: 0,
    Stage.ROADMAP_SHARED: 1,
    Stage.IN_TRANSITION: 3,
    Stage.COMPLETED: 8,
}
# Owners on the organisation's side, and a question asked from the private page.
ROADMAP_OWNERS = {
    SMALL_COMMUNE_ON_GOOGLE: "Martine, secrétaire de mairie",
    COOPERATIVE_HALF_FREE: "Claire (référente numérique)",
}
ROADMAP_QUESTIONS = {
    SMALL_COMMUNE_ON_GOOGLE: (
        "Martine",
        "Le conseil municipal vote le nom de domaine le 12 : on vous tient au courant.",
    ),
    COOPERATIVE_HALF_FREE: ("Claire", "Peut-on garder nos anciens mails Gmail en archive ?"),
}


def load_roadmaps(consultant) -> list:
    """A roadmap for every demo engagement in a roadmap stage, drafted by the rules from its
    answers; published ones are sent, the followed ones have progress. Idempotent: an
    engagement that has a roadmap is left alone."""
    from pipeline.models import Roadmap, RoadmapItemStatus
    from pipeline.services import roadmaps

    created = []
    today = timezone.localdate().replace(day=1)
    engagements = (
        Engagement.objects.filter(stage__in=ROADMAP_AGE, roadmap__isnull=True)
        .select_related("organisation")
        .order_by("pk")
    )
    for engagement in engagements:
        name = engagement.organisation.name
        with transaction.atomic():
            start = roadmaps.add_months(today, -ROADMAP_AGE[Stage(engagement.stage)])
            roadmap = roadmaps.build_roadmap(engagement, start=start)
            owner = ROADMAP_OWNERS.get(name)
            if owner:
                roadmap.items.filter(phase__lte=2).update(owner=owner)
            if engagement.stage == Stage.COMPLETED:
                roadmap.items.update(status=RoadmapItemStatus.DONE)
                now = timezone.now()
                Roadmap.objects.filter(pk=roadmap.pk).update(
                    version=1, published_at=now, first_published_at=now, last_emailed_at=now
                )
            elif engagement.stage != Stage.ROADMAP_DRAFT:
                roadmaps.publish(roadmap, user=consultant)
                roadmap.refresh_from_db()
                # The commune has started (it moves on to "in_transition"); the other shared
                # roadmap stays untouched so that the board keeps a "roadmap_shared" card.
                if engagement.stage == Stage.ROADMAP_SHARED and name != SMALL_COMMUNE_ON_GOOGLE:
                    created.append(roadmap)
                    continue
                items = list(roadmap.items.exclude(status=RoadmapItemStatus.DONE))
                share = 2 if engagement.stage == Stage.IN_TRANSITION else 1
                for item in items[:share]:
                    roadmaps.set_item_status(item, RoadmapItemStatus.DONE, user=consultant)
                if len(items) > share:
                    roadmaps.set_item_status(
                        items[share], RoadmapItemStatus.IN_PROGRESS, user=consultant
                    )
                question = ROADMAP_QUESTIONS.get(name)
                if question and len(items) > share:
                    roadmaps.organisation_comment(
                        roadmap, items[share], question[1], author_name=question[0]
                    )
        created.append(roadmap)
    return created
