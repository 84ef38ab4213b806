"""Classification speed: model load, in-process throughput, and whole-process `servicedesk
classify` over 10,000 lines, against a bare blank-English spaCy tokenizer in the same run.

Prints one JSON object. Targets (issue #3): >= 5,000 messages/s in-process, >= 2,000 messages/s
for the whole process over 10,000 lines, model load <= 2 s.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LINES = 10_000


def messages() -> list[str]:
    from nlp.corpus_io import load_heldout

    texts = [example.text for example in load_heldout()]
    return [texts[i % len(texts)] for i in range(LINES)]


def best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    import spacy

    from nlp.pipeline import IntentModel

    texts = messages()
    started = time.perf_counter()
    model = IntentModel.load()
    load_seconds = time.perf_counter() - started

    model.classify_many(texts[:500])  # warm up
    in_process = best_of(3, lambda: model.classify_many(texts))
    blank = spacy.blank("en")
    tokenizer_only = best_of(3, lambda: list(blank.pipe(texts, batch_size=256)))

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(t.replace("\n", " ") for t in texts) + "\n")
        path = handle.name
    command = [str(Path(sys.executable).with_name("servicedesk")), "classify"]
    env = {**os.environ, "SERVICEDESK_CONFIG": str(ROOT / "app.yaml")}

    def whole_process() -> None:
        with open(path) as stdin:
            result = subprocess.run(command, stdin=stdin, capture_output=True, text=True, env=env, cwd=ROOT)
        assert result.returncode == 0, result.stderr
        assert result.stdout.count("\n") == LINES

    whole = best_of(2, whole_process)
    os.unlink(path)

    report = {
        "benchmark": "classify",
        "messages": LINES,
        "model_load_seconds": round(load_seconds, 3),
        "in_process_messages_per_second": round(LINES / in_process),
        "baseline_blank_tokenizer_messages_per_second": round(LINES / tokenizer_only),
        "in_process_vs_tokenizer_only": round(tokenizer_only / in_process, 3),
        "whole_process_seconds": round(whole, 3),
        "whole_process_messages_per_second": round(LINES / whole),
        "targets": {"in_process_messages_per_second": 5000, "whole_process_messages_per_second": 2000,
                    "model_load_seconds": 2.0},
    }
    report["meets_targets"] = (
        report["in_process_messages_per_second"] >= 5000
        and report["whole_process_messages_per_second"] >= 2000
        and report["model_load_seconds"] <= 2.0
    )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
