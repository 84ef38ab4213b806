"""Major-incident channels on Slack (the outbox's `new_channel` and `archive_channel`):

- `new_channel`: `conversations.create` (a channel left by an earlier attempt, `name_taken`, is
  found with `conversations.list` and reused), `conversations.invite` with the queue's staff and
  the managers, `conversations.setTopic`, then the intro with the ticket card. Returns the
  channel id; the relay remembers it, so later posts to the name reach the channel.
- `archive_channel`: the closing note, then `conversations.archive`.

Needs the `channels:manage` and `channels:read` scopes (bot/slack_manifest.yaml). A failed invite
(someone deactivated, say) is logged and does not stop the channel from opening.
"""
from __future__ import annotations

import logging

from bot.slack_front import blocks

log = logging.getLogger(__name__)
INVITE_PROBLEMS = {"already_in_channel", "cant_invite_self", "user_not_found", "user_is_restricted",
                   "cant_invite", "user_is_deactivated"}
LIST_PAGES = 20


def create(sender, notification) -> str | None:
    from bot.slack_front.sender import SlackRefused

    payload = notification.payload
    name = str(payload.get("name") or notification.address).lstrip("#")
    try:
        channel = sender._call("conversations_create", name=name, is_private=False)["channel"]["id"]
    except SlackRefused as refused:
        if refused.error != "name_taken":
            raise
        channel = _find(sender, name)
        if channel is None:
            raise
    users = [user for user in payload.get("invite") or [] if user]
    if users:
        try:
            sender._call("conversations_invite", channel=channel, users=",".join(users))
        except SlackRefused as refused:
            if refused.error not in INVITE_PROBLEMS:
                raise
            log.warning("inviting %s to %s: %s", users, name, refused.error)
    if payload.get("topic"):
        try:
            sender._call("conversations_setTopic", channel=channel, topic=payload["topic"])
        except SlackRefused as refused:
            log.warning("cannot set the topic of %s: %s", name, refused.error)
    intro = blocks.text_sections(notification.text)
    if payload.get("ticket"):
        intro += blocks.team_card(payload["ticket"], sender.labels)
    sender._post(channel=channel, text=notification.text, blocks=intro[:blocks.MAX_BLOCKS])
    return channel


def archive(sender, notification) -> None:
    from bot.slack_front.sender import SlackRefused

    channel = notification.address
    sender._post(channel=channel, text=notification.text, blocks=blocks.notice(notification.text))
    try:
        sender._call("conversations_archive", channel=channel)
    except SlackRefused as refused:
        if refused.error != "already_archived":
            raise
    return None


def _find(sender, name: str) -> str | None:
    cursor = None
    for _ in range(LIST_PAGES):
        answer = sender._call("conversations_list", types="public_channel", exclude_archived=True, limit=200,
                              cursor=cursor)
        for channel in answer.get("channels") or []:
            if channel.get("name") == name:
                return channel.get("id")
        cursor = (answer.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
    return None
