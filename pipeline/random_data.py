"""Plausible random pipeline data in bulk, for benchmarks and scaling measures.

Deterministic for a given seed. Rows are bulk-inserted (no history rows, no e-mails): this is
load, not a journey. Everything it creates carries the RANDOM_SOURCE marker so it can be removed.

Besides organisations, contacts and engagements with their stage history, it gives the five
bench consultants a calendar (working hours, so the booking page has slots), each engagement
that reached `meeting_scheduled` a meeting with its attendee (future and live when the
engagement still waits for it, held or cancelled otherwise: what the consultants' ICS feeds
show), and each engagement that reached `roadmap_draft` a roadmap of five steps, published when
the engagement reached `roadmap_shared` (the private roadmap page and its PDF).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from pipeline.models import (
    Activity,
    ActivityKind,
    Contact,
    Effort,
    Engagement,
    Organisation,
    OrganisationType,
    Roadmap,
    RoadmapItem,
    RoadmapItemStatus,
    RoadmapPhase,
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


# Future meetings go on a 15-minute grid of working days, 9:00–17:00, 1 to 180 days ahead.
MEETING_GRID_MINUTES = 15
MEETING_GRID_DAYS = 180
ROADMAP_STEPS = [
    ("Messagerie : passer à une messagerie hébergée en Europe", RoadmapPhase.MAIL),
    ("Fichiers partagés : migrer vers un espace de stockage européen", RoadmapPhase.DATA),
    ("Visioconférence : adopter un outil libre", RoadmapPhase.QUICK_WINS),
    ("Messagerie instantanée : ouvrir un espace d'équipe", RoadmapPhase.COLLABORATION),
    ("Former deux référent·es et documenter les usages", RoadmapPhase.AUTONOMY),
]


@dataclass(frozen=True)
class RandomDataSummary:
    organisations: int
    contacts: int
    engagements: int
    stage_changes: int
    activities: int
    meetings: int = 0
    roadmaps: int = 0


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
    _calendars(users)
    return users


def _calendars(users) -> None:
    """Working hours (the defaults) for the booking page; no external busy-time source."""
    from calendar_sync.models import ConsultantCalendar

    for user in users:
        ConsultantCalendar.objects.get_or_create(consultant=user)


class _MeetingGrid:
    """Free future start times per consultant (the database allows one live meeting per
    consultant and start), drawn at random and probed forward on a collision."""

    def __init__(self, owners, now, rng: random.Random):
        from calendar_sync.models import Meeting, MeetingStatus

        zone = ZoneInfo(settings.TIME_ZONE)
        first_day = timezone.localtime(now, zone).date() + timedelta(days=1)
        per_day = (8 * 60) // MEETING_GRID_MINUTES
        self.starts = [
            datetime.combine(day, time(9), zone) + timedelta(minutes=MEETING_GRID_MINUTES * slot)
            for day in (first_day + timedelta(days=d) for d in range(MEETING_GRID_DAYS))
            if day.weekday() < 5
            for slot in range(per_day)
        ]
        self.rng = rng
        self.taken = {owner.pk: set() for owner in owners}
        for organiser_id, start in Meeting.objects.filter(
            organiser__in=owners, status=MeetingStatus.SCHEDULED, start__gt=now
        ).values_list("organiser_id", "start"):
            self.taken.setdefault(organiser_id, set()).add(start)

    def draw(self, owner_id: int) -> datetime | None:
        taken = self.taken.setdefault(owner_id, set())
        index = self.rng.randrange(len(self.starts))
        for offset in range(len(self.starts)):
            start = self.starts[(index + offset) % len(self.starts)]
            if start not in taken:
                taken.add(start)
                return start
        return None  # this consultant's next six months are full


def _meeting(engagement, path, times, grid: _MeetingGrid, rng: random.Random):
    """The meeting of an engagement that reached `meeting_scheduled`, or None."""
    from calendar_sync.models import BookedBy, Meeting, MeetingKind, MeetingStatus

    if Stage.MEETING_SCHEDULED not in path:
        return None
    booked_at = times[path.index(Stage.MEETING_SCHEDULED)]
    common = {
        "engagement": engagement,
        "organiser_id": engagement.owner_id,
        "kind": rng.choice(MeetingKind.values),
        "location": "" if rng.random() < 0.7 else f"Salle du conseil, {engagement.organisation_id}",
        "agenda": "Présentation du diagnostic, priorités, calendrier.",
        "booked_by": rng.choice(BookedBy.values),
        "stage_before_booking": path[path.index(Stage.MEETING_SCHEDULED) - 1],
        "scheduled_at": booked_at,
        "created_at": booked_at,
    }
    if engagement.stage == Stage.MEETING_SCHEDULED:
        start = grid.draw(engagement.owner_id)
        if start is None:
            return None
        meeting = Meeting(start=start, status=MeetingStatus.SCHEDULED, **common)
    elif Stage.MEETING_HELD in path:
        held_at = times[path.index(Stage.MEETING_HELD)]
        start = held_at - timedelta(hours=2)
        meeting = Meeting(
            start=start, status=MeetingStatus.HELD, held_at=held_at,
            notes="Échange riche ; feuille de route à préparer.", **common,
        )  # fmt: skip
    else:  # lost while the meeting was planned
        start = booked_at + timedelta(days=3)
        meeting = Meeting(
            start=start, status=MeetingStatus.CANCELLED, cancelled_at=times[-1],
            cancel_reason="Projet reporté", sequence=1, **common,
        )  # fmt: skip
    meeting.end = meeting.start + timedelta(hours=1)
    return meeting


def _roadmap(engagement, path, times, tools: list[int], rng: random.Random):
    """The roadmap (and its steps) of an engagement that reached `roadmap_draft`, or None."""
    if Stage.ROADMAP_DRAFT not in path:
        return None
    drafted_at = times[path.index(Stage.ROADMAP_DRAFT)]
    shared_at = times[path.index(Stage.ROADMAP_SHARED)] if Stage.ROADMAP_SHARED in path else None
    start = timezone.localtime(drafted_at).date().replace(day=1)
    roadmap = Roadmap(
        engagement=engagement,
        summary="Une transition par étapes, en commençant par ce qui gêne le plus l'équipe.",
        start_date=start,
        pace=rng.choice(["progressivement", "rapidement"]),
        vigilance="Données personnelles des adhérent·es (RGPD)\nÉchéance du contrat actuel",
        next_steps="Valider la feuille de route en bureau\nConstituer un groupe pilote",
        version=1 if shared_at else 0,
        first_published_at=shared_at,
        published_at=shared_at,
        content_updated_at=shared_at or drafted_at,
        revision=1,
        created_at=drafted_at,
    )
    finished = engagement.stage == Stage.COMPLETED
    items = []
    for order, (title, phase) in enumerate(ROADMAP_STEPS):
        month = start.month - 1 + 2 * order
        status = RoadmapItemStatus.PLANNED
        if finished or (engagement.stage == Stage.IN_TRANSITION and order < 2):
            status = RoadmapItemStatus.DONE
        items.append(
            RoadmapItem(
                title=title,
                phase=phase,
                target_month=start.replace(year=start.year + month // 12, month=month % 12 + 1),
                effort=rng.choice(Effort.values),
                owner=rng.choice(["Direction", "Secrétariat", "Référent·e numérique"]),
                current_tool_id=rng.choice(tools) if tools else None,
                target_tool_id=rng.choice(tools) if tools else None,
                change_actions="Atelier de prise en main\nGuide d'une page",
                next_step="Ouvrir les comptes du groupe pilote",
                status=status,
                sort_order=order,
            )
        )
    return roadmap, items


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
def create(organisations: int, *, seed: int = 42, extras: bool = True) -> RandomDataSummary:
    """`extras=False` leaves out timeline activities, tasks, meetings and roadmaps: half the
    rows, and all the list, board and report queries read (the bench's 100,000 step)."""
    from audits.models import Tool
    from calendar_sync.models import MeetingAttendee

    rng = random.Random(seed)  # noqa: S311 — reproducible fake data, not secrets
    owners = consultants()
    now = timezone.now()
    offset = Organisation.objects.count()
    grid = _MeetingGrid(owners, now, rng)
    tools = list(Tool.objects.order_by("pk").values_list("pk", flat=True))
    totals = {"contacts": 0, "engagements": 0, "stage_changes": 0, "activities": 0,
              "meetings": 0, "roadmaps": 0}  # fmt: skip
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
        contacts = Contact.objects.bulk_create(contacts)
        engagements = Engagement.objects.bulk_create(engagements)
        changes, activities, tasks, meetings, roadmaps = [], [], [], [], []
        for engagement, contact, (path, times) in zip(engagements, contacts, paths, strict=True):
            previous = ""
            for stage, when in zip(path, times, strict=True):
                changes.append(
                    StageChange(engagement=engagement, from_stage=previous, to_stage=stage,
                                changed_by=engagement.owner if previous else None, changed_at=when)
                )  # fmt: skip
                previous = stage
            if not extras:
                continue
            meeting = _meeting(engagement, path, times, grid, rng)
            if meeting is not None:
                meetings.append((meeting, contact))
            roadmap = _roadmap(engagement, path, times, tools, rng)
            if roadmap is not None:
                roadmaps.append(roadmap)
            previous = ""
            for stage, when in zip(path, times, strict=True):
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
        _save_meetings(meetings, MeetingAttendee)
        _save_roadmaps(roadmaps)
        totals["meetings"] += len(meetings)
        totals["roadmaps"] += len(roadmaps)
        totals["contacts"] += len(contacts)
        totals["engagements"] += len(engagements)
        totals["stage_changes"] += len(changes)
        totals["activities"] += len(activities)
    return RandomDataSummary(organisations=organisations, **totals)


def _save_meetings(meetings, attendee_model) -> None:
    from calendar_sync.models import Meeting

    saved = Meeting.objects.bulk_create([meeting for meeting, _contact in meetings])
    attendee_model.objects.bulk_create(
        attendee_model(meeting=meeting, contact=contact, name=contact.name, email=contact.email)
        for meeting, (_unsaved, contact) in zip(saved, meetings, strict=True)
    )


def _save_roadmaps(roadmaps) -> None:
    saved = Roadmap.objects.bulk_create([roadmap for roadmap, _items in roadmaps])
    items = []
    for roadmap, (_unsaved, steps) in zip(saved, roadmaps, strict=True):
        for step in steps:
            step.roadmap = roadmap
            items.append(step)
    RoadmapItem.objects.bulk_create(items)


@transaction.atomic
def clear() -> int:
    """Remove everything create() made."""
    organisation_ids = Engagement.objects.filter(source=RANDOM_SOURCE).values("organisation_id")
    deleted, _ = Organisation.objects.filter(pk__in=organisation_ids).delete()
    return deleted
