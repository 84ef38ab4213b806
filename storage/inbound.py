"""Inbound dedup: each (source, external id) is accepted once; a redelivery is dropped."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import InboundKey


def first_delivery(session: Session, *, source: str, external_id: str, at: datetime) -> bool:
    """True the first time a key is seen (and records it); False for a redelivery.

    The insert runs in a savepoint, so a replica racing on the same key gets False instead of
    an error, and the caller's transaction carries on.
    """
    seen = session.execute(
        select(InboundKey.source).where(InboundKey.source == source, InboundKey.external_id == external_id)
    ).first()
    if seen:
        return False
    try:
        with session.begin_nested():
            session.add(InboundKey(source=source, external_id=external_id, received_at=at))
    except IntegrityError:
        return False
    return True
