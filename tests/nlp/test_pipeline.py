from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nlp.corpus_io import INTENTS, QUEUES
from nlp.pipeline import (
    DEFAULT_MODEL_DIR,
    MAX_MODEL_CHARS,
    Classification,
    IntentModel,
    resolve_model_dir,
)

UNAMBIGUOUS = [
    ("my laptop won't turn on at all since this morning", "incident", "technical"),
    ("Outlook crashes every time I open it", "incident", "application"),
    ("the printer on the second floor is jammed again", "incident", "operations"),
    ("please install Visio on my laptop", "service_request", "application"),
    ("can you restore the folder I deleted yesterday from the backup", "service_request",
     "operations"),
    ("I forgot my windows password, please reset it", "service_request", "technical"),
    ("please add me to the finance share AD group", "access_request", "technical"),
    ("I need admin rights in Jira", "access_request", "application"),
    ("I need badge access to the server room", "access_request", "operations"),
]
CHITCHAT = ["hi there!", "thanks a lot, that fixed it", "any update on INC-12?"]


@pytest.mark.parametrize(("text", "intent", "queue"), UNAMBIGUOUS)
def test_unambiguous_messages(model: IntentModel, text: str, intent: str, queue: str) -> None:
    result = model.classify(text)
    assert (result.intent, result.queue) == (intent, queue)
    assert result.confidence > 0.5 and result.queue_confidence > 0.34


@pytest.mark.parametrize("text", CHITCHAT)
def test_chitchat_and_ticket_questions_are_other(model: IntentModel, text: str) -> None:
    result = model.classify(text)
    assert result.intent == "other"
    assert result.queue is None and result.queue_confidence == 0.0


def test_each_component_is_exclusive(model: IntentModel) -> None:
    for text in ["VPN down for the whole office", "hello", "need access to Salesforce"]:
        table = model.probabilities(text)
        assert set(table["intent"]) == set(INTENTS) and set(table["queue"]) == set(QUEUES)
        assert sum(table["intent"].values()) == pytest.approx(1.0, abs=1e-4)
        assert sum(table["queue"].values()) == pytest.approx(1.0, abs=1e-4)
        result = model.classify(text)
        assert result.confidence == pytest.approx(max(table["intent"].values()))


def test_priority_and_entities_come_with_the_classification(model: IntentModel) -> None:
    result = model.classify(
        "web-prod-03 is down and the whole office can't work, deadline today. INC-4 again?"
    )
    assert (result.impact, result.urgency, result.priority) == ("high", "high", "P1")
    assert result.entities["hosts"] == ["web-prod-03"]
    assert result.entities["ticket_ids"] == ["INC-4"]
    assert {"kind": "impact", "level": "high", "text": "whole office"} in result.entities["cues"]


def test_defaults_without_cues(model: IntentModel) -> None:
    incident = model.classify("my laptop won't turn on at all since this morning")
    assert (incident.impact, incident.urgency, incident.priority) == ("low", "medium", "P4")
    request = model.classify("please install Visio on my laptop")
    assert (request.impact, request.urgency, request.priority) == ("low", "low", "P5")


def test_as_dict_is_json_ready_with_exactly_the_documented_keys(model: IntentModel) -> None:
    data = model.classify("give Priya access to Salesforce asap").as_dict()
    assert list(data) == [
        "intent", "queue", "confidence", "queue_confidence", "impact", "urgency", "priority",
        "entities",
    ]
    assert set(data["entities"]) == {"ticket_ids", "applications", "hosts", "people", "cues"}
    assert data["entities"]["people"] == ["Priya"]
    assert data["entities"]["applications"] == ["Salesforce"]
    assert json.loads(json.dumps(data)) == data
    assert isinstance(data["confidence"], float) and 0.0 < data["confidence"] <= 1.0


def test_classify_many_matches_classify_and_keeps_order(model: IntentModel) -> None:
    texts = [text for text, _, _ in UNAMBIGUOUS] + CHITCHAT
    many = model.classify_many(texts, batch_size=4)
    assert len(many) == len(texts)
    for text, result in zip(texts, many):
        single = model.classify(text)
        assert (result.intent, result.queue) == (single.intent, single.queue)
        assert result.confidence == pytest.approx(single.confidence, abs=1e-5)


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_text_is_other_with_zero_confidence(model: IntentModel, text: str) -> None:
    result = model.classify(text)
    assert (result.intent, result.queue, result.confidence) == ("other", None, 0.0)


def test_empty_messages_inside_a_batch(model: IntentModel) -> None:
    results = model.classify_many(["", "Outlook crashes every time I open it", "", "hi"])
    assert [r.intent for r in results] == ["other", "incident", "other", "other"]


@pytest.mark.parametrize("text", ["Привет, принтер не работает", "打印机坏了", "🙂🙂🙂", "\x00\x01"])
def test_non_english_and_odd_text_does_not_crash(model: IntentModel, text: str) -> None:
    result = model.classify(text)
    assert isinstance(result, Classification)
    assert result.intent in INTENTS and result.priority in {"P1", "P2", "P3", "P4", "P5"}


def test_long_input_is_truncated_before_analysis(model: IntentModel) -> None:
    head = "Outlook crashes every time I open it. "
    text = head + "x" * (MAX_MODEL_CHARS - len(head)) + " the whole office, INC-99 " * 2000
    assert len(text) > 50_000
    result = model.classify(text)
    clipped = model.classify(text[:MAX_MODEL_CHARS])
    assert result == clipped
    assert result.entities["ticket_ids"] == [] and result.impact == "low"


def test_model_dir_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SERVICEDESK_MODEL_DIR", raising=False)
    assert resolve_model_dir() == DEFAULT_MODEL_DIR
    monkeypatch.setenv("SERVICEDESK_MODEL_DIR", str(tmp_path))
    assert resolve_model_dir() == tmp_path
    assert resolve_model_dir(tmp_path / "explicit") == tmp_path / "explicit"


def test_nlp_does_not_import_chat_platform_libraries() -> None:
    code = (
        "import sys, nlp.pipeline, nlp.training, nlp.cues, nlp.corpus_io, nlp.priority;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('slack_bolt', 'discord')))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "[]"
