"""`servicedesk classify` and `servicedesk evaluate` as a person runs them."""
from __future__ import annotations

import json
import os
import subprocess

from tests.conftest import ROOT, SERVICEDESK


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SERVICEDESK_") or k == "SERVICEDESK_MODEL_DIR"}
    env["SERVICEDESK_CONFIG"] = str(ROOT / "app.yaml")
    return env


def test_classify_writes_one_json_object_per_line(tmp_path):
    lines = ["my laptop won't turn on", "", "I need access to Salesforce", "any update on INC-12?",
             "x" * 50_000]
    result = subprocess.run([SERVICEDESK, "classify"], input="\n".join(lines) + "\n", capture_output=True,
                            text=True, env=_env(), cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == len(lines)
    for row in rows:
        assert set(row) == {"intent", "queue", "confidence", "queue_confidence", "impact", "urgency",
                            "priority", "entities"}
    assert (rows[0]["intent"], rows[0]["queue"]) == ("incident", "technical")
    assert rows[2]["intent"] == "access_request"
    assert rows[3]["intent"] == "other" and rows[3]["queue"] is None
    assert "INC-12" in rows[3]["entities"]["ticket_ids"]


def test_evaluate_reports_the_model_beside_the_baseline_on_unseen_messages():
    result = subprocess.run([SERVICEDESK, "evaluate", "--json"], capture_output=True, text=True, env=_env(),
                            cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    names = [s["name"] for s in report["scores"]]
    assert names == ["spaCy model", "TF-IDF + logistic regression"]
    model = report["scores"][0]
    assert set(model["per_intent"]) == {"incident", "service_request", "access_request", "other"}
    assert sum(sum(row.values()) for row in model["intent_confusion"].values()) == report["heldout_messages"]
    assert model["intent_macro_f1"] > 0.85 and model["queue_accuracy"] > 0.85
