"""The permission matrix: every admin URL of Passerelle's own areas, and every capability
(tokenised) URL, for anonymous visitors, Marketing, a consultant, another consultant limited to
their own engagements, and an administrator.

Rules checked for each (URL, role):
- anonymous → the admin sign-in page;
- a role the area is for → the page (never a refusal, never the sign-in page);
- any other role → a refusal (403, 404, or Wagtail's "no permission" redirect), never the page;
- another consultant with PIPELINE_CONSULTANTS_SEE_OWN_ONLY → refused on the first consultant's
  engagements, organisations, contacts, tasks, roadmaps and meetings;
- capability links open for whoever holds them (signed in or not) and 404 once revoked.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from audits.models import AuditPage, AuditSubmission
from calendar_sync import links as calendar_links
from calendar_sync.factories import ConsultantCalendarFactory, MeetingFactory
from pipeline import services, tokens
from pipeline.factories import ConsultantFactory, ContactFactory, EngagementFactory
from pipeline.models import EmailTemplate, Notification, PrivacyLog, TerritoryRule
from pipeline.roadmap import links as roadmap_links
from pipeline.stages import Stage

pytestmark = pytest.mark.django_db

CONSULTANT, MARKETING, ADMIN = "consultant", "marketing", "admin"
# URL prefix → the roles the area is for (administrators reach everything).
AREAS = {
    "admin/pipeline/": {CONSULTANT},
    "admin/calendar/": {CONSULTANT},
    "admin/snippets/audits/": {CONSULTANT},
    "admin/forms/submissions/": {CONSULTANT},
    "admin/questionnaire/": {CONSULTANT, MARKETING},
    "admin/audience/": {CONSULTANT, MARKETING},
    "admin/snippets/cms/": {MARKETING},
    "admin/settings/cms/": {MARKETING},
    "admin/images/": {MARKETING},
    "admin/documents/": {MARKETING},
    "admin/groups/": set(),
    "admin/users/": set(),
}
# Objects of the first consultant that a colleague limited to their own must not open.
OWN_ONLY_NAMESPACES = {
    "pipeline_engagements", "pipeline_organisations", "pipeline_contacts", "pipeline_tasks",
    "pipeline_roadmaps", "pipeline_notifications", "calendar_sync_admin",
}  # fmt: skip
# Actions the pipeline deliberately keeps for administrators (erasure instead of deletion, no
# blank engagement form, territory rules).
ADMIN_ONLY = {("pipeline_organisations", "delete"), ("pipeline_contacts", "delete")}
# Nobody, administrators included: engagements open from a submission or an organisation's
# page and are never deleted (erasure goes through the GDPR tools).
DISABLED = {("pipeline_engagements", "add"), ("pipeline_engagements", "delete")}
# Deleting is for administrators, except what a role owns outright: the campaign site's snippets,
# images and documents (Marketing; Wagtail's collection "change" permission includes deleting)
# and e-mail templates (consultants).
DELETION_ALLOWED = {"pipeline_email_templates"}


def is_admin_only(route: str, namespace: str, name: str) -> bool:
    if (namespace, name) in ADMIN_ONLY:
        return True
    if namespace == "pipeline_territories":
        return name not in {"index", "index_results"}
    if "delete" in (name or ""):
        return namespace not in DELETION_ALLOWED and not route.startswith(
            ("admin/snippets/cms/", "admin/images/", "admin/documents/")
        )
    return False


SKIPPED = ("admin/snippets/choose", "generate_url", "chooser", "/multiple/", "/usage/", "-results/")


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route, entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            yield route, namespace, entry.name


def admin_routes():
    routes = set()
    for route, namespace, name in _walk(get_resolver().url_patterns):
        route = route.lstrip("^")
        if any(route.startswith(prefix) for prefix in AREAS) and not any(
            part in route for part in SKIPPED
        ):
            routes.add((route, namespace, name))
    return sorted(routes)


@pytest.fixture
def world(demo_site, consultant, marketing_user, superuser):
    """One object of each kind, owned by `consultant`, plus a colleague and the capability links."""
    colleague = ConsultantFactory(username="collegue", email="collegue@passerelle.test")
    ConsultantCalendarFactory(consultant=consultant)
    engagement = EngagementFactory(
        owner=consultant,
        stage=Stage.MEETING_HELD,
        answers={"organisation_type": "association", "tools_by_usage": {"visio": ["zoom"]}},
    )
    contact = ContactFactory(organisation=engagement.organisation)
    task = services.add_task(engagement, "Rappeler", user=consultant)
    notification = Notification.objects.create(
        kind="other", idempotency_key="matrix", engagement=engagement,
        recipients=[contact.email], subject="Bonjour",
    )  # fmt: skip
    meeting = MeetingFactory(engagement=engagement, organiser=consultant)
    roadmap = services.generate_roadmap_draft(engagement, user=consultant)
    services.publish_roadmap(roadmap, user=consultant)
    audit_page = AuditPage.objects.live().first()
    submission = AuditSubmission.objects.create(
        page=audit_page, form_data={"email": contact.email}, engagement=engagement
    )
    from audits import services as audits_services

    draft, raw_draft = audits_services.save_draft(
        audit_page, None, answers={}, step=1, started_at=timezone.now()
    )
    feed_raw = calendar_links.new_feed_token(consultant.consultant_calendar)
    ids = {
        "engagement": engagement.pk,
        "organisation": engagement.organisation_id,
        "contact": contact.pk,
        "task": task.pk,
        "notification": notification.pk,
        "meeting": meeting.pk,
        "roadmap": roadmap.pk,
        "territory": TerritoryRule.objects.create(territory="69", consultant=consultant).pk,
        "privacy": PrivacyLog.objects.create(
            action="export", subject_type="contact", subject_id=contact.pk
        ).pk,
        "email_template": EmailTemplate.objects.create(name="R", subject="S", body="B").pk,
        "page": audit_page.pk,
        "document": get_document_model()
        .objects.create(title="Charte", file=ContentFile(b"charte", name="charte.txt"))
        .pk,
        "user": consultant.pk,
        "group": Group.objects.get(name="Consultants").pk,
        "image": get_image_model().objects.order_by("pk").first().pk,
        "site": apps.get_model("wagtailcore.Site").objects.get(is_default_site=True).pk,
    }
    booking = calendar_links.booking_url(engagement)
    meeting_raw = calendar_links.meeting_token(meeting)
    capability = {
        "résultats": (
            f"/audit/resultats/{audits_services.issue_results_link(submission)}/",
            lambda: tokens.revoke_all("audit_results", submission),
        ),
        "reprendre": (
            f"/audit/reprendre/{raw_draft}/",
            lambda: tokens.revoke_all("audit_draft", draft),
        ),
        "réserver": (booking, lambda: tokens.revoke_all("booking", engagement)),
        "gérer le rendez-vous": (
            calendar_links.manage_url(meeting_raw),
            lambda: tokens.revoke_all("meeting", meeting),
        ),
        "flux ICS": (
            calendar_links.feed_url(feed_raw),
            lambda: calendar_links.new_feed_token(consultant.consultant_calendar),
        ),
        "feuille de route": (
            roadmap_links.page_url(roadmap),
            lambda: tokens.revoke_all("roadmap", roadmap),
        ),
    }
    return {
        "users": {
            "anonymous": None, MARKETING: marketing_user, CONSULTANT: consultant,
            "colleague": colleague, ADMIN: superuser,
        },
        "ids": ids,
        "capability": {
            label: (url.removeprefix("http://testserver"), revoke)
            for label, (url, revoke) in capability.items()
        },
    }  # fmt: skip


def concrete(route: str, namespace: str, ids: dict[str, int]) -> str:
    model = {
        "pipeline_engagements": "engagement", "pipeline_organisations": "organisation",
        "pipeline_contacts": "contact", "pipeline_tasks": "task",
        "pipeline_notifications": "notification", "pipeline_territories": "territory",
        "pipeline_privacy": "privacy", "pipeline_roadmaps": "roadmap",
        "pipeline_email_templates": "email_template", "calendar_sync_admin": "meeting",
    }.get(namespace)  # fmt: skip
    snippet = re.match(r"admin/snippets/(\w+)/(\w+)/", route)

    def fill(match):
        converter, name = match.group(1), match.group(2)
        if name in {"pk", "object_id", "document_id", "image_id"}:
            if route.startswith("admin/documents/"):
                return str(ids["document"])
            if route.startswith("admin/images/"):
                return str(ids["image"])
            if route.startswith("admin/users/"):
                return str(ids["user"])
            if route.startswith("admin/groups/"):
                return str(ids["group"])
            if route.startswith("admin/calendar/engagements/"):
                return str(ids["engagement"])
            if snippet:
                model_class = apps.get_model(snippet.group(1), snippet.group(2))
                first = model_class.objects.order_by("pk").first()
                return str(first.pk if first else 1)
            return str(ids.get(model, 1))
        if name == "engagement_pk":
            return str(ids["engagement"])
        if name in {"page_id", "page_pk"}:
            return str(ids["page"])
        if name in {"site_pk", "site_id"}:
            return str(ids["site"])
        if name == "action":
            return "note"
        if name == "fmt":
            return "csv"
        if name in {"app_name", "app_label"}:
            return "cms"
        if name == "model_name":
            return "sitesettings"
        return {"int": "1", "slug": "x", "str": "x", "path": "x"}.get(converter, "x")

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)


def is_login(response) -> bool:
    return response.status_code == 302 and "/admin/login/" in response["Location"]


def is_refusal(response) -> bool:
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and response["Location"] in ("/admin/", "/admin")


def role_may_not_enter(role, route, namespace, name) -> bool:
    if role == "anonymous":
        return True
    area = next(prefix for prefix in AREAS if route.startswith(prefix))
    roles = set() if is_admin_only(route, namespace, name) else AREAS[area]
    if role == "colleague":
        return (namespace in OWN_ONLY_NAMESPACES and "<" in route) or CONSULTANT not in roles
    if (namespace, name) in DISABLED:
        return True
    return role != ADMIN and role not in roles


def test_every_admin_url_for_every_role(client, world, settings):
    """Walks every admin URL of our areas as each of the five roles."""
    settings.PIPELINE_CONSULTANTS_SEE_OWN_ONLY = True
    consultants = Group.objects.get(name="Consultants")
    assert not consultants.permissions.filter(codename="view_all_engagements").exists()
    routes = admin_routes()
    assert len(routes) > 100
    outcomes = Counter()
    problems = []
    for role, user in world["users"].items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for route, namespace, name in routes:
            url = concrete(route, namespace, world["ids"])
            response = client.get(url)
            if response.status_code == 405 and role_may_not_enter(role, route, namespace, name):
                # Action routes answer POST only: a refusal must hold for the POST itself.
                response = client.post(url)
            area = next(prefix for prefix in AREAS if route.startswith(prefix))
            area_roles = set() if is_admin_only(route, namespace, name) else AREAS[area]
            allowed = set() if (namespace, name) in DISABLED else area_roles | {ADMIN}
            if role == "colleague":
                own_only = namespace in OWN_ONLY_NAMESPACES and "<" in route
                allowed = set() if own_only or (namespace, name) in DISABLED else area_roles
                role_key = CONSULTANT
            else:
                role_key = role
            if role == "anonymous":
                expected, ok = "sign-in", is_login(response)
            elif role_key in allowed:
                expected = "allowed"
                ok = not is_login(response) and not is_refusal(response)
                # A 404 on an object the world holds would hide a broken view: only
                # action routes answering GET with 405 count as reachable.
                ok = ok or response.status_code == 405
            else:
                expected, ok = "refused", is_refusal(response)
            outcomes[f"{role} → {expected}"] += 1
            if not ok:
                problems.append((role, expected, url, response.status_code))
    assert not problems, "\n".join(map(str, problems))
    print(f"\n{len(routes)} admin URLs × 5 roles: {dict(outcomes)}")
    assert sum(outcomes.values()) == len(routes) * 5


def test_capability_links_open_for_their_holder_and_die_when_revoked(client, world):
    """A valid link opens its page whoever is signed in; once revoked it is a 404 for all."""
    for role, user in world["users"].items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for label, (url, _revoke) in world["capability"].items():
            assert client.get(url).status_code == 200, (role, label, url)
    for label, (url, revoke) in world["capability"].items():
        revoke()
        for role, user in world["users"].items():
            client.logout()
            if user is not None:
                client.force_login(user)
            assert client.get(url).status_code == 404, (role, label, url)


def test_links_expire_where_that_makes_sense(world):
    """Booking, meeting and results links carry an expiry; revoking is always possible."""
    from pipeline.models import AccessToken

    for purpose in ("booking", "meeting", "audit_results", "audit_draft"):
        rows = AccessToken.objects.filter(purpose=purpose)
        assert rows.exists() and all(r.expires_at for r in rows), purpose
        assert all(r.expires_at > timezone.now() - timedelta(days=1) for r in rows)
