"""Reading a requester's yes or no: to "Is it fixed?" (handlers/follow_up.py) and to a known
error's "Did this fix it?" (handlers/known_errors.py). Plain text rules; those modules act on the
reading. (Ratings are read in handlers/rating_reading.py.)

A yes or no is said many ways. What counts:
- The answer itself: "yes", "works now thanks", "seems fine", "all good", "that did it"; "no",
  "not really", "not yet", "no luck", "afraid not", "it didn't help", "still broken", "nope still
  the same". Softening words around it ("unfortunately", "sadly", "I'm afraid", "hmm", "thanks")
  change nothing: "sadly no", "unfortunately not, it still beeps". A reply that only says the
  trouble is still there ("it still beeps", "unfortunately still beeping") is a no.
- The detail: what the reply adds beyond the answer, kept on the ticket. The answer, a restated
  answer and the softening words are not part of it: "no luck, still beeping" -> "still beeping",
  "no, still broken: the screen flickers" -> "the screen flickers", "nope still the same" -> nothing.
  A reply that is a sentence of its own ("no sound at all", "it didn't even boot") is kept whole.
- Both or all: "both", "yes to both", "both fixed", "all fixed thanks" answer every ticket waiting
  for a yes or no ("both" alone takes the yes or no of "Which one do you mean?", or is a yes).
- Not an answer: "no worries", "no problem", "not sure", "no idea"; a greeting or thanks alone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.mention_reading import ASKS_STATUS

_I = re.IGNORECASE
_SEPARATORS = " ,.;:!?-–—()"
_END = r"(?=$|[\s,.;:!?\-–—()])"  # the word ends
_STOP = r"(?=\s*(?:$|[,.;:!?\-–—()]))"  # and nothing follows, or a separator does
_AFTER_SHORT = r"(?=\s*(?:$|[,.;:!?\-–—()]|(?:now|again|thanks?|thank you|thx|cheers|ta)\b))"
THANKS = r"(?:many |big )?(?:thanks?|thank you|thank u|thx|ty|cheers|ta)(?: (?:a lot|so much|very much|again|loads))?"

_YES_WORDS = r"(?:yes|yep|yeah|yup|yea|ya|y|sure|indeed|correct|affirmative|absolutely|definitely|of course)"
_NO_WORDS = r"(?:no|nope|nah|na|n|negative)"
_STATES_FINE = r"(?:fine|good|ok|okay|great|perfect|better|much better|normal|back to normal|set|happy)"
_STATES_FIXED = r"(?:fixed|working|sorted|solved|resolved|up and running|back up|running)"
_SUBJECT = r"(?:it'?s|it is|its|everything'?s|everything is|all|that'?s|that is|all is|all are|they'?re|they are)"
_FIXED_CLAUSE = rf"(?:{_SUBJECT} (?:(?:now|all) )?(?:{_STATES_FIXED}|{_STATES_FINE}))"
_POSITIVE = (  # what follows the answer is a detail of its own
    rf"{_YES_WORDS}{_END}",
    rf"{_FIXED_CLAUSE}(?: now| again| fine| again now)?{_END}",
    rf"{_STATES_FIXED}(?: now| again| fine)?{_AFTER_SHORT}",
    rf"(?:all|everything) (?:{_STATES_FIXED}|{_STATES_FINE})(?: now| again)?{_END}",
    rf"(?:excellent|brilliant|awesome|lovely|super|grand|wonderful|fantastic|nice|perfect|great|good|fine|"
    rf"much better|better)(?: now| again)?{_AFTER_SHORT}",
    rf"(?:(?:it|that|this|everything) )?works(?: now| again| fine| perfectly| great)?{_END}",
    rf"(?:(?:it|that|this|everything) )?(?:seems|looks|feels)(?: to be)? (?:(?:all )?fine|ok|okay|good|fixed|sorted|"
    rf"working|to work|right|so|like it|better|great|normal)(?: now| again)?{_END}",
    rf"(?:i )?(?:think|believe|guess) so{_END}",
    rf"(?:(?:it|that|this) )?(?:did it|did the trick|sorted it|solved it|fixed it){_END}",
    rf"(?:(?:it|that|this) )?(?:did|worked|helped){_STOP}",
    rf"(?:i'?ve |i have )?(?:got it|have it|got access|have access|received it)(?: now)?{_END}",
)
_NEGATIVE = (  # before the yes patterns: "it did not help" is no "it did"
    r"(?:no luck|no joy|no change|no difference|no dice|no improvement|no go|no good|no such luck|nothing changed|"
    r"nothing has changed|not really|not quite|not yet|not at all|not exactly|not entirely|not completely|not fully|"
    r"not so much|not so far|not fixed|not working|not sorted|not resolved|not solved)" + _END,
    r"(?:(?:it'?s|it is|its|it) )?(?:still broken|still not (?:working|fixed|sorted|right)|"
    r"still the same(?: as before)?|same as before|still happening|still there|still failing|still down)" + _END,
    _NO_WORDS + _END,
    r"not" + _STOP,  # "unfortunately not, ..."
    r"(?:(?:i )?don'?t think so|(?:it )?doesn'?t (?:seem|look) (?:like it|so|fixed|to be fixed))" + _END,
    r"(?:(?:it|that|this|they) )?(?:did|does|has|have|is|was|are)(?:n'?t| not)"
    r"(?: (?:really|even|actually))?(?: (?:help(?:ed)?|work(?:ed|ing)?|fix(?:ed)? it|fixed|sorted|solved|"
    r"change anything|do anything|make a difference|do the trick|solve it|help much))?(?: yet| at all)?" + _STOP,
    r"(?:it'?s|it is|that'?s|that is|they'?re|they are) not(?: (?:really|quite|yet))?(?: (?:fixed|working|sorted|"
    r"solved|resolved|right))?(?: yet| now| again)?" + _STOP,
)
_CORES = [("no", re.compile("^" + p, _I)) for p in _NEGATIVE] + [("yes", re.compile("^" + p, _I)) for p in _POSITIVE]
_BARE_NO = re.compile(rf"^{_NO_WORDS}$", _I)
# "no" then a bare space: the words after it are a sentence of their own ("no sound at all")
# unless they start like an aside ("no it's the wrong version", "no the screen still flickers").
_ASIDE_STARTS = frozenset(
    "i i'm im i've ive it it's its that that's this the my we they he she there still not nothing same sorry "
    "unfortunately sadly afraid thanks thank cheers but and just you is isn't didn't doesn't hasn't wasn't to for "
    "both all already tried also again yet luck".split())
_NOT_ANSWERS = re.compile(r"^(?:no|not) (?:worries|worry|problem|problems|probs|prob|rush|hurry|bother|need|idea|sure|"
                          r"clue|way|one|body)\b|^(?:no )?(?:thanks|thank you)$", _I)
_ASIDES = (r"unfortunately|sadly|alas|sorry|hmm+|um+|uh+|erm+|(?:i'?m|i am) (?:afraid|sorry)(?: to say)?|afraid|"
           r"i fear|" + THANKS)
_SOFTENER = re.compile(r"^(?:" + _ASIDES + r"|honestly|actually|oh|ah|hi|hey|hello|to be honest|tbh|so far|"
                       r"as far as i can tell|i think|i believe|i guess)" + _END + r"[\s,.;:!\-–—]*", _I)
_ASIDE = re.compile(r"^(?:" + _ASIDES + r")" + _END + r"[\s,.;:!\-–—]*", _I)  # dropped from a detail
_NEGATIVE_SOFTENER = re.compile(r"^(?:unfortunately|sadly|alas|(?:i'?m |i am )?afraid(?: so)?|i fear so)$", _I)
# "it still beeps", "still beeping": said of the ticket's trouble ("the printer still jams" may be another one)
_STILL = re.compile(r"^(?:(?:it'?s|it is|its|it|they'?re|they are|they|i'?m|i am|i)\s+)?still\s+"
                    r"(?!need|want|would|have a question)\w", _I)
# "it didn't even boot", "it won't start": the trouble is there, said in a sentence of its own
_WONT = re.compile(r"^(?:it|that|this|they)\s+(?:didn'?t|doesn'?t|hasn'?t|isn'?t|wasn'?t|won'?t|can'?t|did not|"
                   r"does not|is not|has not|was not|will not|cannot)\s+\w", _I)
_SCOPE = r"(?:both(?: of them)?|all of them|(?:them|they) all|all (?:of )?(?:the |my )?tickets|each of them)"
_LEADING_SCOPE = re.compile(
    rf"^(?:{_SCOPE}|all(?= (?:are |is )?{_STATES_FIXED}{_END}))"
    rf"(?:\s+(?:are|were|is|have been|of them are|now))*{_END}[\s,.;:!\-–—]*", _I)
_TRAILING_SCOPE = re.compile(rf"^(?:(?:to|for|on) )?(?:{_SCOPE}|all(?={_STOP}|\s+{_STATES_FIXED}{_END})){_END}"
                             r"[\s,.;:!\-–—]*", _I)
_LEAD_THANKS = re.compile(rf"^{THANKS}{_END}[\s,.;:!\-–—]*", _I)
_TAIL_THANKS = re.compile(rf"(?:^|[\s,.;:!\-–—]+)(?:{THANKS})[\s.!]*$", _I)


@dataclass(frozen=True)
class YesNo:
    answer: str | None  # "yes" | "no"; None for a bare "both" (the answer is the one waiting)
    detail: str  # what the reply adds, to keep on the ticket ("" when nothing)
    all_of_them: bool = False  # "both", "yes to both", "all fixed": every ticket waiting for an answer


def _tidy(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).strip(" .!")


def _core(text: str) -> tuple[str, int] | None:
    """(yes or no, where the answer ends) at the start of `text`; a bare "no" before a sentence of
    its own ("no sound at all") is part of that sentence, not an answer before it."""
    for answer, pattern in _CORES:
        found = pattern.match(text)
        if found is None or found.end() == 0:
            continue
        rest = text[found.end():]
        if answer == "no" and _BARE_NO.match(found.group(0)) and rest[:1] == " ":
            after = rest.strip()
            if (after.split()[0].lower() not in _ASIDE_STARTS and _core(after) is None
                    and not _TRAILING_SCOPE.match(after)):
                return None
        return answer, found.end()
    return None


def read_yes_no(text: str) -> YesNo | None:
    """The yes or no in a reply, its detail and whether it answers all; None when it is neither."""
    words = _tidy(text)
    if not words or _NOT_ANSWERS.match(words):
        return None
    words, all_of_them = _scope(words)
    core = None
    for _ in range(4):
        core = _core(words)
        if core is not None or _NEGATIVE_SOFTENER.match(words):  # "unfortunately", "afraid so" alone: a no
            break
        stripped = _SOFTENER.sub("", words, count=1)
        if stripped == words:
            break
        words = stripped
    if core is None:
        if _NEGATIVE_SOFTENER.match(words):
            return YesNo("no", "", all_of_them)
        if not words:
            return YesNo(None, "", True) if all_of_them else None
        if _BARE_NO.match(words.split()[0]):  # "no sound at all": the whole of it says what is wrong
            return YesNo("no", words, all_of_them)
        if (_STILL.match(words) or _WONT.match(words)) and not ASKS_STATUS.search(words):
            return YesNo("no", _detail(words, "no"), all_of_them)  # "it still beeps": the trouble is there
        return None
    answer, end = core
    rest = words[end:].strip(_SEPARATORS)
    if answer == "no" and _BARE_NO.match(words[:end]):
        flipped = _core(_LEAD_THANKS.sub("", rest))
        if flipped and flipped[0] == "yes" and not _detail(rest, "yes"):  # "nah, all good", "no, it's fine now"
            return YesNo("yes", "", all_of_them or bool(_TRAILING_SCOPE.match(rest)))
    scoped = _TRAILING_SCOPE.match(rest)  # "yes to both", "no, both of them"
    if scoped:
        all_of_them, rest = True, rest[scoped.end():]
    return YesNo(answer, _detail(rest, answer), all_of_them)


def _scope(words: str) -> tuple[str, bool]:
    """The reply without a leading "both" / "all of them" ("both fixed", "all fixed thanks")."""
    found = _LEADING_SCOPE.match(words)
    if not found:
        return words, False
    rest = words[found.end():]
    if rest and not (_core(rest) or _SOFTENER.match(rest) or _STILL.match(rest) or _LEAD_THANKS.match(rest)):
        return words, False  # "all the screens flicker": not about the answers
    return rest, True


def _detail(rest: str, answer: str) -> str:
    """What a reply adds after its answer: without restated answers, asides and thanks."""
    rest = rest.strip(_SEPARATORS)
    for _ in range(6):
        before = rest
        rest = _ASIDE.sub("", rest, count=1)
        core = _core(rest)
        if core is not None and core[0] == answer and len(rest[:core[1]]) > 2:  # not a lone "y" or "na"
            rest = rest[core[1]:]
        rest = rest.strip(_SEPARATORS)
        if rest == before:
            break
    return _TAIL_THANKS.sub("", rest).strip(_SEPARATORS)
