"""Buttons and forms. Every button's custom_id carries what it acts on (`sd:take:INC-12`,
`sd:clarify:7:incident`) and is parsed by a registered DynamicItem, so a card posted before a
restart still works after it: nothing about a button lives in process memory.

- A ticket card (team channel): Take, Resolve (asks what fixed it), Escalate. A press edits the
  card to show the ticket's new state.
- A clarification ("is something broken, do you need something, or access?"): one button per
  answer; the writer's press opens the ticket and the buttons go away.
- Every other question ("Is it fixed?", ratings, known-error workarounds, problems, approvals):
  one RoutedButton per choice, answered by the module handlers.buttons names for its prefix.
"""
from __future__ import annotations

import re

import discord
from discord import ui

from bot.discord_front.embeds import clip, ticket_card
from bot.discord_front.inbound import person_of
from bot.discord_front.respond import FAILED, Responder
from handlers.clarification import CHOICES, QUESTION, answer_by_button
from handlers.commands import run_command
from handlers.buttons import ROUTES
from handlers.messages import Reply
from handlers.staff_gate import refuse_unless_staff

REF = r"(?:INC|REQ|ACC)-\d{1,9}"
KINDS = "|".join(value for value, _label in CHOICES)
CARD_BUTTON = rf"sd:(?P<action>take|resolve|escalate):(?P<ref>{REF})"
CLARIFY_BUTTON = rf"sd:clarify:(?P<question>\d{{1,18}}):(?P<kind>{KINDS})"
# Every other question's buttons: the value after `sd:` goes to the module handlers.buttons names
# (`sd:fu:12:yes`, `sd:ke:3:no`, `sd:prb:new:INC-1,INC-2`, ...).
ROUTED_BUTTON = "sd:(?P<value>(?:" + "|".join(re.escape(prefix) for prefix in ROUTES) + r")[^\s]{1,90})"
RESOLVE_FORM = rf"sd:resolve-form:(?P<ref>{REF})"
ACTIONS = {
    "take": ("Take", discord.ButtonStyle.primary),
    "resolve": ("Resolve", discord.ButtonStyle.success),
    "escalate": ("Escalate", discord.ButtonStyle.danger),
}
CHOICE_LABEL = dict(CHOICES)


def is_ours(custom_id: str) -> bool:
    return any(re.fullmatch(pattern, custom_id) for pattern in (CARD_BUTTON, CLARIFY_BUTTON, ROUTED_BUTTON))


class CardButton(ui.DynamicItem[ui.Button], template=CARD_BUTTON):
    def __init__(self, action: str, ref: str, *, disabled: bool = False) -> None:
        label, style = ACTIONS[action]
        super().__init__(ui.Button(label=label, style=style, custom_id=f"sd:{action}:{ref}", disabled=disabled))
        self.action = action
        self.ref = ref

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: ui.Button, match: re.Match[str], /):
        return cls(match["action"], match["ref"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await card_pressed(interaction, self.action, self.ref)


class ClarifyButton(ui.DynamicItem[ui.Button], template=CLARIFY_BUTTON):
    def __init__(self, question: str, kind: str) -> None:
        label = CHOICE_LABEL.get(kind, kind)
        super().__init__(ui.Button(label=label, style=discord.ButtonStyle.secondary,
                                   custom_id=f"sd:clarify:{question}:{kind}"))
        self.question = question
        self.kind = kind

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: ui.Button, match: re.Match[str], /):
        return cls(match["question"], match["kind"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await clarification_answered(interaction, self.question, self.kind)


class RoutedButton(ui.DynamicItem[ui.Button], template=ROUTED_BUTTON):
    """An answer to one of the desk's other questions: "Is it fixed?", a rating, a known error's
    workaround, a problem, an approval. The handler is chosen by the value's prefix."""

    def __init__(self, value: str, label: str | None = None) -> None:
        super().__init__(ui.Button(label=clip(label or value, 80), style=_style(value), custom_id=f"sd:{value}"))
        self.value = value

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: ui.Button, match: re.Match[str], /):
        return cls(match["value"], item.label)

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = interaction.client
        person = person_of(interaction.user)
        responder = Responder(interaction, ack_after=bot.ack_after)
        reply = await responder.run(lambda: answer_by_button(bot.desk, person, self.value))
        if reply is FAILED or reply is None:
            return
        if reply.ok and responder.interaction.message is not None:
            await responder.update(view=None)  # answered: the buttons go away
        await responder.send(reply.text, ephemeral=True)


def _style(value: str) -> discord.ButtonStyle:
    last = value.rsplit(":", 1)[-1]
    if last in ("yes", "approve"):
        return discord.ButtonStyle.success
    if last in ("deny",):
        return discord.ButtonStyle.danger
    return discord.ButtonStyle.secondary


def card_view(ticket: dict) -> ui.View:
    """The buttons under a ticket card; a resolved or closed ticket's are greyed out."""
    done = ticket.get("status") in ("resolved", "closed")
    view = ui.View(timeout=None)
    for action in ACTIONS:
        view.add_item(CardButton(action, ticket["id"], disabled=done))
    return view


def choices_view(choices: list) -> ui.View | None:
    """Buttons for a question's choices; None when there are none."""
    view = ui.View(timeout=None)
    for value, label in choices:
        if re.fullmatch(ROUTED_BUTTON, f"sd:{value}"):
            view.add_item(RoutedButton(str(value), label))
            continue
        question, _, kind = str(value).partition(":")
        if question.isdigit() and kind in CHOICE_LABEL:
            view.add_item(ClarifyButton(question, kind))
    return view if view.children else None


class ResolveForm(ui.Modal):
    """Asks what fixed it before resolving from a card."""

    def __init__(self, ref: str) -> None:
        super().__init__(title=clip(f"Resolve {ref}", 45), custom_id=f"sd:resolve-form:{ref}", timeout=900)
        self.ref = ref
        self.resolution = ui.TextInput(custom_id="resolution", style=discord.TextStyle.paragraph,
                                       max_length=1000, placeholder="e.g. replaced the power adapter")
        self.add_item(ui.Label(text="What fixed it?", component=self.resolution))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Nothing here: the bot answers every `sd:resolve-form:…` submission by its custom_id
        (client.on_interaction), so a form opened before a restart still resolves the ticket."""

    async def on_timeout(self) -> None:
        pass


def submitted_text(interaction: discord.Interaction, custom_id: str) -> str:
    """A submitted form field's value, read from the raw interaction (forms sent before a
    restart are not in memory any more)."""
    stack = list((interaction.data or {}).get("components", []))
    while stack:
        component = stack.pop()
        if component.get("custom_id") == custom_id:
            return str(component.get("value") or "")
        stack.extend(component.get("components", []))
        if "component" in component:
            stack.append(component["component"])
    return ""


async def card_pressed(interaction: discord.Interaction, action: str, ref: str) -> None:
    bot = interaction.client
    person = person_of(interaction.user)
    responder = Responder(interaction, ack_after=bot.ack_after)
    if action == "resolve":
        refusal = await responder.run(lambda: refuse_unless_staff(bot.desk, person, "resolve", ref))
        if refusal is FAILED:
            return
        if refusal is not None:
            await responder.send(refusal.text, ephemeral=True)
            return
        if responder.responded:  # too slow to open the form now: Discord allows a form only as the first answer
            await responder.send("Sorry, that took too long; please press Resolve again.", ephemeral=True)
            return
        await interaction.response.send_modal(ResolveForm(ref))
        return
    line = f"{action} {ref}"
    await _change_and_show(responder, bot, person, action, ref, line)


async def resolve_submitted(interaction: discord.Interaction, ref: str, resolution: str) -> None:
    bot = interaction.client
    responder = Responder(interaction, ack_after=bot.ack_after)
    resolution = " ".join(resolution.split())
    if not resolution:
        await responder.send("Say what fixed it, so the requester knows.", ephemeral=True)
        return
    await _change_and_show(responder, bot, person_of(interaction.user), "resolve", ref, f"resolve {ref} {resolution}")


async def _change_and_show(responder: Responder, bot, person, action: str, ref: str, line: str) -> None:
    def work() -> tuple[Reply, dict | None]:
        refusal = refuse_unless_staff(bot.desk, person, action, ref)
        if refusal is not None:
            return refusal, None
        reply = run_command(bot.desk, person, line)
        shown = run_command(bot.desk, person, f"show {ref}") if reply.ok else None
        return reply, shown.ticket if shown is not None else None

    outcome = await responder.run(work)
    if outcome is FAILED:
        return
    reply, ticket = outcome
    if not reply.ok or ticket is None:
        await responder.send(reply.text, ephemeral=True)
        return
    if responder.interaction.message is not None:  # the card the button is on shows the new state
        await responder.update(embed=ticket_card(ticket, assignee_label=_assignee_label(bot, ticket)),
                               view=card_view(ticket))
    await responder.send(reply.text, ephemeral=True)


def _assignee_label(bot, ticket: dict) -> str | None:
    member = bot.desk.organisation.staff_named(ticket["assignee"]) if ticket.get("assignee") else None
    return member.label if member else None


async def clarification_answered(interaction: discord.Interaction, question: str, kind: str) -> None:
    bot = interaction.client
    person = person_of(interaction.user)
    responder = Responder(interaction, ack_after=bot.ack_after)
    reply = await responder.run(lambda: answer_by_button(bot.desk, person, f"{question}:{kind}"))
    if reply is FAILED:
        return
    if reply is not None:
        await responder.send(reply.text, ephemeral=True)
        return
    await responder.update(content=f"{QUESTION}\n**{CHOICE_LABEL[kind]}**: thanks, I'm logging it now.", view=None)
