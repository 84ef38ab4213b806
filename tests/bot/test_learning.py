"""Learning from staff: a correction becomes a training example, `train --with-feedback` folds
it in, and `evaluate` says whether the retrained model did better than the one before."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from nlp.pipeline import resolve_model_dir
from tests.conftest import ROOT, SERVICEDESK


@pytest.fixture
def sqlite_only(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("retraining is database-independent; once on SQLite is enough")
    return database_url


def test_a_reroute_is_learned_and_the_retrained_model_is_compared(sqlite_only, cli_env, tmp_path):
    model_dir = tmp_path / "model"
    shutil.copytree(resolve_model_dir(), model_dir)
    env = {**cli_env, "SERVICEDESK_MODEL_DIR": str(model_dir)}

    def run(args, stdin=""):
        return subprocess.run([SERVICEDESK, *args], input=stdin, capture_output=True, text=True, env=env,
                              cwd=ROOT, timeout=600)

    run(["chat", "--as", "alice"], "Excel crashes every time I open the budget file\n")
    assert run(["chat", "--as", "agent"], "/sd queue INC-1 technical\n").returncode == 0

    trained = run(["train", "--with-feedback"])
    assert trained.returncode == 0, trained.stderr
    assert "including 1 staff corrections" in trained.stderr
    assert json.loads(trained.stdout)["examples"] > 2000
    assert (tmp_path / "model.previous" / "meta.json").exists()

    evaluated = run(["evaluate"])
    assert evaluated.returncode == 0, evaluated.stderr
    assert "against the model before the last retraining:" in evaluated.stdout
    assert "intent_macro_f1:" in evaluated.stdout
