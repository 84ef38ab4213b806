"""Replicas: sweeps running at the same time on separate connections act on each due row once.

On PostgreSQL the tickets are claimed with FOR UPDATE SKIP LOCKED, so the replicas share the
work; on SQLite they queue for the one writer and the second finds nothing left to do."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from handlers.clock import FrozenClock
from handlers.desk import Desk
from handlers.sweeps import run_all
from storage.database import Database
from storage.models import AuditEntry, OutboxMessage
from tests.sla_helpers import open_incident

REPLICAS = 3


def _replicas_sweep(desk: Desk, database_url: str, at) -> list[dict[str, list[str]]]:
    barrier = threading.Barrier(REPLICAS)
    results: list[dict[str, list[str]]] = []
    errors: list[BaseException] = []

    def replica() -> None:
        database = Database(database_url)
        try:
            own = Desk(organisation=desk.organisation, database=database, classifier=desk.classifier,
                       clock=FrozenClock(at))
            barrier.wait(timeout=30)
            results.append(run_all(own))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            database.dispose()

    threads = [threading.Thread(target=replica) for _ in range(REPLICAS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def test_replicas_sweeping_at_once_escalate_and_nudge_each_ticket_once(desk, database_url, clock, people):
    refs = [open_incident(desk, ("P1", "P2")[i % 2], queue=("technical", "application", "operations")[i % 3])
            for i in range(30)]
    clock.advance(hours=2, minutes=1)  # P1 and P2 first responses missed, P2 updates due (P1's too)
    results = _replicas_sweep(desk, database_url, clock.now())
    lines = [line for result in results for done in result.values() for line in done]
    breached = sorted(line.split(":")[0] for line in lines if "first response breached" in line)
    assert breached == sorted(refs)
    nudged = sorted(line.split(":")[0] for line in lines if "status update due" in line)
    assert nudged == sorted(refs)
    for ref in refs:
        assert people.ticket(ref).escalation_level == 1
    with desk.database.session() as session:
        per_ticket = session.execute(
            select(AuditEntry.ticket_id, func.count()).where(AuditEntry.action == "set_escalation_level")
            .group_by(AuditEntry.ticket_id)).all()
        assert sorted(count for _, count in per_ticket) == [1] * len(refs)
        told = session.execute(select(func.count()).select_from(OutboxMessage)
                               .where(OutboxMessage.event == "escalated", OutboxMessage.destination == "conversation")
                               ).scalar_one()
        assert told == len(refs)  # each requester heard once
    assert [line for line in run_all(desk).values() if line] == []
