"""A requester's replies that used to be lost or misread: answers to a staff question written as a
plain message (handlers/awaited_replies.py), withdrawing one's own ticket (handlers/withdrawal.py),
"still broken" about a closed ticket (handlers/reported_again.py), thanks with a detail, and what
"my tickets" and the life cycle say about resolved and closed tickets."""
from __future__ import annotations

from handlers.messages import Conversation


def _team(people, ref: str = "INC-1") -> list[str]:
    return [t for d, a, t in people.outbox() if a == "#technical" and ref in t]


def _bodies(people, ref: str = "INC-1") -> list[str]:
    return [c.body for c in people.ticket(ref).comments]


def _asked(people, question: str = "can you bring it to desk 4?", ref: str = "INC-1") -> None:
    assert people.sd("bob", f"/sd reply {ref} {question}").ok


def _laptop(people) -> None:
    people.say("alice", "my laptop won't turn on")


def _resolved_and_closed(people) -> None:
    _laptop(people)
    people.sd("bob", "/sd resolve INC-1 reseated the RAM")
    assert "closed" in people.say("alice", "yes").text


# --- 4: a plain answer to what staff asked -------------------------------------------------------

def test_a_plain_answer_to_a_staff_question_goes_on_that_ticket(people):
    _laptop(people)
    _asked(people)
    reply = people.say("alice", "yes, I'll bring it at 3pm")
    assert reply.text == "Added to INC-1; Bob (Technical) will see your answer."
    assert _bodies(people) == ["can you bring it to desk 4?", "yes, I'll bring it at 3pm"]
    assert "Alice added to INC-1: yes, I'll bring it at 3pm" in _team(people)
    assert people.ticket("INC-2") is None


def test_only_an_open_question_awaits_an_answer_and_only_once(people):
    _laptop(people)
    people.sd("bob", "/sd reply INC-1 I've ordered a new power supply.")  # tells, asks nothing
    assert "Added to INC-1" not in people.say("alice", "ok great").text
    _asked(people)
    assert people.say("alice", "sure, tomorrow morning").text.startswith("Added to INC-1")
    assert "Added to INC-1" not in people.say("alice", "ok").text  # answered already: nothing awaits
    assert _bodies(people)[-1] == "sure, tomorrow morning"


def test_an_old_question_no_longer_takes_plain_messages(people, clock):
    _laptop(people)
    _asked(people)
    clock.advance(days=4)
    assert "Added to INC-1" not in people.say("alice", "yes, I'll bring it at 3pm").text
    assert _bodies(people) == ["can you bring it to desk 4?"]


def test_a_new_matter_while_staff_wait_opens_its_own_ticket(people):
    _laptop(people)
    _asked(people)
    people.say("alice", "I need a new mouse for my desk")
    people.say("alice", "printer jammed")  # short, but plainly a matter of its own
    assert people.ticket("REQ-1") is not None and people.ticket("INC-2") is not None
    assert _bodies(people) == ["can you bring it to desk 4?"]
    assert people.say("alice", "hi").text.startswith("Hi Alice!")  # a greeting is no answer


def test_with_two_questions_waiting_the_desk_asks_which_and_the_named_ticket_takes_it(people):
    _laptop(people)
    people.say("alice", "my monitor flickers all the time")
    _asked(people)
    _asked(people, "which model is the monitor?", ref="INC-2")
    reply = people.say("alice", "yes, I'll bring it at 3pm")
    assert reply.text.startswith("Which ticket is that about?")
    assert "INC-1: Bob (Technical): can you bring it to desk 4?" in reply.text
    assert "INC-2: Bob (Technical): which model is the monitor?" in reply.text
    assert _bodies(people) == ["can you bring it to desk 4?"]
    assert people.say("alice", "INC-2 it's a Dell U2720Q").text.startswith("Added to INC-2")
    assert _bodies(people, "INC-2")[-1] == "INC-2 it's a Dell U2720Q"
    assert people.say("alice", "yes, I'll bring it at 3pm").text.startswith("Added to INC-1")  # one left


def test_an_answer_after_a_workaround_notice_goes_on_the_incident(people):
    people.say("alice", "my vpn connection keeps dropping out")
    people.say("priya", "the vpn keeps dropping every few minutes")
    assert people.sd("agent", "/sd problem new VPN drops INC-1 INC-2").ok
    assert people.sd("agent", "/sd problem known-error PRB-1 connect to vpn2.example.com instead").ok
    reply = people.say("alice", "that workaround didn't help, still dropping")
    assert reply.text == "Added to INC-1; the team will carry on with it."
    assert _bodies(people)[-1] == "that workaround didn't help, still dropping"
    assert people.ticket("INC-1").status != "closed" and people.ticket("INC-3") is None


# --- 11: the requester withdraws their own ticket ---------------------------------------------

def test_please_cancel_withdraws_ones_own_open_ticket_without_asking_for_a_rating(people):
    _laptop(people)
    people.sd("bob", "/sd take INC-1")
    reply = people.say("alice", "please cancel INC-1")
    assert reply.text.startswith("INC-1 is closed as you asked; the team has been told.")
    ticket = people.ticket("INC-1")
    assert ticket.status == "closed" and ticket.resolution == "Withdrawn by the requester"
    assert "INC-1 withdrawn by Alice. It is closed; no further work needed." in _team(people)
    assert any(d == "user" and a == "bob" and "withdrawn by Alice" in t for d, a, t in people.outbox())
    assert not any("How did we do" in t for _, _, t in people.outbox())


def test_withdrawing_with_a_reason_keeps_the_reason(people):
    _laptop(people)
    people.say("alice", "my monitor flickers all the time")
    reply = people.say("alice", "INC-1 can be closed, fixed it myself")
    assert reply.text.startswith("INC-1 is closed as you asked (your reason: fixed it myself)")
    assert people.ticket("INC-1").resolution == "Withdrawn by the requester: fixed it myself"
    assert people.sd("alice", "/sd close INC-2 fixed it myself").text.startswith("INC-2 is closed as you asked")
    assert people.ticket("INC-2").status == "closed"
    assert "INC-2 withdrawn by Alice: fixed it myself" in " ".join(_team(people, "INC-2"))
    assert people.sd("alice", "/sd close INC-2").text == "INC-2 is already closed."  # L2: not "isn't resolved yet"


def test_staff_still_need_a_reason_and_a_resolved_ticket_is_confirmed_not_withdrawn(people):
    _laptop(people)
    assert "needs a reason" in people.sd("agent", "/sd close INC-1").text
    people.sd("bob", "/sd resolve INC-1 reseated the RAM")
    assert people.say("alice", "INC-1 can be closed, thanks").text == "INC-1 is closed. Thanks for confirming!"
    assert people.ticket("INC-1").resolution == "reseated the RAM"
    assert any("How did we do on INC-1" in t for _, _, t in people.outbox())


def test_words_about_a_cancel_button_are_a_detail_not_a_withdrawal(people):
    _laptop(people)
    assert people.say("alice", "INC-1 the cancel button is greyed out").text.startswith("Added to INC-1")
    assert people.ticket("INC-1").status == "new"


# --- 12: "still broken" about a closed ticket -------------------------------------------------

def test_still_broken_about_a_closed_ticket_opens_a_new_one_that_refers_to_it(people):
    _resolved_and_closed(people)
    reply = people.say("alice", "INC-1 is still broken")
    assert reply.text.startswith("INC-1 is closed, and closed tickets aren't reopened, so I've opened INC-2")
    assert people.ticket("INC-1").status == "closed" and _bodies(people) == []
    again = people.ticket("INC-2")
    assert (again.kind, again.queue, again.status) == ("incident", "technical", "new")
    assert again.title.startswith("my laptop won't turn on (again, after INC-1 was closed)")
    assert "INC-1 is still broken" in again.description
    assert any(a == "#technical" and "New INC-2" in t and "INC-1" in t for _, a, t in people.outbox())


def test_broken_again_in_the_closed_tickets_thread_opens_a_new_one_too(people):
    thread = Conversation("console", "#help", thread="t-1")
    people.say("alice", "my laptop won't turn on", conversation=thread)
    people.sd("bob", "/sd resolve INC-1 reseated the RAM")
    people.say("alice", "yes", conversation=thread)
    assert "opened INC-2" in people.say("alice", "it's broken again", conversation=thread).text
    assert people.ticket("INC-1").status == "closed"


# --- 14: thanks with a detail ---------------------------------------------------------------

def test_thanks_with_a_detail_is_acknowledged_and_the_detail_kept(people):
    _laptop(people)
    _asked(people, "can you bring it?")
    reply = people.say("alice", "INC-1 thanks, on my way")
    assert reply.text == "You're welcome! Added to INC-1; Technical Management will see it."
    assert _bodies(people)[-1] == "INC-1 thanks, on my way"
    _asked(people, "and the charger too?")
    assert people.say("alice", "INC-1 thanks, will do").text.startswith("You're welcome! Added to INC-1")
    assert people.say("alice", "INC-1 thanks a lot").text == "You're welcome! I'll keep you posted on INC-1."
    assert _bodies(people)[-1] == "INC-1 thanks, will do"


# --- L2 and L6 ------------------------------------------------------------------------------

def test_taking_a_closed_ticket_does_not_point_at_a_reopen_that_is_refused(people):
    _resolved_and_closed(people)
    text = people.sd("bob", "/sd take INC-1").text
    assert "reopen it first" not in text and "a closed ticket stays closed" in text
    _laptop(people)
    people.sd("bob", "/sd resolve INC-2 new battery")
    assert "/sd reopen INC-2" in people.sd("bob", "/sd take INC-2").text  # resolved: reopening is the way


def test_my_tickets_shows_resolved_tickets_waiting_for_confirmation(people):
    _laptop(people)
    people.say("alice", "my monitor flickers all the time")
    people.sd("bob", "/sd resolve INC-1 reseated the RAM")
    text = people.say("alice", "my tickets").text
    open_part, resolved_part = text.split("Resolved, waiting for your answer")
    assert "INC-2" in open_part and "INC-1" not in open_part
    assert "INC-1" in resolved_part and "resolved" in resolved_part and "Is it fixed?" in resolved_part
    people.say("alice", "INC-1 yes")
    assert "Resolved, waiting" not in people.say("alice", "my tickets").text  # closed: gone
