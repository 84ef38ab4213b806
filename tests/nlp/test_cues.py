from __future__ import annotations

import pytest
import spacy

from nlp.cues import CueExtractor, Cues
from nlp.priority import priority_for
from tests.nlp.conftest import APPLICATIONS, HOSTS


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    return spacy.blank("en")  # the classifier's tokenizer: cues need no trained model


@pytest.fixture(scope="module")
def cues(nlp: spacy.language.Language) -> CueExtractor:
    return CueExtractor(nlp, applications=APPLICATIONS, hosts=HOSTS)


@pytest.fixture()
def extract(nlp: spacy.language.Language, cues: CueExtractor):
    def run(text: str) -> Cues:
        return cues(nlp.make_doc(text))

    return run


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("any update on INC-12?", ["INC-12"]),
        ("status of req-3 please", ["REQ-3"]),
        ("is Acc-7 approved", ["ACC-7"]),
        ("what about INC 12", ["INC-12"]),
        ("see #INC-12 and (REQ-4).", ["INC-12", "REQ-4"]),
        ("inc12 and INC - 99", ["INC-12", "INC-99"]),
        ("INC-0012 is the same ticket as INC-12", ["INC-12"]),
        ("ABC-12, INCIDENT-3, PRINC-12 and INC-x are not ticket ids", []),
    ],
)
def test_ticket_ids(extract, text: str, expected: list[str]) -> None:
    assert extract(text).ticket_ids == expected


def test_applications_and_hosts_come_from_the_configured_lists(extract) -> None:
    found = extract("power bi reports from WEB-PROD-03 fail, and fs02 is full; Tableau too")
    assert found.applications == ["Power BI"]  # spelled as configured, Tableau is not listed
    assert found.hosts == ["web-prod-03", "FS02"]


def test_host_short_and_qualified_names(extract) -> None:
    assert extract("db01 is not answering").hosts == ["db01.corp.local"]
    assert extract("cannot reach db01.corp.local:5432").hosts == ["db01.corp.local"]
    assert extract("db011 and mydb01.x are other machines").hosts == []


def test_names_not_configured_are_not_found(nlp: spacy.language.Language) -> None:
    bare = CueExtractor(nlp)
    found = bare(nlp.make_doc("Salesforce on web-prod-03 is down"))
    assert found.applications == [] and found.hosts == []


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("please give Priya access to the finance share", ["Priya"]),
        ("I need a laptop for Priya Sharma, she starts Monday", ["Priya Sharma"]),
        ("remove Tom's access to Jira", ["Tom"]),
        ("revoke Jane Doe's badge, she left", ["Jane Doe"]),
        ("cc @tom.smith and <@U123ABC>", ["tom.smith", "U123ABC"]),
        ("access for Monday, for Excel, for Salesforce", []),
        ("mail me at tom@example.com", []),
        ("remove all users with @oldagency.com addresses", []),
        ("give priya access", []),  # lower-case names are not guessed
    ],
)
def test_people(extract, text: str, people: list[str]) -> None:
    assert extract(text).people == people


@pytest.mark.parametrize(
    ("text", "impact", "urgency", "priority"),
    [
        ("the whole office can't print and we have a deadline today", "high", "high", "P1"),
        ("production is down, customers affected", "high", "high", "P1"),
        ("the finance team finds SAP slow, there is a workaround", "medium", "medium", "P3"),
        ("my team cannot work at all", "medium", "high", "P2"),
        ("everyone in my team is blocked", "medium", "high", "P2"),
        ("company-wide the VPN is intermittent", "high", "medium", "P2"),
        ("I think we have a data leak in the HR portal", "high", "high", "P1"),
        ("need a new mouse, no hurry", None, "low", "P5"),
        ("not urgent: Jira is slow for me", None, "low", "P5"),  # the writer's own "not urgent" wins
        ("jumpy sometimes, no rush", None, "low", "P5"),
        ("not urgent but I can't work at all", None, "high", "P3"),  # a stated need outweighs it
        ("it isn't urgent", None, "low", "P5"),
    ],
)
def test_impact_and_urgency_to_priority(
    extract, text: str, impact: str | None, urgency: str | None, priority: str
) -> None:
    found = extract(text)
    assert (found.impact, found.urgency) == (impact, urgency)
    assert priority_for(found.impact or "low", found.urgency or "low") == priority


@pytest.mark.parametrize(
    "text",
    [
        "hi team, Jira will not load for me",
        "he is the new analyst on our team and needs Tableau",
        "please add me to the sales team channel",
        "ssh access to prod-db-01 and analytics-prod please",
        "the IT team told me to write here",
    ],
)
def test_words_that_only_look_like_impact_cues(extract, text: str) -> None:
    assert extract(text).impact is None


def test_matched_cue_phrases_are_reported(extract) -> None:
    found = extract("the whole office can't print and we have a deadline today")
    assert [cue.as_dict() for cue in found.matched] == [
        {"kind": "impact", "level": "high", "text": "whole office"},
        {"kind": "urgency", "level": "high", "text": "deadline today"},
    ]


def test_negated_urgency_is_a_low_cue_not_a_high_one(extract) -> None:
    found = extract("this is not urgent")
    assert [(c.level, c.text) for c in found.matched] == [("low", "not urgent")]


def test_a_plain_message_has_no_cues(extract) -> None:
    found = extract("my laptop will not turn on")
    assert found.impact is None and found.urgency is None and found.matched == []
    assert found.entities() == {
        "ticket_ids": [], "applications": [], "hosts": [], "people": [], "cues": [],
    }


def test_an_exposure_is_reported_as_both_cues_with_its_words(extract) -> None:
    found = extract("I lost my work phone on the train")
    assert [cue.as_dict() for cue in found.matched] == [
        {"kind": "impact", "level": "high", "text": "lost my work phone"},
        {"kind": "urgency", "level": "high", "text": "lost my work phone"},
    ]


def test_customers_who_are_not_affected_are_no_customer_cue(extract) -> None:
    found = extract("no customers affected, the staging server is down")
    assert found.impact is None and found.urgency == "high"  # "is down"
    assert all("customers" not in cue.text for cue in found.matched)
    assert extract("no customers can pay on the website").impact == "high"  # that is customers hit


def test_clauses_keep_a_negation_to_its_own_sentence(extract) -> None:
    assert extract("I did not click anything. I lost my phone on the bus").impact == "high"
    assert extract("my phone was not stolen, it was in my bag").impact is None


def test_situation_rules_cope_with_odd_input(extract) -> None:
    for text in ["", "stolen", "lost", "customers", "data centre", "in 10 minutes", "!!!",
                 "someone else's", "server room power", "\n\n\n", "if if if hacked"]:
        found = extract(text)
        assert found.impact in (None, "high", "medium", "low")


# --- the UX review's messages through the real classifier ---------------------------------------


@pytest.mark.parametrize(
    ("text", "priority"),
    [
        ("I clicked a link in a phishing email and entered my password", "P1"),
        ("someone else's payslip is showing in the HR portal", "P1"),
        ("I lost my work phone on the train", "P1"),
        ("malware detected on my laptop", "P1"),
        ("I think my account was hacked", "P1"),
        ("all customers see errors on checkout", "P1"),
        ("the whole sales team cannot use Salesforce, big customer demo in one hour", "P2"),
        ("the data centre air conditioning failed", "P1"),
        ("I got a phishing email, didn't click anything, just reporting it", "P3"),
        ("my own laptop is slow", "P4"),
    ],
)
def test_review_messages_get_the_documented_priority(model, text: str, priority: str) -> None:
    result = model.classify(text)
    assert result.intent == "incident" and result.priority == priority


def test_an_emoji_laden_incident_opens_a_ticket(model) -> None:
    """Needs the model trained with nlp/corpus/extra_d.jsonl (emoji were only seen as chit-chat)."""
    result = model.classify("💻🔥🔥 laptop caught fire!!!")
    assert (result.intent, result.queue, result.priority) == ("incident", "technical", "P3")
    for chit_chat in ("🔥🔥", "thanks!!! 🙏", "hi 👋"):
        assert model.classify(chit_chat).intent == "other"
