"""The catalog through the `servicedesk` command: piped answers fill a request, one line each."""
from __future__ import annotations

import json

from tests.bot.test_cli import run


def test_piped_answers_fill_a_software_request_that_tickets_show_records(cli_env):
    chat = run(["chat", "--as", "alice"], cli_env, "I need Visio installed\nyes\nbanana\n2\n")
    assert chat.returncode == 0, chat.stderr
    out = chat.stdout
    assert "I've logged REQ-1" in out and "Sounds like *Software install*: right?" in out
    assert "Which device should it go on?" in out and "  2. Desktop" in out
    assert "'banana' is not one of the choices" in out
    assert "Thanks, that's everything for REQ-1 (Software install: software: Visio; device: Desktop)." in out
    assert "[#application] REQ-1 ready to fulfil: Software install for alice." in out
    assert "Traceback" not in out + chat.stderr

    shown = run(["tickets", "show", "REQ-1", "--json"], cli_env)
    assert shown.returncode == 0, shown.stderr
    request = json.loads(shown.stdout)["request"]
    assert request["item"] == "software-install" and request["state"] == "fulfilment"
    assert request["fields"] == {"software": "Visio", "device": "Desktop"}
    assert [step["name"] for step in request["steps"]] == [
        "Check a licence is available", "Install the software", "Confirm it works with the requester"]
    assert not any(step["done"] for step in request["steps"])

    staff = run(["chat", "--as", "carol"], cli_env, "/sd catalog\n/sd done REQ-1 1\n/sd done REQ-1 2\n/sd done REQ-1 3\n")
    assert "• Software install:" in staff.stdout
    assert "All steps are done, so REQ-1 is resolved and alice has been told." in staff.stdout
    assert "[@alice] REQ-1 is resolved: Fulfilled: 1. Check a licence is available (carol)" in staff.stdout
    request = json.loads(run(["tickets", "show", "REQ-1", "--json"], cli_env).stdout)["request"]
    assert [(s["done"], s["by"]) for s in request["steps"]] == [(True, "carol")] * 3
