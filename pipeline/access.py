"""Who sees what in the pipeline: the one place that answers it for every view and service.

Consultants see the whole pipeline, unless PIPELINE_CONSULTANTS_SEE_OWN_ONLY limits them to the
engagements they own (people with `pipeline.view_all_engagements` still see everything).
Everything hanging off an engagement (organisation, contacts, tasks, messages) follows it.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet

from pipeline.models import Contact, Engagement, Notification, Organisation, Task

PIPELINE_VIEW_PERMISSION = "pipeline.view_engagement"


def can_use_pipeline(user) -> bool:
    return bool(user and user.is_active and user.has_perm(PIPELINE_VIEW_PERMISSION))


def sees_everything(user) -> bool:
    if user.is_superuser:
        return True
    if not user.has_perm(PIPELINE_VIEW_PERMISSION):
        return False
    return not getattr(settings, "PIPELINE_CONSULTANTS_SEE_OWN_ONLY", False) or user.has_perm(
        "pipeline.view_all_engagements"
    )


def engagements_for(user) -> QuerySet[Engagement]:
    return Engagement.objects.visible_to(user)


def organisations_for(user) -> QuerySet[Organisation]:
    if not can_use_pipeline(user):
        return Organisation.objects.none()
    if sees_everything(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(
        Exists(engagements_for(user).filter(organisation=OuterRef("pk")))
    )


def contacts_for(user) -> QuerySet[Contact]:
    if not can_use_pipeline(user):
        return Contact.objects.none()
    if sees_everything(user):
        return Contact.objects.all()
    return Contact.objects.filter(
        Exists(engagements_for(user).filter(organisation=OuterRef("organisation")))
    )


def tasks_for(user) -> QuerySet[Task]:
    if not can_use_pipeline(user):
        return Task.objects.none()
    if sees_everything(user):
        return Task.objects.all()
    return Task.objects.filter(engagement__in=engagements_for(user))


def notifications_for(user) -> QuerySet[Notification]:
    if not (user.is_superuser or user.has_perm("pipeline.view_notification")):
        return Notification.objects.none()
    if sees_everything(user):
        return Notification.objects.all()
    return Notification.objects.filter(engagement__in=engagements_for(user))


def can_see_organisation(user, organisation: Organisation) -> bool:
    return organisations_for(user).filter(pk=organisation.pk).exists()
