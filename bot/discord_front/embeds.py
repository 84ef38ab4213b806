"""How a ticket looks on Discord: embeds built from the desk's ticket snapshots (handlers.views).

User text (titles, resolutions) only ever goes into embed fields and message content sent with
AllowedMentions.none(), so it is shown as written and never pings anyone.
"""
from __future__ import annotations

from datetime import datetime

import discord

from handlers.views import KIND_LABEL, STATUS_LABEL

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
FIELD_LIMIT = 1024

PRIORITY_COLOUR = {
    "P1": discord.Colour.red(),
    "P2": discord.Colour.orange(),
    "P3": discord.Colour.gold(),
    "P4": discord.Colour.blue(),
    "P5": discord.Colour.light_grey(),
}
DONE_COLOUR = {"resolved": discord.Colour.green(), "closed": discord.Colour.dark_grey()}


def clip(text: str | None, limit: int) -> str:
    """Text cut to Discord's length limit, marked with an ellipsis when cut."""
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _moment(iso: str | None) -> datetime | None:
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        return None


def relative_time(iso: str | None) -> str | None:
    """A Discord timestamp that each reader sees in their own time zone ("in 4 hours")."""
    moment = _moment(iso)
    return discord.utils.format_dt(moment, "R") if moment else None


def colour_of(ticket: dict) -> discord.Colour:
    return DONE_COLOUR.get(ticket.get("status", ""), PRIORITY_COLOUR.get(ticket.get("priority", ""), discord.Colour.blurple()))


def _base(ticket: dict) -> discord.Embed:
    embed = discord.Embed(
        title=clip(f"{ticket['id']} · {ticket.get('title', '')}", TITLE_LIMIT),
        colour=colour_of(ticket),
        timestamp=_moment(ticket.get("updated_at")),
    )
    embed.add_field(name="Status", value=STATUS_LABEL.get(ticket.get("status", ""), ticket.get("status", "-")))
    embed.add_field(name="Priority", value=ticket.get("priority") or "-")
    embed.add_field(name="Kind", value=KIND_LABEL.get(ticket.get("kind", ""), ticket.get("kind", "-")))
    return embed


def _due_fields(embed: discord.Embed, ticket: dict) -> None:
    if ticket.get("status") in ("resolved", "closed"):
        if ticket.get("resolution"):
            embed.add_field(name="Resolution", value=clip(ticket["resolution"], FIELD_LIMIT), inline=False)
        return
    if not ticket.get("first_responded_at"):
        due = relative_time(ticket.get("first_response_due"))
        if due:
            embed.add_field(name="First response due", value=due)
    due = relative_time(ticket.get("resolution_due"))
    embed.add_field(name="Resolution due", value=due or "no fixed target")
    if ticket.get("time_left"):  # how the targets stood at this update (paused, overdue, working time left)
        embed.add_field(name="SLA", value=clip(ticket["time_left"], FIELD_LIMIT), inline=False)


def ticket_card(ticket: dict, *, assignee_label: str | None = None) -> discord.Embed:
    """The team's card in a queue channel: everything needed to pick the ticket up."""
    embed = _base(ticket)
    embed.add_field(name="Queue", value=ticket.get("queue") or "-")
    embed.add_field(name="Assignee", value=assignee_label or ticket.get("assignee") or "nobody yet")
    requester = ticket.get("requester") or {}
    embed.add_field(name="Requester", value=clip(_requester(requester), FIELD_LIMIT))
    if ticket.get("escalation_level"):
        embed.add_field(name="Escalation", value=f"level {ticket['escalation_level']}")
    _due_fields(embed, ticket)
    embed.set_footer(text=f"impact {ticket.get('impact', '-')} · urgency {ticket.get('urgency', '-')}")
    return embed


def requester_embed(ticket: dict) -> discord.Embed:
    """What the requester sees of their ticket: its state, without the team's working details."""
    embed = _base(ticket)
    embed.add_field(name="Team", value=ticket.get("queue") or "-")
    if ticket.get("status") in ("resolved", "closed") and ticket.get("resolution"):
        embed.add_field(name="Resolution", value=clip(ticket["resolution"], FIELD_LIMIT), inline=False)
    embed.set_footer(text="Reply in this conversation to add to the ticket.")
    return embed


def _requester(requester: dict) -> str:
    name = requester.get("name") or "-"
    if requester.get("platform") == "discord" and str(requester.get("user_id", "")).isdigit():
        return f"{name} (<@{requester['user_id']}>)"  # shown as a mention, never pings (no allowed mentions)
    return name


def thread_name(ticket: dict | None) -> str:
    if not ticket:
        return "Service desk"
    return clip(f"{ticket['id']} · {ticket.get('title', '')}", 100)
