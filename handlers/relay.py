"""The outbox relay: deliver due notifications through each platform's sender, once each.

A sender renders a notification for its platform and sends it, returning the platform's id
of the message it posted (or None); for a notification with a `card_ref` it returns the card's
id (a new one if the card had to be posted again). The first post about a ticket in a team channel becomes the
ticket's card there: later notifications for that channel carry `card_ref`, so a platform that
can edit messages updates the card in place as well. It raises `DeliveryFailed`
(with the platform's Retry-After where there is one) for a rate limit or an outage; the
message then waits with backoff and is tried again, so a crash or an outage loses nothing.

A `new_channel` notification asks the sender to create a channel (a major incident's) and
returns the platform's id for it; the relay remembers it under the requested name, and later
notifications addressed to that name (`channel`, `archive_channel`) are delivered to the id.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from handlers.desk import Desk
from storage import outbox
from storage.major_incidents import channel_ref, remember_channel
from storage.models import TicketCard

log = logging.getLogger(__name__)
NEW_CHANNEL = "new_channel"
NAMED_CHANNEL_DESTINATIONS = ("channel", "archive_channel")


@dataclass(frozen=True)
class Notification:
    id: int
    platform: str
    destination: str  # channel | user | conversation
    address: str
    thread: str | None
    event: str
    payload: dict
    ticket_id: int | None
    card_ref: str | None = None  # the ticket's card in this channel, when there is one

    @property
    def text(self) -> str:
        return self.payload.get("text", "")


class DeliveryFailed(Exception):
    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Sender(Protocol):
    platform: str

    def send(self, notification: Notification) -> str | None: ...


def relay_once(desk: Desk, senders: list[Sender], *, limit: int = 50) -> int:
    """Deliver what is due now; returns how many were delivered.

    One message per transaction: each delivery is recorded the moment Slack (or Discord) has it,
    so a crash repeats at most the one message in flight, never the rest of a batch."""
    by_platform = {sender.platform: sender for sender in senders}
    if not by_platform:
        return 0
    delivered = 0
    now = desk.clock.now()  # one "now" per pass: a message that failed waits for the next pass
    for _ in range(limit):
        with desk.database.session() as session:
            claimed = outbox.claim_due(session, platforms=list(by_platform), now=now, limit=1)
            if not claimed:
                break
            delivered += _deliver(session, by_platform, claimed[0], now)
    return delivered


def _deliver(session, by_platform: dict, message, now) -> int:
    card = _card(session, message)
    address = message.address
    if message.destination in NAMED_CHANNEL_DESTINATIONS:
        address = channel_ref(session, platform=message.platform, name=message.address) or address
    notification = Notification(
        id=message.id, platform=message.platform, destination=message.destination,
        address=address, thread=message.thread, event=message.event,
        payload=message.payload, ticket_id=message.ticket_id,
        card_ref=card.message_ref if card else None,
    )
    try:
        posted = by_platform[message.platform].send(notification)
    except DeliveryFailed as failure:
        outbox.mark_failed(message, now=now, error=str(failure), retry_after=failure.retry_after)
        log.warning("outbox %s to %s not delivered: %s", message.id, message.platform, failure)
        return 0
    except Exception as exc:  # a sender bug must not stop the relay for everyone else
        outbox.mark_failed(message, now=now, error=f"{type(exc).__name__}: {exc}")
        log.exception("outbox %s to %s failed", message.id, message.platform)
        return 0
    outbox.mark_delivered(message, now=now)
    if message.destination == NEW_CHANNEL and posted:
        remember_channel(session, platform=message.platform, name=message.address, ref=str(posted), at=now)
    else:
        _remember_card(session, message, card, posted, now)
    return 1


def _remember_card(session, message, card: TicketCard | None, posted: str | None, now) -> None:
    """The first post about a ticket in a team channel is its card; a card that had to be posted
    again (deleted by someone) replaces the old one."""
    if not posted or message.destination != "channel" or message.ticket_id is None:
        return
    if card is None:
        session.add(TicketCard(ticket_id=message.ticket_id, platform=message.platform,
                               channel=message.address, message_ref=str(posted), created_at=now))
    elif card.message_ref != str(posted):
        card.message_ref = str(posted)


def _card(session, message) -> TicketCard | None:
    if message.destination != "channel" or message.ticket_id is None:
        return None
    return session.get(TicketCard, (message.ticket_id, message.platform, message.address))
