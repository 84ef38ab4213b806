"""How a ticket reads as data and as neutral text; platform adapters render from these."""
from __future__ import annotations

from datetime import datetime, timezone

from handlers.organisation import Organisation
from handlers.sla import local_time, time_left
from handlers.sla_clock import ClockState
from handlers.sla_clock import states as clock_states
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


def snapshot(ticket: Ticket, *, organisation: Organisation | None = None, now: datetime | None = None) -> dict:
    """A ticket as JSON-ready data (outbox payloads, --json output, cards). With the
    organisation, it carries how each SLA target stands (`sla`) and the time left (`time_left`)
    as of `now` (default: the current time)."""
    data = {
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
    if organisation is not None:
        found = clock_states(organisation, ticket, now=now or datetime.now(timezone.utc))
        data["sla"] = [state.as_dict() for state in found]
        data["time_left"] = sla_summary(found, ticket)
    return data


def sla_summary(found: list[ClockState], ticket: Ticket) -> str | None:
    """One line for a card: the targets still open, e.g. `resolution 3h 10m left`."""
    if ticket.status in ("resolved", "closed"):
        return None
    shown = [f"{state.label} {state.describe()}" for state in found if state.open]
    return " · ".join(shown) or None


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


def detail(ticket: Ticket, *, now: datetime, comments: list, public_only: bool,
           organisation: Organisation | None = None) -> str:
    lines = [
        f"{ticket.ref}: {ticket.title}",
        f"  kind {KIND_LABEL[ticket.kind]} · queue {ticket.queue} · priority {ticket.priority} "
        f"(impact {ticket.impact}, urgency {ticket.urgency})",
        f"  status {STATUS_LABEL[ticket.status]} · assignee {ticket.assignee or 'nobody yet'} · "
        f"requester {ticket.requester_name}",
    ]
    if ticket.status in ("resolved", "closed"):
        lines.append(f"  resolution: {ticket.resolution or '-'}")
    found = clock_states(organisation, ticket, now=now) if organisation is not None and ticket.sla_clocks else None
    if found is not None:
        for state in found:
            due = f" · due {local_time(organisation, state.due_at)}" if state.state in ("running", "breached") else ""
            lines.append(f"  {state.label}: {state.describe()}{due}")
        if ticket.escalation_level:
            lines.append(f"  escalation level {ticket.escalation_level}")
    elif ticket.status not in ("resolved", "closed"):
        if ticket.first_responded_at is None:
            lines.append(f"  first response: {time_left(ticket.first_response_due, now)}")
        lines.append(f"  resolution: {time_left(ticket.resolution_due, now)}")
    shown = [c for c in comments if c.visibility == "public" or not public_only]
    for comment in shown[-5:]:
        marker = "note" if comment.visibility == "internal" else "reply"
        lines.append(f"  [{marker}] {comment.author}: {comment.body}")
    return "\n".join(lines)
