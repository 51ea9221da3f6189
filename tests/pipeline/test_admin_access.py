import pytest
from django.core import mail

from tests.audits.helpers import submit_questionnaire

pytestmark = pytest.mark.django_db

PIPELINE_URLS = [
    "/admin/pipeline/engagements/",
    "/admin/pipeline/organisations/",
    "/admin/pipeline/notifications/",
]


def test_consultant_sees_a_new_submission_in_the_admin(
    client, demo_site, consultant, run_on_commit
):
    """After a visitor submits, the consultant finds the engagement and the alert e-mail."""
    with run_on_commit():
        assert submit_questionnaire(client).status_code == 303
    client.force_login(consultant)
    listing = client.get("/admin/pipeline/engagements/")
    assert listing.status_code == 200
    assert "Les Amis du Vélo" in listing.content.decode()
    notifications = client.get("/admin/pipeline/notifications/")
    assert "Vos réponses à l&#x27;audit" in notifications.content.decode()
    assert {tuple(m.to) for m in mail.outbox} == {
        ("jeanne@amis-du-velo.fr",),
        ("consultant@passerelle.test",),
    }


@pytest.mark.parametrize("url", PIPELINE_URLS)
def test_marketing_cannot_reach_the_pipeline(client, marketing_user, url):
    """Marketing has admin access but no pipeline page."""
    client.force_login(marketing_user)
    response = client.get(url)
    assert response.status_code in (302, 403)
    assert client.get("/admin/").status_code == 200


def test_outbox_rows_cannot_be_created_from_the_admin(client, superuser):
    """Only the application writes the outbox, even for an administrator."""
    client.force_login(superuser)
    assert client.get("/admin/pipeline/notifications/new/").status_code in (302, 403, 404)
