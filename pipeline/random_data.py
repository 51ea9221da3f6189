"""Plausible random pipeline data in bulk, for benchmarks and scaling measures.

Deterministic for a given seed. Rows are bulk-inserted (no history rows, no e-mails): this is
load, not a journey. Everything it creates carries the RANDOM_SOURCE marker so it can be removed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from pipeline.models import (
    Activity,
    ActivityKind,
    Contact,
    Engagement,
    Organisation,
    OrganisationType,
    StageChange,
    Task,
)
from pipeline.roles import ensure_roles
from pipeline.services import CONSULTANTS_GROUP
from pipeline.stages import PIPELINE_ORDER, LostReason, Stage

RANDOM_SOURCE = "données aléatoires"
BATCH = 2000

FIRST_NAMES = [
    "Camille",
    "Dominique",
    "Claude",
    "Alix",
    "Sacha",
    "Morgan",
    "Lou",
    "Eden",
    "Noa",
    "Charlie",
    "Maël",
    "Inès",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
]
PREFIXES = {
    OrganisationType.COMMUNE: "Mairie de",
    OrganisationType.DEPARTEMENT_REGION: "Département",
    OrganisationType.PUBLIC_BODY: "Syndicat mixte",
    OrganisationType.ASSOCIATION: "Association",
    OrganisationType.COOPERATIVE: "SCOP",
    OrganisationType.COMPANY: "Société",
    OrganisationType.OTHER: "Collectif",
}
PLACES = [
    "Lyon",
    "Nantes",
    "Rennes",
    "Brest",
    "Lille",
    "Dijon",
    "Grenoble",
    "Pau",
    "Tulle",
    "Albi",
    "Annecy",
    "Vannes",
    "Arles",
]
# Share of engagements currently in each stage (the funnel narrows).
STAGE_WEIGHTS = [30, 15, 10, 10, 8, 8, 8, 5, 6]


@dataclass(frozen=True)
class RandomDataSummary:
    organisations: int
    contacts: int
    engagements: int
    stage_changes: int
    activities: int


def consultants(count: int = 5) -> list:
    ensure_roles()
    group = Group.objects.get(name=CONSULTANTS_GROUP)
    users = []
    for index in range(1, count + 1):
        user, created = get_user_model().objects.get_or_create(
            username=f"bench-consultant-{index}",
            defaults={"email": f"bench-consultant-{index}@passerelle.localhost",
                      "first_name": FIRST_NAMES[index], "last_name": LAST_NAMES[index]},
        )  # fmt: skip
        if created:
            user.set_unusable_password()
            user.save()
        user.groups.add(group)
        users.append(user)
    return users


def _path_to(stage: Stage, rng: random.Random) -> list[Stage]:
    """A plausible list of stages from `new` to `stage`."""
    if stage == Stage.LOST:
        lost_at = rng.choice(PIPELINE_ORDER[:5])
        return [*_path_to(lost_at, rng), Stage.LOST]
    path = list(PIPELINE_ORDER[: PIPELINE_ORDER.index(stage) + 1])
    if Stage.QUALIFIED in path and rng.random() < 0.4:
        path.remove(Stage.QUALIFIED)  # booked straight from the results page
    return path


@transaction.atomic
def create(organisations: int, *, seed: int = 42) -> RandomDataSummary:
    rng = random.Random(seed)  # noqa: S311 — reproducible fake data, not secrets
    owners = consultants()
    now = timezone.now()
    offset = Organisation.objects.count()
    totals = {"contacts": 0, "engagements": 0, "stage_changes": 0, "activities": 0}
    for start in range(0, organisations, BATCH):
        size = min(BATCH, organisations - start)
        orgs = []
        for index in range(offset + start, offset + start + size):
            kind = rng.choice(OrganisationType.values)
            postcode = f"{rng.randint(1, 95):02d}{rng.randint(0, 999):03d}"
            orgs.append(
                Organisation(
                    name=f"{PREFIXES[kind]} {rng.choice(PLACES)} {index}",
                    kind=kind,
                    domain=f"structure-{index}.example.org",
                    postcode=postcode,
                    territory=postcode[:2],
                    headcount=rng.choice(["1_10", "11_50", "51_250", "251_1000"]),
                )
            )
        orgs = Organisation.objects.bulk_create(orgs)
        contacts, engagements, paths = [], [], []
        for organisation in orgs:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            contacts.append(
                Contact(
                    organisation=organisation,
                    name=f"{first} {last}",
                    role="Direction",
                    email=f"{first.lower()}.{organisation.pk}@{organisation.domain}",
                    consent_contact=True,
                    consent_contact_at=now,
                )
            )
            stage = rng.choices(PIPELINE_ORDER, STAGE_WEIGHTS)[0]
            path = _path_to(stage, rng)
            created_at = now - timedelta(days=rng.randint(1, 365), minutes=rng.randint(0, 1440))
            times = [created_at]
            for _ in path[1:]:
                times.append(min(times[-1] + timedelta(days=rng.randint(1, 20)), now))
            paths.append((path, times))
            engagements.append(
                Engagement(
                    organisation=organisation,
                    owner=rng.choice(owners),
                    stage=path[-1],
                    stage_changed_at=times[-1],
                    lost_from_stage=path[-2] if path[-1] == Stage.LOST else "",
                    lost_reason=rng.choice(LostReason.values) if path[-1] == Stage.LOST else "",
                    source=RANDOM_SOURCE,
                    score=rng.randint(0, 100),
                    next_action=rng.choice(["", "Relancer par téléphone", "Envoyer le devis"]),
                    next_action_due=(now + timedelta(days=rng.randint(-10, 20))).date(),
                    created_at=created_at,
                )
            )
        Contact.objects.bulk_create(contacts)
        engagements = Engagement.objects.bulk_create(engagements)
        changes, activities, tasks = [], [], []
        for engagement, (path, times) in zip(engagements, paths, strict=True):
            previous = ""
            for stage, when in zip(path, times, strict=True):
                changes.append(
                    StageChange(engagement=engagement, from_stage=previous, to_stage=stage,
                                changed_by=engagement.owner if previous else None, changed_at=when)
                )  # fmt: skip
                activities.append(
                    Activity(
                        engagement=engagement,
                        kind=ActivityKind.STAGE_CHANGE if previous else ActivityKind.SUBMISSION,
                        actor=engagement.owner if previous else None,
                        occurred_at=when,
                        summary=f"Étape : {Stage(stage).label}" if previous else "Questionnaire",
                    )
                )
                previous = stage
            if rng.random() < 0.5:
                tasks.append(
                    Task(engagement=engagement, title="Préparer le rendez-vous",
                         assignee=engagement.owner,
                         due_date=(now + timedelta(days=rng.randint(-5, 15))).date())
                )  # fmt: skip
        StageChange.objects.bulk_create(changes)
        Activity.objects.bulk_create(activities)
        Task.objects.bulk_create(tasks)
        totals["contacts"] += len(contacts)
        totals["engagements"] += len(engagements)
        totals["stage_changes"] += len(changes)
        totals["activities"] += len(activities)
    return RandomDataSummary(organisations=organisations, **totals)


@transaction.atomic
def clear() -> int:
    """Remove everything create() made."""
    organisation_ids = Engagement.objects.filter(source=RANDOM_SOURCE).values("organisation_id")
    deleted, _ = Organisation.objects.filter(pk__in=organisation_ids).delete()
    return deleted
