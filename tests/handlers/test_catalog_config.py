"""The catalog's pieces on their own: app.yaml validation, matching, and reading typed answers."""
from __future__ import annotations

from datetime import date

import pytest

from bot.config import ConfigError, load_organisation
from handlers.catalog import NotAnAnswer, best_match, parse_answer, parse_date, prefill
from tests.conftest import ROOT

MONDAY = date(2026, 11, 23)


@pytest.mark.parametrize("text, item", [
    ("I need Visio installed", "software-install"),
    ("install Visio on my laptop", "software-install"),  # the laptop is where it goes, not what is asked
    ("I need a new laptop", "new-laptop"),
    ("I forgot my password for SAP", "password-reset"),
    ("please restore /shares/finance/q4.xlsx from yesterday", "file-restore"),
    ("we need a shared mailbox sales-team@example.com", "shared-mailbox"),
    ("please pick up 2 old monitors from floor 3", "equipment-pickup"),
    ("I need a new monitor", None),
    ("I need a headset for calls", None),
])
def test_requests_match_the_item_they_read_like(organisation, text, item):
    match = best_match(organisation, text)
    assert (match.item.id if match else None) == item


def test_the_first_message_fills_what_it_plainly_says(organisation):
    software = organisation.catalog.item("software-install")
    assert prefill(software, "install Microsoft Project 2021 on my desktop", today=MONDAY) == {
        "software": "Microsoft Project 2021", "device": "Desktop"}
    assert prefill(software, "I need some software", today=MONDAY) == {}
    restore = organisation.catalog.item("file-restore")
    assert prefill(restore, "restore /home/ann/report.docx from yesterday", today=MONDAY) == {
        "path": "/home/ann/report.docx", "date": "2026-11-22"}


@pytest.mark.parametrize("typed, expected", [
    ("today", "2026-11-23"), ("tomorrow", "2026-11-24"), ("next Friday", "2026-11-27"), ("monday", "2026-11-30"),
    ("last Monday", "2026-11-16"), ("2026-12-01", "2026-12-01"), ("1/12", "2026-12-01"), ("3 Dec", "2026-12-03"),
    ("Dec 3, 2027", "2027-12-03"),
])
def test_dates_people_type(typed, expected):
    assert parse_date(typed, today=MONDAY).isoformat() == expected


def test_answers_that_do_not_fit_say_what_would(organisation):
    laptop = organisation.catalog.item("new-laptop")
    model = laptop.field_named("model")
    assert parse_answer(model, "macbook air", today=MONDAY) == "MacBook Air 13"
    with pytest.raises(NotAnAnswer, match="is not one of the choices"):
        parse_answer(model, "mac", today=MONDAY)  # MacBook Air or MacBook Pro: ambiguous
    with pytest.raises(NotAnAnswer, match="is not a real date"):
        parse_date("31/02", today=MONDAY)


def _config_with(tmp_path, old: str, new: str):
    text = (ROOT / "app.yaml").read_text()
    assert old in text
    path = tmp_path / "app.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


def test_a_bad_catalog_names_the_key(tmp_path):
    path = _config_with(tmp_path, "type: choice, choices: [Laptop, Desktop, Virtual desktop]", "type: choice")
    with pytest.raises(ConfigError, match=r"catalog\.items\.1\.fields\.1.*'device' is a choice but lists no choices"):
        load_organisation(path)
    path = _config_with(tmp_path, "target: 2bd", "target: soon")
    with pytest.raises(ConfigError, match=r"catalog\.items\.1\.target: 'soon' is not valid: expected a duration"):
        load_organisation(path)
    path = _config_with(tmp_path, "queue: operations\n      fields:\n        - {name: items",
                        "queue: facilities\n      fields:\n        - {name: items")
    with pytest.raises(ConfigError, match=r"catalog\.items\.5\.queue: 'facilities'"):
        load_organisation(path)
