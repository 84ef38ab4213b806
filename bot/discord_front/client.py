"""The Discord bot: a discord.py client wired to the desk.

`create_discord_bot(settings, desk)` builds it (no module-level state): intents for DMs, server
messages and their text, AllowedMentions.none() for everything it posts, the /sd command group
and the "Open ticket" context menu, and the persistent buttons (registered as DynamicItems).
`setup_hook` (at login) registers the buttons and syncs the command tree once; `on_ready` may
fire again on every reconnect and only reports.
"""
from __future__ import annotations

import asyncio
import logging
import re

import discord
from discord import app_commands

from bot.config import Settings
from bot.discord_front import intake
from bot.discord_front.commands import DeskCommands, open_ticket_menu
from bot.discord_front.config import channel_ids_in
from bot.discord_front.respond import OUR_FAULT, Responder
from bot.discord_front.views import (RESOLVE_FORM, CardButton, ClarifyButton, RoutedButton, is_ours,
                                     resolve_submitted, submitted_text)
from handlers.desk import Desk

log = logging.getLogger(__name__)
ACK_AFTER = 2.0  # seconds of work before an interaction is deferred (Discord allows 3)


def intents() -> discord.Intents:
    """Servers and their channels, server and DM messages, and message text (privileged:
    switch on "Message Content Intent" for the bot in the developer portal)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    wanted.message_content = True
    return wanted


class DeskCommandTree(app_commands.CommandTree):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError, /) -> None:
        if isinstance(error, app_commands.CommandNotFound):
            text = ("I don't know that command (Discord may still show an old list; it refreshes "
                    "shortly). Try /sd help.")
        elif isinstance(error, app_commands.TransformerError):
            text = f"'{error.value}' doesn't fit there: {error}"
        elif isinstance(error, app_commands.CheckFailure):
            text = "Sorry, that command can't be used here."
        else:
            log.error("Discord command %s failed", getattr(interaction.command, "qualified_name", "?"),
                      exc_info=error)
            text = OUR_FAULT
        await Responder(interaction, ack_after=ACK_AFTER).send(text, ephemeral=True)


class DeskBot(discord.Client):
    def __init__(self, settings: Settings, desk: Desk, *, ack_after: float = ACK_AFTER,
                 guild_id: int | None = None, **options) -> None:
        options.setdefault("max_ratelimit_timeout", 30.0)  # longer waits: RateLimited, the relay retries
        super().__init__(intents=intents(), allowed_mentions=discord.AllowedMentions.none(),
                         chunk_guilds_at_startup=False, **options)
        self.settings = settings
        self.desk = desk
        self.ack_after = ack_after
        self.guild_id = guild_id
        self.gateway_loop: asyncio.AbstractEventLoop | None = None
        self.commands_synced = 0
        self.ready_count = 0
        self._set_up = False
        self.tree = DeskCommandTree(self)
        self.tree.add_command(DeskCommands(self))
        self.tree.add_command(open_ticket_menu(self))

    async def setup_hook(self) -> None:
        self.gateway_loop = asyncio.get_running_loop()
        if self._set_up:
            return
        self._set_up = True
        self.add_dynamic_items(CardButton, ClarifyButton, RoutedButton)
        await self.sync_commands()

    async def sync_commands(self) -> None:
        """Register /sd and "Open ticket" with Discord: in one server at once when
        DISCORD_GUILD_ID is set (handy while trying the bot), otherwise everywhere."""
        try:
            if self.guild_id:
                guild = discord.Object(id=self.guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
            else:
                synced = await self.tree.sync()
        except discord.HTTPException as exc:
            log.error("Discord: could not register the /sd commands (%s); messages and buttons still work", exc)
            return
        self.commands_synced += 1
        log.info("Discord: registered %d application commands", len(synced))

    async def on_ready(self) -> None:
        self.ready_count += 1
        if self.ready_count > 1:
            log.info("Discord: ready again after a reconnect")
            return
        log.warning("Discord: connected as %s (%s) in %d servers", self.user, getattr(self.user, "id", "?"),
                    len(self.guilds))
        for where, channel_id in channel_ids_in(self.desk.organisation):
            if channel_id.isdigit() and self.get_channel(int(channel_id)) is None:
                log.warning("Discord: app.yaml %s is %s, a channel the bot can't see "
                            "(invite it there, or check the id)", where, channel_id)

    async def on_message(self, message: discord.Message) -> None:
        await intake.on_message(self, message)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Forms by their custom_id, and a clear answer for buttons that are not ours (any more)."""
        data = interaction.data or {}
        custom_id = str(data.get("custom_id", ""))
        if interaction.type is discord.InteractionType.modal_submit:
            form = re.fullmatch(RESOLVE_FORM, custom_id)
            if form:
                await resolve_submitted(interaction, form["ref"], submitted_text(interaction, "resolution"))
            else:
                await Responder(interaction, ack_after=self.ack_after).send("That form is no longer in use.")
        elif interaction.type is discord.InteractionType.component and not is_ours(custom_id):
            await Responder(interaction, ack_after=self.ack_after).send(
                "That button is no longer in use. Use /sd show with the ticket id instead.")


def create_discord_bot(settings: Settings, desk: Desk, **options) -> DeskBot:
    return DeskBot(settings, desk, **options)
