"""The requester says a closed ticket's problem is back ("INC-1 is still broken", "INC-1 broken
again").

Closed is final (SERVICE-OPERATION.md: only a resolved ticket is reopened), so the desk opens a
new incident that refers to the closed one: the same queue and the closed ticket's impact and
urgency, its title saying which ticket it follows, and the writer's words as its description. Both
tickets' audit trails record the link. The requester is told why it is a new ticket.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from handlers.desk import Desk
from handlers.lifecycle import Actor
from handlers.messages import Conversation
from storage import audit
from storage.models import Ticket

WORDS_LIMIT = 1_000  # of the writer's words in the new ticket's description


def open_follow_on(session: Session, desk: Desk, actor: Actor, closed: Ticket, text: str, *,
                   conversation: Conversation | None) -> str:
    """Open the new incident for `closed`'s problem coming back; the answer for the requester
    (the new ticket's own confirmation goes out as for any new ticket)."""
    from handlers.intake import open_ticket  # intake reads messages with this module's help

    words = " ".join(text.split())
    if len(words) > WORDS_LIMIT:
        words = words[: WORDS_LIMIT - 1].rstrip() + "…"
    where = conversation or Conversation(closed.conversation_platform, closed.conversation_channel,
                                         closed.conversation_thread)
    ticket = open_ticket(
        session, desk, person=actor.person, conversation=where,
        text=f"{closed.title} (again, after {closed.ref} was closed). {actor.person.display_name} wrote: {words}",
        kind="incident", queue=closed.queue, impact=closed.impact, urgency=closed.urgency,
        priority=closed.priority, actor_name=actor.name, note=f"follows {closed.ref}, which is closed",
    )
    audit.record(session, actor=actor.name, action="reported_again", ticket=closed, field="follow_on",
                 after=ticket.ref, reason="the requester says the problem is back", at=desk.clock.now())
    return (f"{closed.ref} is closed, and closed tickets aren't reopened, so I've opened {ticket.ref} for it; "
            f"{ticket.ref} refers to {closed.ref}, so the team can see what was done before.")
