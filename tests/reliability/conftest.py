"""The reliability suite's harness: `servicedesk serve` as a real process (SIGKILL-able), wired
to the fake Slack Web API, and signed Slack events sent to it over HTTP from several threads."""
from __future__ import annotations

import os
from datetime import datetime, timezone
import signal
import socket
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import func, select

from storage.database import Database
from storage.models import OutboxMessage, Ticket
from tests.conftest import ROOT, SERVICEDESK
from tests.fakes.slack_api import Failure, FakeSlackApi
from tests.fakes.slack_requests import SlackRequests

SIGNING_SECRET = "reliability-signing-secret"
# Messages the model files confidently as incidents; `{n}` makes each one findable in the record.
REPORTS = ("my laptop LT-{n:04d} won't turn on since this morning",
           "printer on floor 3 jams on every page, asset PR-{n:04d}",
           "outlook crashes on startup on laptop LT-{n:04d}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServeProcess:
    """One `servicedesk serve` on a free local port."""

    def __init__(self, env: dict, log_path) -> None:
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> ServeProcess:
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen([SERVICEDESK, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                                        cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            assert self.process.poll() is None, f"serve exited: {self.log()}"
            assert time.monotonic() < deadline, f"serve did not start listening: {self.log()}"
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no drain, no shutdown hooks, as when a node dies."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self._log.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        if not self._log.closed:
            self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""


@dataclass
class SlackMessage:
    """One DM as Slack delivers it: the same event_id on every retry."""

    event: dict
    event_id: str
    acked: bool = False


@dataclass
class Burst:
    requests: SlackRequests
    messages: list[SlackMessage] = field(default_factory=list)

    def send(self, url: str, message: SlackMessage, *, retry_num: int | None = None) -> bool:
        signed = self.requests.event(message.event, event_id=message.event_id, retry_num=retry_num)
        try:
            response = httpx.post(f"{url}/slack/events", content=signed.body, headers=signed.headers, timeout=3.0)
        except httpx.HTTPError:
            return False
        if response.status_code == 200:
            message.acked = True
        return message.acked

    def send_all(self, urls: list[str], messages: list[SlackMessage], *, threads: int = 6,
                 retry_num: int | None = None, pause: float = 0.0) -> None:
        """Send from `threads` threads, each pausing `pause` seconds after a send; message i goes
        to urls[i % len(urls)]."""
        def one(index_message):
            index, message = index_message
            self.send(urls[index % len(urls)], message, retry_num=retry_num)
            time.sleep(pause)

        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(one, enumerate(messages)))


class PacedSlackApi(FakeSlackApi):
    """The fake Slack, taking `post_seconds` to answer each chat.postMessage (as over a real
    network), so a kill can land while the relay is part-way through a batch."""

    post_seconds: float = 0.0

    def _chat_postMessage(self, params: dict) -> dict:  # noqa: N802 - Slack's method name
        time.sleep(self.post_seconds)
        return super()._chat_postMessage(params)

    def go_down(self, method: str, *, status: int = 500) -> None:
        """Every call of `method` answers `status` until `recover`."""
        with self._lock:
            self._failures[method] = _Always(Failure(status))

    def recover(self, method: str) -> None:
        with self._lock:
            self._failures.pop(method, None)


class _Always:
    """A failure queue that never runs out."""

    def __init__(self, failure: Failure) -> None:
        self.failure = failure

    def __bool__(self) -> bool:
        return True

    def popleft(self) -> Failure:
        return self.failure


@pytest.fixture
def slack_api():
    with PacedSlackApi() as api:
        yield api


def make_burst(api: FakeSlackApi, count: int, *, prefix: str = "R") -> Burst:
    burst = Burst(SlackRequests(SIGNING_SECRET, bot_user_id=api.bot_user_id))
    for n in range(1, count + 1):
        user = f"U0{prefix}{n:04d}"
        api.add_user(user, f"Person {prefix}{n}")
        event = burst.requests.dm(user, REPORTS[n % len(REPORTS)].format(n=n))
        burst.messages.append(SlackMessage(event, f"Ev{prefix}{n:06d}"))
    return burst


@pytest.fixture
def serve_env(cli_env, slack_api) -> dict:
    env = {k: v for k, v in cli_env.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env.update(SLACK_BOT_TOKEN=slack_api.token, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=slack_api.url,
               SERVICEDESK_LOG_LEVEL="WARNING")
    return env


class Record:
    """What the database says, read directly (a separate connection, as an operator would)."""

    def __init__(self, url: str) -> None:
        self.database = Database(url)

    def tickets_by_text(self) -> Counter:
        with self.database.session() as session:
            return Counter(session.execute(select(Ticket.description)).scalars())

    def refs_by_text(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        with self.database.session() as session:
            for text, ref in session.execute(select(Ticket.description, Ticket.ref)):
                found.setdefault(text, []).append(ref)
        return found

    def pending(self) -> int:
        """Slack notifications due and not delivered (the demo app.yaml also names Discord
        channels, which no front end serves here; `sweep --now +3d` writes some due in 3 days)."""
        with self.database.session() as session:
            return session.execute(select(func.count()).select_from(OutboxMessage)
                                   .where(OutboxMessage.status != "delivered", OutboxMessage.platform == "slack",
                                          OutboxMessage.next_attempt_at <= datetime.now(timezone.utc))).scalar_one()

    def undelivered(self) -> list[tuple]:
        with self.database.session() as session:
            return list(session.execute(select(OutboxMessage.destination, OutboxMessage.event, OutboxMessage.status,
                                               OutboxMessage.attempts, OutboxMessage.last_error, OutboxMessage.platform)
                                        .where(OutboxMessage.status != "delivered")).tuples())[:5]

    def close(self) -> None:
        self.database.dispose()


@pytest.fixture
def record(database_url, cli_env):
    # The first serve migrates SQLite itself; PostgreSQL was migrated by the database_url fixture.
    found = Record(database_url)
    yield found
    found.close()


def confirmations(api: FakeSlackApi) -> Counter:
    """How many times Slack showed each requester "I've logged REF" (one count per ticket ref)."""
    counted: Counter = Counter()
    for post in api.posted():
        text = post.get("text") or ""
        if text.startswith("Thanks ") and "I've logged " in text:
            counted[text.split("I've logged ", 1)[1].split(" ", 1)[0]] += 1
    return counted


def wait_until(condition, *, timeout: float, what: str, every: float = 0.25):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every)



def settle(record: Record, texts: list[str], *, timeout: float = 45.0, quiet: float = 20.0) -> None:
    """Wait until every text has a ticket and the outbox is drained, or until nothing has changed
    for `quiet` seconds with the outbox drained (then the test's assertions say what is missing)."""
    deadline, last, since = time.monotonic() + timeout, None, time.monotonic()
    while True:
        tickets, pending = record.tickets_by_text(), record.pending()
        if set(texts) <= set(tickets) and pending == 0:
            return
        snapshot = (sum(tickets.values()), pending)
        if snapshot != last:
            last, since = snapshot, time.monotonic()
        elif pending == 0 and time.monotonic() - since > quiet:
            return
        assert time.monotonic() < deadline, f"timed out: {pending} notifications undelivered: {record.undelivered()}"
        time.sleep(0.25)
