"""Demo audience figures and campaign attribution (idempotent), so that `make run` shows the
audience page and the reports by source with something in them."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from audience.models import PageViewCount, QuestionnaireStepCount
from audits.steps import split_steps

DEMO_DAYS = 60
# (utm_source, utm_medium, utm_campaign, landing page slug) given to demo engagements in turn.
DEMO_ATTRIBUTIONS = (
    ("lettre-info", "email", "printemps-souverainete", "collectivites"),
    ("mastodon", "social", "printemps-souverainete", "associations"),
    ("", "", "", "cooperatives"),
    ("partenaire-ademe", "referral", "salon-des-maires", "collectivites"),
    ("lettre-info", "email", "printemps-souverainete", "associations"),
    ("", "", "", ""),
    ("linkedin", "social", "entreprises-cloud-act", "entreprises"),
)


@transaction.atomic
def load(home, audit_page, *, today: datetime.date | None = None) -> None:
    _attribute_demo_engagements(home)
    if PageViewCount.objects.exists():
        return
    today = today or timezone.localdate()
    rng = random.Random(2027)  # noqa: S311 - demo figures, the same on every machine
    pages = list(Page.objects.descendant_of(home, inclusive=True).live().order_by("path"))
    weights = {page.pk: _weight(page, home, audit_page) for page in pages}
    steps = len(split_steps(list(audit_page.get_form_fields()), audit_page.title))
    views, step_counts = [], []
    for offset in range(DEMO_DAYS):
        day = today - datetime.timedelta(days=offset)
        weekday_factor = 0.55 if day.weekday() >= 5 else 1.0
        campaign_boost = 1.8 if 18 <= offset <= 24 else 1.0  # the spring newsletter
        for page in pages:
            mean = weights[page.pk] * weekday_factor * campaign_boost
            count = max(0, round(rng.gauss(mean, mean * 0.25)))
            if count:
                views.append(PageViewCount(page=page, day=day, views=count))
            if page.pk == audit_page.pk and count:
                remaining = count
                for step in range(1, steps + 1):
                    remaining = round(remaining * rng.uniform(0.62, 0.9))
                    if remaining <= 0:
                        break
                    step_counts.append(
                        QuestionnaireStepCount(page=page, day=day, step=step, count=remaining)
                    )
    PageViewCount.objects.bulk_create(views)
    QuestionnaireStepCount.objects.bulk_create(step_counts)


def _weight(page, home, audit_page) -> float:
    if page.pk == home.pk:
        return 60.0
    if page.pk == audit_page.pk:
        return 14.0
    if page.specific_class.__name__ == "CampaignPage":
        return 22.0
    if page.specific_class.__name__ == "StandardPage":
        return 1.5
    return 6.0


def _attribute_demo_engagements(home) -> None:
    from pipeline.models import Engagement

    demo = Engagement.objects.filter(source="Démo")
    if demo.exclude(utm_source="").exists():  # done on an earlier run
        return
    pages = {page.slug: page.pk for page in Page.objects.child_of(home)}
    engagements = demo.order_by("created_at", "pk")
    for index, engagement in enumerate(engagements):
        source, medium, campaign, slug = DEMO_ATTRIBUTIONS[index % len(DEMO_ATTRIBUTIONS)]
        Engagement.objects.filter(pk=engagement.pk).update(
            utm_source=source,
            utm_medium=medium,
            utm_campaign=campaign,
            landing_page_id=pages.get(slug),
        )
