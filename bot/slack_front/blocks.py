"""Block Kit for the desk's messages: ticket cards, notices, questions with buttons, answers.

Text a user wrote (titles, descriptions, names, resolutions) goes into `plain_text` wherever Block
Kit allows it, where Slack parses no mentions or links; where it must be `mrkdwn` (section text,
the notification `text`) it is escaped first. Slack's size limits are respected by truncating.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.slack_front.markup import escape

TAKE, ASSIGN, RESOLVE, ESCALATE = "sd_take", "sd_assign", "sd_resolve", "sd_escalate"
CLARIFY_PREFIX = "sd_clarify_"
HEADER_LIMIT, SECTION_LIMIT, FIELD_LIMIT, BUTTON_LIMIT, TEXT_LIMIT = 150, 3000, 2000, 75, 3000
MAX_BLOCKS = 50
STATUS_ICON = {"new": ":new:", "assigned": ":bust_in_silhouette:", "in_progress": ":hammer_and_wrench:",
               "on_hold": ":double_vertical_bar:", "resolved": ":white_check_mark:", "closed": ":lock:"}
STATUS_WORDS = {"in_progress": "in progress", "on_hold": "on hold"}
KIND_WORDS = {"incident": "incident", "service_request": "service request", "access_request": "access request"}


@dataclass(frozen=True)
class Labels:
    """How the organisation names its staff and queues (app.yaml)."""

    staff: Callable[[str], str] = lambda name: name
    queue: Callable[[str], str] = lambda name: name


def labels_for(organisation, *, name_of: Callable[[str], str] | None = None) -> Labels:
    """Staff labels from app.yaml; members of a staff group (named `slack-<user id>` by the desk)
    by their Slack name when `name_of` can look it up."""

    def staff(name: str) -> str:
        member = organisation.staff_named(name)
        if member is not None:
            return member.label
        if name_of is not None and name.startswith("slack-"):
            return name_of(name.removeprefix("slack-").upper())
        return name

    def queue(name: str) -> str:
        config = organisation.queues.get(name)
        return config.title if config else name

    return Labels(staff=staff, queue=queue)


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str, limit: int = TEXT_LIMIT) -> dict:
    return {"type": "plain_text", "text": truncate(text or " ", limit), "emoji": True}


def mrkdwn_escaped(text: str, limit: int = SECTION_LIMIT) -> dict:
    """User-influenced text as mrkdwn: escaped, so it renders literally apart from *bold* etc."""
    return {"type": "mrkdwn", "text": truncate(escape(text or " "), limit)}


def fallback_text(text: str) -> str:
    """A message's top-level `text` (notifications, screen readers): always escaped."""
    return truncate(escape(text or " "), TEXT_LIMIT)


def _status(ticket: dict) -> str:
    status = ticket.get("status", "")
    return f"{STATUS_ICON.get(status, '')} {STATUS_WORDS.get(status, status)}".strip()


def _due(ticket: dict) -> dict | None:
    if ticket.get("status") in ("resolved", "closed"):
        return None
    iso = ticket.get("resolution_due")
    if not iso:
        return {"type": "mrkdwn", "text": "Resolution: no fixed target"}
    moment = datetime.fromisoformat(iso)
    shown = f"{moment:%Y-%m-%d %H:%M} UTC"
    left = f" · SLA: {escape(ticket['time_left'])}" if ticket.get("time_left") else ""  # as of this update
    return {"type": "mrkdwn", "text": f"Resolution due <!date^{int(moment.timestamp())}^{{date_short_pretty}} "
                                      f"{{time}}|{shown}>{left}"}


def ticket_fields(ticket: dict, labels: Labels, *, for_team: bool) -> list[dict]:
    assignee = ticket.get("assignee")
    fields = [
        plain(f"Status: {_status(ticket)}", FIELD_LIMIT),
        plain(f"Priority: {ticket.get('priority')} (impact {ticket.get('impact')}, urgency {ticket.get('urgency')})",
              FIELD_LIMIT),
        plain(f"Kind: {KIND_WORDS.get(ticket.get('kind', ''), ticket.get('kind', ''))}", FIELD_LIMIT),
        plain(f"Team: {labels.queue(ticket.get('queue', ''))}", FIELD_LIMIT),
        plain(f"Assignee: {labels.staff(assignee) if assignee else 'nobody yet'}", FIELD_LIMIT),
    ]
    if for_team:
        requester = (ticket.get("requester") or {}).get("name") or "unknown"
        fields.append(plain(f"Requester: {requester}", FIELD_LIMIT))
        if ticket.get("escalation_level"):
            fields.append(plain(f"Escalation: level {ticket['escalation_level']}", FIELD_LIMIT))
    return fields


def _header(ticket: dict) -> dict:
    return {"type": "header", "text": plain(f"{ticket.get('id')} · {ticket.get('priority')} · {ticket.get('title')}",
                                            HEADER_LIMIT)}


def _resolution(ticket: dict) -> list[dict]:
    if ticket.get("status") in ("resolved", "closed") and ticket.get("resolution"):
        return [{"type": "section", "text": plain(f"Resolution: {ticket['resolution']}", SECTION_LIMIT)}]
    return []


def team_card(ticket: dict, labels: Labels) -> list[dict]:
    """The ticket as its team channel shows it, with the buttons to work it while it is open."""
    blocks: list[dict] = [_header(ticket),
                          {"type": "section", "fields": ticket_fields(ticket, labels, for_team=True)}]
    blocks += _resolution(ticket)
    due = _due(ticket)
    if due:
        blocks.append({"type": "context", "elements": [due]})
    if ticket.get("status") not in ("resolved", "closed"):
        blocks.append(card_actions(ticket["id"]))
    return blocks


def card_actions(ref: str) -> dict:
    return {
        "type": "actions",
        "block_id": f"sd_card:{ref}",
        "elements": [
            {"type": "button", "action_id": TAKE, "text": plain("Take"), "value": ref, "style": "primary"},
            {"type": "users_select", "action_id": ASSIGN, "placeholder": plain("Assign to…")},
            {"type": "button", "action_id": RESOLVE, "text": plain("Resolve"), "value": ref},
            {"type": "button", "action_id": ESCALATE, "text": plain("Escalate"), "value": ref, "style": "danger",
             "confirm": {"title": plain("Escalate?"), "text": plain(f"Escalate {ref} and tell management?"),
                         "confirm": plain("Escalate"), "deny": plain("Cancel")}},
        ],
    }


def requester_card(text: str, ticket: dict, labels: Labels) -> list[dict]:
    """What the requester sees when their ticket is opened."""
    return [
        {"type": "section", "text": mrkdwn_escaped(text)},
        {"type": "section", "fields": ticket_fields(ticket, labels, for_team=False)[:5]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"{escape(ticket.get('id', ''))} · reply in "
                                                                     "this thread to add to it"}]},
    ]


def notice(text: str, ticket: dict | None = None) -> list[dict]:
    """A short notice (a status change, a reply, an answer), with the ticket it concerns."""
    blocks = text_sections(text)
    if ticket:
        blocks.append({"type": "context", "elements": [plain(f"{ticket.get('id')} · {_status(ticket)}", TEXT_LIMIT)]})
    return blocks[:MAX_BLOCKS]


def question(text: str, choices: list) -> list[dict]:
    """A question with one button per choice (value `ID:CHOICE` from the desk)."""
    buttons = [{"type": "button", "action_id": f"{CLARIFY_PREFIX}{number}", "text": plain(label, BUTTON_LIMIT),
                "value": str(value)} for number, (value, label) in enumerate(choices[:25])]
    return [{"type": "section", "text": mrkdwn_escaped(text)}, {"type": "actions", "elements": buttons}]


def text_sections(text: str, *, monospace: bool = False) -> list[dict]:
    """Text (escaped) in as many sections as it needs; lists and tables in monospace."""
    fence = "```" if monospace else ""
    chunks = _escaped_chunks(text or " ", SECTION_LIMIT - 2 * len(fence))
    return [{"type": "section", "text": {"type": "mrkdwn", "text": f"{fence}{chunk}{fence}"}}
            for chunk in chunks[:MAX_BLOCKS - 1]]


def _escaped_chunks(text: str, room: int) -> list[str]:
    """Escape, then cut at line ends where possible, never inside an `&amp;`-style entity."""
    chunks: list[str] = []
    current = ""
    for raw in text.split("\n"):
        line = escape(raw)
        joined = f"{current}\n{line}" if current else line
        if len(joined) <= room:
            current = joined
            continue
        if current:
            chunks.append(current)
        while len(line) > room:
            cut = room
            amp = line.rfind("&", cut - 5, cut)
            if amp > 0 and ";" not in line[amp:cut]:
                cut = amp
            chunks.append(line[:cut])
            line = line[cut:]
        current = line
    if current or not chunks:
        chunks.append(current or " ")
    return chunks


def answer(text: str, ticket: dict | None = None, *, choices: list | None = None) -> list[dict]:
    """A reply to one person (a command's answer): several lines are shown in monospace."""
    if choices:
        return question(text, choices)
    blocks = text_sections(text, monospace="\n" in text.strip())
    if ticket:
        blocks.append({"type": "context", "elements": [plain(f"{ticket.get('id')} · {_status(ticket)}", TEXT_LIMIT)]})
    return blocks[:MAX_BLOCKS]
