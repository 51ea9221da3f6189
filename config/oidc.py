"""Optional OpenID Connect sign-in for staff (a cooperative's Keycloak, a ProConnect-style
provider…), with mozilla-django-oidc. Off unless OIDC_RP_CLIENT_ID is set.

Groups come from a claim (OIDC_GROUPS_CLAIM, default "groups") through OIDC_GROUP_MAP
("claim-value:Group name,…"): someone whose claims map to no group is refused, and the groups
the map manages are kept in sync at every sign-in. Nobody becomes superuser through OIDC.
"""

from __future__ import annotations

import re
import unicodedata
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import Group
from django.http import Http404
from django.urls import path, reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
    OIDCLogoutView,
)
from wagtail.admin.views.account import LogoutView as WagtailLogoutView


class PasserelleOIDCBackend(OIDCAuthenticationBackend):
    def mapped_groups(self, claims) -> set[str]:
        values = claims.get(settings.OIDC_GROUPS_CLAIM) or []
        if isinstance(values, str):
            values = [values]
        mapping = settings.OIDC_GROUP_MAP
        return {mapping[value] for value in values if value in mapping}

    def verify_claims(self, claims) -> bool:
        verified = claims.get("email_verified", True) is not False
        return bool(claims.get("email")) and verified and bool(self.mapped_groups(claims))

    def get_username(self, claims) -> str:
        base = claims.get("preferred_username") or claims["email"].split("@")[0]
        ascii_only = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
        username = re.sub(r"[^\w.@+-]", "", ascii_only)[:140] or "oidc"
        candidate, suffix = username, 1
        while self.UserModel.objects.filter(username=candidate).exists():
            suffix += 1
            candidate = f"{username}{suffix}"
        return candidate

    def create_user(self, claims):
        user = super().create_user(claims)
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        user.first_name = str(claims.get("given_name", user.first_name))[:150]
        user.last_name = str(claims.get("family_name", user.last_name))[:150]
        user.save()
        wanted = self.mapped_groups(claims)
        managed = set(settings.OIDC_GROUP_MAP.values())
        for group in Group.objects.filter(name__in=managed):
            if group.name in wanted:
                user.groups.add(group)
            else:
                user.groups.remove(group)
        return user


def provider_logout_url(request) -> str:
    """Where "Log out" leads someone who signed in through the provider: the provider's own
    logout (OpenID Connect RP-Initiated Logout 1.0), which comes back to our sign-in page, so
    the next person on a shared computer is not signed straight back in."""
    back = settings.SITE_URL + reverse("wagtailadmin_login")
    endpoint = settings.OIDC_OP_LOGOUT_ENDPOINT
    token = request.session.get("oidc_id_token")
    if not endpoint or not token:
        return back
    query = urlencode(
        {
            "id_token_hint": token,
            "post_logout_redirect_uri": back,
            "client_id": settings.OIDC_RP_CLIENT_ID,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def admin_logout(request, *args, **kwargs):
    """Wagtail's "Log out", through the provider for those who signed in with it."""
    if settings.OIDC_ENABLED and request.method == "POST" and request.session.get("oidc_id_token"):
        response = OIDCLogoutView.as_view()(request)
        # As Wagtail does: no fresh session cookie, so public pages stay cacheable.
        response.delete_cookie(
            settings.SESSION_COOKIE_NAME,
            domain=settings.SESSION_COOKIE_DOMAIN,
            path=settings.SESSION_COOKIE_PATH,
        )
        return response
    return WagtailLogoutView.as_view()(request, *args, **kwargs)


def enabled_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


urlpatterns = [
    path(
        "authenticate/",
        enabled_only(OIDCAuthenticationRequestView.as_view()),
        name="oidc_authentication_init",
    ),
    path(
        "callback/",
        enabled_only(OIDCAuthenticationCallbackView.as_view()),
        name="oidc_authentication_callback",
    ),
    path("logout/", enabled_only(OIDCLogoutView.as_view()), name="oidc_logout"),
]
