"""Discord messages and users as the desk's neutral objects (handlers.messages).

Where a conversation lives, on Discord:
- a DM: Conversation(DM channel id), no thread;
- a message in a server channel: Conversation(channel id, thread = the message's id): a thread
  started from a message has the message's id, so the answer opens that thread (the sender
  creates it on the first post about a ticket);
- a message inside a thread: Conversation(parent channel id, thread id).
"""
from __future__ import annotations

import logging
import re

import discord

from handlers.messages import Conversation, Person

log = logging.getLogger(__name__)
PLATFORM = "discord"
SOURCE = "discord"
HANDLED_TYPES = (discord.MessageType.default, discord.MessageType.reply)


def person_of(user: discord.abc.User) -> Person:
    """Who acted, with their server roles as groups (staff may be listed by role id)."""
    roles = getattr(user, "roles", None) or []
    groups = tuple(str(role.id) for role in roles if not role.is_default())
    return Person(PLATFORM, str(user.id), user.display_name, groups=groups)


def bot_role_ids(me: discord.abc.User, guild: discord.Guild | None) -> set[int]:
    """The bot's own managed role in a server: people sometimes pick it instead of the bot."""
    if guild is None or guild.self_role is None:
        return set()
    return {guild.self_role.id}


def is_addressed_to_bot(me: discord.abc.User, message: discord.Message) -> bool:
    """A direct @mention of the bot (or its role). @everyone and @here do not count."""
    if any(user.id == me.id for user in message.mentions):
        return True
    return bool(bot_role_ids(me, message.guild) & set(message.raw_role_mentions))


def text_of(me: discord.abc.User, message: discord.Message) -> str:
    """The words of a message, without the mention that addressed the bot, plus links to any
    attachments (screenshots are half of most reports)."""
    text = re.sub(rf"<@!?{me.id}>", " ", message.content)
    for role_id in bot_role_ids(me, message.guild):
        text = text.replace(f"<@&{role_id}>", " ")
    text = re.sub(r"[ \t]{2,}", " ", text).strip()
    links = [f"{attachment.filename}: {attachment.url}" for attachment in message.attachments]
    if links:
        text = (text + "\n\nAttachments:\n" if text else "Attachments:\n") + "\n".join(links)
    return text


async def channel_of(client: discord.Client, message: discord.Message):
    """The message's channel; fetched from Discord when it is not cached (e.g. a thread from
    before a restart), None when Discord can't tell us."""
    channel = message.channel
    if message.guild is not None and isinstance(channel, discord.PartialMessageable):
        try:
            return await client.fetch_channel(channel.id)
        except discord.HTTPException as exc:
            log.warning("cannot look up Discord channel %s: %s", channel.id, exc)
            return None
    return channel


def conversation_of(channel, message: discord.Message) -> Conversation:
    """Where this message lives, as the desk records it."""
    if isinstance(channel, discord.Thread):
        return Conversation(PLATFORM, str(channel.parent_id), str(channel.id))
    if message.guild is None or isinstance(channel, (discord.DMChannel, discord.GroupChannel)):
        return Conversation(PLATFORM, str(channel.id))
    return Conversation(PLATFORM, str(channel.id), str(message.id))
