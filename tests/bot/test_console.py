"""The console front end in-process: who sees what, and failures that must not show tracebacks."""
from __future__ import annotations

import io

from bot.console import ConsoleSession


def test_switching_person_shows_the_desk_from_both_sides(desk):
    out = io.StringIO()
    session = ConsoleSession(desk, "alice", out)
    session.handle("the VPN drops every few minutes and I can't work")
    session.handle("/as agent")
    session.handle("/sd take INC-1")
    lines = out.getvalue().splitlines()
    assert any(line.startswith("Thanks alice, I've logged INC-1") for line in lines)
    assert any(line.startswith("[#technical] New INC-1") for line in lines)
    assert "You are Sam (Service Desk) (support staff)." in lines
    assert "[@alice] Sam (Service Desk) is now looking after your incident INC-1." in lines


def test_a_database_outage_is_told_not_shown(organisation, classifier, clock):
    from handlers.desk import Desk
    from storage.database import Database

    unreachable = Database("postgresql+psycopg://postgres@127.0.0.1:1/none")
    desk = Desk(organisation=organisation, database=unreachable, classifier=classifier, clock=clock)
    out = io.StringIO()
    session = ConsoleSession(desk, "alice", out)
    session.handle("my laptop won't turn on")
    session.handle("/sd list")
    text = out.getvalue()
    assert text.count("can't reach its database") == 2 and "not recorded" in text
    assert "Traceback" not in text
