"""Audience figures for marketing: aggregates of the daily counters, nothing else.

Read-only, a fixed number of queries whatever the period or the number of pages.

Definitions (also shown on the admin page):
- a page view is one display of a public page to a visitor (robots, previews and signed-in
  staff are not counted); a reload counts again;
- the questionnaire is "opened" when its first screen is displayed (a page view of it);
- screen k is "sent" the first time a visitor moves past it with valid answers (going back and
  forth does not count twice); screen 1 sent = "started", the last one = "completed" (the
  answers were recorded, after the spam checks);
- drop-off at screen k: visitors who reached it (opened, or sent screen k - 1) but did not
  send it during the period.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page

from audience.charts import DailyChart, daily_chart, sparkline
from audience.models import PageViewCount, QuestionnaireStepCount

HALF_WIDTH = 420  # charts beside another section


@dataclass(frozen=True)
class Window:
    start: datetime.date
    end: datetime.date  # inclusive

    @classmethod
    def last_days(cls, days: int, today: datetime.date | None = None) -> Window:
        today = today or timezone.localdate()
        return cls(today - datetime.timedelta(days=days - 1), today)

    @property
    def days(self) -> list[datetime.date]:
        count = (self.end - self.start).days + 1
        return [self.start + datetime.timedelta(days=i) for i in range(count)]


@dataclass
class FunnelStep:
    number: int
    title: str
    reached: int
    sent: int
    opened: int

    @property
    def dropped(self) -> int:
        return max(self.reached - self.sent, 0)

    @property
    def drop_rate(self) -> float | None:
        return self.dropped / self.reached if self.reached else None

    @property
    def share(self) -> float:
        """Sent, as a share of the questionnaire's displays."""
        return min(self.sent / self.opened, 1.0) if self.opened else 0.0


@dataclass
class Funnel:
    page: Page | None
    opened: int = 0
    steps: list[FunnelStep] = field(default_factory=list)
    per_day: dict[datetime.date, dict[int, int]] = field(default_factory=dict)

    @property
    def started(self) -> int:
        return self.steps[0].sent if self.steps else 0

    @property
    def completed(self) -> int:
        return self.steps[-1].sent if self.steps else 0

    @property
    def completion_rate(self) -> float | None:
        return min(self.completed / self.opened, 1.0) if self.opened else None


@dataclass
class PageRow:
    page_id: int
    title: str
    url: str
    language: str
    views: int
    share: float
    trend: str


@dataclass
class DayRow:
    day: datetime.date
    views: int
    opened: int
    started: int
    completed: int


@dataclass
class AudienceFigures:
    window: Window
    total_views: int
    pages: list[PageRow]
    selected_page: PageRow | None
    days: list[DayRow]
    chart: DailyChart
    questionnaire_chart: DailyChart
    funnel: Funnel
    languages: int

    @property
    def active_days(self) -> list[DayRow]:
        """Days with something to show, most recent first."""
        return [row for row in reversed(self.days) if row.views or row.opened or row.started]


def _step_titles(page) -> list[str]:
    from audits.steps import MAX_STEPS, split_steps

    if page is None:
        return []
    items = list(page.specific.get_form_fields())
    return [step.title for step in split_steps(items, page.title)[:MAX_STEPS]]


def questionnaire_funnel(page, window: Window) -> Funnel:
    """Displays, starts, completions and drop-off per screen of one questionnaire."""
    funnel = Funnel(page)
    if page is None:
        return funnel
    in_window = {"page_id": page.pk, "day__gte": window.start, "day__lte": window.end}
    funnel.opened = sum(PageViewCount.objects.filter(**in_window).values_list("views", flat=True))
    sent: dict[int, int] = defaultdict(int)
    per_day: dict[datetime.date, dict[int, int]] = defaultdict(dict)
    for day, step, count in QuestionnaireStepCount.objects.filter(**in_window).values_list(
        "day", "step", "count"
    ):
        sent[step] += count
        per_day[day][step] = count
    funnel.per_day = dict(per_day)
    titles = _step_titles(page)
    # Screens counted under an older layout of the questionnaire still show.
    count = max([len(titles), *sent.keys()], default=0)
    reached = funnel.opened
    for number in range(1, count + 1):
        title = titles[number - 1] if number <= len(titles) else ""
        funnel.steps.append(FunnelStep(number, title, reached, sent[number], funnel.opened))
        reached = sent[number]
    return funnel


def audience_figures(
    window: Window,
    *,
    questionnaire=None,
    page_id: int | None = None,
    request=None,
) -> AudienceFigures:
    """Page views per page and per day, and the questionnaire's funnel, for the window.

    `page_id` narrows the daily chart and table to one page (the page list stays whole)."""
    days = window.days
    index = {day: i for i, day in enumerate(days)}
    by_page: dict[int, list[int]] = defaultdict(lambda: [0] * len(days))
    for pid, day, views in PageViewCount.objects.filter(
        day__gte=window.start, day__lte=window.end
    ).values_list("page_id", "day", "views"):
        by_page[pid][index[day]] += views

    pages = Page.objects.filter(pk__in=list(by_page)).select_related("locale")
    info = {page.pk: page for page in pages}
    total = sum(sum(series) for series in by_page.values())
    rows = []
    for pid, series in by_page.items():
        page = info.get(pid)
        views = sum(series)
        rows.append(
            PageRow(
                page_id=pid,
                title=page.title if page else "",
                url=(page.get_url(request) or "") if page else "",
                language=page.locale.language_code if page else "",
                views=views,
                share=views / total if total else 0.0,
                trend=sparkline(series),
            )
        )
    rows.sort(key=lambda row: (-row.views, row.title))
    selected = next((row for row in rows if row.page_id == page_id), None)

    funnel = questionnaire_funnel(questionnaire, window)
    opened_series = by_page.get(questionnaire.pk) if questionnaire else None
    if selected is not None:
        views_series = by_page[selected.page_id]
    else:
        views_series = [sum(values) for values in zip(*by_page.values(), strict=True)] or [0] * len(
            days
        )
    last_step = len(funnel.steps)
    day_rows = [
        DayRow(
            day=day,
            views=views_series[i],
            opened=opened_series[i] if opened_series else 0,
            started=funnel.per_day.get(day, {}).get(1, 0),
            completed=funnel.per_day.get(day, {}).get(last_step, 0) if last_step else 0,
        )
        for i, day in enumerate(days)
    ]
    return AudienceFigures(
        window=window,
        total_views=total,
        pages=rows,
        selected_page=selected,
        days=day_rows,
        chart=daily_chart(days, views_series),
        questionnaire_chart=daily_chart(
            days,
            [row.opened for row in day_rows],
            [row.completed for row in day_rows],
            width=HALF_WIDTH,
        ),
        funnel=funnel,
        languages=len({row.language for row in rows if row.language}),
    )


def csv_rows(figures: AudienceFigures) -> list[list]:
    """Day-by-day counters, for a spreadsheet: page views per page, then the questionnaire."""
    rows: list[list] = [[_("Jour"), _("Page"), _("Langue"), _("Vues")]]
    series_by_page = {}
    for row in figures.pages:
        series_by_page[row.page_id] = row
    views = PageViewCount.objects.filter(
        day__gte=figures.window.start, day__lte=figures.window.end
    ).order_by("day", "page_id")
    for day, pid, count in views.values_list("day", "page_id", "views"):
        page = series_by_page.get(pid)
        rows.append([day.isoformat(), page.title if page else pid, page.language if page else "",
                     count])  # fmt: skip
    funnel = figures.funnel
    if funnel.page is not None:
        rows.append([])
        header = [_("Jour"), _("Questionnaire"), _("Affiché")]
        header += [_("Écran %(number)s envoyé") % {"number": step.number} for step in funnel.steps]
        rows.append(header)
        opened = {row.day: row.opened for row in figures.days}
        for day in figures.window.days:
            sent = funnel.per_day.get(day, {})
            if not opened.get(day) and not sent:
                continue
            rows.append(
                [day.isoformat(), funnel.page.title, opened.get(day, 0),
                 *[sent.get(step.number, 0) for step in funnel.steps]]
            )  # fmt: skip
    return rows
