"""Which catalog item a service request reads like, over requests as people type them: polite
forms, typos, values (file names, paths, versions, addresses), where the thing goes, and things
the catalog does not offer. The requester is asked "Sounds like *X*: right?", so a wrong item is
worse than none (none goes to the queue as a plain request).

CLEAR: a person reading the message would name this item (or say the catalog has nothing for it).
BORDERLINE: fair either way; the desk must not propose a *different* item (the expected one or none).
"""
from __future__ import annotations

import pytest

from handlers.catalog import best_match

LAPTOP, SOFTWARE, PASSWORD = "new-laptop", "software-install", "password-reset"
RESTORE, MAILBOX, PICKUP = "file-restore", "shared-mailbox", "equipment-pickup"

CLEAR = [
    # New laptop
    ("I need a new laptop", LAPTOP),
    ("my laptop is 6 years old and really slow, can I get a replacement", LAPTOP),
    ("new starter on monday needs a laptop", LAPTOP),
    ("Hi, could I please order a laptop for our new hire Sarah starting 3 March?", LAPTOP),
    ("can we get a replacement laptop for Tom, his keyboard is falling apart", LAPTOP),
    ("requesting a new notebook computer for the intern", LAPTOP),
    ("I need a laptop upgrade, 8GB of RAM is not enough", LAPTOP),
    ("hi team, can I get a new pc? mine is ancient", LAPTOP),
    ("my macbook is out of warranty, can I get a new laptop?", LAPTOP),
    # Software install
    ("please install Zoom on the meeting room pc", SOFTWARE),
    ("can I get Visio installed on my laptop", SOFTWARE),
    ("I need Adobe Acrobat Pro installed please", SOFTWARE),
    ("need python 3.12 installed on my dev vm", SOFTWARE),
    ("we need licences for Miro for the design team", SOFTWARE),
    ("could you install Power BI Desktop for me?", SOFTWARE),
    ("Can I have a licence for Adobe Photoshop?", SOFTWARE),
    ("I need a license for Tableau", SOFTWARE),
    ("requesting installation of Docker Desktop on my workstation", SOFTWARE),
    ("I need the latest version of Tableau installed on my desktop", SOFTWARE),
    ("please install node v20.11.1 and git 2.44 on the build server", SOFTWARE),
    ("can you install R and RStudio on the new laptop for the analyst team", SOFTWARE),
    ("install Visio on my laptop", SOFTWARE),
    # Password reset
    ("I'm locked out of my account", PASSWORD),
    ("I forgot my password for the VPN", PASSWORD),
    ("can you reset my windows password", PASSWORD),
    ("my password expired and now I can't log in", PASSWORD),
    ("account locked after too many attempts, please unlock it", PASSWORD),
    ("I forgot my Workday password", PASSWORD),
    ("can't remember my password, need a reset please", PASSWORD),
    ("my account got locked out again this morning", PASSWORD),
    ("Hi, my AD account is locked, could you unlock it?", PASSWORD),
    ("password reset for j.smith@example.com please", PASSWORD),
    # Restore a file
    ("could you restore the budget.xlsx I deleted yesterday from the finance share", RESTORE),
    ("I accidentally deleted a folder on the shared drive, can you get it back", RESTORE),
    ("can you recover last week's version of the sales report, I overwrote it", RESTORE),
    ("please restore /shares/finance/q4.xlsx from yesterday", RESTORE),
    ("I saved over Q3_forecast_v2.docx by mistake, can you restore it from backup?", RESTORE),
    (r"need \\fs02\projects\alpha restored to how it was on Friday", RESTORE),
    ("somebody deleted the Marketing folder on the S: drive, please restore it from backup", RESTORE),
    ("I deleted a file from my OneDrive last month, can I get it back?", RESTORE),
    ("restore my Documents folder to yesterday's version please", RESTORE),
    ("can you recover the deleted file minutes-2024-03-01.docx on the HR share", RESTORE),
    # New shared mailbox
    ("we need a shared inbox for the support team", MAILBOX),
    ("we need a shared mailbox sales-team@example.com", MAILBOX),
    ("please create a team mailbox for HR", MAILBOX),
    ("can we set up a new shared mailbox invoices@example.com for accounts payable", MAILBOX),
    ("could you set up a generic mailbox for recruitment", MAILBOX),
    ("request for a functional mailbox for the helpdesk team", MAILBOX),
    # Equipment pickup
    ("please collect the old monitors from floor 3", PICKUP),
    ("please pick up 2 old monitors from floor 3", PICKUP),
    ("we have 5 old desktops to dispose of in room 2.14", PICKUP),
    ("could you arrange collection of unused keyboards and mice from the 4th floor", PICKUP),
    ("we're moving office, can you pick up the spare hardware on level 2", PICKUP),
    ("old phones to recycle at the Leeds office, can someone collect them?", PICKUP),
    # Nothing in the catalog
    ("I need a new monitor", None),
    ("I'd like a docking station", None),
    ("I need a headset for calls", None),
    ("can I have a second screen", None),
    ("please set up a new distribution list for the project team", None),
    ("how do I set up my out of office", None),
    ("could I get a wireless mouse and keyboard", None),
    ("can you add me to the finance distribution list", None),
    ("please create a new VM for the test environment", None),
    ("can I get a mobile phone for work", None),
    ("could you book a meeting room for Thursday", None),
    ("need a new desk chair, mine is broken", None),
    ("can we get a new Teams channel for the project", None),
    ("I'd like a bigger mailbox, mine is full", None),
    ("please order a USB-C charger for my laptop", None),
    ("I need a new keyboard, some keys are sticking", None),
    ("can you give me admin rights on my laptop", None),
    # Written after the first round of changes and measured before the second (a held-out check)
    ("Could you please arrange a laptop for Priya who joins the data team next week", LAPTOP),
    ("hello, my work laptop died completely and I need a replacement asap", LAPTOP),
    ("my computer is too slow for video editing, I need a more powerful laptop", LAPTOP),
    ("i need a laptop to work from home", LAPTOP),
    ("new joiner next Monday - need a laptop set up pls", LAPTOP),
    ("Please could you install Slack on my desktop?", SOFTWARE),
    ("can i get a licence for Microsoft Project 2021", SOFTWARE),
    ("need Java 17 installed on the test server asap", SOFTWARE),
    ("could you install the latest Chrome on all the PCs in the training room", SOFTWARE),
    ("I'd like Adobe Illustrator installing on my Mac", SOFTWARE),
    ("we need 3 extra Figma licences for the marketing team", SOFTWARE),
    ("install Excel please", SOFTWARE),
    ("please uninstall McAfee and install Sophos on my laptop", SOFTWARE),
    ("my SAP password has expired, can you reset it", PASSWORD),
    ("forgot password for outlook", PASSWORD),
    ("hi, I've been locked out of Salesforce after entering the wrong password", PASSWORD),
    ("please unlock the account of user mjones, she's locked out", PASSWORD),
    ("need my password reset urgently, can't get into my email", PASSWORD),
    (r"I need yesterday's version of C:\Users\ann\Documents\plan.docx restored", RESTORE),
    ("can you get back the Sales folder someone deleted from the team share on Tuesday?", RESTORE),
    ("a colleague overwrote our shared spreadsheet, can you restore the version from Monday?", RESTORE),
    ("please recover /data/projects/x/report-final.pdf from backup", RESTORE),
    ("accidentally deleted my Desktop folder, please help me get it back", RESTORE),
    ("can you create a shared mailbox for the finance team called finance@example.com", MAILBOX),
    ("we'd like a new team inbox for customer complaints", MAILBOX),
    ("could we have a group mailbox for the IT helpdesk?", MAILBOX),
    ("Please set up a shared mailbox: recruitment@example.com, owners Ann and Bob", MAILBOX),
    ("can you come and collect 3 broken laptops from the 2nd floor storeroom", PICKUP),
    ("we have a pile of old keyboards to get rid of, who can pick them up?", PICKUP),
    ("please arrange disposal of the old servers in the basement", PICKUP),
    ("could IT collect the returned equipment from the leaver's desk?", PICKUP),
    ("I need a new mouse", None),
    ("can I get a bigger monitor for my desk", None),
    ("please add Tom to the sales distribution list", None),
    ("I'd like access to the finance SharePoint site", None),
    ("can you create a new Teams team for the project", None),
    ("I need a new SIM card for my work phone", None),
    ("can someone fix the projector in room 4", None),
    ("please create a guest wifi account for our visitor tomorrow", None),
    ("need a parking permit", None),
    ("could you increase my mailbox size please", None),
    ("can I get a second charger for my laptop", None),
    ("please order a laptop bag", None),
    ("what's the password policy?", None),
]

BORDERLINE = [
    ("can someone take away the broken printer from reception", PICKUP),
    ("I'd like to return my old laptop now that I've got the new one", PICKUP),
    ("please remove the old docking stations from meeting room B", PICKUP),
    ("lapotp for new joiner in finance pls", LAPTOP),
    ("Can you order a ThinkPad X1 Carbon for me", LAPTOP),
    ("pls instal notepad++ on my machine", SOFTWARE),
    ("can I get VS Code on my laptop please", SOFTWARE),
    ("hi, can you put 7-zip on my computer", SOFTWARE),
    ("pls reset pwd for SAP", PASSWORD),
    ("I overwrote the presentation deck for tomorrow, can IT roll it back?", RESTORE),
    ("accidently deleted an important spreadsheet, help!", RESTORE),
    ("we'd like a common inbox that the whole events team can read", MAILBOX),
    ("please send me the guest wifi password", None),
    ("could you set up a printer on my laptop", None),
]


# Known limit: an incident about the thing reads like the thing (intake files incidents apart, so
# only a typed answer meets this). Strict: when it starts passing, move it to CLEAR.
KNOWN_WRONG = [
    ("my laptop keeps freezing, can you look at it", None),
]


def _item(organisation, text: str) -> str | None:
    match = best_match(organisation, text)
    return match.item.id if match else None


@pytest.mark.parametrize("text, item", CLEAR)
def test_a_request_is_offered_the_item_it_reads_like(organisation, text, item):
    assert _item(organisation, text) == item


@pytest.mark.parametrize("text, item", BORDERLINE)
def test_an_unclear_request_is_never_offered_another_item(organisation, text, item):
    assert _item(organisation, text) in (item, None)


@pytest.mark.xfail(strict=True, reason="an incident about a laptop reads like the New laptop item")
@pytest.mark.parametrize("text, item", KNOWN_WRONG)
def test_known_limits(organisation, text, item):
    assert _item(organisation, text) == item


def _to(people, who: str) -> list[str]:
    return [text for _, address, text in people.outbox() if address == f"@{who}"]


def test_the_requester_is_asked_about_the_item_the_request_is_for(people):
    people.say("alice", "please install Zoom on the meeting room pc")  # the pc is where it goes
    assert _to(people, "alice")[-1] == "Sounds like *Software install*: right? Answer yes or no."
    question = people.say("alice", "yes")
    assert "Which device should it go on?" in question.text  # "Zoom" came from the first message

    people.say("erin", "could you restore the budget.xlsx I deleted yesterday from the finance share")
    assert _to(people, "erin")[-1] == "Sounds like *Restore a file*: right? Answer yes or no."
    assert "Where was the file" in people.say("erin", "yes").text  # the day came from the first message


def test_a_request_for_something_the_catalog_does_not_offer_is_not_dressed_up_as_an_item(people):
    people.say("alice", "please set up a new distribution list for the project team")
    assert _to(people, "alice")[-1].startswith("REQ-1 doesn't match anything in the service catalog")


def test_a_list_of_things_answering_what_to_collect_is_the_answer_not_a_new_request(people, desk):
    people.say("alice", "please collect the old monitors from floor 3")
    assert _to(people, "alice")[-1] == "Sounds like *Equipment pickup*: right? Answer yes or no."
    assert "What should we collect" in people.say("alice", "yes").text
    assert "Where is it" in people.say("alice", "2 monitors and an old laptop").text
    assert people.ticket("REQ-2") is None  # the old laptop is to collect, not a new laptop request
    # A sentence that asks for something is still a new matter.
    people.say("alice", "I also need a new laptop for the new starter on Monday")
    assert people.ticket("REQ-2") is not None
