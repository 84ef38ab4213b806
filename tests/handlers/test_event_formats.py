"""The Alertmanager format as monitoring sends it, including the untidy cases: labels with control
characters or numbers, padded or missing fingerprints, one time written two ways."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.event_formats import NAME_LIMIT, SUMMARY_LIMIT, EventFormatError, parse_alertmanager


def _webhook(*alerts: dict) -> dict:
    return {"version": "4", "status": "firing", "alerts": list(alerts)}


def _alert(**fields) -> dict:
    alert = {"status": "firing", "labels": {"alertname": "DiskFull", "service": "backup", "severity": "critical",
                                            "instance": "fs02:9100"},
             "annotations": {"summary": "Disk 95% full"}, "startsAt": "2026-11-23T08:58:30Z",
             "fingerprint": "a1b2c3d4e5f60718"}
    alert.update(fields)
    return alert


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # what storage must never get (PostgreSQL refuses NUL)
label_text = st.text(st.characters(codec="utf-8"), max_size=1_100)
label_value = st.one_of(label_text, st.integers(), st.floats(allow_nan=False, allow_infinity=False))


@settings(max_examples=300, deadline=None)
@given(labels=st.dictionaries(st.text(max_size=140), label_value, max_size=6),
       annotations=st.dictionaries(st.text(max_size=20), label_text, max_size=3))
def test_labels_and_annotations_are_kept_as_sent_when_clean_and_cleaned_otherwise(labels, annotations):
    [event] = parse_alertmanager(_webhook(_alert(labels=labels, annotations=annotations)), limit=10)
    for sent, kept in ((labels, event.details["labels"]), (annotations, event.details["annotations"])):
        assert len(kept) <= len(sent)
        for name, value in kept.items():
            assert not CONTROL.search(name) and not CONTROL.search(value)
            assert len(name) <= NAME_LIMIT and len(value) <= SUMMARY_LIMIT
        clean = all(isinstance(k, str) and isinstance(v, str) and k.isprintable() and v.isprintable()
                    and len(k) <= NAME_LIMIT and len(v) <= SUMMARY_LIMIT for k, v in sent.items())
        if clean:
            assert kept == sent and kept is not sent  # a copy: the caller's payload is not shared


def test_a_label_that_is_not_text_is_refused_with_its_name():
    with pytest.raises(EventFormatError, match=r"alerts\[1\]\.labels\.service: expected a string"):
        parse_alertmanager(_webhook(_alert(), _alert(labels={"service": ["a", "b"]})), limit=10)
    [event] = parse_alertmanager(_webhook(_alert(labels={"service": "backup", "shard": 7})), limit=10)
    assert event.details["labels"] == {"service": "backup", "shard": "7"}


def test_one_start_time_written_two_ways_is_one_occurrence_and_a_bad_one_is_named():
    utc, offset = parse_alertmanager(_webhook(_alert(startsAt="2026-11-23T08:58:30.5Z"),
                                              _alert(startsAt="2026-11-23T09:58:30.500+01:00")), limit=10)
    assert utc.dedup_key == offset.dedup_key == "a1b2c3d4e5f60718:2026-11-23T08:58:30.500000+00:00"
    later, = parse_alertmanager(_webhook(_alert(startsAt="2026-11-23T09:30:00Z")), limit=10)
    assert later.dedup_key != utc.dedup_key and later.alert_key == utc.alert_key
    with pytest.raises(EventFormatError, match=r"alerts\[2\]\.startsAt"):
        parse_alertmanager(_webhook(_alert(), _alert(), _alert(startsAt="soon")), limit=10)


def test_fingerprints_are_trimmed_derived_when_missing_and_refused_when_too_long():
    padded, plain = parse_alertmanager(_webhook(_alert(fingerprint="  a1b2c3d4e5f60718 "), _alert()), limit=10)
    assert padded.alert_key == plain.alert_key == "a1b2c3d4e5f60718"
    blank, missing, again = parse_alertmanager(_webhook(_alert(fingerprint="  "), _alert(fingerprint=None),
                                                        _alert(fingerprint=None)), limit=10)
    assert len(blank.alert_key) == 16 and blank.alert_key == missing.alert_key == again.alert_key  # from the labels
    other, = parse_alertmanager(_webhook(_alert(fingerprint=None, labels={"service": "mail"})), limit=10)
    assert other.alert_key != blank.alert_key
    with pytest.raises(EventFormatError, match=r"alerts\[0\]\.fingerprint: longer than 128"):
        parse_alertmanager(_webhook(_alert(fingerprint="f" * 129)), limit=10)
    controlled, = parse_alertmanager(_webhook(_alert(fingerprint="a1b2\x00c3d4e5f60718")), limit=10)
    assert controlled.alert_key == "a1b2c3d4e5f60718"
