"""The sweeps as the serving process runs them (APScheduler interval jobs), and as
`servicedesk sweep` runs them once (cron, Kubernetes CronJob).

`--now` runs that pass as if it were another time. It is not a dry run: the sweeps claim and
update rows one committed step at a time (so replicas never act twice), and whatever falls due
by then really happens (escalations, breaches, auto-closes, revocations, notifications). It is
for trying things on a scratch database; against one with tickets the command warns on stderr
before it acts."""
from __future__ import annotations

import logging
import re
import sys
from datetime import datetime, timedelta, timezone
from typing import TextIO

from handlers.desk import Desk
from handlers.sweeps import SWEEPS, run_all
from storage.database import DatabaseUnavailable

log = logging.getLogger(__name__)
_RELATIVE = re.compile(r"^\+\s*(\d+)\s*(s|m|h|d)$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class BadMoment(ValueError):
    """--now was neither an ISO time nor +DURATION; the message says what was expected."""


def parse_now(text: str, *, now: datetime) -> datetime:
    """`+20m`, `+2h`, `+3d` from `now`, or an ISO 8601 time (UTC when it names no zone)."""
    value = text.strip()
    relative = _RELATIVE.match(value)
    if relative:
        return now + timedelta(**{_UNITS[relative.group(2)]: int(relative.group(1))})
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise BadMoment(f"--now: expected an ISO time such as 2026-11-23T09:20:00Z, or +20m, +2h, +3d; "
                        f"got {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def schedule_sweeps(runtime) -> None:
    """Each sweep as an interval job of the serving process; the first pass runs at start, so a
    restart after downtime catches up at once. Replicas may all run them (rows are claimed)."""
    seconds = runtime.desk.organisation.sweeps.interval_seconds
    for name, sweep in SWEEPS.items():
        runtime.scheduler.add_job(_job(runtime.desk, name, sweep), "interval", seconds=seconds, id=f"sweep-{name}",
                                  max_instances=1, coalesce=True, replace_existing=True,
                                  next_run_time=datetime.now(timezone.utc))


def _job(desk: Desk, name: str, sweep):
    def run() -> None:
        try:
            done = sweep(desk)
        except DatabaseUnavailable as exc:
            log.warning("%s sweep paused: %s", name, exc)
            return
        for line in done:
            log.info("%s sweep: %s", name, line)
    return run


class _NoClassifier:
    """Sweeps never classify; loading the model would only slow a cron job down."""

    def classify(self, text: str):
        raise RuntimeError("the sweep has no classifier")


def sweep_once(settings, *, now_text: str | None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """One pass of every sweep, then exit; console notifications are printed as the console would."""
    from bot.console import ConsoleSender
    from bot.runtime import build_desk
    from handlers.clock import FrozenClock, SystemClock
    from handlers.relay import relay_once

    clock = FrozenClock(parse_now(now_text, now=datetime.now(timezone.utc))) if now_text else SystemClock()
    desk = build_desk(settings, classifier=_NoClassifier(), clock=clock)
    at = desk.clock.now()
    if now_text:
        _warn_shifted(desk, at, err)
    results = run_all(desk)
    total = 0
    for name, done in results.items():
        for line in done:
            print(f"{name}: {line}", file=out)
        total += len(done)
    sender = ConsoleSender(out, "", desk)
    while relay_once(desk, [sender]):
        pass
    summary = f"{total} step{'s' if total != 1 else ''} taken" if total else "nothing due"
    print(f"swept at {at.isoformat(timespec='seconds')}: {summary}", file=out)
    return 0


def _warn_shifted(desk: Desk, at: datetime, err: TextIO) -> None:
    """One line before a shifted sweep acts on a database that holds tickets."""
    from storage.database import describe_url
    from storage.tickets import count_tickets

    with desk.database.session() as session:
        tickets = count_tickets(session)
    if tickets:
        print(f"servicedesk: warning: --now is not a dry run: {describe_url(desk.database.engine)} holds {tickets} "
              f"ticket{'s' if tickets != 1 else ''}, and this sweep acts on them for real as if it were "
              f"{at.isoformat(timespec='seconds')} (escalations, breaches, auto-closes, revocations, notifications); "
              "try --now on a scratch database", file=err, flush=True)
