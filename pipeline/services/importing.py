"""Importing existing leads from a spreadsheet (CSV).

`import_leads(data, user=…, dry_run=True)` checks every row and reports, row by row, what would
happen; the same call with `dry_run=False` does it. Organisations are recognised the way intake
recognises them (SIREN, e-mail domain, name + postcode), contacts by e-mail, and an
organisation that already has an engagement gets no second one: importing the same file twice
creates nothing the second time.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pipeline import identity, outbox
from pipeline.models import (
    Activity,
    ActivityKind,
    Contact,
    Engagement,
    NotificationKind,
    Organisation,
    OrganisationType,
    StageChange,
)
from pipeline.services.assignment import pick_owner
from pipeline.services.base import CONSULTANTS_GROUP
from pipeline.services.intake import find_organisation
from pipeline.stages import LostReason, Stage

User = get_user_model()

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 5000

# Column → accepted headings (compared without case, accents, spaces or punctuation).
COLUMNS: dict[str, tuple[str, ...]] = {
    "organisation_name": ("organisation", "structure", "nom de la structure", "organisation_name",
                          "raison sociale", "entreprise", "collectivite"),
    "organisation_type": ("type", "type de structure", "organisation_type", "categorie"),
    "siren": ("siren", "siret", "siren / siret"),
    "postcode": ("code postal", "cp", "postcode"),
    "website": ("site", "site internet", "site web", "website"),
    "headcount": ("effectif", "headcount", "nombre d'utilisateurs"),
    "contact_name": ("contact", "nom du contact", "prenom et nom", "contact_name", "nom"),
    "role": ("fonction", "role", "poste"),
    "email": ("email", "e-mail", "courriel", "mail", "adresse e-mail"),
    "phone": ("telephone", "tel", "phone", "portable"),
    "stage": ("etape", "stage", "statut"),
    "owner": ("consultant", "consultante", "consultant e", "owner", "responsable", "suivi par"),
    "source": ("source", "origine"),
    "next_action": ("prochaine action", "next_action", "action"),
    "next_action_due": ("echeance", "next_action_due", "date de relance", "relance"),
    "lost_reason": ("raison de la perte", "lost_reason", "motif"),
    "consent_contact": ("consentement", "consent_contact", "accepte d'etre recontacte"),
    "note": ("note", "commentaire", "remarque"),
}  # fmt: skip

COLUMN_LABELS = {
    "organisation_name": gettext_lazy("organisation"),
    "email": gettext_lazy("e-mail"),
    "stage": gettext_lazy("étape"),
    "owner": gettext_lazy("consultant·e"),
    "next_action_due": gettext_lazy("échéance"),
}

TRUE_WORDS = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
FALSE_WORDS = {"non", "n", "no", "faux", "false", "0", ""}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (encoding, size, no usable header)."""


class RowStatus:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    ERROR = "error"

    LABELS = {
        CREATED: gettext_lazy("Nouvelle organisation"),
        UPDATED: gettext_lazy("Complétée"),
        UNCHANGED: gettext_lazy("Déjà présente"),
        ERROR: gettext_lazy("Erreur"),
    }


@dataclass
class RowResult:
    line: int
    organisation: str
    status: str = RowStatus.UNCHANGED
    messages: list[str] = field(default_factory=list)
    engagement_id: int | None = None

    @property
    def status_label(self) -> str:
        return str(RowStatus.LABELS[self.status])

    @property
    def is_error(self) -> bool:
        return self.status == RowStatus.ERROR


@dataclass
class ImportReport:
    dry_run: bool
    rows: list[RowResult]
    unknown_columns: list[str]

    @property
    def counts(self) -> Counter:
        return Counter(row.status for row in self.rows)

    @property
    def errors(self) -> list[RowResult]:
        return [row for row in self.rows if row.is_error]

    @property
    def valid_rows(self) -> int:
        return len(self.rows) - len(self.errors)


def normalise_heading(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9']+", " ", plain).split())


_HEADINGS = {
    normalise_heading(alias): column for column, aliases in COLUMNS.items() for alias in aliases
}


def read_rows(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """Decode the file, guess its separator and map its headings to our columns."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(
            _("Le fichier dépasse %(size)s Mo : découpez-le en plusieurs fichiers.")
            % {"size": MAX_IMPORT_BYTES // (1024 * 1024)}
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise ImportFileError(_("Encodage du fichier non reconnu : enregistrez-le en UTF-8."))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first_line = text.split("\n", 1)[0]
    delimiter = max([";", ",", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        headings = next(reader)
    except StopIteration:
        raise ImportFileError(_("Le fichier est vide.")) from None
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    for index, heading in enumerate(headings):
        column = _HEADINGS.get(normalise_heading(heading))
        if column and column not in mapping.values():
            mapping[index] = column
        elif heading.strip():
            unknown.append(heading.strip())
    if "organisation_name" not in mapping.values():
        raise ImportFileError(
            _(
                "Colonne « organisation » introuvable. La première ligne doit nommer les "
                "colonnes, par exemple : organisation;contact;email;téléphone;étape."
            )
        )
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        row = {column: "" for column in COLUMNS}
        for index, column in mapping.items():
            if index < len(values):
                row[column] = values[index].strip()
        rows.append((number, row))
        if len(rows) > MAX_IMPORT_ROWS:
            raise ImportFileError(
                _("Plus de %(max)s lignes : découpez le fichier.") % {"max": MAX_IMPORT_ROWS}
            )
    return rows, unknown


def _choice_lookup(choices) -> dict[str, str]:
    lookup = {}
    for value, label in choices:
        lookup[normalise_heading(value)] = value
        lookup[normalise_heading(str(label))] = value
    return lookup


def _parse_date(value: str) -> datetime.date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


@dataclass
class CleanRow:
    organisation_name: str
    kind: str = ""
    siren: str = ""
    postcode: str = ""
    website: str = ""
    headcount: str = ""
    contact_name: str = ""
    role: str = ""
    email: str = ""
    phone: str = ""
    stage: str = Stage.NEW
    owner: AbstractBaseUser | None = None
    source: str = ""
    next_action: str = ""
    next_action_due: datetime.date | None = None
    lost_reason: str = ""
    consent_contact: bool = False
    note: str = ""


class _Validator:
    def __init__(self):
        self.stages = _choice_lookup(Stage.choices)
        self.kinds = _choice_lookup(OrganisationType.choices)
        self.reasons = _choice_lookup(LostReason.choices)
        self.consultants = {}
        for user in User.objects.filter(is_active=True).filter(
            Q(groups__name=CONSULTANTS_GROUP) | Q(is_superuser=True)
        ):
            for key in (user.get_username(), user.email, user.get_full_name()):
                if key:
                    self.consultants[normalise_heading(key)] = user

    def clean(self, raw: dict[str, str]) -> tuple[CleanRow | None, list[str]]:
        errors: list[str] = []
        name = outbox.single_line(raw["organisation_name"], 200)
        if not name:
            errors.append(_("le nom de l'organisation est vide"))
        row = CleanRow(organisation_name=name)

        email = raw["email"].strip()
        if email:
            try:
                validate_email(email)
                row.email = email.lower()
            except ValidationError:
                errors.append(_("adresse e-mail invalide « %(value)s »") % {"value": email})
        if raw["contact_name"] and not row.email and not errors:
            errors.append(_("un contact sans adresse e-mail ne peut pas être importé"))

        if raw["siren"]:
            row.siren = identity.normalise_siren(raw["siren"])
            if not row.siren:
                errors.append(
                    _("SIREN/SIRET invalide « %(value)s » (9 ou 14 chiffres)")
                    % {"value": raw["siren"]}
                )
        if raw["postcode"]:
            row.postcode = identity.normalise_postcode(raw["postcode"])
            if not row.postcode:
                errors.append(
                    _("code postal invalide « %(value)s » (5 chiffres)")
                    % {"value": raw["postcode"]}
                )
        if raw["website"]:
            website = raw["website"]
            if not re.match(r"^https?://", website, re.I):
                website = "https://" + website
            try:
                URLValidator()(website)
                row.website = website[:200]
            except ValidationError:
                errors.append(_("site internet invalide « %(value)s »") % {"value": raw["website"]})
        if raw["organisation_type"]:
            row.kind = self.kinds.get(normalise_heading(raw["organisation_type"]), "")
            if not row.kind:
                errors.append(
                    _("type de structure inconnu « %(value)s » (valeurs : %(choices)s)")
                    % {
                        "value": raw["organisation_type"],
                        "choices": ", ".join(str(label) for _v, label in OrganisationType.choices),
                    }
                )
        if raw["stage"]:
            row.stage = self.stages.get(normalise_heading(raw["stage"]), "")
            if not row.stage:
                errors.append(
                    _("étape inconnue « %(value)s » (valeurs : %(choices)s)")
                    % {
                        "value": raw["stage"],
                        "choices": ", ".join(str(label) for _v, label in Stage.choices),
                    }
                )
        if raw["lost_reason"]:
            row.lost_reason = self.reasons.get(normalise_heading(raw["lost_reason"]), "")
            if not row.lost_reason:
                errors.append(
                    _("raison de la perte inconnue « %(value)s »") % {"value": raw["lost_reason"]}
                )
        if raw["owner"]:
            row.owner = self.consultants.get(normalise_heading(raw["owner"]))
            if row.owner is None:
                errors.append(
                    _("consultant·e inconnu·e « %(value)s » (identifiant, e-mail ou nom)")
                    % {"value": raw["owner"]}
                )
        if raw["next_action_due"]:
            try:
                row.next_action_due = _parse_date(raw["next_action_due"])
            except ValueError:
                errors.append(
                    _("date invalide « %(value)s » (attendu JJ/MM/AAAA)")
                    % {"value": raw["next_action_due"]}
                )
        consent = normalise_heading(raw["consent_contact"])
        if consent in TRUE_WORDS:
            row.consent_contact = True
        elif consent not in FALSE_WORDS:
            errors.append(
                _("consentement illisible « %(value)s » (oui ou non)")
                % {"value": raw["consent_contact"]}
            )
        row.contact_name = outbox.single_line(raw["contact_name"], 200)
        row.role = outbox.single_line(raw["role"], 200)
        row.phone = outbox.single_line(raw["phone"], 40)
        row.headcount = outbox.single_line(raw["headcount"], 16)
        row.source = outbox.single_line(raw["source"], 200)
        row.next_action = outbox.single_line(raw["next_action"], 200)
        row.note = raw["note"].strip()[:5000]
        return (None if errors else row), errors


def import_leads(
    data: bytes,
    *,
    user: AbstractBaseUser | None,
    dry_run: bool = True,
    filename: str = "",
) -> ImportReport:
    """Check (dry run) or import every row of a CSV file; bad rows are reported, not imported."""
    if user is not None and not all(
        user.has_perm(p) for p in ("pipeline.add_organisation", "pipeline.add_engagement")
    ):
        raise PermissionDenied(_("Vous n'avez pas le droit d'importer des organisations."))
    raw_rows, unknown = read_rows(data)
    validator = _Validator()
    results: list[RowResult] = []
    assigned: dict[int, list[Engagement]] = defaultdict(list)
    source = outbox.single_line(_("Import CSV %(file)s") % {"file": filename}, 200).strip()
    with transaction.atomic():
        for line, raw in raw_rows:
            row, errors = validator.clean(raw)
            result = RowResult(line=line, organisation=raw["organisation_name"][:200])
            if row is None:
                result.status = RowStatus.ERROR
                result.messages = errors
            else:
                # One savepoint per row: a row that fails in the database leaves no half-record.
                try:
                    with transaction.atomic():
                        _import_row(row, result, user=user, source=source, assigned=assigned)
                except (ValidationError, ValueError, DatabaseError) as exc:
                    result.status = RowStatus.ERROR
                    result.messages = [str(getattr(exc, "message", exc))]
            results.append(result)
        if dry_run:
            transaction.set_rollback(True)
        else:
            _notify_owners(assigned, user=user)
    return ImportReport(dry_run=dry_run, rows=results, unknown_columns=unknown)


def _import_row(row: CleanRow, result: RowResult, *, user, source: str, assigned) -> None:
    organisation = find_organisation(
        email=row.email, name=row.organisation_name, postcode=row.postcode, siren=row.siren
    )
    changes: list[str] = []
    if organisation is None:
        territory = identity.territory_from_postcode(row.postcode)
        organisation = Organisation(
            name=row.organisation_name,
            kind=row.kind,
            headcount=row.headcount,
            siren=row.siren,
            domain=identity.organisation_domain(row.email) if row.email else "",
            postcode=row.postcode,
            territory=territory,
            time_zone=identity.time_zone_for_territory(territory),
            website=row.website,
        )
        _save(organisation, user)
        result.status = RowStatus.CREATED
    else:
        filled = {
            "kind": row.kind,
            "headcount": row.headcount,
            "siren": row.siren,
            "postcode": row.postcode,
            "website": row.website,
        }
        filled = {k: v for k, v in filled.items() if v and not getattr(organisation, k)}
        if filled:
            for key, value in filled.items():
                setattr(organisation, key, value)
            if "postcode" in filled and not organisation.territory:
                organisation.territory = identity.territory_from_postcode(row.postcode)
                organisation.time_zone = identity.time_zone_for_territory(organisation.territory)
            _save(organisation, user)
            changes.append(_("organisation complétée"))

    if row.email:
        contact = organisation.contacts.filter(email__iexact=row.email).first()
        if contact is None:
            contact = Contact(
                organisation=organisation,
                email=row.email,
                name=row.contact_name or row.email,
                role=row.role,
                phone=row.phone,
            )
            if row.consent_contact:
                contact.consent_contact, contact.consent_contact_at = True, timezone.now()
            _save(contact, user)
            changes.append(_("contact ajouté"))
        else:
            updated = False
            for field_name in ("role", "phone"):
                if getattr(row, field_name) and not getattr(contact, field_name):
                    setattr(contact, field_name, getattr(row, field_name))
                    updated = True
            if updated:
                _save(contact, user)
                changes.append(_("contact complété"))

    engagement = organisation.engagements.order_by("-created_at").first()
    if engagement is None:
        engagement = _create_engagement(organisation, row, user=user, source=source)
        if engagement.owner_id:
            assigned[engagement.owner_id].append(engagement)
        changes.append(
            _("accompagnement créé à l'étape « %(stage)s »") % {"stage": Stage(row.stage).label}
        )
    elif changes:
        Activity.objects.create(
            engagement=engagement,
            kind=ActivityKind.IMPORT,
            actor=user,
            summary=outbox.single_line(
                _("Import : %(changes)s") % {"changes": ", ".join(changes)}, 300
            ),
        )
    if result.status != RowStatus.CREATED:
        result.status = RowStatus.UPDATED if changes else RowStatus.UNCHANGED
    result.engagement_id = engagement.pk
    result.messages = changes or [_("déjà présente, rien de nouveau")]


def _create_engagement(organisation, row: CleanRow, *, user, source: str) -> Engagement:
    stage = Stage(row.stage or Stage.NEW)
    engagement = Engagement(
        organisation=organisation,
        owner=row.owner or pick_owner(organisation.territory),
        stage=stage,
        source=row.source or source,
        next_action=row.next_action,
        next_action_due=row.next_action_due,
    )
    if stage == Stage.LOST:
        engagement.lost_from_stage = Stage.NEW
        engagement.lost_reason = row.lost_reason or LostReason.OTHER
    _save(engagement, user)
    # An imported lead starts where the spreadsheet says: one recorded entry, no fake path.
    StageChange.objects.create(
        engagement=engagement,
        from_stage="",
        to_stage=stage,
        changed_by=user,
        note=_("Import"),
    )
    Activity.objects.create(
        engagement=engagement,
        kind=ActivityKind.IMPORT,
        actor=user,
        summary=outbox.single_line(
            _("Importé depuis un fichier (%(source)s), étape « %(stage)s »")
            % {"source": source, "stage": stage.label},
            300,
        ),
    )
    if row.note:
        Activity.objects.create(
            engagement=engagement,
            kind=ActivityKind.NOTE,
            actor=user,
            summary=outbox.single_line(row.note, 120),
            body=row.note,
        )
    return engagement


def _save(instance, user) -> None:
    if user is not None:
        instance._history_user = user
    instance._change_reason = _("Import CSV")
    instance.save()


def _notify_owners(assigned: dict[int, list[Engagement]], *, user) -> None:
    """One e-mail per consultant who was given imported engagements, not one per row."""
    if not assigned:
        return
    owners = User.objects.in_bulk(list(assigned))
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    for owner_id, engagements in assigned.items():
        owner = owners.get(owner_id)
        if owner is None or not owner.email or owner == user:
            continue
        outbox.queue_email(
            kind=NotificationKind.CONSULTANT_ALERT,
            to=[owner.email],
            template="import_assigned",
            context={"engagements": engagements, "count": len(engagements)},
            idempotency_key=f"import-assigned:{owner_id}:{stamp}:{engagements[0].pk}",
        )
