"""Property-based tests (hypothesis): whatever a visitor or a staff member sends, the answer is
never a server error, and a refused request writes nothing.

The Django test client re-raises any exception a view lets through, so a 500 fails the test.
"""

from urllib.parse import quote

import pytest
from django.apps import apps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendar_sync import links
from calendar_sync.factories import ConsultantCalendarFactory
from pipeline.factories import ContactFactory, EngagementFactory
from pipeline.stages import Stage
from tests.audits.helpers import hidden_fields, valid_answers

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text a hostile or clumsy visitor could type: control characters, CRLF, markup, long runs.
nasty_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "\r\nBcc: victime@example.org",
            "<script>alert(1)</script>",
            '=HYPERLIEN("http://x")',
            "' OR 1=1 --",
            "\x00\x1b[31m",
            "é" * 5000,
            "../../etc/passwd",
            "%0d%0aSet-Cookie:x=1",
        ]
    ),
)
token_text = st.one_of(
    st.text(min_size=0, max_size=120),
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        min_size=43,
        max_size=43,
    ),
)

COUNTED = [
    "audits.AuditSubmission",
    "pipeline.Organisation",
    "pipeline.Contact",
    "pipeline.Engagement",
    "pipeline.Notification",
    "calendar_sync.Meeting",
]


def counts():
    return {label: apps.get_model(label).objects.count() for label in COUNTED}


@pytest.fixture
def booking_engagement(consultant):
    ConsultantCalendarFactory(consultant=consultant)
    engagement = EngagementFactory(owner=consultant, stage=Stage.QUALIFIED)
    ContactFactory(organisation=engagement.organisation)
    return engagement


@EXAMPLES
@given(token=token_text)
def test_any_token_in_a_capability_url_is_a_clean_refusal(client, demo_site, token):
    """Results, resume, booking, manage and feed links with a forged token: 404/400, no write."""
    before = counts()
    quoted = quote(token, safe="") or "x"
    for url in (
        f"/audit/resultats/{quoted}/",
        f"/audit/reprendre/{quoted}/",
        f"/rendez-vous/{quoted}/",
        f"/rendez-vous/gerer/{quoted}/",
        f"/rendez-vous/gerer/{quoted}/annuler/",
        f"/agenda/{quoted}.ics",
    ):
        response = client.get(url)
        assert response.status_code in (400, 404, 410), (url, response.status_code)
        response = client.post(url, {"slot": "20300101T090000Z"})
        assert response.status_code in (400, 403, 404, 405, 410), (url, response.status_code)
    assert counts() == before


@EXAMPLES
@given(
    data=st.dictionaries(
        st.sampled_from([*sorted(valid_answers()), "etape", "brouillon", "action", "honeypot"]),
        st.one_of(nasty_text, st.lists(nasty_text, max_size=4)),
        max_size=12,
    )
)
def test_any_questionnaire_post_is_answered_without_error(client, demo_site, data):
    """Arbitrary fields, values and step tokens: a French page or a redirect, never a 500,
    and nothing is saved unless the submission is complete and valid."""
    before = counts()
    response = client.post("/audit/", data)
    assert response.status_code in (200, 302, 303, 400, 429)
    if response.status_code != 303:
        assert counts() == before


@EXAMPLES
@given(step_data=st.dictionaries(st.sampled_from(sorted(valid_answers())), nasty_text, max_size=8))
def test_any_answer_on_a_real_step_is_handled(client, demo_site, step_data):
    """Starting for real then sending junk on the first screen: a step page, never a 500."""
    first = client.get("/audit/")
    response = client.post("/audit/", {**step_data, **hidden_fields(first), "action": "next"})
    assert response.status_code in (200, 400, 429)


@EXAMPLES
@given(slot=nasty_text, agenda=nasty_text)
def test_any_booking_post_books_at_most_one_meeting(client, booking_engagement, slot, agenda):
    """Junk slots and texts on a real booking link: a clear answer, at most one meeting."""
    url = links.booking_url(booking_engagement).removeprefix("http://testserver")
    response = client.post(url, {"slot": slot, "agenda": agenda})
    assert response.status_code in (200, 302, 303, 400, 409)
    assert apps.get_model("calendar_sync.Meeting").objects.count() <= 1


@EXAMPLES
@given(
    action=st.sampled_from(["note", "move", "lost", "reopen", "assign", "next-action", "add-task",
                            "complete-task", "reopen-task", "inconnue"]),
    data=st.dictionaries(
        st.sampled_from(["text", "to_stage", "reason", "note", "owner", "title", "due_date",
                         "next_action", "next_action_due", "task"]),
        nasty_text,
        max_size=5,
    ),
)  # fmt: skip
def test_any_admin_action_post_is_handled(client, consultant, action, data):
    """Consultants posting junk to engagement actions get a message, never a 500."""
    engagement = EngagementFactory(owner=consultant)
    client.force_login(consultant)
    response = client.post(f"/admin/pipeline/engagements/{engagement.pk}/{action}/", data)
    assert response.status_code in (200, 302, 400, 403, 404, 405)
