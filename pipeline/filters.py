"""Filters shared by the board and the engagement list (owner, type, territory, score, overdue)."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from pipeline.models import Engagement, Organisation, OrganisationType
from pipeline.services.base import CONSULTANTS_GROUP
from pipeline.stages import OPEN_STAGES, Stage

SCORE_BANDS = (
    ("high", _("Élevé (70 et plus)")),
    ("medium", _("Moyen (40 à 69)")),
    ("low", _("Faible (moins de 40)")),
    ("none", _("Non calculé")),
)


def owner_choices(user) -> list[tuple[str, str]]:
    people = (
        get_user_model()
        .objects.filter(Q(groups__name=CONSULTANTS_GROUP) | Q(engagements__isnull=False))
        .filter(is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    choices = [("me", _("Moi")), ("none", _("Non attribué"))]
    choices += [(str(p.pk), p.get_full_name() or p.get_username()) for p in people]
    return choices


def territory_choices() -> list[tuple[str, str]]:
    territories = (
        Organisation.objects.exclude(territory="")
        .order_by("territory")
        .values_list("territory", flat=True)
        .distinct()
    )
    return [(t, t) for t in territories]


class EngagementFilterSet(WagtailFilterSet):
    stage = django_filters.MultipleChoiceFilter(
        label=_("Étape"), choices=Stage.choices, widget=django_filters.widgets.CSVWidget
    )
    owner = django_filters.ChoiceFilter(
        label=_("Consultant·e"), method="filter_owner", empty_label=_("Tout le monde")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Type de structure"),
        field_name="organisation__kind",
        choices=OrganisationType.choices,
        empty_label=_("Tous les types"),
    )
    territory = django_filters.ChoiceFilter(
        label=_("Territoire"),
        field_name="organisation__territory",
        empty_label=_("Tous les territoires"),
    )
    score = django_filters.ChoiceFilter(
        label=_("Score"), choices=SCORE_BANDS, method="filter_score", empty_label=_("Tous")
    )
    overdue = django_filters.ChoiceFilter(
        label=_("Prochaine action"),
        method="filter_overdue",
        choices=(("true", _("En retard")), ("false", _("À jour"))),
        empty_label=_("Toutes"),
    )

    class Meta:
        model = Engagement
        fields = ["stage", "owner", "kind", "territory", "score", "overdue"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.filters["owner"].extra["choices"] = owner_choices(request.user if request else None)
        self.filters["territory"].extra["choices"] = territory_choices()

    def filter_owner(self, queryset, name, value):
        if value == "me":
            return queryset.filter(owner=self.request.user)
        if value == "none":
            return queryset.filter(owner__isnull=True)
        if value and value.isdigit():
            return queryset.filter(owner_id=int(value))
        return queryset

    def filter_score(self, queryset, name, value):
        return {
            "high": queryset.filter(score__gte=70),
            "medium": queryset.filter(score__gte=40, score__lt=70),
            "low": queryset.filter(score__lt=40),
            "none": queryset.filter(score__isnull=True),
        }.get(value, queryset)

    def filter_overdue(self, queryset, name, value):
        overdue = Q(stage__in=OPEN_STAGES, next_action_due__lt=timezone.localdate())
        if value == "true":
            return queryset.filter(overdue)
        if value == "false":
            return queryset.exclude(overdue)
        return queryset


class BoardFilterSet(EngagementFilterSet):
    """The board shows every stage as a column: no stage filter."""

    class Meta(EngagementFilterSet.Meta):
        fields = ["owner", "kind", "territory", "score", "overdue"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters.pop("stage", None)
