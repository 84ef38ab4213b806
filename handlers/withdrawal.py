"""The requester withdraws their own ticket before it is resolved: "please cancel INC-1",
"INC-1 can be closed, fixed it myself", "/sd close INC-1 fixed it myself".

The ticket closes without being resolved, with their reason; the team is told (the assignee
directly too) and no rating is asked, since nothing was delivered. A resolved ticket is
confirmed instead (the life cycle's `close`, which asks for the rating). Staff keep their own
rules for closing (handlers/lifecycle.py)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from handlers import notify
from handlers.desk import Desk
from handlers.lifecycle import Actor, DeskError, Refused, _status, close
from storage.models import Ticket


def withdraw(session: Session, desk: Desk, ticket: Ticket, actor: Actor, reason: str = "") -> str:
    """Close the requester's unresolved ticket at their request; the answer for them."""
    if not actor.is_requester(ticket):
        raise Refused("Sorry, only the requester can withdraw a ticket.")
    if ticket.status == "closed":
        raise DeskError(f"{ticket.ref} is already closed.")
    reason = " ".join(reason.split()).rstrip(" .")
    if ticket.status == "resolved":
        return close(session, desk, ticket, actor, reason)
    why = f": {reason}" if reason else ""
    ticket.resolution = f"Withdrawn by the requester{why}"
    _status(session, desk, ticket, actor, "closed", reason=f"withdrawn by the requester{why}")
    team_text = f"{ticket.ref} withdrawn by {ticket.requester_name}{why}. It is closed; no further work needed."
    notify.queue_channel(session, desk, ticket, event="withdrawn", text=team_text)
    member = desk.organisation.staff_named(ticket.assignee) if ticket.assignee else None
    if member is not None:
        notify.staff_member(session, desk, ticket, member, event="withdrawn", text=team_text)
    noted = f" (your reason: {reason})" if reason else ""
    return (f"{ticket.ref} is closed as you asked{noted}; the team has been told. If you need help with it after "
            f"all, just tell me and I'll log it again.")
