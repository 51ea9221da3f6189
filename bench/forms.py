"""Building the questionnaire POST that wrk replays, with a unique e-mail per request."""

from __future__ import annotations

from urllib.parse import urlencode

from bench.endpoints import Endpoint

CSRF_TOKEN = "b" * 32  # any 32-char secret works when the cookie carries the same value


def questionnaire_post() -> Endpoint:
    from audits.models import AuditPage

    page = AuditPage.objects.live().order_by("path").first()
    if page is None:
        return Endpoint("questionnaire POST", None, missing_reason="no AuditPage")
    data = {"csrfmiddlewaretoken": CSRF_TOKEN}
    for field in page.get_form_fields():
        data[field.clean_name] = sample_value(field)
    body = urlencode(data).replace("%7Bn%7D", "{n}")
    return Endpoint(
        "questionnaire POST",
        page.url,
        method="POST",
        body=body,
        headers={"Cookie": f"csrftoken={CSRF_TOKEN}"},
    )


def sample_value(field) -> str:
    if field.maps_to == "email" or field.field_type == "email":
        return "bench-{n}@example.org"
    if field.field_type == "checkbox":
        return "on"
    if field.field_type in {"radio", "dropdown", "checkboxes", "multiselect"}:
        choices = [c.strip() for c in field.choices.replace(",", "\n").splitlines() if c.strip()]
        return choices[0] if choices else ""
    if field.maps_to == "postcode":
        return "69007"
    return "Bench {n}"
