"""Personal data (GDPR): export, erasure and retention.

Personal data lives in more places than the models (design.md §5): history tables, Wagtail log
entries and revisions, the search index, questionnaire submissions' JSON, outbox messages,
timeline texts. Erasure therefore works in two passes:

1. the rows we know belong to the person or organisation (contacts, their history, answers,
   submissions, messages, timeline of its engagements) are rewritten field by field;
2. then every text and JSON column of every table is searched for the person's name, e-mail and
   phone, and each occurrence is replaced — so data copied somewhere we did not foresee (another
   app's table, a log entry) goes too.

Aggregated figures stay: engagements keep their stage, dates, score, type and territory.
Every export and erasure is written in `PrivacyLog` (identifiers and counts only).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from pipeline import outbox
from pipeline.models import (
    Activity,
    ActivityKind,
    Contact,
    Engagement,
    Notification,
    NotificationStatus,
    Organisation,
    PrivacyAction,
    PrivacyLog,
    Roadmap,
    RoadmapComment,
    RoadmapItem,
    RoadmapUpdate,
    StageChange,
    Task,
)
from pipeline.services.base import actor_name, require_organisation
from pipeline.stages import OPEN_STAGES

ERASED = "[effacé]"
ERASED_CONTACT_NAME = "Contact effacé"
# Questionnaire answers that describe the person rather than the organisation.
PERSONAL_ANSWER_KEYS = frozenset({"contact_name", "email", "phone", "role", "comment"})
# Tables that never hold contacts' data and must not be rewritten (accounts, sessions).
SKIPPED_APPS = frozenset({"auth", "contenttypes", "sessions", "admin"})
TEXT_TYPES = frozenset(
    {"CharField", "TextField", "EmailField", "URLField", "SlugField", "JSONField"}
)
MIN_NEEDLE = 4


# --- Export ------------------------------------------------------------------------------------


def _value(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return value


def _row(instance: models.Model, exclude: Iterable[str] = ()) -> dict[str, Any]:
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        if field.is_relation:
            data[field.name] = getattr(instance, field.attname)
        else:
            data[field.name] = _value(getattr(instance, field.attname))
    return data


def _history(records: Iterable) -> list[dict[str, Any]]:
    """History rows as "what changed, by whom, when", oldest first."""
    out = []
    previous: dict[int, Any] = {}
    for record in records:
        key = record.instance_type._meta.pk.attname
        object_id = getattr(record, key)
        entry = {
            "date": _value(record.history_date),
            "by": actor_name(record.history_user) if record.history_user_id else None,
            "type": {"+": "création", "~": "modification", "-": "suppression"}.get(
                record.history_type, record.history_type
            ),
            "object_id": object_id,
            "reason": record.history_change_reason or "",
        }
        before = previous.get(object_id)
        if before is not None:
            delta = record.diff_against(before)
            entry["changes"] = {c.field: [_value(c.old), _value(c.new)] for c in delta.changes}
        else:
            entry["values"] = {
                f.attname: _value(getattr(record, f.attname))
                for f in record.instance_type._meta.concrete_fields
                if f.attname != "updated_at"
            }
        previous[object_id] = record
        out.append(entry)
    return out


def _submissions(engagement_ids: list[int]) -> list:
    submission_model = apps.get_model("audits", "AuditSubmission")
    return list(
        submission_model.objects.filter(engagement_id__in=engagement_ids).order_by(
            "submit_time", "pk"
        )
    )


def organisation_data(organisation: Organisation) -> dict[str, Any]:
    """Everything held about an organisation: contacts, journeys, answers, messages, history."""
    engagements = list(
        organisation.engagements.select_related("owner").order_by("created_at", "pk")
    )
    ids = [e.pk for e in engagements]
    activities = Activity.objects.filter(engagement_id__in=ids).select_related("actor")
    changes = StageChange.objects.filter(engagement_id__in=ids).select_related("changed_by")
    tasks = Task.objects.filter(engagement_id__in=ids).select_related("assignee")
    messages = Notification.objects.filter(engagement_id__in=ids).order_by("created_at", "pk")
    history_model = Engagement.history.model
    return {
        "organisation": _row(organisation),
        "contacts": [_row(c) for c in organisation.contacts.order_by("pk")],
        "engagements": [
            {
                **_row(e, exclude=("answers", "score_details")),
                "owner": actor_name(e.owner) if e.owner_id else None,
                "answers": e.answers,
                "score_details": e.score_details,
            }
            for e in engagements
        ],
        "stage_changes": [
            {**_row(c, exclude=("changed_by",)), "changed_by": actor_name(c.changed_by)}
            for c in changes.order_by("changed_at", "pk")
        ],
        "activities": [
            {
                **_row(a, exclude=("actor", "data")),
                "actor": actor_name(a.actor) if a.actor_id else None,
            }
            for a in activities.order_by("occurred_at", "pk")
        ],
        "tasks": [_row(t) for t in tasks.order_by("pk")],
        "submissions": [
            {"id": s.pk, "submitted_at": _value(s.submit_time), "answers": s.form_data}
            for s in _submissions(ids)
        ],
        "messages": [_message(m) for m in messages],
        "roadmaps": [
            {
                **_row(roadmap),
                "items": [_row(item) for item in roadmap.items.order_by("sort_order", "pk")],
                "comments": [
                    _row(comment)
                    for comment in RoadmapComment.objects.filter(item__roadmap=roadmap).order_by(
                        "created_at", "pk"
                    )
                ],
            }
            for roadmap in Roadmap.objects.filter(engagement_id__in=ids).order_by("pk")
        ],
        "history": {
            "organisation": _history(
                Organisation.history.filter(id=organisation.pk)
                .select_related("history_user")
                .order_by("history_date", "history_id")
            ),
            "contacts": _history(
                Contact.history.filter(organisation_id=organisation.pk)
                .select_related("history_user")
                .order_by("history_date", "history_id")
            ),
            "engagements": _history(
                history_model.objects.filter(id__in=ids)
                .select_related("history_user")
                .order_by("history_date", "history_id")
            ),
        },
    }


def contact_data(contact: Contact) -> dict[str, Any]:
    """Everything held about one person: their record, what they answered, what we sent them."""
    email = contact.email.lower()
    ids = list(contact.organisation.engagements.values_list("pk", flat=True))
    messages = [
        m
        for m in Notification.objects.filter(
            Q(engagement_id__in=ids) | Q(recipients__icontains=email)
        ).order_by("created_at", "pk")
        if email in {r.lower() for r in m.recipients}
    ]
    submissions = [
        s for s in _submissions(ids) if str(s.form_data.get("email", "")).strip().lower() == email
    ]
    answers = [
        {"engagement_id": e.pk, "answers": e.answers}
        for e in Engagement.objects.filter(pk__in=ids)
        if str(e.answers.get("email", "")).strip().lower() == email
    ]
    return {
        "contact": _row(contact),
        "organisation": {"id": contact.organisation_id, "name": contact.organisation.name},
        "answers": answers,
        "submissions": [
            {"id": s.pk, "submitted_at": _value(s.submit_time), "answers": s.form_data}
            for s in submissions
        ],
        "messages": [_message(m) for m in messages],
        "history": _history(
            Contact.history.filter(id=contact.pk)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        ),
    }


def _message(message: Notification) -> dict[str, Any]:
    return {
        "id": message.pk,
        "kind": message.get_kind_display(),
        "recipients": message.recipients,
        "subject": message.subject,
        "status": message.get_status_display(),
        "created_at": _value(message.created_at),
        "sent_at": _value(message.sent_at),
        "body_text": message.body_text,
    }


@transaction.atomic
def export_organisation(organisation: Organisation, *, user: AbstractBaseUser | None) -> dict:
    require_organisation(user, "pipeline.export_personal_data", organisation)
    data = {
        "exported_at": timezone.now().isoformat(),
        "exported_by": actor_name(user),
        **organisation_data(organisation),
    }
    _record(
        PrivacyAction.EXPORT,
        "organisation",
        organisation.pk,
        user=user,
        engagements=organisation.engagements.all(),
        summary=_("Export des données de l'organisation par %(by)s"),
    )
    return data


@transaction.atomic
def export_contact(contact: Contact, *, user: AbstractBaseUser | None) -> dict:
    require_organisation(user, "pipeline.export_personal_data", contact.organisation)
    data = {
        "exported_at": timezone.now().isoformat(),
        "exported_by": actor_name(user),
        **contact_data(contact),
    }
    _record(
        PrivacyAction.EXPORT,
        "contact",
        contact.pk,
        user=user,
        engagements=contact.organisation.engagements.all(),
        summary=_("Export des données d'un contact (n° %(id)s) par %(by)s")
        % {"id": contact.pk, "by": "%(by)s"},
    )
    return data


def as_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


def as_csv(data: dict) -> str:
    """One line per value: section, record, field, value — opens in any spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["section", "enregistrement", "champ", "valeur"])

    def emit(section: str, record: str, value: Any, prefix: str = ""):
        if isinstance(value, dict):
            for key, inner in value.items():
                emit(section, record, inner, f"{prefix}.{key}" if prefix else str(key))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for index, inner in enumerate(value, start=1):
                emit(section, f"{record}.{index}" if record else str(index), inner, prefix)
        else:
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            writer.writerow([section, record, prefix, _neutralise(value)])

    for section, value in data.items():
        emit(section, "", value)
    return buffer.getvalue()


def _neutralise(value: Any) -> Any:
    from pipeline.spreadsheets import neutralise

    return neutralise(value)


# --- Erasure ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureResult:
    rows_changed: Counter

    @property
    def total(self) -> int:
        return sum(self.rows_changed.values())


class _Scrubber:
    """Replaces given strings (case-insensitive) in text and, recursively, in JSON values."""

    def __init__(self, needles: Iterable[str], tokens: Iterable[str] = ()):
        self.needles = sorted({n for n in needles if n and len(n) >= MIN_NEEDLE}, key=len)[::-1]
        parts = [re.escape(n) for n in self.needles]
        parts += [rf"(?<!\w){re.escape(t)}(?!\w)" for t in sorted(set(tokens), key=len)[::-1]]
        self.pattern = re.compile("|".join(parts), re.IGNORECASE) if parts else None

    def __bool__(self) -> bool:
        return self.pattern is not None

    def text(self, value: str) -> str:
        return self.pattern.sub(ERASED, value) if self.pattern and value else value

    def json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, dict):
            return {self.text(str(k)): self.json(v) for k, v in value.items()}
        return value

    def variants(self) -> set[str]:
        """What the needles look like stored: as typed, lower-cased, and JSON-escaped
        (SQLite keeps JSON with \\uXXXX escapes for accented letters)."""
        found = set()
        for needle in self.needles:
            for form in (needle, needle.lower()):
                found.add(form)
                found.add(json.dumps(form)[1:-1])
        return found


def _text_fields(model) -> list[models.Field]:
    from wagtail.fields import StreamField

    fields = []
    # Local fields only: a parent table (multi-table inheritance) is swept as its own model.
    for field in model._meta.local_concrete_fields:
        if field.primary_key or field.is_relation or isinstance(field, StreamField):
            continue
        if field.get_internal_type() in TEXT_TYPES or isinstance(field, models.JSONField):
            fields.append(field)
    return fields


def _scrub_rows(queryset, scrubber: _Scrubber, fields=None) -> int:
    """Rewrite the given rows in place; returns how many changed. Uses UPDATE so no new
    history row (with the old values in it) is written."""
    model = queryset.model
    fields = fields if fields is not None else _text_fields(model)
    if not fields or not scrubber:
        return 0
    changed_rows = 0
    for obj in queryset.only(model._meta.pk.attname, *[f.attname for f in fields]).iterator():
        changes = {}
        for field in fields:
            value = getattr(obj, field.attname)
            if value is None:
                continue
            if isinstance(field, models.JSONField):
                new = scrubber.json(value)
            elif isinstance(value, str):
                new = scrubber.text(value)[: field.max_length or None]
            else:
                continue
            if new != value:
                changes[field.attname] = new
        if changes:
            model._base_manager.filter(pk=obj.pk).update(**changes)
            changed_rows += 1
    return changed_rows


def sweep_all_tables(scrubber: _Scrubber) -> Counter:
    """Search every text/JSON column of every table for the needles and replace them."""
    counts: Counter = Counter()
    if not scrubber:
        return counts
    variants = scrubber.variants()
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.app_label in SKIPPED_APPS:
            continue
        if model is PrivacyLog:
            continue
        fields = _text_fields(model)
        if not fields:
            continue
        condition = Q()
        annotations = {}
        for field in fields:
            if isinstance(field, models.JSONField):
                alias = f"_gdpr_{field.attname}"
                annotations[alias] = Cast(field.attname, models.TextField())
                lookup = alias
            else:
                lookup = field.attname
            for variant in variants:
                condition |= Q(**{f"{lookup}__icontains": variant})
        queryset = model._base_manager.alias(**annotations).filter(condition)
        changed = _scrub_rows(queryset, scrubber, fields)
        if changed:
            counts[meta.label] += changed
            _reindex(model, queryset)
    return counts


def _reindex(model, queryset) -> None:
    from wagtail.search import index

    if not index.class_is_indexed(model):
        return
    for obj in model._base_manager.filter(pk__in=queryset.values("pk")):
        index.insert_or_update_object(obj)


def _person_needles(contact: Contact) -> tuple[set[str], set[str]]:
    """Full strings searched everywhere, and name parts replaced only in rows about them."""
    needles = {contact.name.strip(), contact.email.strip()}
    phone = contact.phone.strip()
    digits = re.sub(r"\D", "", phone)
    if len(digits) >= 8:
        needles |= {phone, digits}
        if digits.startswith("0") and len(digits) == 10:
            needles |= {"+33" + digits[1:], "+33 " + digits[1:2] + " " + digits[2:]}
    tokens = set()
    if "@" not in contact.name:
        tokens = {part for part in re.split(r"[\s\-'’.]+", contact.name) if len(part) >= 3}
    return {n for n in needles if n}, tokens


def _related_rows(organisation_ids: list[int]) -> list:
    """Querysets of rows that are about these organisations, whatever they contain."""
    engagement_ids = list(
        Engagement.objects.filter(organisation_id__in=organisation_ids).values_list("pk", flat=True)
    )
    querysets = [
        Activity.objects.filter(engagement_id__in=engagement_ids),
        StageChange.objects.filter(engagement_id__in=engagement_ids),
        Task.objects.filter(engagement_id__in=engagement_ids),
        Task.history.model.objects.filter(engagement_id__in=engagement_ids),
        Engagement.objects.filter(pk__in=engagement_ids),
        Engagement.history.model.objects.filter(id__in=engagement_ids),
        Notification.objects.filter(engagement_id__in=engagement_ids),
        apps.get_model("audits", "AuditSubmission").objects.filter(
            engagement_id__in=engagement_ids
        ),
        *_roadmap_rows(engagement_ids),
    ]
    # Rows of other apps pointing at them (meetings, roadmaps…), found by their foreign keys.
    targets = {
        Organisation: organisation_ids,
        Engagement: engagement_ids,
        Contact: list(
            Contact.objects.filter(organisation_id__in=organisation_ids).values_list(
                "pk", flat=True
            )
        ),
    }
    known = {qs.model for qs in querysets}
    for model in apps.get_models():
        if model in known or model._meta.proxy or model._meta.app_label in SKIPPED_APPS:
            continue
        for field in model._meta.concrete_fields:
            related_model = getattr(field, "related_model", None)
            if field.many_to_one and related_model in targets:
                querysets.append(
                    model._base_manager.filter(**{f"{field.attname}__in": targets[related_model]})
                )
    log_model = apps.get_model("wagtailcore", "ModelLogEntry")
    content_types = ContentType.objects.get_for_models(Organisation, Contact, Engagement)
    by_type = {content_types[model]: ids for model, ids in targets.items()}
    condition = Q(pk__in=[])
    for content_type, ids in by_type.items():
        condition |= Q(content_type=content_type, object_id__in=[str(i) for i in ids])
    querysets.append(log_model.objects.filter(condition))
    return querysets


def _roadmap_rows(engagement_ids: list[int]) -> list:
    """Roadmaps name people of the organisation: owners of steps, authors of comments, and
    whatever was typed in titles, notes and comments (history tables included)."""
    roadmap_ids = list(
        Roadmap.objects.filter(engagement_id__in=engagement_ids).values_list("pk", flat=True)
    )
    return [
        Roadmap.objects.filter(pk__in=roadmap_ids),
        Roadmap.history.model.objects.filter(id__in=roadmap_ids),
        RoadmapItem.objects.filter(roadmap_id__in=roadmap_ids),
        RoadmapItem.history.model.objects.filter(roadmap_id__in=roadmap_ids),
        RoadmapComment.objects.filter(item__roadmap_id__in=roadmap_ids),
        RoadmapUpdate.objects.filter(roadmap_id__in=roadmap_ids),
    ]


def _forget_roadmap_people(engagement_ids: list[int]) -> Counter:
    """When a whole organisation goes, so do the names it gave: step owners and comment
    authors (who need not be contacts), in the tables and their history."""
    counts: Counter = Counter()
    roadmap_ids = list(
        Roadmap.objects.filter(engagement_id__in=engagement_ids).values_list("pk", flat=True)
    )
    for model, field, lookup in (
        (RoadmapItem, "owner", "roadmap_id__in"),
        (RoadmapItem.history.model, "owner", "roadmap_id__in"),
        (RoadmapComment, "author_name", "item__roadmap_id__in"),
    ):
        changed = (
            model._base_manager.filter(**{lookup: roadmap_ids})
            .exclude(**{field: ""})
            .update(**{field: ""})
        )
        if changed:
            counts[model._meta.label] += changed
    return counts


def _drop_personal_answers(values: dict, scrubber: _Scrubber) -> dict:
    cleaned = {k: v for k, v in values.items() if k not in PERSONAL_ANSWER_KEYS}
    return scrubber.json(cleaned)


def _answers_belong_to(values: Any, emails: set[str]) -> bool:
    return isinstance(values, dict) and str(values.get("email", "")).strip().lower() in emails


def _erase_people(
    contacts: list[Contact],
    organisation_ids: list[int],
    *,
    extra_needles: Iterable[str] = (),
    drop_all_answers: bool = False,
) -> Counter:
    counts: Counter = Counter()
    needles: set[str] = set(extra_needles)
    tokens: set[str] = set()
    for contact in contacts:
        person_needles, person_tokens = _person_needles(contact)
        needles |= person_needles
        tokens |= person_tokens
    emails = {c.email.strip().lower() for c in contacts}
    # Organisation names can be common words: they are only replaced in rows about it.
    everywhere = _Scrubber(needles - set(extra_needles))
    related = _Scrubber(needles, tokens)

    # 1. Questionnaire answers they gave (on the engagement, its history and the submissions).
    engagement_ids = list(
        Engagement.objects.filter(organisation_id__in=organisation_ids).values_list("pk", flat=True)
    )
    submission_model = apps.get_model("audits", "AuditSubmission")
    for model, field_name, id_field in (
        (Engagement, "answers", "pk"),
        (Engagement.history.model, "answers", "id"),
        (submission_model, "form_data", "engagement_id"),
    ):
        for row in model._base_manager.filter(**{f"{id_field}__in": engagement_ids}):
            values = getattr(row, field_name)
            if drop_all_answers or _answers_belong_to(values, emails):
                new = _drop_personal_answers(values, related)
                if new != values:
                    model._base_manager.filter(pk=row.pk).update(**{field_name: new})
                    counts[model._meta.label] += 1

    # 2. Messages sent to them: no address left, and nothing still waiting to go out to it.
    addressed_to_them = Q(engagement_id__in=engagement_ids)
    recipients_as_text = Notification.objects.alias(_r=Cast("recipients", models.TextField()))
    for email in emails:
        addressed_to_them |= Q(pk__in=recipients_as_text.filter(_r__icontains=email))
    for message in Notification.objects.filter(addressed_to_them):
        recipients = [r for r in message.recipients if r.strip().lower() not in emails]
        if recipients == message.recipients:
            continue
        update: dict[str, Any] = {"recipients": recipients or [ERASED]}
        if message.status in {NotificationStatus.PENDING, NotificationStatus.FAILED}:
            update.update(
                status=NotificationStatus.DEAD,
                last_error=_("Destinataire effacé à sa demande (RGPD) : message non envoyé."),
            )
        Notification.objects.filter(pk=message.pk).update(**update)
        counts[Notification._meta.label] += 1

    if drop_all_answers:
        counts.update(_forget_roadmap_people(engagement_ids))

    # 3. Their contact records and every historical version of them.
    for contact in contacts:
        anonymous = {
            "name": ERASED_CONTACT_NAME,
            "email": f"contact-{contact.pk}@efface.invalid",
            "phone": "",
            "role": "",
        }
        Contact.objects.filter(pk=contact.pk).update(erased_at=timezone.now(), **anonymous)
        counts[Contact._meta.label] += 1
        counts[Contact.history.model._meta.label] += Contact.history.filter(id=contact.pk).update(
            **anonymous
        )

    # 4. Whatever is about them (timeline, tasks, messages, logs): names and e-mails replaced.
    for queryset in _related_rows(organisation_ids):
        changed = _scrub_rows(queryset, related)
        if changed:
            counts[queryset.model._meta.label] += changed

    # 5. And anything anywhere else that still names them.
    counts.update(sweep_all_tables(everywhere))
    return counts


@transaction.atomic
def erase_contact(contact: Contact, *, user: AbstractBaseUser | None) -> ErasureResult:
    """Erase one person: their name, e-mail and phone disappear from every table."""
    require_organisation(user, "pipeline.erase_personal_data", contact.organisation)
    contact = Contact.objects.select_for_update(of=("self",)).get(pk=contact.pk)
    if contact.erased_at:
        raise ValueError(_("Les données de ce contact ont déjà été effacées."))
    counts = _erase_people([contact], [contact.organisation_id])
    _record(
        PrivacyAction.ERASURE,
        "contact",
        contact.pk,
        user=user,
        engagements=Engagement.objects.filter(organisation_id=contact.organisation_id),
        summary=_("Données personnelles d'un contact (n° %(id)s) effacées par %(by)s")
        % {"id": contact.pk, "by": "%(by)s"},
        counts=counts,
    )
    return ErasureResult(counts)


@transaction.atomic
def erase_organisation(
    organisation: Organisation, *, user: AbstractBaseUser | None
) -> ErasureResult:
    """Erase an organisation's identity and all its people; its figures stay for reports."""
    require_organisation(user, "pipeline.erase_personal_data", organisation)
    organisation = Organisation.objects.select_for_update(of=("self",)).get(pk=organisation.pk)
    if (
        organisation.anonymised_at
        and not organisation.contacts.filter(erased_at__isnull=True).exists()
    ):
        raise ValueError(_("Cette organisation a déjà été anonymisée."))
    ids = [organisation.pk, *organisation.merged_from.values_list("pk", flat=True)]
    contacts = list(Contact.objects.filter(organisation_id__in=ids, erased_at__isnull=True))
    identity = {
        v
        for o in Organisation.objects.filter(pk__in=ids)
        for v in (o.name, o.domain, o.website, o.siren)
        if v and len(v) >= MIN_NEEDLE
    }
    counts = _erase_people(contacts, ids, extra_needles=identity, drop_all_answers=True)
    for pk in ids:
        anonymous = {
            "name": _("Organisation anonymisée n° %(id)s") % {"id": pk},
            "domain": "",
            "website": "",
            "siren": "",
            "postcode": "",
        }
        Organisation.objects.filter(pk=pk).update(anonymised_at=timezone.now(), **anonymous)
        counts[Organisation.history.model._meta.label] += Organisation.history.filter(id=pk).update(
            **anonymous
        )
    _record(
        PrivacyAction.ERASURE,
        "organisation",
        organisation.pk,
        user=user,
        engagements=Engagement.objects.filter(organisation_id__in=ids),
        summary=_("Organisation anonymisée (données personnelles effacées) par %(by)s"),
        counts=counts,
    )
    return ErasureResult(counts)


# --- Retention ----------------------------------------------------------------------------------


def months_ago(now: datetime.datetime, months: int) -> datetime.datetime:
    year, month = divmod(now.month - 1 - months, 12)
    year, month = now.year + year, month + 1
    day = min(now.day, 28)
    return now.replace(year=year, month=month, day=day)


def retention_candidates(now: datetime.datetime | None = None, months: int | None = None):
    """Organisations whose engagements are all lost or completed and untouched for N months."""
    now = now or timezone.now()
    months = months if months is not None else settings.PIPELINE_RETENTION_MONTHS
    cutoff = months_ago(now, months)
    last_engagement_change = (
        Engagement.objects.filter(organisation=OuterRef("pk"))
        .values("organisation")
        .annotate(m=Max("updated_at"))
        .values("m")
    )
    last_activity = (
        Activity.objects.filter(engagement__organisation=OuterRef("pk"))
        .values("engagement__organisation")
        .annotate(m=Max("occurred_at"))
        .values("m")
    )
    return (
        Organisation.objects.filter(anonymised_at__isnull=True, merged_into__isnull=True)
        .filter(engagements__isnull=False)
        .exclude(engagements__stage__in=OPEN_STAGES)
        .annotate(
            last_engagement_change=Subquery(last_engagement_change),
            last_activity=Subquery(last_activity),
        )
        .filter(last_engagement_change__lt=cutoff)
        .filter(Q(last_activity__isnull=True) | Q(last_activity__lt=cutoff))
        .distinct()
    )


def apply_retention(
    now: datetime.datetime | None = None, months: int | None = None, limit: int = 200
) -> int:
    """Anonymise the people of closed, untouched engagements (periodic task). Organisation names
    and figures stay. Returns how many organisations were processed."""
    done = 0
    for organisation in list(retention_candidates(now, months).order_by("pk")[:limit]):
        with transaction.atomic():
            contacts = list(organisation.contacts.filter(erased_at__isnull=True))
            counts = _erase_people(contacts, [organisation.pk], drop_all_answers=True)
            Organisation.objects.filter(pk=organisation.pk).update(anonymised_at=timezone.now())
            _record(
                PrivacyAction.RETENTION,
                "organisation",
                organisation.pk,
                user=None,
                engagements=organisation.engagements.all(),
                summary=_(
                    "Données personnelles anonymisées : accompagnement clos et inactif depuis "
                    "plus de %(months)s mois"
                )
                % {"months": months or settings.PIPELINE_RETENTION_MONTHS},
                counts=counts,
            )
        done += 1
    return done


def _record(action, subject_type, subject_id, *, user, engagements, summary, counts=None):
    details = {"rows_changed": dict(counts or {})}
    PrivacyLog.objects.create(
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        performed_by=user,
        details=details,
    )
    text = outbox.single_line(summary.replace("%(by)s", actor_name(user)), 300)
    Activity.objects.bulk_create(
        Activity(engagement=engagement, kind=ActivityKind.PRIVACY, actor=user, summary=text)
        for engagement in engagements
    )
