"""Spam: honeypot (silent), minimum time and rate limit (unless SPAM_PROTECTION is off);
rejections are counted, never stored as leads."""

import pytest

from audits.models import AuditSubmission, RejectionReason, SpamRejection
from pipeline.models import Engagement, Notification, Organisation
from tests.audits.helpers import submit_questionnaire, valid_answers

pytestmark = pytest.mark.django_db


def rejected(reason):
    return sum(SpamRejection.objects.filter(reason=reason).values_list("count", flat=True))


def no_lead():
    return not (
        AuditSubmission.objects.exists()
        or Organisation.objects.exists()
        or Engagement.objects.exists()
        or Notification.objects.exists()
    )


@pytest.mark.parametrize("protection", [True, False])
def test_filled_honeypot_is_dropped_silently_even_with_protection_off(
    client, demo_site, settings, protection
):
    """A robot filling the hidden field sees a thank-you page; nothing is stored, one count."""
    settings.SPAM_PROTECTION = protection
    response = submit_questionnaire(client, valid_answers(hp_reference="http://spam.example"))
    assert response.status_code == 302
    assert response["Location"].endswith("/audit/merci/")
    assert client.get(response["Location"]).status_code == 200
    assert no_lead()
    assert rejected(RejectionReason.HONEYPOT) == 1


def test_too_fast_submission_is_refused_with_a_french_message(client, demo_site, settings):
    """Sent faster than AUDIT_MIN_SUBMIT_SECONDS: asked to check and send again; counted."""
    settings.AUDIT_MIN_SUBMIT_SECONDS = 60
    response = submit_questionnaire(client)
    assert response.status_code == 200
    assert "Vous avez été très rapide" in response.content.decode()
    assert no_lead()
    assert rejected(RejectionReason.TOO_FAST) == 1


def test_minimum_time_is_off_when_spam_protection_is_off(client, demo_site, settings):
    """SPAM_PROTECTION=off (load tests) disables the minimum time."""
    settings.AUDIT_MIN_SUBMIT_SECONDS = 60
    settings.SPAM_PROTECTION = False
    assert submit_questionnaire(client).status_code == 303


def test_rate_limit_per_address_refuses_in_french_and_counts(client, demo_site, settings):
    """Past the limit of submissions per address: 429 with a French page; counted."""
    settings.AUDIT_RATE_LIMIT_SUBMIT = "2/h"
    for n in range(2):
        answers = valid_answers(email=f"p{n}@asso{n}.fr", organisation_name=f"Asso {n}")
        assert submit_questionnaire(client, answers).status_code == 303
    response = submit_questionnaire(client, valid_answers(email="p3@asso3.fr"))
    assert response.status_code == 429
    assert "Trop d" in response.content.decode()
    assert AuditSubmission.objects.count() == 2
    assert rejected(RejectionReason.RATE_LIMITED) == 1
    # Another address is not affected.
    other = submit_questionnaire(
        client.__class__(REMOTE_ADDR="10.0.0.9"), valid_answers(email="x@asso9.fr")
    )
    assert other.status_code == 303


def test_rate_limit_is_off_when_spam_protection_is_off(client, demo_site, settings):
    """SPAM_PROTECTION=off disables the rate limits too."""
    settings.AUDIT_RATE_LIMIT_SUBMIT = "1/h"
    settings.SPAM_PROTECTION = False
    for n in range(3):
        answers = valid_answers(email=f"p{n}@asso{n}.fr", organisation_name=f"Asso {n}")
        assert submit_questionnaire(client, answers).status_code == 303
