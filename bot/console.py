"""The console front end: the whole desk in one terminal, interactive or piped.

What the desk sends to the person at the keyboard is printed as it is; what it sends to team
channels and other people is printed as `[#technical] ...` or `[@bob] ...`.
"""
from __future__ import annotations

import logging
import sys
from typing import TextIO

from handlers.clarification import answer_by_button
from handlers.commands import is_command, run_command
from handlers.desk import Desk
from handlers.intake import handle_message
from handlers.messages import Conversation, Inbound, Person, Reply
from handlers.relay import Notification, relay_once
from handlers.report_posting import ATTACHMENT, share
from bot.report_files import report_file_line
from storage.database import DatabaseUnavailable

log = logging.getLogger(__name__)
PLATFORM = "console"


class ConsoleSender:
    """Delivers console notifications by printing them."""

    platform = PLATFORM

    def __init__(self, out: TextIO, me: str, desk: Desk | None = None) -> None:
        self.out = out
        self.me = me
        self.desk = desk  # to read a report's chart from the database

    def send(self, notification: Notification) -> None:
        if notification.payload.get(ATTACHMENT) and self.desk is not None:  # a report's chart: saved to a file
            print(report_file_line(self.desk, notification, self.me), file=self.out, flush=True)
            return
        if notification.destination == "new_channel":  # a major incident's channel: "opened" by printing it
            invited = ", ".join(f"@{user}" for user in notification.payload.get("invite", [])) or "nobody"
            line = f"[{notification.address}] (new channel; invited {invited})\n{_indent(notification.text)}"
        elif notification.destination == "archive_channel":
            line = f"[{notification.address}] {notification.text} (channel archived)"
        elif notification.destination == "conversation" and notification.address == f"@{self.me}":
            line = notification.text
        elif notification.destination == "user":
            line = f"[@{notification.address}] {notification.text}"
        else:
            line = f"[{notification.address}] {notification.text}"
        print(line, file=self.out, flush=True)


def picked(menu: list[tuple[str, str]], text: str) -> str | None:
    """The value of the choice a typed line names by its number or its words, if any. The console
    lists a command's choices as a numbered list where chat platforms show buttons; answers to
    questions asked in conversation are read by the desk itself (handlers/intake.py)."""
    typed = " ".join(text.split()).lower().rstrip(".!")
    if typed.isdigit() and 1 <= int(typed) <= len(menu):
        return menu[int(typed) - 1][0]
    return next((value for value, label in menu if label.lower() == typed), None)


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())


class ConsoleSession:
    """One person at the terminal; `/as NAME` switches who that is."""

    def __init__(self, desk: Desk, name: str, out: TextIO) -> None:
        self.desk = desk
        self.out = out
        self.sender = ConsoleSender(out, name, desk)
        self.menu: list[tuple[str, str]] = []  # the choices a command's answer just listed, numbered
        self.switch(name.strip().lstrip("@") or "alice")

    def switch(self, name: str) -> None:
        """Become `name`: console ids are names, in any case (`/as Bob` is bob, the staff member)."""
        self.name = name.strip().lstrip("@").lower()
        member = self.desk.organisation.staff_by_identity(PLATFORM, self.name)
        self.person = Person(PLATFORM, self.name, member.label if member else self.name)
        self.sender.me = self.name
        self.staff = member is not None

    def whoami(self) -> str:
        role = "support staff" if self.staff else "an end user"
        return f"You are {self.person.display_name} ({role})."

    def handle(self, line: str) -> None:
        text = line.rstrip("\n")
        menu, self.menu = self.menu, []
        try:
            words = text.split(None, 1)
            if words and words[0].lower() == "/as":
                name = words[1].strip().lstrip("@") if len(words) > 1 else ""
                if not name:
                    self.say(f"Usage: /as NAME, e.g. /as bob (staff) or /as priya. {self.whoami()}")
                    return
                self.switch(name)
                self.say(self.whoami())
                return
            if is_command(text):
                reply = run_command(self.desk, self.person, text)
                self.menu = list(reply.choices)
            elif (pressed := picked(menu, text)) is not None:  # "1" or "Resolve them too": that button
                reply = answer_by_button(self.desk, self.person, pressed)
                self.menu = list(reply.choices) if reply is not None else []
            else:
                conversation = Conversation(PLATFORM, f"@{self.name}")
                reply = handle_message(self.desk, Inbound(self.person, conversation, text, source="console"))
            if reply is not None:
                self.show(reply)
            relay_once(self.desk, [self.sender])
        except DatabaseUnavailable as exc:
            log.error("database unavailable: %s", exc)
            self.say(f"Sorry, the desk can't reach its database right now, so that was not recorded. "
                     f"Please try again in a moment. ({exc})")
        except Exception:
            log.exception("console line failed")
            self.say("Sorry, something went wrong on our side; it has been logged. Please try again.")

    def show(self, reply: Reply) -> None:
        self.say(reply.text)
        for number, (_value, label) in enumerate(reply.choices, start=1):
            self.say(f"  {number}. {label}")
        if reply.attachment:  # a report's chart: saved through the outbox, like every delivery
            share(self.desk, platform=PLATFORM, destination="conversation", address=f"@{self.name}", text="",
                  attachment=reply.attachment)

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)


def chat(desk: Desk, name: str, *, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    session = ConsoleSession(desk, name, out)
    interactive = stdin.isatty()
    if interactive:
        session.say(f"{desk.organisation.name} service desk. {session.whoami()}")
        session.say("Describe a problem or a need, or type /sd help. /as NAME switches person "
                    "(try /as agent for support staff). Ctrl-D quits.")
    relay_once(desk, [session.sender])
    while True:
        if interactive:
            try:
                line = input(f"{session.name}> ")
            except EOFError:
                session.say("")
                break
            except KeyboardInterrupt:
                session.say("")
                break
        else:
            line = stdin.readline()
            if not line:
                break
        session.handle(line)
    return 0
