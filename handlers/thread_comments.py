"""Replies in a ticket's conversation thread from people other than the requester.

The requester's own replies go through intake (they are comments on their ticket). Support staff
answering there have replied to the requester (a public reply, the first response if it is the
first); colleagues adding "same here" are recorded on the ticket too. Either way the team channel
hears of it, and nothing is reposted into the thread, where everyone has already read it.
"""
from __future__ import annotations


from handlers import notify
from handlers.desk import Desk
from handlers.intake import clean, ticket_of_thread
from handlers.lifecycle import actor_for
from handlers.messages import Inbound, Reply
from storage import audit
from storage.inbound import first_delivery
from storage.tickets import add_comment


def comment_from_thread(desk: Desk, inbound: Inbound, *, acknowledge: bool = False) -> Reply | None:
    """Record a message someone other than the requester wrote in a ticket's thread.

    With `acknowledge` (the writer addressed the desk) a short acknowledgement is queued in the
    thread and returned; otherwise, for a redelivery, or when the thread is no ticket's: None."""
    text = clean(inbound.text)
    with desk.database.session() as session:
        if inbound.external_id and not first_delivery(
            session, source=inbound.source, external_id=inbound.external_id, at=desk.clock.now()
        ):
            return None
        ticket = ticket_of_thread(session, inbound.conversation)
        if ticket is None or not text:
            return None
        actor = actor_for(desk, inbound.person)
        now = desk.clock.now()
        ticket.updated_at = now
        if actor.staff is not None and actor.staff.may_work(ticket.queue):
            if ticket.first_responded_at is None:
                ticket.first_responded_at = now
            add_comment(session, ticket=ticket, author=actor.name, visibility="public", body=text, at=now)
            audit.record(session, actor=actor.name, action="reply", ticket=ticket, reason="in the requester's thread",
                         at=now)
            team_text = f"{actor.label} replied to {ticket.requester_name} on {ticket.ref}: {text}"
        else:
            add_comment(session, ticket=ticket, author=actor.name, visibility="public", body=text, at=now)
            audit.record(session, actor=actor.name, action="thread_comment", ticket=ticket, at=now)
            team_text = f"{inbound.person.display_name} added to {ticket.ref}: {text}"
        notify.queue_channel(session, desk, ticket, event="thread_comment", text=team_text)
        if not acknowledge:
            return None
        reply = Reply(f"Added to {ticket.ref}.")
        notify.conversation(session, desk, inbound.conversation, reply, requester_id=ticket.requester_id)
        return reply
