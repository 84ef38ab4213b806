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
from pathlib import Path

from sqlalchemy import or_, select

from storage.access import AccessRequest, ApprovalStep
from storage.database import Database
from storage.models import AuditEntry, Ticket

EVENTS = ("approval_requested", "approved", "denied", "approval_timed_out", "approval_reminded", "approval_held",
          "approval_resumed", "provisioning", "granted", "extended", "revoking", "revoked", "expiry_warned",
          "provisioner_failed", "access_cancelled", "access_passed_on", "approval_withdrawn")
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


def export(database: Database, *, since_text: str, fmt: str = "jsonl", out=None, out_path: str | None = None) -> int:
    """Write the trail to `out_path` (its folder made if need be), else to `out` or stdout. 2 with a
    message on stderr for a bad date, 1 when the file cannot be written (as `report --out`)."""
    try:
        since = parse_since(since_text)
    except BadDate as exc:
        print(f"servicedesk: {exc}", file=sys.stderr)
        return 2
    found = rows(database, since=since)
    if out_path is None:
        _write(found, fmt, out or sys.stdout)
        return 0
    path = Path(out_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as file:
            _write(found, fmt, file)
    except OSError as exc:
        print(f"servicedesk: cannot write the audit export to {path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


def _write(found: list[dict], fmt: str, out) -> None:
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(found)
    else:
        out.write("".join(json.dumps(row) + "\n" for row in found))
    out.flush()
