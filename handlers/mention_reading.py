"""What a message about one of the writer's tickets says: a question about its progress, details
to add, thanks, or that a fix did not hold. Plain text rules; handlers/ticket_mentions.py acts on
the reading.

A status question is recognised by phrases ("any update", "why is this taking so long", "has
someone picked it up", "when can I expect a fix", "I am still waiting"), never by a lone word
("yet", "happening", "anyone", "heard" also describe symptoms: "the error is still happening",
"nobody in finance can print yet"). A message can ask and tell at once ("the screen is black now,
any update?"): the reading says both, so the caller adds the detail and answers the question.
Thanks with words beside them ("thanks, on my way") tell too: a short phrase is a detail, and while
staff wait for the writer's answer (`replying`) one word that is not glue is enough ("thanks, will do").

The requester asking to withdraw the ticket ("please cancel INC-1", "INC-1 can be closed, fixed it
myself", "INC-1 no longer needed") is read as that, with the reason they gave, if any.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

REF_IN_TEXT = re.compile(r"#?\b(INC|REQ|ACC)[\s-]?(\d{1,9})\b", re.IGNORECASE)
# Words that only point at the ticket ("re INC-3:", "about INC-3 -", "more on INC-3").
_POINTING = re.compile(r"^(?:(?:re|about|regarding|ref|for|on|ticket|more on|also|and|update to|my)\b[\s:,\-–—]*)+",
                       re.IGNORECASE)
DETAIL_WORDS = 3  # "it beeps now" is a detail; "INC-3 please" is not
SHORT_QUESTION_WORDS = 6  # "INC-3 fixed?" asks; "INC-3 the screen shows 0x12 now, should I restart?" tells
LEFT_OVER_WORDS = 2  # beside a question or thanks, two words that are not glue are a detail ("screen black")

_Q = "['’]?"  # what's / whats / what’s
_SOMEONE = r"(?:any ?one|any ?body|some ?one|some ?body|no ?one|no ?body|you(?: guys)?|the team|support|it|this|that)"
_DONE = r"(?:fixed|done|sorted|resolved|solved|ready|finished|completed?|approved|installed|set up|working|closed)"
_STATUS_PHRASES = (
    # "any update", "an update please", "status update", "what's the ETA", "any news yet"
    r"(?:any|an|some|the latest|a quick|get an?|give me an?|need an?|status)\s+(?:updates?|news|progress|word|eta"
    r"|feedback|info(?:rmation)?|response|reply|answer)",
    r"updates?\s*(?:please|pls|plz|\?)",
    r"^(?:updates?|status|eta|news|progress)\b",
    r"(?:status|eta|progress|latest|news)\s*\?",
    r"what{q}s?(?: is)? the (?:status|eta|progress|latest|news|story|situation|hold ?up|delay|plan|timeline)",
    r"status of",
    r"any (?:progress|luck|joy|idea when|eta)",
    r"(?:anything|nothing|news|word|progress|response|reply|answer|luck) yet",
    # "what's happening", "what is going on", "anything happening"
    r"what{q}s?(?: is)? (?:happening|going on|up with|the hold ?up)",
    r"(?:anything|something) (?:happening|being done|going on)",
    # "why is this taking so long", "how long will it take", "it's been days"
    r"(?:taking|takes|take|took) (?:so |this |that |too |such a )?(?:long|forever|ages|a while|a long time|so long)",
    r"how long (?:will|does|is|has|do|until|till|before|to|more|for)",
    r"why (?:is|has|does|did)(?:n{q}t| not)? (?:no ?one|no ?body|nothing|it|this|that|my \w+)"
    r"(?: still| been| being| yet)* (?:open|pending|waiting|unassigned|ignored|picked|looked|answered|fixed|done"
    r"|resolved|sorted|taking|happened|moving|progress\w*)",
    r"(?:it{q}s|it has|has it) been (?:\w+ )?(?:days|weeks|hours|ages|a while|a week|forever|so long)",
    # "has someone picked it up", "is anybody working on this", "did anyone look at it"
    r"(?:has|have|is|are|was|did|does|will|can|could) " + _SOMEONE + r"(?: been| even| already| yet| actually)*"
    r" (?:picked|pick|looked|look|looking|working|work|assigned|assign|checked|check|taken|take|started|start|read"
    r"|got|gotten|received|had a (?:look|chance)|dealing|handling|responded|replied|seen (?:my|the|this) (?:ticket"
    r"|request|message))",
    r"(?:who{q}s|who is|who will|who{q}ll|whos|who) (?:on|handling|working|looking|assigned|dealing|picking|taking"
    r"|responsible|got|has)",
    r"(?:picked|pick) (?:it |this |that |my \w+ )?up",
    r"(?:looking|look) (?:at|into) (?:it|this|that|my (?:ticket|request|issue|case))",
    r"is (?:it|this|that|my \w+) (?:being )?(?:assigned|handled|worked on|looked at|in progress)",
    # "when can I expect a fix", "when will it be done", "is it fixed?", "fixed yet?"
    r"when (?:will|can|would|could|do|does|is|are|might|should|shall|may)\b",
    r"(?:expect|expected|expecting) (?:a |the )?(?:fix|resolution|reply|response|answer|update|solution)",
    r"is (?:it|this|that) " + _DONE + r"\b",
    _DONE + r" yet",
    r"^" + _DONE + r"\s*\?",
    r"how{q}s it (?:going|coming|looking)|how (?:is|are) (?:it|things|this|we)(?: going| coming| getting on| looking)?",
    r"where (?:are|is) (?:we|things|it|this|that|my)\b",
    # "I am still waiting", "haven't heard anything", "nobody has replied", "just following up"
    r"(?:still|been|am|i{q}m|we{q}re|are|keep) (?:still )?waiting",
    r"waiting (?:for|on) (?:an? )?(?:update|reply|response|answer|fix|news|someone|somebody|anyone|anybody|you"
    r"|the team|support|ages)",
    r"still (?:open|pending|outstanding|unassigned|no (?:news|word|reply|response|answer|update))",
    r"(?:no ?one|no ?body) (?:has |have |is )?(?:replied|responded|answered|contacted|called|got back|picked"
    r"|looked|working|came|been in touch)",
    r"(?:have|has|did)(?:n{q}t| not) (?:heard|had|got|gotten|received)(?: back| anything| a (?:reply|response|word"
    r"|call|thing)| any (?:reply|response|word|news|update)| from)",
    r"heard (?:anything|back|something|nothing)|hear back",
    r"(?:following|follow) ?-?up|chasing|any chance|bump|nudge|gentle reminder",
    r"(?:let me know|keep me (?:posted|updated|informed))",
    r"(?:can|could) (?:i|you|we) (?:get|have) an? (?:update|status|eta)",
    r"(?:forgotten|forgot about|ignored)",
)
ASKS_STATUS = re.compile(r"\b(?:" + "|".join(p.replace("{q}", _Q) for p in _STATUS_PHRASES) + r")",
                          re.IGNORECASE)
THANKS = re.compile(
    r"\b(?:many |big |huge )?(?:thanks?|thank (?:you|u)|thx|ty|tyvm|cheers|much appreciated|appreciate(?:d| it))"
    r"(?: (?:so|very) much| a (?:lot|bunch|million|ton)| again| loads| heaps| everyone| all| guys| team"
    r"| for (?:the|your|all the|all your) (?:help|fix|quick \w+|update|support|work|time))*\b[!.]*",
    re.IGNORECASE)
# A resolved ticket's requester saying the fix did not hold ("INC-1 is still broken", "it's happening again").
NOT_FIXED = re.compile(
    r"\bstill (?:broken|not (?:working|fixed|resolved|solved|right)|failing|down|crashing|happening|the same"
    r"|an issue|a problem|there|doing it|does it|an? (?:error|issue|problem)|get(?:ting)? (?:the|an?|this) \w+)"
    r"|\b(?:happening|happened|broken|failing|failed|crashing|crashed|down|broke|back|doing it|started) again\b"
    r"|\b(?:is|it{q}s|its|it has|has) (?:come |came )?back\b(?! (?:from|to|in|online|up))"
    r"|\b(?:problem|issue|error|fault|bug|crash\w*) (?:is |has |came |come )+back\b"
    r"|\bnot (?:fixed|resolved|solved)\b"
    r"|\b(?:does|did|is|has|was)(?:n{q}t| not) (?:work(?:ing|ed)?|fix(?:ed)?|help(?:ed)?|solve[ds]?)\b"
    r"|\bsame (?:problem|issue|error|thing)\b".replace("{q}", _Q),
    re.IGNORECASE)
# The requester withdrawing the ticket: "please cancel", "you can close it", "can be closed", "no longer needed".
# A verb that starts the message must stand alone ("cancel, fixed it myself"), so "cancel button is greyed
# out" stays a detail.
_WITHDRAW = re.compile(
    r"^(?:(?:please|pls|plz|kindly|ok|okay|so|hi|hey|you can|can you|could you|would you|feel free to|go ahead and"
    r"|just|i'?d like to|i want to|i would like to|we can|let'?s)[\s,]+)*"
    r"(?:cancel|withdraw|close|drop|ignore|disregard)(?: (?:it|this|that|the (?:ticket|request|incident|case)"
    r"|my (?:ticket|request|incident|case)))?(?: (?:please|pls|plz|now))?(?=\s*(?:$|[,.;:!\-–—(]|as |because |since "
    r"|i |we |it |thanks?\b|thank you))"
    r"|\b(?:can|could|may|should) (?:now )?be (?:closed|cancell?ed|withdrawn)\b"
    r"|\b(?:please|pls|you can|can you|could you|feel free to) (?:cancel|withdraw|close) (?:it|this|that|the ticket"
    r"|my ticket|my request)\b"
    r"|\b(?:is |it'?s )?no longer (?:needed|required|necessary|an issue|a problem)\b"
    r"|\b(?:don'?t|do not) need (?:it|this|that) any ?more\b|\bno longer need (?:it|this|that)\b",
    re.IGNORECASE)
_REASON_LEAD = re.compile(  # "as I fixed it myself" -> "I fixed it myself"
    r"^(?:(?:as|because|since|cause|cos|please|pls|thanks?|thank you|and|ok|okay)\b[\s,.:;\-–—]*)+", re.IGNORECASE)
# Glue left beside a question or thanks ("hi, I am still waiting on my ticket please").
_GLUE = frozenset(
    "i i'm im i've ive am we we're me my our us you your it it's its this that the a an on about for with of to in "
    "at re regarding ticket tickets request requests incident case issue one please pls plz hi hello hey there "
    "team guys folks all everyone so just ok okay well and but or is are was were be been being has have had do "
    "does did any anything something here really sorry um hmm btw by quick question know let sir mate kind regards "
    "best again still yet".split())


@dataclass(frozen=True)
class Reading:
    detail: str | None  # what the message adds, to keep on the ticket (None: nothing beyond naming it)
    asks_status: bool  # a question about the ticket's progress, answered with its status line
    thanks: bool
    not_fixed: bool  # says the problem is still there (reopens a resolved ticket)
    withdraws: bool = False  # the requester asks to cancel / close the ticket
    reason: str = ""  # why, in their words ("fixed it myself"), when they withdraw


    @property
    def bare(self) -> bool:
        """Only the ticket's id ("INC-3", "INC-3 please"): taken as a question about it."""
        return self.detail is None and not self.asks_status and not self.thanks


def refs_in(text: str) -> list[str]:
    seen: list[str] = []
    for prefix, number in REF_IN_TEXT.findall(text):
        ref = f"{prefix.upper()}-{int(number)}"
        if ref not in seen:
            seen.append(ref)
    return seen


def read(text: str, *, replying: bool = False) -> Reading:
    """How `text` reads; `replying`: staff are waiting for the writer's answer on the ticket."""
    rest = " ".join(REF_IN_TEXT.sub(" ", text).split())
    rest = _POINTING.sub("", rest).strip(" :,-–—")
    withdrawal = _WITHDRAW.search(rest)
    if withdrawal is not None:
        return Reading(None, False, False, False, withdraws=True, reason=_reason(rest, withdrawal))
    not_fixed = bool(NOT_FIXED.search(rest))
    asked = list(ASKS_STATUS.finditer(rest))
    thanked = list(THANKS.finditer(rest))
    if asked or thanked:
        left = rest
        for match in sorted(asked + thanked, key=lambda m: m.start(), reverse=True):
            left = left[:match.start()] + " " + left[match.end():]
        every = re.findall(r"[\w'’]+", left.lower().replace("’", "'"))
        words = [w for w in every if w not in _GLUE]
        thanks_and_words = bool(thanked and not asked and words) and (replying or len(every) >= DETAIL_WORDS)
        has_detail = (len(words) >= LEFT_OVER_WORDS or thanks_and_words
                      or (not_fixed and len(rest.split()) >= DETAIL_WORDS))
        return Reading(rest if has_detail else None, bool(asked), bool(thanked), not_fixed)
    words = rest.split()
    if len(words) < DETAIL_WORDS:
        return Reading(None, False, False, not_fixed)
    if rest.endswith("?") and len(words) < SHORT_QUESTION_WORDS:
        # "INC-3 should I restart?": a question the phrases don't know; kept, and answered with the status
        return Reading(rest, True, False, not_fixed)
    return Reading(rest, False, False, not_fixed)


def _reason(rest: str, withdrawal: re.Match) -> str:
    """What the writer says beside asking to withdraw ("fixed it myself"); "" when nothing."""
    left = (rest[:withdrawal.start()] + " " + rest[withdrawal.end():])
    left = " ".join(THANKS.sub(" ", left).split()).strip(" ,.;:!-–—()")
    left = _REASON_LEAD.sub("", left).strip(" ,.;:!-–—()")
    words = [w for w in re.findall(r"[\w'’]+", left.lower().replace("’", "'")) if w not in _GLUE]
    return left if words else ""
