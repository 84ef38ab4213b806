from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.corpus_io import (
    CORPUS_DIR,
    HELDOUT_DIR,
    CorpusError,
    LabelledExample,
    coerce_examples,
    load_heldout,
    load_training,
)

GOOD = [
    {"text": "my laptop won't boot", "intent": "incident", "queue": "technical"},
    {"text": "please install Visio", "intent": "service_request", "queue": "application"},
    {"text": "badge access to the server room", "intent": "access_request", "queue": "operations"},
    {"text": "thanks!", "intent": "other", "queue": None},
]


def write(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def good_corpus(directory: Path) -> Path:
    write(directory / "a.jsonl", [json.dumps(record) for record in GOOD[:2]] + [""])
    write(directory / "b.jsonl", [json.dumps(record) for record in GOOD[2:]])
    return directory


def test_loads_every_jsonl_file_in_name_order_skipping_blank_lines(tmp_path: Path) -> None:
    examples = load_training(good_corpus(tmp_path))
    assert [e.as_dict() for e in examples] == GOOD
    assert examples[2].source == f"{tmp_path / 'b.jsonl'}:1"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"text": "x", "intent": "incident"', "invalid JSON"),
        ('["x", "incident", "technical"]', "expected a JSON object"),
        ('{"text": "x", "intent": "incident"}', "missing key(s) queue"),
        ('{"text": "  ", "intent": "incident", "queue": "technical"}', "non-empty string"),
        ('{"text": "x", "intent": "problem", "queue": "technical"}', "'intent' is 'problem'"),
        ('{"text": "x", "intent": "incident", "queue": null}', "'queue' is None"),
        ('{"text": "x", "intent": "incident", "queue": "network"}', "'queue' is 'network'"),
        ('{"text": "hi", "intent": "other", "queue": "technical"}', "must be null"),
    ],
)
def test_a_bad_line_is_reported_with_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    good_corpus(tmp_path)
    bad = write(tmp_path / "c.jsonl", [json.dumps(GOOD[0]), "", line])
    with pytest.raises(CorpusError) as caught:
        load_training(tmp_path)
    assert str(caught.value).startswith(f"{bad}:3: ")
    assert message in str(caught.value)


def test_an_empty_corpus_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no \\*.jsonl files"):
        load_training(tmp_path)


def test_every_label_needs_an_example(tmp_path: Path) -> None:
    write(tmp_path / "a.jsonl", [json.dumps(record) for record in GOOD[:3]])
    with pytest.raises(CorpusError, match="no example of label\\(s\\): other"):
        load_training(tmp_path)


def test_feedback_examples_are_validated_and_appended(tmp_path: Path) -> None:
    feedback = [
        {"text": "Teams keeps freezing", "intent": "incident", "queue": "application"},
        LabelledExample("toner please", "service_request", "operations"),
    ]
    examples = load_training(good_corpus(tmp_path), extra=feedback)
    assert [e.text for e in examples[-2:]] == ["Teams keeps freezing", "toner please"]
    assert examples[-1].source == "feedback[1]"
    with pytest.raises(CorpusError, match=r"^feedback\[0\]: 'intent' is 'bug'"):
        coerce_examples([{"text": "x", "intent": "bug", "queue": "technical"}])


def test_heldout_is_read_from_its_own_directory(tmp_path: Path) -> None:
    good_corpus(tmp_path / "corpus")
    write(tmp_path / "heldout" / "h.jsonl", [json.dumps(GOOD[3])])
    assert [e.text for e in load_heldout(tmp_path / "heldout")] == ["thanks!"]
    assert "thanks!" in [e.text for e in load_training(tmp_path / "corpus")]


@pytest.mark.skipif(not any(CORPUS_DIR.glob("*.jsonl")), reason="corpus not written yet")
def test_the_committed_corpus_and_heldout_set_are_valid() -> None:
    assert len(load_training()) > 0
    if any(HELDOUT_DIR.glob("*.jsonl")):
        assert len(load_heldout()) > 0
