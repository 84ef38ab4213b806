"""A user's message that names a ticket ("any update on INC-12?", "INC-12 it also beeps now").

A question about the ticket is answered from the record; anything else the requester writes
about their own ticket is added to it as a comment (staff see it in the queue channel), the way
a reply in the ticket's thread is. Only the ticket's requester (or staff) learns anything.
"""
from __future__ import annotations

import re

from sqlalchemy.orm import Session

from handlers import follow_up
from handlers.desk import Desk
from handlers.lifecycle import Actor, requester_comment
from handlers.views import STATUS_LABEL
from storage.models import Ticket
from storage.tickets import OPEN_STATUSES, get_ticket

REF_IN_TEXT = re.compile(r"#?\b(INC|REQ|ACC)[\s-]?(\d{1,9})\b", re.IGNORECASE)
# What a question about a ticket's progress sounds like.
_ASKS_STATUS = re.compile(
    r"\b(updates?|status|news|progress|eta|happening|going on|heard|hear back|when will|how long|where are we"
    r"|yet|still open|who is|who's|anyone|any word|looking at|picked up)\b", re.IGNORECASE)
# Words that only point at the ticket ("re INC-3:", "about INC-3 -", "more on INC-3").
_POINTING = re.compile(r"^(?:(?:re|about|regarding|ref|for|on|ticket|more on|also|and|update to|my)\b[\s:,\-–—]*)+",
                       re.IGNORECASE)
DETAIL_WORDS = 3  # "it beeps now" is a detail; "INC-3 please" is not
SHORT_QUESTION_WORDS = 6  # "INC-3 fixed?" asks; "INC-3 the screen shows 0x12 now, should I restart?" tells


def refs_in(text: str) -> list[str]:
    seen: list[str] = []
    for prefix, number in REF_IN_TEXT.findall(text):
        ref = f"{prefix.upper()}-{int(number)}"
        if ref not in seen:
            seen.append(ref)
    return seen


def added_detail(text: str) -> str | None:
    """What the message adds beyond naming a ticket, or None when it asks about the ticket (or
    says nothing more than its id)."""
    rest = " ".join(REF_IN_TEXT.sub(" ", text).split())
    rest = _POINTING.sub("", rest).strip(" :,-–—")
    words = rest.split()
    if len(words) < DETAIL_WORDS or _ASKS_STATUS.search(rest):
        return None
    if text.rstrip().endswith("?") and len(words) < SHORT_QUESTION_WORDS:
        return None
    return rest


def detail_for_own_ticket(session: Session, desk: Desk, actor: Actor, text: str) -> str | None:
    """If the message adds something to one of the writer's own open (or resolved) tickets, add
    it and return the answer; None to handle the message otherwise."""
    refs = refs_in(text)
    if len(refs) != 1 or added_detail(text) is None:
        return None
    ticket = get_ticket(session, ref=refs[0])
    if ticket is None or not actor.is_requester(ticket) or ticket.status not in (*OPEN_STATUSES, "resolved"):
        return None
    requester_comment(session, desk, ticket, actor, text)
    if ticket.status == "resolved":
        return (f"Added to {ticket.ref}. It is resolved: {follow_up.wording(ticket).question}")
    return f"Added to {ticket.ref}; {_with_whom(desk, ticket)} will see it."


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


def _with_whom(desk: Desk, ticket: Ticket, *, waiting: bool = False) -> str:
    who = ticket.assignee and desk.organisation.staff_named(ticket.assignee)
    if who:
        return f"with {who.label}" if waiting else who.label
    team = desk.organisation.queues[ticket.queue].title
    return f"waiting to be picked up by {team}" if waiting else team
