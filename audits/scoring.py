"""The sovereignty exposure score: pure functions of the answers and a catalogue snapshot.

    result = score_answers(answers, catalogue, today=date.today())
    result.score            # 0 (nothing exposed) … 100 (everything under US jurisdiction)
    result.usages           # per usage: score, tools with vendor and jurisdiction, alternatives
    result.flags            # HDS, SecNumCloud, no own domain, contract deadline,
                            # La Suite territoriale
    result.first_steps      # three first steps, quick wins first, in roadmap phase order
    result.as_dict()        # JSON snapshot stored on the submission and the engagement

No database, no clock, no network: everything comes in as arguments, so every rule is tested
with a table (tests/audits/test_scoring.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pipeline.identity import WEBMAIL_DOMAINS, email_domain

# --- Catalogue snapshot ------------------------------------------------------------------------

EUROPE = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CH",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IS",
        "IT",
        "LI",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
COUNTRY_NAMES = {
    "US": gettext_lazy("États-Unis"), "FR": gettext_lazy("France"),
    "DE": gettext_lazy("Allemagne"), "CH": gettext_lazy("Suisse"),
    "ES": gettext_lazy("Espagne"), "NL": gettext_lazy("Pays-Bas"),
    "BE": gettext_lazy("Belgique"), "GB": gettext_lazy("Royaume-Uni"),
    "IL": gettext_lazy("Israël"), "AE": gettext_lazy("Émirats arabes unis"),
    "AU": gettext_lazy("Australie"), "IN": gettext_lazy("Inde"),
    "CA": gettext_lazy("Canada"), "LV": gettext_lazy("Lettonie"),
    "LU": gettext_lazy("Luxembourg"), "IT": gettext_lazy("Italie"),
    "SE": gettext_lazy("Suède"),
}  # fmt: skip

PUBLIC_TYPES = frozenset(
    {"commune_intercommunalite", "departement_region", "autre_etablissement_public"}
)
LA_SUITE_TERRITORIALE_TYPES = frozenset({"commune_intercommunalite", "departement_region"})
SENSITIVE_DATA = frozenset({"sante", "sociales", "financieres_rh", "donnees_personnelles"})
WEIGHTS = {"high": 3, "medium": 2, "low": 1}
OTHER, NONE = "autre", "aucun"
DEADLINE_SOON_DAYS = 183

# When no tool was ticked, the main suite gives an estimate.
SUITE_ESTIMATES = {
    "google": 85,
    "microsoft": 85,
    "mixte": 90,
    "outils_varies": 50,
    "outils_libres": 10,
}


@dataclass(frozen=True)
class ToolInfo:
    slug: str
    name: str
    vendor: str = ""
    vendor_country: str = ""
    cloud_act: bool | None = None
    open_source: bool | None = None
    la_suite: bool = False


@dataclass(frozen=True)
class UsageInfo:
    slug: str
    label: str
    phase: int
    difficulty: int = 3
    weight: int = 2


@dataclass(frozen=True)
class PhaseInfo:
    number: int
    title: str
    timing: str = ""


@dataclass(frozen=True)
class Catalogue:
    tools: Mapping[str, ToolInfo]
    usages: Mapping[str, UsageInfo]
    # (from tool, usage) → alternative tool slugs, best first.
    alternatives: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    phases: Mapping[int, PhaseInfo] = field(default_factory=dict)


# --- Result --------------------------------------------------------------------------------------


class Level:
    EXPOSED = "exposed"
    PARTIAL = "partial"
    SOVEREIGN = "sovereign"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ToolFinding:
    slug: str
    name: str
    vendor: str
    country: str
    jurisdiction: str
    exposure: int | None
    reason: str


@dataclass(frozen=True)
class UsageFinding:
    usage: str
    label: str
    score: int
    level: str
    tools: list[ToolFinding]
    alternatives: list[str]
    phase: int
    phase_title: str
    phase_timing: str


@dataclass(frozen=True)
class Flag:
    code: str
    title: str
    text: str
    severity: str = "warning"  # "warning" needs care; "opportunity" is good news


@dataclass(frozen=True)
class FirstStep:
    title: str
    text: str
    phase: int
    phase_title: str
    quick_win: bool


@dataclass(frozen=True)
class ScoreResult:
    score: int
    level: str
    level_label: str
    estimated: bool
    usages: list[UsageFinding]
    flags: list[Flag]
    first_steps: list[FirstStep]
    exposed_tools: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Flags:
    HDS = "hds"
    SECNUMCLOUD = "secnumcloud"
    NO_OWN_DOMAIN = "no_own_domain"
    CONTRACT_DEADLINE = "contract_deadline"
    LA_SUITE_TERRITORIALE = "la_suite_territoriale"


# --- Rules -----------------------------------------------------------------------------------


def country_name(code: str) -> str:
    if not code:
        return _("pays non renseigné")
    return " / ".join(str(COUNTRY_NAMES.get(part, part)) for part in code.split("/"))


def tool_exposure(tool: ToolInfo) -> tuple[int, str]:
    """How exposed data in this tool is to a non-European jurisdiction (0–100), and why."""
    countries = set((tool.vendor_country or "").split("/")) - {""}
    if tool.cloud_act is True:
        return 100, _("éditeur soumis au droit américain (Cloud Act), où que soient les serveurs")
    if tool.cloud_act is None:
        return 60, _("juridiction de l'éditeur incertaine : à vérifier ensemble")
    if tool.open_source:
        return 0, _("logiciel libre, hébergeable en France")
    if countries and not countries <= EUROPE:
        return 40, _("éditeur hors de l'Union européenne (mais pas soumis au Cloud Act)")
    return 0, _("éditeur européen, non soumis au Cloud Act")


def level_for(score: int) -> str:
    if score >= 80:
        return Level.EXPOSED
    if score >= 30:
        return Level.PARTIAL
    return Level.SOVEREIGN


def overall_label(score: int) -> str:
    if score >= 75:
        return _("très élevée")
    if score >= 50:
        return _("élevée")
    if score >= 25:
        return _("modérée")
    return _("faible")


def _as_set(value: Any) -> frozenset[str]:
    if value is None or value == "":
        return frozenset()
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(str(v) for v in value)


def _score_usage(
    usage: UsageInfo, ticked: Iterable[str], catalogue: Catalogue, public: bool
) -> UsageFinding | None:
    ticked = [slug for slug in ticked if slug != NONE]
    if not ticked:
        return None
    findings: list[ToolFinding] = []
    for slug in ticked:
        tool = catalogue.tools.get(slug)
        if tool is None:  # "autre", or a tool removed from the catalogue since
            findings.append(
                ToolFinding(
                    slug,
                    _("Autre outil"),
                    "",
                    "",
                    _("à préciser"),
                    None,
                    _("outil à examiner ensemble"),
                )
            )
            continue
        exposure, reason = tool_exposure(tool)
        country = country_name(tool.vendor_country)
        jurisdiction = _("États-Unis (Cloud Act)") if tool.cloud_act else country
        findings.append(
            ToolFinding(tool.slug, tool.name, tool.vendor, country, jurisdiction, exposure, reason)
        )
    known = [f.exposure for f in findings if f.exposure is not None]
    # One exposed tool is enough to expose that usage's data; unknown tools count as uncertain.
    score = max(known) if known else 50
    if known and len(known) < len(findings):
        score = max(score, 50)
    level = level_for(score) if known else Level.UNKNOWN
    alternatives = _alternatives(usage, findings, catalogue, public)
    phase = catalogue.phases.get(usage.phase)
    return UsageFinding(
        usage=usage.slug,
        label=usage.label,
        score=score,
        level=level,
        tools=findings,
        alternatives=alternatives,
        phase=usage.phase,
        phase_title=phase.title if phase else "",
        phase_timing=phase.timing if phase else "",
    )


def _alternatives(
    usage: UsageInfo, findings: list[ToolFinding], catalogue: Catalogue, public: bool
) -> list[str]:
    """Up to three replacements for the exposed tools of a usage, best first.

    State instances of La Suite numérique are for public bodies; others get the same free
    software hosted by a provider, so only State services that are not free software are
    left out for them."""
    slugs: list[str] = []
    for finding in sorted(findings, key=lambda f: -(f.exposure or 0)):
        if not finding.exposure:
            continue
        for slug in catalogue.alternatives.get((finding.slug, usage.slug), ()):
            if slug not in slugs:
                slugs.append(slug)
    tools = [catalogue.tools[s] for s in slugs if s in catalogue.tools]
    if not public:
        # A State-only service that is not free software cannot be hosted for others.
        tools = [t for t in tools if not (t.la_suite and t.open_source is not True)]
    return [tool.name for tool in tools][:3]


def _flags(answers: Mapping[str, Any], today: date) -> list[Flag]:
    flags: list[Flag] = []
    org_type = str(answers.get("organisation_type") or "")
    sensitivity = _as_set(answers.get("data_sensitivity"))
    public = org_type in PUBLIC_TYPES

    if "sante" in sensitivity:
        flags.append(
            Flag(
                Flags.HDS,
                _("Données de santé : hébergeur certifié HDS"),
                _(
                    "Les données de santé doivent être hébergées par un hébergeur certifié HDS "
                    "(Hébergeur de Données de Santé) : nous en tiendrons compte dans chaque choix."
                ),
            )
        )
    if public and sensitivity & SENSITIVE_DATA:
        flags.append(
            Flag(
                Flags.SECNUMCLOUD,
                _("Données publiques sensibles : hébergement SecNumCloud"),
                _(
                    "Pour une structure publique, les données sensibles relèvent de la doctrine "
                    "« cloud au centre » : un hébergement qualifié SecNumCloud (ANSSI) est à "
                    "privilégier."
                ),
            )
        )

    own_domain = str(answers.get("own_domain") or "")
    webmail = email_domain(str(answers.get("email") or "")) in WEBMAIL_DOMAINS
    if own_domain == "non_adresses_grand_public" or (own_domain != "oui" and webmail):
        flags.append(
            Flag(
                Flags.NO_OWN_DOMAIN,
                _("Pas de nom de domaine propre"),
                _(
                    "Vos adresses dépendent d'une messagerie grand public. Un nom de domaine à "
                    "vous (ex. @mairie-exemple.fr) est un gain rapide : il rend vos adresses "
                    "portables d'un fournisseur à l'autre."
                ),
            )
        )

    if answers.get("deadline") == "fin_contrat":
        deadline = _as_date(answers.get("deadline_date"))
        if deadline:
            days = (deadline - today).days
            when = deadline.strftime("%d/%m/%Y")
            if days < 0:
                text = _(
                    "Votre contrat arrivait à échéance le %(when)s : vérifions s'il a été "
                    "reconduit."
                ) % {"when": when}
            elif days <= DEADLINE_SOON_DAYS:
                text = _(
                    "Votre contrat se termine le %(when)s, dans %(days)s jours : la feuille de "
                    "route commencera par ce qui peut être prêt avant le renouvellement."
                ) % {"when": when, "days": days}
            else:
                text = _(
                    "Votre contrat se termine le %(when)s : la feuille de route sera calée "
                    "pour migrer avant le renouvellement."
                ) % {"when": when}
        else:
            text = _(
                "Un abonnement ou un contrat se termine à une date précise : la feuille de route "
                "sera calée pour migrer avant le renouvellement."
            )
        flags.append(Flag(Flags.CONTRACT_DEADLINE, _("Échéance de contrat"), text))

    if org_type in LA_SUITE_TERRITORIALE_TYPES or org_type == "autre_etablissement_public":
        already = answers.get("uses_state_tools") == "oui"
        certain = org_type in LA_SUITE_TERRITORIALE_TYPES
        text = (
            _(
                "En tant que collectivité, vous pouvez bénéficier de La Suite territoriale de "
                "l'ANCT (nom de domaine, messagerie, visio, documents) : c'est souvent le "
                "meilleur point de départ, et nous vous aidons à l'adopter."
            )
            if certain
            else _(
                "Selon votre statut, vous pourriez bénéficier de La Suite territoriale de "
                "l'ANCT ou des services numériques de l'État : nous le vérifierons ensemble."
            )
        )
        if already:
            text += " " + _("Vous utilisez déjà des outils de l'État : nous partirons de là.")
        flags.append(
            Flag(
                Flags.LA_SUITE_TERRITORIALE,
                _("Éligible à La Suite territoriale")
                if certain
                else _("La Suite territoriale : à vérifier"),
                text,
                severity="opportunity",
            )
        )
    return flags


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _first_steps(
    usages: list[UsageFinding], flags: list[Flag], catalogue: Catalogue, public: bool
) -> list[FirstStep]:
    def phase_title(number: int) -> str:
        phase = catalogue.phases.get(number)
        return phase.title if phase else ""

    codes = {flag.code for flag in flags}
    candidates: list[tuple[tuple, FirstStep]] = []
    if Flags.NO_OWN_DOMAIN in codes:
        reserve = (
            _(
                "Réserver un nom de domaine avec La Suite territoriale et créer des adresses à "
                "votre nom : rien à migrer, et c'est la base de tout le reste."
            )
            if Flags.LA_SUITE_TERRITORIALE in codes
            else _(
                "Réserver un nom de domaine et créer des adresses à votre nom : rien à migrer, "
                "et c'est la base de tout le reste."
            )
        )
        candidates.append(
            (
                (1, 0, 0),
                FirstStep(
                    _("Prendre un nom de domaine et des adresses professionnelles"),
                    reserve,
                    1,
                    phase_title(1),
                    True,
                ),
            )
        )
    difficulty = {slug: usage.difficulty for slug, usage in catalogue.usages.items()}
    for finding in usages:
        if finding.level in (Level.SOVEREIGN, Level.UNKNOWN):
            continue
        exposed = [t.name for t in finding.tools if t.exposure]
        and_word, or_word = _("et"), _("ou")
        tools = f" {and_word} ".join(exposed[:2]) or finding.label
        if finding.alternatives:
            options = f" {or_word} ".join(finding.alternatives[:2])
            title = _("%(usage)s : passer de %(tools)s à %(options)s") % {
                "usage": finding.label, "tools": tools, "options": options,
            }  # fmt: skip
        else:
            title = _("%(usage)s : trouver une alternative à %(tools)s") % {
                "usage": finding.label, "tools": tools,
            }  # fmt: skip
        text = (
            _("Un gain rapide : peu ou pas de données à migrer.")
            if finding.phase <= 1
            else _("À prévoir en phase %(phase)s (%(timing)s).")
            % {"phase": finding.phase, "timing": finding.phase_timing.lower()}
            if finding.phase_timing
            else _("À prévoir en phase %(phase)s.") % {"phase": finding.phase}
        )
        candidates.append(
            (
                (finding.phase, difficulty.get(finding.usage, 3), -finding.score),
                FirstStep(title, text, finding.phase, finding.phase_title, finding.phase <= 1),
            )
        )
    candidates.sort(key=lambda item: item[0])
    steps = [step for _, step in candidates][:3]

    # Fewer than three changes to make: the framing work of phase 0 comes next.
    framing = []
    if Flags.LA_SUITE_TERRITORIALE in codes:
        framing.append(
            FirstStep(
                _("Vérifier votre éligibilité à La Suite territoriale"),
                _(
                    "L'ANCT propose aux collectivités un socle d'outils souverains : nous "
                    "regardons ensemble ce qui vous est ouvert."
                ),
                0,
                phase_title(0),
                False,
            )
        )
    if Flags.CONTRACT_DEADLINE in codes:
        framing.append(
            FirstStep(
                _("Caler le calendrier sur la fin de votre contrat"),
                _(
                    "Lister les abonnements et leurs dates de renouvellement, pour ne pas repayer "
                    "un an de trop."
                ),
                0,
                phase_title(0),
                False,
            )
        )
    framing.append(
        FirstStep(
            _("Constituer un petit groupe pilote"),
            _(
                "Quelques volontaires (5 à 10 %% des personnes) qui testent en premier et "
                "entraînent les autres."
            )
            % {},  # "%%" is a literal "%" once formatted (the msgid is python-format)
            0,
            phase_title(0),
            False,
        )
    )
    for step in framing:
        if len(steps) >= 3:
            break
        steps.append(step)
    return steps


def score_answers(answers: Mapping[str, Any], catalogue: Catalogue, *, today: date) -> ScoreResult:
    """The diagnosis for one set of answers (keyed by `maps_to`)."""
    org_type = str(answers.get("organisation_type") or "")
    public = org_type in PUBLIC_TYPES
    grid = answers.get("tools_by_usage") or {}
    if not isinstance(grid, Mapping):
        grid = {}

    findings: list[UsageFinding] = []
    for slug, usage in catalogue.usages.items():
        ticked = grid.get(slug) or []
        finding = _score_usage(
            usage, [ticked] if isinstance(ticked, str) else ticked, catalogue, public
        )
        if finding is not None:
            findings.append(finding)

    estimated = not findings
    if findings:
        weights = {slug: usage.weight for slug, usage in catalogue.usages.items()}
        total = sum(weights.get(f.usage, 1) for f in findings)
        score = round(sum(f.score * weights.get(f.usage, 1) for f in findings) / total)
    else:
        score = SUITE_ESTIMATES.get(str(answers.get("current_suite") or ""), 50)

    findings.sort(key=lambda f: (-f.score, f.phase, f.label))
    flags = _flags(answers, today)
    return ScoreResult(
        score=score,
        level=level_for(score),
        level_label=overall_label(score),
        estimated=estimated,
        usages=findings,
        flags=flags,
        first_steps=_first_steps(findings, flags, catalogue, public),
        exposed_tools=len(
            {t.slug for f in findings for t in f.tools if t.exposure and t.exposure >= 80}
        ),
    )
