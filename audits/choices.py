"""Editable choices with stable values.

Editors write one answer per line as ``valeur | Libellé``: the value on the left is what is
stored and what the pipeline reads; the label on the right is what visitors see and may be
reworded at any time. A line without ``|`` is both value and label (Wagtail's own format).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wagtail.contrib.forms.forms import _split_by_newline_or_comma

VALUE_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# Answers that cannot be combined with another one in the same multiple-choice question.
EXCLUSIVE_VALUES = frozenset({"je_ne_sais_pas", "aucun", "rien", "publiques_uniquement"})


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def parse_choices(text: str) -> list[Choice]:
    """The choices of a field, in order, from its editable text."""
    choices = []
    if not (text or "").strip():
        return choices
    lines = text.strip().splitlines()
    raw_items = [line.strip() for line in lines] if len(lines) > 1 else None
    if raw_items is None:
        # One line: Wagtail accepts a comma-separated list, unless it is "value | label".
        raw_items = [text.strip()] if "|" in text else _split_by_newline_or_comma(text)
    for item in raw_items:
        if not item:
            continue
        if "|" in item:
            value, label = (part.strip() for part in item.split("|", 1))
        else:
            value = label = item.strip()
        if value:
            choices.append(Choice(value=value, label=label or value))
    return choices


def choice_errors(text: str) -> list[str]:
    """Problems an editor must fix in a choices text (empty list when fine)."""
    from django.utils.translation import gettext as _

    errors = []
    seen: set[str] = set()
    for choice in parse_choices(text):
        if "|" in text and not VALUE_SHAPE.match(choice.value):
            errors.append(
                _(
                    "« %(value)s » : la valeur (à gauche de |) ne peut contenir que des lettres "
                    "sans accent, des chiffres, - et _."
                )
                % {"value": choice.value}
            )
        if choice.value in seen:
            errors.append(
                _("La valeur « %(value)s » apparaît deux fois.") % {"value": choice.value}
            )
        seen.add(choice.value)
    return errors
