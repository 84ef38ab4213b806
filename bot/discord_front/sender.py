"""Delivering the outbox to Discord (handlers.relay calls `send` from its own thread).

- channel (a queue's or the managers' channel): the first post about a ticket is its card, an
  embed with Take / Resolve / Escalate; later notifications edit the card to the ticket's
  current state and add the news as a reply under it.
- conversation (the requester): in their DM, or in the ticket's thread on the message that
  reported it (opened here on the first post about the ticket; quick answers that open no ticket
  are a reply to the message instead).
- user (a member of staff): a DM with the ticket and its buttons.
- new_channel / archive_channel: a major incident's private channel (incident_channels.py).

Everything is sent with AllowedMentions.none(). Rate limits (429), Discord outages (5xx) and
connection errors raise DeliveryFailed, so the relay retries later (with Retry-After).
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from datetime import datetime
from typing import Any

import aiohttp
import discord

from bot.discord_front import incident_channels, report_files
from bot.discord_front.embeds import CONTENT_LIMIT, clip, requester_embed, thread_name, ticket_card
from bot.discord_front.inbound import PLATFORM
from bot.discord_front.views import card_view, choices_view
from handlers.relay import DeliveryFailed, Notification
from handlers.report_posting import ATTACHMENT

log = logging.getLogger(__name__)
THREAD_ALREADY_EXISTS = 160004
THREAD_ARCHIVE_MINUTES = 10080  # a week
CARDS_REMEMBERED = 10_000


class DiscordSender:
    platform = PLATFORM

    def __init__(self, bot: discord.Client, *, timeout: float = 60.0) -> None:
        self.bot = bot
        self.timeout = timeout
        self._card_versions: dict[str, datetime] = {}  # card message id -> state it shows

    def send(self, notification: Notification) -> str | None:
        loop = getattr(self.bot, "gateway_loop", None)
        if loop is None or not loop.is_running() or self.bot.user is None or self.bot.is_closed():
            raise DeliveryFailed("the Discord connection is not up yet")
        future = asyncio.run_coroutine_threadsafe(self.deliver(notification), loop)
        try:
            return future.result(timeout=self.timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise DeliveryFailed(f"Discord did not answer within {self.timeout:.0f}s") from None

    async def deliver(self, notification: Notification) -> str | None:
        """Post (or edit) one notification; Discord's errors as DeliveryFailed."""
        try:
            if notification.payload.get(ATTACHMENT):  # a report's chart
                return await report_files.deliver(self, notification)
            if notification.destination == "channel":
                return await self._to_channel(notification)
            if notification.destination == "user":
                return await self._to_user(notification)
            if notification.destination == "new_channel":  # a major incident's channel
                return await incident_channels.create(self, notification)
            if notification.destination == "archive_channel":
                return await incident_channels.archive(self, notification)
            return await self._to_conversation(notification)
        except discord.RateLimited as exc:
            raise DeliveryFailed(f"Discord rate limit ({exc.retry_after:.1f}s)", retry_after=exc.retry_after) from None
        except discord.HTTPException as exc:
            if exc.status == 429:
                raise DeliveryFailed("Discord rate limit", retry_after=_retry_after(exc)) from None
            if exc.status >= 500:
                raise DeliveryFailed(f"Discord is having trouble ({exc.status})") from None
            raise DeliveryFailed(f"Discord refused {notification.destination} {notification.address}: "
                                 f"{exc.status} {exc.text or ''} (check the bot's permissions there)".strip()) from None
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            raise DeliveryFailed(f"cannot reach Discord: {type(exc).__name__} {exc}") from None
        except ValueError as exc:
            raise DeliveryFailed(f"not a Discord id in {notification.destination} {notification.address!r} "
                                 f"(check app.yaml): {exc}") from None

    # Destinations.

    async def _to_channel(self, notification: Notification) -> str | None:
        ticket = notification.payload.get("ticket")
        channel = self._messageable(notification.address)
        if not ticket:
            return _id(await channel.send(**_message(notification.text)))
        card = self._card(ticket)
        if notification.card_ref:
            try:
                if self._newer(notification.card_ref, ticket):
                    await channel.get_partial_message(int(notification.card_ref)).edit(embed=card, view=card_view(ticket))
            except discord.NotFound:  # the card was deleted: post a fresh one
                return _id(await channel.send(**_message(notification.text, embed=card, view=card_view(ticket))))
            reference = discord.MessageReference(message_id=int(notification.card_ref), channel_id=channel.id,
                                                 fail_if_not_exists=False)
            await channel.send(**_message(notification.text), reference=reference)
            return notification.card_ref
        posted = await channel.send(**_message(notification.text, embed=card, view=card_view(ticket)))
        self._newer(str(posted.id), ticket)
        return _id(posted)

    async def _to_user(self, notification: Notification) -> str | None:
        ticket = notification.payload.get("ticket")
        dm = await self.bot.create_dm(discord.Object(id=int(notification.address)))
        choices = notification.payload.get("choices") or []
        extra: dict[str, Any] = {"embed": self._card(ticket)} if ticket else {}
        # A question's buttons (an approval's Approve / Deny) win over the card's own.
        view = choices_view(choices) if choices else (card_view(ticket) if ticket else None)
        return _id(await dm.send(**_message(notification.text, **extra, view=view)))

    async def _to_conversation(self, notification: Notification) -> str | None:
        payload = notification.payload
        ticket = payload.get("ticket")
        message = _message(notification.text, embed=requester_embed(ticket) if ticket else None,
                           view=choices_view(payload.get("choices") or []))
        address, thread = notification.address, notification.thread
        if not thread or thread == address:
            return _id(await self._messageable(address).send(**message))
        try:
            return _id(await self._messageable(thread).send(**message))
        except discord.NotFound:
            pass  # no such thread yet: the thread id is the reporting message's id
        if ticket:
            opened = await self._open_thread(address, thread, ticket)
            if opened is not None:
                return _id(await opened.send(**message))
        reference = discord.MessageReference(message_id=int(thread), channel_id=int(address), fail_if_not_exists=False)
        return _id(await self._messageable(address).send(**message, reference=reference))

    # Helpers.

    def _messageable(self, channel_id: str):
        number = int(channel_id)
        return self.bot.get_channel(number) or self.bot.get_partial_messageable(number)

    async def _open_thread(self, address: str, message_id: str, ticket: dict):
        """Start the ticket's thread on the message that reported it; None where that can't be
        done (no permission, message gone, not a text channel)."""
        parent = self.bot.get_channel(int(address))
        if parent is None:
            try:
                parent = await self.bot.fetch_channel(int(address))
            except discord.HTTPException as exc:
                log.warning("cannot look up Discord channel %s: %s", address, exc)
                return None
        if not isinstance(parent, discord.TextChannel):  # text and announcement channels have threads
            return None
        try:
            return await parent.get_partial_message(int(message_id)).create_thread(
                name=thread_name(ticket), auto_archive_duration=THREAD_ARCHIVE_MINUTES)
        except discord.HTTPException as exc:
            if exc.code == THREAD_ALREADY_EXISTS:
                return self.bot.get_partial_messageable(int(message_id))
            if 400 <= exc.status < 500 and exc.status != 429:  # no permission, message gone, …
                log.warning("cannot open a thread on message %s in %s: %s", message_id, address, exc)
                return None
            raise

    def _card(self, ticket: dict) -> discord.Embed:
        member = self.bot.desk.organisation.staff_named(ticket["assignee"]) if ticket.get("assignee") else None
        return ticket_card(ticket, assignee_label=member.label if member else None)

    def _newer(self, card_ref: str, ticket: dict) -> bool:
        """Whether this snapshot is at least as new as what the card shows (a retried, older
        notification must not roll the card back); remembers it when it is."""
        try:
            at = datetime.fromisoformat(ticket.get("updated_at") or "")
        except ValueError:
            return True
        shown = self._card_versions.get(card_ref)
        if shown is not None and at < shown:
            return False
        if len(self._card_versions) >= CARDS_REMEMBERED:
            self._card_versions.clear()
        self._card_versions[card_ref] = at
        return True


def _message(text: str, *, embed: discord.Embed | None = None, view: discord.ui.View | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"content": clip(text, CONTENT_LIMIT) or None,
                               "allowed_mentions": discord.AllowedMentions.none()}
    if embed is not None:
        message["embed"] = embed
    if view is not None:
        message["view"] = view
    return message


def _id(message: discord.Message | None) -> str | None:
    return str(message.id) if message is not None else None


def _retry_after(exc: discord.HTTPException) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
