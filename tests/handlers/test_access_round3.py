"""Access requests (UX review, round 3): end dates and start dates are read and said back as days;
"until further notice" gets the default and says why; someone else's removal goes to approval;
access to an unlisted application goes to Application Management; the beneficiary is asked
whether the access works; an unknown name in /sd access list is said to be unknown.
The clock stands at Mon 23 Nov 2026 09:00 UTC (GMT in London)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from storage.access import AccessGrant
from tests.handlers.test_access_conversation import _request, _said_to
from tests.sla_helpers import last_outbox_id


def _grant(desk) -> AccessGrant:
    with desk.database.session() as session:
        return session.query(AccessGrant).one()


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


# Item 2: an end date is a duration up to that day, said back as the day.

@pytest.mark.parametrize(("answer", "day", "ends_at"), [
    ("until the end of the month", "until Mon 30 Nov", _utc(2026, 12, 1)),
    ("until end of the year", "until Thu 31 Dec", _utc(2027, 1, 1)),
    ("until 31 December", "until Thu 31 Dec", _utc(2027, 1, 1)),
    ("till Friday", "until Fri 27 Nov", _utc(2026, 11, 28)),
    ("to the 15th", "until Tue 15 Dec", _utc(2026, 12, 16)),
])
def test_an_end_date_answers_how_long_and_is_said_back_as_that_day(people, desk, answer, day, ends_at):
    people.say("alice", "I need access to Salesforce because I'm covering sales")
    reply = people.say("alice", answer)
    assert reply.ok and f"access to Salesforce for Alice {day}. Why: I'm covering sales." in reply.text
    assert "days" not in reply.text  # not "for 4.9 days"
    assert people.ticket("ACC-2") is None  # not a new request "access to until the end of the month"
    assert _request(desk, "ACC-1").duration_seconds == int((ends_at - desk.clock.now()).total_seconds())
    assert any(f"on ACC-1: access to Salesforce for Alice {day}." in t for t in _said_to(people, "carol"))


def test_an_end_date_in_the_first_message_ends_the_access_that_day_however_late_it_is_given(people, desk):
    people.say("alice", "I need access to Salesforce until the end of the year because I'm covering sales")
    assert any("access to Salesforce for Alice until Thu 31 Dec." in t for t in _said_to(people, "alice"))
    desk.clock.advance(days=2)
    assert people.sd("carol", "/sd approve ACC-1").ok
    assert any("give Alice access to Salesforce until Thu 31 Dec (approved" in t for t in _said_to(people, "#application"))
    desk.clock.advance(days=1)
    assert "until the end of Thu 31 Dec" in people.sd("carol", "/sd granted ACC-1").text
    assert _grant(desk).expires_at == _utc(2027, 1, 1)  # not granted_at + the length asked three days before


def test_until_further_notice_gets_the_default_and_says_why(people, desk):
    people.say("alice", "I need access to Salesforce because I'm covering sales")
    reply = people.say("alice", "until further notice")
    assert reply.ok and reply.text.startswith("Access here always has an end date, so I've put down the usual 30 days "
                                              "for Salesforce; you'll hear 1 day before it ends")
    assert "access to Salesforce for Alice for 30 days" in reply.text
    assert _request(desk, "ACC-1").duration_seconds == 30 * 86400


def test_an_end_date_already_over_is_asked_again(people, desk):
    people.say("alice", "I need access to Salesforce because I'm covering sales")
    reply = people.say("alice", "until 2026-11-01")
    assert not reply.ok and reply.text.startswith("Sun 1 Nov is over already. How long do you need it for?")
    assert _request(desk, "ACC-1").asking == "duration"


# Item 10: a start date counts the length from that day.

def test_tomorrow_in_the_request_starts_the_length_then_and_the_team_is_told_the_day(people, desk):
    people.say("erin", "I need access to the server room tomorrow to install a rack because the vendor is coming")
    assert any("How long do you need it for, from Tue 24 Nov?" in t for t in _said_to(people, "erin"))
    reply = people.say("erin", "1 day")
    assert "access to Server room for Erin for 1 day, on Tue 24 Nov." in reply.text
    assert people.sd("dave", "/sd approve ACC-1").ok
    assert any("Task ACC-1: give Erin access to Server room for 1 day, on Tue 24 Nov (approved" in t
               for t in _said_to(people, "#operations"))
    assert people.sd("dave", "/sd granted ACC-1").ok  # given on Monday: it still lasts through Tuesday
    assert _grant(desk).expires_at == _utc(2026, 11, 25)


def test_from_monday_until_wednesday_is_those_days(people, desk):
    people.say("alice", "I need access to the server room from Monday until Wednesday to install racks for the vendor")
    assert any("access to Server room for Alice for 3 days, from Mon 30 Nov until Wed 2 Dec." in t
               for t in _said_to(people, "alice"))


# Item 15: someone else's removal by a person who may not ask it directly waits for approval.

def test_removing_someone_elses_access_by_a_colleague_waits_for_the_approvers(people, desk):
    people.say("alice", "remove tom's access to salesforce")
    assert not any("please check and remove" in t for t in _said_to(people, "#application"))
    assert any("remove Tom's access to Salesforce (none on record here). Waiting for approval from Carol" in t
               for t in _said_to(people, "alice"))
    assert not people.sd("carol", "/sd revoked ACC-1").ok
    mark = last_outbox_id(desk)
    assert people.sd("carol", "/sd approve ACC-1").ok
    assert any("please check and remove Tom's access to Salesforce" in t
               for t in _said_to(people, "#application", since=mark))
    assert any("Application Management will check and remove any they find" in t
               for t in _said_to(people, "alice", since=mark))
    assert people.sd("carol", "/sd revoked ACC-1").ok and people.ticket("ACC-1").status == "closed"


def test_the_resource_owner_removes_without_approval(people, desk):
    people.say("carol", "remove tom's access to salesforce")
    assert any("please check and remove Tom's access to Salesforce" in t for t in _said_to(people, "#application"))


# Item 16: access to an application the desk doesn't arrange goes to Application Management.

def test_access_to_an_unlisted_application_goes_to_the_application_queue(people, desk):
    people.say("alice", "I need access")
    reply = people.say("alice", "the jira project ABC")
    assert "passed ACC-1 to Application Management" in reply.text
    assert people.ticket("ACC-1").queue == "application"
    assert any("ACC-1: access to jira project ABC isn't something the desk arranges" in t
               for t in _said_to(people, "#application"))


@pytest.mark.parametrize(("text", "queue"), [
    ("I need access to the Jira project ABC to triage bugs", "application"),
    ("I need access to the backup console to check the restore jobs", "operations"),
    ("I need access to the marketing shared drive for the campaign files", "technical"),
])
def test_unlisted_access_goes_to_the_team_of_the_thing_named(people, desk, text, queue):
    people.say("alice", text)
    assert people.ticket("ACC-1").queue == queue


# L1: the beneficiary is asked whether the access works.

def _toms_request_for_priya(people):
    people.say("tom", "give Priya access to Salesforce for 7 days because she is covering sales")
    assert people.sd("carol", "/sd approve ACC-1").ok
    mark = last_outbox_id(people.desk)
    assert people.sd("carol", "/sd granted ACC-1").ok
    return mark


def test_the_beneficiary_is_asked_whether_the_access_works_and_the_requester_told(people, desk):
    mark = _toms_request_for_priya(people)
    [asked] = _said_to(people, "priya", since=mark)
    assert asked.startswith("You now have access to Salesforce until") and "Can you use it?" in asked
    [told] = _said_to(people, "tom", since=mark)
    assert "I've asked Priya whether it works" in told and "Do you have the access" not in told
    assert people.say("priya", "yes").text == "Thanks for confirming! ACC-1 is closed."
    assert people.ticket("ACC-1").status == "closed"
    assert any("Priya confirmed the access to Salesforce works" in t for t in _said_to(people, "tom"))


def test_the_beneficiarys_no_reopens_with_what_they_said(people, desk):
    _toms_request_for_priya(people)
    assert "open again" in people.say("priya", "no, I get an error on login").text
    ticket = people.ticket("ACC-1")
    assert ticket.status == "in_progress" and ticket.comments[-1].body == "I get an error on login"
    assert any("Priya says the access to Salesforce isn't working yet" in t for t in _said_to(people, "tom"))


def test_the_requester_may_still_answer_for_the_beneficiary(people, desk):
    _toms_request_for_priya(people)
    assert "ACC-1 is closed" in people.say("tom", "yes").text


# L3 and L7: wording.

def test_an_extension_asks_how_much_longer_from_the_current_end(people, desk):
    people.say("alice", "I need access to Salesforce for 7 days because I'm covering sales")
    people.sd("carol", "/sd approve ACC-1")
    people.sd("carol", "/sd granted ACC-1")
    people.say("alice", "yes")
    mark = last_outbox_id(desk)
    people.say("alice", "extend my access to salesforce")
    [question] = [t for t in _said_to(people, "alice", since=mark) if "longer" in t]
    assert "Your access runs until Mon 30 Nov 09:00 GMT. How much longer do you need it?" in question
    assert "extend it by" not in question
    people.say("alice", "until the end of the year")
    people.say("alice", "still covering")
    assert people.sd("carol", "/sd approve ACC-2").ok
    assert _grant(desk).expires_at == _utc(2027, 1, 1)


def test_listing_the_access_of_an_unknown_name_says_so(people, desk):
    listed = people.sd("agent", "/sd access list bogus")
    assert not listed.ok and listed.text.startswith("'bogus' is neither a resource nor anyone who has had access")
    assert people.sd("agent", "/sd access list tom").text == "No current access for Tom."
