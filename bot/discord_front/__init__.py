"""The Discord front end: built by `servicedesk serve` when DISCORD_TOKEN is set.

The gateway client runs on its own event loop in a thread beside uvicorn; the outbox relay
(a scheduler thread) hands it notifications through DiscordSender.
"""
from __future__ import annotations

import asyncio
import logging
import threading

import discord

from bot.config import Settings
from bot.discord_front.client import DeskBot, create_discord_bot
from bot.discord_front.config import check_config
from bot.discord_front.sender import DiscordSender
from bot.front_end import FrontEnd, require
from handlers.desk import Desk

log = logging.getLogger(__name__)


class GatewayThread:
    """Runs the bot's gateway connection on its own event loop, in a daemon thread."""

    def __init__(self, bot: DeskBot, token: str) -> None:
        self.bot = bot
        self.token = token
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        if self.thread is not None and self.thread.is_alive():
            return
        self.thread = threading.Thread(target=self._run, name="discord-gateway", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except Exception:  # never take the serving process down with it
            log.exception("Discord: the gateway thread stopped")

    async def _main(self) -> None:
        try:
            async with self.bot:
                await self.bot.start(self.token, reconnect=True)
        except discord.LoginFailure:
            log.error("Discord: DISCORD_TOKEN was rejected; copy the bot token again from the "
                      "developer portal (Bot → Reset Token)")
        except discord.PrivilegedIntentsRequired:
            log.error("Discord: switch on \"Message Content Intent\" for the bot in the developer portal "
                      "(Bot → Privileged Gateway Intents), then restart")
        except asyncio.CancelledError:
            pass

    def stop(self, timeout: float = 10.0) -> None:
        loop = self.bot.gateway_loop
        if loop is not None and loop.is_running() and not self.bot.is_closed():
            try:
                asyncio.run_coroutine_threadsafe(self.bot.close(), loop).result(timeout)
            except Exception as exc:
                log.warning("Discord: closing the connection failed: %s", exc)
        if self.thread is not None:
            self.thread.join(timeout)


def build_front_end(settings: Settings, desk: Desk, environ: dict) -> FrontEnd:
    token = require(environ, "DISCORD_TOKEN", "the bot token from the Discord developer portal")
    guild_id = check_config(settings, environ)
    bot = create_discord_bot(settings, desk, guild_id=guild_id)
    gateway = GatewayThread(bot, token)
    return FrontEnd(name="discord", sender=DiscordSender(bot), start=gateway.start, stop=gateway.stop)
