"""The board: one column per stage, cards moved by drag and drop or, without JavaScript, by a
select and a button posting to the same service."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.templatetags.wagtailadmin_tags import icon
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from pipeline import access, services
from pipeline.filters import BoardFilterSet
from pipeline.models import Engagement, OrganisationType
from pipeline.stages import ALLOWED_MOVES, OPEN_STAGES, PIPELINE_ORDER, LostReason, Stage
from pipeline.views.base import SERVICE_ERRORS, PipelineAccessMixin, error_text, next_url

CLOSED_STAGES = (Stage.COMPLETED, Stage.LOST)


@dataclass
class Move:
    value: str
    label: str


@dataclass
class MoveGroup:
    label: str
    moves: list[Move] = field(default_factory=list)


def move_choices(engagement: Engagement) -> list[MoveGroup]:
    """Where this card may go, as the no-JavaScript select shows it."""
    groups = []
    if engagement.stage == Stage.LOST:
        if engagement.lost_from_stage:
            groups.append(
                MoveGroup(
                    _("Rouvrir"),
                    [
                        Move(
                            "reopen",
                            _("Rouvrir à « %s »") % engagement.get_lost_from_stage_display(),
                        )
                    ],
                )
            )
        return groups
    targets = [
        s for s in PIPELINE_ORDER if s in ALLOWED_MOVES[Stage(engagement.stage)] and s != Stage.LOST
    ]
    if targets:
        groups.append(MoveGroup(_("Déplacer vers"), [Move(s.value, s.label) for s in targets]))
    if Stage.LOST in ALLOWED_MOVES[Stage(engagement.stage)]:
        groups.append(
            MoveGroup(
                _("Marquer comme perdu"),
                [Move(f"lost:{r.value}", _("Perdu : %s") % r.label) for r in LostReason],
            )
        )
    return groups


def allowed_targets(engagement: Engagement) -> list[str]:
    """Columns a card may be dropped on (the drag-and-drop uses the same rules)."""
    if engagement.stage == Stage.LOST:
        return [engagement.lost_from_stage] if engagement.lost_from_stage else []
    return [s.value for s in ALLOWED_MOVES[Stage(engagement.stage)]]


CARD_ICONS = {
    "time": "pl-chip__icon",
    "user": "pl-chip__icon",
    "calendar-alt": "pl-next__icon",
    "arrow-right": "",
}


class CardParts:
    """What many cards share, rendered once per board instead of once per card: the options
    of the no-JavaScript move select (they depend on the stage only), the icons, the CSRF
    field (one masked token per page, not one per card) and the link to the engagement page.
    A board shows up to 9 × PIPELINE_BOARD_COLUMN_LIMIT cards; rendering these for each card
    took most of the page's time."""

    def __init__(self, request):
        self._options: dict[tuple[str, str], str] = {}
        self.csrf_input = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
        )
        self.inspect_url = reverse("pipeline_engagements:inspect", args=[0]).removesuffix("0/")
        self.kinds = {value: str(label) for value, label in OrganisationType.choices}
        self.icons = {
            name.replace("-", "_"): render_to_string(
                "wagtailadmin/shared/icon.html", icon(name=name, classname=classname or None)
            )
            for name, classname in CARD_ICONS.items()
        }

    def move_options(self, engagement: Engagement) -> str:
        key = (engagement.stage, engagement.lost_from_stage or "")
        if key not in self._options:
            groups = move_choices(engagement)
            self._options[key] = (
                render_to_string("pipeline/admin/includes/move_options.html", {"groups": groups})
                if groups
                else ""
            )
        return self._options[key]


def card_context(engagement: Engagement, today, request, parts: CardParts | None = None) -> dict:
    parts = parts or CardParts(request)
    days = (timezone.now() - engagement.stage_changed_at).days
    return {
        "engagement": engagement,
        "days_in_stage": max(days, 0),
        "overdue": bool(
            engagement.next_action_due
            and engagement.next_action_due < today
            and engagement.stage in OPEN_STAGES
        ),
        "kind": parts.kinds.get(engagement.organisation.kind, ""),
        "move_options": mark_safe(parts.move_options(engagement)),  # noqa: S308 - our template
        "icons": parts.icons,
        "csrf_input": parts.csrf_input,
        "url": f"{parts.inspect_url}{engagement.pk}/",
        "targets": " ".join(allowed_targets(engagement)),
        "request": request,
    }


@dataclass
class BoardColumn:
    stage: Stage
    count: int = 0
    overdue: int = 0
    cards: list[dict] = field(default_factory=list)
    more_url: str = ""

    @property
    def label(self) -> str:
        return str(self.stage.label)

    @property
    def hidden_count(self) -> int:
        return max(self.count - len(self.cards), 0)

    @property
    def closed(self) -> bool:
        return self.stage in CLOSED_STAGES


class BoardView(PipelineAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "pipeline/admin/board.html"
    page_title = gettext_lazy("Tableau du pipeline")
    header_icon = "clipboard-list"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        base = access.engagements_for(request.user)
        filters = BoardFilterSet(request.GET or None, queryset=base, request=request)
        queryset = filters.qs if filters.is_bound and filters.is_valid() else base
        today = timezone.localdate()
        columns = {stage: BoardColumn(stage) for stage in PIPELINE_ORDER}

        counts = (
            queryset.order_by()
            .values("stage")
            .annotate(
                n=Count("pk"),
                late=Count("pk", filter=Q(next_action_due__lt=today)),
            )
        )
        for row in counts:
            if row["stage"] in columns:
                columns[row["stage"]].count = row["n"]
                if row["stage"] in OPEN_STAGES:
                    columns[row["stage"]].overdue = row["late"]

        limit = settings.PIPELINE_BOARD_COLUMN_LIMIT
        parts = CardParts(request)
        # The first `limit` cards of each column: ranked on the engagement table alone (the
        # window function sorts every engagement of the pipeline; with the organisation and
        # the owner joined in, that cost three times more at 100,000), then fetched by id.
        ranks: dict[int, int] = {}
        for stages, ordering in (
            (OPEN_STAGES, [F("next_action_due").asc(nulls_last=True), "stage_changed_at", "pk"]),
            (CLOSED_STAGES, [F("stage_changed_at").desc(), "-pk"]),
        ):
            ranks.update(
                queryset.filter(stage__in=stages)
                .annotate(rank=Window(RowNumber(), partition_by=[F("stage")], order_by=ordering))
                .filter(rank__lte=limit)
                .values_list("pk", "rank")
            )
        cards = Engagement.objects.filter(pk__in=list(ranks)).select_related(
            "organisation", "owner"
        )
        for engagement in sorted(cards, key=lambda e: ranks[e.pk]):
            columns[engagement.stage].cards.append(card_context(engagement, today, request, parts))

        query = request.GET.copy()
        query.pop("p", None)
        list_url = reverse("pipeline_engagements:index")
        for column in columns.values():
            params = {k: v for k, v in query.items() if v}
            params["stage"] = column.stage.value
            column.more_url = f"{list_url}?{urlencode(params)}"

        context.update(
            columns=list(columns.values()),
            filters=filters,
            is_filtering=bool(filters.is_bound and any(v for v in request.GET.values())),
            move_url=reverse("pipeline_board:move"),
            current_url=request.get_full_path(),
            lost_reasons=LostReason.choices,
            total=sum(c.count for c in columns.values()),
        )
        return context


class MoveForm(forms.Form):
    engagement = forms.IntegerField()
    target = forms.CharField(max_length=64)
    note = forms.CharField(required=False, max_length=2000)

    def clean_target(self):
        target = self.cleaned_data["target"]
        if target == "reopen" or target in Stage.values:
            return target
        if target.startswith("lost:") and target.removeprefix("lost:") in LostReason.values:
            return target
        raise forms.ValidationError(_("Choisissez une étape."))


class BoardMoveView(PipelineAccessMixin, View):
    """POST only: the drag and drop (JSON) and the select + button (redirect) both land here."""

    permission = "pipeline.change_engagement"
    http_method_names = ["post"]

    def post(self, request):
        wants_json = "application/json" in request.headers.get("Accept", "")
        form = MoveForm(request.POST)
        if not form.is_valid():
            return self.answer(request, False, _("Déplacement incompris : choisissez une étape."))
        engagement = get_object_or_404(
            access.engagements_for(request.user).select_related("organisation"),
            pk=form.cleaned_data["engagement"],
        )
        target, note = form.cleaned_data["target"], form.cleaned_data["note"]
        try:
            if target == "reopen":
                services.reopen(engagement, user=request.user, note=note)
            elif target.startswith("lost:"):
                services.mark_lost(
                    engagement, target.removeprefix("lost:"), user=request.user, note=note
                )
            elif target == Stage.LOST:
                raise services.IllegalTransition(
                    _("Choisissez la raison de la perte pour marquer « %(name)s » comme perdu.")
                    % {"name": engagement.organisation.name}
                )
            else:
                services.move_stage(engagement, target, user=request.user, note=note)
        except SERVICE_ERRORS as exc:
            return self.answer(request, False, error_text(exc), engagement)
        engagement = Engagement.objects.select_related("organisation", "owner").get(
            pk=engagement.pk
        )
        message = _("« %(name)s » est passé à l'étape « %(stage)s ».") % {
            "name": engagement.organisation.name,
            "stage": engagement.get_stage_display(),
        }
        if not wants_json:
            messages.success(request, message)
            return redirect(next_url(request, reverse("pipeline_board:index")))
        card = render_to_string(
            "pipeline/admin/includes/board_card.html",
            {
                "card": card_context(engagement, timezone.localdate(), request),
                "move_url": reverse("pipeline_board:move"),
                "current_url": next_url(request, reverse("pipeline_board:index")),
            },
            request=request,
        )
        return JsonResponse(
            {"ok": True, "message": message, "stage": engagement.stage, "card": card}
        )

    def answer(self, request, ok: bool, message: str, engagement=None):
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"ok": ok, "message": message}, status=200 if ok else 400)
        (messages.success if ok else messages.error)(request, message)
        return redirect(next_url(request, reverse("pipeline_board:index")))
