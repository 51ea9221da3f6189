"""The public questionnaire: a few server-side steps that work without JavaScript.

Every POST carries a signed step token (which screen, which draft, when the visitor started,
and on the last screen a one-time nonce) and, once a draft exists, the draft's capability token.
A tampered or expired token gets a French explanation, never a 500.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from audience import services as audience_counters
from audience.attribution import Attribution
from audience.visitors import is_audience
from audits import services, spam
from audits.form_builder import AuditFormBuilder
from audits.models import AuditDraft, AuditPage, RejectionReason
from audits.steps import (
    MAX_STEPS,
    Step,
    answers_as_data,
    build_form_class,
    condition_hint,
    split_steps,
    step_of,
    visible_items,
)
from calendar_sync.links import booking_url

STEP_FIELD = "etape"
DRAFT_FIELD = "brouillon"
ACTION_FIELD = "action"
SIGNING_SALT = "audits.questionnaire.step"


class BadToken(Exception):
    """A step or draft token that is not ours, or no longer valid."""


class QuestionnaireFlow:
    template = "audits/audit_page.html"
    problem_template = "audits/problem.html"

    def __init__(self, page: AuditPage, request, *, preview: bool = False):
        self.page = page
        self.request = request
        self.preview = preview
        self.items = list(page.get_form_fields())
        self.steps: list[Step] = split_steps(self.items, page.title)[:MAX_STEPS]
        self.builder = AuditFormBuilder(self.items)
        self._all_fields = None
        self.fields_by_name = {item.clean_name: item for item in self.items if not item.is_layout}
        # Where the visitor came from: read from the landing URL, then carried in the signed
        # step token and the draft (no cookie).
        self.attribution = Attribution()

    @property
    def all_fields(self):
        if self._all_fields is None:
            self._all_fields = self.builder.formfields
        return self._all_fields

    # --- Tokens -------------------------------------------------------------------------------

    def sign_step(
        self, index: int, draft: AuditDraft | None, started: float, nonce: str = ""
    ) -> str:
        payload = {"p": self.page.pk, "s": index, "d": draft.pk if draft else None, "t": started}
        if nonce:
            payload["n"] = nonce
        if self.attribution:
            payload["a"] = self.attribution.as_payload()
        return signing.dumps(payload, salt=SIGNING_SALT, compress=True)

    def read_step(self, value: str) -> dict[str, Any]:
        max_age = settings.AUDIT_DRAFT_DAYS * 24 * 3600
        try:
            payload = signing.loads(value or "", salt=SIGNING_SALT, max_age=max_age)
        except (signing.BadSignature, ValueError, TypeError) as exc:
            raise BadToken from exc
        if not isinstance(payload, dict) or payload.get("p") != self.page.pk:
            raise BadToken
        index = payload.get("s")
        if not isinstance(index, int) or not 0 <= index < len(self.steps):
            raise BadToken
        if not isinstance(payload.get("t"), int | float):
            raise BadToken
        return payload

    # --- Entry points -------------------------------------------------------------------------

    def dispatch(self):
        if self.request.method == "POST":
            return self.handle_post()
        self.attribution = Attribution.from_query(self.request.GET)
        return self.render_step(0)

    def resume(self, raw: str):
        draft = services.resolve_draft(self.page, raw)
        if draft is None:
            return self.problem(
                _("Ce lien de reprise n'est plus valable"),
                _(
                    "Il a expiré, a déjà servi à envoyer vos réponses, ou il est incomplet. "
                    "Vous pouvez recommencer le questionnaire : il ne prend que 2 à 3 minutes."
                ),
                status=404,
            )
        self.attribution = Attribution.from_payload(draft.attribution)
        return self.render_step(draft.step, draft=draft, raw_draft=raw)

    # --- POST ---------------------------------------------------------------------------------

    def handle_post(self):
        request = self.request
        if spam.honeypot_filled(request):
            spam.count_rejection(self.page, RejectionReason.HONEYPOT)
            return HttpResponseRedirect(self.page.url + self.page.reverse_subpage("thanks"))
        try:
            token = self.read_step(request.POST.get(STEP_FIELD, ""))
        except BadToken:
            return self.problem(
                _("Ce formulaire a été modifié ou a expiré"),
                _(
                    "Nous n'avons pas pu reconnaître l'étape envoyée. Si vous aviez commencé, "
                    "utilisez votre lien de reprise ; sinon, recommencez le questionnaire."
                ),
                status=400,
            )

        # A second POST of the final screen (double click, reload): show the first result.
        existing = services.find_by_nonce(token.get("n"))
        if existing is not None:
            return self.redirect_to_results(services.issue_results_link(existing))

        draft, raw_draft = None, request.POST.get(DRAFT_FIELD, "")
        if token.get("d") is not None:
            draft = services.resolve_draft(self.page, raw_draft)
            if draft is None or draft.pk != token["d"]:
                return self.problem(
                    _("Ce questionnaire en cours n'est plus disponible"),
                    _(
                        "Le lien de votre brouillon est invalide ou a expiré (les réponses non "
                        "envoyées sont gardées %(days)s jours). Recommencez le questionnaire : "
                        "il ne prend que 2 à 3 minutes."
                    )
                    % {"days": settings.AUDIT_DRAFT_DAYS},
                    status=400,
                )

        if spam.rate_limited(request, group="steps", rate=settings.AUDIT_RATE_LIMIT_STEPS):
            return self.rate_limited()
        self.attribution = Attribution.from_payload(token.get("a")) or (
            Attribution.from_payload(draft.attribution) if draft else Attribution()
        )

        index = token["s"]
        answers = dict(draft.answers) if draft else {}
        started = float(token["t"])
        action = request.POST.get(ACTION_FIELD, "next")
        form = self.step_form(index, answers, data=request.POST)

        if action in ("back", "save"):
            form.is_valid()  # keep what is already right on this screen
            answers.update(self.valid_partial(form))
            target = max(index - 1, 0) if action == "back" else index
            draft, new_raw = services.save_draft(
                self.page, draft, answers=answers, step=target,
                started_at=self.started_at(started), attribution=self.attribution,
            )  # fmt: skip
            raw_draft = new_raw or raw_draft
            if action == "save":
                return self.render_saved(draft, raw_draft)
            return self.render_step(target, draft=draft, raw_draft=raw_draft, answers=answers)

        if not form.is_valid():
            return self.render_step(
                index, draft=draft, raw_draft=raw_draft, answers=answers, form=form,
                started=started, nonce=token.get("n", ""),
            )  # fmt: skip
        answers.update(form.cleaned_data)
        self.drop_irrelevant(answers)

        if index < len(self.steps) - 1:
            # Back and forth between screens counts each screen once.
            first_time = index + 1 > (draft.furthest_step if draft else 0)
            draft, new_raw = services.save_draft(
                self.page, draft, answers=answers, step=index + 1,
                started_at=self.started_at(started), attribution=self.attribution,
            )  # fmt: skip
            if first_time:
                self.count_screen_sent(index + 1)
            return self.render_step(
                index + 1, draft=draft, raw_draft=new_raw or raw_draft, answers=answers
            )
        return self.submit(answers, draft, raw_draft, token)

    def submit(self, answers: dict, draft: AuditDraft | None, raw_draft: str, token: dict):
        started = draft.started_at if draft else self.started_at(token["t"])
        last = len(self.steps) - 1
        if spam.too_fast(started):
            spam.count_rejection(self.page, RejectionReason.TOO_FAST)
            return self.render_step(
                last, draft=draft, raw_draft=raw_draft, answers=answers,
                form=self.step_form(last, answers, data=self.request.POST),
                started=token["t"], nonce=token.get("n", ""),
                notice=_(
                    "Vous avez été très rapide ! Vérifiez vos réponses puis envoyez-les à "
                    "nouveau."
                ),
            )  # fmt: skip
        if spam.rate_limited(self.request, group="submit", rate=settings.AUDIT_RATE_LIMIT_SUBMIT):
            return self.rate_limited()

        # Everything again, all screens together: an earlier answer may have become required.
        full_form = self.full_form(answers)
        if not full_form.is_valid():
            first_bad = min(
                (step_of(self.steps, name) or 0 for name in full_form.errors), default=last
            )
            saved_data = answers_as_data(self.all_fields, answers)
            return self.render_step(
                first_bad, draft=draft, raw_draft=raw_draft, answers=answers,
                form=self.step_form(first_bad, answers, data=saved_data),
                started=token["t"], nonce=token.get("n", ""),
                notice=_("Une réponse de cette étape est à compléter avant l'envoi."),
            )  # fmt: skip
        try:
            recorded = services.record_submission(
                self.page, full_form.cleaned_data, nonce=token.get("n"), draft=draft,
                attribution=self.attribution,
            )  # fmt: skip
        except IntegrityError:
            existing = services.find_by_nonce(token.get("n"))
            if existing is None:
                raise
            return self.redirect_to_results(services.issue_results_link(existing))
        self.count_screen_sent(len(self.steps))
        return self.redirect_to_results(recorded.results_token)

    def count_screen_sent(self, number: int) -> None:
        """Audience figures: screen `number` (1-based) sent for the first time; the last one
        means the answers were recorded. Robots and signed-in staff are not counted."""
        if not self.preview and is_audience(self.request):
            audience_counters.record_questionnaire_step(self.page.pk, number)

    # --- Forms --------------------------------------------------------------------------------

    def step_form(self, index: int, answers: dict, *, data=None):
        step = self.steps[index]
        items = visible_items(step, self.steps, answers)
        same_screen = [
            item
            for item in items
            if item.show_if_field and step_of(self.steps, item.show_if_field) == index
        ]
        earlier = {k: v for k, v in answers.items() if step_of(self.steps, k) != index}
        form_class = build_form_class(self.all_fields, items, earlier, same_screen)
        if data is not None:
            return form_class(data, page=self.page, user=self.request.user)
        initial = {
            item.clean_name: answers[item.clean_name]
            for item in items
            if item.clean_name in answers
        }
        return form_class(initial=initial, page=self.page, user=self.request.user)

    def full_form(self, answers: dict):
        items, same_screen = [], []
        for step in self.steps:
            shown = visible_items(step, self.steps, answers)
            items += shown
            same_screen += [
                item
                for item in shown
                if item.show_if_field and step_of(self.steps, item.show_if_field) == step.index
            ]
        form_class = build_form_class(self.all_fields, items, {}, same_screen)
        return form_class(
            answers_as_data(self.all_fields, answers), page=self.page, user=self.request.user
        )

    @staticmethod
    def valid_partial(form) -> dict:
        cleaned = getattr(form, "cleaned_data", {}) or {}
        return {name: value for name, value in cleaned.items() if name not in form.errors}

    def drop_irrelevant(self, answers: dict) -> None:
        """Forget answers to questions whose condition (on another screen) no longer holds."""
        for step in self.steps:
            shown = {item.clean_name for item in visible_items(step, self.steps, answers)}
            for item in step.answer_fields:
                if item.clean_name not in shown:
                    answers.pop(item.clean_name, None)

    @staticmethod
    def started_at(timestamp: float) -> datetime:
        return datetime.fromtimestamp(float(timestamp), tz=UTC)

    # --- Responses ----------------------------------------------------------------------------

    def redirect_to_results(self, raw: str):
        return HttpResponseRedirect(
            self.page.url + self.page.reverse_subpage("results", args=[raw]), status=303
        )

    def resume_url(self, raw_draft: str) -> str:
        path = self.page.url + self.page.reverse_subpage("resume", args=[raw_draft])
        return self.request.build_absolute_uri(path)

    def render_step(
        self,
        index: int,
        *,
        draft: AuditDraft | None = None,
        raw_draft: str = "",
        answers: dict | None = None,
        form=None,
        started: float | None = None,
        nonce: str = "",
        notice: str = "",
    ):
        index = min(max(index, 0), len(self.steps) - 1)
        answers = answers if answers is not None else (dict(draft.answers) if draft else {})
        step = self.steps[index]
        form = form or self.step_form(index, answers)
        if started is None:
            started = draft.started_at.timestamp() if draft else time.time()
        is_last = index == len(self.steps) - 1
        if is_last and not nonce:
            nonce = secrets.token_urlsafe(18)
        bound = {bf.name: bf for bf in form}
        items = []
        for item in visible_items(step, self.steps, answers):
            if item.is_layout:
                items.append({"kind": "info", "item": item})
            elif item.clean_name in bound:
                same_screen = (
                    item.show_if_field and step_of(self.steps, item.show_if_field) == index
                )
                items.append(
                    {
                        "kind": "field",
                        "field": bound[item.clean_name],
                        "item": item,
                        "condition": condition_hint(item, self.fields_by_name)
                        if same_screen
                        else "",
                        "show_if": item.show_if_field if same_screen else "",
                        "show_values": ",".join(sorted(item.condition_values))
                        if same_screen
                        else "",
                        "field_type": item.field_type,
                    }
                )
        context = self.page.get_context(self.request)
        context.update(
            {
                "form": form,
                "items": items,
                "step": step,
                "steps": self.steps,
                "step_number": index + 1,
                "step_count": len(self.steps),
                "progress": round(100 * index / max(len(self.steps), 1)),
                "is_first": index == 0,
                "is_last": is_last,
                "step_token": self.sign_step(index, draft, started, nonce if is_last else ""),
                "raw_draft": raw_draft if draft else "",
                "resume_url": self.resume_url(raw_draft) if draft and raw_draft else "",
                "honeypot_field": spam.HONEYPOT_FIELD,
                "notice": notice,
                "draft_days": settings.AUDIT_DRAFT_DAYS,
                "preview": self.preview,
                "privacy_url": privacy_page_url() if is_last else None,
            }
        )
        return TemplateResponse(self.request, self.template, context)

    def render_saved(self, draft: AuditDraft, raw_draft: str):
        context = self.page.get_context(self.request)
        context.update(
            {
                "resume_url": self.resume_url(raw_draft),
                "expires_at": draft.expires_at,
                "step_number": draft.step + 1,
                "step_count": len(self.steps),
            }
        )
        return TemplateResponse(self.request, "audits/draft_saved.html", context)

    def problem(self, title: str, text: str, *, status: int):
        context = self.page.get_context(self.request)
        context.update({"problem_title": title, "problem_text": text})
        return TemplateResponse(self.request, self.problem_template, context, status=status)

    def rate_limited(self):
        spam.count_rejection(self.page, RejectionReason.RATE_LIMITED)
        return self.problem(
            _("Trop d'envois depuis votre connexion"),
            _(
                "Par précaution, nous limitons le nombre d'envois depuis une même adresse. "
                "Réessayez dans une heure, ou écrivez-nous directement."
            ),
            status=429,
        )


def privacy_page_url() -> str | None:
    """The published privacy policy (slug "confidentialite"), linked next to the consents."""
    from wagtail.models import Page

    privacy = Page.objects.live().filter(slug="confidentialite").first()
    return privacy.url if privacy else None


def results_view(page: AuditPage, request, raw: str):
    submission = services.resolve_results(page, raw)
    context = page.get_context(request)
    if submission is None:
        context.update(
            {
                "problem_title": _("Ce lien vers vos résultats n'est plus valable"),
                "problem_text": _(
                    "Il a expiré ou il est incomplet. Vos réponses sont bien enregistrées : "
                    "écrivez-nous pour recevoir un nouveau lien, ou refaites le questionnaire."
                ),
            }
        )
        return TemplateResponse(request, "audits/problem.html", context, status=404)
    engagement = submission.engagement
    context.update(
        {
            "submission": submission,
            "summary": services.results_summary(submission),
            "organisation_name": submission.form_data.get("organisation_name", ""),
            "booking_url": (
                booking_url(engagement, language=get_language()) if engagement else None
            ),
            "submitted_at": submission.submit_time or timezone.now(),
        }
    )
    response = TemplateResponse(request, "audits/results.html", context)
    # A capability URL: keep it out of shared caches and other sites' Referer headers.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
