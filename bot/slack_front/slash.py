"""`/sd`: the console's commands in Slack, answered privately (ephemeral).

Who runs a command is the verified `user_id` of the payload (with the staff user groups Slack says
they are in). A mentioned user in the text (`/sd assign INC-1 @Bob`) is resolved by their Slack
id too. `/sd new` opens the form for logging a ticket on someone's behalf.
"""
from __future__ import annotations

from slack_bolt import App

from bot.slack_front import forms
from bot.slack_front.context import Caller, SlackContext, in_background, open_form
from bot.slack_front.markup import command_text
from bot.slack_front.work import on_priority_lane
from handlers.commands import run_command
from handlers.interactions import end_user_answer, first_time

COMMAND = "/sd"


def register(app: App, context: SlackContext) -> None:
    # On the priority lane: `/sd new` opens a modal (its trigger_id lasts 3 s), and the other
    # commands are short private answers, which should not wait behind a burst of ticket work.
    # `/sd report` draws a chart, too long for that lane: it queues with the ticket work.
    app.command(COMMAND)(ack=acknowledge, lazy=[on_priority_lane(in_background(
        context, "command", caller_of_command, lambda body: run_slash_command(context, body)),
        heavy=draws_a_chart)])


def draws_a_chart(body: dict) -> bool:
    return str(body.get("text") or "").strip().lower().split()[:1] == ["report"]


def acknowledge(ack) -> None:
    ack()  # an empty ack shows nothing; the answer follows privately


def caller_of_command(body: dict) -> Caller | None:
    user = body.get("user_id")
    return Caller(user, body.get("channel_id"), None, body.get("response_url")) if user else None


def run_slash_command(context: SlackContext, body: dict) -> None:
    caller = caller_of_command(body)
    if caller is None:
        return
    key = body.get("trigger_id")
    if key and not first_time(context.desk, source="slack:command", external_id=str(key)):
        return
    directory = context.directory
    person = directory.person(caller.user_id)
    line = command_text(str(body.get("text") or ""), staff_name_of=directory.staff_name_of).strip()
    refusal = end_user_answer(context.desk, person, line, prefix=COMMAND)
    if refusal is not None:
        context.tell(caller, refusal)
        return
    if line.lower().split()[:1] == ["new"]:
        open_form(context, caller, body.get("trigger_id"), forms.new_ticket_form(channel=caller.channel))
        return
    context.tell(caller, run_command(context.desk, person, line, prefix=COMMAND))
