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
