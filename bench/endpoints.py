"""What `make bench` measures: each endpoint found in the loaded data, or marked missing.

Runs inside Django (the bench process calls django.setup() with the bench settings).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Endpoint:
    name: str
    path: str | None
    method: str = "GET"
    body: str | None = None  # urlencoded; "{n}" is replaced by a unique counter per request
    headers: dict[str, str] = field(default_factory=dict)
    login_as: str | None = None
    missing_reason: str = ""

    @property
    def available(self) -> bool:
        return self.path is not None


Finder = Callable[[], Endpoint]
FINDERS: list[Finder] = []


def finder(function: Finder) -> Finder:
    FINDERS.append(function)
    return function


def _page_url(model_label: str) -> str | None:
    from django.apps import apps

    try:
        model = apps.get_model(model_label)
    except LookupError:
        return None
    page = model.objects.live().order_by("path").first()
    return page.url if page else None


def _missing(name: str, reason: str) -> Endpoint:
    return Endpoint(name, None, missing_reason=reason)


@finder
def baseline() -> Endpoint:
    return Endpoint("baseline (bare Django view)", "/bench/baseline/")


@finder
def home() -> Endpoint:
    return Endpoint("home", "/")


@finder
def campaign_page() -> Endpoint:
    url = _page_url("cms.CampaignPage")
    return Endpoint("campaign page", url) if url else _missing("campaign page", "no CampaignPage")


# A browser's signature: this view is counted by the audience counters (wrk sends no user
# agent, which they take for a robot); compare with "campaign page" for the counting cost.
BROWSER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@finder
def campaign_page_counted() -> Endpoint:
    url = _page_url("cms.CampaignPage")
    name = "campaign page, counted visitor"
    if not url:
        return _missing(name, "no CampaignPage")
    return Endpoint(name, url, headers={"User-Agent": BROWSER_AGENT})


@finder
def article_list() -> Endpoint:
    url = _page_url("cms.ArticleIndexPage")
    return Endpoint("article list", url) if url else _missing("article list", "no index page")


@finder
def questionnaire_get() -> Endpoint:
    url = _page_url("audits.AuditPage")
    return Endpoint("questionnaire GET", url) if url else _missing("questionnaire GET", "no page")


@finder
def questionnaire_post() -> Endpoint:
    """Walked by bench.questionnaire_load (multi-step form with signed tokens), not by wrk."""
    url = _page_url("audits.AuditPage")
    if not url:
        return _missing("questionnaire POST", "no page")
    return Endpoint("questionnaire POST", url, method="FLOW")


@finder
def board() -> Endpoint:
    return _admin("board", "pipeline_board")


@finder
def engagement_list() -> Endpoint:
    return _admin("list", "pipeline_list")


@finder
def engagement_page() -> Endpoint:
    return _admin("engagement page", "pipeline_engagement")


@finder
def reports() -> Endpoint:
    return _admin("reports", "pipeline_reports")


def _admin(name: str, key: str) -> Endpoint:
    """Admin pages: the URL comes from bench.urls so it follows the pipeline's routes."""
    from bench import urls

    path = urls.admin_path(key)
    if path is None:
        return _missing(name, "route not found")
    return Endpoint(name, path, login_as="bench-consultant-1")


def discover() -> list[Endpoint]:
    return [find() for find in FINDERS]
