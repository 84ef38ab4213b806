"""`servicedesk audit export --since DATE [--format csv|jsonl] [--out FILE]`: the access trail for
an auditor: who requested, approved, denied, granted, extended and revoked what, and when.

One row per event, oldest first, from the audit table joined with the access records (resource,
beneficiary). Refused attempts to approve (separation of duties) are in it too.
"""
from __future__ import annotations

import csv
import json
import sys
from datetime import datetime, timezone

from sqlalchemy import or_, select

from storage.access import AccessRequest, ApprovalStep
from storage.database import Database
from storage.models import AuditEntry, Ticket

EVENTS = ("approval_requested", "approved", "denied", "approval_timed_out", "approval_reminded", "provisioning",
          "granted", "extended", "revoking", "revoked", "expiry_warned", "provisioner_failed", "access_cancelled")
COLUMNS = ("at", "event", "actor", "ticket", "kind", "resource", "beneficiary", "before", "after", "reason")


class BadDate(ValueError):
    """--since was not a date; the message says what was expected."""


def parse_since(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadDate(f"--since: expected a date such as 2026-11-01 or 2026-11-01T09:00:00Z, got {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def rows(database: Database, *, since: datetime) -> list[dict]:
    with database.session() as session:
        with_steps = select(ApprovalStep.ticket_id)
        statement = (
            select(AuditEntry, Ticket, AccessRequest)
            .outerjoin(Ticket, Ticket.id == AuditEntry.ticket_id)
            .outerjoin(AccessRequest, AccessRequest.ticket_id == AuditEntry.ticket_id)
            .where(AuditEntry.created_at >= since)
            .where(or_(
                AuditEntry.action.in_(EVENTS),
                (AuditEntry.action == "opened") & (Ticket.kind == "access_request"),
                (AuditEntry.action == "refused") & AuditEntry.ticket_id.in_(with_steps),
            ))
            .order_by(AuditEntry.created_at, AuditEntry.id)
        )
        found = []
        for entry, ticket, request in session.execute(statement):
            found.append({
                "at": entry.created_at.isoformat(), "event": "requested" if entry.action == "opened" else entry.action,
                "actor": entry.actor, "ticket": ticket.ref if ticket else None, "kind": ticket.kind if ticket else None,
                "resource": request.resource if request else None,
                "beneficiary": request.beneficiary if request else None,
                "before": entry.before, "after": entry.after, "reason": entry.reason,
            })
        return found


def export(database: Database, *, since_text: str, fmt: str = "jsonl", out=None) -> int:
    """Write the trail; 2 with a message on stderr for a bad date."""
    try:
        since = parse_since(since_text)
    except BadDate as exc:
        print(f"servicedesk: {exc}", file=sys.stderr)
        return 2
    out = out or sys.stdout
    found = rows(database, since=since)
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(found)
    else:
        out.write("".join(json.dumps(row) + "\n" for row in found))
    out.flush()
    return 0
