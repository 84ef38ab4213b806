"""App Home: an end user sees their open tickets; staff see their queue and their assignments."""
from __future__ import annotations

from tests.bot.slack_front.conftest import visible

LAPTOP = "my laptop won't turn on since this morning"


def _home(slack, user: str) -> str:
    slack.event(slack.requests.home_opened(user))
    slack.settle()
    published = [call for call in slack.api.calls_to("views.publish") if call["user_id"] == user]
    assert published, f"no Home view published for {user}"
    view = published[-1]["view"]
    assert view["type"] == "home"
    return visible({"blocks": view["blocks"]})


def test_an_end_user_sees_their_open_tickets(slack, people):
    assert "You have no open tickets." in _home(slack, "U0ALICE")
    slack.event(slack.requests.dm("U0ALICE", LAPTOP))
    slack.settle()  # numbered in this order
    slack.event(slack.requests.dm("U0BEA", "I need Visio installed on my new laptop please"))
    slack.settle()
    home = _home(slack, "U0ALICE")
    assert "Your open tickets" in home and "INC-1 · P4 · new · waiting to be picked up · my laptop" in home
    assert "REQ-1" not in home and "Assigned to you" not in home  # nobody else's, no staff lists


def test_staff_see_their_queue_and_their_assignments(slack, people):
    slack.event(slack.requests.dm("U0ALICE", LAPTOP))
    slack.settle()  # numbered in this order
    slack.event(slack.requests.dm("U0BEA", "Excel crashes every time I open the budget file"))
    slack.settle()
    home = _home(slack, "U0BOB")  # Bob works the technical queue only
    waiting = home.split("Waiting in your queues (Technical Management)")[1]
    assert "INC-1" in waiting and "INC-2" not in waiting
    assert "Nothing is assigned to you." in home

    slack.post(slack.requests.command("U0BOB", "take INC-1", response_url=slack.api.response_url()))
    slack.settle()
    home = _home(slack, "U0BOB")
    assigned, waiting = home.split("Assigned to you")[1].split("Waiting in your queues")
    assert "INC-1" in assigned and "INC-1" not in waiting
