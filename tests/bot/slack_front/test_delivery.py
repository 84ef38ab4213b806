"""Slack's rules about time and retries: the ack never waits for the work, a redelivery changes
nothing, and what the desk posts survives rate limits, errors and outages (time is moved on the
desk's clock, not slept)."""
from __future__ import annotations

import threading

from sqlalchemy import select

from bot.slack_front.settings import SlackSettings, create_web_client
from storage.models import OutboxMessage
from tests.bot.slack_front.conftest import visible

LAPTOP = "my laptop won't turn on since this morning"


class SlowClassifier:
    """The real model, held up until the test lets it go."""

    def __init__(self, model) -> None:
        self.model = model
        self.entered = threading.Event()
        self.release = threading.Event()

    def classify(self, text: str):
        self.entered.set()
        assert self.release.wait(20), "the test never released the classifier"
        return self.model.classify(text)


def _outbox(desk) -> list[tuple[str, int]]:
    with desk.database.session() as session:
        return [(m.status, m.attempts) for m in session.execute(select(OutboxMessage).order_by(OutboxMessage.id))
                .scalars()]


def test_the_ack_arrives_while_a_slow_classification_is_still_running(slack, desk, people):
    slow = SlowClassifier(desk.classifier)
    desk.classifier = slow
    dm = slack.requests.dm("U0ALICE", LAPTOP, ts="1700000000.000100")
    try:
        first = slack.post(slack.requests.event(dm, event_id="EvSLOW"))  # the client gives up after 3 s
        assert first.status_code == 200
        assert slow.entered.wait(10) and not slow.release.is_set()  # acknowledged while the work is held up
        # Slack, unsure, delivers again meanwhile: acknowledged as well.
        assert slack.post(slack.requests.event(dm, event_id="EvSLOW", retry_num=1)).status_code == 200
        assert people.ticket("INC-1") is None
    finally:
        slow.release.set()
    slack.settle()
    assert people.ticket("INC-1") is not None and people.ticket("INC-2") is None
    assert len(slack.posts("DU0ALICE")) == 1
    assert slack.api.calls_to("chat.postEphemeral") == []  # and no apology: nothing went wrong


def test_a_retried_delivery_makes_no_second_ticket_or_reply(slack, people):
    dm = slack.requests.dm("U0ALICE", LAPTOP, ts="1700000000.000200")
    slack.event(dm, event_id="EvONCE")
    slack.settle()
    for attempt in (1, 2, 3):
        slack.event(dm, event_id="EvONCE", retry_num=attempt)
    slack.settle()
    assert people.ticket("INC-1") is not None and people.ticket("INC-2") is None
    assert len(slack.posts("DU0ALICE")) == 1 and len(slack.posts("C0TECHNICAL")) == 1

    hello = slack.requests.dm("U0ALICE", "hello", ts="1700000000.000300")
    slack.event(hello, event_id="EvHELLO")
    slack.event(hello, event_id="EvHELLO", retry_num=1)
    slack.settle()
    assert len(slack.posts("DU0ALICE", thread="1700000000.000300")) == 1  # one answer, not two


def test_a_rate_limit_is_waited_out_as_slack_asks(slack, desk, clock, people):
    slack.api.fail("chat.postMessage", status=429, retry_after=30)
    slack.event(slack.requests.dm("U0ALICE", LAPTOP))
    slack.settle()
    assert slack.posts() == []
    assert len(slack.api.attempts("chat.postMessage")) == 1  # the rest waited instead of hammering Slack
    assert _outbox(desk) == [("pending", 1), ("pending", 1)]

    clock.advance(seconds=20)
    slack.settle()
    assert slack.posts() == []  # Retry-After said 30 s

    clock.advance(seconds=11)
    slack.settle()
    assert [p["channel"] for p in slack.posts()] == ["DU0ALICE", "C0TECHNICAL"]  # in order, once each
    assert _outbox(desk) == [("delivered", 2), ("delivered", 2)]


def test_server_errors_are_retried_with_backoff(slack, desk, clock):
    slack.api.fail("chat.postMessage", status=500, times=3)
    slack.event(slack.requests.dm("U0ALICE", LAPTOP))
    slack.settle()
    assert slack.posts() == []
    for _ in range(3):
        clock.advance(seconds=10)
        slack.settle()
    assert sorted(p["channel"] for p in slack.posts()) == ["C0TECHNICAL", "DU0ALICE"]
    assert [status for status, _ in _outbox(desk)] == ["delivered", "delivered"]


def test_nothing_is_lost_while_slack_is_unreachable(slack, desk, clock):
    working = slack.front.sender.client
    nowhere = SlackSettings(bot_token=slack.api.token, signing_secret="x", api_url="http://127.0.0.1:9/api/")
    slack.front.sender.client = create_web_client(nowhere)  # the port nothing listens on
    slack.event(slack.requests.dm("U0ALICE", LAPTOP))
    for _ in range(3):
        slack.settle()
        clock.advance(seconds=60)
    assert [status for status, _ in _outbox(desk)] == ["pending", "pending"]

    slack.front.sender.client = working  # Slack is back
    clock.advance(seconds=300)
    slack.settle()
    assert sorted(p["channel"] for p in slack.posts()) == ["C0TECHNICAL", "DU0ALICE"]


def test_a_private_answer_survives_a_rate_limited_response_url(slack, clock):
    slack.api.fail("respond", status=429, retry_after=5)
    slack.post(slack.requests.command("U0BEA", "take INC-1", response_url=slack.api.response_url()))
    slack.settle()
    assert slack.api.calls_to("respond") == []
    clock.advance(seconds=6)
    slack.settle()
    (answer,) = slack.api.calls_to("respond")
    assert visible(answer).startswith("Sorry, only support staff can take tickets.")


def test_the_card_never_goes_back_to_an_older_state(slack, desk, clock, people):
    slack.event(slack.requests.dm("U0ALICE", LAPTOP))
    slack.settle()
    card = slack.posts("C0TECHNICAL")[0]
    for number, command in enumerate(("take INC-1", "resolve INC-1 swapped the charger")):
        slack.post(slack.requests.command("U0AGENT", command, response_url=slack.api.response_url(str(number))))
        assert slack.front.work.wait_idle(10)  # both changes are made before anything is delivered
    slack.api.fail("chat.update", status=500)  # the first update (taken) fails, the next (resolved) works
    slack.settle()
    clock.advance(seconds=10)
    slack.settle()  # the "taken" notification is delivered late: into the thread, not onto the card
    assert people.ticket("INC-1").status == "resolved"
    updates = [u for u in slack.api.calls_to("chat.update") if u["ts"] == card["ts"]]
    assert "Status: :white_check_mark: resolved" in visible(updates[-1])
    assert any("INC-1 taken by Sam" in visible(p) for p in slack.posts("C0TECHNICAL", thread=card["ts"]))
