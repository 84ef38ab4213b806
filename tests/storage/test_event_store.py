"""Monitoring events as stored: a batch written in bulk reads back exactly as a row written by the
ORM would (times comparable in SQL, details intact), and nothing in a batch is lost or doubled."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, select, text

from handlers.event_formats import parse_alertmanager
from handlers.events import ingest
from storage.events import MonitoringEvent
from storage.models import Ticket


def _webhook(numbers, *, service: str = "backup", starts: str = "2026-11-23T08:58:30Z") -> dict:
    return {"version": "4", "status": "firing", "alerts": [
        {"status": "firing", "labels": {"alertname": "DiskFull", "service": service, "severity": "critical",
                                        "instance": f"fs{n:02d}:9100"},
         "annotations": {"summary": f"Disk 95% full on fs{n:02d}"}, "startsAt": starts, "fingerprint": f"{n:016x}"}
        for n in numbers]}


def test_a_bulk_written_batch_reads_back_like_any_row(desk, clock):
    ingest(desk, [parse_alertmanager(_webhook(range(40)), limit=100)])
    with desk.database.session() as session:
        same_time = session.execute(select(func.count()).select_from(MonitoringEvent)
                                    .where(MonitoringEvent.first_seen == clock.now(),
                                           MonitoringEvent.last_seen >= clock.now() - timedelta(seconds=1))).scalar_one()
        assert same_time == 40  # the stored times compare in SQL like any other
        event = session.execute(select(MonitoringEvent).where(MonitoringEvent.alert_key == f"{7:016x}")).scalar_one()
        assert (event.first_seen, event.resolved_at, event.count) == (clock.now(), None, 1)
        assert event.details["labels"]["instance"] == "fs07:9100" and event.details["startsAt"].startswith("2026-11-23")
        session.execute(insert(MonitoringEvent).values(
            source="orm", dedup_key="k", alert_key="k", service="backup", instance=None, severity="", level="warning",
            summary="written by SQLAlchemy", status="firing", count=1, first_seen=clock.now(), last_seen=clock.now(),
            details={"labels": {"instance": "fs07:9100"}}))
        stored = dict(session.execute(text(
            "SELECT source, first_seen FROM monitoring_events WHERE source = 'orm' OR dedup_key LIKE '0000000000000007:%'"
        )).all())
        assert stored["orm"] == stored["alertmanager"]  # the same text (SQLite) or value (PostgreSQL)


def test_a_batch_sent_twice_and_an_alert_twice_in_one_batch_are_counted_not_doubled(desk, clock):
    batch = parse_alertmanager(_webhook([1, 2, 3, 2]), limit=100)  # 2 is in the payload twice
    first = ingest(desk, [batch])
    assert [o.outcome for o in first[0]] == ["opened", "grouped", "grouped", "repeat"]
    clock.advance(minutes=1)
    again = ingest(desk, [parse_alertmanager(_webhook([1, 2, 3]), limit=100), batch[:1]])
    assert [o.outcome for o in again[0]] == ["repeat"] * 3 and again[1][0].outcome == "repeat"
    with desk.database.session() as session:
        counts = dict(session.execute(select(MonitoringEvent.alert_key, MonitoringEvent.count)).all())
        assert counts == {f"{1:016x}": 3, f"{2:016x}": 3, f"{3:016x}": 2}
        assert session.execute(select(func.count()).select_from(Ticket)).scalar_one() == 1
