"""The questionnaire in the admin: checks on save, label renames, who sees what, exports."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission

from audits.models import AuditPage, AuditSubmission
from pipeline.models import Engagement
from tests.audits.admin_forms import field_prefix, form_data
from tests.audits.helpers import submit_questionnaire, valid_answers

pytestmark = pytest.mark.django_db


def edit_url(page):
    return f"/admin/pages/{page.pk}/edit/"


def current_form(client, page) -> dict:
    response = client.get(edit_url(page))
    assert response.status_code == 200
    return form_data(response.content.decode())


def publish(client, page, data):
    data = {**data, "action-publish": "action-publish"}
    return client.post(edit_url(page), data)


def test_renaming_labels_in_the_admin_changes_nothing_in_the_pipeline(client, demo_site, superuser):
    """Rewording a question and a choice label keeps the keys and values the pipeline reads."""
    page = demo_site["audit_page"]
    submit_questionnaire(client)
    before = Engagement.objects.get().answers

    client.force_login(superuser)
    data = current_form(client, page)
    org_type = field_prefix(data, "organisation_type")
    data[f"{org_type}-label"] = "Vous êtes plutôt…"
    data[f"{org_type}-choices"] = data[f"{org_type}-choices"].replace(
        "association | Association", "association | Une association loi 1901"
    )
    email = field_prefix(data, "email")
    data[f"{email}-label"] = "Votre adresse électronique"
    response = publish(client, page, data)
    assert response.status_code == 302, response.content.decode()[:3000]

    page = AuditPage.objects.get(pk=page.pk)
    field = page.form_fields.get(maps_to="organisation_type")
    assert field.label == "Vous êtes plutôt…" and field.clean_name == "organisation_type"
    client.logout()
    html = client.get("/audit/").content.decode()
    assert "Une association loi 1901" in html and "Vous êtes plutôt…" in html

    colleague = valid_answers(email="paul@amis-du-velo.fr", contact_name="Paul Martin")
    assert submit_questionnaire(client, colleague).status_code == 303
    after = Engagement.objects.get().answers
    assert after["organisation_type"] == before["organisation_type"] == "association"
    assert after["email"] == "paul@amis-du-velo.fr"
    assert set(after) == set(before)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update({f"{field_prefix(d, 'email')}-maps_to": ""}), "Il manque une question"),
        (
            lambda d: d.update({f"{field_prefix(d, 'role')}-maps_to": "contact_name"}),
            "ne peut servir qu",
        ),
        (
            lambda d: d.update(
                {f"{field_prefix(d, 'headcount')}-choices": "petit | Petit\npetit | Très petit"}
            ),
            "apparaît deux fois",
        ),
        (
            lambda d: d.update(
                {f"{field_prefix(d, 'headcount')}-choices": "très petit | Très petit"}
            ),
            "lettres sans accent",
        ),
        (
            lambda d: d.update({f"{field_prefix(d, 'deadline_date')}-show_if_values": "bientot"}),
            "Valeurs inconnues",
        ),
        (
            lambda d: d.update({f"{field_prefix(d, 'organisation_type')}-show_if_field": "email"}),
            "placée avant",
        ),
    ],
)
def test_admin_refuses_a_questionnaire_the_pipeline_could_not_use(
    client, demo_site, superuser, change, message
):
    """Missing required mapping, duplicate mapping, bad choices or conditions: not saved."""
    page = demo_site["audit_page"]
    client.force_login(superuser)
    data = current_form(client, page)
    change(data)
    response = publish(client, page, data)
    assert response.status_code == 200
    from html import unescape

    assert message in unescape(response.content.decode())


def submissions_url(page):
    return f"/admin/forms/submissions/{page.pk}/"


def test_consultants_see_submissions_marketing_does_not(
    client, demo_site, consultant, marketing_user
):
    """Submissions are personal data: consultants list them, marketing cannot."""
    page = demo_site["audit_page"]
    submit_questionnaire(client)
    client.force_login(consultant)
    listing = client.get(submissions_url(page))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Les Amis du Vélo" in html
    assert "Association" in html  # the label, not the key
    assert submissions_url(page) in client.get("/admin/").content.decode()  # in the menu

    client.force_login(marketing_user)
    assert client.get(submissions_url(page)).status_code in (302, 403)
    assert "Les Amis du Vélo" not in client.get("/admin/forms/").content.decode()


def test_marketing_sees_aggregate_statistics_only(client, demo_site, marketing_user):
    """The statistics page counts answers per choice and per day, without any respondent."""
    submit_questionnaire(client)
    submit_questionnaire(
        client,
        valid_answers(
            email="b@mairie-b.fr", organisation_name="Mairie B",
            organisation_type="commune_intercommunalite",
        ),
    )  # fmt: skip
    client.force_login(marketing_user)
    response = client.get("/admin/questionnaire/statistiques/")
    assert response.status_code == 200
    html = response.content.decode()
    stats = response.context["stats"]
    assert stats.total == 2
    org_type = next(q for q in stats.questions if q.label == "Quel type de structure êtes-vous ?")
    assert {(a.label, a.count) for a in org_type.answers} == {
        ("Association", 1),
        ("Commune / intercommunalité", 1),
    }
    assert "Réunions en visio — Zoom (dont Zoom Webinars)" in html
    for personal in ("Les Amis du Vélo", "jeanne@amis-du-velo.fr", "Jeanne Dupont", "Mairie B"):
        assert personal not in html
    assert sum(n for _, n in stats.per_day) == 2


def test_statistics_need_the_permission(client, demo_site):
    """A staff member without the statistics permission is refused."""
    from pipeline.factories import UserFactory

    user = UserFactory(username="nobody")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get("/admin/questionnaire/statistiques/").status_code in (302, 403)


def test_csv_export_has_readable_answers_and_no_formulas(client, demo_site, consultant):
    """The CSV export shows labels, not keys, and never lets a cell run as a formula."""
    page = demo_site["audit_page"]
    submit_questionnaire(
        client,
        valid_answers(organisation_name='=HYPERLINK("http://evil","x")', role="@SUM(A1)"),
    )
    client.force_login(consultant)
    response = client.get(submissions_url(page) + "?export=csv")
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(content)))
    (row,) = rows
    assert row["Quel type de structure êtes-vous ?"] == "Association"
    assert row["Combien de personnes utilisent vos outils numériques ?"] == "11 à 50"
    assert (
        "Réunions en visio : Zoom (dont Zoom Webinars), Google Meet"
        in row["Quels outils utilisez-vous pour…"]
    )
    assert row["Nom de la structure"].startswith("'=HYPERLINK")
    assert row["Fonction"] == "'@SUM(A1)"
    assert row["Score d'exposition"] == str(AuditSubmission.objects.get().score)


def test_xlsx_export_keeps_formulas_as_text(client, demo_site, consultant):
    """The XLSX export also neutralises formula-like answers."""
    from openpyxl import load_workbook

    page = demo_site["audit_page"]
    submit_questionnaire(client, valid_answers(organisation_name="+33 CMD|' /C calc'!A0"))
    client.force_login(consultant)
    response = client.get(submissions_url(page) + "?export=xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [cell.value for row in workbook.active.iter_rows() for cell in row]
    assert "'+33 CMD|' /C calc'!A0" in values
    assert "Association" in values


def test_editors_preview_the_first_screen(client, demo_site, superuser):
    """Wagtail's preview shows the questionnaire's first screen, marked as a preview."""
    page = demo_site["audit_page"]
    client.force_login(superuser)
    data = current_form(client, page)
    response = client.post(f"/admin/pages/{page.pk}/edit/preview/", data)
    assert response.json()["is_valid"]
    preview = client.get(f"/admin/pages/{page.pk}/edit/preview/?mode=form")
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Étape 1 sur 5" in html and "Aperçu" in html


def test_marketing_can_edit_the_questionnaire_page(client, demo_site, marketing_user):
    """Marketing edits the questions (a draft) even though it cannot read the answers."""
    page = demo_site["audit_page"]
    client.force_login(marketing_user)
    data = current_form(client, page)
    prefix = field_prefix(data, "pace")
    data[f"{prefix}-label"] = "À quel rythme voulez-vous avancer ?"
    response = client.post(edit_url(page), data)  # save draft
    assert response.status_code == 302
    latest = AuditPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert any(f.label == "À quel rythme voulez-vous avancer ?" for f in latest.form_fields.all())
