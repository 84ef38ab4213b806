"""Application commands: `/sd …`, the console's subcommands with typed options (ticket ids
autocompleted, states, queues, priorities and kinds as choices), and the "Open ticket" message
context menu. The desk decides everything (handlers.commands.run_command); answers concern only
the caller, so they are ephemeral.
"""
from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.app_commands import Choice

from bot.discord_front import report_files
from bot.discord_front.embeds import requester_embed, ticket_card
from bot.discord_front.inbound import SOURCE, channel_of, conversation_of, person_of, text_of
from bot.discord_front.respond import FAILED, Responder
from bot.discord_front.views import choices_view
from handlers.commands import help_text, run_command
from handlers.intake import handle_message
from handlers.lifecycle import actor_for
from handlers.lookups import ticket_of_thread, ticket_suggestions
from handlers.messages import Inbound, Reply
from handlers.organisation import PRIORITIES, QUEUES
from handlers.staff_gate import refuse_unless_staff
from handlers.views import KIND_LABEL, STATUS_LABEL
from storage.tickets import parse_ref

log = logging.getLogger(__name__)
AUTOCOMPLETE_SECONDS = 2.0  # Discord shows nothing after 3 s, and autocomplete can't be deferred

STATE_CHOICES = [Choice(name=STATUS_LABEL[s], value=s) for s in ("new", "assigned", "in_progress", "on_hold", "closed")]
PRIORITY_CHOICES = [Choice(name=p, value=p) for p in PRIORITIES]
QUEUE_CHOICES = [Choice(name=q, value=q) for q in QUEUES]
KIND_CHOICES = [Choice(name=label, value=kind) for kind, label in KIND_LABEL.items()]
PERIOD_CHOICES = [Choice(name="last 7 days", value="7d"), Choice(name="last 30 days", value="30d")]
PROBLEM_CHOICES = [Choice(name=verb, value=verb) for verb in ("new", "link", "cause", "known-error", "resolve", "show",
                                                                "list")]


async def suggest_tickets(interaction: discord.Interaction, current: str) -> list[Choice[str]]:
    """Ticket ids the caller may name, matching what they typed (id prefix or title words)."""
    bot = interaction.client
    person = person_of(interaction.user)
    try:
        found = await asyncio.wait_for(
            asyncio.to_thread(ticket_suggestions, bot.desk, person, current[:100]), AUTOCOMPLETE_SECONDS)
    except Exception as exc:  # too slow or failing: no suggestions beats an error
        log.warning("ticket autocomplete failed: %s", exc)
        return []
    return [Choice(name=label[:100], value=ref) for ref, label in found[:25]]


async def suggest_staff(interaction: discord.Interaction, current: str) -> list[Choice[str]]:
    wanted = current.strip().lower()
    staff = interaction.client.desk.organisation.staff
    return [Choice(name=member.label[:100], value=member.name) for member in staff
            if wanted in member.name or wanted in member.label.lower()][:25]


def _ref(ticket: str | None) -> str:
    """The id as the desk spells it ('inc 12' → INC-12); other text is passed on for the desk to
    reject with an explanation."""
    text = (ticket or "").strip()
    return parse_ref(text) or (text.split()[0] if text else "")


@app_commands.allowed_installs(guilds=True, users=False)
@app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
class DeskCommands(app_commands.Group, name="sd", description="The service desk: look at and work tickets"):
    def __init__(self, bot) -> None:
        super().__init__()
        self.bot = bot

    async def run(self, interaction: discord.Interaction, command: str, ticket: str | None = None, rest: str = "") -> None:
        bot = self.bot
        person = person_of(interaction.user)
        ref = _ref(ticket)
        line = " ".join(part for part in (command, ref, " ".join(rest.split())) if part)

        def work() -> tuple[Reply, bool]:
            refusal = refuse_unless_staff(bot.desk, person, command, ref)
            staff = actor_for(bot.desk, person).staff is not None
            return (refusal or run_command(bot.desk, person, line)), staff

        responder = Responder(interaction, ack_after=bot.ack_after)
        outcome = await responder.run(work)
        if outcome is FAILED:
            return
        reply, staff = outcome
        if reply.attachment:  # a report's chart follows in this channel, through the outbox
            if await responder.run(lambda: report_files.queue(bot.desk, interaction, reply)) is FAILED:
                return
        embed = None
        if reply.ticket:
            embed = ticket_card(reply.ticket) if staff else requester_embed(reply.ticket)
        await responder.send(reply.text, embed=embed)

    @app_commands.command(name="take", description="Assign a ticket to yourself")
    @app_commands.describe(ticket="Ticket id, e.g. INC-12")
    @app_commands.autocomplete(ticket=suggest_tickets)
    async def take(self, interaction: discord.Interaction, ticket: str) -> None:
        await self.run(interaction, "take", ticket)

    @app_commands.command(name="assign", description="Assign a ticket to a member of staff")
    @app_commands.describe(ticket="Ticket id", staff="Who takes it (a staff name from app.yaml)")
    @app_commands.autocomplete(ticket=suggest_tickets, staff=suggest_staff)
    async def assign(self, interaction: discord.Interaction, ticket: str, staff: str) -> None:
        await self.run(interaction, "assign", ticket, staff.split()[0] if staff.split() else "")

    @app_commands.command(name="status", description="Set a ticket's status (resolving needs /sd resolve)")
    @app_commands.describe(ticket="Ticket id", state="The new status",
                           reason="Why (needed to close a ticket that was never resolved; the requester reads it)")
    @app_commands.autocomplete(ticket=suggest_tickets)
    @app_commands.choices(state=STATE_CHOICES)
    async def status(self, interaction: discord.Interaction, ticket: str, state: Choice[str],
                     reason: str | None = None) -> None:
        await self.run(interaction, "status", ticket, f"{state.value} {reason or ''}")

    @app_commands.command(name="note", description="Add an internal note (the requester doesn't see it)")
    @app_commands.describe(ticket="Ticket id", text="The note")
    @app_commands.autocomplete(ticket=suggest_tickets)
    async def note(self, interaction: discord.Interaction, ticket: str, text: str) -> None:
        await self.run(interaction, "note", ticket, text)

    @app_commands.command(name="reply", description="Reply to the requester")
    @app_commands.describe(ticket="Ticket id", text="What the requester reads")
    @app_commands.autocomplete(ticket=suggest_tickets)
    async def reply(self, interaction: discord.Interaction, ticket: str, text: str) -> None:
        await self.run(interaction, "reply", ticket, text)

    @app_commands.command(name="priority", description="Override a ticket's priority")
    @app_commands.describe(ticket="Ticket id", priority="P1 (most urgent) to P5")
    @app_commands.autocomplete(ticket=suggest_tickets)
    @app_commands.choices(priority=PRIORITY_CHOICES)
    async def priority(self, interaction: discord.Interaction, ticket: str, priority: Choice[str]) -> None:
        await self.run(interaction, "priority", ticket, priority.value)

    @app_commands.command(name="queue", description="Move a ticket to another queue")
    @app_commands.describe(ticket="Ticket id", queue="The queue that should work it")
    @app_commands.autocomplete(ticket=suggest_tickets)
    @app_commands.choices(queue=QUEUE_CHOICES)
    async def queue(self, interaction: discord.Interaction, ticket: str, queue: Choice[str]) -> None:
        await self.run(interaction, "queue", ticket, queue.value)

    @app_commands.command(name="kind", description="Correct what a ticket is")
    @app_commands.describe(ticket="Ticket id", kind="Incident, service request or access request")
    @app_commands.autocomplete(ticket=suggest_tickets)
    @app_commands.choices(kind=KIND_CHOICES)
    async def kind(self, interaction: discord.Interaction, ticket: str, kind: Choice[str]) -> None:
        await self.run(interaction, "kind", ticket, kind.value)

    @app_commands.command(name="escalate", description="Escalate to the next level and tell management")
    @app_commands.describe(ticket="Ticket id", reason="Why (optional)")
    @app_commands.autocomplete(ticket=suggest_tickets)
    async def escalate(self, interaction: discord.Interaction, ticket: str, reason: str | None = None) -> None:
        await self.run(interaction, "escalate", ticket, reason or "")

    @app_commands.command(name="resolve", description="Resolve a ticket with what fixed it")
    @app_commands.describe(ticket="Ticket id", resolution="What fixed it (the requester reads this)")
    @app_commands.autocomplete(ticket=suggest_tickets)
    async def resolve(self, interaction: discord.Interaction, ticket: str, resolution: str) -> None:
        await self.run(interaction, "resolve", ticket, resolution)

    @app_commands.command(name="reopen", description="Reopen a resolved ticket")
    @app_commands.describe(ticket="Ticket id", reason="Why (optional)")
    @app_commands.autocomplete(ticket=suggest_tickets)
    async def reopen(self, interaction: discord.Interaction, ticket: str, reason: str | None = None) -> None:
        await self.run(interaction, "reopen", ticket, reason or "")

    @app_commands.command(name="close", description="Close a ticket (one never resolved needs a reason)")
    @app_commands.describe(ticket="Ticket id", reason="Why, when it was never resolved (the requester reads it)")
    @app_commands.autocomplete(ticket=suggest_tickets)
    async def close(self, interaction: discord.Interaction, ticket: str, reason: str | None = None) -> None:
        await self.run(interaction, "close", ticket, reason or "")

    @app_commands.command(name="update", description="Post a status update to the requester, the team and the incident channel")
    @app_commands.describe(ticket="Ticket id", text="The update stakeholders read")
    @app_commands.autocomplete(ticket=suggest_tickets)
    async def update(self, interaction: discord.Interaction, ticket: str, text: str) -> None:
        await self.run(interaction, "update", ticket, text)

    @app_commands.command(name="major", description="Declare a major incident (its own channel), or name its lead")
    @app_commands.describe(ticket="Ticket id", lead="Who leads it (a staff name; optional)")
    @app_commands.autocomplete(ticket=suggest_tickets, lead=suggest_staff)
    async def major(self, interaction: discord.Interaction, ticket: str, lead: str | None = None) -> None:
        await self.run(interaction, "major", ticket, (lead or "").split()[0] if (lead or "").split() else "")

    @app_commands.command(name="problem", description="Problems and known errors: new, link, cause, known-error, "
                                                     "resolve, show, list")
    @app_commands.describe(action="What to do", text="The rest, e.g. 'VPN drops INC-4 INC-9' or 'PRB-2 use the wired network'")
    @app_commands.choices(action=PROBLEM_CHOICES)
    async def problem(self, interaction: discord.Interaction, action: Choice[str], text: str | None = None) -> None:
        await self.run(interaction, "problem", None, f"{action.value} {text or ''}")

    @app_commands.command(name="list", description="Open tickets: yours, a queue's, or everything you work")
    @app_commands.describe(queue="Only this queue", mine="Only tickets assigned to you")
    @app_commands.choices(queue=QUEUE_CHOICES)
    async def list_(self, interaction: discord.Interaction, queue: Choice[str] | None = None, mine: bool = False) -> None:
        words = " ".join(w for w in ((queue.value if queue else ""), ("mine" if mine else "")) if w)
        await self.run(interaction, "list", None, words)

    @app_commands.command(name="show", description="A ticket with its latest replies and SLA time left")
    @app_commands.describe(ticket="Ticket id")
    @app_commands.autocomplete(ticket=suggest_tickets)
    async def show(self, interaction: discord.Interaction, ticket: str) -> None:
        await self.run(interaction, "show", ticket)

    @app_commands.command(name="report", description="Figures and a chart for managers (staff)")
    @app_commands.describe(period="How far back (default: the last 7 days)", queue="Only this queue")
    @app_commands.choices(period=PERIOD_CHOICES, queue=QUEUE_CHOICES)
    async def report(self, interaction: discord.Interaction, period: Choice[str] | None = None,
                     queue: Choice[str] | None = None) -> None:
        words = " ".join(choice.value for choice in (period, queue) if choice)
        await self.run(interaction, "report", None, words)

    # Access management (issue 8): approvers need not be staff; /sd access list shows grants.
    @app_commands.command(name="approve", description="Approve a request waiting for your approval")
    @app_commands.describe(ticket="Ticket id (ACC-n or REQ-n)", note="A note for the record (optional)")
    @app_commands.autocomplete(ticket=suggest_tickets)
    async def approve(self, interaction: discord.Interaction, ticket: str, note: str | None = None) -> None:
        await self.run(interaction, "approve", ticket, note or "")

    @app_commands.command(name="deny", description="Deny a request waiting for your approval; the requester is told why")
    @app_commands.describe(ticket="Ticket id (ACC-n or REQ-n)", reason="Why (the requester reads this)")
    @app_commands.autocomplete(ticket=suggest_tickets)
    async def deny(self, interaction: discord.Interaction, ticket: str, reason: str) -> None:
        await self.run(interaction, "deny", ticket, reason)

    # Access management (issue 8) as one subcommand group: Discord allows 25 subcommands per
    # group, and /sd access list|granted|revoked read as one family anyway.
    access = app_commands.Group(name="access", description="Access grants: list them, confirm giving or removing")

    @access.command(name="list", description="Current access grants: yours, a person's or a resource's")
    @app_commands.describe(who="A person or a resource (optional; staff only for others)")
    async def access_list(self, interaction: discord.Interaction, who: str | None = None) -> None:
        await self.run(interaction, "access", None, f"list {who or ''}")

    @access.command(name="granted", description="Confirm you gave the approved access (records the grant)")
    @app_commands.describe(ticket="Ticket id (ACC-n)")
    @app_commands.autocomplete(ticket=suggest_tickets)
    async def granted(self, interaction: discord.Interaction, ticket: str) -> None:
        await self.run(interaction, "granted", ticket)

    @access.command(name="revoked", description="Confirm you removed the access (ends the grant)")
    @app_commands.describe(ticket="Ticket id (ACC-n): the removal request, or the grant's own for an expiry")
    @app_commands.autocomplete(ticket=suggest_tickets)
    async def revoked(self, interaction: discord.Interaction, ticket: str) -> None:
        await self.run(interaction, "revoked", ticket)

    # The service catalog (issue 8): what anyone can ask for; staff tick off fulfilment steps.
    @app_commands.command(name="catalog", description="What you can ask for (the service catalog)")
    async def catalog(self, interaction: discord.Interaction) -> None:
        await self.run(interaction, "catalog", None, "")

    @app_commands.command(name="done", description="Tick off a fulfilment step of a service request")
    @app_commands.describe(ticket="Ticket id (REQ-n)", step="The step's number or the start of its name")
    @app_commands.autocomplete(ticket=suggest_tickets)
    async def done(self, interaction: discord.Interaction, ticket: str, step: str) -> None:
        await self.run(interaction, "done", ticket, step)

    @app_commands.command(name="help", description="What the /sd commands do")
    async def help(self, interaction: discord.Interaction) -> None:
        await Responder(interaction, ack_after=self.bot.ack_after).send(help_text("/sd"))


def open_ticket_menu(bot) -> app_commands.ContextMenu:
    """Right-click a message → Apps → Open ticket: the message becomes a ticket for its author."""

    async def open_ticket(interaction: discord.Interaction, message: discord.Message) -> None:
        await open_ticket_for(bot, interaction, message)

    return app_commands.ContextMenu(
        name="Open ticket", callback=open_ticket, type=discord.AppCommandType.message,
        allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True),
        allowed_installs=app_commands.AppInstallationType(guild=True),
    )


async def open_ticket_for(bot, interaction: discord.Interaction, message: discord.Message) -> None:
    responder = Responder(interaction, ack_after=bot.ack_after)
    author = message.author
    if author.bot or message.webhook_id is not None:
        await responder.send("I only open tickets for people, not for bots or webhooks.")
        return
    text = text_of(bot.user, message)
    if not text:
        await responder.send("That message has no text to log; ask its author to describe the problem.")
        return
    conversation = conversation_of(await channel_of(bot, message) or message.channel, message)
    requester = person_of(author)
    flagger = person_of(interaction.user)
    reported_by = None if flagger.user_id == requester.user_id else flagger

    def work() -> Reply:
        existing = ticket_of_thread(bot.desk, conversation) if conversation.thread == str(message.id) else None
        if existing:
            return Reply(f"That message is already {existing['id']} ({existing['title']}).")
        inbound = Inbound(requester, conversation, text, source=SOURCE, external_id=f"open-ticket:{message.id}",
                          reported_by=reported_by)
        reply = handle_message(bot.desk, inbound)
        if reply is not None:
            return reply  # e.g. nothing for the desk in it, or (their own message) which kind it is
        opened = ticket_of_thread(bot.desk, conversation)
        where = "in a thread on their message" if conversation.thread else "here"
        if opened is None:
            return Reply(f"Logged it for {requester.display_name}; they'll hear from the desk {where}.")
        return Reply(f"Opened {opened['id']} for {requester.display_name}; they'll get updates {where}.")

    reply = await responder.run(work)
    if reply is not FAILED:
        await responder.send(reply.text, view=choices_view(reply.choices))
