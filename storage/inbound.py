"""Inbound dedup: each (source, external id) is accepted once; a redelivery is dropped."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storage.models import InboundKey


def first_delivery(session: Session, *, source: str, external_id: str, at: datetime) -> bool:
    """True the first time a key is seen (and records it); False for a redelivery.

    One `INSERT ... ON CONFLICT DO NOTHING` in the caller's transaction: a replica racing on the
    same key waits for the other's commit and gets False, and the key is committed with the
    caller's work or not at all. (A savepoint would not do: under pysqlite's transaction handling
    its RELEASE commits the key at once on SQLite, so a crash or an error before the work's
    commit left a key without its ticket, and Slack's retry was then dropped as a redelivery.)
    """
    return insert_once(session, InboundKey, source=source, external_id=external_id, received_at=at)


def insert_once(session: Session, model, **values) -> bool:
    """Insert a row unless its primary key exists; True when this call inserted it."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the desk runs on SQLite or PostgreSQL
        raise NotImplementedError(dialect)
    key = list(model.__table__.primary_key.columns)[0]
    statement = insert(model).values(**values).on_conflict_do_nothing().returning(key)
    return session.execute(statement).first() is not None  # (rowcount is -1 under psycopg 3)
