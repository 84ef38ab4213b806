"""Closing the loop: "Is it fixed?" after a resolve (typed or with buttons), closing by itself
after silence, and a 1-5 rating with a comment, stored."""
from __future__ import annotations

from sqlalchemy import select

from handlers.follow_up import answer_by_button
from storage.follow_up import FollowUp, ratings
from tests.sla_helpers import last_outbox_id, open_incident, sent, sweep


def _resolved(desk, people, priority="P3") -> str:
    ref = open_incident(desk, priority)
    assert people.sd("bob", f"/sd resolve {ref} replaced the cable").ok
    return ref


def _payloads(desk, address: str) -> list[dict]:
    from storage.models import OutboxMessage

    with desk.database.session() as session:
        return list(session.execute(select(OutboxMessage.payload).where(OutboxMessage.address == address)
                                    .order_by(OutboxMessage.id)).scalars())


def test_resolve_asks_if_it_is_fixed_and_yes_closes_then_asks_for_a_rating(desk, people):
    ref = _resolved(desk, people)
    question = _payloads(desk, "@alice")[-1]
    assert question["text"].startswith(f"{ref} is resolved: replaced the cable. Is it fixed?")
    assert [label for _, label in question["choices"]] == ["Yes, it's fixed", "No, still broken"]
    mark = last_outbox_id(desk)
    reply = people.say("alice", "yes, thanks")
    assert reply.text == f"{ref} is closed. Thanks for confirming!"
    assert people.ticket(ref).status == "closed"
    rating = [t for d, a, t in sent(desk, since=mark) if a == "@alice"]
    assert rating == [f"How did we do on {ref}? Rate us from 1 (poor) to 5 (great), with a comment if you like, "
                      f"e.g. \"5 quick fix, thanks\"."]
    reply = people.say("alice", "4 quick and friendly")
    assert reply.text == f"Thanks for rating {ref} 4/5!"
    with desk.database.session() as session:
        (stored,) = ratings(session)
        assert (stored.rating, stored.comment) == (4, "quick and friendly")
    assert any(a == "#technical" and "rated" in t and "4/5: quick and friendly" in t for _, a, t in people.outbox())


def test_no_still_broken_reopens_with_the_requesters_words(desk, people):
    ref = _resolved(desk, people)
    reply = people.say("alice", "no, still broken: the screen flickers again")
    assert reply.text == f"{ref} is open again; the team has been told."
    ticket = people.ticket(ref)
    assert (ticket.status, ticket.resolution) == ("in_progress", None)
    assert ticket.comments[-1].body == "the screen flickers again"
    assert people.say("alice", "yes").text != f"{ref} is closed. Thanks for confirming!"  # nothing left to confirm


def test_buttons_answer_for_the_requester_only(desk, people):
    ref = _resolved(desk, people)
    value_yes, value_no = (value for value, _ in _payloads(desk, "@alice")[-1]["choices"])
    assert answer_by_button(desk, people.person("bea"), value_no).text == "That question was for someone else."
    assert answer_by_button(desk, people.person("alice"), "fu:nonsense").text == "That button is not one of mine."
    assert answer_by_button(desk, people.person("alice"), value_no).ok
    assert people.ticket(ref).status == "in_progress"
    assert answer_by_button(desk, people.person("alice"), value_yes).text == "That was answered already."


def test_a_rating_button_then_a_typed_comment(desk, people):
    from handlers.clarification import answer_by_button as clarification_button

    ref = _resolved(desk, people)
    people.say("alice", "yes")
    choices = _payloads(desk, "@alice")[-1]["choices"]
    assert [label for _, label in choices] == ["1 · poor", "2", "3 · okay", "4", "5 · great"]
    # Slack routes every question button through the clarification handler: it hands ours on.
    reply = clarification_button(desk, people.person("alice"), choices[4][0])
    assert reply.text == f"Thanks for rating {ref} 5/5! Anything to add? Just write it here."
    assert people.say("alice", "fixed before lunch").text == f"Thanks, added to your rating of {ref}."
    with desk.database.session() as session:
        assert [(r.rating, r.comment) for r in ratings(session)] == [(5, "fixed before lunch")]


def test_silence_closes_the_ticket_after_five_days_and_asks_for_a_rating(desk, clock, people):
    ref = _resolved(desk, people)
    clock.advance(days=4, hours=23)
    assert sweep(desk, only="auto-close") == []
    clock.advance(hours=1)
    mark = last_outbox_id(desk)
    assert sweep(desk, only="auto-close") == [f"{ref}: closed after 5 days without an answer"]
    ticket = people.ticket(ref)
    assert ticket.status == "closed"
    told = [(a, t) for _, a, t in sent(desk, since=mark)]
    assert any(a == "@alice" and "didn't hear back within 5 days" in t for a, t in told)
    assert any(a == "@alice" and t.startswith(f"How did we do on {ref}?") for a, t in told)
    assert any(a == "#technical" and "closed by itself" in t for a, t in told)
    assert sweep(desk, only="auto-close") == []
    with desk.database.session() as session:
        answers = session.execute(select(FollowUp.kind, FollowUp.answer).order_by(FollowUp.id)).all()
    assert [tuple(a) for a in answers] == [("fixed", "no_answer"), ("rating", None)]


def test_a_reopened_ticket_is_not_closed_by_the_old_question(desk, clock, people):
    ref = _resolved(desk, people)
    assert people.sd("bob", f"/sd reopen {ref}").ok
    clock.advance(days=6)
    assert sweep(desk, only="auto-close") == []
    assert people.ticket(ref).status == "in_progress"


def test_a_long_message_or_a_new_problem_is_not_taken_for_an_answer(desk, people):
    ref = _resolved(desk, people)
    people.say("alice", "my printer on floor 3 is jammed and shows error 53 whenever anyone prints a long document")
    assert people.ticket(ref).status == "resolved"
    assert people.ticket("INC-2") is not None


def test_a_new_request_that_starts_with_a_number_is_not_a_rating(desk, people):
    ref = _resolved(desk, people)
    people.say("alice", "yes")
    people.say("alice", "2 monitors needed for the new starter in finance")
    assert people.ticket("REQ-1") is not None
    with desk.database.session() as session:
        assert ratings(session) == []
    assert people.say("alice", "3").text == f"Thanks for rating {ref} 3/5! Anything to add? Just write it here."
