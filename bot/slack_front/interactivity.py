"""Buttons and forms: the card's Take / Assign / Resolve / Escalate, the desk's questions, and
the modals' submissions.

Each press is acknowledged at once and acted on once (its trigger_id is the dedup key). The work
goes through the same life-cycle steps as `/sd`, as the verified user of the payload. The card
changes through the outbox (`chat.update`), so it always shows the ticket's current state;
whoever pressed hears privately only when something was refused or went wrong.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.slack_front import forms
from bot.slack_front.blocks import ASSIGN, CLARIFY_PREFIX, ESCALATE, RESOLVE, TAKE
from bot.slack_front.context import Caller, SlackContext, in_background, open_form
from bot.slack_front.identity import PLATFORM
from bot.slack_front.work import on_priority_lane
from handlers.clarification import answer_by_button
from handlers.commands import run_command
from handlers.interactions import first_time
from handlers.staff_gate import refuse_unless_staff
from handlers.messages import Conversation, Reply
from handlers.on_behalf import log_on_behalf
from storage.tickets import parse_ref

log = logging.getLogger(__name__)


def register(app: App, context: SlackContext) -> None:
    def background(what: str, work: Callable[[SlackContext, dict], None]):
        return [in_background(context, what, caller_of_interaction, lambda body: work(context, body))]

    def right_away(what: str, work: Callable[[SlackContext, dict], None]):
        """Staff's short card buttons, on the priority lane: Resolve opens a modal (its trigger_id
        lasts 3 s), and none of them waits behind a burst of ticket work."""
        return [on_priority_lane(listener) for listener in background(what, work)]

    app.action(TAKE)(ack=acknowledge, lazy=right_away("take", lambda c, b: card_command(c, b, "take")))
    app.action(ESCALATE)(ack=acknowledge, lazy=right_away("escalate", lambda c, b: card_command(c, b, "escalate")))
    app.action(ASSIGN)(ack=acknowledge, lazy=right_away("assign", assign))
    app.action(RESOLVE)(ack=acknowledge, lazy=right_away("resolve", open_resolve_form))
    app.action(re.compile(f"^{CLARIFY_PREFIX}\\d+$"))(ack=acknowledge, lazy=background("clarify", clarify))
    app.view(forms.RESOLVE_FORM)(ack=check_resolution, lazy=background("resolve form", submit_resolution))
    app.view(forms.NEW_TICKET_FORM)(ack=check_new_ticket, lazy=background("new ticket form", submit_new_ticket))


def register_fallback(app: App) -> None:
    """Other buttons (links) and forms are acknowledged and ignored."""
    app.action(re.compile(".*"))(acknowledge)
    app.view(re.compile(".*"))(acknowledge)


def acknowledge(ack) -> None:
    ack()


def caller_of_interaction(body: dict) -> Caller | None:
    user = (body.get("user") or {}).get("id")
    if not user:
        return None
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    if channel is None and body.get("view"):
        channel = forms.metadata_of(body["view"]).get("channel")
    return Caller(user, channel, None, body.get("response_url"))


def _first_press(context: SlackContext, body: dict) -> bool:
    action = _action(body)
    key = body.get("trigger_id") or f"{action.get('action_id')}:{action.get('action_ts')}"
    return first_time(context.desk, source="slack:interaction", external_id=str(key))


def _action(body: dict) -> dict:
    actions = body.get("actions")
    return actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}


def _ref_of(action: dict) -> str | None:
    """The ticket a card's control is for: a button's value, a picker's block id (`sd_card:INC-1`)."""
    raw = action.get("value") or str(action.get("block_id") or "").partition(":")[2]
    return parse_ref(raw) if raw else None


def _staff_or_told(context: SlackContext, caller: Caller, verb: str, ref: str):
    """The caller as a Person when they are staff; otherwise they are told (and None)."""
    person = context.directory.person(caller.user_id)
    refusal = refuse_unless_staff(context.desk, person, verb, ref)
    if refusal is not None:
        context.tell(caller, refusal)
        return None
    return person


def card_command(context: SlackContext, body: dict, verb: str) -> None:
    caller = caller_of_interaction(body)
    ref = _ref_of(_action(body))
    if caller is None or not _first_press(context, body):
        return
    if ref is None:
        context.tell(caller, Reply("That button is not one of mine.", ok=False))
        return
    person = _staff_or_told(context, caller, verb, ref)
    if person is None:
        return
    reply = run_command(context.desk, person, f"{verb} {ref}")
    if not reply.ok:
        context.tell(caller, reply)


def assign(context: SlackContext, body: dict) -> None:
    caller = caller_of_interaction(body)
    action = _action(body)
    ref, chosen = _ref_of(action), action.get("selected_user")
    if caller is None or not chosen or not _first_press(context, body):
        return
    if ref is None:
        context.tell(caller, Reply("That picker is not one of mine.", ok=False))
        return
    person = _staff_or_told(context, caller, "assign", ref)
    if person is None:
        return
    staff_name = context.directory.staff_name_of(chosen)
    if staff_name is None:
        name = context.directory.name_of(chosen)
        context.tell(caller, Reply(f"{name} isn't listed as support staff in app.yaml, so I can't assign {ref} "
                                   f"to them.", ok=False))
        return
    reply = run_command(context.desk, person, f"assign {ref} {staff_name}")
    if not reply.ok:
        context.tell(caller, reply)


def open_resolve_form(context: SlackContext, body: dict) -> None:
    caller = caller_of_interaction(body)
    ref = _ref_of(_action(body))
    if caller is None or ref is None:
        return
    if _staff_or_told(context, caller, "resolve", ref) is None:
        return
    open_form(context, caller, body.get("trigger_id"), forms.resolve_form(ref, channel=caller.channel))


def check_resolution(ack, view: dict) -> None:
    """Runs before the ack (cheap checks only), so the form shows what is missing."""
    _data, _text, errors = forms.read_resolution(view or {})
    if errors:
        ack(response_action="errors", errors=errors)
    else:
        ack()


def submit_resolution(context: SlackContext, body: dict) -> None:
    caller = caller_of_interaction(body)
    data, text, errors = forms.read_resolution(body.get("view") or {})
    if caller is None or errors or not first_time(context.desk, source="slack:interaction",
                                                  external_id=_view_key(body)):
        return
    reply = run_command(context.desk, context.directory.person(caller.user_id), f"resolve {data['ref']} {text}")
    if not reply.ok:
        context.tell(caller, reply)


def check_new_ticket(ack, view: dict) -> None:
    _ticket, errors = forms.read_new_ticket(view or {})
    if errors:
        ack(response_action="errors", errors=errors)
    else:
        ack()


def submit_new_ticket(context: SlackContext, body: dict) -> None:
    caller = caller_of_interaction(body)
    form, errors = forms.read_new_ticket(body.get("view") or {})
    if caller is None or form is None or not first_time(context.desk, source="slack:interaction",
                                                        external_id=_view_key(body)):
        return
    directory = context.directory
    requester = directory.person(form.requester)
    reply = log_on_behalf(
        context.desk, directory.person(caller.user_id), requester=requester,
        conversation=Conversation(PLATFORM, _direct_channel(context, form.requester), None),
        kind=form.kind, description=form.description, impact=form.impact, urgency=form.urgency,
    )
    context.tell(caller, reply)


def _direct_channel(context: SlackContext, user_id: str) -> str:
    """The DM between the desk and a person (their user id works as a channel too)."""
    try:
        return context.client.conversations_open(users=user_id)["channel"]["id"]
    except (SlackApiError, KeyError, TypeError) as error:
        log.warning("conversations.open with %s failed (%s); posting to the user id", user_id, error)
        return user_id


def clarify(context: SlackContext, body: dict) -> None:
    caller = caller_of_interaction(body)
    value = _action(body).get("value") or ""
    if caller is None or not _first_press(context, body):
        return
    reply = answer_by_button(context.desk, context.directory.person(caller.user_id), value)
    if reply is not None:
        context.tell(caller, reply)


def _view_key(body: dict) -> str:
    view = body.get("view") or {}
    return str(body.get("trigger_id") or f"{view.get('id')}:{view.get('hash')}")
