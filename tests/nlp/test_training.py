from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

import nlp.pipeline
from nlp.corpus_io import CorpusError, coerce_examples
from nlp.pipeline import IntentModel, model_is_trained
from nlp.training import evaluate, load_training_config, macro_f1, train

SMALL = [
    {"text": "my laptop will not boot", "intent": "incident", "queue": "technical"},
    {"text": "the wifi keeps dropping", "intent": "incident", "queue": "technical"},
    {"text": "Excel crashes when I save", "intent": "incident", "queue": "application"},
    {"text": "Jira shows error 500", "intent": "incident", "queue": "application"},
    {"text": "the printer is jammed", "intent": "incident", "queue": "operations"},
    {"text": "the nightly backup failed", "intent": "incident", "queue": "operations"},
    {"text": "please reset my windows password", "intent": "service_request", "queue": "technical"},
    {"text": "please install Visio", "intent": "service_request", "queue": "application"},
    {"text": "we need toner for the printer", "intent": "service_request", "queue": "operations"},
    {"text": "add me to the VPN users group", "intent": "access_request", "queue": "technical"},
    {"text": "I need admin rights in Jira", "intent": "access_request", "queue": "application"},
    {"text": "badge access to the server room", "intent": "access_request", "queue": "operations"},
    {"text": "hello", "intent": "other", "queue": None},
    {"text": "thanks a lot", "intent": "other", "queue": None},
    {"text": "any update on INC-3?", "intent": "other", "queue": None},
]


@pytest.fixture(scope="module")
def quick_config():
    config = load_training_config()
    config["training"]["max_epochs"] = 3
    return config


def test_training_writes_a_complete_model_atomically(tmp_path: Path, quick_config) -> None:
    lines: list[str] = []
    model_dir = tmp_path / "model"
    summary = train(model_dir, examples=SMALL, seed=7, progress=lines.append, config=quick_config)
    assert [line.split()[:2] for line in lines[:3]] == [["epoch", "1/3"], ["epoch", "2/3"],
                                                          ["epoch", "3/3"]]
    assert lines[-1].startswith(f"model written to {model_dir}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # no temp dirs left behind
    meta = json.loads((model_dir / "meta.json").read_text())
    assert meta["servicedesk"] == summary
    assert summary["examples"] == 15 and summary["queue_examples"] == 12
    assert summary["seed"] == 7 and summary["epochs"] == 3
    assert model_is_trained(model_dir)
    loaded = spacy.load(model_dir)
    assert loaded.pipe_names == ["textcat_intent", "textcat_queue"]
    assert loaded.get_pipe("textcat_intent").labels == (
        "incident", "service_request", "access_request", "other")
    assert loaded.get_pipe("textcat_queue").labels == ("technical", "application", "operations")


def test_training_is_reproducible_and_replaces_an_old_model(tmp_path: Path, quick_config) -> None:
    texts = ["outlook will not start", "need a new monitor", "hi!"]
    first = train(tmp_path / "m", examples=SMALL, seed=3, progress=None, config=quick_config)
    before = [doc.cats for doc in spacy.load(tmp_path / "m").pipe(texts)]
    second = train(tmp_path / "m", examples=SMALL, seed=3, progress=None, config=quick_config)
    after = [doc.cats for doc in spacy.load(tmp_path / "m").pipe(texts)]
    assert before == after
    assert first["corpus_sha256"] == second["corpus_sha256"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_bad_training_examples_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"examples\[0\]: 'queue' must be null"):
        train(tmp_path / "m", examples=[{"text": "hi", "intent": "other", "queue": "technical"}])
    with pytest.raises(CorpusError, match="no example of label"):
        train(tmp_path / "m", examples=SMALL[:12], progress=None)
    assert not (tmp_path / "m").exists()


def test_load_trains_on_first_use_and_caches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quick_config
) -> None:
    calls: list[Path] = []

    def small_train(model_dir: Path, **kwargs):
        calls.append(model_dir)
        return train(model_dir, examples=SMALL, config=quick_config, **kwargs)

    monkeypatch.setattr(nlp.pipeline, "train", small_train)
    monkeypatch.setenv("SERVICEDESK_MODEL_DIR", str(tmp_path / "cache"))
    lines: list[str] = []
    first = IntentModel.load(progress=lines.append)
    assert calls == [tmp_path / "cache"] and first.model_dir == tmp_path / "cache"
    assert lines[0].startswith("no trained intent model") and any("epoch" in l for l in lines)
    IntentModel.load(progress=lines.append)
    assert len(calls) == 1  # the cached model is reused


def test_a_model_from_another_format_version_is_retrained(tmp_path: Path) -> None:
    (tmp_path / "meta.json").write_text(json.dumps({"servicedesk": {"format": -1}}))
    assert not model_is_trained(tmp_path)
    assert not model_is_trained(tmp_path / "missing")


def test_macro_f1() -> None:
    assert macro_f1(["a", "b"], ["a", "b"], ["a", "b"]) == 1.0
    assert macro_f1(["a", "a", "b", "b"], ["a", "a", "a", "b"], ["a", "b"]) == pytest.approx(
        (0.8 + 2 / 3) / 2)


def test_evaluate_reports_intent_and_queue_scores(tmp_path: Path, quick_config) -> None:
    train(tmp_path / "m", examples=SMALL, progress=None, config=quick_config)
    report = evaluate(spacy.load(tmp_path / "m"), coerce_examples(SMALL))
    assert report["n"] == 15
    assert 0.0 <= report["intent_macro_f1"] <= 1.0 and 0.0 <= report["queue_accuracy"] <= 1.0
    assert sum(sum(row.values()) for row in report["intent_confusion"].values()) == 15

