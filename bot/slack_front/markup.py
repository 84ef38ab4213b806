"""Slack's message markup in and out.

In: Slack sends message text with `&`, `<`, `>` escaped and with mentions and links as control
sequences (`<@U123>`, `<!channel>`, `<http://evil|bank>`). The desk records what a person would
read: `@Bob`, `@channel`, `bank (http://evil)`, so a disguised link is shown for what it is.

Out: any text that came from a user is escaped before it goes into `mrkdwn` or a message's
`text`, so it can never ping a channel, mention someone or hide a link.
"""
from __future__ import annotations

import re
from collections.abc import Callable

_CONTROL = re.compile(r"<([^<>\n]*)>")
_LEADING_MENTION = re.compile(r"^\s*<@([A-Z0-9]+)(?:\|[^>]*)?>[\s,:]*")
_SPECIAL = {"channel": "@channel", "here": "@here", "everyone": "@everyone"}


def escape(text: str) -> str:
    """Escape the three characters Slack treats as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def strip_leading_mention(text: str, user_id: str | None) -> str:
    """`<@UBOT> my laptop...` -> `my laptop...` (only the bot's own mention, only at the start)."""
    match = _LEADING_MENTION.match(text)
    if match and (user_id is None or match.group(1) == user_id):
        return text[match.end():]
    return text


def readable(text: str, *, name_of: Callable[[str], str] | None = None) -> str:
    """Slack message markup as a person reads it (mentions as @names, links with their target)."""

    def replace(match: re.Match) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            user_id = target[1:]
            if label:
                return "@" + unescape(label).lstrip("@")
            return "@" + (name_of(user_id) if name_of else user_id)
        if target.startswith("#"):
            return "#" + unescape(label or target[1:])
        if target.startswith("!"):
            command = target[1:]
            if command in _SPECIAL:
                return _SPECIAL[command]
            if command.startswith("subteam^"):
                return "@" + unescape(label).lstrip("@") if label else "@" + command.split("^", 1)[1]
            if command.startswith("date^"):
                return unescape(label) if label else ""
            return unescape(label) if label else ""
        url = unescape(target)
        if url.startswith("mailto:"):
            url = url[len("mailto:"):]
            return unescape(label) if label and unescape(label) != url else url
        if label and unescape(label) != url:
            return f"{unescape(label)} ({url})"
        return url

    return _outside_controls(text, replace)


def _outside_controls(text: str, replace: Callable[[re.Match], str]) -> str:
    """Replace each control sequence and unescape the text between them (each exactly once)."""
    parts: list[str] = []
    position = 0
    for match in _CONTROL.finditer(text):
        parts.append(unescape(text[position:match.start()]))
        parts.append(replace(match))
        position = match.end()
    parts.append(unescape(text[position:]))
    return "".join(parts)


def command_text(text: str, *, staff_name_of: Callable[[str], str | None]) -> str:
    """A slash command's text (sent escaped): a mentioned user who is staff becomes their staff name,
    so `/sd assign INC-1 @Bob` names Bob by his verified Slack id, not by what was typed."""

    def replace(match: re.Match) -> str:
        inner = match.group(1)
        target, _, _label = inner.partition("|")
        if target.startswith("@"):
            name = staff_name_of(target[1:])
            if name:
                return escape(name)
        return match.group(0)

    return readable(_CONTROL.sub(replace, text))
