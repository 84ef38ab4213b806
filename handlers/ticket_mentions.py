"""A user's message about one of their tickets: naming it ("any update on INC-12?", "INC-12 it
also beeps now") or written in its thread.

How the message reads (handlers/mention_reading.py) decides what happens, and nothing the user
wrote is lost:
- a question about progress ("why is this taking so long", "has someone picked it up") is
  answered with the ticket's status line; a bare id is taken as that question;
- details are added to the ticket as a comment (staff see it in the queue channel); a message that
  both tells and asks gets both;
- "still broken" / "it's happening again" about a resolved ticket reopens it (the life cycle:
  resolved → in progress), telling the team, and keeps the words as a comment; naming no ticket
  ("it's happening again") it means the one ticket waiting for the writer's "Is it fixed?";
- the same about a closed ticket opens a new one that refers to it (closed tickets stay closed:
  handlers/reported_again.py);
- asking to withdraw it ("please cancel INC-1", "INC-1 can be closed, fixed it myself") closes an
  unresolved ticket with the reason given (handlers/withdrawal.py), and confirms a resolved one;
- thanks are acknowledged, not posted to the team; thanks with a detail ("INC-1 thanks, on my way")
  are acknowledged and the detail kept.
Only the ticket's requester (or staff) learns anything.
"""
from __future__ import annotations

import re

from sqlalchemy.orm import Session

from handlers import follow_up, reported_again
from handlers.awaited_replies import awaits_answer
from handlers.desk import Desk
from handlers.lifecycle import Actor, DeskError, reopen, requester_comment
from handlers.mention_reading import REF_IN_TEXT, read, refs_in
from handlers.messages import Conversation
from handlers.withdrawal import withdraw
from handlers.views import STATUS_LABEL
from storage import follow_up as follow_up_store
from storage.models import Ticket
from storage.tickets import OPEN_STATUSES, get_ticket

__all__ = ["REF_IN_TEXT", "about_own_ticket", "reads_as_reference", "refs_in", "status_line"]
# "it's happening again", "the problem is back", "still not working": the words are about "it"
_ABOUT_IT = re.compile(r"^\W*(?:(?:hi|hey|hello|sorry|unfortunately|well|ok|okay|so|but|and|hmm|um|nope|no|yeah)\b\W*)*"
                       r"(?:its?|this|that|the (?:same )?(?:problem|issue|error|fault|bug)|same (?:problem|issue|error)"
                       r"|still)\b", re.IGNORECASE)
REASON_LIMIT = 500  # of the user's words in the reopen's audit reason (the comment keeps them all)


def about_own_ticket(session: Session, desk: Desk, actor: Actor, text: str, *,
                     thread_ticket: Ticket | None = None, conversation: Conversation | None = None) -> str | None:
    """The answer to a message about one of the writer's own tickets, after acting on it; None
    when the message is not about one (it names no ticket of theirs, or several), or adds details
    to a closed one (intake goes on: that is a new matter).

    `thread_ticket`: the message was written in that ticket's thread by its requester;
    `conversation`: where it was written (a new ticket opened for it answers there)."""
    if thread_ticket is not None:
        ticket = thread_ticket
    else:
        refs = refs_in(text)
        if not refs:
            return _still_broken_after_resolve(session, desk, actor, text)
        if len(refs) != 1:
            return None
        ticket = get_ticket(session, ref=refs[0])
        if ticket is None or not actor.is_requester(ticket):
            return None
    in_thread = thread_ticket is not None
    reading = read(text)
    if reading.withdraws:
        return _withdraw(session, desk, ticket, actor, reading.reason)
    if ticket.status == "closed" and reading.not_fixed:
        return reported_again.open_follow_on(session, desk, actor, ticket, text, conversation=conversation)
    if ticket.status == "closed" and reading.detail is not None and not in_thread:
        return None
    if ticket.status == "resolved" and reading.not_fixed:
        reopened = _reopen(session, desk, ticket, actor, text)
        if reopened is not None:
            return reopened
    if reading.thanks and not reading.asks_status and reading.detail is None and awaits_answer(
            session, desk, actor, ticket):
        reading = read(text, replying=True)  # "INC-1 thanks, will do" answers what staff asked
    if reading.thanks and not reading.asks_status and reading.detail is None:
        return _welcome(ticket)
    asks = reading.asks_status or (reading.bare and not in_thread)
    status = status_line(session, desk, actor, ticket.ref) if asks else None  # before the comment it answers
    if reading.detail is None and not (in_thread and status is None):
        return status
    requester_comment(session, desk, ticket, actor, text)
    added = _added(desk, ticket, in_thread=in_thread, with_status=status is not None)
    if reading.thanks and not status:
        added = f"You're welcome! {added}"
    return f"{added}\n{status}" if status else added


def reads_as_reference(session: Session, actor: Actor, text: str) -> bool:
    """Whether the ticket ids in `text` are references to be answered about: one names a ticket
    the writer may see (their own; any, for staff), or the message is only a question about the
    ids ("any update on INC-7?", which a stranger is told is none of theirs). Otherwise ("req 2
    from the audit is missing", "Inc 2024 numbers look wrong") they are words of a new matter."""
    refs = refs_in(text)
    if not refs:
        return False
    for ref in refs:
        ticket = get_ticket(session, ref=ref)
        if ticket is not None and (actor.staff is not None or actor.is_requester(ticket)):
            return True
    return read(text).detail is None


def status_line(session: Session, desk: Desk, actor: Actor, ref: str) -> str:
    """Where a ticket stands, for its requester or staff."""
    ticket = get_ticket(session, ref=ref)
    if ticket is None or (actor.staff is None and not actor.is_requester(ticket)):
        return f"I can't find a ticket {ref} among yours."
    line = f"{ticket.ref} ({ticket.title}) is {STATUS_LABEL[ticket.status]}"
    if ticket.status in OPEN_STATUSES:
        line += f", {_with_whom(desk, ticket, waiting=True)}, priority {ticket.priority}."
        last = next((c for c in reversed(ticket.comments) if c.visibility == "public"), None)
        if last is not None:
            line += f" Latest: {last.author}: {last.body}"
        return line
    line += "."
    if ticket.resolution:
        line += f" Resolution: {ticket.resolution}"
    if ticket.status == "resolved" and actor.is_requester(ticket):
        line += f" {follow_up.wording(ticket).question}"
    return line


def _still_broken_after_resolve(session: Session, desk: Desk, actor: Actor, text: str) -> str | None:
    """"it's happening again", naming no ticket, while exactly one ticket of the writer's waits for
    their "Is it fixed?": that ticket is not fixed (the yes/no answers themselves are
    handlers/follow_up.py's). Only when "it" is the subject, so "my printer is broken again" stays
    a new matter."""
    if not _ABOUT_IT.match(text) or not read(text).not_fixed:
        return None
    waiting = {q.ticket_id for q in follow_up_store.answerable(session, platform=actor.person.platform,
                                                             user_id=actor.person.user_id, now=desk.clock.now())
               if q.kind == follow_up_store.FIXED}
    if len(waiting) != 1:
        return None
    ticket = session.get(Ticket, waiting.pop())
    if ticket is None or ticket.status != "resolved" or not actor.is_requester(ticket):
        return None
    return _reopen(session, desk, ticket, actor, text)


def _reopen(session: Session, desk: Desk, ticket: Ticket, actor: Actor, text: str) -> str | None:
    """The requester says a resolved ticket is not fixed: back to in progress, the team told, and
    their words kept. None when the life cycle refuses (the caller then keeps the words as a
    comment)."""
    ticket = get_ticket(session, ref=ticket.ref, for_update=True) or ticket
    words = " ".join(text.split())
    if len(words) > REASON_LIMIT:
        words = words[: REASON_LIMIT - 1].rstrip() + "…"
    try:
        told = reopen(session, desk, ticket, actor, reason=f"{follow_up.wording(ticket).reopened}: {words}")
    except DeskError:
        return None
    requester_comment(session, desk, ticket, actor, text)
    return f"{told} What you wrote is on the ticket."


def _withdraw(session: Session, desk: Desk, ticket: Ticket, actor: Actor, reason: str) -> str:
    """"please cancel INC-1": withdrawn (or, resolved, confirmed); a closed one says so."""
    ticket = get_ticket(session, ref=ticket.ref, for_update=True) or ticket
    try:
        return withdraw(session, desk, ticket, actor, reason)
    except DeskError as error:
        return str(error)


def _welcome(ticket: Ticket) -> str:
    if ticket.status == "resolved":
        return f"You're welcome! {ticket.ref} is resolved: {follow_up.wording(ticket).question}"
    if ticket.status in OPEN_STATUSES:
        return f"You're welcome! I'll keep you posted on {ticket.ref}."
    return "You're welcome!"


def _added(desk: Desk, ticket: Ticket, *, in_thread: bool, with_status: bool) -> str:
    if ticket.status == "resolved" and not with_status:
        return f"Added to {ticket.ref}. It is resolved: {follow_up.wording(ticket).question}"
    if in_thread or ticket.status not in OPEN_STATUSES:
        return f"Added to {ticket.ref}."
    return f"Added to {ticket.ref}; {_with_whom(desk, ticket)} will see it."


def _with_whom(desk: Desk, ticket: Ticket, *, waiting: bool = False) -> str:
    who = ticket.assignee and desk.organisation.staff_named(ticket.assignee)
    if who:
        return f"with {who.label}" if waiting else who.label
    team = desk.organisation.queues[ticket.queue].title
    return f"waiting to be picked up by {team}" if waiting else team
