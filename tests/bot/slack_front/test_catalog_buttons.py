"""The service catalog on Slack: the match is confirmed and a choice is made with buttons."""
from __future__ import annotations

from tests.bot.slack_front.conftest import buttons, visible


def _press(slack, user: str, post: dict, label: str) -> None:
    button = next(b for b in buttons(post).values() if b["text"]["text"] == label)
    slack.post(slack.requests.button(user, button["action_id"], button["value"], channel="DU0ALICE",
                                     message_ts=post["ts"]))
    slack.settle()


def test_yes_and_a_device_button_complete_a_software_request(slack, people):
    slack.event(slack.requests.dm("U0ALICE", "I need Visio installed", ts="1700000000.000100"))
    slack.settle()
    confirm = next(p for p in slack.posts("DU0ALICE") if "Sounds like *Software install*" in visible(p))
    _press(slack, "U0ALICE", confirm, "Yes")
    private = slack.api.calls_to("respond") + slack.api.calls_to("chat.postEphemeral")  # the answer to a press
    device = next(p for p in private if "Which device should it go on?" in visible(p))
    _press(slack, "U0ALICE", {**device, "ts": confirm["ts"]}, "Desktop")
    assert any("that's everything for REQ-1" in text for text in slack.answers_to("U0ALICE"))
    assert any("REQ-1 ready to fulfil: Software install" in visible(p) for p in slack.posts("C0APPLICATION"))
