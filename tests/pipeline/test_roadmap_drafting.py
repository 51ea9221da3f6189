"""Roadmap drafts follow the rules of domain.md §4, deterministically (table tests)."""

from datetime import date

import pytest

from audits.catalogue_import import load_catalogue_file
from pipeline.roadmap_drafting import (
    HEALTH_HOST,
    MANAGED_HOST,
    STATE_HOSTING,
    Catalogue,
    draft_roadmap,
)

START = date(2027, 1, 15)

COMMUNE_ON_GOOGLE = {
    "organisation_type": "commune_intercommunalite",
    "own_domain": "non_adresses_grand_public",
    "tools_by_usage": {
        "email": ["gmail"],
        "calendar": ["google-calendar"],
        "visio": ["google-meet"],
        "chat": ["whatsapp"],
        "documents": ["google-docs"],
        "files": ["google-drive"],
        "project-management": ["aucun"],
    },
    "data_sensitivity": ["publiques_uniquement"],
    "pace": "progressivement",
}
ASSOCIATION_ON_MICROSOFT_WITH_HEALTH_DATA = {
    "organisation_type": "association",
    "own_domain": "oui",
    "tools_by_usage": {
        "email": ["outlook"],
        "visio": ["microsoft-teams"],
        "chat": ["microsoft-teams"],
        "documents": ["microsoft-word"],
        "files": ["onedrive", "sharepoint"],
        "spreadsheets": ["microsoft-excel"],
    },
    "data_sensitivity": ["sante", "donnees_personnelles"],
    "pace": "tout_doucement",
    "change_readiness": "plutot_reticentes",
}
COOPERATIVE_HALF_FREE = {
    "organisation_type": "cooperative",
    "own_domain": "oui",
    "tools_by_usage": {
        "email": ["gmail"],
        "visio": ["jitsi-meet"],
        "chat": ["element-matrix"],
        "documents": ["google-docs"],
        "files": ["nextcloud"],
        "spreadsheets": ["google-sheets"],
    },
    "data_sensitivity": ["donnees_personnelles"],
    "pace": "rapidement",
    "budget": "moins_1000",
}


@pytest.fixture(scope="module")
def catalogue():
    return Catalogue.from_yaml(load_catalogue_file())


def by_usage(draft):
    return {item.usage: item for item in draft.items if item.usage and item.current_tool}


@pytest.mark.parametrize(
    "answers, usage, target, hosting, phase, month",
    [
        # A commune gets the State and La Suite territoriale instances.
        (COMMUNE_ON_GOOGLE, "visio", "la-suite-meet", STATE_HOSTING, 1, 1),
        (COMMUNE_ON_GOOGLE, "chat", "tchap", STATE_HOSTING, 2, 3),
        (COMMUNE_ON_GOOGLE, "documents", "la-suite-docs", STATE_HOSTING, 2, 3),
        (COMMUNE_ON_GOOGLE, "files", "la-suite-drive", STATE_HOSTING, 3, 6),
        (COMMUNE_ON_GOOGLE, "email", "la-suite-messages", STATE_HOSTING, 4, 12),
        # An association cannot join State instances: open tools, health data at an HDS host,
        # and a slow pace stretches the calendar.
        (ASSOCIATION_ON_MICROSOFT_WITH_HEALTH_DATA, "visio", "la-suite-meet", MANAGED_HOST, 1, 2),
        (ASSOCIATION_ON_MICROSOFT_WITH_HEALTH_DATA, "chat", "element-matrix", MANAGED_HOST, 2, 6),
        (
            ASSOCIATION_ON_MICROSOFT_WITH_HEALTH_DATA,
            "documents",
            "la-suite-docs",
            HEALTH_HOST,
            2,
            6,
        ),
        (ASSOCIATION_ON_MICROSOFT_WITH_HEALTH_DATA, "files", "la-suite-drive", HEALTH_HOST, 3, 12),
        (ASSOCIATION_ON_MICROSOFT_WITH_HEALTH_DATA, "spreadsheets", "grist", HEALTH_HOST, 3, 12),
        (ASSOCIATION_ON_MICROSOFT_WITH_HEALTH_DATA, "email", "bluemind", HEALTH_HOST, 4, 24),
        # A cooperative in a hurry: compressed calendar, open tools hosted by the cooperative.
        (COOPERATIVE_HALF_FREE, "documents", "la-suite-docs", MANAGED_HOST, 2, 2),
        (COOPERATIVE_HALF_FREE, "spreadsheets", "grist", MANAGED_HOST, 3, 3),
        (COOPERATIVE_HALF_FREE, "email", "bluemind", MANAGED_HOST, 4, 6),
    ],
)
def test_each_usage_gets_an_eligible_target_host_phase_and_month(
    catalogue, answers, usage, target, hosting, phase, month
):
    """Target, hosting, phase and target month per usage, by organisation profile."""
    item = by_usage(draft_roadmap(answers, catalogue, start=START))[usage]
    assert (item.target_tool, item.hosting, item.phase, item.target_month) == (
        target,
        hosting,
        phase,
        month,
    )


def test_tools_already_free_are_kept_not_migrated(catalogue):
    """Usages already on tools outside the Cloud Act's reach are marked done, not migrated."""
    draft = draft_roadmap(COOPERATIVE_HALF_FREE, catalogue, start=START)
    kept = {i.usage for i in draft.items if i.already_done}
    assert kept == {"visio", "chat", "files"}
    assert all(i.target_tool == i.current_tool for i in draft.items if i.already_done)


def test_the_three_profiles_differ_as_the_rules_say(catalogue):
    """Commune: La Suite territoriale + domain; association: HDS; cooperative: mostly kept."""
    commune = draft_roadmap(COMMUNE_ON_GOOGLE, catalogue, start=START)
    association = draft_roadmap(ASSOCIATION_ON_MICROSOFT_WITH_HEALTH_DATA, catalogue, start=START)
    cooperative = draft_roadmap(COOPERATIVE_HALF_FREE, catalogue, start=START)

    titles = [i.title for i in commune.items]
    assert any("La Suite territoriale" in t for t in titles)
    assert any("Nom de domaine" in t for t in titles)
    assert commune.items[0].phase == 0
    assert not any("HDS" in w for w in commune.warnings)

    assert any(i.hosting == HEALTH_HOST and i.phase == 0 for i in association.items)
    assert any("HDS" in w for w in association.warnings)
    assert all(i.target_tool != "tchap" for i in association.items)
    assert any("ambassadeurs" in a for i in association.items for a in i.change_actions)

    assert cooperative.duration_months == 6
    assert association.duration_months == 24
    assert commune.duration_months == 12


def test_items_run_low_risk_first_and_mail_last(catalogue):
    """Visio and quick wins open the roadmap; e-mail and calendar close it."""
    draft = draft_roadmap(COMMUNE_ON_GOOGLE, catalogue, start=START)
    phases = [i.phase for i in draft.items]
    assert phases == sorted(phases)
    migrations = [i.usage for i in draft.items if i.current_tool]
    assert migrations.index("visio") < migrations.index("chat") < migrations.index("files")
    assert set(migrations[-2:]) == {"email", "calendar"}


@pytest.mark.parametrize(
    "pace, deadline, expected_duration, warning",
    [
        ("tout_doucement", None, 24, None),
        ("progressivement", None, 12, None),
        ("rapidement", None, 6, None),
        ("comprendre_dabord", None, 13, None),
        ("progressivement", "2027-07-31", 5, "Fin de contrat le 31/07/2027"),
        ("progressivement", "2027-02-28", 3, "Échéance très proche"),
    ],
)
def test_pace_and_contract_deadline_shape_the_calendar(
    catalogue, pace, deadline, expected_duration, warning
):
    """The pace stretches or compresses the calendar; a contract end pulls everything before it."""
    answers = {**COMMUNE_ON_GOOGLE, "pace": pace}
    if deadline:
        answers |= {"deadline": "fin_contrat", "deadline_date": deadline}
    draft = draft_roadmap(answers, catalogue, start=START)
    assert draft.duration_months == expected_duration
    if warning:
        assert any(warning in w for w in draft.warnings)


def test_sensitive_public_data_asks_for_secnumcloud(catalogue):
    """A public body with personal or social data is told to prefer SecNumCloud hosting."""
    answers = {
        **COMMUNE_ON_GOOGLE,
        "organisation_type": "departement_region",
        "data_sensitivity": ["sociales"],
    }
    draft = draft_roadmap(answers, catalogue, start=START)
    assert any("SecNumCloud" in w for w in draft.warnings)
    email = by_usage(draft)["email"]  # Messages is for communes; others host BlueMind
    assert (email.target_tool, email.hosting) == ("bluemind", "3ds-outscale")
    assert by_usage(draft)["files"].hosting == STATE_HOSTING  # the State's own instance


def test_drafting_is_deterministic_and_tolerates_odd_answers(catalogue):
    """Same input, same output; unknown usages, "autre" and junk values never crash."""
    answers = {
        **COOPERATIVE_HALF_FREE,
        "tools_by_usage": {"visio": ["autre"], "inconnu": ["x"], "chat": "whatsapp"},
        "deadline": "fin_contrat",
        "deadline_date": "pas une date",
    }
    first = draft_roadmap(answers, catalogue, start=START)
    second = draft_roadmap(answers, catalogue, start=START)
    assert first == second
    assert {i.usage for i in first.items if i.current_tool or i.target_tool} >= {"chat"}


@pytest.mark.parametrize(
    "answers, usage, next_step",
    [
        (COMMUNE_ON_GOOGLE, "visio", "groupe pilote"),
        (COMMUNE_ON_GOOGLE, "email", "date de bascule"),
        (ASSOCIATION_ON_MICROSOFT_WITH_HEALTH_DATA, "files", "dossiers actifs"),
        (COOPERATIVE_HALF_FREE, "visio", ""),  # already free: nothing to do next
    ],
)
def test_each_step_to_take_says_what_to_do_next(catalogue, answers, usage, next_step):
    """Steps still to take carry a concrete next move by phase; steps already done carry none."""
    item = by_usage(draft_roadmap(answers, catalogue, start=START))[usage]
    if next_step:
        assert next_step in item.next_step
    else:
        assert item.next_step == ""
