"""The ITIL priority matrix: impact x urgency -> P1..P5 (docs: SERVICE-OPERATION.md), and the
situations that set impact and urgency beyond the plain cue phrases of nlp/cue_phrases.py.

| impact \\ urgency | high | medium | low |
| ---------------- | ---- | ------ | --- |
| high             | P1   | P2     | P3  |
| medium           | P2   | P3     | P4  |
| low              | P3   | P4     | P5  |

A P1 declares a major incident (handlers/timekeeping.py), so the situations below that make one
are the ones the document names; an ordinary single-user problem never reaches P1.

* Security exposures are high impact and high urgency: "A security exposure or data leak is
  high impact and high urgency". An exposure is something that has put the organisation's data
  or accounts in other hands, even if the writer only suspects it:
  - credentials handed over: a password, MFA code or remote access entered, typed or given
    where the message also says it was a scam (phishing, fake page, "pretending to be IT"), or
    logging in through a phishing link;
  - a compromised account or machine: "my account was hacked", "mailbox compromised", someone
    (a stranger, not "someone from IT") logged into or using my account, spam sent from my
    mailbox that I never sent;
  - malware or ransomware detected or running: "malware detected", "I think I have a virus",
    "the antivirus quarantined a trojan", files encrypted with a ransom note;
  - a lost or stolen device that holds data: laptop, phone, tablet, USB stick, hard drive
    ("lost my work phone on the train", "laptop was stolen", "left my laptop in a taxi");
  - a leak: someone else's personal or confidential data shown or sent to me ("someone else's
    payslip is showing", "I can see other employees' salaries"), data or secrets made public
    ("customer data publicly accessible", "pasted my password in the team channel"), sensitive
    data sent to the wrong people.
  Not exposures (they keep their ordinary cues, e.g. "phishing" is high urgency: P3 for one
  person): a phishing email received or reported without clicking or entering anything, a
  question whether an email is phishing, a clicked link with nothing entered, a lost charger or
  badge, hypotheticals ("what do I do if my laptop is stolen?"), negations ("no malware found",
  "I didn't enter my password"), requests for an antivirus, a virus scan or access to a
  colleague's data.
* A data-centre or server-room wide failure of power, cooling, UPS or generator, or fire, flood
  or overheating there, is high impact (everything hosted there) and high urgency. Planned work
  ("UPS maintenance next week") is not.
* Customers hit by a failure ("all customers see errors", "checkout fails for our clients") are
  "customers affected": high urgency (with the customers' high impact, P1). "no customers
  affected" and "VPN clients" are not customer cues at all.
* A deadline within a few hours ("demo in one hour", "starts in 10 minutes") is high urgency
  ("3 times in 10 minutes" is not a deadline); so is one later today: "have to sign it by 5pm",
  "the deadline is today", "a call this afternoon" (not "by 5pm tomorrow", "since this
  afternoon", "it worked before lunch").
* A team named in two or three words is a team: "our whole customer service team", "the accounts
  payable team can't post" (medium impact; "he joined the data platform team" is not).
* Data shown that the writer is "not supposed to see" is a leak, and a password typed into a
  scam page is handed over also when the message says "it asked for my password and I typed it
  in".

The words are in RULE_WORDS (nlp/cue_phrases.py), found by the PhraseMatcher in nlp/cues.py;
the functions here only look at the tokens near what was found.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from nlp.cue_phrases import RULE_WORDS

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

LEVELS: tuple[str, ...] = ("high", "medium", "low")
PRIORITIES: tuple[str, ...] = ("P1", "P2", "P3", "P4", "P5")

_RANK = {"high": 0, "medium": 1, "low": 2}


def priority_for(impact: str, urgency: str) -> str:
    """Return the priority for an impact and an urgency, each ``high``, ``medium`` or ``low``.

    Raises ValueError for any other value, naming it.
    """
    for name, value in (("impact", impact), ("urgency", urgency)):
        if value not in _RANK:
            raise ValueError(f"{name} must be one of high, medium, low; got {value!r}")
    return PRIORITIES[_RANK[impact] + _RANK[urgency]]


_CUE_LABELS = [
    f"{kind}_{level}" for kind in ("IMPACT", "URGENCY") for level in ("HIGH", "MEDIUM", "LOW")
]

# Labels in RULE_WORDS used as sets of single words (looked up by NORM), not matched as phrases.
WORD_SETS = {
    label: frozenset(word for phrase in RULE_WORDS[label] for word in phrase.split())
    for label in ("NOT_THREAT", "NOT_COMPROMISE", "ACTOR_FILLER", "DEVICE_FILLER", "ACCESSORY",
                  "PASSIVE", "TECH_CLIENT", "NOT_DISASTER", "EARLIER", "TEAM_MODIFIER")
}
RULE_ANCHORS = {
    "EXPOSURE", "MALWARE", "COMPROMISED", "ACTOR", "FROM_MINE", "SENDER", "SCAM", "LOSS",
    "ROBBED", "OTHERS", "OTHERS_WEAK", "PUBLIC", "POSTED_WHERE", "WRONG_TO", "FACILITY",
    "CUSTOMERS", "IMMINENT", "CANCEL", "DEADLINE", "TODAY", "FORBIDDEN_SEE", "UNIT",
}
_NEGATORS = {"not", "never", "no", "without", "nothing", "none"}
_HYPOTHETICAL = {"if", "whether", "suppose", "supposing", "hypothetically", "case"}
_REALLY_PASSIVE = {"was", "were", "is", "are", "got", "get", "gets", "been", "'s", "'re"}
_NOT_SCARES = {"hacked", "compromised"}  # "hacked together a script", "compromised on"
_THEFT = {"stolen", "stole", "nicked", "snatched", "pinched", "theft"}
_REPORT_ONLY = {"lost", "taken", "gone"}  # a device "lost" only in the passive: "phone lost signal"


class _Window:
    """The rule words matched in one doc (spans by label) and which clause each token is in."""

    def __init__(self, doc: Doc, spans: dict[str, list[Span]]) -> None:
        self.doc, self.spans = doc, spans
        ends = {span.start for span in spans.get("CLAUSE_END", ())}  # . ! ? ; and new lines
        number, self.clause = 0, []
        for i in range(len(doc)):
            self.clause.append(number)
            number += i in ends

    def find(self, label: str, anchor: Span, before: int = 99, after: int = 99) -> Span | None:
        """A ``label`` span in the anchor's clause, from ``before`` tokens before the anchor to
        ``after`` tokens after it, not overlapping it."""
        for span in self.spans.get(label, ()):
            if (
                anchor.start - before <= span.start
                and span.end <= anchor.end + after
                and (span.end <= anchor.start or span.start >= anchor.end)
                and self.clause[span.start] == self.clause[anchor.start]
            ):
                return span
        return None

    def guarded(self, anchor: Span, partner: Span | None = None) -> bool:
        """Negated ("didn't enter my password", "no malware", "my account was not hacked") or
        hypothetical ("if my laptop is stolen"): the words before the anchor, back to a partner
        word found before it. "oh no, I typed ..." is no negation."""
        start = min(anchor.start, partner.start) if partner is not None else anchor.start
        for i in range(max(0, start - 8), anchor.start):
            if self.clause[i] != self.clause[anchor.start]:
                continue
            if partner is not None and partner.start <= i < partner.end:
                continue
            norm, after = self.doc[i].norm_, self.doc[i + 1]
            if norm in _HYPOTHETICAL:
                return True
            if norm in _NEGATORS and i >= start - 3 and not after.is_punct:
                return True
        return False

    def word(self, i: int, label: str) -> bool:
        return 0 <= i < len(self.doc) and self.doc[i].norm_ in WORD_SETS[label]

    def report(self, pairs: list[tuple[Span, Span | None]]) -> list[Span]:
        """The (anchor, partner) pairs that are not guarded, each as one span to report."""
        found = []
        for anchor, partner in pairs:
            if not self.guarded(anchor, partner):
                start = min(anchor.start, partner.start) if partner is not None else anchor.start
                end = max(anchor.end, partner.end) if partner is not None else anchor.end
                found.append(self.doc[start:end] if end - start <= 8 else anchor)
        return found


def situation_spans(doc: Doc, spans: dict[str, list[Span]]) -> dict[str, list[Span]]:
    """High impact/urgency spans the rules add; cue spans inside a CANCEL phrase are dropped."""
    w = _Window(doc, spans)
    both = w.report(_exposures(w) + _lost_devices(w) + _data_centre(w))  # high impact + urgency
    urgent = w.report(_customers_hit(w)) + [  # "demo in one hour", not "0 in twenty minutes"
        span for span in spans.get("IMMINENT", ()) if w.find("EVENT", span, before=12, after=4)
    ] + w.report(_due_today(w))
    found = {"IMPACT_HIGH": list(both), "URGENCY_HIGH": both + urgent,
             "IMPACT_MEDIUM": _named_teams(doc, spans.get("UNIT", ()))}
    if "URGENCY_HIGH" in spans:  # no security scare: "anti-virus", "off sick with a virus"
        sick = "SICK" in spans
        spans["URGENCY_HIGH"] = [
            span for span in spans["URGENCY_HIGH"]
            if not (
                _anti(doc, span)
                or (sick and span.text.lower() == "virus")
                or (span.text.lower() in _NOT_SCARES and w.word(span.end, "NOT_COMPROMISE"))
            )
        ]
    cancel = spans.get("CANCEL", ())
    for label in _CUE_LABELS:
        for table in (spans, found):
            if label in table and cancel:
                table[label] = [s for s in table[label] if not any(_overlap(s, c) for c in cancel)]
    return found


def _due_today(w: _Window) -> Pairs:
    """'have to sign it by 5pm', 'the deadline is today', 'a call this afternoon'; not 'by 5pm
    tomorrow', 'worked before lunch', 'since this afternoon'."""
    doc, found = w.doc, []
    for span in w.spans.get("DEADLINE", ()):
        later = w.find("LATER_DAY", span, before=0, after=3)
        if not later and w.find("EVENT", span, before=12, after=4):  # not "flat by 10am"
            found.append((span, None))
    for span in w.spans.get("TODAY", ()):
        earlier = span.start > 0 and doc[span.start - 1].norm_ in WORD_SETS["EARLIER"]
        if not earlier and w.find("EVENT", span, before=8, after=4):
            found.append((span, None))
    return found


_TEAM_WORDS = {"my", "our", "the", "whole", "entire", "all"}
_NOT_TEAM_NAMES = {"it", "ict", "helpdesk", "service", "support", "security", "desk", "new", "a",
                   "other", "wrong", "teams", "your", "their", "his", "her", "same", "old", "next"}
_JOINS = {"on", "in", "to", "into", "join", "joined", "joins", "joining", "from", "of", "with",
          "left", "leave", "leaving", "except", "moved", "changed", "switched"}
_NOT_IN_NAMES = _JOINS | {"my", "our", "the", "a", "an", "for", "and", "or", "at", "by", "this",
                          "that", "is", "are", "was", "were", "be", "me", "us", "i", "we", "you"}


def _named_teams(doc: Doc, units: Iterable[Span]) -> list[Span]:
    """A team named in two or three words: 'our customer service team can't ...', 'the whole
    accounts payable team'. Not 'the IT support team', 'he joined the data platform team'."""
    found = []
    for unit in units:
        if unit.end < len(doc) and doc[unit.end].norm_ in WORD_SETS["TEAM_MODIFIER"]:
            continue
        for width in (2, 3):
            first = unit.start - width
            if first < 1 or doc[first - 1].norm_ not in _TEAM_WORDS:
                continue
            names = doc[first : unit.start]
            if not all(t.is_alpha and t.norm_ not in _NOT_IN_NAMES for t in names):
                continue  # "the path to the team drive"
            if names[0].norm_ in _NOT_TEAM_NAMES:
                continue
            det = first - 1
            whole = doc[det].norm_ in ("whole", "entire", "all")
            if det > 0 and doc[det - 1].norm_ in ("whole", "entire", "all"):
                det, whole = det - 1, True
            if det > 0 and doc[det - 1].norm_ in _JOINS and not whole:
                continue
            found.append(doc[det : unit.end])
            break
    return found


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _anti(doc: Doc, span: Span) -> bool:
    """'anti-virus', 'anti malware'."""
    before = [t.lower_ for t in doc[max(0, span.start - 2) : span.start]]
    return "anti" in before[-1:] or before == ["anti", "-"]


Pairs = list[tuple["Span", "Span | None"]]


def _exposures(w: _Window) -> Pairs:
    """Credentials handed over, compromised accounts, malware, leaks (see the module docstring)."""
    doc, spans = w.doc, w.spans
    found: Pairs = [(span, None) for span in spans.get("EXPOSURE", ())]
    if "SICK" not in spans:  # "off sick with a virus"
        for span in spans.get("MALWARE", ()):  # not "anti-virus", "virus scan", "scan for viruses"
            after_for = span.start > 0 and doc[span.start - 1].norm_ == "for"
            scan = after_for and w.find("SCAN", span, 3, 0)
            if not (_anti(doc, span) or w.word(span.end, "NOT_THREAT") or scan):
                found.append((span, None))
    for span in spans.get("COMPROMISED", ()):  # "my account was hacked", "I've been hacked"
        owned = w.find("OWNED", span, before=6, after=3)
        if owned and not w.word(span.end, "NOT_COMPROMISE"):
            found.append((span, owned))
    for span in spans.get("ACTOR", ()):  # "someone logged into my account", not "someone from IT"
        verb = w.find("INTRUDES", span, before=0, after=4)
        between = doc[span.end : verb.start] if verb else []
        if verb and all(t.norm_ in WORD_SETS["ACTOR_FILLER"] for t in between):
            if w.find("MINE", verb, before=0, after=8) and not w.find("TRUSTED", span, 0, 4):
                found.append((span, verb))
    if "SPAM" in spans or "DISOWNED" in spans:  # spam sent from my mailbox
        found += [(s, None) for s in spans.get("FROM_MINE", ()) if w.find("SEND", s, 8, 8)]
        found += [(s, None) for s in spans.get("SENDER", ())]
    if "SCAM" in spans:  # a password typed into a phishing page
        for span in spans.get("HANDOVER", ()):
            credential = w.find("CREDENTIALS", span, before=0, after=6)
            if credential:
                found.append((span, credential))
            elif span.end < len(doc) and doc[span.end].norm_ in ("it", "them"):
                # "it asked for my password and I typed it in"
                earlier = [c for c in spans.get("CREDENTIALS", ())
                           if c.end <= span.start and span.start - c.start <= 20]
                if earlier:
                    found.append((span, None))
        found += [(s, None) for s in spans.get("LOGGED_IN", ()) if w.find("LINKISH", s)]
    for label, data in (("OTHERS", "DATA"), ("OTHERS_WEAK", "SENSITIVE")):  # a leak to me
        for span in spans.get(label, ()):
            thing = w.find(data, span, before=0, after=3)
            if thing and w.find("SEEN", span) and not w.find("REQUEST", span, before=12, after=0):
                found.append((span, thing))
    if "DATA" in spans or "SENSITIVE" in spans or "OTHERS" in spans:  # "... not supposed to see"
        for span in spans.get("FORBIDDEN_SEE", ()):
            if not w.find("REQUEST", span, before=12, after=0):
                found.append((span, None))
    for span in spans.get("PUBLIC", ()):  # data or secrets made public
        secret = w.find("SECRET", span, before=10, after=6)
        if secret and not w.find("REQUEST", span, before=12, after=0):
            found.append((span, secret))
    for span in spans.get("POSTED", ()):
        if w.find("CREDENTIALS", span, 0, 5) and w.find("POSTED_WHERE", span, 0, 10):
            if not w.find("REQUEST", span, before=12, after=0):
                found.append((span, None))
    if "SENSITIVE" in spans:  # sensitive data sent to the wrong people
        found += [(s, None) for s in spans.get("WRONG_TO", ()) if w.find("SENT", s, 10, 2)]
    return found


def _lost_devices(w: _Window) -> Pairs:
    """'lost my work phone', 'left my laptop in a taxi', 'my laptop was stolen', 'robbed ...'."""
    doc, found = w.doc, []
    if "FOUND" in w.spans or "DEVICE" not in w.spans:
        return found
    devices = {span.start: span for span in w.spans["DEVICE"]}
    device_ends = {span.end: span for span in w.spans["DEVICE"]}
    for span in w.spans.get("LOSS", ()):
        word, i = span[0].norm_, span.end
        while i < len(doc) and i - span.end < 5 and i not in devices and w.word(i, "DEVICE_FILLER"):
            i += 1
        device = devices.get(i)  # lost [my work] phone, not a phone charger
        if device is not None:
            after = device.end + (device.end < len(doc) and doc[device.end].norm_ == "'s")
            place = w.find("PUBLIC_PLACE", device, before=0, after=5)
            if not w.word(after, "ACCESSORY") and (word != "left" or place):
                found.append((span, device))
                continue
        i, passive = span.start, False  # phone [was] stolen, laptop [has been] lost
        while i > 0 and i not in device_ends and w.word(i - 1, "PASSIVE"):
            passive = passive or doc[i - 1].norm_ in _REALLY_PASSIVE
            i -= 1
        if i in device_ends and word != "left" and (passive or word not in _REPORT_ONLY):
            found.append((span, device_ends[i]))
        elif word in _THEFT:  # "my bag was stolen with my laptop in it"
            for device in w.spans["DEVICE"]:
                accessory = w.word(device.end, "ACCESSORY")
                if w.clause[device.start] == w.clause[span.start] and not accessory:
                    found.append((span, None))
                    break
    return found + [(span, None) for span in w.spans.get("ROBBED", ())]


def _data_centre(w: _Window) -> Pairs:
    """Power, cooling, UPS or generator failing in a data centre or server room; fire, flood."""
    if "FACILITY" not in w.spans or "PLANNED" in w.spans or "ONE_RACK" in w.spans:
        return []
    found: Pairs = [  # not "the smoke detector chirps", "since the power cut last night"
        (span, None) for span in w.spans.get("FACILITY_DISASTER", ())
        if not (w.word(span.end, "NOT_DISASTER") or w.find("SINCE", span, 2, 0))
    ]
    for span in w.spans.get("FACILITY_PART", ()):
        failed = w.find("FACILITY_FAILED", span, before=4, after=6)
        if failed and not (w.guarded(failed) or w.find("SINCE", span, 3, 0)):
            found.append((span, failed))
    return found


def _customers_hit(w: _Window) -> Pairs:
    """Customers who see errors or cannot do something: customers affected (high urgency)."""
    if "CUSTOMER_ASK" in w.spans:
        return []
    found: Pairs = []
    for span in w.spans.get("CUSTOMERS", ()):
        if span.text.lower() == "clients" and w.word(span.start - 1, "TECH_CLIENT"):
            continue
        failing = w.find("FAILING", span, before=8, after=10)
        if failing and not w.guarded(failing):
            found.append((span, failing))
    return found
