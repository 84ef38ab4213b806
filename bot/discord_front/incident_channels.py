"""Major-incident channels on Discord (the outbox's `new_channel` and `archive_channel`).

- `new_channel`: a private text channel in the server (and category) of the ticket's queue
  channel (`near` in the payload): @everyone cannot see it; the invited staff and the bot can.
  A channel of that name left by an earlier attempt is reused. The intro goes in with the ticket
  card; the channel id is returned, and the relay remembers it under the name.
- `archive_channel`: Discord has no archive, so the channel is marked: the closing note is
  posted, it is renamed `archived-<name>` and nobody can write in it any more.

The bot needs the Manage Channels and Manage Roles permissions in that server.
"""
from __future__ import annotations

import discord

VIEW = discord.Permissions(view_channel=True).value
WRITE = discord.Permissions(view_channel=True, send_messages=True, read_message_history=True, embed_links=True).value
SEND = discord.Permissions(send_messages=True).value
EVERYONE_ROLE, MEMBER = 0, 1  # permission overwrite types


async def create(sender, notification) -> str:
    from bot.discord_front.sender import _message
    from bot.discord_front.views import card_view
    from handlers.relay import DeliveryFailed

    payload = notification.payload
    http = sender.bot.http
    name = str(payload.get("name") or notification.address).lstrip("#")
    near = payload.get("near")
    if not near:
        raise DeliveryFailed(f"no Discord channel of the queue to open {name} beside (check app.yaml)")
    beside = await http.get_channel(int(near))
    guild_id = beside.get("guild_id")
    if not guild_id:
        raise DeliveryFailed(f"the queue's Discord channel {near} is not in a server")
    found = next((c for c in await http.get_all_guild_channels(int(guild_id)) if c.get("name") == name), None)
    if found is None:
        members = {str(sender.bot.user.id), *(str(user) for user in payload.get("invite") or [] if str(user).isdigit())}
        overwrites = [{"id": str(guild_id), "type": EVERYONE_ROLE, "allow": "0", "deny": str(VIEW)}]
        overwrites += [{"id": member, "type": MEMBER, "allow": str(WRITE), "deny": "0"} for member in sorted(members)]
        options = {"name": name, "topic": (payload.get("topic") or "")[:1024], "permission_overwrites": overwrites}
        if beside.get("parent_id"):
            options["parent_id"] = beside["parent_id"]
        found = await http.create_channel(int(guild_id), 0, reason="major incident", **options)
    channel_id = str(found["id"])
    ticket = payload.get("ticket")
    extra = {"embed": sender._card(ticket), "view": card_view(ticket)} if ticket else {}
    await sender._messageable(channel_id).send(**_message(notification.text, **extra))
    return channel_id


async def archive(sender, notification) -> None:
    from bot.discord_front.sender import _message

    channel_id = int(notification.address)
    http = sender.bot.http
    await sender._messageable(str(channel_id)).send(**_message(notification.text))
    channel = await http.get_channel(channel_id)
    name = channel.get("name") or ""
    overwrites = [dict(o) for o in channel.get("permission_overwrites") or []]
    for overwrite in overwrites:  # nobody writes any more; everyone invited can still read
        if overwrite.get("type") == MEMBER and str(overwrite.get("id")) != str(sender.bot.user.id):
            overwrite["allow"] = str(int(overwrite.get("allow", 0)) & ~SEND)
            overwrite["deny"] = str(int(overwrite.get("deny", 0)) | SEND)
    await http.edit_channel(channel_id, reason="major incident resolved", permission_overwrites=overwrites,
                            name=name if name.startswith("archived-") else f"archived-{name}"[:100])
    return None
