"""Ticket queries: numbering, look-up by human id, lists."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import KIND_PREFIX, AuditEntry, Comment, Ticket, TicketCounter

PREFIX_KIND = {prefix: kind for kind, prefix in KIND_PREFIX.items()}
_REF = re.compile(r"^#?\s*(INC|REQ|ACC)\s*-?\s*(\d{1,9})$", re.IGNORECASE)
OPEN_STATUSES = ("new", "assigned", "in_progress", "on_hold")


def parse_ref(text: str) -> str | None:
    """'inc 12', '#INC-12', 'INC12' -> 'INC-12'; None when it is not a ticket id."""
    match = _REF.match(text.strip())
    if not match:
        return None
    return f"{match.group(1).upper()}-{int(match.group(2))}"


def next_number(session: Session, *, kind: str) -> int:
    """Take the next number of a kind's counter; safe under concurrent writers and replicas
    (the UPDATE locks the counter row until the transaction ends)."""
    bump = (
        update(TicketCounter)
        .where(TicketCounter.kind == kind)
        .values(last_number=TicketCounter.last_number + 1)
        .returning(TicketCounter.last_number)
    )
    number = session.execute(bump).scalar_one_or_none()
    if number is not None:
        return number
    try:  # the first ticket of this kind creates its counter
        with session.begin_nested():
            session.add(TicketCounter(kind=kind, last_number=1))
        return 1
    except IntegrityError:  # another writer created it first: bump theirs
        return session.execute(bump).scalar_one()


def add_ticket(session: Session, **fields) -> Ticket:
    kind = fields["kind"]
    number = next_number(session, kind=kind)
    ticket = Ticket(number=number, ref=f"{KIND_PREFIX[kind]}-{number}", escalation_level=0, **fields)
    session.info.pop(_BY_THREAD, None)
    session.add(ticket)
    session.flush()
    for relationship in inspect(Ticket).relationships:  # nothing refers to a new ticket yet:
        if relationship.uselist:  # its collections are empty without a SELECT to find that out
            set_committed_value(ticket, relationship.key, [])
    return ticket


def get_ticket(session: Session, *, ref: str, for_update: bool = False) -> Ticket | None:
    statement = select(Ticket).where(Ticket.ref == ref)
    if for_update:
        statement = statement.with_for_update()
    return session.execute(statement).scalar_one_or_none()


_BY_THREAD = "servicedesk.ticket_of_thread"  # session.info: what this unit of work already looked up


def ticket_of_conversation(session: Session, *, platform: str, channel: str, thread: str | None) -> Ticket | None:
    """The newest ticket whose conversation is this thread (None outside a thread). Looked up
    once per unit of work: the handlers a message passes through each ask (a new ticket in the
    session forgets the answers, `add_ticket`)."""
    if not thread:
        return None
    known = session.info.setdefault(_BY_THREAD, {})
    key = (platform, channel, thread)
    if key not in known:
        known[key] = _ticket_of_thread(session, platform, channel, thread)
    return known[key]


def _ticket_of_thread(session: Session, platform: str, channel: str, thread: str) -> Ticket | None:
    return session.execute(
        select(Ticket)
        .where(
            Ticket.conversation_platform == platform,
            Ticket.conversation_channel == channel,
            Ticket.conversation_thread == thread,
        )
        .order_by(Ticket.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def list_tickets(
    session: Session,
    *,
    queues: list[str] | None = None,
    assignee: str | None = None,
    requester: tuple[str, str] | None = None,
    open_only: bool = True,
    limit: int = 50,
) -> list[Ticket]:
    statement = select(Ticket)
    if queues:
        statement = statement.where(Ticket.queue.in_(queues))
    if assignee:
        statement = statement.where(Ticket.assignee == assignee)
    if requester:
        statement = statement.where(
            Ticket.requester_platform == requester[0], Ticket.requester_id == requester[1]
        )
    if open_only:
        statement = statement.where(Ticket.status.in_(OPEN_STATUSES))
    statement = statement.order_by(Ticket.priority, Ticket.created_at).limit(limit)
    return list(session.execute(statement).scalars())


def all_tickets(session: Session) -> list[Ticket]:
    return list(session.execute(select(Ticket).order_by(Ticket.id)).scalars())


def count_tickets(session: Session) -> int:
    return session.execute(select(func.count()).select_from(Ticket)).scalar_one()


def add_comment(session: Session, *, ticket: Ticket, author: str, visibility: str, body: str, at: datetime) -> Comment:
    comment = Comment(ticket=ticket, author=author, visibility=visibility, body=body, created_at=at)
    session.add(comment)
    return comment


def history(session: Session, *, ticket: Ticket) -> list[AuditEntry]:
    statement = select(AuditEntry).where(AuditEntry.ticket_id == ticket.id).order_by(AuditEntry.id)
    return list(session.execute(statement).scalars())
