"""The outbox: notifications written in the transaction that caused them, delivered by a relay."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import OutboxMessage

MAX_ATTEMPTS = 20  # with backoff capped at 5 minutes: about an hour of outage before giving up


def enqueue(
    session: Session,
    *,
    platform: str,
    destination: str,
    address: str,
    event: str,
    payload: dict,
    at: datetime,
    thread: str | None = None,
    ticket_id: int | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        platform=platform,
        destination=destination,
        address=address,
        thread=thread,
        ticket_id=ticket_id,
        event=event,
        payload=payload,
        status="pending",
        attempts=0,
        next_attempt_at=at,
        created_at=at,
    )
    session.add(message)
    return message


def claim_due(session: Session, *, platforms: list[str], now: datetime, limit: int = 50) -> list[OutboxMessage]:
    """Pending messages that are due, oldest first. On PostgreSQL the rows are locked with
    SKIP LOCKED, so several relays (replicas) never deliver the same message twice."""
    statement = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == "pending",
            OutboxMessage.platform.in_(platforms),
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return list(session.execute(statement).scalars())


def mark_delivered(message: OutboxMessage, *, now: datetime) -> None:
    message.status = "delivered"
    message.delivered_at = now
    message.attempts += 1
    message.last_error = None


def mark_failed(message: OutboxMessage, *, now: datetime, error: str, retry_after: float | None = None) -> None:
    """Schedule a retry: at the platform's Retry-After for a rate limit, else with exponential
    backoff. A rate limit is the platform asking to wait, not a failure: it never gives the
    message up (a long 429 spell would otherwise fail every waiting message). After MAX_ATTEMPTS
    tries the row is kept as `failed` for an operator to see."""
    message.attempts += 1
    message.last_error = error[:1000]
    if retry_after is not None:
        message.next_attempt_at = now + timedelta(seconds=retry_after)
        return
    if message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
        return
    message.next_attempt_at = now + timedelta(seconds=min(2 ** message.attempts, 300))

