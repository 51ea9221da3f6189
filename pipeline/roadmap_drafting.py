"""Drafting a transition roadmap from audit answers and the tool catalogue.

Pure and deterministic: the same answers, catalogue and start date give the same draft. The
rules follow domain.md §4: low risk and high visibility first (visio, transfers, forms → chat,
docs → files, tables → mail and calendar last), alternatives chosen by eligibility (public
bodies get the State or La Suite territoriale tools they may use; others get open tools hosted by
a cooperative), the chosen pace stretches or compresses the calendar, and constraints (health
data, sensitive public data, a contract deadline, no own domain) become items or warnings.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

PUBLIC_TYPES = frozenset(
    {"commune_intercommunalite", "departement_region", "autre_etablissement_public"}
)
TERRITORIAL_TYPES = frozenset({"commune_intercommunalite"})

# State instances nobody else may join. Other La Suite software (Visio, Docs, Fichiers, Grist…)
# is open: a cooperative hosts it for associations and companies.
STATE_ONLY_TOOLS = frozenset(
    {"tchap", "francetransfert", "resana", "webconf-etat", "webinaire-etat", "audioconf-etat",
     "la-suite-assistant", "albert", "proconnect", "demarches-simplifiees"}
)  # fmt: skip
# La Suite territoriale (ANCT) serves local authorities.
TERRITORIAL_TOOLS = frozenset(
    {"la-suite-territoriale", "la-suite-messages", "la-suite-transferts", "la-suite-calendars"}
)

STATE_HOSTING = "etat"
DATA_USAGES = frozenset({"email", "calendar", "documents", "spreadsheets", "files"})
HEALTH_HOST, SECNUMCLOUD_HOST, FREE_HOST, MANAGED_HOST = (
    "scalingo",
    "3ds-outscale",
    "framasoft",
    "lasuite-coop",
)
FRAMASOFT_SERVICES = frozenset({"framadate", "framaforms", "framagenda", "framapad"})

# End of each phase, in months from the start, at the "progressivement" pace (domain.md §4c).
PHASE_END_MONTH = {0: 0.5, 1: 1, 2: 3, 3: 6, 4: 12, 5: 18}
PACE_FACTOR = {"tout_doucement": 2.0, "progressivement": 1.0, "rapidement": 0.5}
DIAGNOSIS_FIRST_MONTHS = 1  # "on veut d'abord comprendre": a month of explaining before moving
EFFORT_LABELS = {1: "faible", 2: "faible", 3: "moyen", 4: "élevé", 5: "élevé"}
# The first concrete move of a step, by phase: what the organisation does next.
NEXT_STEPS = {
    0: "Caler ce point lors d'un court échange avec votre consultant·e.",
    1: "Essayer l'outil en réunion avec le groupe pilote, puis l'ouvrir à tout le monde.",
    2: "Ouvrir les comptes du groupe pilote et animer un atelier de prise en main.",
    3: "Trier les données à reprendre, puis migrer d'abord les dossiers actifs.",
    4: "Choisir la date de bascule et prévenir vos correspondants.",
    5: "Résilier les abonnements restants et faire le bilan ensemble.",
}


# --- The catalogue, as plain data ----------------------------------------------------------------


@dataclass(frozen=True)
class ToolInfo:
    slug: str
    name: str
    cloud_act: bool | None
    open_source: bool | None
    la_suite: bool


@dataclass(frozen=True)
class UsageInfo:
    slug: str
    label: str
    phase: int
    difficulty: int
    order: int


@dataclass(frozen=True)
class PhaseInfo:
    number: int
    title: str
    change_management: str


@dataclass(frozen=True)
class Catalogue:
    tools: Mapping[str, ToolInfo]
    usages: Mapping[str, UsageInfo]
    alternatives: Mapping[tuple[str, str], tuple[str, ...]]
    phases: Mapping[int, PhaseInfo]
    hosts: Mapping[str, str]  # slug → name

    @classmethod
    def from_yaml(cls, data: Mapping[str, Any]) -> Catalogue:
        return cls(
            tools={
                t["slug"]: ToolInfo(
                    t["slug"],
                    t["name"],
                    t.get("cloud_act"),
                    t.get("open_source"),
                    bool(t.get("la_suite")),
                )
                for t in data["tools"]
            },
            usages={
                u["slug"]: UsageInfo(
                    u["slug"], u["label_fr"], u["default_phase"], u.get("difficulty") or 3, i
                )
                for i, u in enumerate(data["usages"])
            },
            alternatives={(a["from"], a["usage"]): tuple(a["to"]) for a in data["alternatives"]},
            phases={
                p["number"]: PhaseInfo(
                    p["number"], p["title_fr"], p.get("change_management_fr", "")
                )
                for p in data["phases"]
            },
            hosts={h["slug"]: h["name"] for h in data["hosts"]},
        )

    @classmethod
    def from_database(cls) -> Catalogue:
        from audits.models import Alternative, Host, Phase, Tool, Usage

        return cls(
            tools={
                t.slug: ToolInfo(t.slug, t.name, t.cloud_act, t.open_source, t.la_suite)
                for t in Tool.objects.all()
            },
            usages={
                u.slug: UsageInfo(u.slug, u.label, u.default_phase.number, u.difficulty, i)
                for i, u in enumerate(Usage.objects.select_related("default_phase"))
            },
            alternatives={
                (a.from_tool.slug, a.usage.slug): tuple(t.tool.slug for t in a.targets.all())
                for a in Alternative.objects.select_related("from_tool", "usage").prefetch_related(
                    "targets__tool"
                )
            },
            phases={
                p.number: PhaseInfo(p.number, p.title, p.change_management)
                for p in Phase.objects.all()
            },
            hosts=dict(Host.objects.values_list("slug", "name")),
        )


# --- The draft ----------------------------------------------------------------------------------


@dataclass
class DraftItem:
    title: str
    phase: int
    target_month: int  # months after the start (1 = by the end of the first month)
    usage: str = ""
    current_tool: str = ""
    target_tool: str = ""
    hosting: str = ""  # a host slug, or STATE_HOSTING
    effort: str = "moyen"
    change_actions: list[str] = field(default_factory=list)
    note: str = ""
    already_done: bool = False
    next_step: str = ""


@dataclass
class RoadmapDraft:
    items: list[DraftItem]
    warnings: list[str]
    duration_months: int
    pace: str


@dataclass(frozen=True)
class Profile:
    """What the answers say about the organisation, in the terms the rules use."""

    organisation_type: str
    tools_by_usage: Mapping[str, tuple[str, ...]]
    health_data: bool
    sensitive_public_data: bool
    own_domain: bool
    contract_deadline: date | None
    pace: str
    budget: str
    it_capacity: str
    change_readiness: str
    support_needs: tuple[str, ...]

    @property
    def is_public(self) -> bool:
        return self.organisation_type in PUBLIC_TYPES

    @property
    def is_territorial(self) -> bool:
        return self.organisation_type in TERRITORIAL_TYPES

    @classmethod
    def from_answers(cls, answers: Mapping[str, Any]) -> Profile:
        sensitivity = set(_as_list(answers.get("data_sensitivity")))
        organisation_type = str(answers.get("organisation_type") or "")
        deadline = None
        if answers.get("deadline") == "fin_contrat":
            deadline = _as_date(answers.get("deadline_date"))
        tools = answers.get("tools_by_usage") or {}
        return cls(
            organisation_type=organisation_type,
            tools_by_usage={
                str(usage): tuple(str(t) for t in _as_list(selected))
                for usage, selected in (tools.items() if isinstance(tools, Mapping) else [])
            },
            health_data="sante" in sensitivity,
            sensitive_public_data=organisation_type in PUBLIC_TYPES
            and bool(sensitivity & {"donnees_personnelles", "sociales", "financieres_rh"}),
            own_domain=answers.get("own_domain") != "non_adresses_grand_public",
            contract_deadline=deadline,
            pace=str(answers.get("pace") or "progressivement"),
            budget=str(answers.get("budget") or ""),
            it_capacity=str(answers.get("it_capacity") or ""),
            change_readiness=str(answers.get("change_readiness") or ""),
            support_needs=tuple(str(s) for s in _as_list(answers.get("support_needs"))),
        )


def _as_list(value: Any) -> list:
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple | set):
        return list(value)
    return [value]


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def draft_roadmap(answers: Mapping[str, Any], catalogue: Catalogue, *, start: date) -> RoadmapDraft:
    profile = Profile.from_answers(answers)
    warnings: list[str] = []
    factor, offset = pace_schedule(profile, start, warnings)
    items: list[DraftItem] = []

    if profile.is_territorial:
        items.append(
            DraftItem(
                title="Vérifier l'éligibilité à La Suite territoriale (ANCT) et à ProConnect",
                phase=0,
                target_month=0,
                target_tool="la-suite-territoriale",
                hosting=STATE_HOSTING,
                effort="faible",
                note="Nom de domaine, messagerie et outils collaboratifs fournis par l'État "
                "aux collectivités, avec votre opérateur public de services numériques (OPSN).",
            )
        )
    if profile.health_data:
        warnings.append(
            "Données de santé : tout outil qui les contient doit être hébergé par un hébergeur "
            "certifié HDS."
        )
        items.append(
            DraftItem(
                title="Choisir un hébergeur certifié HDS pour les données de santé",
                phase=0,
                target_month=0,
                hosting=HEALTH_HOST,
                effort="moyen",
            )
        )
    if profile.sensitive_public_data:
        warnings.append(
            "Données publiques sensibles : privilégier un hébergeur qualifié SecNumCloud "
            "(doctrine « cloud au centre »)."
        )
    if not profile.own_domain:
        items.append(
            DraftItem(
                title="Nom de domaine et adresses e-mail professionnelles",
                phase=1,
                target_month=0,
                usage="email",
                target_tool="la-suite-territoriale" if profile.is_territorial else "",
                hosting=STATE_HOSTING if profile.is_territorial else MANAGED_HOST,
                effort="faible",
                note="Un gain rapide : des adresses à votre nom au lieu d'adresses grand public.",
            )
        )

    for usage_slug, selected in profile.tools_by_usage.items():
        usage = catalogue.usages.get(usage_slug)
        current = [t for t in selected if t not in {"aucun", ""}]
        if usage is None or not current:
            continue
        items.append(migration_item(usage, current, profile, catalogue))

    for item in items:
        item.target_month = schedule_month(item.phase, factor, offset)
        if not item.already_done:
            item.change_actions = change_actions(item.phase, profile, catalogue)
            item.next_step = item.next_step or NEXT_STEPS.get(item.phase, "")
    items.sort(
        key=lambda i: (i.phase, i.already_done, _difficulty(i, catalogue), _order(i, catalogue))
    )
    duration = max((i.target_month for i in items), default=0)
    return RoadmapDraft(items=items, warnings=warnings, duration_months=duration, pace=profile.pace)


def pace_schedule(profile: Profile, start: date, warnings: list[str]) -> tuple[float, int]:
    """How much to stretch the calendar, and how many months to wait before starting."""
    factor = PACE_FACTOR.get(profile.pace, 1.0)
    offset = DIAGNOSIS_FIRST_MONTHS if profile.pace == "comprendre_dabord" else 0
    if profile.contract_deadline:
        months_left = months_between(start, profile.contract_deadline)
        warnings.append(
            f"Fin de contrat le {profile.contract_deadline.strftime('%d/%m/%Y')} : "
            "tout migrer avant le renouvellement."
        )
        if months_left < 2:
            warnings.append("Échéance très proche : prévoir une prolongation courte du contrat.")
        fit = (months_left - 1 - offset) / PHASE_END_MONTH[4]
        factor = min(factor, max(fit, 0.25))
    return factor, offset


def schedule_month(phase: int, factor: float, offset: int) -> int:
    return offset + max(1 if phase else 0, math.ceil(PHASE_END_MONTH[phase] * factor))


def migration_item(
    usage: UsageInfo, current: list[str], profile: Profile, catalogue: Catalogue
) -> DraftItem:
    """One item per usage in use: the tools to leave, the one to adopt, where it is hosted."""
    known = [catalogue.tools[t] for t in current if t in catalogue.tools]
    exposed = [t for t in known if t.cloud_act is not False]
    names = ", ".join(t.name for t in known) or "un outil non listé"
    effort = EFFORT_LABELS.get(usage.difficulty, "moyen")
    if known and not exposed:
        return DraftItem(
            title=f"{usage.label} : garder {names}",
            phase=usage.phase,
            target_month=0,
            usage=usage.slug,
            current_tool=known[0].slug,
            target_tool=known[0].slug,
            effort="faible",
            note="Déjà un outil hors de portée du Cloud Act : rien à migrer.",
            already_done=True,
        )
    source = exposed[0] if exposed else None
    target = choose_target(usage.slug, [t.slug for t in exposed], profile, catalogue)
    target_name = catalogue.tools[target].name if target else "une alternative à choisir ensemble"
    return DraftItem(
        title=f"{usage.label} : de {names} vers {target_name}",
        phase=usage.phase,
        target_month=0,
        usage=usage.slug,
        current_tool=source.slug if source else "",
        target_tool=target or "",
        hosting=choose_hosting(usage.slug, target, profile, catalogue) if target else "",
        effort=effort,
    )


def eligible(tool: ToolInfo, profile: Profile) -> bool:
    if tool.slug in TERRITORIAL_TOOLS:
        return profile.is_territorial
    if tool.slug in STATE_ONLY_TOOLS:
        return profile.is_public
    return tool.cloud_act is False


def choose_target(
    usage: str, current: Iterable[str], profile: Profile, catalogue: Catalogue
) -> str | None:
    """The catalogue's first alternative this organisation may use; open software first for
    those who cannot use State instances."""
    candidates: list[str] = []
    for tool in current:
        for slug in catalogue.alternatives.get((tool, usage), ()):
            if slug not in candidates:
                candidates.append(slug)
    if not candidates:  # "autre" or an unlisted tool: any alternative for this usage
        for (_, alt_usage), targets in sorted(catalogue.alternatives.items()):
            if alt_usage == usage:
                candidates.extend(t for t in targets if t not in candidates)
    usable = [catalogue.tools[s] for s in candidates if s in catalogue.tools]
    usable = [t for t in usable if eligible(t, profile)]
    if not profile.is_public:
        usable.sort(key=lambda t: t.open_source is not True)  # stable: keeps catalogue order
    return usable[0].slug if usable else None


def choose_hosting(usage: str, target: str, profile: Profile, catalogue: Catalogue) -> str:
    tool = catalogue.tools[target]
    if tool.la_suite and profile.is_public and eligible(tool, profile):
        return STATE_HOSTING
    if profile.health_data and usage in DATA_USAGES:
        return HEALTH_HOST
    if profile.sensitive_public_data and usage in DATA_USAGES:
        return SECNUMCLOUD_HOST
    if not tool.open_source:
        return ""  # a sovereign service hosted by its own vendor
    if profile.budget == "aucun" and target in FRAMASOFT_SERVICES:
        return FREE_HOST
    return MANAGED_HOST


def change_actions(phase: int, profile: Profile, catalogue: Catalogue) -> list[str]:
    """Training, ambassadors and documentation, sized to how the teams live change."""
    actions = []
    phase_info = catalogue.phases.get(phase)
    if phase_info and phase_info.change_management:
        actions.append(phase_info.change_management)
    if profile.change_readiness in {"plutot_reticentes", "variable"}:
        actions.append("Groupe pilote de volontaires et ambassadeurs dans chaque équipe.")
    needs = {
        "formation_groupe": "Session de formation en groupe.",
        "tutoriels_videos": "Tutoriels courts et vidéos pas à pas.",
        "ambassadeurs_internes": "Réseau d'ambassadeurs internes.",
        "assistance_quotidien": "Assistance au quotidien pendant le changement.",
        "accompagnement_dirigeants": "Accompagnement des élu·es et dirigeant·es.",
    }
    actions.extend(needs[n] for n in profile.support_needs if n in needs)
    return actions


def _difficulty(item: DraftItem, catalogue: Catalogue) -> int:
    usage = catalogue.usages.get(item.usage)
    return usage.difficulty if usage else 0


def _order(item: DraftItem, catalogue: Catalogue) -> int:
    usage = catalogue.usages.get(item.usage)
    return usage.order if usage else -1
