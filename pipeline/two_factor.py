"""Two-factor authentication (TOTP, django-otp) for staff, required per group by an admin.

An administrator ticks « Double authentification obligatoire » on a group (e.g. Consultants) in
Wagtail's group editor. Members of such a group reach nothing in the admin until they have
enrolled an authenticator app, and must enter a code at each sign-in.
"""

from __future__ import annotations

from io import BytesIO

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail import hooks

REQUIRE_CODENAME = "require_two_factor"
SETUP_URL_NAME = "two_factor_setup"
VERIFY_URL_NAME = "two_factor_verify"


def require_permission() -> Permission:
    """The group permission that switches the requirement on (created on demand)."""
    permission, _ = Permission.objects.get_or_create(
        codename=REQUIRE_CODENAME,
        content_type=ContentType.objects.get_for_model(TOTPDevice),
        defaults={"name": "Double authentification obligatoire"},
    )
    return permission


def is_required_for(user) -> bool:
    """Through group membership only: being superuser does not switch it on by itself."""
    return (
        user.is_authenticated
        and user.groups.filter(permissions__codename=REQUIRE_CODENAME).exists()
    )


def reset_devices(user) -> int:
    """Forget every second factor of `user` (lost phone): if their group requires one, they
    enrol a new one at their next sign-in. Returns how many devices were removed."""
    removed = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        removed += 1
    return removed


class TwoFactorRequiredMiddleware:
    """Keeps members of a 2FA group out of the admin until they are verified with a code."""

    # The icon sprite is fetched by every admin page, the enrolment page included: redirected,
    # it would come back as that page's HTML and be pasted into the page it was meant to decorate.
    EXEMPT = ("login/", "logout/", "password_reset/", "jsi18n/", "securite/", "sprite/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path_info = request.path_info
        if path_info.startswith("/admin/") and not path_info[len("/admin/") :].startswith(
            self.EXEMPT
        ):
            user = getattr(request, "user", None)
            if user is not None and is_required_for(user) and not user.is_verified():
                target = VERIFY_URL_NAME if user_has_device(user) else SETUP_URL_NAME
                return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code à 6 chiffres"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        if not code.isdigit():
            raise forms.ValidationError(_("Le code ne contient que des chiffres."))
        return code


def _safe_next(request) -> str:
    target = request.GET.get("next") or request.POST.get("next") or "/admin/"
    return target if target.startswith("/admin/") and "//" not in target else "/admin/"


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def setup_view(request):
    """Enrol an authenticator app: scan the QR code, then prove it works with one code."""
    if not request.user.is_authenticated:
        return redirect("wagtailadmin_login")
    if user_has_device(request.user) and not request.user.is_verified():
        # Replacing a device needs the current one: a stolen password is not enough.
        return redirect(f"{reverse(VERIFY_URL_NAME)}?next={_safe_next(request)}")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name=_("Application d'authentification"), confirmed=False
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not device.verify_is_allowed()[0]:
            form.add_error("code", _("Trop d'essais : patientez quelques secondes."))
        elif device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
            otp_login(request, device)
            return redirect(_safe_next(request))
        else:
            form.add_error(
                "code", _("Ce code ne correspond pas. Vérifiez l'heure de votre téléphone.")
            )
    return TemplateResponse(
        request,
        "pipeline/two_factor/setup.html",
        {
            "form": form,
            "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 — our own SVG
            "secret": device.bin_key.hex(),
            "next": _safe_next(request),
        },
    )


def verify_view(request):
    """The code asked at each sign-in."""
    if not request.user.is_authenticated:
        return redirect("wagtailadmin_login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        devices = TOTPDevice.objects.filter(user=request.user, confirmed=True)
        if not all(device.verify_is_allowed()[0] for device in devices):
            form.add_error("code", _("Trop d'essais : patientez quelques secondes."))
        else:
            for device in devices:
                if device.verify_token(form.cleaned_data["code"]):
                    otp_login(request, device)
                    return redirect(_safe_next(request))
            form.add_error("code", _("Ce code ne correspond pas ou a expiré."))
    return TemplateResponse(
        request, "pipeline/two_factor/verify.html", {"form": form, "next": _safe_next(request)}
    )


@hooks.register("register_admin_urls")
def register_two_factor_urls():
    return [
        path("securite/2fa/", setup_view, name=SETUP_URL_NAME),
        path("securite/2fa/verifier/", verify_view, name=VERIFY_URL_NAME),
    ]


@hooks.register("register_permissions")
def register_two_factor_permission():
    return Permission.objects.filter(pk=require_permission().pk)
