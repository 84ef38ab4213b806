"""Access requests in conversation (UX review, round 2): a new matter written while a question is
pending is opened, and the question repeated; access to something the desk doesn't arrange goes to
the team as written; "cancel" closes; a removal asks nothing back; an extension of access that
was removed is not approved; the empty grant list reads as a sentence."""
from __future__ import annotations

from handlers import grants
from storage.access import AccessGrant, request_of
from tests.sla_helpers import last_outbox_id, sent, sweep


def _said_to(people, address: str, *, since: int = 0) -> list[str]:
    return [text for _dest, where, text in sent(people.desk, since=since) if where in (address, f"@{address}")]


def _request(desk, ref: str):
    from storage.tickets import get_ticket

    with desk.database.session() as session:
        request = request_of(session, get_ticket(session, ref=ref))
        session.expunge(request)
        return request


def _grant(desk) -> AccessGrant:
    with desk.database.session() as session:
        return session.query(AccessGrant).one()


# 1. A new matter while a question is pending.

def test_a_new_access_request_during_a_duration_question_is_opened_and_the_question_repeated(people, desk):
    people.say("priya", "I need access to the server room")
    mark = last_outbox_id(desk)
    assert people.say("priya", "I need prod ssh") is None  # not "I didn't get a length of time from ..."
    assert people.ticket("ACC-2").kind == "access_request"
    assert _request(desk, "ACC-2").resource == "production_ssh"
    assert _request(desk, "ACC-1").asking == "duration"  # still waiting, nothing filled with the new words
    told = _said_to(people, "priya", since=mark)
    assert told[0].startswith("Thanks Priya, I've logged ACC-2") and "How long do you need it for?" in told[0]
    assert told[-1].startswith("Your earlier request ACC-1 (access to Server room) still needs to know how long")
    assert '"ACC-1 1 day"' in told[-1]

    assert "Why do you need access to Production SSH?" in people.say("priya", "7 days").text  # the newest question
    answer = people.say("priya", "ACC-1 3 days")  # the reminded one, by its number
    assert "Why do you need access to Server room?" in answer.text
    assert _request(desk, "ACC-1").duration_seconds == 3 * 86400
    assert people.ticket("ACC-3") is None


def test_a_justification_is_free_text_unless_it_names_another_resource_or_another_kind_of_matter(people, desk):
    people.say("alice", "I need access to Salesforce for 7 days")
    answer = people.say("alice", "I need access to the pipeline reports for the Q4 review")
    assert "Waiting for approval from Carol" in answer.text  # an access request's words, but the reason
    assert _request(desk, "ACC-1").justification == "I need access to the pipeline reports for the Q4 review"

    people.say("alice", "I need access to the finance share for 30 days")  # ACC-2 asks why
    mark = last_outbox_id(desk)
    assert people.say("alice", "my laptop won't turn on since this morning") is None
    assert people.ticket("INC-1") is not None and _request(desk, "ACC-2").justification is None
    opened, reminded = _said_to(people, "alice", since=mark)  # the new ticket first, then the reminder
    assert opened.startswith("Thanks Alice, I've logged INC-1")
    assert reminded.startswith("Your earlier request ACC-2 (access to Finance file share) still needs to know a line")
    assert people.say("alice", "I need prod ssh to deploy the hotfix tonight") is None
    assert _request(desk, "ACC-3").resource == "production_ssh"
    assert _request(desk, "ACC-2").justification is None
    assert "Waiting for approval" in people.say("alice", "ACC-2 to prepare the year-end audit").text
    assert _request(desk, "ACC-2").justification == "to prepare the year-end audit"


def test_an_access_request_answering_what_do_you_need_access_to_is_the_answer(people, desk):
    people.say("tom", "I need access please")
    assert any("What do you need access to?" in t for t in _said_to(people, "tom"))
    answer = people.say("tom", "I need access to the finance share for 30 days")
    assert "Why do you need access to Finance file share?" in answer.text
    assert people.ticket("ACC-2") is None


# 2. Access to something the desk doesn't arrange.

def test_access_to_something_not_configured_goes_to_the_team_as_written(people, desk):
    reply = people.say("wen", "I need access to the Jira project ABC")
    assert reply is None
    [told] = [t for t in _said_to(people, "wen") if "ACC-1" in t]
    assert ("Jira project ABC isn't one of the resources I arrange myself, so I've passed ACC-1 to Application "
            "Management as you wrote it; they'll take it from here.") in told
    assert "Which one?" not in told and "What do you need access to?" not in told
    assert any("ACC-1: access to Jira project ABC isn't something the desk arranges" in t
               for t in _said_to(people, "#application"))
    ticket = people.ticket("ACC-1")
    assert (ticket.queue, ticket.status) == ("application", "new")  # open, for the team
    assert (_request(desk, "ACC-1").state, _request(desk, "ACC-1").asking) == ("passed", None)
    confirm = people.sd("carol", "/sd granted ACC-1")
    assert not confirm.ok and "handled by hand" in confirm.text and "/sd resolve ACC-1" in confirm.text


def test_what_do_you_need_access_to_is_asked_once_and_an_unknown_answer_is_passed_on_with_it(people, desk):
    people.say("wen", "Can I get access please?")
    asked = [t for t in _said_to(people, "wen") if "What do you need access to?" in t]
    assert len(asked) == 1 and "Salesforce" in asked[0]
    answer = people.say("wen", "Jira")
    assert answer.ok and "Jira isn't one of the resources I arrange myself, so I've passed ACC-1" in answer.text
    assert [c.body for c in people.ticket("ACC-1").comments] == ["Jira"]
    assert _request(desk, "ACC-1").state == "passed"


def test_cancel_while_the_desk_asks_closes_the_ticket(people, desk):
    people.say("wen", "Can I get access please?")
    reply = people.say("wen", "cancel")
    assert reply.text == "OK, I've cancelled ACC-1. Tell me any time you need access to something."
    ticket = people.ticket("ACC-1")
    assert ticket.status == "closed" and "Cancelled by the requester" in ticket.resolution
    assert any(dest == "channel" and "ACC-1 was cancelled by Wen" in t for dest, _a, t in people.outbox())


# 3. A removal asks nothing back.

def test_a_done_removal_asks_no_do_you_have_access_question_and_nothing_closes_it_later(people, desk):
    people.say("alice", "I need access to Salesforce for 7 days to work on the Q4 pipeline")
    people.sd("carol", "/sd approve ACC-1")
    people.sd("carol", "/sd granted ACC-1")
    people.say("maria", "Please remove Alice's access to Salesforce, she moved to another team")
    assert people.sd("carol", "/sd revoked ACC-2").ok
    [done] = [t for t in _said_to(people, "maria") if t.startswith("ACC-2 is done")]
    assert done.startswith("ACC-2 is done: Access to Salesforce for Alice has been removed.")
    assert "Do you have the access" not in done
    assert people.ticket("ACC-2").status == "closed"
    assert people.ticket("ACC-1").status == "closed"  # the grant's "Do you have the access?" is moot
    mark = last_outbox_id(desk)
    desk.clock.advance(days=6)
    assert sweep(desk, only="auto-close") == []
    assert not any("access works" in t for _d, _a, t in sent(desk, since=mark))


# 4. An extension of access that was removed.

def _extension_then_removal(people):
    people.say("alice", "I need access to Salesforce for 7 days to work on the Q4 pipeline")
    people.sd("carol", "/sd approve ACC-1")
    people.sd("carol", "/sd granted ACC-1")
    for line in ("extend my access to Salesforce", "2 weeks", "still on the Q4 pipeline"):
        people.say("alice", line)
    people.say("maria", "remove Alice's access to Salesforce")


def test_an_extension_is_not_approved_while_its_access_is_removed_and_is_cancelled_after(people, desk):
    _extension_then_removal(people)
    early = people.sd("carol", "/sd approve ACC-2")
    assert not early.ok and "ACC-2 can't be approved: it would extend Alice's access to Salesforce" in early.text
    assert people.sd("carol", "/sd revoked ACC-3").ok
    assert any(t.startswith("ACC-2 is cancelled: your access to Salesforce was removed")
               for t in _said_to(people, "alice"))
    assert any("ACC-2 no longer needs your decision" in t for t in _said_to(people, "carol"))
    late = people.sd("carol", "/sd approve ACC-2")
    assert not late.ok and "ACC-2 is not waiting for an approval: it is closed" in late.text
    assert not any("extended until" in t for t in _said_to(people, "alice"))
    assert (people.ticket("ACC-2").status, _request(desk, "ACC-2").state) == ("closed", "cancelled")
    assert people.sd("carol", "/sd access list alice").text == "No current access for Alice."
    assert _grant(desk).state == "revoked"


def test_an_extension_waiting_when_the_access_expires_becomes_a_request_for_new_access(people, desk):
    people.say("alice", "I need access to Salesforce for 3 days to work on the Q4 pipeline")
    people.sd("carol", "/sd approve ACC-1")
    people.sd("carol", "/sd granted ACC-1")
    desk.clock.advance(days=2, hours=12)
    people.say("alice", "Extend my access to Salesforce by 2 weeks to finish the pipeline review")
    desk.clock.advance(days=1)
    assert [line for line in grants.sweep(desk) if "expired" in line]
    assert any(t.startswith("Alice's access to Salesforce has expired, so ACC-2 now asks for new access to "
                            "Salesforce for 2 weeks instead of an extension. Waiting for approval from Carol")
               for t in _said_to(people, "alice"))
    assert people.sd("carol", "/sd approve ACC-2").ok
    assert people.sd("carol", "/sd revoked ACC-1").ok
    listed = people.sd("carol", "/sd access list alice").text
    assert "Salesforce · Alice · provisioning" in listed and "ACC-2" in listed
    assert people.sd("carol", "/sd granted ACC-2").ok
    with desk.database.session() as session:
        states = sorted(g.state for g in session.query(AccessGrant))
    assert states == ["active", "revoked"]


# 5. The empty list.

def test_the_empty_access_list_for_staff_is_a_sentence(people, desk):
    assert people.sd("bob", "/sd access list").text == "No one has access through the desk right now."
    assert people.sd("alice", "/sd access list").text == "No current access for Alice."
