"""A report's chart on Discord: the PNG attached to the message (multipart upload by discord.py).

`/sd report` answers the caller privately with the summary; the chart follows in the channel
where the command was used, through the outbox (so a restart or an outage doesn't lose it).
The weekly report goes to its channel the same way, summary and chart in one message.
"""
from __future__ import annotations

import asyncio
import io

import discord

from bot.discord_front.embeds import CONTENT_LIMIT, clip
from bot.discord_front.inbound import PLATFORM
from handlers.messages import Reply
from handlers.relay import Notification
from handlers.report_posting import attachment_of, share


def queue(desk, interaction: discord.Interaction, reply: Reply) -> None:
    """Queue the chart of a `/sd report` answer for the channel the command was used in."""
    share(desk, platform=PLATFORM, destination="channel", address=str(interaction.channel_id),
          text=reply.attachment.get("title", ""), attachment=reply.attachment)


async def deliver(sender, notification: Notification) -> str | None:
    attachment = await asyncio.to_thread(attachment_of, sender.bot.desk, notification.payload)
    if notification.destination == "user":
        where = await sender.bot.create_dm(discord.Object(id=int(notification.address)))
    else:
        where = sender._messageable(notification.address)
    options: dict = {"content": clip(notification.text, CONTENT_LIMIT) or None,
                     "allowed_mentions": discord.AllowedMentions.none()}
    if attachment is not None:
        options["file"] = discord.File(io.BytesIO(attachment.content), filename=attachment.filename,
                                       description=attachment.title[:1000])
    posted = await where.send(**options)
    return str(posted.id) if posted is not None else None
