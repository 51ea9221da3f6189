"""The demo questionnaire: the 13 questions of audits/data/questionnaire.yaml in five screens,
in French and, translated from audits/data/questionnaire_en.yaml, in English.

Idempotent: the page is found by slug; a page left by an older demo (without the tools grid)
gets the full questionnaire as a new published revision. The English page is a Wagtail
translation of the French one: same questions, same stored values, same scoring.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from wagtail.models import Locale

from audits.models import AuditFormField, AuditPage
from cms.models import HomePage

QUESTIONNAIRE_FILE = Path(__file__).resolve().parent / "data" / "questionnaire.yaml"
ENGLISH_FILE = QUESTIONNAIRE_FILE.with_name("questionnaire_en.yaml")

INTRO = (
    "<p>Quelques questions simples sur vos outils, vos besoins et vos contraintes. Pas de "
    "jargon, pas de question piège : cochez ce qui vous ressemble, et découvrez tout de suite "
    "votre diagnostic.</p>"
)
THANK_YOU = (
    "<p>Ce diagnostic est un point de départ. Lors du rendez-vous, nous regardons avec vous "
    "vos contrats, vos partenaires et le rythme de vos équipes, puis nous construisons une "
    "feuille de route que vous suivez à votre rythme.</p>"
)

# Screens: (title, intro, question keys). Conditional questions sit after what they depend on.
STEPS = [
    ("Votre structure", "Pour adapter nos conseils à votre situation.",
     ["organisation_type", "headcount", "current_suite"]),
    ("Vos outils", "Cochez les outils que vous utilisez aujourd'hui, même un peu.",
     ["uses_state_tools", "tools_by_usage"]),
    ("Vos besoins et contraintes", "",
     ["pain_points", "data_sensitivity", "own_domain", "deadline", "deadline_date"]),
    ("Votre organisation", "",
     ["hds_info", "it_capacity", "budget", "pace", "change_readiness", "support_needs"]),
    ("Vos coordonnées", "Pour vous envoyer votre diagnostic et préparer le rendez-vous.",
     ["organisation_name", "contact_name", "role", "email", "phone", "postcode", "siren",
      "comment", "consent_contact", "consent_newsletter"]),
]  # fmt: skip

FIELD_TYPES = {
    "single_choice": "radio",
    "multiple_choice": "checkboxes",
    "matrix": "tools_by_usage",
    "text": "singleline",
    "email": "email",
    "date": "date",
    "checkbox": "checkbox",
    "info": "info",
}
MULTILINE = {"comment"}
HELP_TEXTS = {
    "consent_contact": (
        "Finalité : préparer votre audit et vous recontacter à son sujet. Conservation : 3 ans "
        "après notre dernier échange. Vous pouvez retirer votre accord à tout moment."
    ),
    "consent_newsletter": "Facultatif : une lettre par mois au plus, désinscription en un clic.",
    "uses_state_tools": "Outils réservés au secteur public : rien de grave si vous ne savez pas.",
    "deadline_date": "Facultatif : nous calerons la feuille de route avant cette date.",
    "siren": "Facultatif : nous aide à retrouver votre structure.",
    "email": "Vous y recevez votre diagnostic.",
    "postcode": "Par exemple : 69007 Lyon.",
    "hds_info": (
        "Nous en tiendrons compte dans chaque recommandation : rien à faire de votre côté pour "
        "l'instant."
    ),
}
EXTRA_QUESTIONS = {
    "siren": {
        "key": "siren",
        "label_fr": "SIREN ou SIRET (facultatif)",
        "field_type": "text",
        "required": False,
    }
}


def _questions(spec: dict) -> dict[str, dict]:
    questions: dict[str, dict] = {}
    for question in spec["questions"]:
        if question["field_type"] == "group":
            for sub in question["fields"]:
                questions[sub["key"]] = sub
        else:
            questions[question["key"]] = question
        for extra in question.get("extra_fields", []):
            questions[extra["key"]] = {**extra, "_parent": question["key"]}
    for question in spec.get("conditional_questions", []):
        questions[question["key"]] = question
    questions.update(EXTRA_QUESTIONS)
    return questions


def _choices(question: dict, labels: dict | None = None) -> str:
    labels = {str(value): label for value, label in (labels or {}).items()}
    return "\n".join(
        f"{choice['value']} | {labels.get(str(choice['value']), choice['label_fr'])}"
        for choice in question.get("choices") or []
    )


def _condition(question: dict) -> tuple[str, str]:
    show_if = question.get("show_if") or {}
    for key, values in show_if.items():
        values = values if isinstance(values, list) else [values]
        return key, ", ".join(str(v) for v in values)
    return "", ""


def english_text() -> dict:
    return yaml.safe_load(ENGLISH_FILE.read_text(encoding="utf-8"))


def build_fields(
    spec: dict | None = None, *, translation: dict | None = None
) -> list[dict[str, Any]]:
    """The page's fields; with `translation` (questionnaire_en.yaml), what visitors read is
    taken from it and everything stored (keys, values, conditions) stays the same."""
    spec = spec or yaml.safe_load(QUESTIONNAIRE_FILE.read_text(encoding="utf-8"))
    questions = _questions(spec)
    fields: list[dict[str, Any]] = []
    for index, (title, intro, keys) in enumerate(STEPS):
        if translation is not None:
            title, intro = (
                translation["steps"][index]["title"],
                translation["steps"][index]["intro"],
            )
        fields.append({"label": title, "field_type": "step", "help_text": intro, "required": False})
        for key in keys:
            question = questions[key]
            field_type = "multiline" if key in MULTILINE else FIELD_TYPES[question["field_type"]]
            show_if_field, show_if_values = _condition(question)
            label = question["label_fr"]
            help_text = HELP_TEXTS.get(key) or question.get("help_fr") or ""
            choice_labels = None
            if translation is not None:
                english = translation["questions"][key]
                label, help_text = english["label"], english.get("help", "")
                choice_labels = english.get("choices")
            fields.append(
                {
                    "label": label,
                    "field_type": field_type,
                    "maps_to": "" if field_type == "info" else key,
                    "choices": _choices(question, choice_labels),
                    "required": bool(question.get("required")) and field_type != "info",
                    "help_text": help_text,
                    "max_choices": question.get("max_choices"),
                    "show_if_field": show_if_field,
                    "show_if_values": show_if_values,
                }
            )
    return fields


def _set_fields(page: AuditPage, translation: dict | None = None) -> None:
    page.form_fields.clear()
    for order, spec in enumerate(build_fields(translation=translation)):
        page.form_fields.add(AuditFormField(sort_order=order, **spec))


@transaction.atomic
def load(home: HomePage) -> AuditPage:
    # The French questionnaire (an English translation may share the slug).
    page = AuditPage.objects.filter(slug="audit", locale=home.locale).first()
    if page is not None:
        if not page.form_fields.filter(field_type="tools_by_usage").exists():
            _set_fields(page)
            page.save_revision().publish()
        return page
    page = AuditPage(
        title="Audit de souveraineté numérique",
        slug="audit",
        intro=INTRO,
        thank_you_text=THANK_YOU,
        show_in_menus=True,
    )
    _set_fields(page)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


@transaction.atomic
def load_english(page: AuditPage) -> AuditPage | None:
    """The English translation of the questionnaire, under the English home page (which
    cms.demo creates); None when the site has no English home."""
    english = Locale.objects.filter(language_code="en").first()
    home = page.get_parent()
    if english is None or home.get_translation_or_none(english) is None:
        return None
    translated = page.get_translation_or_none(english)
    if translated is not None:
        return translated.specific
    text = english_text()
    translated = page.copy_for_translation(english).specific
    translated.title = text["title"]
    translated.intro = text["intro"]
    translated.thank_you_text = text["thank_you"]
    _set_fields(translated, translation=text)
    translated.save()
    translated.save_revision().publish()
    return translated
