import pytest

from audits.models import AuditSubmission
from tests.audits.helpers import submit_questionnaire

pytestmark = pytest.mark.django_db


def test_smoke(client, demo_site, run_on_commit):
    """smoke"""
    with run_on_commit():
        response = submit_questionnaire(client)
    print(response.status_code, response.get("Location"))
    if response.status_code == 200:
        print(response.context["form"].errors, response.context.get("notice"))
    assert response.status_code == 303
    r = client.get(response["Location"])
    assert r.status_code == 200
    print(AuditSubmission.objects.get().score_details)
