"""Reading bounce reports: Delivery Status Notifications (RFC 3464, multipart/report with a
message/delivery-status part), as a receiving MTA returns them to our sender address.

Only what the report states is used: per recipient its Action (failed, delayed…), its Status
(5.x.x is permanent, 4.x.x temporary) and its Diagnostic-Code; and the Message-ID of the
returned message, to find our outbox row.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import Message

from django.utils.translation import gettext as _

from pipeline.outbox import single_line

MAX_REPORT_BYTES = 2 * 1024 * 1024
_STATUS = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}$")
_MESSAGE_ID = re.compile(r"<[^<>\s]{3,250}>")


class ReportError(ValueError):
    """Not a readable bounce report; the message says why (French)."""


@dataclass(frozen=True)
class DeliveryReport:
    recipient: str
    action: str
    status: str
    diagnostic: str
    original_message_id: str

    @property
    def permanent(self) -> bool:
        return self.action == "failed" and self.status.startswith("5")

    @property
    def reason(self) -> str:
        return single_line(" ".join(p for p in (self.status, self.diagnostic) if p), 300)


def _address(value: str) -> str:
    """ "rfc822; karim@jardins.org" → "karim@jardins.org"."""
    value = (value or "").strip()
    if ";" in value:
        kind, value = value.split(";", 1)
        if kind.strip().lower() != "rfc822":
            return ""
    return value.strip().strip("<>").strip()


def _diagnostic(value: str) -> str:
    value = single_line(value or "", 250)
    if ";" in value:
        value = value.split(";", 1)[1].strip()
    return value


def _original_message_id(message: Message) -> str:
    for part in message.walk():
        content_type = part.get_content_type()
        headers = None
        if content_type == "message/rfc822":
            payload = part.get_payload()
            headers = payload[0] if isinstance(payload, list) and payload else None
        elif content_type in ("text/rfc822-headers", "message/rfc822-headers"):
            raw = part.get_payload(decode=True) or b""
            headers = email.message_from_bytes(raw, policy=email.policy.compat32)
        if headers is not None and headers.get("Message-ID"):
            match = _MESSAGE_ID.search(str(headers.get("Message-ID")))
            if match:
                return match.group(0)
    return ""


def parse_report(data: bytes) -> list[DeliveryReport]:
    """One entry per recipient block of the report; raises ReportError when it is not one."""
    if len(data) > MAX_REPORT_BYTES:
        raise ReportError(_("Le fichier est trop volumineux (2 Mo au maximum)."))
    try:
        message = email.message_from_bytes(data, policy=email.policy.compat32)
    except Exception as exc:  # the parser is lenient; this is a safety net
        raise ReportError(_("Ce fichier n'est pas un e-mail lisible.")) from exc
    status_parts = [p for p in message.walk() if p.get_content_type() == "message/delivery-status"]
    if not status_parts:
        raise ReportError(
            _(
                "Ce fichier n'est pas un avis de non-distribution standard (RFC 3464) : il ne "
                "contient pas de partie « message/delivery-status ». Enregistrez l'e-mail "
                "d'erreur entier (.eml) depuis votre messagerie."
            )
        )
    original = _original_message_id(message)
    reports: list[DeliveryReport] = []
    for part in status_parts:
        blocks = part.get_payload()
        if not isinstance(blocks, list):
            continue
        for block in blocks[1:]:  # the first block is about the message, the others recipients
            recipient = _address(block.get("Final-Recipient", "")) or _address(
                block.get("Original-Recipient", "")
            )
            if not recipient or "@" not in recipient:
                continue
            status = (block.get("Status", "") or "").strip().split()[0:1]
            status = status[0] if status and _STATUS.match(status[0]) else ""
            reports.append(
                DeliveryReport(
                    recipient=single_line(recipient, 254),
                    action=(block.get("Action", "") or "").strip().lower()[:20],
                    status=status,
                    diagnostic=_diagnostic(block.get("Diagnostic-Code", "")),
                    original_message_id=original,
                )
            )
    if not reports:
        raise ReportError(_("Cet avis de non-distribution ne nomme aucun destinataire."))
    return reports
