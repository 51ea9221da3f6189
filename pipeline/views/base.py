"""What every pipeline admin view shares: who may come in, and calling services safely."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from wagtail.admin import messages
from wagtail.admin.utils import get_valid_next_url_from_request

from pipeline import access
from pipeline.services.base import IllegalTransition
from pipeline.services.importing import ImportFileError


class PipelineAccessMixin:
    """Only people who work the pipeline get in; `permission` narrows it further."""

    permission = access.PIPELINE_VIEW_PERMISSION

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not (access.can_use_pipeline(user) and user.has_perm(self.permission)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class LookupSearchMixin:
    """A listing's search box: the query matched against `search_lookups` (any of them)."""

    search_lookups: tuple[str, ...] = ()

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        condition = Q()
        for lookup in self.search_lookups:
            condition |= Q(**{lookup: self.search_query})
        return queryset.filter(condition)


def error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, PermissionDenied):
        return str(exc) or _("Vous n'avez pas le droit de faire cette action.")
    return str(exc)


# What a service may raise for a person to read (never a 500).
SERVICE_ERRORS = (IllegalTransition, ValueError, ValidationError, PermissionDenied, ImportFileError)


def run_service(
    request: HttpRequest, call: Callable[[], Any], success: str | Callable[[Any], str] | None = None
) -> tuple[bool, Any]:
    """Call a service; show its error, or the success message, as a Wagtail message."""
    try:
        result = call()
    except SERVICE_ERRORS as exc:
        messages.error(request, error_text(exc))
        return False, exc
    if success:
        messages.success(request, success(result) if callable(success) else success)
    return True, result


def next_url(request: HttpRequest, default: str) -> str:
    return get_valid_next_url_from_request(request) or default


def form_errors(form) -> str:
    parts = []
    for field_name, errors in form.errors.items():
        label = form.fields[field_name].label if field_name in form.fields else ""
        text = " ".join(str(e) for e in errors)
        parts.append(f"{label} : {text}" if label else text)
    return " ".join(parts)
