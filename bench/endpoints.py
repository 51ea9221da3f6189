"""What `make bench` measures: every endpoint of the issue, found in the loaded data.

Runs inside Django (the bench process calls django.setup() with the bench settings). A missing
endpoint is an error, not a blank line in the table: the data the bench loads must provide it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.fixtures import Links

# A browser's signature: this view is counted by the audience counters (wrk sends no user
# agent, which they take for a robot); compare with "campaign page" for the counting cost.
BROWSER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
ADMIN_USER = "bench-consultant-1"


@dataclass
class Endpoint:
    name: str
    path: str
    method: str = "GET"  # "FLOW": the questionnaire, walked screen by screen (bench.flow)
    headers: dict[str, str] = field(default_factory=dict)
    login_as: str | None = None
    note: str = ""
    # Endpoints of one group are measured one after the other after a single run of the bare
    # view; a group checked by a target is measured `rounds` times and the medians kept.
    group: str = ""
    rounds: int = 1
    # wrk connections for this endpoint and its group's bare-view run (default: --connections)
    connections: int | None = None

    def client_headers(self) -> dict[str, str]:
        """The same headers for Django's test client (counting queries in-process)."""
        return {"HTTP_" + k.upper().replace("-", "_"): v for k, v in self.headers.items()}


class MissingEndpoint(RuntimeError):
    pass


def _page_url(model_label: str) -> str:
    from django.apps import apps

    page = apps.get_model(model_label).objects.live().order_by("path").first()
    if page is None:
        raise MissingEndpoint(f"no live {model_label}: did load_demo run?")
    return page.url


def _admin_path(name: str, *args) -> str:
    """Admin routes by name (pipeline/wagtail_hooks.py), so a moved URL breaks loudly."""
    from django.urls import reverse

    return reverse(name, args=args)


def _require(value, what: str):
    if not value:
        raise MissingEndpoint(f"no {what} in the loaded data")
    return value


def _validators(path: str) -> tuple[str, str]:
    """The feed's ETag and Last-Modified, as a calendar client keeps them."""
    from django.test import Client

    response = Client().get(path)
    if response.status_code != 200:
        raise MissingEndpoint(f"ICS feed answered {response.status_code}")
    return response["ETag"], response["Last-Modified"]


def discover(links: Links) -> list[Endpoint]:
    from pipeline.models import Engagement
    from pipeline.random_data import RANDOM_SOURCE

    campaign = _page_url("cms.CampaignPage")
    questionnaire = _page_url("audits.AuditPage")
    engagement = (
        Engagement.objects.filter(source=RANDOM_SOURCE, owner__username=ADMIN_USER)
        .order_by("pk")
        .first()
    )
    engagement = _require(engagement, "random engagement of the bench consultant")
    feed = _require(links.feed, "consultant calendar")
    etag, last_modified = _validators(feed)
    admin = {"login_as": ADMIN_USER}
    # The ICS target compares latencies: one connection, so that a request never waits
    # behind another and the p50 is what one request costs (its bare view run the same way).
    ics = {"group": "ics", "rounds": 5, "connections": 1}
    return [
        Endpoint("baseline (bare Django view)", "/bench/baseline/"),
        Endpoint("home", "/"),
        Endpoint("campaign page", campaign, note="anonymous, page cache", rounds=5),
        Endpoint(
            "campaign page, counted visitor",
            campaign,
            headers={"User-Agent": BROWSER_AGENT},
            note="browser user agent: audience counters",
        ),
        Endpoint("article list", _page_url("cms.ArticleIndexPage")),
        Endpoint("questionnaire GET", questionnaire, note="first screen"),
        Endpoint("questionnaire", questionnaire, method="FLOW"),
        Endpoint("results page", _require(links.results, "questionnaire submission")),
        Endpoint("booking slots", _require(links.booking, "bookable engagement")),
        Endpoint("board", _admin_path("pipeline_board:index"), **admin),
        Endpoint("list", _admin_path("pipeline_engagements:index"), **admin),
        Endpoint(
            "engagement page",
            _admin_path("pipeline_engagements:inspect", engagement.pk),
            **admin,
        ),
        Endpoint("reports", _admin_path("pipeline_reports:index"), **admin),
        Endpoint(
            "ICS feed (full)",
            feed,
            note=f"{links.feed_events} meetings, body built at each request; 1 connection",
            **ics,
        ),
        Endpoint(
            "ICS feed (304, If-None-Match)",
            feed,
            headers={"If-None-Match": etag},
            note="1 connection",
            **ics,
        ),
        Endpoint(
            "ICS feed (304, If-Modified-Since)",
            feed,
            headers={"If-Modified-Since": last_modified},
            note="1 connection",
            **ics,
        ),
        Endpoint(
            "roadmap page",
            _require(links.roadmap_page, "published roadmap"),
            note=f"{links.roadmap_items} steps",
        ),
        Endpoint(
            "roadmap PDF",
            _require(links.roadmap_pdf, "published roadmap"),
            note="kept in the cache until the roadmap changes",
        ),
    ]
