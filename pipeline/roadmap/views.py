"""The organisation's private roadmap page, reached through a capability link (design.md §5).

Never indexed, never cached (by the page cache or a proxy), the secret URL never sent as
Referer to another site. Forms work without JavaScript and are CSRF-protected.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pipeline import services, tokens
from pipeline.models import Contact, RoadmapItem, RoadmapItemStatus
from pipeline.roadmap import display as roadmap_display
from pipeline.roadmap import links, pdf
from pipeline.roadmap.forms import ItemActionForm, ResendForm

SUCCESS_MESSAGES = {
    "fait": _("Bravo ! L'étape est notée comme faite ; votre consultant·e est prévenu·e."),
    "en-cours": _("C'est noté : l'étape est en cours."),
    "prevue": _("C'est noté : l'étape revient à « prévue »."),
    "commentaire": _("Merci, votre commentaire est envoyé à votre consultant·e."),
}
STATUS_PARAMS = {
    RoadmapItemStatus.DONE: "fait",
    RoadmapItemStatus.IN_PROGRESS: "en-cours",
    RoadmapItemStatus.PLANNED: "prevue",
}


def private(response: HttpResponse) -> HttpResponse:
    """Capability pages: never indexed, never stored by a cache, and the URL (a secret) never
    leaves as Referer. "same-origin" rather than "no-referrer": the latter makes browsers send
    `Origin: null` with our own forms, which CSRF protection rightly refuses."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store, max-age=0"
    return response


def invalid_link(request, status: int = 404) -> HttpResponse:
    return private(
        render(request, "pipeline/roadmap/link_invalid.html", {"form": ResendForm()}, status=status)
    )


def page_context(roadmap, *, token: str = "", preview: bool = False, **extra) -> dict:
    return {
        "d": roadmap_display.build(roadmap),
        "roadmap": roadmap,
        "token": token,
        "preview": preview,
        "actions_open": not preview and roadmap.engagement.stage != "lost",
        **extra,
    }


@never_cache
@require_GET
def page(request, token: str):
    roadmap = links.resolve(token)
    if roadmap is None:
        return invalid_link(request)
    context = page_context(
        roadmap,
        token=token,
        success=SUCCESS_MESSAGES.get(request.GET.get("ok", ""), ""),
    )
    return private(render(request, "pipeline/roadmap/page.html", context))


@never_cache
@require_POST
def item_action(request, token: str, item_id: int):
    roadmap = links.resolve(token)
    if roadmap is None:
        return invalid_link(request)
    item = get_object_or_404(RoadmapItem, pk=item_id, roadmap=roadmap)
    form = ItemActionForm(request.POST)
    error = ""
    if form.is_valid():
        action = form.cleaned_data["action"]
        author = form.cleaned_data["author_name"]
        try:
            if action == "comment":
                services.comment_roadmap_item(
                    roadmap, item, form.cleaned_data["body"], author_name=author
                )
                ok = "commentaire"
            else:
                services.organisation_set_item_status(roadmap, item, action, author_name=author)
                ok = STATUS_PARAMS[RoadmapItemStatus(action)]
        except services.RoadmapError as exc:
            error = str(exc)
        else:
            url = reverse("roadmap:page", args=[token])
            return redirect(f"{url}?ok={ok}#etape-{item.pk}")
    context = page_context(
        roadmap, token=token, failed_item=item.pk, failed_form=form, failed_error=error
    )
    return private(render(request, "pipeline/roadmap/page.html", context, status=400))


@never_cache
@require_GET
def pdf_download(request, token: str):
    roadmap = links.resolve(token)
    if roadmap is None:
        return invalid_link(request)
    return pdf_response(roadmap_display.build(roadmap))


def pdf_response(display) -> HttpResponse:
    response = HttpResponse(pdf.render(display), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf.filename(display)}"'
    return private(response)


@never_cache
@require_http_methods(["GET", "POST"])
def resend(request):
    """ "Send me my link again": the same answer whether the address is known or not."""
    form = ResendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.resend_roadmap_links(form.cleaned_data["email"])
        return private(render(request, "pipeline/roadmap/link_sent.html"))
    status = 400 if request.method == "POST" else 200
    return private(
        render(request, "pipeline/roadmap/link_invalid.html", {"form": form}, status=status)
    )


@never_cache
@require_http_methods(["GET", "POST"])
def opt_out(request, token: str):
    """GET asks (mail scanners follow links), POST stops the digest e-mails."""
    contact = tokens.resolve(links.DIGEST_OPT_OUT, token, Contact)
    if contact is None or contact.erased_at:
        raise Http404
    done = False
    if request.method == "POST":
        services.opt_out_of_roadmap_digests(contact)
        done = True
    return private(
        render(
            request,
            "pipeline/roadmap/opt_out.html",
            {"done": done, "organisation": contact.organisation, "token": token},
        )
    )
