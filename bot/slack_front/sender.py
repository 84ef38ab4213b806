"""The outbox relay's Slack side: render a notification as Block Kit and deliver it.

- team channels: the first post about a ticket is its card; later notifications update the card
  in place (`chat.update`) and add what happened as a reply in the card's thread;
- the requester's conversation (a DM or a channel thread): the card when the ticket opens, then
  notices in the same thread; the desk's questions come with buttons;
- a member of staff: a direct message;
- a private answer (ephemeral): through the interaction's response_url while it is valid, else
  `chat.postEphemeral`, else a direct message;
- a major incident's channel: created, with invites, and archived later (incident_channels.py).

Rate limits (429) raise DeliveryFailed with Slack's Retry-After, and hold back every later message
until then, so their order is kept; 5xx answers and unreachable Slack raise DeliveryFailed too
and the relay retries with backoff. A card is never set back to an older state.
"""
from __future__ import annotations

import http.client
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.slack_front import blocks, files, incident_channels
from bot.slack_front.blocks import Labels, fallback_text, labels_for
from handlers.desk import Desk
from handlers.relay import DeliveryFailed, Notification
from handlers.report_posting import ATTACHMENT

log = logging.getLogger(__name__)
PLATFORM = "slack"
DEFAULT_RETRY_AFTER = 30.0
TRANSIENT_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
GONE_CARD = {"message_not_found", "cant_update_message", "edit_window_closed", "thread_not_found"}
NOT_THERE = {"channel_not_found", "not_in_channel", "user_not_in_channel", "is_archived"}


class SlackRefused(Exception):
    """Slack answered with an error that retrying the same call will not fix."""

    def __init__(self, method: str, error: str) -> None:
        super().__init__(f"Slack refused {method}: {error}")
        self.error = error


class SlackSender:
    platform = PLATFORM

    def __init__(self, client: WebClient, desk: Desk, *, name_of: Callable[[str], str] | None = None,
                 webhook_timeout: int = 10) -> None:
        self.client = client
        self.desk = desk
        self.name_of = name_of
        self.webhook_timeout = webhook_timeout
        self._lock = threading.Lock()
        self._held_until: datetime | None = None
        self._card_versions: dict[str, int] = {}  # card ts -> newest notification shown on it

    # The relay calls this.
    def send(self, notification: Notification) -> str | None:
        self._wait_for_rate_limit()
        try:
            if notification.payload.get(ATTACHMENT):  # a report's chart
                return files.deliver(self, notification)
            if notification.destination == "channel":
                return self._to_channel(notification)
            if notification.destination == "conversation":
                return self._to_conversation(notification)
            if notification.destination == "user":
                return self._post(channel=notification.address, text=notification.text,
                                  blocks=blocks.notice(notification.text, notification.payload.get("ticket")))
            if notification.destination == "ephemeral":
                return self._privately(notification)
            if notification.destination == "new_channel":  # a major incident's channel
                return incident_channels.create(self, notification)
            if notification.destination == "archive_channel":
                return incident_channels.archive(self, notification)
        except SlackRefused as refused:
            raise DeliveryFailed(f"{refused} (to {notification.destination} {notification.address})") from None
        log.error("outbox %s: unknown destination %r, dropped", notification.id, notification.destination)
        return None

    @property
    def labels(self) -> Labels:
        return labels_for(self.desk.organisation, name_of=self.name_of)

    # Destinations.
    def _to_channel(self, notification: Notification) -> str | None:
        """Returns the card's ts (the relay remembers it): a new card's, or the existing one's."""
        ticket = notification.payload.get("ticket")
        if not ticket:
            choices = notification.payload.get("choices")  # e.g. "these look related; open a problem?"
            return self._post(channel=notification.address, text=notification.text,
                              blocks=blocks.question(notification.text, choices) if choices
                              else blocks.notice(notification.text))
        card = blocks.team_card(ticket, self.labels)
        if notification.card_ref is None:
            return self._new_card(notification, card)
        if self._is_newest(notification.card_ref, notification.id):
            try:
                self._call("chat_update", channel=notification.address, ts=notification.card_ref,
                           text=fallback_text(notification.text), blocks=card)
                self._shown(notification.card_ref, notification.id)
            except SlackRefused as refused:
                if refused.error not in GONE_CARD:
                    raise
                log.warning("the card of %s in %s is gone (%s); posting it again", ticket.get("id"),
                            notification.address, refused.error)
                return self._new_card(notification, card)
        try:
            self._post(channel=notification.address, thread=notification.card_ref, text=notification.text,
                       blocks=blocks.notice(notification.text))
        except SlackRefused as refused:
            if refused.error not in GONE_CARD:
                raise
            return self._new_card(notification, card)
        return notification.card_ref

    def _new_card(self, notification: Notification, card: list[dict]) -> str | None:
        posted = self._post(channel=notification.address, text=notification.text, blocks=card)
        self._shown(posted, notification.id)
        return posted

    def _to_conversation(self, notification: Notification) -> str | None:
        payload = notification.payload
        ticket = payload.get("ticket")
        if payload.get("choices"):
            rendered = blocks.question(notification.text, payload["choices"])
        elif notification.event == "opened" and ticket:
            rendered = blocks.requester_card(notification.text, ticket, self.labels)
        else:
            rendered = blocks.notice(notification.text, ticket if notification.event != "answer" else None)
        return self._post(channel=notification.address, thread=notification.thread, text=notification.text,
                          blocks=rendered)

    def _privately(self, notification: Notification) -> str | None:
        payload = notification.payload
        rendered = blocks.answer(notification.text, payload.get("ticket"), choices=payload.get("choices"))
        text = fallback_text(notification.text)
        if payload.get("reply_address") and self._respond(payload["reply_address"], text, rendered):
            return None
        user = payload.get("user_id")
        try:
            answer = self._call("chat_postEphemeral", channel=notification.address, user=user, text=text,
                                blocks=rendered, thread_ts=notification.thread)
            return answer.get("message_ts")
        except SlackRefused as refused:
            if refused.error not in NOT_THERE:
                raise
        return self._post(channel=user, text=notification.text, blocks=rendered)

    # Slack calls.
    def _post(self, *, channel: str, text: str, blocks: list[dict], thread: str | None = None) -> str | None:
        """Post a message; `text` is the raw notification text (escaped here)."""
        answer = self._call("chat_postMessage", channel=channel, thread_ts=thread, text=fallback_text(text),
                            blocks=blocks, unfurl_links=False, unfurl_media=False, link_names=False)
        return answer.get("ts")

    def _respond(self, url: str, text: str, rendered: list[dict]) -> bool:
        """Answer through a response_url; False when it no longer works (expired or used up)."""
        try:
            answer = WebhookClient(url, timeout=self.webhook_timeout, retry_handlers=[]).send(
                text=text, blocks=rendered, response_type="ephemeral", replace_original=False)
        except (ValueError, http.client.InvalidURL) as error:  # not a usable URL: answer another way
            log.warning("unusable response_url (%s); answering another way", error)
            return False
        except (OSError, http.client.HTTPException) as error:
            raise DeliveryFailed(f"cannot reach Slack's response_url: {error}") from None
        if answer.status_code == 429:
            self._hold(_retry_after(answer.headers))
            raise DeliveryFailed("Slack rate limit on response_url", retry_after=_retry_after(answer.headers))
        if answer.status_code >= 500:
            raise DeliveryFailed(f"Slack answered {answer.status_code} to a response_url")
        if answer.status_code != 200:
            log.info("response_url answered %s (%s); answering another way", answer.status_code, answer.body[:100])
            return False
        return True

    def _call(self, method: str, **arguments):
        arguments = {k: v for k, v in arguments.items() if v is not None}
        try:
            return getattr(self.client, method)(**arguments)
        except SlackApiError as error:
            status = error.response.status_code
            code = (error.response.data or {}).get("error", "") if isinstance(error.response.data, dict) else ""
            if status == 429 or code == "ratelimited":
                delay = _retry_after(error.response.headers)
                self._hold(delay)
                raise DeliveryFailed(f"Slack rate limit on {method}", retry_after=delay) from None
            if status >= 500 or code in TRANSIENT_ERRORS:
                raise DeliveryFailed(f"Slack answered {status} {code} to {method}".rstrip()) from None
            raise SlackRefused(method.replace("_", "."), code or f"HTTP {status}") from None
        except (OSError, http.client.HTTPException) as error:
            raise DeliveryFailed(f"cannot reach Slack for {method}: {error}") from None

    # Ordering.
    def _hold(self, seconds: float) -> None:
        with self._lock:
            until = self.desk.clock.now() + timedelta(seconds=seconds)
            if self._held_until is None or until > self._held_until:
                self._held_until = until

    def _wait_for_rate_limit(self) -> None:
        with self._lock:
            if self._held_until is None:
                return
            left = (self._held_until - self.desk.clock.now()).total_seconds()
            if left <= 0:
                self._held_until = None
                return
        raise DeliveryFailed("waiting for Slack's rate limit to pass", retry_after=left)

    def _is_newest(self, card: str, notification_id: int) -> bool:
        with self._lock:
            return notification_id >= self._card_versions.get(card, 0)

    def _shown(self, card: str | None, notification_id: int) -> None:
        if card:
            with self._lock:
                self._card_versions[card] = max(notification_id, self._card_versions.get(card, 0))


def _retry_after(headers) -> float:
    for name in ("Retry-After", "retry-after"):
        value = (headers or {}).get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        if value is not None:
            try:
                return max(float(value), 1.0)
            except ValueError:
                break
    return DEFAULT_RETRY_AFTER
