"""The demo's roadmaps: three contrasting organisations whose drafts differ as the rules say."""

from io import StringIO

import pytest
from django.core.management import call_command

from pipeline import demo
from pipeline.models import Engagement, Roadmap, RoadmapItemStatus
from pipeline.stages import Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_roadmaps(db):
    """load_demo once per test (it takes a while, so the rules are checked in few tests).

    Function scope on purpose: a module-scoped transaction would stay open while other tests run
    in the same worker, and block PostgreSQL's TRUNCATE and the live server's connections."""
    call_command("load_demo", stdout=StringIO())
    return {
        r.engagement.organisation.name: r
        for r in Roadmap.objects.select_related("engagement__organisation")
    }


def steps(roadmap):
    return {
        item.usage.slug: item
        for item in roadmap.items.select_related("usage", "target_tool", "host")
        if item.usage and item.current_tool_id
    }


EXPECTED_STEPS = [  # organisation, usage, target tool, hosting, phase
    # A small commune: La Suite territoriale and the State's instances.
    (demo.SMALL_COMMUNE_ON_GOOGLE, "visio", "la-suite-meet", "etat", 1),
    (demo.SMALL_COMMUNE_ON_GOOGLE, "chat", "tchap", "etat", 2),
    (demo.SMALL_COMMUNE_ON_GOOGLE, "email", "la-suite-messages", "etat", 4),
    # An association with health data: open tools, data at an HDS-certified host.
    (demo.ASSOCIATION_WITH_HEALTH_DATA, "visio", "la-suite-meet", "lasuite-coop", 1),
    (demo.ASSOCIATION_WITH_HEALTH_DATA, "chat", "element-matrix", "lasuite-coop", 2),
    (demo.ASSOCIATION_WITH_HEALTH_DATA, "files", "la-suite-drive", "scalingo", 3),
    (demo.ASSOCIATION_WITH_HEALTH_DATA, "email", "bluemind", "scalingo", 4),
    # A cooperative half on free tools: keeps them, moves the rest to the cooperative host.
    (demo.COOPERATIVE_HALF_FREE, "visio", "jitsi-meet", "", 1),
    (demo.COOPERATIVE_HALF_FREE, "documents", "la-suite-docs", "lasuite-coop", 2),
    (demo.COOPERATIVE_HALF_FREE, "email", "bluemind", "lasuite-coop", 4),
]


def test_demo_roadmaps_follow_the_rules(demo_roadmaps):
    """Target tool, hosting and phase of each demo organisation's steps, by profile. Commune:
    domain name and La Suite territoriale first; association: HDS and a slow pace; cooperative:
    free tools kept as done, a short calendar. Every roadmap stage has its roadmap."""
    mismatches = []
    for organisation, usage, target, hosting, phase in EXPECTED_STEPS:
        item = steps(demo_roadmaps[organisation])[usage]
        where = "etat" if item.state_instance else (item.host.slug if item.host else "")
        if (item.target_tool.slug, where, item.phase) != (target, hosting, phase):
            mismatches.append((organisation, usage, item.target_tool.slug, where, item.phase))
    assert not mismatches
    check_profiles_differ(demo_roadmaps)
    check_stages_covered(demo_roadmaps)


def check_profiles_differ(demo_roadmaps):
    commune = demo_roadmaps[demo.SMALL_COMMUNE_ON_GOOGLE]
    association = demo_roadmaps[demo.ASSOCIATION_WITH_HEALTH_DATA]
    cooperative = demo_roadmaps[demo.COOPERATIVE_HALF_FREE]

    titles = list(commune.items.values_list("title", flat=True))
    assert any("Nom de domaine" in t for t in titles)
    assert any("La Suite territoriale" in t for t in titles)
    assert "HDS" not in commune.vigilance
    assert commune.items.filter(host__slug="framasoft").exists()  # zero budget: forms at Framasoft

    assert "HDS" in association.vigilance
    assert association.items.filter(phase=0, host__slug="scalingo").exists()
    assert not association.items.filter(state_instance=True).exists()
    assert association.pace == "tout_doucement"

    kept = cooperative.items.filter(note__contains="Cloud Act", status=RoadmapItemStatus.DONE)
    assert set(kept.values_list("usage__slug", flat=True)) == {"visio", "chat", "files"}

    def months(roadmap):
        last = max(roadmap.items.values_list("target_month", flat=True))
        start = roadmap.start_date
        return (last.year - start.year) * 12 + last.month - start.month

    assert months(cooperative) < months(commune) < months(association)


def check_stages_covered(demo_roadmaps):
    """Every engagement in a roadmap stage has one; published ones are sent and followed."""
    for engagement in Engagement.objects.filter(
        stage__in=[Stage.ROADMAP_DRAFT, Stage.ROADMAP_SHARED, Stage.IN_TRANSITION, Stage.COMPLETED]
    ):
        assert Roadmap.objects.filter(engagement=engagement).exists(), engagement
    commune = demo_roadmaps[demo.SMALL_COMMUNE_ON_GOOGLE]
    assert commune.is_published and commune.engagement.stage == Stage.IN_TRANSITION
    assert commune.items.filter(status=RoadmapItemStatus.DONE).exists()
    assert commune.items.filter(comments__isnull=False).exists()
    assert not demo_roadmaps[demo.ASSOCIATION_WITH_HEALTH_DATA].is_published
    assert set(Engagement.objects.values_list("stage", flat=True)) == set(Stage.values)
