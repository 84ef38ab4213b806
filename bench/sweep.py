"""SLA sweep over 100,000 open tickets (SQLite): time to find the due tickets with the sweep's own
finder (`storage.sla.due_ticket_ids`, one index range scan on `sla_clocks.next_check_at`), and
to process them (`handlers.sla_sweep.sweep`: claim each ticket, warn or escalate, write the
notifications, one transaction per ticket), against a raw indexed SELECT of the same due rows
through sqlite3 in the same run. Also: one `/metrics` database scrape at this size.

The tickets are bulk-inserted with SQLAlchemy Core: opened over the last 30 days, priorities
P1-P5, most with the first response given (only the resolution clock running, next check in the
future), and a few hundred due now (half at the 75% warning, half past the deadline).

Prints one JSON object. Target (issue #9): <= 50 ms to find the due tickets among 100k.

    .venv/bin/python bench/sweep.py [--tickets 100000] [--due 300]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_FIND_MS = 50
PRIORITY_HOURS = {"P1": 4, "P2": 8, "P3": 24, "P4": 72, "P5": 120}  # resolution targets, around the clock
CHUNK = 10_000


def populate(database, organisation, *, tickets: int, due: int, now: datetime) -> None:
    from sqlalchemy import insert

    from storage.models import Ticket, TicketCounter
    from storage.sla import SlaClock

    rng = random.Random(9)
    queues = list(organisation.queues)
    due_numbers = set(rng.sample(range(1, tickets + 1), due))
    with database.engine.begin() as connection:
        for start in range(1, tickets + 1, CHUNK):
            rows, clocks = [], []
            for number in range(start, min(start + CHUNK, tickets + 1)):
                priority = rng.choice(list(PRIORITY_HOURS))
                target = PRIORITY_HOURS[priority] * 3600
                if number in due_numbers:  # half at the warning, half past the deadline
                    created = now - timedelta(seconds=target * (0.8 if number % 2 else 1.1))
                else:  # somewhere before its 75% point
                    created = now - timedelta(seconds=rng.uniform(0, target * 0.7))
                due_at = created + timedelta(seconds=target)
                warn_at = created + timedelta(seconds=target * 0.75)
                rows.append({
                    "id": number, "ref": f"INC-{number}", "kind": "incident", "number": number,
                    "title": f"trouble {number}", "description": f"trouble number {number}",
                    "queue": rng.choice(queues), "impact": "medium", "urgency": "medium", "priority": priority,
                    "status": rng.choice(("assigned", "in_progress")), "assignee": None,
                    "requester_platform": "console", "requester_id": f"user{number % 5000}",
                    "requester_name": f"User {number % 5000}", "conversation_platform": "console",
                    "conversation_channel": f"@user{number % 5000}", "conversation_thread": None,
                    "intent_confidence": 0.9, "queue_confidence": 0.9, "resolution": None,
                    "created_at": created, "updated_at": created, "first_response_due": None,
                    "resolution_due": due_at, "first_responded_at": created + timedelta(minutes=5),
                    "resolved_at": None, "closed_at": None, "escalation_level": 0,
                })
                clocks.append({
                    "ticket_id": number, "target": "resolution", "business_hours": False, "target_seconds": target,
                    "started_at": created, "paused_seconds": 0, "paused_at": None, "due_at": due_at,
                    "warn_at": warn_at, "next_check_at": warn_at, "warned_at": None,
                    "breached_at": None, "stopped_at": None, "outcome": None,
                })
            connection.execute(insert(Ticket), rows)
            connection.execute(insert(SlaClock), clocks)
        connection.execute(insert(TicketCounter), [{"kind": "incident", "last_number": tickets}])


def timed(runs: int, work) -> tuple[float, object]:
    """Median milliseconds of `runs` runs, and the last result."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=300)
    args = parser.parse_args()

    from bot.config import load_organisation
    from bot.metrics_database import DatabaseCollector
    from handlers.clock import FrozenClock
    from handlers.desk import Desk
    from handlers.sla_sweep import sweep
    from storage.database import Database
    from storage.sla import due_ticket_ids

    workdir = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    path = workdir / "desk.db"
    database = Database(f"sqlite:///{path}")
    database.upgrade()
    organisation = load_organisation(ROOT / "app.yaml")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    started = time.perf_counter()
    populate(database, organisation, tickets=args.tickets, due=args.due, now=now)
    populate_s = time.perf_counter() - started

    def find_all() -> list[int]:
        with database.session() as session:
            return due_ticket_ids(session, now=now, limit=args.tickets)

    def find_batch() -> list[int]:  # what one pass of the sweep asks for (handlers/sweeping.py BATCH)
        with database.session() as session:
            return due_ticket_ids(session, now=now, limit=200)

    raw = sqlite3.connect(path)
    stored_now = now.strftime("%Y-%m-%d %H:%M:%S.%f")  # how SQLAlchemy stores a UTC time in SQLite

    def raw_select() -> list[int]:  # the due rows by the index, nothing more
        return [row[0] for row in raw.execute("SELECT ticket_id FROM sla_clocks WHERE next_check_at <= ?", (stored_now,))]

    find_batch()  # warm the caches, as a long-running process has them

    raw_ms, raw_ids = timed(7, raw_select)
    all_ms, found = timed(7, find_all)
    batch_ms, _ = timed(7, find_batch)
    collector = DatabaseCollector(Desk(organisation=organisation, database=database, classifier=None,
                                       clock=FrozenClock(now)), timeout=10)
    scrape_ms, families = timed(3, lambda: list(collector.collect()))
    scraped_up = next(f.samples[0].value for f in families if f.name == "servicedesk_database_up")

    desk = Desk(organisation=organisation, database=database, classifier=None, clock=FrozenClock(now))
    started = time.perf_counter()
    done = sweep(desk)
    process_s = time.perf_counter() - started
    remaining = find_all()
    raw.close()
    database.dispose()

    result = {
        "tickets": args.tickets, "due_seeded": args.due, "populate_seconds": round(populate_s, 1),
        "baseline_raw_indexed_select": {"ms": round(raw_ms, 2), "rows": len(raw_ids)},
        "find_all_due": {"ms": round(all_ms, 2), "tickets": len(found),
                         "ratio_to_raw": round(all_ms / raw_ms, 2) if raw_ms else None},
        "find_one_sweep_batch_of_200": {"ms": round(batch_ms, 2)},
        "process_due": {"seconds": round(process_s, 3), "actions": len(done),
                        "ms_per_ticket": round(process_s * 1000 / max(1, len(found)), 2),
                        "due_after_sweep": len(remaining)},
        "metrics_database_scrape_ms": round(scrape_ms, 1), "metrics_database_up": scraped_up,
        "targets": {"find_due_ms": TARGET_FIND_MS},
        "cpus": os.cpu_count(),
    }
    result["ok"] = (all_ms <= TARGET_FIND_MS and len(found) == args.due == len(set(raw_ids))
                    and len(remaining) == 0 and len(done) >= args.due)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
