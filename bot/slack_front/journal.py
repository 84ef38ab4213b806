"""Slack events are written down before they are acknowledged, and replayed if never handled.

The listeners acknowledge first and work afterwards (Slack's 3-second deadline), so a crash or a
SIGKILL between the ack and the work's commit would lose a message Slack will never send again.
`write_down_then_ack` commits the event to the inbound journal (storage/inbound_journal.py)
before the ack; the work marks it handled; `JournalReplay` finishes, after a restart or on
another replica, what was acknowledged but never handled. The work is idempotent (inbound dedup
on the event_id), so running it twice opens nothing twice.

Keeping the ack quick under load (bench/slack_intake.py): concurrent acks are committed together
by one writer thread (`JournalWriter`, group commit); the work waits while acks are waiting for
their commit (`ACKS_WAITING`), so Slack's requests are answered first and the tickets follow; and
the replay leaves alone what this process acknowledged and still has queued (`QUEUED_HERE`), so a
backlog after a burst is not worked twice.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from handlers.desk import Desk
from storage.database import DatabaseUnavailable
from storage.inbound_journal import GroupWrites, forget_handled, mark_handled, unhandled

log = logging.getLogger(__name__)
SOURCE = "slack:event"
REPLAY_EVERY_SECONDS = 5.0
WRITE_TIMEOUT_SECONDS = 2.0  # Slack wants the ack within 3 s
ACKS_FIRST_SECONDS = 1.0  # the longest a piece of work waits for acks in progress
REPLAY_AFTER = timedelta(seconds=10)  # work that old is no longer in anyone's queue (a replay is harmless anyway)


def write_down_then_ack(desk: Desk, writer: JournalWriter | None = None) -> Callable:
    """A Bolt ack function: commit the event, then acknowledge. If the database cannot take it,
    Slack is still answered (the work after the ack tells the person the desk is down)."""
    writer = writer or JournalWriter(desk)

    def acknowledge(ack, body: dict) -> None:
        event_id = body.get("event_id")
        if event_id:
            QUEUED_HERE.add(str(event_id))
            if not writer.write(str(event_id), body):
                log.error("slack event %s acknowledged without being written down", event_id)
        ack()

    return acknowledge


class JournalWriter:
    """Group commit: events acknowledged at the same time are committed together by one thread.

    Each ack still waits for the commit of its own event (the crash guarantee), but eight
    concurrent acks cost one transaction and one fsync instead of eight writers queueing for
    SQLite's lock (whose busy handler sleeps in steps of up to 100 ms). The thread ends when idle
    and starts again with the next event, so an unused app leaves no thread behind."""

    def __init__(self, desk: Desk, *, idle_seconds: float = 2.0) -> None:
        self.desk = desk
        self.idle_seconds = idle_seconds
        self._lock = threading.Condition()
        self._pending: list[_Write] = []
        self._running = False
        self._writes: GroupWrites | None = None  # made on first use (an engine of its own on SQLite)

    def write(self, event_id: str, body: dict, *, timeout: float = WRITE_TIMEOUT_SECONDS) -> bool:
        """True once the event is committed (or was already there); False if that failed or took
        longer than `timeout` (the ack must not wait past Slack's deadline)."""
        entry = _Write(event_id, body)
        with ACKS_WAITING:
            return self._write(entry, timeout)

    def _write(self, entry: _Write, timeout: float) -> bool:
        with self._lock:
            self._pending.append(entry)
            if self._running:
                self._lock.notify()
            else:
                self._running = True
                threading.Thread(target=self._loop, name="slack-journal-writer", daemon=True).start()
        return entry.done.wait(timeout) and entry.ok

    def _loop(self) -> None:
        while True:
            with self._lock:
                if not self._lock.wait_for(lambda: self._pending, timeout=self.idle_seconds):
                    self._running = False
                    return
                batch, self._pending = self._pending, []
            ok = self._commit(batch)
            for entry in batch:
                entry.ok = ok
                entry.done.set()

    def _commit(self, batch: list[_Write]) -> bool:
        if self._writes is None:
            self._writes = GroupWrites(self.desk.database, source=SOURCE)
        try:
            self._writes.write([(entry.event_id, entry.body) for entry in batch], at=self.desk.clock.now(),
                               deadline=time.monotonic() + WRITE_TIMEOUT_SECONDS)
            return True
        except DatabaseUnavailable as error:
            log.error("slack journal: %d event(s) not written down: %s", len(batch), error)
        except Exception:  # noqa: BLE001 - the acks must still be answered; the thread must live on
            log.exception("slack journal: %d event(s) not written down", len(batch))
        return False


class _AcksWaiting:
    """How many acks are waiting for their journal commit in this process. The work after the
    ack lets them go first (`wait_for_none` before each piece of work): they are what Slack
    times, and the work is not lost by waiting (it is in the journal)."""

    def __init__(self) -> None:
        self._count = 0
        self._none = threading.Condition()

    def __enter__(self) -> None:
        with self._none:
            self._count += 1

    def __exit__(self, *_exc) -> None:
        with self._none:
            self._count -= 1
            if not self._count:
                self._none.notify_all()

    def wait_for_none(self, timeout: float) -> None:
        with self._none:
            self._none.wait_for(lambda: not self._count, timeout=timeout)


class _EventIds:
    """Event ids this process acknowledged and has not finished working on (the journal replay
    leaves those alone: a long queue after a burst is late, not lost)."""

    def __init__(self) -> None:
        self._ids: set[str] = set()
        self._lock = threading.Lock()

    def add(self, event_id: str) -> None:
        with self._lock:
            self._ids.add(event_id)

    def discard(self, event_id: str) -> None:
        with self._lock:
            self._ids.discard(event_id)

    def __contains__(self, event_id: str) -> bool:
        with self._lock:
            return event_id in self._ids


ACKS_WAITING = _AcksWaiting()
QUEUED_HERE = _EventIds()


class _Write:
    __slots__ = ("event_id", "body", "done", "ok")

    def __init__(self, event_id: str, body: dict) -> None:
        self.event_id, self.body = event_id, body
        self.done, self.ok = threading.Event(), False


def handled(desk: Desk, work: Callable[[dict], None]) -> Callable[[dict], None]:
    """`work(body)`, then the journal entry is marked handled (also when the work failed in a way
    it has told the person about: replaying it would not do better)."""

    def run(body: dict) -> None:
        ACKS_WAITING.wait_for_none(ACKS_FIRST_SECONDS)
        event_id = body.get("event_id")
        try:
            work(body)
        finally:
            QUEUED_HERE.discard(str(event_id))
        if event_id:
            try:
                with desk.database.session() as session:
                    mark_handled(session, source=SOURCE, external_id=str(event_id), at=desk.clock.now())
            except DatabaseUnavailable as error:  # replayed later; dedup makes that harmless
                log.warning("slack event %s handled but not marked: %s", event_id, error)

    run.__name__ = getattr(work, "__name__", "work")
    return run


class JournalReplay:
    """A background thread that replays acknowledged events nobody handled (a crash, a kill)."""

    def __init__(self, desk: Desk, dispatch: Callable[[dict], None], *, every: float = REPLAY_EVERY_SECONDS) -> None:
        self.desk = desk
        self.dispatch = dispatch  # the same work the listeners run, by event type
        self.every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="slack-journal-replay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.replay_once()
            except DatabaseUnavailable as error:
                log.warning("slack journal replay paused: %s", error)
            except Exception:  # never let one bad entry stop the thread
                log.exception("slack journal replay failed")

    def replay_once(self) -> int:
        now = self.desk.clock.now()
        with self.desk.database.session() as session:
            forget_handled(session, now=now)
            due = unhandled(session, source=SOURCE, received_before=now - REPLAY_AFTER)
        for event_id, body in due:
            if event_id in QUEUED_HERE:
                continue  # acknowledged by this process and still in its queue: not lost, only late
            log.warning("slack event %s was acknowledged but never handled; handling it now", event_id)
            self.dispatch(body)
        return len(due)
