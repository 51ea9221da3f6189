"""Placeholders in consultants' e-mails: ``{prenom}``, ``{organisation}``, ``{lien_rendez_vous}``…

A placeholder is a name between braces. Names are matched without regard to case or accents
(``{Prénom}`` is ``{prenom}``); an unknown name is an error that says which names exist, with a
suggestion for a likely typo. ``{{`` and ``}}`` write a literal brace.

Values are plain text: the HTML part of the e-mail escapes the whole rendered text, so neither
the consultant's text nor a value (an organisation's name) can inject markup.

Other apps add their own placeholders with `register_placeholder` (calendar_sync registers
``{lien_rendez_vous}``, ``{date_rendez_vous}`` and ``{compte_rendu}`` in its AppConfig.ready).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# `{{`, `}}`, or `{…}` without braces inside.
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}\n]{1,60})\}")


class PlaceholderError(ValueError):
    """The text uses a placeholder that does not exist; the message says which and why."""


@dataclass
class PlaceholderContext:
    """What a placeholder may read. `cache` keeps a value computed once per message (a fresh
    booking link is issued once, however many times the text uses it)."""

    engagement: Any
    contact: Any = None
    sender: Any = None
    data: dict = field(default_factory=dict)
    preview: bool = False
    cache: dict = field(default_factory=dict)


Resolver = Callable[[PlaceholderContext], str]


@dataclass(frozen=True)
class Placeholder:
    name: str
    label: str
    resolve: Resolver
    # Differs from one recipient to the next: kept as is in a draft, filled in at sending.
    per_recipient: bool = False
    order: int = 100


PLACEHOLDERS: dict[str, Placeholder] = {}


def register_placeholder(
    name: str, label: str, resolve: Resolver, *, per_recipient: bool = False, order: int = 100
) -> None:
    PLACEHOLDERS[name] = Placeholder(name, label, resolve, per_recipient, order)


def available() -> list[Placeholder]:
    return sorted(PLACEHOLDERS.values(), key=lambda p: (p.order, p.name))


def normalise(name: str) -> str:
    """ "Prénom " → "prenom", "Lien rendez-vous" → "lien_rendez_vous"."""
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s\-]+", "_", plain)


def braced(name: str) -> str:
    return "{" + name + "}"


def _unknown_message(raw: Iterable[str]) -> str:
    names = list(dict.fromkeys(raw))
    known = ", ".join(braced(p.name) for p in available())
    parts = []
    for name in names:
        close = difflib.get_close_matches(normalise(name), list(PLACEHOLDERS), n=1, cutoff=0.6)
        if close:
            parts.append(
                _("{%(name)s} (vouliez-vous dire {%(close)s} ?)")
                % {"name": name, "close": close[0]}
            )
        else:
            parts.append(braced(name))
    return _(
        "Variable inconnue : %(names)s. Variables possibles : %(known)s. Pour écrire une "
        "accolade, doublez-la : {{ ou }}."
    ) % {"names": ", ".join(parts), "known": known}


def used_names(*texts: str) -> list[str]:
    """Placeholders used in the texts (normalised), in order; raises on an unknown one."""
    used: list[str] = []
    unknown: list[str] = []
    for text in texts:
        for match in _TOKEN.finditer(text or ""):
            raw = match.group(1)
            if raw is None:
                continue
            name = normalise(raw)
            if name not in PLACEHOLDERS:
                unknown.append(raw.strip())
            elif name not in used:
                used.append(name)
    if unknown:
        raise PlaceholderError(_unknown_message(unknown))
    return used


def validate(*texts: str) -> None:
    used_names(*texts)


def render(text: str, context: PlaceholderContext, *, keep: Iterable[str] = ()) -> str:
    """Replace each placeholder by its value; names in `keep` stay as `{name}` (drafts)."""
    keep = set(keep)
    used_names(text)

    def replace(match: re.Match) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):  # an escaped brace, not a secret
            return token if keep else token[0]
        name = normalise(match.group(1))
        if name in keep:
            return braced(name)
        if name not in context.cache:
            context.cache[name] = str(PLACEHOLDERS[name].resolve(context) or "")
        return context.cache[name]

    return _TOKEN.sub(replace, text or "")


def empty_values(texts: Iterable[str], context: PlaceholderContext) -> list[str]:
    """Placeholders the texts use whose value is empty here (a warning, not an error)."""
    texts = list(texts)
    empty = []
    for name in used_names(*texts):
        if name not in context.cache:
            context.cache[name] = str(PLACEHOLDERS[name].resolve(context) or "")
        if not context.cache[name].strip():
            empty.append(name)
    return empty


def per_recipient_names() -> set[str]:
    return {p.name for p in PLACEHOLDERS.values() if p.per_recipient}


# --- The pipeline's own placeholders ----------------------------------------------------------


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def first_name(full_name: str) -> str:
    """ "Marie-Claire Dupont" → "Marie-Claire" (the contact has one name field)."""
    parts = (full_name or "").split()
    return parts[0] if parts else ""


def _next_steps(context: PlaceholderContext) -> str:
    engagement = context.engagement
    lines = []
    if engagement.next_action:
        due = engagement.next_action_due
        lines.append(
            f"- {engagement.next_action}" + (f" ({_('avant le')} {due:%d/%m/%Y})" if due else "")
        )
    for task in engagement.tasks.filter(done=False).order_by("due_date", "pk")[:10]:
        lines.append(
            f"- {task.title}"
            + (f" ({_('avant le')} {task.due_date:%d/%m/%Y})" if task.due_date else "")
        )
    return "\n".join(lines)


def _register_builtins() -> None:
    register_placeholder(
        "prenom",
        gettext_lazy("prénom du ou de la destinataire"),
        lambda c: first_name(c.contact.name) if c.contact else "",
        per_recipient=True,
        order=10,
    )
    register_placeholder(
        "nom",
        gettext_lazy("prénom et nom du ou de la destinataire"),
        lambda c: c.contact.name if c.contact else "",
        per_recipient=True,
        order=11,
    )
    register_placeholder(
        "organisation",
        gettext_lazy("nom de l'organisation"),
        lambda c: c.engagement.organisation.name,
        order=20,
    )
    register_placeholder(
        "consultant",
        gettext_lazy("votre prénom et nom"),
        lambda c: _person(c.sender or c.engagement.owner),
        order=30,
    )
    register_placeholder(
        "consultant_email",
        gettext_lazy("votre adresse e-mail"),
        lambda c: getattr(c.sender or c.engagement.owner, "email", "") or "",
        order=31,
    )
    register_placeholder(
        "prochaines_etapes",
        gettext_lazy("prochaine action et tâches ouvertes, en liste"),
        _next_steps,
        order=60,
    )


_register_builtins()
