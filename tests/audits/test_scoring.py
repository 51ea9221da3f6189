"""audits.scoring: every rule in a table, on a small hand-made catalogue (no database)."""

from datetime import date

import pytest

from audits.scoring import (
    Catalogue,
    Flags,
    Level,
    PhaseInfo,
    ToolInfo,
    UsageInfo,
    score_answers,
    tool_exposure,
)

TODAY = date(2026, 3, 1)

CATALOGUE = Catalogue(
    tools={
        "gmail": ToolInfo("gmail", "Gmail", "Google", "US", cloud_act=True),
        "zoom": ToolInfo("zoom", "Zoom", "Zoom", "US", cloud_act=True),
        "telegram": ToolInfo("telegram", "Telegram", "Telegram", "AE", cloud_act=False),
        "doodle": ToolInfo("doodle", "Doodle", "Doodle", "CH", cloud_act=None),
        "proton": ToolInfo("proton", "Proton Mail", "Proton", "CH", cloud_act=False),
        "jitsi": ToolInfo("jitsi", "Jitsi Meet", "8x8", "US", cloud_act=False, open_source=True),
        "meet": ToolInfo("meet", "Visio", "DINUM", "FR", False, True, la_suite=True),
        "francetransfert": ToolInfo(
            "francetransfert", "FranceTransfert", "DINUM", "FR", False, None, True
        ),
        "wetransfer": ToolInfo("wetransfer", "WeTransfer", "WeTransfer", "NL", cloud_act=False),
        "dropbox": ToolInfo("dropbox", "Dropbox", "Dropbox", "US", cloud_act=True),
        "swisstransfer": ToolInfo("swisstransfer", "SwissTransfer", "Infomaniak", "CH", False),
        "bluemind": ToolInfo("bluemind", "BlueMind", "BlueMind", "FR", False, True),
    },
    usages={
        "email": UsageInfo("email", "Mails", phase=4, difficulty=5, weight=3),
        "visio": UsageInfo("visio", "Réunions en visio", phase=1, difficulty=1, weight=1),
        "chat": UsageInfo("chat", "Discussions", phase=2, difficulty=2, weight=1),
        "file-transfer": UsageInfo(
            "file-transfer", "Gros fichiers", phase=1, difficulty=1, weight=1
        ),
        "forms-polls": UsageInfo("forms-polls", "Sondages", phase=1, difficulty=1, weight=1),
    },
    alternatives={
        ("gmail", "email"): ("bluemind",),
        ("zoom", "visio"): ("meet", "jitsi"),
        ("dropbox", "file-transfer"): ("francetransfert", "swisstransfer"),
    },
    phases={n: PhaseInfo(n, f"Phase {n}", f"Mois {n}") for n in range(6)},
)


def run(**answers):
    return score_answers(answers, CATALOGUE, today=TODAY)


@pytest.mark.parametrize(
    "tool, exposure",
    [
        ("gmail", 100),  # US vendor: Cloud Act
        ("doodle", 60),  # uncertain jurisdiction
        ("telegram", 40),  # outside the EU, not US
        ("jitsi", 0),  # free software, hostable in France despite a US maintainer
        ("proton", 0),  # European vendor
        ("meet", 0),
    ],
)
def test_tool_exposure_follows_the_vendor_jurisdiction(tool, exposure):
    """A tool's exposure comes from Cloud Act exposure, vendor country and free licence."""
    assert tool_exposure(CATALOGUE.tools[tool])[0] == exposure


@pytest.mark.parametrize(
    "grid, suite, score, estimated",
    [
        ({"email": ["gmail"]}, "", 100, False),
        ({"email": ["proton"]}, "", 0, False),
        # Weighted mean: mails (weight 3) at 100, visio (weight 1) at 0 → 75.
        ({"email": ["gmail"], "visio": ["jitsi"]}, "", 75, False),
        # The most exposed tool sets the usage's score.
        ({"email": ["proton", "gmail"]}, "", 100, False),
        # "autre" alone is unknown: 50; "aucun" takes the usage out.
        ({"email": ["autre"]}, "", 50, False),
        ({"email": ["aucun"], "visio": ["zoom"]}, "", 100, False),
        # Nothing ticked: an estimate from the main suite.
        ({}, "google", 85, True),
        ({}, "outils_libres", 10, True),
        ({}, "je_ne_sais_pas", 50, True),
    ],
)
def test_overall_score(grid, suite, score, estimated):
    """The overall score is the weighted mean of usage scores, or an estimate without tools."""
    result = run(tools_by_usage=grid, current_suite=suite)
    assert (result.score, result.estimated) == (score, estimated)
    assert 0 <= result.score <= 100


def test_per_usage_findings_name_tool_vendor_and_jurisdiction():
    """Each usage lists its tools with vendor, jurisdiction and the reason of the score."""
    result = run(tools_by_usage={"email": ["gmail"], "chat": ["telegram"]})
    email = next(f for f in result.usages if f.usage == "email")
    assert (email.score, email.level) == (100, Level.EXPOSED)
    gmail = email.tools[0]
    assert (gmail.name, gmail.vendor, gmail.jurisdiction) == (
        "Gmail",
        "Google",
        "États-Unis (Cloud Act)",
    )
    assert "Cloud Act" in gmail.reason
    chat = next(f for f in result.usages if f.usage == "chat")
    assert (chat.score, chat.level) == (40, Level.PARTIAL)
    assert chat.tools[0].jurisdiction == "Émirats arabes unis"
    assert [f.usage for f in result.usages] == ["email", "chat"]  # most exposed first


@pytest.mark.parametrize(
    "answers, expected",
    [
        # HDS: health data, whatever the organisation.
        ({"data_sensitivity": ["sante"]}, {Flags.HDS}),
        ({"data_sensitivity": ["donnees_personnelles"]}, set()),
        # SecNumCloud: sensitive data of a public body.
        (
            {"organisation_type": "departement_region", "data_sensitivity": ["sociales"]},
            {Flags.SECNUMCLOUD, Flags.LA_SUITE_TERRITORIALE},
        ),
        ({"organisation_type": "association", "data_sensitivity": ["sociales"]}, set()),
        (
            {"organisation_type": "autre_etablissement_public", "data_sensitivity": ["sante"]},
            {Flags.HDS, Flags.SECNUMCLOUD, Flags.LA_SUITE_TERRITORIALE},
        ),
        (
            {
                "organisation_type": "commune_intercommunalite",
                "data_sensitivity": ["publiques_uniquement"],
            },
            {Flags.LA_SUITE_TERRITORIALE},
        ),
        # No own domain: said so, or a webmail address without "oui".
        ({"own_domain": "non_adresses_grand_public"}, {Flags.NO_OWN_DOMAIN}),
        ({"own_domain": "je_ne_sais_pas", "email": "mairie.x@orange.fr"}, {Flags.NO_OWN_DOMAIN}),
        ({"own_domain": "oui", "email": "contact@gmail.com"}, set()),
        ({"own_domain": "je_ne_sais_pas", "email": "a@mairie-x.fr"}, set()),
        # Contract deadline.
        ({"deadline": "fin_contrat"}, {Flags.CONTRACT_DEADLINE}),
        ({"deadline": "pas_urgence", "deadline_date": "2026-06-30"}, set()),
        # La Suite territoriale: local authorities.
        ({"organisation_type": "commune_intercommunalite"}, {Flags.LA_SUITE_TERRITORIALE}),
        ({"organisation_type": "entreprise"}, set()),
    ],
)
def test_flags(answers, expected):
    """Each flag is raised exactly by its rule."""
    assert {flag.code for flag in run(**answers).flags} == expected


@pytest.mark.parametrize(
    "deadline_date, words",
    [
        ("2026-06-30", "dans 121 jours"),  # soon: counted in days
        ("2027-12-31", "31/12/2027"),
        ("2025-12-31", "arrivait à échéance"),
        ("pas une date", "à une date précise"),
    ],
)
def test_contract_deadline_text_depends_on_the_date(deadline_date, words):
    """The deadline flag says how close the contract end is."""
    (flag,) = run(deadline="fin_contrat", deadline_date=deadline_date).flags
    assert words in flag.text


def test_la_suite_flag_is_good_news_and_mentions_existing_use():
    """Eligibility is an opportunity, and says so when State tools are already used."""
    (flag,) = run(organisation_type="commune_intercommunalite", uses_state_tools="oui").flags
    assert flag.severity == "opportunity"
    assert "déjà" in flag.text
    (unsure,) = run(organisation_type="autre_etablissement_public").flags
    assert "à vérifier" in unsure.title


def test_first_steps_are_three_quick_wins_first_in_phase_order():
    """Three steps: own domain and phase-1 quick wins before later phases."""
    result = run(
        own_domain="non_adresses_grand_public",
        tools_by_usage={"email": ["gmail"], "visio": ["zoom"], "file-transfer": ["dropbox"]},
    )
    titles = [step.title for step in result.first_steps]
    assert len(titles) == 3
    assert titles[0].startswith("Prendre un nom de domaine")
    assert [step.phase for step in result.first_steps] == [1, 1, 1]
    assert all(step.quick_win for step in result.first_steps)
    assert not any("Mails" in title for title in titles)  # e-mail is phase 4: later


def test_first_steps_fall_back_on_framing_when_little_is_exposed():
    """A sovereign organisation still gets three useful steps (phase 0 framing)."""
    result = run(
        organisation_type="commune_intercommunalite",
        deadline="fin_contrat",
        tools_by_usage={"email": ["proton"]},
    )
    assert [step.phase for step in result.first_steps] == [0, 0, 0]
    assert "La Suite territoriale" in result.first_steps[0].title


def test_alternatives_skip_state_only_services_for_private_organisations():
    """FranceTransfert (State service, not free software) is not offered to an association."""
    grid = {"file-transfer": ["dropbox"]}
    private = run(organisation_type="association", tools_by_usage=grid).usages[0]
    public = run(organisation_type="commune_intercommunalite", tools_by_usage=grid).usages[0]
    assert private.alternatives == ["SwissTransfer"]
    assert public.alternatives == ["FranceTransfert", "SwissTransfer"]
    visio = run(organisation_type="association", tools_by_usage={"visio": ["zoom"]}).usages[0]
    assert visio.alternatives == ["Visio", "Jitsi Meet"]  # free software: hostable for all


def test_result_is_a_json_snapshot():
    """as_dict() is plain data, stored as is on the submission and the engagement."""
    import json

    data = run(tools_by_usage={"email": ["gmail"]}, data_sensitivity=["sante"]).as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["usages"][0]["tools"][0]["vendor"] == "Google"
