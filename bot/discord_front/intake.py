"""Messages people write to the desk on Discord.

The desk listens to: every DM; a server message that @mentions the bot; and, inside a ticket's
thread (one the bot opened), the requester's messages, which become comments. Everything else in
a server is other people's conversation and is left alone.

The handler writes its answers to the outbox in the same transaction (the relay posts them), so a
message is acknowledged at once and nothing is lost if posting fails.
"""
from __future__ import annotations

import asyncio
import logging

import discord

from bot.discord_front.inbound import (
    HANDLED_TYPES, PLATFORM, SOURCE, channel_of, conversation_of, is_addressed_to_bot, person_of, text_of,
)
from bot.discord_front.respond import DATABASE_DOWN, OUR_FAULT
from handlers.intake import handle_message
from handlers.lookups import ticket_of_thread
from handlers.messages import Inbound
from storage.database import DatabaseUnavailable

log = logging.getLogger(__name__)


def _is_for_the_desk(message: discord.Message) -> bool:
    return not message.author.bot and message.webhook_id is None and message.type in HANDLED_TYPES


async def on_message(bot, message: discord.Message) -> None:
    me = bot.user
    if me is None or not _is_for_the_desk(message):
        return
    addressed = message.guild is None or is_addressed_to_bot(me, message)
    channel = message.channel
    if not addressed:
        # Only a ticket thread the bot opened is worth a look (and a database read).
        if isinstance(channel, discord.PartialMessageable):
            channel = await channel_of(bot, message)
        if not isinstance(channel, discord.Thread) or channel.owner_id != me.id:
            return
    elif isinstance(channel, discord.PartialMessageable) and message.guild is not None:
        channel = await channel_of(bot, message)
        if channel is None:
            return
    conversation = conversation_of(channel, message)
    person = person_of(message.author)
    inbound = Inbound(person, conversation, text_of(me, message), source=SOURCE, external_id=str(message.id))

    def work() -> None:
        if not addressed:
            ticket = ticket_of_thread(bot.desk, conversation) or {}
            requester = ticket.get("requester") or {}
            if (requester.get("platform"), str(requester.get("user_id"))) != (PLATFORM, person.user_id):
                return  # someone else chatting in the thread: not for the desk
        handle_message(bot.desk, inbound, reply_via_outbox=True)

    try:
        await asyncio.to_thread(work)
    except DatabaseUnavailable as exc:
        log.error("database unavailable for Discord message %s: %s", message.id, exc)
        await _answer_directly(message, DATABASE_DOWN)
    except Exception:
        log.exception("Discord message %s failed", message.id)
        await _answer_directly(message, OUR_FAULT)


async def _answer_directly(message: discord.Message, text: str) -> None:
    """An apology when the desk itself failed (the outbox may be what is down)."""
    try:
        await message.channel.send(text, reference=message.to_reference(fail_if_not_exists=False),
                                   allowed_mentions=discord.AllowedMentions.none())
    except discord.HTTPException as exc:
        log.warning("could not tell %s that the desk failed: %s", message.author.id, exc)
