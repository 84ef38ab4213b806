"""The generic event format over real HTTP: each sender (`source`) has its own dedup keys, so two
monitoring tools that both say "disk-full" are two alerts, and one's resolve never closes the
other's incident."""
from __future__ import annotations

from tests.bot.test_event_routes import AUTH, _events, _tickets, http  # noqa: F401 - http is a fixture


def _send(http, **event) -> dict:  # noqa: F811
    answer = http.post("/events/generic", headers=AUTH, json=event)
    assert answer.status_code == 202, answer.text
    [result] = answer.json()["results"]
    return result


def test_two_senders_with_the_same_dedup_key_are_two_alerts(http, desk):  # noqa: F811
    zabbix = _send(http, summary="Disk 95% full on fs02", service="backup", dedup_key="disk-full", source="Zabbix")
    nagios = _send(http, summary="Disk full on mail01", service="mail", dedup_key="disk-full", source="Nagios")
    assert (zabbix["outcome"], nagios["outcome"]) == ("opened", "opened")
    assert zabbix["dedup_key"] == nagios["dedup_key"] == "disk-full"  # echoed as sent
    assert zabbix["ticket"] != nagios["ticket"]
    assert _send(http, summary="Disk 95% full on fs02", service="backup", dedup_key="disk-full",
                 source="zabbix")["outcome"] == "repeat"  # the sender's name, not its spelling

    resolved = _send(http, action="resolve", dedup_key="disk-full", source="Nagios")
    assert resolved == {"dedup_key": "disk-full", "outcome": "resolved", "ticket": nagios["ticket"]}
    status = {ticket.ref: ticket.status for ticket in _tickets(desk)}
    assert status == {nagios["ticket"]: "resolved", zabbix["ticket"]: "new"}
    assert _send(http, action="resolve", dedup_key="disk-full")["outcome"] == "ignored"  # no source: not Zabbix's
    assert {ticket.ref: ticket.status for ticket in _tickets(desk)}[zabbix["ticket"]] == "new"
    assert sorted((e.dedup_key, e.count) for e in _events(desk)) == [("nagios:disk-full", 1), ("zabbix:disk-full", 2)]


def test_a_generated_key_resolves_and_a_key_too_long_with_its_source_is_refused(http, desk):  # noqa: F811
    opened = _send(http, summary="Backup job failed", service="backup", source="Cron")
    assert opened["outcome"] == "opened" and len(opened["dedup_key"]) == 32
    assert _send(http, action="resolve", dedup_key=opened["dedup_key"], source="Cron")["outcome"] == "resolved"

    fits = "k" * (255 - len("cron:"))
    assert _send(http, summary="Long key", service="backup", dedup_key=fits, source="Cron")["dedup_key"] == fits
    refused = http.post("/events/generic", headers=AUTH,
                        json={"summary": "Long key", "dedup_key": fits + "k", "source": "Cron"})
    assert refused.status_code == 400 and "dedup_key: longer than 250 characters" in refused.json()["error"]
