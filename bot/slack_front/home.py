"""App Home: an end user sees their open tickets; staff also see what waits in their queues and
what is assigned to them. Published (`views.publish`) whenever someone opens the Home tab; a
view is not a message, so it does not go through the outbox (a failed publish leaves the previous
view, and the next visit publishes again)."""
from __future__ import annotations

from slack_bolt import App

from bot.slack_front.blocks import Labels, labels_for, plain
from bot.slack_front.context import SlackContext, in_background
from bot.slack_front.markup import escape
from handlers.overview import Overview, overview

MAX_BLOCKS = 100
STATUS_WORDS = {"in_progress": "in progress", "on_hold": "on hold"}


def register(app: App, context: SlackContext) -> None:
    app.event("app_home_opened")(ack=acknowledge, lazy=[in_background(
        context, "home", lambda body: None, lambda body: publish_home(context, body))])


def acknowledge(ack) -> None:
    ack()


def publish_home(context: SlackContext, body: dict) -> None:
    event = body.get("event") or {}
    user = event.get("user")
    if not user or event.get("tab", "home") != "home":
        return
    person = context.directory.person(user)
    labels = labels_for(context.desk.organisation, name_of=context.directory.name_of)
    context.client.views_publish(user_id=user, view=home_view(overview(context.desk, person), labels))


def _line(ticket: dict, labels: Labels, *, assignee: bool) -> dict:
    status = STATUS_WORDS.get(ticket.get("status", ""), ticket.get("status", ""))
    who = ""
    if assignee:
        who = f" · {labels.staff(ticket['assignee'])}" if ticket.get("assignee") else " · waiting to be picked up"
    return {"type": "section", "text": plain(f"{ticket.get('id')} · {ticket.get('priority')} · {status}{who} · "
                                             f"{ticket.get('title')}")}


def _list(title: str, tickets: list[dict], empty: str, labels: Labels, *, assignee: bool) -> list[dict]:
    blocks: list[dict] = [{"type": "header", "text": plain(title, 150)}]
    if not tickets:
        return blocks + [{"type": "context", "elements": [plain(empty)]}]
    return blocks + [_line(ticket, labels, assignee=assignee) for ticket in tickets]


def home_view(view: Overview, labels: Labels) -> dict:
    blocks: list[dict] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": (
            f"Hi {escape(view.name)}! Message me to report a problem or ask for something; reply in a "
            f"ticket's thread to add to it. `/sd help` lists the commands.")}},
    ]
    if view.staff:
        queues = ", ".join(labels.queue(q) for q in view.queues) or "no queue"
        blocks += _list("Assigned to you", view.assigned, "Nothing is assigned to you.", labels, assignee=False)
        blocks += [{"type": "divider"}]
        blocks += _list(f"Waiting in your queues ({queues})", view.queue, "Nothing is waiting to be picked up.",
                        labels, assignee=False)
        blocks += [{"type": "divider"}]
    blocks += _list("Your open tickets", view.requested, "You have no open tickets.", labels, assignee=True)
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS]}
