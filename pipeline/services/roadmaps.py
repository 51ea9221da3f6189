"""Transition roadmaps: draft from the answers, edit, publish, follow, complete (issue 7).

Each operation is one transaction with its permission check, its timeline entry and its outbox
messages. Changes the organisation should hear about (a step's state or month) are written as
`RoadmapUpdate` rows once the roadmap is published; a periodic task groups them into one
digest e-mail per contact and period (ROADMAP_DIGEST_MINUTES), never one e-mail per change.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Min, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pipeline import outbox, tokens
from pipeline.models import (
    Activity,
    ActivityKind,
    Contact,
    Effort,
    Engagement,
    NotificationKind,
    Roadmap,
    RoadmapComment,
    RoadmapItem,
    RoadmapItemStatus,
    RoadmapUpdate,
    RoadmapUpdateKind,
)
from pipeline.roadmap import links
from pipeline.services.base import actor_name, record_history_user, require, team_language
from pipeline.stages import Stage

COMMENT_MAX_LENGTH = 2000
AUTHOR_MAX_LENGTH = 120
COMMENTS_PER_HOUR = 30
DRAFTABLE_STAGES = (Stage.MEETING_HELD, Stage.ROADMAP_DRAFT)
PUBLISHABLE_STAGES = (Stage.ROADMAP_DRAFT, Stage.ROADMAP_SHARED, Stage.IN_TRANSITION)
FOLLOWED_STAGES = (Stage.ROADMAP_SHARED, Stage.IN_TRANSITION)
# What the organisation itself may set from its private page (skipping is decided together).
ORGANISATION_STATUSES = (
    RoadmapItemStatus.PLANNED,
    RoadmapItemStatus.IN_PROGRESS,
    RoadmapItemStatus.DONE,
)
EFFORTS = {"faible": Effort.LOW, "moyen": Effort.MEDIUM, "élevé": Effort.HIGH}
PACE_LABELS = {
    "tout_doucement": "tout doucement, outil par outil",
    "progressivement": "progressivement, sur l'année",
    "rapidement": "rapidement",
    "comprendre_dabord": "d'abord comprendre, puis avancer",
}
STANDARD_VIGILANCE = (
    "Vos partenaires restent parfois sur Teams ou Google : gardez un accès invité à leurs "
    "outils le temps de la transition, et proposez-leur vos nouveaux liens."
)
PERSONAL_DATA_VIGILANCE = (
    "Données personnelles : mettez à jour le registre RGPD et les contrats de sous-traitance "
    "avec chaque nouvel hébergeur."
)
DEFAULT_NEXT_STEPS = (
    "Relire cette feuille de route et nous dire ce qui doit changer.",
    "Désigner un·e référent·e et constituer le groupe pilote (5 à 10 % des personnes).",
    "Si vous souhaitez être accompagnés pour la suite, nous vous envoyons un devis.",
)


class RoadmapError(ValueError):
    """A roadmap operation that cannot be done now; the message says why, in French."""


# --- Reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    skipped: int
    in_progress: int

    @property
    def counted(self) -> int:
        return self.total - self.skipped

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.counted) if self.counted else 0

    @property
    def remaining(self) -> int:
        return self.total - self.done - self.skipped

    @property
    def all_closed(self) -> bool:
        return self.total > 0 and self.remaining == 0


def progress(items: Iterable[RoadmapItem]) -> Progress:
    """The share of steps done; skipped steps are left out of the count."""
    statuses = [item.status for item in items]
    return Progress(
        total=len(statuses),
        done=statuses.count(RoadmapItemStatus.DONE),
        skipped=statuses.count(RoadmapItemStatus.SKIPPED),
        in_progress=statuses.count(RoadmapItemStatus.IN_PROGRESS),
    )


def month_label(month: datetime.date | None) -> str:
    return date_format(month, "F Y") if month else ""


def add_months(month: datetime.date, count: int) -> datetime.date:
    year, index = divmod(month.month - 1 + count, 12)
    return datetime.date(month.year + year, index + 1, 1)


def exposure_now(engagement: Engagement, items: Iterable[RoadmapItem]) -> int | None:
    """The exposure score with every finished migration applied: the usage now runs on the
    target tool. None when the answers list no tools (nothing to recompute from)."""
    answers = engagement.answers if isinstance(engagement.answers, dict) else {}
    grid = answers.get("tools_by_usage")
    if not isinstance(grid, dict) or not grid:
        return None
    grid = {str(k): v for k, v in grid.items()}
    for item in items:
        if (
            item.status == RoadmapItemStatus.DONE
            and item.usage_id
            and item.current_tool_id
            and item.target_tool_id
            and item.current_tool_id != item.target_tool_id
        ):
            grid[item.usage.slug] = [item.target_tool.slug]
    from audits.services import diagnose

    return diagnose({**answers, "tools_by_usage": grid}).score


def _recompute(roadmap: Roadmap, *, content_changed: bool = True) -> None:
    """After any change the page shows: new score, new revision (PDF cache), update time."""
    items = list(
        roadmap.items.select_related("usage", "current_tool", "target_tool").order_by(
            "sort_order", "pk"
        )
    )
    values = {
        "revision": F("revision") + 1,
        "current_score": exposure_now(roadmap.engagement, items),
    }
    if content_changed and roadmap.is_published:
        values["content_updated_at"] = timezone.now()
    Roadmap.objects.filter(pk=roadmap.pk).update(**values)
    roadmap.refresh_from_db()


def _contacts(roadmap: Roadmap) -> list[Contact]:
    return list(
        Contact.objects.filter(organisation_id=roadmap.engagement.organisation_id, erased_at=None)
        .exclude(email="")
        .order_by("pk")
    )


def _activity(roadmap: Roadmap, summary: str, *, user=None, body: str = "", **data) -> Activity:
    return Activity.objects.create(
        engagement=roadmap.engagement,
        kind=ActivityKind.ROADMAP,
        actor=user,
        summary=outbox.single_line(summary, 300),
        body=body,
        data={"roadmap_id": roadmap.pk, **data},
    )


# --- Drafting -----------------------------------------------------------------------------------


@transaction.atomic
def generate_draft(
    engagement: Engagement,
    *,
    user: AbstractBaseUser | None,
    start: datetime.date | None = None,
    replace: bool = False,
) -> Roadmap:
    """Draft the roadmap from the engagement's answers and the catalogue; the engagement moves
    to "roadmap_draft". `replace` drafts again an unpublished roadmap (answers corrected)."""
    require(user, "pipeline.add_roadmap", engagement)
    engagement = (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=engagement.pk)
    )
    if engagement.stage not in DRAFTABLE_STAGES:
        if engagement.stage in (Stage.NEW, Stage.QUALIFIED, Stage.MEETING_SCHEDULED):
            raise RoadmapError(
                _(
                    "La feuille de route se prépare après le rendez-vous : marquez d'abord le "
                    "rendez-vous comme tenu."
                )
            )
        raise RoadmapError(
            _("Impossible de préparer une feuille de route à l'étape « %(stage)s ».")
            % {"stage": Stage(engagement.stage).label}
        )
    existing = Roadmap.objects.filter(engagement=engagement).first()
    if existing is not None:
        if existing.is_published:
            raise RoadmapError(
                _("Cette feuille de route est déjà publiée : modifiez-la plutôt que d'en repartir.")
            )
        if not replace:
            raise RoadmapError(_("Cet accompagnement a déjà une feuille de route."))
    roadmap = build_roadmap(engagement, start=start or timezone.localdate(), existing=existing)
    record_history_user(roadmap, user)
    if engagement.stage == Stage.MEETING_HELD:
        from pipeline.services.stages import move_stage

        move_stage(
            engagement, Stage.ROADMAP_DRAFT, user=user, note=_("Brouillon de feuille de route")
        )
    _activity(
        roadmap,
        ngettext(
            "Brouillon de feuille de route : %(count)s étape",
            "Brouillon de feuille de route : %(count)s étapes",
            roadmap.items.count(),
        )
        % {"count": roadmap.items.count()},
        user=user,
    )
    return roadmap


def build_roadmap(
    engagement: Engagement, *, start: datetime.date, existing: Roadmap | None = None
) -> Roadmap:
    """Write the draft of `pipeline.roadmap_drafting` as a roadmap and its items (no checks:
    callers are `generate_draft` and the demo)."""
    from audits.models import Host, Tool, Usage
    from pipeline.roadmap_drafting import STATE_HOSTING, Catalogue, Profile, draft_roadmap

    answers = engagement.answers if isinstance(engagement.answers, dict) else {}
    start = start.replace(day=1)
    draft = draft_roadmap(answers, Catalogue.from_database(), start=start)
    profile = Profile.from_answers(answers)

    usages = {u.slug: u for u in Usage.objects.all()}
    slugs = {s for i in draft.items for s in (i.current_tool, i.target_tool) if s}
    tools = {t.slug: t for t in Tool.objects.filter(slug__in=slugs)}
    hosts = {h.slug: h for h in Host.objects.filter(slug__in={i.hosting for i in draft.items})}

    roadmap = existing or Roadmap(engagement=engagement)
    roadmap.start_date = start
    roadmap.pace = draft.pace
    roadmap.summary = draft_summary(draft, profile)
    vigilance = [*draft.warnings]
    if "donnees_personnelles" in (answers.get("data_sensitivity") or []):
        vigilance.append(PERSONAL_DATA_VIGILANCE)
    vigilance.append(STANDARD_VIGILANCE)
    roadmap.vigilance = "\n".join(vigilance)
    roadmap.next_steps = "\n".join(DEFAULT_NEXT_STEPS)
    roadmap.save()
    if existing is not None:
        existing.items.all().delete()

    now = timezone.now()
    RoadmapItem.objects.bulk_create(
        RoadmapItem(
            roadmap=roadmap,
            sort_order=index,
            title=outbox.single_line(item.title, 200),
            usage=usages.get(item.usage),
            current_tool=tools.get(item.current_tool),
            target_tool=tools.get(item.target_tool),
            host=hosts.get(item.hosting),
            state_instance=item.hosting == STATE_HOSTING,
            phase=item.phase,
            target_month=add_months(start, item.target_month),
            effort=EFFORTS.get(item.effort, Effort.MEDIUM),
            change_actions="\n".join(item.change_actions),
            next_step=outbox.single_line(item.next_step, 300),
            status=RoadmapItemStatus.DONE if item.already_done else RoadmapItemStatus.PLANNED,
            status_changed_at=now if item.already_done else None,
            note=item.note,
        )
        for index, item in enumerate(draft.items)
    )
    # bulk_create skips simple-history's signal: one "created" row per item, written here.
    RoadmapItem.history.bulk_history_create(list(roadmap.items.all()), default_date=now)
    _recompute(roadmap, content_changed=False)
    return roadmap


def draft_summary(draft, profile) -> str:
    """The opening words of the roadmap, written from the draft."""
    to_do = [i for i in draft.items if not i.already_done]
    kept = [i for i in draft.items if i.already_done]
    pace = PACE_LABELS.get(draft.pace, PACE_LABELS["progressivement"])
    parts = [
        ngettext(
            "Nous vous proposons %(count)s étape sur %(months)s mois, au rythme que vous avez "
            "choisi : %(pace)s.",
            "Nous vous proposons %(count)s étapes sur %(months)s mois, au rythme que vous avez "
            "choisi : %(pace)s.",
            len(to_do),
        )
        % {"count": len(to_do), "months": max(draft.duration_months, 1), "pace": pace}
    ]
    parts.append(
        _(
            "On commence par ce qui se fait vite et sans risque, pour que chacun voie les "
            "bénéfices ; la messagerie et l'agenda viennent en dernier, quand l'équipe est prête."
        )
    )
    if profile.is_public:
        parts.append(
            _(
                "En tant que structure publique, vous avez accès aux services de l'État : nous "
                "les privilégions partout où vous y avez droit."
            )
        )
    if kept:
        parts.append(
            ngettext(
                "Bonne nouvelle : %(count)s de vos usages repose déjà sur un outil hors de "
                "portée du Cloud Act.",
                "Bonne nouvelle : %(count)s de vos usages reposent déjà sur des outils hors de "
                "portée du Cloud Act.",
                len(kept),
            )
            % {"count": len(kept)}
        )
    return " ".join(parts)


# --- Editing ------------------------------------------------------------------------------------


def _snapshot(roadmap: Roadmap) -> dict[int, tuple[str, datetime.date, str]]:
    return {
        pk: (status, month, title)
        for pk, status, month, title in RoadmapItem.objects.filter(roadmap=roadmap).values_list(
            "pk", "status", "target_month", "title"
        )
    }


def _record_changes(
    roadmap: Roadmap,
    before: dict[int, tuple[str, datetime.date, str]],
    *,
    by_organisation: bool = False,
    user=None,
) -> list[RoadmapUpdate]:
    """Compare the items with `before`; stamp status changes; write the news once published."""
    now = timezone.now()
    after = _snapshot(roadmap)
    updates: list[RoadmapUpdate] = []
    status_changed: list[int] = []
    for pk, (status, month, title) in after.items():
        if pk not in before:
            if status != RoadmapItemStatus.PLANNED:
                status_changed.append(pk)
            updates.append(
                RoadmapUpdate(
                    roadmap=roadmap,
                    item_id=pk,
                    kind=RoadmapUpdateKind.ADDED,
                    item_title=title,
                    new_value=month_label(month),
                )
            )
            continue
        old_status, old_month, _old_title = before[pk]
        if old_status != status:
            status_changed.append(pk)
            updates.append(
                RoadmapUpdate(
                    roadmap=roadmap,
                    item_id=pk,
                    kind=RoadmapUpdateKind.STATUS,
                    item_title=title,
                    old_value=old_status,
                    new_value=status,
                )
            )
        if old_month != month:
            updates.append(
                RoadmapUpdate(
                    roadmap=roadmap,
                    item_id=pk,
                    kind=RoadmapUpdateKind.DATE,
                    item_title=title,
                    old_value=month_label(old_month),
                    new_value=month_label(month),
                )
            )
    for pk, (_status, _month, title) in before.items():
        if pk not in after:
            updates.append(
                RoadmapUpdate(
                    roadmap=roadmap, item_id=None, kind=RoadmapUpdateKind.REMOVED, item_title=title
                )
            )
    if status_changed:
        RoadmapItem.objects.filter(pk__in=status_changed).update(status_changed_at=now)
    for update in updates:
        update.by_organisation = by_organisation
        update.created_at = now
    if roadmap.is_published and updates:
        RoadmapUpdate.objects.bulk_create(updates)
    if updates:
        _recompute(roadmap)
        _start_transition(roadmap, status_changed, user=user)
    return updates


def _start_transition(roadmap: Roadmap, changed: list[int], *, user) -> None:
    """The first step started after publication moves a shared roadmap's engagement on to
    "in_transition"."""
    engagement = roadmap.engagement
    if engagement.stage != Stage.ROADMAP_SHARED or not changed:
        return
    started = RoadmapItem.objects.filter(
        pk__in=changed,
        status__in=[RoadmapItemStatus.IN_PROGRESS, RoadmapItemStatus.DONE],
    ).exists()
    if started:
        from pipeline.services.stages import move_stage

        move_stage(engagement, Stage.IN_TRANSITION, user=None, note=_("Première étape engagée"))
        engagement.refresh_from_db()


def describe(update: RoadmapUpdate) -> str:
    """One line of news, as the digest e-mail and the page show it."""
    labels = dict(RoadmapItemStatus.choices)
    if update.kind == RoadmapUpdateKind.STATUS:
        return _("« %(title)s » : %(old)s → %(new)s") % {
            "title": update.item_title,
            "old": labels.get(update.old_value, update.old_value),
            "new": labels.get(update.new_value, update.new_value),
        }
    if update.kind == RoadmapUpdateKind.DATE:
        return _("« %(title)s » : échéance déplacée de %(old)s à %(new)s") % {
            "title": update.item_title,
            "old": update.old_value or "—",
            "new": update.new_value or "—",
        }
    if update.kind == RoadmapUpdateKind.ADDED:
        return _("Nouvelle étape : « %(title)s » (%(month)s)") % {
            "title": update.item_title,
            "month": update.new_value or "—",
        }
    return _("Étape retirée : « %(title)s »") % {"title": update.item_title}


@transaction.atomic
def save_roadmap_form(form, *, user: AbstractBaseUser | None) -> Roadmap:
    """Save the consultant's edits (the admin form with its inline items) and record what the
    organisation will hear about."""
    roadmap = form.instance
    require(user, "pipeline.change_roadmap", roadmap.engagement)
    Roadmap.objects.select_for_update(of=("self",)).filter(pk=roadmap.pk).first()
    before = _snapshot(roadmap)
    roadmap = form.save()
    updates = _record_changes(roadmap, before, user=user)
    if not updates:
        _recompute(roadmap, content_changed=roadmap.is_published)
    _activity(
        roadmap,
        _("Feuille de route modifiée")
        + (
            " — "
            + ngettext("%(count)s changement", "%(count)s changements", len(updates))
            % {"count": len(updates)}
            if updates
            else ""
        ),
        user=user,
        body="\n".join(describe(u) for u in updates),
    )
    return roadmap


@transaction.atomic
def set_item_status(
    item: RoadmapItem, status: RoadmapItemStatus | str, *, user: AbstractBaseUser | None
) -> RoadmapItem:
    """The consultant changes one step's state (panel of the engagement page)."""
    roadmap = item.roadmap
    require(user, "pipeline.change_roadmap", roadmap.engagement)
    status = RoadmapItemStatus(status)
    item = RoadmapItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    if item.status == status:
        return item
    before = _snapshot(roadmap)
    item.status = status
    record_history_user(item, user)
    item.save()
    updates = _record_changes(roadmap, before, user=user)
    _activity(roadmap, describe(updates[0]) if updates else item.title, user=user, item=item.pk)
    item.refresh_from_db()
    return item


# --- Publishing and links ----------------------------------------------------------------------


@dataclass(frozen=True)
class SendResult:
    roadmap: Roadmap
    sent: int


@transaction.atomic
def publish(roadmap: Roadmap, *, user: AbstractBaseUser | None, note: str = "") -> SendResult:
    """Publish a new version: the engagement moves to "roadmap_shared" and every contact gets
    an e-mail with their private link."""
    require(user, "pipeline.change_roadmap", roadmap.engagement)
    roadmap = (
        Roadmap.objects.select_for_update(of=("self",))
        .select_related("engagement__organisation")
        .get(pk=roadmap.pk)
    )
    engagement = roadmap.engagement
    if engagement.stage not in PUBLISHABLE_STAGES:
        raise RoadmapError(
            _("Impossible de publier la feuille de route à l'étape « %(stage)s ».")
            % {"stage": Stage(engagement.stage).label}
        )
    if not roadmap.items.exists():
        raise RoadmapError(_("Ajoutez au moins une étape avant de publier."))
    contacts = _contacts(roadmap)
    if not contacts:
        raise RoadmapError(
            _("Aucun contact à qui envoyer le lien : ajoutez d'abord un contact à l'organisation.")
        )
    now = timezone.now()
    first = not roadmap.is_published
    roadmap.version += 1
    roadmap.published_at = now
    roadmap.first_published_at = roadmap.first_published_at or now
    roadmap.content_updated_at = now
    roadmap.last_emailed_at = now
    record_history_user(roadmap, user)
    roadmap._change_reason = f"version {roadmap.version}"
    roadmap.save()
    # The publication e-mail carries the whole roadmap: pending news goes with it.
    RoadmapUpdate.objects.filter(roadmap=roadmap, digested_at=None).update(digested_at=now)
    if engagement.stage == Stage.ROADMAP_DRAFT:
        from pipeline.services.stages import move_stage

        move_stage(
            engagement,
            Stage.ROADMAP_SHARED,
            user=user,
            note=note or _("Feuille de route publiée (version %(v)s)") % {"v": roadmap.version},
        )
    activity = _activity(
        roadmap,
        ngettext(
            "Feuille de route publiée (version %(version)s), envoyée à %(count)s contact",
            "Feuille de route publiée (version %(version)s), envoyée à %(count)s contacts",
            len(contacts),
        )
        % {"version": roadmap.version, "count": len(contacts)},
        user=user,
        body=note,
        version=roadmap.version,
    )
    items = list(roadmap.items.all())
    for contact in contacts:
        outbox.queue_email(
            kind=NotificationKind.ROADMAP_SHARED,
            to=[contact.email],
            reply_to=_reply_to(engagement),
            template="roadmap_shared",
            context={
                "contact": contact,
                "organisation": engagement.organisation,
                "roadmap": roadmap,
                "first": first,
                "url": links.page_url(roadmap, language=contact.language),
                "consultant": _consultant(engagement),
                "progress": progress(items),
                "steps": len(items),
            },
            language=contact.language,
            idempotency_key=f"roadmap-published:{roadmap.pk}:v{roadmap.version}:{contact.pk}",
            engagement=engagement,
        )
    Activity.objects.filter(pk=activity.pk).update(data={**activity.data, "sent": len(contacts)})
    _recompute(roadmap)
    return SendResult(roadmap, len(contacts))


def _consultant(engagement: Engagement) -> dict[str, str]:
    owner = engagement.owner
    if owner is None:
        return {"name": _("L'équipe Passerelle"), "email": settings.DEFAULT_FROM_EMAIL}
    return {"name": actor_name(owner), "email": owner.email}


def _reply_to(engagement: Engagement) -> list[str]:
    owner = engagement.owner
    return [owner.email] if owner is not None and owner.email else []


@transaction.atomic
def regenerate_link(roadmap: Roadmap, *, user: AbstractBaseUser | None) -> SendResult:
    """Every earlier link stops working at once; the contacts get the new one by e-mail."""
    require(user, "pipeline.change_roadmap", roadmap.engagement)
    roadmap = (
        Roadmap.objects.select_for_update(of=("self",))
        .select_related("engagement__organisation")
        .get(pk=roadmap.pk)
    )
    if not roadmap.is_published:
        raise RoadmapError(
            _("La feuille de route n'est pas encore publiée : aucun lien à refaire.")
        )
    revoked = tokens.revoke_all(links.ROADMAP, roadmap)
    contacts = _contacts(roadmap)
    activity = _activity(
        roadmap,
        ngettext(
            "Lien de la feuille de route refait : ancien lien désactivé, nouveau lien envoyé à "
            "%(count)s contact",
            "Lien de la feuille de route refait : anciens liens désactivés, nouveau lien envoyé "
            "à %(count)s contacts",
            len(contacts),
        )
        % {"count": len(contacts)},
        user=user,
        revoked=revoked,
    )
    for contact in contacts:
        _send_link(roadmap, contact, key=f"roadmap-relink:{activity.pk}:{contact.pk}", renewed=True)
    return SendResult(roadmap, len(contacts))


def _send_link(roadmap: Roadmap, contact: Contact, *, key: str, renewed: bool = False):
    engagement = roadmap.engagement
    return outbox.queue_email(
        kind=NotificationKind.ROADMAP_SHARED,
        to=[contact.email],
        reply_to=_reply_to(engagement),
        template="roadmap_link",
        context={
            "contact": contact,
            "organisation": engagement.organisation,
            "roadmap": roadmap,
            "url": links.page_url(roadmap, language=contact.language),
            "renewed": renewed,
            "consultant": _consultant(engagement),
        },
        language=contact.language,
        idempotency_key=key,
        engagement=engagement,
    )


def resend_links(email: str) -> int:
    """ "Send me my link again": a fresh link to a known contact of an organisation with a
    published roadmap. Says nothing about whether the address is known, and sends at most one
    message per contact and hour."""
    address = (email or "").strip()
    try:
        if not outbox.clean_addresses([address]):
            return 0
    except outbox.InvalidRecipient:
        return 0
    hour = timezone.now().strftime("%Y%m%d%H")
    sent = 0
    contacts = Contact.objects.filter(email__iexact=address, erased_at=None)[:5]
    for contact in contacts:
        roadmap = (
            Roadmap.objects.filter(
                engagement__organisation_id=contact.organisation_id, version__gt=0
            )
            .exclude(engagement__stage=Stage.LOST)
            .select_related("engagement__organisation", "engagement__owner")
            .order_by("-published_at")
            .first()
        )
        if roadmap is None:
            continue
        with transaction.atomic():
            _send_link(roadmap, contact, key=f"roadmap-link:{contact.pk}:{hour}")
            _activity(roadmap, _("Nouveau lien de la feuille de route demandé et envoyé"))
        sent += 1
    return sent


# --- What the organisation does on its page -----------------------------------------------------


def _consultant_alert(roadmap: Roadmap, *, key: str, summary: str, body: str = "") -> None:
    owner = roadmap.engagement.owner
    if owner is None or not owner.email or not owner.is_active:
        return
    outbox.queue_email(
        kind=NotificationKind.CONSULTANT_ALERT,
        to=[owner.email],
        template="roadmap_organisation_activity",
        context={
            "roadmap": roadmap,
            "engagement": roadmap.engagement,
            "organisation": roadmap.engagement.organisation,
            "summary": summary,
            "body": body,
        },
        idempotency_key=key,
        engagement=roadmap.engagement,
    )


def clean_author(value: str) -> str:
    return outbox.single_line(value or "", AUTHOR_MAX_LENGTH)


def locked_with_people(roadmap_id: int) -> QuerySet[Roadmap]:
    """The roadmap, locked until the end of the transaction, with its organisation and its
    consultant. Only the roadmap row is locked: PostgreSQL refuses FOR UPDATE on the nullable
    side of an outer join (an engagement may have no consultant)."""
    return (
        Roadmap.objects.select_for_update(of=("self",))
        .select_related("engagement__organisation", "engagement__owner")
        .filter(pk=roadmap_id)
    )


def _check_followed(roadmap: Roadmap) -> None:
    if not roadmap.is_published:
        raise RoadmapError(_("Cette feuille de route n'est pas encore publiée."))
    if roadmap.engagement.stage == Stage.LOST:
        raise RoadmapError(_("Cet accompagnement est clos : la feuille de route ne change plus."))


@transaction.atomic
def organisation_set_status(
    roadmap: Roadmap,
    item: RoadmapItem,
    status: RoadmapItemStatus | str,
    *,
    author_name: str = "",
) -> RoadmapItem:
    """From the private page: a step is started, done, or not done after all. The consultant is
    told (at most one e-mail per step, state and hour)."""
    roadmap = locked_with_people(roadmap.pk).get()
    _check_followed(roadmap)
    if item.roadmap_id != roadmap.pk:
        raise RoadmapError(_("Cette étape n'appartient pas à cette feuille de route."))
    try:
        status = RoadmapItemStatus(status)
    except ValueError as exc:
        raise RoadmapError(_("Cet état n'existe pas.")) from exc
    if status not in ORGANISATION_STATUSES:
        raise RoadmapError(_("Écarter une étape se décide avec votre consultant·e."))
    item = RoadmapItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    if item.status == status:
        return item
    with team_language():
        before = _snapshot(roadmap)
        previous = item.get_status_display()
        item.status = status
        item._change_reason = _("depuis la page de l'organisation")
        item.save()
        _record_changes(roadmap, before, by_organisation=True)
        author = clean_author(author_name)
        summary = _("%(who)s : « %(title)s » %(old)s → %(new)s") % {
            "who": author or _("L'organisation"),
            "title": item.title,
            "old": previous,
            "new": RoadmapItemStatus(status).label,
        }
        _activity(roadmap, summary, item=item.pk, by_organisation=True)
        hour = timezone.now().strftime("%Y%m%d%H")
        _consultant_alert(
            roadmap, key=f"roadmap-org-status:{item.pk}:{status}:{hour}", summary=summary
        )
    item.refresh_from_db()
    return item


@transaction.atomic
def organisation_comment(
    roadmap: Roadmap, item: RoadmapItem, body: str, *, author_name: str = ""
) -> RoadmapComment:
    """A question or remark on a step, from the private page; the consultant is told."""
    roadmap = locked_with_people(roadmap.pk).get()
    _check_followed(roadmap)
    if item.roadmap_id != roadmap.pk:
        raise RoadmapError(_("Cette étape n'appartient pas à cette feuille de route."))
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise RoadmapError(_("Le commentaire est vide."))
    if len(text) > COMMENT_MAX_LENGTH:
        raise RoadmapError(
            _("Le commentaire est trop long (%(max)s caractères au plus).")
            % {"max": COMMENT_MAX_LENGTH}
        )
    recent = RoadmapComment.objects.filter(
        item__roadmap=roadmap, created_at__gte=timezone.now() - datetime.timedelta(hours=1)
    ).count()
    if recent >= COMMENTS_PER_HOUR:
        raise RoadmapError(
            _("Beaucoup de commentaires en peu de temps : réessayez dans une heure.")
        )
    author = clean_author(author_name)
    comment = RoadmapComment.objects.create(item=item, author_name=author, body=text)
    with team_language():
        summary = _("%(who)s a commenté « %(title)s »") % {
            "who": author or _("L'organisation"),
            "title": item.title,
        }
        _activity(roadmap, summary, body=text, item=item.pk, comment=comment.pk)
        Roadmap.objects.filter(pk=roadmap.pk).update(revision=F("revision") + 1)
        _consultant_alert(roadmap, key=f"roadmap-comment:{comment.pk}", summary=summary, body=text)
    return comment


@transaction.atomic
def opt_out(contact: Contact) -> int:
    """Stop the digest e-mails for this person, on every roadmap of their organisation."""
    roadmaps = list(Roadmap.objects.filter(engagement__organisation_id=contact.organisation_id))
    for roadmap in roadmaps:
        if not roadmap.digest_unsubscribed.filter(pk=contact.pk).exists():
            roadmap.digest_unsubscribed.add(contact)
            _activity(
                roadmap,
                _("Un contact ne souhaite plus recevoir les nouvelles de la feuille de route"),
                contact=contact.pk,
            )
    return len(roadmaps)


# --- Digests ------------------------------------------------------------------------------------


def coalesce(updates: list[RoadmapUpdate]) -> list[RoadmapUpdate]:
    """Several changes of the same step and kind become one (first old value → last new);
    a change undone within the period disappears."""
    merged: dict[tuple, RoadmapUpdate] = {}
    order: list[tuple] = []
    for update in updates:
        key = (
            (update.item_id, update.kind)
            if update.item_id and update.kind in (RoadmapUpdateKind.STATUS, RoadmapUpdateKind.DATE)
            else ("single", update.pk)
        )
        if key in merged:
            merged[key] = RoadmapUpdate(
                roadmap_id=update.roadmap_id,
                item_id=update.item_id,
                kind=update.kind,
                item_title=update.item_title,
                old_value=merged[key].old_value,
                new_value=update.new_value,
                created_at=update.created_at,
            )
        else:
            merged[key] = update
            order.append(key)
    return [
        merged[key]
        for key in order
        if merged[key].kind not in (RoadmapUpdateKind.STATUS, RoadmapUpdateKind.DATE)
        or merged[key].old_value != merged[key].new_value
    ]


def send_due_digests(now: datetime.datetime | None = None) -> int:
    """The periodic task: for each roadmap whose oldest unsent news is older than the period,
    one e-mail per contact lists everything since the last one. Safe to run twice."""
    now = now or timezone.now()
    period = datetime.timedelta(minutes=settings.ROADMAP_DIGEST_MINUTES)
    due = (
        RoadmapUpdate.objects.filter(digested_at=None)
        .values("roadmap_id")
        .annotate(oldest=Min("created_at"))
        .filter(oldest__lte=now - period)
        .values_list("roadmap_id", flat=True)
    )
    sent = 0
    for roadmap_id in list(due):
        sent += _send_digest(roadmap_id, now)
    return sent


@transaction.atomic
def _send_digest(roadmap_id: int, now: datetime.datetime) -> int:
    roadmap = locked_with_people(roadmap_id).first()
    if roadmap is None:
        return 0
    # Claimed by a conditional update: a second worker finds nothing left to send.
    pending = list(
        RoadmapUpdate.objects.filter(roadmap=roadmap, digested_at=None, created_at__lte=now)
    )
    if not pending:
        return 0
    claimed = RoadmapUpdate.objects.filter(pk__in=[u.pk for u in pending], digested_at=None).update(
        digested_at=now
    )
    if claimed != len(pending):
        transaction.set_rollback(True)
        return 0
    engagement = roadmap.engagement
    news = coalesce(pending)
    if (
        not news
        or not roadmap.digest_enabled
        or engagement.stage
        not in (
            *FOLLOWED_STAGES,
            Stage.COMPLETED,
            Stage.ROADMAP_DRAFT,
        )
    ):
        return 0
    muted = set(roadmap.digest_unsubscribed.values_list("pk", flat=True))
    contacts = [c for c in _contacts(roadmap) if c.pk not in muted]
    items = list(roadmap.items.all())
    last = max(u.pk for u in pending)
    first_notification = None
    for contact in contacts:
        try:
            notification = outbox.queue_email(
                kind=NotificationKind.ROADMAP_DIGEST,
                to=[contact.email],
                reply_to=_reply_to(engagement),
                template="roadmap_digest",
                context={
                    "contact": contact,
                    "organisation": engagement.organisation,
                    "roadmap": roadmap,
                    "lines": [describe(u) for u in news],
                    "count": len(news),
                    "progress": progress(items),
                    "url": links.page_url(roadmap, language=contact.language),
                    "opt_out_url": links.opt_out_url(contact),
                    "consultant": _consultant(engagement),
                },
                language=contact.language,
                idempotency_key=f"roadmap-digest:{roadmap.pk}:{last}:{contact.pk}",
                engagement=engagement,
            )
        except outbox.InvalidRecipient:
            continue
        first_notification = first_notification or notification
    if first_notification is None:
        return 0
    RoadmapUpdate.objects.filter(pk__in=[u.pk for u in pending]).update(
        notification=first_notification
    )
    Roadmap.objects.filter(pk=roadmap.pk).update(last_emailed_at=now)
    _activity(
        roadmap,
        ngettext(
            "Nouvelles de la feuille de route envoyées à %(count)s contact (%(lines)s changements)",
            "Nouvelles de la feuille de route envoyées à %(count)s contacts "
            "(%(lines)s changements)",
            len(contacts),
        )
        % {"count": len(contacts), "lines": len(news)},
        body="\n".join(describe(u) for u in news),
    )
    return len(contacts)


# --- Completion ---------------------------------------------------------------------------------


@transaction.atomic
def complete(roadmap: Roadmap, *, user: AbstractBaseUser | None, note: str = "") -> Engagement:
    """Every step is done or skipped: the engagement is completed."""
    require(user, "pipeline.change_roadmap", roadmap.engagement)
    roadmap = (
        Roadmap.objects.select_for_update(of=("self",))
        .select_related("engagement")
        .get(pk=roadmap.pk)
    )
    state = progress(roadmap.items.all())
    if not state.all_closed:
        raise RoadmapError(
            ngettext(
                "Il reste %(count)s étape à faire ou à écarter avant de terminer.",
                "Il reste %(count)s étapes à faire ou à écarter avant de terminer.",
                state.remaining,
            )
            % {"count": state.remaining}
        )
    engagement = roadmap.engagement
    if engagement.stage not in FOLLOWED_STAGES:
        raise RoadmapError(
            _("Impossible de terminer un accompagnement à l'étape « %(stage)s ».")
            % {"stage": Stage(engagement.stage).label}
        )
    from pipeline.services.stages import move_stage

    if engagement.stage == Stage.ROADMAP_SHARED:
        move_stage(engagement, Stage.IN_TRANSITION, user=user)
    move_stage(
        engagement,
        Stage.COMPLETED,
        user=user,
        note=note
        or _("Feuille de route terminée : %(done)s étapes faites, %(skipped)s écartées")
        % {"done": state.done, "skipped": state.skipped},
    )
    engagement.refresh_from_db()
    return engagement
