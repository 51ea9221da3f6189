"""Helpers for the roadmap tests: an engagement ready for its roadmap, with answers."""

from __future__ import annotations

import datetime

from pipeline import services
from pipeline.factories import ContactFactory, EngagementFactory, OrganisationFactory
from pipeline.stages import Stage

START = datetime.date(2027, 1, 1)

COMMUNE_ANSWERS = {
    "organisation_type": "commune_intercommunalite",
    "own_domain": "non_adresses_grand_public",
    "current_suite": "google",
    "tools_by_usage": {
        "email": ["gmail"],
        "calendar": ["google-calendar"],
        "visio": ["google-meet"],
        "chat": ["whatsapp"],
        "documents": ["google-docs"],
        "files": ["google-drive"],
    },
    "data_sensitivity": ["publiques_uniquement"],
    "pain_points": ["dependance_us_cloud_act", "cout"],
    "pace": "progressivement",
}


def engagement_for_roadmap(
    consultant, *, answers=None, stage=Stage.MEETING_HELD, name="Mairie de Bellecombe", contacts=1
):
    organisation = OrganisationFactory(
        name=name,
        kind=(answers or COMMUNE_ANSWERS).get("organisation_type", "association"),
        domain="",
    )
    for index in range(contacts):
        ContactFactory(
            organisation=organisation,
            name=f"Contact {index} Dupont",
            email=f"contact{index}@bellecombe.test",
        )
    answers = answers or COMMUNE_ANSWERS
    from audits.services import diagnose

    return EngagementFactory(
        organisation=organisation,
        owner=consultant,
        stage=stage,
        answers=answers,
        score=diagnose(answers).score,
    )


def published_roadmap(consultant, **kwargs):
    engagement = engagement_for_roadmap(consultant, **kwargs)
    roadmap = services.generate_roadmap_draft(engagement, user=consultant, start=START)
    services.publish_roadmap(roadmap, user=consultant)
    roadmap.refresh_from_db()
    return roadmap


def link_from(message) -> str:
    """The path of the roadmap link in an e-mail's text."""
    import re

    match = re.search(r"http://testserver(/feuille-de-route/[A-Za-z0-9_-]+/)", message.body)
    assert match, message.body
    return match.group(1)
