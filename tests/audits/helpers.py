"""Filling the multi-step questionnaire from tests."""

from __future__ import annotations

import re
from html import unescape

# One dict per screen of the demo questionnaire, all answers valid.
STEP_ANSWERS = [
    {"organisation_type": "association", "headcount": "11_50", "current_suite": "google"},
    {
        "tools_by_usage__email": ["gmail"],
        "tools_by_usage__visio": ["zoom", "google-meet"],
        "tools_by_usage__chat": ["whatsapp"],
        "tools_by_usage__files": ["google-drive"],
        "tools_by_usage__documents": ["aucun"],
    },
    {
        "pain_points": ["dependance_us_cloud_act", "cout"],
        "data_sensitivity": ["donnees_personnelles"],
        "own_domain": "oui",
        "deadline": "pas_urgence",
    },
    {
        "it_capacity": "volontaire_interne",
        "budget": "moins_1000",
        "pace": "progressivement",
        "change_readiness": "mitige",
        "support_needs": ["formation_groupe"],
    },
    {
        "organisation_name": "Les Amis du Vélo",
        "contact_name": "Jeanne Dupont",
        "role": "Coordinatrice",
        "email": "jeanne@amis-du-velo.fr",
        "postcode": "69007",
        "consent_contact": "on",
    },
]


def valid_answers(**overrides) -> dict:
    """Every answer of the demo questionnaire; an override of None removes that answer."""
    data = {}
    for step in STEP_ANSWERS:
        data.update(step)
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def hidden_fields(response) -> dict:
    """The step token and draft token of a rendered screen."""
    html = response.content.decode()
    fields = {}
    for name in ("etape", "brouillon"):
        match = re.search(rf'name="{name}" value="([^"]*)"', html)
        if match:
            fields[name] = unescape(match.group(1))
    return fields


def post_step(client, response, data: dict, *, action: str = "next", url: str = "/audit/"):
    return client.post(url, {**data, **hidden_fields(response), "action": action})


def submit_questionnaire(client, answers: dict | None = None, *, url: str = "/audit/", steps=5):
    """Answer every screen (posting all answers each time; each screen reads its own) and send.

    Returns the final response (a 303 to the results page when all went well)."""
    answers = valid_answers() if answers is None else answers
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    for index in range(steps):
        action = "submit" if index == steps - 1 else "next"
        response = post_step(client, response, answers, action=action, url=url)
        if response.status_code != 200 or index == steps - 1:
            return response
        if response.context and response.context.get("step_number") != index + 2:
            return response  # stayed on a screen with errors
    return response
