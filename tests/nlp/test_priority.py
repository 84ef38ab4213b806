from __future__ import annotations

import pytest
import spacy

from nlp.cues import CueExtractor
from nlp.pipeline import default_urgency
from nlp.priority import priority_for

MATRIX = {
    ("high", "high"): "P1",
    ("high", "medium"): "P2",
    ("high", "low"): "P3",
    ("medium", "high"): "P2",
    ("medium", "medium"): "P3",
    ("medium", "low"): "P4",
    ("low", "high"): "P3",
    ("low", "medium"): "P4",
    ("low", "low"): "P5",
}


@pytest.mark.parametrize(("impact", "urgency"), sorted(MATRIX))
def test_every_cell_of_the_matrix(impact: str, urgency: str) -> None:
    assert priority_for(impact, urgency) == MATRIX[(impact, urgency)]


@pytest.mark.parametrize(("impact", "urgency"), [("critical", "high"), ("low", "HIGH"), ("", "")])
def test_unknown_levels_are_rejected_with_the_value_named(impact: str, urgency: str) -> None:
    with pytest.raises(ValueError, match="must be one of high, medium, low"):
        priority_for(impact, urgency)


# --- situations that set impact and urgency (the rules in nlp/priority.py) ----------------------

@pytest.fixture(scope="module")
def prioritise():
    nlp = spacy.blank("en")  # the classifier's tokenizer; the cue rules need no trained model
    cues = CueExtractor(nlp)

    def run(text: str, intent: str = "incident") -> str:
        found = cues(nlp.make_doc(text))
        return priority_for(found.impact or "low", found.urgency or default_urgency(intent))

    return run


SECURITY_EXPOSURES = [
    # credentials handed over
    "I clicked a link in a phishing email and entered my password",
    "oh no, I typed my Microsoft password into a fake login page from a DHL email",
    "someone called pretending to be from the helpdesk and I gave them my login details",
    "I approved a random MFA prompt at 2am, it wasn't me signing in",
    "clicked the link in that phishing mail and logged in on the page it opened",
    # a compromised account or machine
    "I think my account was hacked",
    "my Outlook account has been compromised, it's sending spam to all my contacts",
    "I think I've been hacked, my password was changed and I didn't do it",
    "someone logged into my account from another country last night",
    "someone is sending spam from my mailbox, I never wrote those mails",
    # malware or ransomware detected or running
    "malware detected on my laptop",
    "Defender flagged a trojan on my PC",
    "my laptop is infected, pop-ups everywhere",
    "ransomware! all the files on the S drive are encrypted",
    "there's a ransom note on the file server",
    "I think I have a virus on my computer",
    # a lost or stolen device
    "I lost my work phone on the train",
    "my laptop was stolen from my car",
    "left my work laptop in a cab",
    "my iPhone got stolen in a bar last night, it has company email",
    "lost a USB stick with customer data",
    "my bag was stolen with my laptop in it",
    # a leak
    "someone else's payslip is showing in the HR portal",
    "I can see other employees' salaries in Workday",
    "I received somebody else's payslip by email",
    "the customer portal shows other customers' orders after login",
    "our S3 bucket with customer data is publicly accessible",
    "I accidentally pasted my password in the general Slack channel",
    "I sent the salaries spreadsheet to the whole company by mistake",
    "I think we have a data leak in the HR portal",
]


@pytest.mark.parametrize("text", SECURITY_EXPOSURES)
def test_a_security_exposure_is_high_impact_high_urgency(prioritise, text: str) -> None:
    assert prioritise(text) == "P1"


NOT_EXPOSURES = [
    # a phishing email reported, a question, a click with nothing entered: a security scare
    ("I got a phishing email, didn't click anything, just reporting it", "P3"),
    ("is this email from payroll a phishing attempt?", "P3"),
    ("forwarding a phishing email I received, I did not click the link", "P3"),
    ("I clicked a link in a suspicious email but didn't enter anything", "P4"),
    ("I entered my password wrong three times and now I'm locked out", "P4"),
    ("what do I do if my account is hacked?", "P3"),
    ("how can I tell if my laptop has a virus?", "P3"),
    ("someone from IT logged into my laptop yesterday to install Visio, is that normal?", "P4"),
    ("I keep receiving spam from my own address, is that spoofing?", "P4"),
    ("scan found no malware, laptop is clean", "P4"),
    ("I hacked together a script for the report, can you host it?", "P4"),
    ("I'm off sick with a virus today, can someone cover the printer queue", "P4"),
    # devices that are not lost, or hold no data
    ("I lost my laptop charger", "P4"),
    ("I lost my phone's charger", "P4"),
    ("my phone lost signal in the basement", "P4"),
    ("my laptop lost connection to the VPN", "P4"),
    ("I left my laptop at home today", "P4"),
    ("I lost my laptop but found it again", "P4"),
    ("what should I do if my laptop is stolen?", "P3"),
    # requests for someone else's data, a broken colleague's laptop
    ("I need to see my colleague's calendar", "P4"),
    ("can I get access to someone else's mailbox? my manager asked me to cover", "P4"),
    ("my colleague's laptop is broken", "P4"),
    ("I sent a meeting invite to the wrong person, can I recall it?", "P4"),
    ("I need the API key for the test environment", "P4"),
]


@pytest.mark.parametrize(("text", "priority"), NOT_EXPOSURES)
def test_scares_that_are_no_exposure_keep_their_ordinary_priority(prioritise, text, priority):
    assert prioritise(text) == priority


@pytest.mark.parametrize(
    ("text", "intent", "priority"),
    [
        ("please run a virus scan on my laptop", "service_request", "P5"),
        ("please install anti-virus on the new laptop", "service_request", "P5"),
        ("the anti-malware licence expires next month", "service_request", "P5"),
        ("can we get phishing training for the sales team?", "service_request", "P4"),
    ],
)
def test_security_words_in_requests_are_no_scare(prioritise, text, intent, priority) -> None:
    assert prioritise(text, intent) == priority


@pytest.mark.parametrize(
    ("text", "priority"),
    [
        # customers affected: high impact (customers) and high urgency
        ("all customers see errors on checkout", "P1"),
        ("checkout fails for all our clients since the deploy", "P1"),
        ("the website shows error 500 to customers", "P1"),
        ("our android app crashes when customers open the basket", "P1"),
        ("a customer called about a typo on the website", "P4"),
        ("customers noticed a typo on the pricing page", "P2"),
        ("customers are not affected, but the internal wiki is down", "P3"),
        ("no customers affected, the staging server is down", "P3"),
        ("the VPN clients can't connect after the update", "P2"),
        # a team that cannot work with a deadline within the hour
        ("the whole sales team cannot use Salesforce, big customer demo in one hour", "P2"),
        ("my presentation starts in 10 minutes and the projector won't connect", "P3"),
        ("the laptop crashed 3 times in 10 minutes", "P4"),
        ("the battery went from 100 to 0 in twenty minutes", "P4"),
        # a data-centre wide failure: everything hosted there
        ("the data centre air conditioning failed", "P1"),
        ("power outage in the data center", "P1"),
        ("UPS in the server room is beeping and the power went out", "P1"),
        ("server room is too hot, the aircon stopped", "P1"),
        ("there's water leaking into the server room", "P1"),
        ("the generator in the datacentre didn't start after the power cut", "P1"),
        ("the office air conditioning is broken, it's 30 degrees", "P4"),
        ("server room door badge reader broken", "P4"),
        ("we need more power sockets in the server room", "P4"),
        ("can you power off rack 12 in the server room on Friday?", "P4"),
        ("UPS maintenance in the data centre next week, please plan the shutdown", "P5"),
        # a fire at one desk is urgent, but one person's
        ("💻🔥🔥 laptop caught fire!!!", "P3"),
    ],
)
def test_customers_deadlines_and_the_data_centre(prioritise, text: str, priority: str) -> None:
    assert prioritise(text) == priority


@pytest.mark.parametrize(
    "text",
    [
        "my own laptop is slow",
        "Outlook keeps crashing on my laptop",
        "my monitor flickers",
        "can't log in to Jira, it says my password is wrong",
        "my keyboard stopped working, I can't work",
        "printer on floor 2 is jammed, urgent please",
        "the new starter's laptop isn't ready and she starts in 2 hours",
    ],
)
def test_one_persons_problem_is_never_a_major_incident(prioritise, text: str) -> None:
    assert prioritise(text) != "P1"  # a P1 declares a major incident


# --- situations found on messages written from SERVICE-OPERATION.md's matrix -----------------

@pytest.mark.parametrize(
    ("text", "priority"),
    [
        # a deadline later today is high urgency; one person's problem: P3
        ("acrobat crashes whenever i try to sign a pdf and i have to sign a contract by 5pm today",
         "P3"),
        ("my headset broke and I have a call this afternoon", "P3"),
        ("quarter end is today and the ERP is down for the finance team", "P2"),
        ("the report has to go out by 5pm tomorrow and excel crashes", "P4"),
        ("it worked fine before lunch, now outlook crashes", "P4"),
        ("the printer has been jammed since this afternoon", "P4"),
        # "whenever" alone is no calm: "crashes whenever I open it"
        ("excel freezes whenever I open the budget file", "P4"),
        ("small thing, whenever you get to it: the dark mode makes some text unreadable", "P5"),
        ("no rush at all, my mouse scroll wheel is a bit jumpy", "P5"),
        # one person who cannot use the computer at all
        ("windows update has been stuck for two hours and I can't use my computer at all", "P3"),
        ("cant use my laptop since the update", "P3"),
        # a team named in two or three words is a team (medium impact)
        ("URGENT!!! the order system throws errors for our whole customer service team", "P2"),
        ("the accounts payable team can't post invoices in SAP", "P3"),
        ("he joined the data platform team and needs access", "P4"),
        ("the IT support team said to raise a ticket", "P4"),
        # customers and production
        ("checkout on our web shop fails for every customer since 10 minutes", "P1"),
        ("all production servers in the cluster are unreachable", "P1"),
    ],
)
def test_deadlines_today_named_teams_and_customers(prioritise, text: str, priority: str) -> None:
    assert prioritise(text) == priority


@pytest.mark.parametrize(
    "text",
    [
        "I clicked a link in an email that asked for my password and I typed it in. It was fake",
        "the crm shows me customer records from other regions that I'm not supposed to see",
        "I can see the salary data of the whole department, I shouldn't be able to see that",
    ],
)
def test_more_security_exposures(prioritise, text: str) -> None:
    assert prioritise(text) == "P1"


@pytest.mark.parametrize(
    ("text", "priority"),
    [
        ("I typed it in twice and it still says wrong password", "P4"),
        ("please make sure interns are not supposed to see the payroll data, can you check", "P4"),
    ],
)
def test_near_exposures_stay_ordinary(prioritise, text: str, priority: str) -> None:
    assert prioritise(text) == priority
