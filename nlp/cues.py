"""Rule-based cues found on the same spaCy doc the classifier reads.

* ticket ids: ``INC-12``, ``REQ-3``, ``ACC-7`` in any case, also ``INC 12``, ``INC12``, ``#INC-12``;
  returned upper-case as ``INC-12``.
* applications and hosts: the organisation's own lists, given at load time; matched
  case-insensitively as whole tokens and returned spelled as configured. A host configured as a
  fully qualified name also matches its first label (``db01.corp.local`` <- ``db01``) and vice
  versa (``db01`` <- ``db01.corp.local``, ``db01:5432``).
* people: ``@name`` mentions (returned without the ``@``; ``<@U123>`` gives ``U123``) and
  capitalised names after a cue word, as in "a laptop for Priya", "give Tom Baker access",
  "remove Tom's access". Deliberately narrow: lower-case names are not guessed.
* impact and urgency: the phrase lists below; within one kind the longest match wins where
  matches overlap (so "not urgent" is a low-urgency cue, not "urgent"), and the level is the
  highest one left, except that the writer's own low-urgency words ("no rush") outweigh medium
  ones ("slow"). ``None`` means no cue: the caller applies its defaults. The situation rules
  in nlp/priority.py add high cues (security exposures, a data centre failing, customers hit, a
  deadline within hours) and drop the cues inside "no customers affected" and the like.

How: PhraseMatchers (token NORM for cue phrases, LOWER for names, SHAPE for ticket-like tokens)
find every candidate in one pass each; a few lines of Python then check the tokens next to an
anchor (the name after "for", the word before "team"). A token-pattern ``Matcher`` did the same
job but cost ~100 us per message, halving throughput; the PhraseMatchers cost a few us.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from nlp.cue_phrases import (
    CANCEL_PHRASES,
    IMPACT_PHRASES,
    RULE_WORDS,
    URGENCY_PHRASES,
    imminent_phrases,
)
from nlp.priority import RULE_ANCHORS, WORD_SETS, situation_spans

LEVEL_RANK = {"high": 3, "medium": 2, "low": 1}

_BE_FORMS = ["is", "are", "was", "were", "been", "be", "am", "'s", "'re", "m", "re"]
_INTENSIFIERS = ["completely", "totally", "fully", "still", "all", "now", "again", "entirely"]
_DOWN_SUBJECTS = [
    "server", "servers", "site", "website", "network", "wifi", "wi-fi", "vpn", "app", "system",
    "systems", "email", "mail", "internet", "portal", "service", "services", "database", "db",
    "everything", "prod", "production", "printers", "erp", "crm", "intranet", "cluster",
]
_UNITS = ("team", "department", "dept")
_WHOLE_GROUP = {"everyone", "everybody", "all", "nobody", "anyone"}
_TEAM_DETERMINERS = {"my", "our", "the", "whole", "entire", "this"}
# "the IT team", "hi team", "Teams team" are not a group of affected users.
_NOT_A_TEAM = {
    "it", "support", "service", "desk", "helpdesk", "security", "ops", "a", "another", "hi",
    "hello", "hey", "morning", "afternoon", "evening", "dear", "thanks", "thank", "teams",
    "new", "your", "their", "his", "her", "other", "that", "wrong", "which", "what",
}
# "he is on our team", "moved to the sales team": membership, not impact.
_MEMBERSHIP = {
    "on", "in", "to", "into", "join", "joined", "joins", "joining", "from", "of", "with", "left",
    "leaving", "leave", "except",
}
# "team member", "team channel": the team word describes something else.
_TEAM_AS_MODIFIER = {
    "member", "members", "lead", "leader", "leads", "manager", "channel", "site", "drive",
    "folder", "mailbox", "calendar", "space", "page", "chat", "account", "'s", "name",
}
_PERSON_TRIGGERS = [
    "for", "give", "grant", "add", "remove", "revoke", "onboard", "offboard", "colleague",
    "starter", "hire", "intern", "contractor", "manager", "boss", "cc", "ask", "tell",
]
_ACCOUNT_NOUNS = {
    "access", "account", "laptop", "rights", "permissions", "password", "mailbox", "login",
    "badge", "phone", "computer", "machine", "desktop", "role", "email",
}
# Capitalised words that follow "for"/"give"/... but are not people.
_NOT_NAMES = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "today", "tomorrow", "yesterday", "now", "windows", "mac", "macos",
    "linux", "ubuntu", "excel", "word", "outlook", "teams", "zoom", "slack", "jira", "confluence",
    "office", "chrome", "firefox", "safari", "edge", "android", "iphone", "ipad", "apple",
    "google", "microsoft", "adobe", "acrobat", "power", "finance", "sales", "marketing", "legal",
    "engineering", "support", "operations", "everyone", "everybody", "all", "the", "this", "that",
    "these", "those", "my", "our", "your", "me", "him", "her", "them", "us", "please", "thanks",
    "thank", "hi", "hello", "hey", "dear", "team", "admin", "access", "help", "urgent", "new",
    "read", "write", "edit", "editor", "viewer", "owner", "guest", "printer", "server", "backup",
    "vpn", "wifi", "it", "a", "an", "some", "any", "one", "two", "each", "every", "no", "more",
    "what", "which", "who", "how", "why", "when", "where", "there", "here", "sharepoint",
    "salesforce", "github", "gitlab", "visio", "tableau", "workday", "azure", "aws", "gcp",
    "oracle", "sap", "payroll", "reception", "building", "floor", "room", "christmas", "easter",
}

_NAME_PARTS = {"prod", "production", "customer", "customers"}  # also words in host names
_DOMAIN = re.compile(r"^[\w-]+(\.[\w-]+)*\.(com|net|org|io|co|edu|gov|local|corp|[a-z]{2})$")
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9](?:[\w.\-]{0,62}[A-Za-z0-9_])?)")
_TICKET_TEXT = re.compile(r"^(inc|req|acc)[\s\-]*(\d{1,9})$", re.IGNORECASE)


@dataclass(frozen=True)
class Cue:
    kind: str  # "impact" | "urgency"
    level: str  # "high" | "medium" | "low"
    text: str  # the words that matched, as written

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "level": self.level, "text": self.text}


@dataclass(frozen=True)
class Cues:
    ticket_ids: list[str] = field(default_factory=list)
    applications: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    matched: list[Cue] = field(default_factory=list)
    impact: str | None = None  # strongest impact cue, None if there was none
    urgency: str | None = None  # strongest urgency cue, None if there was none

    def entities(self) -> dict[str, Any]:
        return {
            "ticket_ids": list(self.ticket_ids),
            "applications": list(self.applications),
            "hosts": list(self.hosts),
            "people": list(self.people),
            "cues": [cue.as_dict() for cue in self.matched],
        }


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _words(tokens: Doc | Span) -> str:
    return " ".join(token.lower_ for token in tokens)


def _expanded_phrases() -> dict[str, list[str]]:
    """Phrase forms of the cues that have variable words, for the PhraseMatcher."""
    intensified = [""] + [f"{word} " for word in _INTENSIFIERS]
    down = [f"{be} {i}down" for be in _BE_FORMS for i in intensified]
    down += [f"{subject} down" for subject in _DOWN_SUBJECTS]
    blocked = [f"{be} {i}blocked" for be in ("am", "are", "m", "'re", "re") for i in intensified]
    blocked += [
        f"{who} {be} {i}blocked"
        for who in ("team", "everyone", "everybody", "work", "we", "department")
        for be in _BE_FORMS
        for i in intensified
    ]
    return {"URGENCY_HIGH": down + blocked}


# Example spellings whose token shapes (XXX-dd, xxxdddd, ...) cover every ticket-like token.
_TICKET_SHAPE_SAMPLES = [
    f"{prefix}{dash}{'1' * digits}"
    for prefix in ("INC", "inc", "Inc")
    for dash in ("-", "")
    for digits in range(1, 5)
]


class CueExtractor:
    """Build once per organisation (applications and hosts from its config); call on docs."""

    def __init__(
        self, nlp: Language, *, applications: Iterable[str] = (), hosts: Iterable[str] = ()
    ) -> None:
        self.vocab = nlp.vocab
        self._names: dict[tuple[str, str], str] = {}  # (label, lower words) -> configured name
        self._host_labels: dict[str, str] = {}  # first label of a host -> configured host
        self.phrases = PhraseMatcher(nlp.vocab, attr="NORM")
        self.names = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.shapes = PhraseMatcher(nlp.vocab, attr="SHAPE")
        make = nlp.make_doc
        for kind, table in (("IMPACT", IMPACT_PHRASES), ("URGENCY", URGENCY_PHRASES)):
            for level, phrases in table.items():
                self.phrases.add(f"{kind}_{level.upper()}", [make(p) for p in phrases])
        for key, phrases in _expanded_phrases().items():
            self.phrases.add(key, [make(phrase) for phrase in phrases])
        # The situation rules' words: the anchors always, the words around them only when an
        # anchor was found (most messages have none; matching common words costs time).
        self.context = PhraseMatcher(nlp.vocab, attr="NORM")
        for label, phrases in [*RULE_WORDS.items(), ("CANCEL", CANCEL_PHRASES)]:
            if label not in WORD_SETS:  # "didn't" has the NORM "do not", "did not" "did not"
                spelt = [*phrases]
                spelt += [p.replace("did not", "didn't") for p in phrases if "did not" in p]
                matcher = self.phrases if label in RULE_ANCHORS else self.context
                matcher.add(label, [make(phrase) for phrase in spelt])
        self.phrases.add("IMMINENT", [make(phrase) for phrase in imminent_phrases()])
        self.phrases.add("UNIT", [make(unit) for unit in _UNITS])
        self.phrases.add("POSSESSIVE", [make("'s")])
        self.names.add("PERSON_CUE", [make(word) for word in _PERSON_TRIGGERS])
        self.names.add("PERSON_CUE", [make("on behalf of")])
        self.names.add("TICKET_PREFIX", [make(prefix) for prefix in ("inc", "req", "acc")])
        self.shapes.add("TICKET", [make(sample) for sample in _TICKET_SHAPE_SAMPLES])
        self._add_names(nlp, "APPLICATION", applications)
        self._add_names(nlp, "HOST", hosts)
        labels = "|".join(map(re.escape, sorted(self._host_labels, key=len, reverse=True)))
        prefix = rf"(?<![\w.-])({labels})(?=[.:/]\w)"
        self._host_prefix = re.compile(prefix, re.IGNORECASE) if labels else None

    def _add_names(self, nlp: Language, label: str, names: Iterable[str]) -> None:
        patterns = []
        for name in _unique(n.strip() for n in names if n and n.strip()):
            variants = [name]
            if label == "HOST" and "." in name.strip("."):
                variants.append(name.split(".", 1)[0])
            for variant in variants:
                doc = nlp.make_doc(variant)
                self._names.setdefault((label, _words(doc)), name)
                patterns.append(doc)
            if label == "HOST":
                self._host_labels.setdefault(name.split(".", 1)[0].lower(), name)
        if patterns:
            self.names.add(label, patterns)

    def __call__(self, doc: Doc, text: str | None = None) -> Cues:
        """Cues in ``doc``; pass ``text`` (the string the doc was made from) to save
        rebuilding it from the tokens."""
        strings = self.vocab.strings
        spans: dict[str, list[Span]] = {}
        for matcher in (self.phrases, self.names, self.shapes):
            for match_id, start, end in matcher(doc):
                label, span = strings[match_id], doc[start:end]
                if label == "IMPACT_HIGH" and span.text.lower() in _NAME_PARTS:
                    if _hyphenated(doc, span):
                        continue
                spans.setdefault(label, []).append(span)
        text = doc.text if text is None else text
        apps, hosts, taken = self._configured(text, spans)
        if "UNIT" in spans:
            spans.setdefault("IMPACT_MEDIUM", []).extend(_team_spans(doc, spans["UNIT"]))
        if spans.keys() & RULE_ANCHORS:  # exposures, data centres, customers, deadlines
            for match_id, start, end in self.context(doc):
                spans.setdefault(strings[match_id], []).append(doc[start:end])
            for label, found in situation_spans(doc, spans).items():
                spans.setdefault(label, []).extend(found)
        people = _named_people(doc, spans, taken)
        if "@" in text:
            people += [name for name in _MENTION.findall(text) if not _DOMAIN.match(name)]
        return Cues(
            ticket_ids=_ticket_ids(doc, spans),
            applications=apps,
            hosts=hosts,
            people=_unique(people),
            **_levels(spans),
        )

    def _configured(
        self, text: str, spans: dict[str, list[Span]]
    ) -> tuple[list[str], list[str], set[int]]:
        found: dict[str, list[tuple[int, str]]] = {"APPLICATION": [], "HOST": []}
        taken: set[int] = set()
        for label in ("APPLICATION", "HOST"):
            if label not in spans:
                continue
            for span in filter_spans(spans[label]):
                name = self._names.get((label, _words(span)))
                if name is not None:
                    found[label].append((span.start_char, name))
                    taken.update(range(span.start, span.end))
        if self._host_prefix is not None:
            for match in self._host_prefix.finditer(text):
                found["HOST"].append((match.start(), self._host_labels[match.group(1).lower()]))
        return (
            _unique(name for _, name in sorted(found["APPLICATION"])),
            _unique(name for _, name in sorted(found["HOST"])),
            taken,
        )


def _ticket_ids(doc: Doc, spans: dict[str, list[Span]]) -> list[str]:
    found: list[tuple[int, str]] = []
    for span in spans.get("TICKET", []):  # one token: INC-12, inc12
        if match := _TICKET_TEXT.match(span.text):
            found.append((span.start, f"{match.group(1).upper()}-{int(match.group(2))}"))
    for span in spans.get("TICKET_PREFIX", []):  # two or three tokens: INC 12, INC - 12
        after = [t for t in doc[span.end : span.end + 2] if t.text != "-"][:1]
        if after and after[0].is_digit and len(after[0]) <= 9:
            found.append((span.start, f"{span.text.upper()}-{int(after[0].text)}"))
    return _unique(ticket for _, ticket in sorted(found))


def _is_name(token: Token, taken: set[int]) -> bool:
    return (
        token.is_title
        and token.is_alpha
        and len(token) > 1
        and token.i not in taken
        and token.lower_ not in _NOT_NAMES
    )


def _named_people(doc: Doc, spans: dict[str, list[Span]], taken: set[int]) -> list[str]:
    """'for Priya', 'give Tom Baker access', 'on behalf of Ana'; "Tom's access"."""
    found: list[tuple[int, str]] = []
    for span in spans.get("PERSON_CUE", []):
        words: list[str] = []
        for token in doc[span.end : span.end + 2]:
            if not _is_name(token, taken):
                break
            words.append(token.text)
        if words:
            found.append((span.end, " ".join(words)))
    for span in spans.get("POSSESSIVE", []):  # "Jane Doe's access"
        if 0 < span.start and span.end < len(doc) and doc[span.end].lower_ in _ACCOUNT_NOUNS:
            first = span.start
            while first > max(0, span.start - 2) and _is_name(doc[first - 1], taken):
                first -= 1
            if first < span.start:
                found.append((first, " ".join(t.text for t in doc[first : span.start])))
    return [name for _, name in sorted(found)]


def _team_spans(doc: Doc, units: list[Span]) -> list[Span]:
    """'the finance team', 'our department', 'finance team can't ...'; 'everyone in my team'.
    Not: 'the IT team', 'hi team', 'he is on our team', 'team members'."""
    result = []
    for unit in units:
        start, end = unit.start, unit.end
        if end < len(doc) and doc[end].norm_ in _TEAM_AS_MODIFIER:
            continue
        for width in (3, 4):  # everyone in my [finance] team
            head = doc[max(0, start - width) : start]
            if (
                len(head) == width
                and head[0].norm_ in _WHOLE_GROUP
                and head[1].norm_ in ("in", "on", "from", "of")
                and head[2].norm_ in ("my", "our", "the")
            ):
                result.append(doc[start - width : end])
        first = start - 1  # the first word of "[det] [name] team"
        if first < 0 or not doc[first].is_alpha or doc[first].norm_ in _NOT_A_TEAM:
            continue
        if doc[first].norm_ not in _TEAM_DETERMINERS:
            if first > 0 and doc[first - 1].norm_ in _TEAM_DETERMINERS:
                first -= 1
            elif first > 0 and not doc[first - 1].is_punct:
                continue  # "... platform team" in mid-sentence without a determiner
        if first > 0 and doc[first - 1].norm_ in _MEMBERSHIP:
            continue
        result.append(doc[first:end])
    return result


def _hyphenated(doc: Doc, span: Span) -> bool:
    """True for a word inside a name such as prod-db-01 or analytics-prod."""
    start, end = span.start, span.end
    before = start >= 2 and doc[start - 1].text == "-" and not doc[start - 2].whitespace_
    after = end < len(doc) - 1 and doc[end].text == "-" and not doc[end - 1].whitespace_
    return before or after


_CUE_LABELS = {
    f"{kind.upper()}_{level.upper()}": (kind, level)
    for kind in ("impact", "urgency")
    for level in ("high", "medium", "low")
}


def _levels(spans: dict[str, list[Span]]) -> dict[str, Any]:
    """The matched impact/urgency cues (longest wins where they overlap) and the top levels."""
    candidates: dict[str, dict[tuple[int, int], tuple[Span, str]]] = {}
    for label, found in spans.items():
        if label in _CUE_LABELS:
            kind, level = _CUE_LABELS[label]
            by_range = candidates.setdefault(kind, {})
            for span in found:  # the same words at two levels: the higher one counts
                known = by_range.get((span.start, span.end))
                if known is None or LEVEL_RANK[level] > LEVEL_RANK[known[1]]:
                    by_range[(span.start, span.end)] = (span, level)
    matched: list[Cue] = []
    levels: dict[str, str | None] = {"impact": None, "urgency": None}
    for kind, by_range in sorted(candidates.items()):  # impact first, then urgency
        kept = filter_spans([span for span, _ in by_range.values()])
        for span in sorted(kept, key=lambda s: s.start):
            level = by_range[(span.start, span.end)][1]
            matched.append(Cue(kind, level, span.text))
            if levels[kind] is None or LEVEL_RANK[level] > LEVEL_RANK[levels[kind] or "low"]:
                levels[kind] = level
    # The writer's own "no rush" says how fast they need it: it outweighs what the symptom
    # suggests ("slow", "sometimes"), though not a stated need like "can't work" or a deadline today.
    if levels["urgency"] == "medium" and any(c.kind == "urgency" and c.level == "low" for c in matched):
        levels["urgency"] = "low"
    return {"matched": matched, **levels}
