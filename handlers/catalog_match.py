"""Which service catalog item a request reads like (`best_match`, also importable from
handlers.catalog).

Matching uses the same TF-IDF similarity as known errors (handlers/similarity.py): a request is
compared with each item's name, each alias and its description separately, and an item scores
its best phrase, so a long description does not drown a short, exact alias.

Before comparing, the request is cut down to the words that say what is asked for. Left out:
- values: addresses, links, paths, quoted names, file names (budget.xlsx), versions and words
  with a digit (python 3.12, v20.11.1, floor 3), and the organisation's application names
  (nlp.applications: "Zoom", "Teams"), which say *which* software or system, not what is asked;
- when: yesterday, last week's, on Monday, this morning;
- where it goes and who it is for: "on the meeting room pc", "from the finance share", "for the
  design team", "to my laptop", "from floor 3": a preposition, a determiner and the words up to
  the next small word or punctuation;
- other names the catalog does not know (Visio, Miro: a capitalised word after the first);
- request filler ("need", "could", "create", "set up");
- catalog words that only qualify something the catalog does not offer: "a laptop bag", "a
  shared drive" ask for a bag and a drive.
Other unknown words stay, so "a new monitor" does not pass for "a new laptop".

Then:
- the verb of the request (install, restore, reset, collect... ACTIONS) counts double, so
  "install Zoom on the meeting room pc" is an install wherever it goes;
- an item is offered only when the request has one of its main words: the verb an alias starts
  with ("unlock my account"), else the last word of its name or alias ("team mailbox"). "team"
  alone does not make a team mailbox, nor "account" an unlocked account;
- an item about software (a SOFTWARE word in its name or aliases: Software install) needs a
  request for software: installing a thing that is hardware ("install a printer", "can you install
  the new server", "install an access point in room 4") is equipment work for the team, so it is
  not offered, unless the request names software as well ("install the printer driver"). The
  hardware must be the thing asked for, not where it goes ("install Zoom on the new server") nor
  a word qualifying software ("a screen reader"). No item is fine: the request goes to its queue
  as a plain request.
- a request for a named product and nothing else ("I need Visio on my laptop", "can I get
  Photoshop", "I need Slack on my new laptop": once the product and where it goes are left out,
  nothing is asked for) asks for software (`named_product`): one of nlp.applications, or a
  capitalised name after the first word that the catalog does not know, not just after "a"/"an"
  ("a new ThinkPad" is a thing, not software). Such a request is compared as a request for software.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers.similarity import STOP_WORDS, TfIdf, cosine, stem, tokens

if TYPE_CHECKING:
    from handlers.catalog_config import CatalogItem
    from handlers.organisation import Organisation

_FILLER = frozenset("""
need needs needed want wanted like get getting would could someone something request requesting new old
create set setup arrange order provide give have make add require required kindly pls plz possible
""".split())
_QUOTED = re.compile(r"(?<!\w)\"[^\"]*\"(?!\w)|“[^“”]*”|(?<!\w)'[^']*'(?!\w)")  # "Marketing Events"
# A word that is a value: a digit (3.12, v20, 4th, Q3_forecast), an address, a path or link, or a
# dot inside it (budget.xlsx, fs02.corp.local).
_VALUE_WORD = re.compile(r"[\d@/\\]|\w\.\w")
_WHEN = re.compile(r"\b(?:(?:last|next|this|on|by|until|since) )?(?:yesterday|today|tomorrow|tonight|asap|"
                   r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|morning|afternoon|evening|night|weekend|"
                   r"weeks?|months?|years?|january|february|march|april|june|july|august|september|october|"
                   r"november|december)(?:'s)?(?: ago)?\b", re.IGNORECASE)
_PLACE = re.compile(r"\b(?:(?:on|onto|at) (?:my|our|the|his|her|their|your|this|that|a|an)"
                    r"|(?:in|from|for) (?:my|our|the|his|her|their|your|this|that)|to (?:my|our|his|her|their|your)"
                    r"|(?:on|at|in|from)(?= (?:room|floor|level|building|office|reception|desk|site|basement)\b))",
                    re.IGNORECASE)
_PLACE_WORD = re.compile(r"\s+([\w'+#-]+)")
_PLACE_END = STOP_WORDS | frozenset("for from and or but because as since with by please pls who which".split())
_ARTICLES = frozenset("a an another some extra spare".split())
# The verbs of requests the catalog may offer; the request's verb counts VERB_WEIGHT times.
ACTIONS = frozenset(stem(word) for word in """
install restore recover reset unlock collect collection pick pickup dispose disposal recycle return
""".split())
VERB_WEIGHT = 2.0
SOFTWARE_REQUEST = "software"  # what a request naming only a product is compared as
# Words that say a thing is software (stemmed), and things that are hardware: the last word of
# what is asked, before a small word, punctuation or the end ("a printer", not "printer drivers").
SOFTWARE = frozenset(stem(word) for word in """
software application app program programme licence license driver firmware plugin extension package
tool client utility update
""".split())
_HARDWARE = re.compile(r"\b(?:printers?|scanners?|copiers?|plotters?|servers?|access[ -]points?|routers?|"
                       r"switch(?:es)?|hubs?|monitors?|screens?|displays?|docks?|docking[ -]stations?|projectors?|"
                       r"cameras?|webcams?|cables?|cabling|tvs?|televisions?|speakers?|microphones?|headsets?|"
                       r"keyboards?|mice|mouse|racks?|ups|whiteboards?|sockets?|hardware|equipment)"
                       r"(?=\s*$|\s*[,.;:!?)]|\s+(\w+))", re.IGNORECASE)
_THING_END = _PLACE_END | frozenset("in into at near next beside behind under above".split())


@dataclass(frozen=True)
class Match:
    item: CatalogItem
    score: float


def best_match(organisation: Organisation, text: str) -> Match | None:
    """The catalog item the text reads like, when it is at least `catalog.match_threshold` alike."""
    items = organisation.catalog.items
    phrases = [(item, _without_filler(phrase)) for item in items for phrase in item.matching_text()]
    if not phrases:
        return None
    vocabulary = {word for _, phrase in phrases for word in tokens(phrase)}
    asked = what_is_asked(text, vocabulary=vocabulary, names=organisation.nlp.applications)
    if not tokens(asked) and named_product(text, vocabulary=vocabulary, names=organisation.nlp.applications):
        asked = SOFTWARE_REQUEST  # "I need Visio on my laptop": the product is what is asked for
    model = TfIdf([phrase for _, phrase in phrases] + [asked])
    wanted = _verb_weighted(model.vector(asked))
    keys = _main_words(items)
    hardware = asks_for_hardware(text, names=organisation.nlp.applications)
    best: dict[str, float] = {}
    for item, phrase in phrases:
        if hardware and is_software(item):
            continue
        if not keys[item.id].isdisjoint(wanted):
            best[item.id] = max(best.get(item.id, 0.0), cosine(wanted, model.vector(phrase)))
    if not best:
        return None
    item_id, score = max(best.items(), key=lambda pair: pair[1])
    if score < organisation.catalog.match_threshold:
        return None
    return Match(organisation.catalog.item(item_id), score)  # type: ignore[arg-type]


def what_is_asked(text: str, *, vocabulary: set[str], names: list[str] | tuple[str, ...] = ()) -> str:
    """The words of the request that say what is asked for (the module docstring lists what goes)."""
    words = _without_circumstances(text, names).split()
    kept = [word for position, word in enumerate(words)
            if not (position and word[:1].isupper() and word != "I" and not set(tokens(word)) <= vocabulary)]
    return " ".join(_without_qualifiers(_without_filler(" ".join(kept)).split(), vocabulary))


def named_product(text: str, *, vocabulary: set[str], names: list[str] | tuple[str, ...] = ()) -> str | None:
    """The product a request names (the module docstring): one of the organisation's applications,
    or a capitalised name after the first word that the catalog does not know and that is not one
    or two words after an article, outside where it goes and when ("on my MacBook" is a place).
    None: it names none."""
    thing = _without_circumstances(text, ())
    for name in names:
        if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", thing, re.IGNORECASE):
            return name
    words = thing.split()
    for position, word in enumerate(words[1:], start=1):
        bare = word.strip(".,;:!?()\"'")
        after_article = any(before.lower() in _ARTICLES for before in words[max(0, position - 2):position])
        if bare[:1].isupper() and bare != "I" and not after_article and not set(tokens(bare)) <= vocabulary:
            return bare
    return None


def asks_for_hardware(text: str, *, names: list[str] | tuple[str, ...] = ()) -> bool:
    """Whether the thing the request asks for is hardware and it names no software (the module
    docstring): "install a printer", "install the projector in meeting room B"; not "install Zoom
    on the new server", "install the scanner software", "install a screen reader"."""
    thing = _without_circumstances(text, names)
    if not SOFTWARE.isdisjoint(tokens(thing)):
        return False
    return any(found.group(1) is None or found.group(1).lower() in _THING_END for found in _HARDWARE.finditer(thing))


def is_software(item: CatalogItem) -> bool:
    """Whether the item offers software: a SOFTWARE word in its name or aliases."""
    return any(not SOFTWARE.isdisjoint(tokens(phrase)) for phrase in (item.name, *item.aliases))


def _without_circumstances(text: str, names: list[str] | tuple[str, ...]) -> str:
    """The text without values, application names, when, and where it goes or who it is for."""
    for name in names:
        text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ", text)
    text = " ".join(word for word in _QUOTED.sub(" ", text).split() if not _VALUE_WORD.search(word))
    return _without_places(_WHEN.sub(" ", text))


def _main_words(items: list[CatalogItem]) -> dict[str, frozenset[str]]:
    """Per item, the words a request must have one of: the verb its name or an alias starts with,
    else its last word, and the verbs of its description."""
    keys: dict[str, frozenset[str]] = {}
    for item in items:
        words: set[str] = set()
        for phrase in (item.name, *item.aliases):
            found = tokens(phrase)
            words.update(found[:1] if found and found[0] in ACTIONS else found[-1:])
        words.update(ACTIONS.intersection(tokens(item.description)))
        keys[item.id] = frozenset(words)
    return keys


def _without_places(text: str) -> str:
    """The text without where it goes and who it is for: the preposition and determiner
    (_PLACE), then up to four words, up to a small word or punctuation."""
    kept, end = [], 0
    for found in _PLACE.finditer(text):
        if found.start() < end:
            continue
        stop, count = found.end(), 0
        while count < 4 and (word := _PLACE_WORD.match(text, stop)) and word.group(1).lower() not in _PLACE_END:
            stop, count = word.end(), count + 1
        if count:  # "for the" with nothing after it is not a place
            kept.append(text[end:found.start()])
            end = stop
    return " ".join([*kept, text[end:]])


def _without_qualifiers(words: list[str], vocabulary: set[str]) -> list[str]:
    """Catalog words that qualify a thing the catalog does not know ("a laptop bag", "a shared
    drive", "a password manager"): after an article, up to four words up to a small word or
    punctuation, of which the last is the thing. A verb stays ("a collection of old monitors")."""
    kept: list[str] = []
    position = 0
    while position < len(words):
        kept.append(words[position])
        position += 1
        if kept[-1].lower() not in _ARTICLES:
            continue
        phrase: list[str] = []
        for word in words[position:position + 4]:
            if not tokens(word) or word.lower().endswith(("ly", "ed")):  # "a laptop urgently", "... delivered"
                break
            phrase.append(word)
            if word[-1] in ",.;:!?":
                break
        if (len(phrase) >= 2 and not set(tokens(phrase[-1])) <= vocabulary
                and not any(ACTIONS.intersection(tokens(word)) for word in phrase[:-1])):
            kept.append(phrase[-1])
            position += len(phrase)
    return kept


def _verb_weighted(vector: dict[str, float]) -> dict[str, float]:
    """The request's vector with its verb counting VERB_WEIGHT times, normalised again."""
    if ACTIONS.isdisjoint(vector):
        return vector
    weights = {word: weight * (VERB_WEIGHT if word in ACTIONS else 1.0) for word, weight in vector.items()}
    norm = sum(weight * weight for weight in weights.values()) ** 0.5
    return {word: weight / norm for word, weight in weights.items()}


def _without_filler(text: str) -> str:
    return " ".join(word for word in text.split() if word.lower().strip(".,!?") not in _FILLER)
