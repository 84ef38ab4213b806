"""Answering an interaction within Discord's 3 seconds.

The desk's handlers are synchronous (database, classifier), so they run in a worker thread.
If the work has not finished after `ack_after` seconds the interaction is deferred ("thinking…"
for commands, a silent acknowledgement for buttons) and the answer follows when it is ready.
Failures become a polite message, never a traceback.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, TypeVar

import discord

from bot.discord_front.embeds import CONTENT_LIMIT, clip
from storage.database import DatabaseUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")

DATABASE_DOWN = ("Sorry, the desk can't reach its database right now, so that was not recorded. "
                 "Please try again in a moment.")
OUR_FAULT = "Sorry, something went wrong on our side; it has been logged. Please try again."


class Failed:
    """The work failed and the user has been told."""


FAILED = Failed()


class Responder:
    def __init__(self, interaction: discord.Interaction, *, ack_after: float, ephemeral: bool = True) -> None:
        self.interaction = interaction
        self.ack_after = ack_after
        self.ephemeral = ephemeral

    @property
    def responded(self) -> bool:
        return self.interaction.response.is_done()

    async def run(self, work: Callable[[], T]) -> T | Failed:
        """Run blocking work off the event loop, deferring if it is slow; on failure tell the
        user and return FAILED."""
        task = asyncio.ensure_future(asyncio.to_thread(work))
        done, _ = await asyncio.wait({task}, timeout=self.ack_after)
        if not done:
            await self.defer()
        try:
            return await task
        except DatabaseUnavailable as exc:
            log.error("database unavailable during a Discord interaction: %s", exc)
            await self.send(DATABASE_DOWN, ephemeral=True)
        except Exception:
            log.exception("Discord interaction %s failed", self.interaction.id)
            await self.send(OUR_FAULT, ephemeral=True)
        return FAILED

    async def defer(self) -> None:
        if self.responded:
            return
        response = self.interaction.response
        try:
            if self.interaction.type is discord.InteractionType.application_command:
                await response.defer(ephemeral=self.ephemeral, thinking=True)
            else:  # buttons and forms: acknowledge now, update the message or follow up later
                await response.defer()
        except discord.HTTPException as exc:
            log.warning("could not defer interaction %s: %s", self.interaction.id, exc)

    async def send(self, content: str, *, ephemeral: bool | None = None, embed: discord.Embed | None = None,
                   view: discord.ui.View | None = None) -> None:
        """A message for the user: the response, or a follow-up once deferred."""
        ephemeral = self.ephemeral if ephemeral is None else ephemeral
        options: dict[str, Any] = {"content": clip(content, CONTENT_LIMIT) or None, "ephemeral": ephemeral}
        if embed is not None:
            options["embed"] = embed
        if view is not None:
            options["view"] = view
        try:
            if self.responded:
                await self.interaction.followup.send(**options)
            else:
                await self.interaction.response.send_message(**options)
        except discord.HTTPException as exc:
            log.warning("could not answer interaction %s: %s", self.interaction.id, exc)

    async def update(self, *, content: str | None = None, embed: discord.Embed | None = None,
                     view: discord.ui.View | None = None) -> None:
        """Edit the message the button or form belongs to (its text stays unless given)."""
        options: dict[str, Any] = {"view": view}
        if embed is not None:
            options["embed"] = embed
        if content is not None:
            options["content"] = clip(content, CONTENT_LIMIT)
        try:
            if self.responded:
                await self.interaction.edit_original_response(**options)
            else:
                await self.interaction.response.edit_message(**options)
        except discord.HTTPException as exc:
            log.warning("could not update the message of interaction %s: %s", self.interaction.id, exc)
