"""Who hears about a change: every notification goes to the outbox in the same transaction."""
from __future__ import annotations

from sqlalchemy.orm import Session

from handlers.desk import Desk
from handlers.organisation import StaffMember
from handlers.views import snapshot
from storage import outbox
from storage.models import Ticket


def _payload(ticket: Ticket | None, text: str, desk: Desk | None = None, **extra) -> dict:
    data = {"text": text, **extra}
    if ticket is not None:
        data["ticket"] = snapshot(ticket, organisation=desk.organisation if desk else None,
                                  now=desk.clock.now() if desk else None)
    return data


def requester(session: Session, desk: Desk, ticket: Ticket, *, event: str, text: str,
              choices: list[tuple[str, str]] | None = None) -> None:
    """Tell the requester, in the conversation where they reported it (with answer buttons
    where the front end has them, when `choices` are given)."""
    extra = {"choices": [list(choice) for choice in choices]} if choices else {}
    outbox.enqueue(
        session,
        platform=ticket.conversation_platform,
        destination="conversation",
        address=ticket.conversation_channel,
        thread=ticket.conversation_thread,
        ticket_id=ticket.id,
        event=event,
        payload=_payload(ticket, text, desk, requester_id=ticket.requester_id, **extra),
        at=desk.clock.now(),
    )


def conversation(session: Session, desk: Desk, where, reply, *, requester_id: str | None = None) -> None:
    """An answer to a conversation (not about a change), e.g. a status answer or a question."""
    outbox.enqueue(
        session,
        platform=where.platform,
        destination="conversation",
        address=where.channel,
        thread=where.thread,
        event="answer",
        payload={"text": reply.text, "choices": [list(choice) for choice in reply.choices],
                 "ticket": reply.ticket, "ok": reply.ok, "requester_id": requester_id},
        at=desk.clock.now(),
    )


def queue_channel(session: Session, desk: Desk, ticket: Ticket, *, event: str, text: str, queue: str | None = None) -> None:
    """Post to the team channel of the ticket's queue, on the front end the ticket came from."""
    platform = ticket.conversation_platform
    channel = desk.organisation.queues[queue or ticket.queue].channels.on(platform)
    if not channel:
        return
    outbox.enqueue(
        session,
        platform=platform,
        destination="channel",
        address=channel,
        ticket_id=ticket.id,
        event=event,
        payload=_payload(ticket, text, desk, queue=queue or ticket.queue),
        at=desk.clock.now(),
    )


def staff_member(session: Session, desk: Desk, ticket: Ticket, member: StaffMember, *, event: str, text: str) -> None:
    """A direct message to one member of staff, on the ticket's front end if they are there."""
    platform = ticket.conversation_platform
    address = getattr(member.identities, platform, None)
    if not address:
        return
    outbox.enqueue(
        session,
        platform=platform,
        destination="user",
        address=address,
        ticket_id=ticket.id,
        event=event,
        payload=_payload(ticket, text, desk, staff=member.name),
        at=desk.clock.now(),
    )


def managers(session: Session, desk: Desk, ticket: Ticket, *, event: str, text: str) -> None:
    """Hierarchical escalation: the managers' channel on the ticket's front end."""
    platform = ticket.conversation_platform
    channel = desk.organisation.managers.on(platform)
    if not channel:
        return
    outbox.enqueue(
        session, platform=platform, destination="channel", address=channel, ticket_id=ticket.id,
        event=event, payload=_payload(ticket, text, desk), at=desk.clock.now(),
    )


def channel(session: Session, desk: Desk, ticket: Ticket, address: str | None, *, event: str, text: str,
            platform: str | None = None, card: bool = True) -> None:
    """Post to one channel (an escalation tier's, a major incident's) on the ticket's front end;
    without `card`, as a plain message (no ticket card is posted or updated there)."""
    if not address:
        return
    outbox.enqueue(
        session, platform=platform or ticket.conversation_platform, destination="channel", address=address,
        ticket_id=ticket.id, event=event, payload=_payload(ticket if card else None, text, desk), at=desk.clock.now(),
    )


def person(session: Session, desk: Desk, ticket: Ticket | None, *, platform: str, user_id: str, event: str,
           text: str, choices: list[tuple[str, str]] | None = None) -> None:
    """A direct message to anyone (an approver, a beneficiary), with answer buttons when `choices`
    are given. Slack and the console show buttons in a conversation addressed to the user (Slack
    opens the DM); Discord DMs a user by id, with the ticket card and the same buttons."""
    if platform == "discord" or not choices:
        destination, address = "user", user_id
    else:
        destination, address = "conversation", (f"@{user_id}" if platform == "console" else user_id)
    extra = {"choices": [list(choice) for choice in choices]} if choices else {}
    outbox.enqueue(
        session, platform=platform, destination=destination, address=address,
        ticket_id=ticket.id if ticket is not None else None, event=event,
        payload=_payload(ticket, text, desk, requester_id=user_id, **extra), at=desk.clock.now(),
    )
