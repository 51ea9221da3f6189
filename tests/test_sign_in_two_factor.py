"""Two-factor authentication an administrator can require for a group (e.g. Consultants)."""

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from pipeline.services import CONSULTANTS_GROUP
from pipeline.two_factor import require_permission

pytestmark = pytest.mark.django_db


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def required_for_consultants(consultant):
    Group.objects.get(name=CONSULTANTS_GROUP).permissions.add(require_permission())


def test_without_the_requirement_consultants_go_straight_in(client, consultant):
    """By default nothing changes: the admin opens after the password."""
    client.force_login(consultant)
    assert client.get("/admin/").status_code == 200


def test_required_2fa_blocks_the_admin_until_enrolled(
    client, consultant, required_for_consultants, settings
):
    """Once required for Consultants, every admin page leads to enrolment until a code is set."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no waiting between the wrong and the right code
    client.force_login(consultant)
    for url in ("/admin/", "/admin/pipeline/engagements/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/securite/2fa/?next=")

    setup = client.get("/admin/securite/2fa/")
    assert setup.status_code == 200 and "<svg" in setup.content.decode()
    device = TOTPDevice.objects.get(user=consultant)
    wrong = client.post("/admin/securite/2fa/", {"code": "000000", "next": "/admin/"})
    assert "ne correspond pas" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302

    ok = client.post("/admin/securite/2fa/", {"code": current_code(device), "next": "/admin/"})
    assert ok.status_code == 302 and ok["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_icon_sprite_is_served_before_enrolment(client, consultant, required_for_consultants):
    """Admin pages, the enrolment page included, fetch the icon sprite: it stays an SVG sprite
    instead of being redirected to the enrolment page (whose HTML would be pasted in)."""
    client.force_login(consultant)
    response = client.get("/admin/sprite/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")


def test_enrolled_users_enter_a_code_at_each_sign_in(client, consultant, required_for_consultants):
    """A new session asks for the code before the admin opens."""
    device = TOTPDevice.objects.create(user=consultant, name="téléphone", confirmed=True)
    client.force_login(consultant)
    response = client.get("/admin/")
    assert response["Location"].startswith("/admin/securite/2fa/verifier/")
    bad = client.post("/admin/securite/2fa/verifier/", {"code": "12ab56"})
    assert "chiffres" in bad.content.decode()
    client.post("/admin/securite/2fa/verifier/", {"code": current_code(device)})
    assert client.get("/admin/").status_code == 200


def test_next_cannot_send_people_outside_the_admin(client, consultant, required_for_consultants):
    """The redirect after the code only goes to admin pages."""
    device = TOTPDevice.objects.create(user=consultant, name="téléphone", confirmed=True)
    client.force_login(consultant)
    response = client.post(
        "/admin/securite/2fa/verifier/",
        {"code": current_code(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/admin/"


def test_administrators_find_the_switch_in_the_group_editor(client, superuser, consultant):
    """The requirement is a checkbox of the group's permissions in Wagtail's group editor."""
    client.force_login(superuser)
    group = Group.objects.get(name=CONSULTANTS_GROUP)
    page = client.get(f"/admin/groups/edit/{group.pk}/").content.decode()
    assert "Double authentification obligatoire" in page


def test_a_password_alone_cannot_replace_an_enrolled_device(
    client, consultant, required_for_consultants
):
    """Someone with only the password is sent to the code, not to a fresh enrolment."""
    TOTPDevice.objects.create(user=consultant, name="téléphone", confirmed=True)
    client.force_login(consultant)
    response = client.get("/admin/securite/2fa/")
    assert response["Location"].startswith("/admin/securite/2fa/verifier/")
    assert TOTPDevice.objects.filter(user=consultant).count() == 1


def test_reset_two_factor_command_lets_a_user_enrol_again(
    client, consultant, required_for_consultants
):
    """A lost phone: the command removes the devices, the next sign-in asks to enrol again;
    an unknown account is refused with a clear message."""
    from io import StringIO

    from django.core.management import CommandError, call_command

    TOTPDevice.objects.create(user=consultant, name="phone", confirmed=True)
    output = StringIO()
    call_command("reset_two_factor", consultant.username, stdout=output)
    assert "supprimée" in output.getvalue()
    assert not TOTPDevice.objects.filter(user=consultant).exists()
    client.force_login(consultant)
    assert client.get("/admin/")["Location"].startswith("/admin/securite/2fa/")

    call_command("reset_two_factor", consultant.username, stdout=output)
    assert "n'avait aucune" in output.getvalue()
    with pytest.raises(CommandError, match="Aucun compte « personne »"):
        call_command("reset_two_factor", "personne")
