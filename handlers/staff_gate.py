"""Staff-only actions refused up front, politely and on the record.

A front end that offers staff actions to everyone (slash commands, buttons on a shared card) asks
here before running one: an end user gets "only support staff can …" instead of the desk
pretending the ticket doesn't exist, and the attempt is audited like any other refusal.
"""
from __future__ import annotations

from handlers.desk import Desk
from handlers.lifecycle import Refused, actor_for, require_staff
from handlers.messages import Person, Reply
from storage import audit
from storage.tickets import get_ticket, parse_ref

# What each staff-only command does, in the words of the refusal. Requesters may reopen and
# close their own tickets, so those two are not here.
STAFF_ONLY: dict[str, str] = {
    "take": "take tickets",
    "assign": "assign tickets",
    "status": "change a ticket's status",
    "note": "add internal notes",
    "reply": "reply on tickets",
    "priority": "change priorities",
    "queue": "move tickets between queues",
    "kind": "change what kind a ticket is",
    "escalate": "escalate tickets",
    "resolve": "resolve tickets",
    "update": "post status updates",
    "major": "declare major incidents",
    "problem": "manage problems",
    "done": "tick off fulfilment steps",
    "granted": "confirm access grants",
    "report": "see reports",
}


def refuse_unless_staff(desk: Desk, person: Person, command: str, ref_text: str | None = None) -> Reply | None:
    """None when this person is staff (or the command is not staff-only); otherwise the refusal,
    recorded in the audit trail."""
    doing = STAFF_ONLY.get(command)
    actor = actor_for(desk, person)
    if doing is None or actor.staff is not None:
        return None
    try:
        require_staff(actor, None, doing)
    except Refused as refusal:
        with desk.database.session() as session:
            ref = parse_ref(ref_text) if ref_text else None
            ticket = get_ticket(session, ref=ref) if ref else None
            audit.record(session, actor=f"{person.platform}:{person.user_id}", action="refused",
                         ticket=ticket, field=command, reason=str(refusal), at=desk.clock.now())
        return Reply(str(refusal), ok=False)
    return None
