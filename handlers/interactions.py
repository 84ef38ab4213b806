"""What chat front ends need around buttons, forms and commands, independent of any platform.

- `first_time`: a button press, form submission or command is acted on once, however often the
  platform delivers it (its interaction id is the dedup key, as event ids are for messages).
- `answer_privately`: an answer only the caller sees (Slack's ephemeral messages) goes through the
  outbox like every other message, so rate limits and outages never lose it.
- `end_user_answer`: what an end user gets for a command that isn't theirs: the polite, audited
  refusal of `staff_gate`, their own help text, or a word about an unknown command.
"""
from __future__ import annotations

from handlers.desk import Desk
from handlers.messages import Person, Reply
from handlers.staff_gate import refuse_unless_staff
from storage import audit, outbox
from storage.inbound import first_delivery

PRIVATE = "ephemeral"  # the outbox destination of an answer only one person sees
END_USER_COMMANDS = ("help", "list", "show", "reopen", "close")
END_USER_COMMANDS += ("catalog",)  # the service catalog: what anyone can ask for
END_USER_COMMANDS += ("approve", "deny", "access")  # approvers need not be staff (a manager); your own access
LOG_FOR_SOMEONE = "new"  # a front end's form for logging a ticket on someone's behalf


def first_time(desk: Desk, *, source: str, external_id: str) -> bool:
    """True the first time an interaction is seen (and records it); False for a redelivery."""
    with desk.database.session() as session:
        return first_delivery(session, source=source, external_id=external_id, at=desk.clock.now())


def answer_privately(
    desk: Desk,
    *,
    person: Person,
    channel: str,
    reply: Reply,
    thread: str | None = None,
    reply_address: str | None = None,
) -> None:
    """Queue an answer that only `person` sees, in `channel` (or their direct messages when the
    platform cannot show it there). `reply_address` is a platform callback for answering the
    interaction (Slack's response_url), used while it is valid."""
    with desk.database.session() as session:
        outbox.enqueue(
            session,
            platform=person.platform,
            destination=PRIVATE,
            address=channel,
            thread=thread,
            event="private_answer",
            payload={
                "text": reply.text,
                "choices": [list(choice) for choice in reply.choices],
                "ticket": reply.ticket,
                "ok": reply.ok,
                "user_id": person.user_id,
                "reply_address": reply_address,
                **({"attachment": reply.attachment} if reply.attachment else {}),
            },
            at=desk.clock.now(),
        )


def end_user_help(desk: Desk, person: Person, prefix: str = "/sd") -> str:
    """The end user's command list (handlers/commands.py words it; approve/deny only when something
    waits for this person)."""
    from handlers.commands import end_user_help_for  # imported when needed: commands imports most of the desk

    return end_user_help_for(desk, person, prefix)


def end_user_answer(desk: Desk, person: Person, text: str, *, prefix: str = "/sd") -> Reply | None:
    """The answer for an end user whose command is not theirs to run (None: run it as usual,
    which is always the case for staff, recognised by id or verified group)."""
    words = text.strip().split()
    if words and words[0].lower() in (prefix, prefix.lstrip("/")):
        words = words[1:]
    name = words[0].lower()[:40] if words else "help"
    if desk.organisation.staff_for(person.platform, person.user_id, person.groups, person.display_name) is not None:
        return None
    if name == "help":
        return Reply(end_user_help(desk, person, prefix))
    if name in END_USER_COMMANDS:
        return None
    if name == LOG_FOR_SOMEONE:
        reason = ("Sorry, only support staff can log tickets for someone else. If something is wrong, just tell "
                  "me and I'll log it.")
        with desk.database.session() as session:
            audit.record(session, actor=f"{person.platform}:{person.user_id}", action="refused", field=name,
                         reason=reason, at=desk.clock.now())
        return Reply(reason, ok=False)
    refusal = refuse_unless_staff(desk, person, name, words[1] if len(words) > 1 else None)
    if refusal is not None:
        return refusal
    return Reply(f"I don't know the command '{name}'.\n{end_user_help(desk, person, prefix)}", ok=False)
