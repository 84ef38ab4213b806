"""A report's chart on Slack: uploaded with `files_upload_v2` (files.getUploadURLExternal, the
bytes POSTed to the upload URL Slack gives, then files.completeUploadExternal shares it in the
channel with the summary as its comment).

An answer meant for one person (`/sd report`) is shared in the channel where the command was
typed (Slack has no private files); with no channel, or one the app is not in, in a direct message. Errors become
DeliveryFailed like every other Slack call, so the relay retries the whole upload.
"""
from __future__ import annotations

import logging

from slack_sdk.errors import SlackRequestError

from bot.slack_front import blocks
from bot.slack_front.blocks import fallback_text
from handlers.relay import DeliveryFailed, Notification
from handlers.report_posting import attachment_of

log = logging.getLogger(__name__)


def deliver(sender, notification: Notification) -> str | None:
    """Upload the notification's chart with its text; the text alone when the file is gone."""
    from bot.slack_front.sender import NOT_THERE, SlackRefused  # the sender imports this module

    attachment = attachment_of(sender.desk, notification.payload)
    channel = notification.address
    if notification.destination == "user" or (notification.destination == "ephemeral" and channel.startswith("U")):
        channel = sender._call("conversations_open", users=channel)["channel"]["id"]
    if attachment is None:
        return sender._post(channel=channel, thread=notification.thread, text=notification.text,
                            blocks=blocks.notice(notification.text))
    try:
        answer = _upload(sender, notification, attachment, channel, notification.thread)
    except SlackRefused as refused:
        user = notification.payload.get("user_id")
        if notification.destination != "ephemeral" or not user or refused.error not in NOT_THERE:
            raise
        log.info("cannot share report %s in %s (%s); sending it to %s directly", attachment.filename, channel,
                 refused.error, user)
        channel = sender._call("conversations_open", users=user)["channel"]["id"]
        answer = _upload(sender, notification, attachment, channel, None)
    uploaded = (answer.get("files") or [{}])[0]
    log.info("report %s uploaded to %s as %s", attachment.filename, channel, uploaded.get("id"))
    return None


def _upload(sender, notification: Notification, attachment, channel: str, thread: str | None):
    try:
        return sender._call("files_upload_v2", channel=channel, thread_ts=thread, filename=attachment.filename,
                            title=attachment.title, content=attachment.content,
                            initial_comment=fallback_text(notification.text))
    except SlackRequestError as error:  # the upload step itself failed (Slack's file servers)
        raise DeliveryFailed(f"Slack did not take the file {attachment.filename}: {error}") from None
