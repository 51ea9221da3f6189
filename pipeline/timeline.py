"""The engagement's timeline: activities mixed with field history ("field: old → new, by whom,
when") from django-simple-history, for the engagement, its organisation, contacts and tasks.

A fixed number of queries: one per source, whatever the length of the history.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext as _

from pipeline.models import ActivityKind, Contact, Engagement, Organisation, Task

MAX_ENTRIES = 200
# Covered by the stage-change activity, or pure bookkeeping.
HIDDEN_FIELDS = {
    Engagement: {"stage", "stage_changed_at", "lost_from_stage", "lost_reason", "updated_at"},
    Organisation: {"updated_at", "time_zone"},
    # A refused address gets its own alert entry (services.deliverability).
    Contact: {
        "updated_at",
        "consent_contact_at",
        "consent_newsletter_at",
        "bounced_email",
        "bounced_at",
        "bounce_reason",
    },
    Task: {"updated_at", "done", "done_at"},
}
SUMMARISED_FIELDS = {"answers", "score_details"}

ICONS = {
    ActivityKind.SUBMISSION: "form",
    ActivityKind.STAGE_CHANGE: "arrow-right",
    ActivityKind.ASSIGNMENT: "user",
    ActivityKind.EMAIL: "mail",
    ActivityKind.MEETING: "date",
    ActivityKind.NOTE: "edit",
    ActivityKind.TASK: "tasks",
    ActivityKind.ROADMAP: "list-ol",
    ActivityKind.MERGE: "link",
    ActivityKind.IMPORT: "upload",
    ActivityKind.PRIVACY: "lock",
    ActivityKind.ALERT: "warning",
}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class TimelineEntry:
    when: datetime.datetime
    kind: str
    kind_label: str
    icon: str
    title: str
    actor: str = ""
    body: str = ""
    changes: list[Change] = field(default_factory=list)
    is_history: bool = False
    sort_key: tuple = ()
    # E-mails written from the engagement page: each recipient with its live outbox state.
    deliveries: list[dict[str, Any]] = field(default_factory=list)


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


class _Formatter:
    def __init__(self, users: dict[int, Any], organisations: dict[int, str]):
        self.users = users
        self.organisations = organisations

    def value(self, model, field_name: str, value: Any) -> str:
        if value in (None, ""):
            return "—"
        try:
            model_field = model._meta.get_field(field_name)
        except Exception:
            return str(value)
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(model_field, models.ForeignKey):
            target = model_field.related_model
            if target is Organisation:
                return self.organisations.get(value, f"#{value}")
            if target is get_user_model():
                return _name(self.users.get(value)) or f"#{value}"
            return f"#{value}"
        if isinstance(value, bool):
            return _("oui") if value else _("non")
        if isinstance(value, datetime.datetime):
            return value.strftime("%d/%m/%Y %H:%M")
        if isinstance(value, datetime.date):
            return value.strftime("%d/%m/%Y")
        return str(value)


def _fk_attnames(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def _diff(model, record, previous, formatter: _Formatter) -> list[Change]:
    changes = []
    hidden = HIDDEN_FIELDS.get(model, set())
    for model_field in model._meta.concrete_fields:
        name = model_field.name
        if model_field.primary_key or name in hidden or name == "created_at":
            continue
        attname = model_field.attname
        if not hasattr(record, attname):
            continue  # excluded from history
        old, new = getattr(previous, attname), getattr(record, attname)
        if old == new:
            continue
        label = str(model_field.verbose_name)
        label = label[:1].upper() + label[1:]
        if name in SUMMARISED_FIELDS:
            changes.append(Change(label, "", _("mis à jour")))
            continue
        changes.append(
            Change(
                label,
                formatter.value(model, name, old),
                formatter.value(model, name, new),
            )
        )
    return changes


def build_timeline(engagement: Engagement, *, limit: int = MAX_ENTRIES) -> list[TimelineEntry]:
    from pipeline.services.emails import delivery_rows

    entries: list[TimelineEntry] = []
    activities = list(engagement.activities.select_related("actor")[:limit])
    email_ids = {
        a.data["email_id"]
        for a in activities
        if a.kind == ActivityKind.EMAIL and isinstance(a.data, dict) and "email_id" in a.data
    }
    deliveries = delivery_rows(email_ids) if email_ids else {}
    for activity in activities:
        entries.append(
            TimelineEntry(
                when=activity.occurred_at,
                kind=activity.kind,
                kind_label=activity.get_kind_display(),
                icon=ICONS.get(activity.kind, "info-circle"),
                title=activity.summary,
                actor=_name(activity.actor),
                body=activity.body if activity.body != activity.summary else "",
                sort_key=(activity.occurred_at, 1, activity.pk),
                deliveries=deliveries.get((activity.data or {}).get("email_id"), [])
                if activity.kind == ActivityKind.EMAIL
                else [],
            )
        )

    sources = [
        (Engagement, Engagement.history.filter(id=engagement.pk)),
        (Organisation, Organisation.history.filter(id=engagement.organisation_id)),
        (Contact, Contact.history.filter(organisation_id=engagement.organisation_id)),
        (Task, Task.history.filter(engagement_id=engagement.pk)),
    ]
    records_by_model = {
        model: list(
            queryset.select_related("history_user").order_by("history_date", "history_id")[
                : limit * 2
            ]
        )
        for model, queryset in sources
    }
    user_ids, organisation_ids = set(), set()
    for model, records in records_by_model.items():
        for attname in _fk_attnames(model):
            for record in records:
                value = getattr(record, attname, None)
                if value is None:
                    continue
                target = model._meta.get_field(attname.removesuffix("_id")).related_model
                if target is Organisation:
                    organisation_ids.add(value)
                elif target is get_user_model():
                    user_ids.add(value)
    formatter = _Formatter(
        get_user_model().objects.in_bulk(user_ids) if user_ids else {},
        dict(Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "name"))
        if organisation_ids
        else {},
    )

    for model, records in records_by_model.items():
        previous_by_object: dict[int, Any] = {}
        for record in records:
            object_id = record.id
            previous = previous_by_object.get(object_id)
            previous_by_object[object_id] = record
            entry = _history_entry(model, record, previous, formatter)
            if entry is not None:
                entries.append(entry)

    entries.sort(key=lambda e: e.sort_key, reverse=True)
    return entries[:limit]


def _history_entry(model, record, previous, formatter) -> TimelineEntry | None:
    actor = _name(record.history_user)
    base = {
        "when": record.history_date,
        "kind": "history",
        "kind_label": _("Historique"),
        "icon": "history",
        "actor": actor,
        "is_history": True,
        "sort_key": (record.history_date, 0, record.history_id),
    }
    if record.history_type == "+":
        titles = {
            Organisation: _("Organisation créée : %(name)s"),
            Contact: _("Contact ajouté : %(name)s"),
            Engagement: _("Accompagnement créé"),
        }
        if model not in titles:
            return None  # tasks: the task activity says it
        return TimelineEntry(
            title=titles[model] % {"name": getattr(record, "name", "")},
            body=record.history_change_reason or "",
            **base,
        )
    if record.history_type == "-":
        name = getattr(record, "name", None) or getattr(record, "title", "")
        return TimelineEntry(
            title=_("%(model)s supprimé·e : %(name)s")
            % {"model": str(model._meta.verbose_name).capitalize(), "name": name},
            body=record.history_change_reason or "",
            **base,
        )
    if previous is None:
        return None
    changes = _diff(model, record, previous, formatter)
    if not changes:
        return None
    if model is Contact:
        subject = _("Contact modifié : %(name)s") % {"name": record.name}
    elif model is Task:
        subject = _("Tâche modifiée : %(name)s") % {"name": record.title}
    elif model is Organisation:
        subject = _("Organisation modifiée")
    else:
        subject = _("Accompagnement modifié")
    return TimelineEntry(
        title=subject, body=record.history_change_reason or "", changes=changes, **base
    )
