"""How a ticket reads as data and as neutral text; platform adapters render from these."""
from __future__ import annotations

from datetime import datetime

from handlers.sla import time_left
from storage.models import AuditEntry, Ticket

KIND_LABEL = {"incident": "incident", "service_request": "service request", "access_request": "access request"}
STATUS_LABEL = {
    "new": "new",
    "assigned": "assigned",
    "in_progress": "in progress",
    "on_hold": "on hold",
    "resolved": "resolved",
    "closed": "closed",
}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def snapshot(ticket: Ticket) -> dict:
    """A ticket as JSON-ready data (outbox payloads, --json output, cards)."""
    return {
        "id": ticket.ref,
        "kind": ticket.kind,
        "title": ticket.title,
        "queue": ticket.queue,
        "priority": ticket.priority,
        "impact": ticket.impact,
        "urgency": ticket.urgency,
        "status": ticket.status,
        "assignee": ticket.assignee,
        "requester": {
            "platform": ticket.requester_platform,
            "user_id": ticket.requester_id,
            "name": ticket.requester_name,
        },
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
        "first_response_due": _iso(ticket.first_response_due),
        "resolution_due": _iso(ticket.resolution_due),
        "first_responded_at": _iso(ticket.first_responded_at),
        "resolved_at": _iso(ticket.resolved_at),
        "closed_at": _iso(ticket.closed_at),
        "escalation_level": ticket.escalation_level,
        "resolution": ticket.resolution,
    }


def history_entry(entry: AuditEntry) -> dict:
    return {
        "at": _iso(entry.created_at),
        "actor": entry.actor,
        "action": entry.action,
        "field": entry.field,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
    }


def headline(ticket: Ticket) -> str:
    who = f" · {ticket.assignee}" if ticket.assignee else ""
    return (
        f"{ticket.ref} · {KIND_LABEL[ticket.kind]} · {ticket.queue} · {ticket.priority} · "
        f"{STATUS_LABEL[ticket.status]}{who} · {ticket.title}"
    )


def detail(ticket: Ticket, *, now: datetime, comments: list, public_only: bool) -> str:
    lines = [
        f"{ticket.ref}: {ticket.title}",
        f"  kind {KIND_LABEL[ticket.kind]} · queue {ticket.queue} · priority {ticket.priority} "
        f"(impact {ticket.impact}, urgency {ticket.urgency})",
        f"  status {STATUS_LABEL[ticket.status]} · assignee {ticket.assignee or 'nobody yet'} · "
        f"requester {ticket.requester_name}",
    ]
    if ticket.status in ("resolved", "closed"):
        lines.append(f"  resolution: {ticket.resolution or '-'}")
    else:
        if ticket.first_responded_at is None:
            lines.append(f"  first response: {time_left(ticket.first_response_due, now)}")
        lines.append(f"  resolution: {time_left(ticket.resolution_due, now)}")
    shown = [c for c in comments if c.visibility == "public" or not public_only]
    for comment in shown[-5:]:
        marker = "note" if comment.visibility == "internal" else "reply"
        lines.append(f"  [{marker}] {comment.author}: {comment.body}")
    return "\n".join(lines)
