"""Honest evaluation on the held-out set: per-class precision/recall/F1, macro-F1, queue accuracy,
confusion matrices, and a TF-IDF + logistic regression baseline trained on the same split.

The held-out set (nlp/heldout) is written separately from the training corpus and never trained
on; `unseen` leaves out any held-out message that also appears in training.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from nlp.corpus_io import INTENTS, QUEUES, LabelledExample

NONE = "none"  # the queue of a message predicted as `other`


@dataclass
class Scores:
    name: str
    per_intent: dict[str, dict[str, float]]
    intent_macro_f1: float
    intent_accuracy: float
    queue_accuracy: float
    intent_confusion: dict[str, dict[str, int]]
    queue_confusion: dict[str, dict[str, int]]
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "intent_macro_f1": self.intent_macro_f1,
            "intent_accuracy": self.intent_accuracy,
            "queue_accuracy": self.queue_accuracy,
            "per_intent": self.per_intent,
            "intent_confusion": self.intent_confusion,
            "queue_confusion": self.queue_confusion,
            **self.extra,
        }


def score(name: str, gold: Sequence[LabelledExample], intents: Sequence[str], queues: Sequence[str | None]) -> Scores:
    """Intent scores over every message; queue accuracy over the messages whose gold intent opens
    a ticket (a ticket predicted as `other`, with no queue, counts as a wrong queue)."""
    per_intent = {}
    for label in INTENTS:
        tp = sum(1 for g, p in zip(gold, intents) if g.intent == label and p == label)
        fp = sum(1 for g, p in zip(gold, intents) if g.intent != label and p == label)
        fn = sum(1 for g, p in zip(gold, intents) if g.intent == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[label] = {"precision": round(precision, 4), "recall": round(recall, 4),
                             "f1": round(f1, 4), "support": tp + fn}
    with_queue = [(g.queue, p) for g, p in zip(gold, queues) if g.queue is not None]
    intent_confusion = {g: {p: 0 for p in INTENTS} for g in INTENTS}
    for g, p in zip(gold, intents):
        intent_confusion[g.intent][p] += 1
    queue_confusion = {g: {p: 0 for p in (*QUEUES, NONE)} for g in QUEUES}
    for g, p in with_queue:
        queue_confusion[g][p or NONE] += 1
    return Scores(
        name=name,
        per_intent=per_intent,
        intent_macro_f1=round(sum(v["f1"] for v in per_intent.values()) / len(INTENTS), 4),
        intent_accuracy=round(sum(g.intent == p for g, p in zip(gold, intents)) / max(1, len(gold)), 4),
        queue_accuracy=round(sum(g == p for g, p in with_queue) / max(1, len(with_queue)), 4),
        intent_confusion=intent_confusion,
        queue_confusion=queue_confusion,
    )


def evaluate_model(model, heldout: Sequence[LabelledExample], name: str = "spaCy model") -> Scores:
    """The desk's own decisions (IntentModel.classify_many) on the held-out messages."""
    results = model.classify_many([example.text for example in heldout])
    return score(name, heldout, [r.intent for r in results], [r.queue for r in results])


def evaluate_baseline(train: Sequence[LabelledExample], heldout: Sequence[LabelledExample]) -> Scores | None:
    """TF-IDF (word 1-2 grams) + logistic regression, trained on the same training split.
    None when scikit-learn is not installed."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        return None
    texts = [e.text for e in train]
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, lowercase=True)
    features = vectorizer.fit_transform(texts)
    intent_model = LogisticRegression(max_iter=2000, C=10.0).fit(features, [e.intent for e in train])
    queued = [i for i, e in enumerate(train) if e.queue is not None]
    queue_model = LogisticRegression(max_iter=2000, C=10.0).fit(features[queued], [train[i].queue for i in queued])
    heldout_features = vectorizer.transform([e.text for e in heldout])
    intents = list(intent_model.predict(heldout_features))
    queues = [None if i == "other" else q for i, q in zip(intents, queue_model.predict(heldout_features))]
    return score("TF-IDF + logistic regression", heldout, intents, queues)


def unseen(train: Sequence[LabelledExample], heldout: Sequence[LabelledExample]) -> tuple[list[LabelledExample], int]:
    """The held-out messages that do not also appear in training (compared case- and
    space-insensitively), and how many were left out: evaluation never scores a message the
    model trained on. Short common messages ("hi", "thanks") can be written by both authors."""
    seen = {" ".join(e.text.lower().split()) for e in train}
    kept = [e for e in heldout if " ".join(e.text.lower().split()) not in seen]
    return kept, len(heldout) - len(kept)


def format_report(scores: list[Scores], previous: Scores | None = None) -> str:
    lines = []
    main = scores[0]
    header = f"{'':18}" + "".join(f"{s.name[:30]:>32}" for s in scores)
    lines.append(header)
    for metric in ("intent_macro_f1", "intent_accuracy", "queue_accuracy"):
        lines.append(f"{metric:18}" + "".join(f"{getattr(s, metric):>32.4f}" for s in scores))
    lines.append("")
    lines.append(f"per intent ({main.name}):      precision  recall      f1  support")
    for label, v in main.per_intent.items():
        lines.append(f"  {label:26}{v['precision']:>10.3f}{v['recall']:>8.3f}{v['f1']:>8.3f}{v['support']:>9}")
    lines.append("")
    lines.append(_matrix("intent confusion (rows: true, columns: predicted)", main.intent_confusion))
    lines.append(_matrix("queue confusion (rows: true, columns: predicted)", main.queue_confusion))
    if previous is not None:
        lines.append("")
        lines.append("against the model before the last retraining:")
        for metric in ("intent_macro_f1", "queue_accuracy"):
            before, after = getattr(previous, metric), getattr(main, metric)
            verdict = "better" if after > before else "worse" if after < before else "unchanged"
            lines.append(f"  {metric}: {before:.4f} -> {after:.4f} ({verdict})")
    return "\n".join(lines)


def _matrix(title: str, matrix: dict[str, dict[str, int]]) -> str:
    columns = list(next(iter(matrix.values())).keys())
    width = max(len(c) for c in columns) + 2
    rows = [title, " " * 18 + "".join(f"{c:>{width}}" for c in columns)]
    for gold, counts in matrix.items():
        rows.append(f"  {gold:16}" + "".join(f"{counts[c]:>{width}}" for c in columns))
    return "\n".join(rows) + "\n"


def save_confusion_png(scores: Scores, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(12, 5))
    for ax, (title, matrix) in zip(axes, (("intent", scores.intent_confusion), ("queue", scores.queue_confusion))):
        rows = list(matrix)
        columns = list(next(iter(matrix.values())))
        values = [[matrix[r][c] for c in columns] for r in rows]
        ax.imshow(values, cmap="Blues")
        ax.set_xticks(range(len(columns)), columns, rotation=30, ha="right")
        ax.set_yticks(range(len(rows)), rows)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(f"{title} ({scores.name})")
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                ax.text(j, i, str(value), ha="center", va="center", color="black")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
