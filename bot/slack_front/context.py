"""What every Slack listener works with, and how work after the ack fails safely.

Work after the ack runs in the background: when it fails, the person is told in words (never a
traceback) and the details go to the log. When the database is down the outbox is too, so that
apology is the one message posted directly.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.slack_front.identity import PLATFORM, BotIdentity, Directory
from bot.slack_front.markup import escape
from handlers.desk import Desk
from handlers.interactions import answer_privately
from handlers.messages import Person, Reply
from storage.database import DatabaseUnavailable

log = logging.getLogger(__name__)
DATABASE_DOWN = ("Sorry, the desk can't reach its database right now, so that was not recorded. "
                 "Please try again in a moment.")
OUR_FAULT = "Sorry, something went wrong on our side; it has been logged. Please try again."


@dataclass
class SlackContext:
    desk: Desk
    client: WebClient  # carries the bot token
    directory: Directory
    bot: BotIdentity = field(default_factory=BotIdentity)

    def tell(self, caller: Caller, reply: Reply) -> None:
        """An answer only the caller sees, through the outbox."""
        answer_privately(self.desk, person=Person(PLATFORM, caller.user_id, caller.user_id), channel=caller.channel
                         or caller.user_id, reply=reply, thread=caller.thread, reply_address=caller.response_url)


@dataclass(frozen=True)
class Caller:
    """Who set the work off, and where an answer for them can go."""

    user_id: str
    channel: str | None = None
    thread: str | None = None
    response_url: str | None = None


def in_background(context: SlackContext, what: str, caller_of: Callable[[dict], Caller | None],
                  work: Callable[[dict], None]) -> Callable[[dict], None]:
    """A Bolt lazy listener running `work(body)`, telling the caller when it fails."""

    def run(body: dict) -> None:
        caller = None
        try:
            caller = caller_of(body)
            work(body)
        except DatabaseUnavailable as error:
            log.error("slack %s: database unavailable: %s", what, error)
            _apologise_directly(context, caller, DATABASE_DOWN)
        except Exception:
            log.exception("slack %s failed (caller %s)", what, caller.user_id if caller else "unknown")
            try:
                if caller is not None:
                    context.tell(caller, Reply(OUR_FAULT, ok=False))
            except Exception:
                _apologise_directly(context, caller, OUR_FAULT)

    run.__name__ = f"{what.replace(' ', '_')}_after_ack"
    return run


def open_form(context: SlackContext, caller: Caller, trigger_id: str | None, view: dict) -> None:
    """Open a modal now: Slack's trigger_id is valid for 3 seconds only, so this cannot wait in
    the outbox (it posts no message). A failure is told privately, through the outbox."""
    try:
        context.client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        log.warning("views.open failed: %s", error.response.get("error"))
        context.tell(caller, Reply("Slack didn't let me open the form in time; please try again.", ok=False))


def _apologise_directly(context: SlackContext, caller: Caller | None, text: str) -> None:
    if caller is None:
        return
    try:
        if caller.response_url:
            WebhookClient(caller.response_url, timeout=5, retry_handlers=[]).send(
                text=escape(text), response_type="ephemeral", replace_original=False)
        elif caller.channel:
            context.client.chat_postEphemeral(channel=caller.channel, user=caller.user_id, text=escape(text),
                                              **({"thread_ts": caller.thread} if caller.thread else {}))
    except Exception as error:  # Slack is unreachable as well: the log has it
        log.warning("could not tell %s that their request failed: %s", caller.user_id, error)
