"""The English catalogue: complete, faithful to the placeholders, up to date, and served on /en/.

French is the source language (the msgids); ``locale/en/LC_MESSAGES/django.po`` must translate
every one of them. The catalogue is read with the small parser below rather than a library.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
EN_PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    def label(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt else ""
        return f"line {self.line}: {context}{self.msgid!r}"


def _unquote(text: str) -> str:
    return ast.literal_eval(text)  # a PO string is a C string; Python reads the same escapes


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file (header and obsolete ``#~`` entries left out)."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int | None] | None = None

    def finish():
        nonlocal current
        if current.msgid or current.msgstr or current.msgctxt:
            entries.append(current)
        current = Entry()

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            target = None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            assert target is not None, f"{path}:{number}: continuation without a keyword"
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += _unquote(line)
            else:
                setattr(current, name, (getattr(current, name) or "") + _unquote(line))
            continue
        keyword, _, value = line.partition(" ")
        if keyword == "msgctxt" and current.msgid:
            finish()
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if keyword in {"msgctxt", "msgid", "msgid_plural"}:
            current.line = current.line or number
            setattr(current, keyword, _unquote(value))
            target = (keyword, None)
        elif keyword == "msgstr" or match:
            index = int(match.group(1)) if match else 0
            current.msgstr[index] = _unquote(value)
            target = ("msgstr", index)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    finish()
    return [entry for entry in entries if entry.msgid != ""]


PLACEHOLDER = re.compile(
    r"%\(\w+\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"  # %(name)s
    r"|%[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]"  # %s, %d, %%
    r"|(?<!\{)\{\w*\}(?!\})"  # {name}, {} (not the doubled {{ }} of literal braces)
    r"|</?[a-zA-Z][^>]*>"  # HTML tags, attributes included
)


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    return parse_po(EN_PO)


def test_parser_reads_context_plurals_flags_and_continuations(tmp_path):
    """The parser keeps msgctxt, plural forms, fuzzy flags and multi-line strings apart."""
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#, fuzzy, python-format\nmsgid "Bonjour %(name)s"\nmsgstr "Hello %(name)s"\n\n'
        'msgctxt "roadmap step"\nmsgid "Étape"\nmsgstr ""\n"St"\n"ep"\n\n'
        'msgid "%(n)s jour"\nmsgid_plural "%(n)s jours"\nmsgstr[0] "%(n)s day"\n'
        'msgstr[1] "%(n)s days"\n\n'
        '#~ msgid "Ancien"\n#~ msgstr "Old"\n',
        encoding="utf-8",
    )
    fuzzy, step, days = parse_po(po)
    assert fuzzy.flags == {"fuzzy", "python-format"} and fuzzy.msgstr == {0: "Hello %(name)s"}
    assert step.key == ("roadmap step", "Étape") and step.msgstr == {0: "Step"}
    assert days.msgid_plural == "%(n)s jours" and days.msgstr == {0: "%(n)s day", 1: "%(n)s days"}


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    """Each French msgid has an English msgstr (every plural form), and none is marked fuzzy."""
    assert len(catalogue) > 1000  # the parser really read the catalogue
    untranslated = [
        entry.label()
        for entry in catalogue
        if not entry.msgstr
        or any(not text.strip() for text in entry.msgstr.values())
        or (entry.msgid_plural is not None and sorted(entry.msgstr) != [0, 1])
    ]
    fuzzy = [entry.label() for entry in catalogue if "fuzzy" in entry.flags]
    assert untranslated == [], f"{len(untranslated)} untranslated: {untranslated[:20]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy: {fuzzy[:20]}"


def test_placeholders_and_markup_match_the_source(catalogue):
    """%(name)s, %s, {name} and HTML tags of a msgid appear unchanged in its msgstr."""
    mismatches = []
    for entry in catalogue:
        if entry.msgid_plural is None:
            if placeholders(entry.msgstr.get(0, "")) != placeholders(entry.msgid):
                mismatches.append((entry.label(), entry.msgstr.get(0)))
            continue
        # The plural form carries the same placeholders as msgid_plural; the singular may drop
        # the count ("One answer…") but must not invent a name the code does not supply.
        if placeholders(entry.msgstr.get(1, "")) != placeholders(entry.msgid_plural):
            mismatches.append((entry.label(), entry.msgstr.get(1)))
        known = set(placeholders(entry.msgid)) | set(placeholders(entry.msgid_plural))
        if not set(placeholders(entry.msgstr.get(0, ""))) <= known:
            mismatches.append((entry.label(), entry.msgstr.get(0)))
    assert mismatches == []


def test_placeholder_check_catches_a_dropped_or_renamed_name():
    """The comparison used above sees a missing placeholder, a renamed one and a lost tag."""
    source = "Bonjour <strong>%(name)s</strong>, {prenom} : 50 %% de %s"
    assert placeholders("Hello <strong>%(name)s</strong>, {prenom}: 50%% of %s") == placeholders(
        source
    )
    assert placeholders("Hello %(name)s, {prenom}: 50%% of %s") != placeholders(source)
    assert placeholders("Hello <strong>%(nom)s</strong>, {prenom}: 50%% of %s") != placeholders(
        source
    )
    assert placeholders("Hello <strong>%(name)s</strong>: 50%% of %s") != placeholders(source)
    assert placeholders("double braces {{ or }} are literal") == []


def test_catalogue_is_up_to_date_with_the_code(tmp_path):
    """makemessages on a copy of the code finds no msgid missing from the committed catalogue."""
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", "var", ".git", "media", "node_modules", "__pycache__", "*.mo", "artifacts"
        ),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "-v", "0"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    fresh = {entry.key: entry for entry in parse_po(copy / EN_PO.relative_to(ROOT))}
    committed = {entry.key for entry in parse_po(EN_PO)}
    missing = sorted(str(key) for key in fresh.keys() - committed)
    stale = sorted(str(key) for key in committed - fresh.keys())
    assert missing == [], f"run makemessages -l en and translate: {missing[:20]}"
    assert stale == [], f"run makemessages -l en --no-obsolete: {stale[:20]}"


def test_message_context_separates_same_french_word():
    """The same French word gets the English word its context calls for (msgctxt works)."""
    # Aliases, so that makemessages does not collect these calls from the test itself.
    plain, in_context = translation.gettext, translation.pgettext

    with translation.override("en"):
        assert plain("Étape") == "Stage"
        assert in_context("roadmap step", "Étape") == "Step"
        assert plain("Déplacer") == "Reschedule"
        assert in_context("move a card", "Déplacer") == "Move"
    with translation.override("fr"):
        assert in_context("roadmap step", "Étape") == "Étape"


@pytest.mark.django_db
def test_english_home_page_has_an_english_header_and_footer(client, demo_site):
    """GET /en/ renders the header and footer from the English catalogue, / stays French."""
    english = BeautifulSoup(client.get("/en/").content, "html.parser")
    french = BeautifulSoup(client.get("/").content, "html.parser")

    assert english.select_one(".header-cta").get_text(strip=True) == "Take the free audit"
    assert english.select_one(".main-nav")["aria-label"] == "Main navigation"
    footer = english.select_one("footer.site-footer").get_text(" ", strip=True)
    assert "Free software, hosted in France, with no trackers." in footer
    assert "Logiciel libre" not in footer

    assert french.select_one(".header-cta").get_text(strip=True) == "Faire l'audit gratuit"
