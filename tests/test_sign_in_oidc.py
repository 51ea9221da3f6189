"""Staff can sign in with their organisation's OpenID Connect provider; groups follow claims."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model

from pipeline.roles import ensure_roles
from tests.oidc_stub import OIDCProviderStub

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(settings):
    stub = OIDCProviderStub().start()
    for name, value in stub.settings().items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "config.oidc.PasserelleOIDCBackend",
    ]
    ensure_roles()
    yield stub
    stub.stop()


def sign_in(client, provider, claims):
    provider.claims = claims
    start = client.get("/oidc/authenticate/", {"next": "/admin/"})
    assert start.status_code == 302
    query = parse_qs(urlsplit(start["Location"]).query)
    assert start["Location"].startswith(f"{provider.base}/authorize")
    code = provider.issue_code(query["nonce"][0])
    return client.get("/oidc/callback/", {"code": code, "state": query["state"][0]})


def test_a_consultant_signs_in_and_lands_in_the_consultants_group(client, provider):
    """Claims map to the Consultants group: account created, signed in, admin reachable."""
    response = sign_in(
        client,
        provider,
        {"email": "alix@coop.example", "given_name": "Alix", "family_name": "Roux",
         "groups": ["consultants"]},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/admin/"
    user = get_user_model().objects.get(email="alix@coop.example")
    assert [g.name for g in user.groups.all()] == ["Consultants"]
    assert not user.is_superuser and not user.has_usable_password()
    assert client.get("/admin/").status_code == 200


def test_groups_follow_the_claims_at_each_sign_in(client, provider):
    """Moving someone from consultants to marketing at the provider moves them here too."""
    sign_in(client, provider, {"email": "sam@coop.example", "groups": ["consultants"]})
    client.logout()
    sign_in(client, provider, {"email": "sam@coop.example", "groups": ["marketing"]})
    user = get_user_model().objects.get(email="sam@coop.example")
    assert [g.name for g in user.groups.all()] == ["Marketing"]


def test_someone_without_a_mapped_group_is_refused(client, provider):
    """No mapped group, no account and no session."""
    response = sign_in(client, provider, {"email": "intrus@example.org", "groups": ["autre"]})
    assert response.status_code == 302 and "/admin/" not in response["Location"]
    assert not get_user_model().objects.filter(email="intrus@example.org").exists()
    assert client.get("/admin/").status_code == 302


def test_the_sign_in_page_offers_the_provider_only_when_configured(client, settings):
    """Without OIDC settings there is no button and the OIDC URLs answer 404."""
    settings.OIDC_ENABLED = False
    assert "Se connecter avec" not in client.get("/admin/login/").content.decode()
    assert client.get("/oidc/authenticate/").status_code == 404
    settings.OIDC_ENABLED = True
    assert "Se connecter avec" in client.get("/admin/login/").content.decode()


def test_log_out_also_ends_the_provider_session(client, provider, settings, consultant):
    """Signed in through the provider, "Log out" leads to the provider's logout with the ID
    token and our sign-in page to come back to; signed in with a password, it stays Wagtail's."""
    settings.OIDC_OP_LOGOUT_ENDPOINT = f"{provider.base}/logout"
    sign_in(client, provider, {"email": "alix@coop.example", "groups": ["consultants"]})
    token = client.session["oidc_id_token"]
    response = client.post("/admin/logout/")
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{provider.base}/logout"
    query = parse_qs(target.query)
    assert query["id_token_hint"] == [token]
    assert query["post_logout_redirect_uri"] == [f"{settings.SITE_URL}/admin/login/"]
    assert client.get("/admin/").status_code == 302  # signed out here too

    client.force_login(consultant)
    response = client.post("/admin/logout/")
    assert response.status_code == 302 and response["Location"] == "/admin/login/"
    assert client.get("/admin/").status_code == 302
