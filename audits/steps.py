"""The questionnaire as a few screens: splitting the questions, conditions, step forms.

Editors start a new screen with a field of type "Nouvelle étape". A question can be shown only
when an earlier answer has one of some values ("show if"): when that earlier answer is on a
previous screen the question simply appears or not; on the same screen it is shown (a little
script hides it until relevant) and its answer is ignored when the condition is not met.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from wagtail.contrib.forms.forms import BaseForm

from audits.models import AuditFieldType, AuditFormField

MAX_STEPS = 5


@dataclass
class Step:
    index: int
    title: str
    intro: str
    items: list[AuditFormField] = field(default_factory=list)

    @property
    def answer_fields(self) -> list[AuditFormField]:
        return [item for item in self.items if not item.is_layout]


def split_steps(fields: list[AuditFormField], default_title: str) -> list[Step]:
    steps: list[Step] = []
    for item in fields:
        if item.field_type == AuditFieldType.STEP:
            steps.append(Step(len(steps), item.label, item.help_text))
            continue
        if not steps:
            steps.append(Step(0, default_title, ""))
        steps[-1].items.append(item)
    steps = [step for step in steps if step.items] or [Step(0, default_title, "")]
    for index, step in enumerate(steps):
        step.index = index
    return steps


def _as_values(value: Any) -> set[str]:
    if value in (None, "", False):
        return set()
    if isinstance(value, dict):
        return {v for values in value.values() for v in values}
    if isinstance(value, list | tuple | set):
        return {str(v) for v in value}
    return {str(value)}


def condition_met(item: AuditFormField, answers: Mapping[str, Any]) -> bool:
    if not item.show_if_field:
        return True
    return bool(_as_values(answers.get(item.show_if_field)) & item.condition_values)


def step_of(steps: list[Step], clean_name: str) -> int | None:
    for step in steps:
        if any(item.clean_name == clean_name for item in step.answer_fields):
            return step.index
    return None


def visible_items(
    step: Step, steps: list[Step], answers: Mapping[str, Any]
) -> list[AuditFormField]:
    """Items shown on this screen: conditions on earlier screens are decided now."""
    shown = []
    for item in step.items:
        controller_step = step_of(steps, item.show_if_field) if item.show_if_field else None
        earlier = controller_step is not None and controller_step < step.index
        if earlier and not condition_met(item, answers):
            continue
        shown.append(item)
    return shown


class StepForm(BaseForm):
    """One screen. Answers of same-screen conditional questions are dropped when not relevant."""

    conditional: list[AuditFormField] = []
    earlier_answers: Mapping[str, Any] = {}

    def clean(self):
        cleaned = super().clean()
        known = {**self.earlier_answers, **cleaned}
        for item in self.conditional:
            if not condition_met(item, known):
                self._errors.pop(item.clean_name, None)
                cleaned.pop(item.clean_name, None)
        return cleaned


def build_form_class(
    all_fields: Mapping[str, forms.Field],
    items: list[AuditFormField],
    earlier_answers: Mapping[str, Any],
    conditional: list[AuditFormField] = (),
) -> type[StepForm]:
    names = [item.clean_name for item in items if not item.is_layout]
    attrs = {name: all_fields[name] for name in names if name in all_fields}
    attrs["conditional"] = list(conditional)
    attrs["earlier_answers"] = dict(earlier_answers)
    return type("AuditStepForm", (StepForm,), attrs)


# --- Answers ⇄ form data -------------------------------------------------------------------------


def to_json(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


def answers_as_data(form_fields: Mapping[str, forms.Field], answers: Mapping[str, Any]):
    """Form data that reproduces saved answers, to validate everything again at the end."""
    from audits.fields import ToolsByUsageField

    data = MultiValueDict()
    for name, form_field in form_fields.items():
        value = answers.get(name)
        if value in (None, "", [], {}):
            continue
        if isinstance(form_field, ToolsByUsageField):
            for usage, picked in value.items():
                data.setlist(f"{name}__{usage}", list(picked))
        elif isinstance(form_field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif isinstance(value, list):
            data.setlist(name, [str(v) for v in value])
        else:
            data[name] = str(value)
    return data


def condition_hint(item: AuditFormField, fields_by_name: Mapping[str, AuditFormField]) -> str:
    """ "(si « … »)" for a same-screen conditional question, readable without the script."""
    controller = fields_by_name.get(item.show_if_field)
    if controller is None:
        return ""
    labels = controller.choice_labels()
    names = [labels.get(value, value) for value in sorted(item.condition_values)]
    return _("Seulement si vous avez répondu « %(answers)s »") % {"answers": " » ou « ".join(names)}
