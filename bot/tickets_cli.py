"""`servicedesk tickets list|show`: the record, as JSON or as a readable table."""
from __future__ import annotations

import json
import sys

from handlers.fulfilment import request_view
from handlers.access_requests import access_json
from handlers.views import KIND_LABEL, STATUS_LABEL, history_entry, snapshot
from storage.database import Database
from storage.tickets import all_tickets, get_ticket, history, parse_ref


def _with_history(session, ticket) -> dict:
    data = snapshot(ticket)
    data["history"] = [history_entry(entry) for entry in history(session, ticket=ticket)]
    data["comments"] = [
        {"at": c.created_at.isoformat(), "author": c.author, "visibility": c.visibility, "body": c.body}
        for c in ticket.comments
    ]
    if (request := request_view(session, ticket)) is not None:  # a catalog request: item, fields, steps
        data["request"] = request
    if (access := access_json(session, ticket)) is not None:  # an access request: approvals, grant, expiry
        data["access"] = access
    return data


def list_tickets_command(database: Database, *, as_json: bool, out=sys.stdout) -> int:
    with database.session() as session:
        tickets = [snapshot(t) for t in all_tickets(session)]
    if as_json:
        print(json.dumps(tickets, indent=2), file=out)
        return 0
    if not tickets:
        print("No tickets yet.", file=out)
        return 0
    columns = ("id", "kind", "queue", "priority", "status", "assignee", "requester", "title")
    rows = [
        (t["id"], KIND_LABEL[t["kind"]], t["queue"], t["priority"], STATUS_LABEL[t["status"]],
         t["assignee"] or "-", t["requester"]["name"], t["title"][:60])
        for t in tickets
    ]
    widths = [max(len(str(v)) for v in column) for column in zip(columns, *rows)]
    for row in (columns, *rows):
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip(), file=out)
    return 0


def show_ticket_command(database: Database, ref_text: str, *, as_json: bool, out=sys.stdout) -> int:
    ref = parse_ref(ref_text)
    if ref is None:
        print(f"servicedesk: '{ref_text}' is not a ticket id (ids look like INC-12, REQ-3, ACC-7)", file=sys.stderr)
        return 1
    with database.session() as session:
        ticket = get_ticket(session, ref=ref)
        if ticket is None:
            print(f"servicedesk: no ticket {ref}", file=sys.stderr)
            return 1
        data = _with_history(session, ticket)
    if as_json:
        print(json.dumps(data, indent=2), file=out)
        return 0
    fields = ("id", "kind", "title", "queue", "priority", "impact", "urgency", "status", "assignee",
              "created_at", "first_response_due", "resolution_due", "escalation_level", "resolution")
    for name in fields:
        print(f"{name:>20}: {data[name] if data[name] is not None else '-'}", file=out)
    print(f"{'requester':>20}: {data['requester']['name']} ({data['requester']['platform']}:"
          f"{data['requester']['user_id']})", file=out)
    print("history:", file=out)
    for step in data["history"]:
        change = f" {step['before'] or '-'} → {step['after']}" if step["after"] is not None else ""
        reason = f" ({step['reason']})" if step["reason"] else ""
        print(f"  {step['at']}  {step['actor']}  {step['action']}{change}{reason}", file=out)
    for c in data["comments"]:
        print(f"  {c['at']}  {c['author']}  [{c['visibility']}] {c['body']}", file=out)
    return 0
