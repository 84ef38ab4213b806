"""Slack events: a DM or a mention reaches the desk; a reply in a ticket's thread is a comment; a
`:ticket:` reaction turns someone's message into their ticket.

Every listener only writes the event down (journal.py) and acknowledges; the work runs after the
ack (Bolt lazy listeners), and a journal replay finishes it after a crash. Each event
is handled once: its event_id (or, for reactions, the message) is the inbound dedup key, so
Slack's retries (X-Slack-Retry-Num) never open a second ticket or post a second answer.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack_front.context import Caller, SlackContext, in_background
from bot.slack_front.identity import PLATFORM
from bot.slack_front.journal import handled, write_down_then_ack
from bot.slack_front.markup import readable, strip_leading_mention
from handlers.intake import handle_message
from handlers.messages import Conversation, Inbound, Reply
from handlers.lookups import ticket_of_thread
from handlers.thread_comments import comment_from_thread

log = logging.getLogger(__name__)
TICKET_REACTION = "ticket"
PEOPLE_SUBTYPES = (None, "file_share", "thread_broadcast")  # messages a person wrote


def register(app: App, context: SlackContext) -> None:
    """Each event is written down before the ack and marked handled after the work (journal.py)."""
    for event_type, work in handlers(context).items():
        app.event(event_type)(ack=write_down_then_ack(context.desk), lazy=[work])


def handlers(context: SlackContext) -> dict:
    """The work after the ack, by event type (the journal replay runs the same)."""
    return {
        "message": handled(context.desk, in_background(
            context, "message", caller_of_event, lambda body: on_message(context, body))),
        "app_mention": handled(context.desk, in_background(
            context, "mention", caller_of_event, lambda body: on_mention(context, body))),
        "reaction_added": handled(context.desk, in_background(
            context, "reaction", caller_of_event, lambda body: on_reaction(context, body))),
    }


def dispatch(context: SlackContext) -> Callable[[dict], None]:
    """Run the work for a recorded event body (a journal replay)."""
    by_type = handlers(context)

    def run(body: dict) -> None:
        work = by_type.get((body.get("event") or {}).get("type"))
        if work is not None:
            work(body)

    return run


def register_fallback(app: App) -> None:
    """Events nobody listens to are still acknowledged (a 404 would make Slack retry them)."""
    app.event(re.compile(".*"))(acknowledge)


def acknowledge(ack) -> None:
    ack()


def caller_of_event(body: dict) -> Caller | None:
    event = body.get("event") or {}
    if not event.get("user"):
        return None
    channel = event.get("channel") or (event.get("item") or {}).get("channel")
    return Caller(event["user"], channel, event.get("thread_ts"))


def _bot_user_id(context: SlackContext, body: dict) -> str | None:
    if context.bot.user_id:
        return context.bot.user_id
    for authorization in body.get("authorizations") or ():
        if authorization.get("is_bot"):
            return authorization.get("user_id")
    return None


def _by_a_person(context: SlackContext, body: dict, event: dict) -> bool:
    return (event.get("subtype") in PEOPLE_SUBTYPES and not event.get("bot_id") and bool(event.get("user"))
            and event.get("user") != _bot_user_id(context, body) and bool(event.get("channel"))
            and bool(event.get("ts")))


def on_message(context: SlackContext, body: dict) -> None:
    """DMs go to the desk; in channels, only replies in a ticket's thread concern it."""
    event = body.get("event") or {}
    if not _by_a_person(context, body, event):
        return
    thread = event.get("thread_ts")
    if event.get("channel_type") == "im":
        _intake(context, body, event, Conversation(PLATFORM, event["channel"], thread or event["ts"]),
                event.get("text") or "")
        return
    bot = _bot_user_id(context, body)
    if not thread or (bot and f"<@{bot}" in (event.get("text") or "")):
        return  # channel chatter is none of the desk's business; a mention comes as app_mention
    conversation = Conversation(PLATFORM, event["channel"], thread)
    ticket = ticket_of_thread(context.desk, conversation)
    if ticket is None:
        return
    if _is_requester(ticket, event["user"]):
        _intake(context, body, event, conversation, event.get("text") or "")
    else:
        comment_from_thread(context.desk, _inbound(context, body, event, conversation, event.get("text") or ""))


def on_mention(context: SlackContext, body: dict) -> None:
    """A mention opens a ticket (or is answered) in the mention's thread; in a ticket's thread,
    someone other than the requester adds to that ticket."""
    event = body.get("event") or {}
    if not _by_a_person(context, body, event):
        return
    text = strip_leading_mention(event.get("text") or "", _bot_user_id(context, body))
    thread = event.get("thread_ts")
    conversation = Conversation(PLATFORM, event["channel"], thread or event["ts"])
    if thread:
        ticket = ticket_of_thread(context.desk, conversation)
        if ticket is not None and not _is_requester(ticket, event["user"]):
            comment_from_thread(context.desk, _inbound(context, body, event, conversation, text), acknowledge=True)
            return
    _intake(context, body, event, conversation, text)


def _is_requester(ticket: dict, user_id: str) -> bool:
    requester = ticket.get("requester") or {}
    return (requester.get("platform"), requester.get("user_id")) == (PLATFORM, user_id)


def on_reaction(context: SlackContext, body: dict) -> None:
    """`:ticket:` on a message: a ticket for the message's author, recording who reacted."""
    event = body.get("event") or {}
    item = event.get("item") or {}
    if event.get("reaction") != TICKET_REACTION or item.get("type") != "message":
        return
    channel, ts, reactor = item.get("channel"), item.get("ts"), event.get("user")
    bot = _bot_user_id(context, body)
    if not (channel and ts and reactor) or not event.get("item_user") or event.get("item_user") == bot:
        return
    message = fetch_message(context.client, channel, ts)
    if message is None:
        context.tell(Caller(reactor, channel), Reply(
            "I couldn't read that message, so I opened nothing. Is the desk a member of this channel?", ok=False))
        return
    author = message.get("user") or event["item_user"]
    if message.get("bot_id") or message.get("subtype") not in PEOPLE_SUBTYPES or author == bot:
        return
    directory = context.directory
    inbound = Inbound(
        directory.person(author), Conversation(PLATFORM, channel, message.get("thread_ts") or ts),
        readable(message.get("text") or "", name_of=directory.name_of), source="slack:reaction",
        external_id=f"{channel}:{ts}", reported_by=directory.person(reactor) if reactor != author else None,
    )
    reply = handle_message(context.desk, inbound)
    if reply is not None:  # nothing was opened: only the person who reacted hears why
        context.tell(Caller(reactor, channel, message.get("thread_ts")), reply)


def fetch_message(client: WebClient, channel: str, ts: str) -> dict | None:
    """One message by its ts, whether it starts a thread or replies in one."""
    attempts = (
        ("conversations_history", {"channel": channel, "latest": ts, "oldest": ts, "inclusive": True, "limit": 1}),
        ("conversations_replies", {"channel": channel, "ts": ts, "latest": ts, "oldest": ts, "inclusive": True}),
    )
    for method, arguments in attempts:
        try:
            messages = getattr(client, method)(**arguments).get("messages") or []
        except SlackApiError as error:
            log.warning("%s for %s/%s failed: %s", method, channel, ts, error.response.get("error"))
            continue
        for message in messages:
            if message.get("ts") == ts:
                return message
    return None


def _inbound(context: SlackContext, body: dict, event: dict, conversation: Conversation, text: str) -> Inbound:
    directory = context.directory
    return Inbound(directory.person(event["user"]), conversation, readable(text, name_of=directory.name_of),
                   source="slack:event", external_id=body.get("event_id") or f"{event['channel']}:{event['ts']}")


def _intake(context: SlackContext, body: dict, event: dict, conversation: Conversation, text: str) -> None:
    handle_message(context.desk, _inbound(context, body, event, conversation, text), reply_via_outbox=True)
