from datetime import timedelta

import pytest
from django.utils import timezone

from pipeline import tokens
from pipeline.factories import EngagementFactory
from pipeline.models import AccessToken, Engagement

pytestmark = pytest.mark.django_db


def test_a_token_opens_its_object_and_only_its_hash_is_stored():
    """The raw token is ≥128 bits and never stored; its hash opens the engagement."""
    engagement = EngagementFactory()
    raw = tokens.issue("booking", engagement)
    assert len(raw) >= 43  # 32 bytes, URL-safe base64
    assert not AccessToken.objects.filter(token_hash=raw).exists()
    assert tokens.resolve("booking", raw, Engagement) == engagement


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: t + "\r\n",
        lambda t: "",
        lambda t: "../" * 20,
    ],
)
def test_tampered_tokens_open_nothing(tamper):
    """A modified, truncated or malformed token resolves to nothing."""
    raw = tokens.issue("booking", EngagementFactory())
    assert tokens.resolve("booking", tamper(raw), Engagement) is None


def test_tokens_are_scoped_revocable_and_expiring():
    """A token works only for its purpose, stops after revocation or expiry."""
    engagement = EngagementFactory()
    raw = tokens.issue("booking", engagement)
    assert tokens.resolve("roadmap", raw, Engagement) is None
    tokens.revoke_all("booking", engagement)
    assert tokens.resolve("booking", raw, Engagement) is None

    expiring = tokens.issue("booking", engagement, expires_at=timezone.now() + timedelta(hours=1))
    assert tokens.resolve("booking", expiring, Engagement) == engagement
    tokens.expire_all("booking", engagement, timezone.now() - timedelta(seconds=1))
    assert tokens.resolve("booking", expiring, Engagement) is None


def test_last_use_is_recorded_without_a_write_at_every_request(django_assert_num_queries):
    """The first use is recorded; uses within LAST_USE_PRECISION write nothing; a later use
    moves the date again."""
    engagement = EngagementFactory()
    raw = tokens.issue("booking", engagement)
    tokens.resolve("booking", raw, Engagement)
    row = AccessToken.objects.get(object_id=engagement.pk, purpose="booking")
    first_use = row.last_used_at
    assert first_use is not None
    with django_assert_num_queries(2):  # the token, the engagement: no UPDATE
        assert tokens.resolve("booking", raw, Engagement) == engagement
    AccessToken.objects.filter(pk=row.pk).update(last_used_at=first_use - tokens.LAST_USE_PRECISION)
    tokens.resolve("booking", raw, Engagement)
    row.refresh_from_db()
    assert row.last_used_at > first_use
