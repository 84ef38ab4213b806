"""Slack trouble: the Web API rate-limits (429, Retry-After: 1) and fails (500) for a while, then
recovers. Every notification is delivered afterwards, and nothing twice.

The desk runs in this process (Bolt behind the project's Starlette app, the real outbox relay and
Slack sender) so the clock can be moved instead of waiting out Slack's Retry-After.
"""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from storage.models import OutboxMessage
from tests.bot.slack_front.conftest import slack  # noqa: F401 - the in-process Slack front end
from tests.reliability.conftest import REPORTS, confirmations

TICKETS = 12


def _outbox_states(desk) -> Counter:
    with desk.database.session() as session:
        return Counter(session.execute(select(OutboxMessage.status).where(OutboxMessage.platform == "slack")).scalars())


def _relay_through_trouble(slack, clock, *, passes: int = 400, step: float = 1, recover_after: int | None = None) -> int:
    """Run the relay as the scheduler would, `step` seconds of (moved) time apart, until the
    outbox is drained; Slack comes back after `recover_after` passes. Returns the passes taken."""
    for n in range(1, passes + 1):
        if n == recover_after:
            slack.api.recover("chat.postMessage")
        slack.runtime.relay()
        if _outbox_states(slack.desk).get("pending", 0) == 0:
            return n
        clock.advance(seconds=step)
    raise AssertionError(f"outbox not drained after {passes} passes: {_outbox_states(slack.desk)}")


def _report(slack, count: int) -> list[str]:
    texts = []
    for n in range(1, count + 1):
        user = f"U0T{n:04d}"
        slack.api.add_user(user, f"Person T{n}")
        texts.append(REPORTS[n % len(REPORTS)].format(n=n))
        slack.event(slack.requests.dm(user, texts[-1]))
    assert slack.front.work.wait_idle(30), "intake did not finish"
    return texts


def _assert_each_delivered_once(slack, texts: list[str]) -> None:
    states = _outbox_states(slack.desk)
    assert states.get("failed", 0) == 0, f"notifications given up: {states}"
    assert set(states) == {"delivered"}, states
    shown = confirmations(slack.api)
    assert len(shown) == len(texts), f"confirmed {len(shown)} of {len(texts)} tickets"
    assert set(shown.values()) == {1}, f"a confirmation was posted twice: {shown}"
    posts = Counter((p["channel"], p["text"]) for p in slack.api.posted())
    assert {key: n for key, n in posts.items() if n > 1} == {}, "a message was posted twice"
    cards = [p for p in slack.api.posted() if (p.get("text") or "").startswith("New INC-")]
    assert len(cards) == len(texts), "each ticket's card reaches its team channel once"


def test_rate_limits_then_outage_delay_but_lose_and_repeat_nothing(slack, clock):
    # 15 rate-limited answers in a row (Slack says: come back in a second), then 4 server errors.
    slack.api.fail("chat.postMessage", status=429, times=15, retry_after=1)
    slack.api.fail("chat.postMessage", status=500, times=4)
    texts = _report(slack, TICKETS)

    passes = _relay_through_trouble(slack, clock)

    _assert_each_delivered_once(slack, texts)
    refused = [c for c in slack.api.attempts("chat.postMessage") if not c.answered]
    assert Counter(c.status for c in refused) == {429: 15, 500: 4}, "Slack's trouble was not met in full"
    assert passes > 15


def test_a_long_outage_gives_up_nothing(slack, clock):
    """Slack answers 500 to every post for 30 minutes: the messages wait, with backoff, and all
    go out once, soon after it is back."""
    slack.api.go_down("chat.postMessage", status=500)
    texts = _report(slack, 4)

    passes = _relay_through_trouble(slack, clock, passes=500, step=5, recover_after=360)

    assert 360 <= passes <= 360 + 60, "delivery did not resume within 5 minutes of Slack's return"
    assert len(slack.api.attempts("chat.postMessage")) < 4 * 2 * 40, "the relay hammered Slack during the outage"
    _assert_each_delivered_once(slack, texts)
