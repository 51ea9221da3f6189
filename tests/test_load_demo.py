from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db

COUNTED = [
    "wagtailcore.Page",
    "auth.User",
    "auth.Group",
    "pipeline.Organisation",
    "pipeline.Contact",
    "pipeline.Engagement",
    "pipeline.StageChange",
    "pipeline.Activity",
    "pipeline.Notification",
    "audits.AuditFormField",
]


def counts():
    return {label: apps.get_model(label).objects.count() for label in COUNTED}


def test_load_demo_is_idempotent_and_prints_the_logins():
    """Running load_demo twice gives exactly the same data."""
    output = StringIO()
    call_command("load_demo", stdout=output)
    first = counts()
    call_command("load_demo", stdout=StringIO())
    assert counts() == first
    assert first["pipeline.Organisation"] >= 10
    for username in ("admin", "marketing", "consultant"):
        assert username in output.getvalue()


def test_demo_users_can_sign_in_with_the_demo_password(client):
    """The three demo accounts work with DEMO_PASSWORD's default."""
    call_command("load_demo", stdout=StringIO())
    for username in ("admin", "marketing", "consultant"):
        assert client.login(username=username, password="passerelle-demo")
    assert get_user_model().objects.get(username="admin").is_superuser


def test_demo_covers_every_pipeline_stage():
    """Organisations sit in every stage so the board is not empty anywhere."""
    from pipeline.models import Engagement
    from pipeline.stages import Stage

    call_command("load_demo", stdout=StringIO())
    present = set(Engagement.objects.values_list("stage", flat=True))
    assert present == set(Stage.values)


def test_demo_has_the_questionnaire_in_french_and_english(client):
    """The English home leads to the English translation of the questionnaire, with the same
    questions (same correspondences, same stored values)."""
    from audits.models import AuditPage

    call_command("load_demo", stdout=StringIO())
    french = AuditPage.objects.get(locale__language_code="fr")
    english = AuditPage.objects.get(locale__language_code="en")
    assert english.translation_key == french.translation_key
    shape = lambda page: [  # noqa: E731
        (f.field_type, f.maps_to, [c.split("|")[0].strip() for c in f.choices.splitlines()])
        for f in page.form_fields.order_by("sort_order")
    ]
    assert shape(english) == shape(french)
    assert [f.label for f in english.form_fields.all()] != [
        f.label for f in french.form_fields.all()
    ]
    assert "/en/audit/?depuis=" in client.get("/en/").content.decode()
