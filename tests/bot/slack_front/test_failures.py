"""Failures a user cannot cause: they are told in words (never a traceback) and the log has it."""
from __future__ import annotations

from storage.database import Database
from tests.bot.slack_front.conftest import visible

LAPTOP = "my laptop won't turn on since this morning"


class Broken:
    def classify(self, text: str):
        raise RuntimeError("model file corrupted")


def test_a_bug_in_the_work_after_the_ack_is_apologised_for_privately(slack, desk, people, caplog):
    desk.classifier = Broken()
    response = slack.event(slack.requests.dm("U0ALICE", LAPTOP, ts="1700000000.000100"))
    assert response.status_code == 200
    slack.settle()
    (apology,) = slack.api.calls_to("chat.postEphemeral")
    assert apology["user"] == "U0ALICE" and apology["channel"] == "DU0ALICE"
    assert visible(apology) == "Sorry, something went wrong on our side; it has been logged. Please try again."
    assert "Traceback" not in str(slack.api.calls) and "model file corrupted" not in str(slack.api.calls)
    assert "model file corrupted" in caplog.text  # the details are in the log
    assert people.ticket("INC-1") is None


def test_a_database_outage_is_told_directly_because_the_outbox_is_down_too(slack, desk):
    desk.database = Database("postgresql+psycopg://postgres@127.0.0.1:1/none")
    slack.post(slack.requests.command("U0AGENT", "list", response_url=slack.api.response_url()))
    slack.event(slack.requests.dm("U0ALICE", LAPTOP))
    assert slack.front.work.wait_idle(30)
    answers = [visible(a) for a in slack.api.calls_to("respond")] + [
        visible(a) for a in slack.api.calls_to("chat.postEphemeral")]
    assert answers == ["Sorry, the desk can't reach its database right now, so that was not recorded. "
                       "Please try again in a moment."] * 2
