"""Training and evaluating the intent + queue classifier.

The pipeline is defined by ``nlp/config.cfg``: a blank English pipeline with two *exclusive*
text categorisers, ``textcat_intent`` (4 labels) and ``textcat_queue`` (3 labels).

spaCy's exclusive ``textcat`` rejects a document whose ``cats`` hold more than one positive
value (error E895), so one Example cannot carry both the intent and the queue. The loop below
therefore builds two Example streams from the same docs: intent examples carry only the 4
intent labels, queue examples carry only the 3 queue labels and exist only for messages whose
intent is not ``other``. Each stream updates only its own component (``exclude=``).

Training is reproducible: the seed fixes Python's, NumPy's and thinc's generators and the
shuffling order. The model is written to a temporary sibling directory and renamed into place,
so a reader never sees a half-written model.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy
import spacy
from spacy.attrs import IDS as ATTR_IDS
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import fix_random_seed, load_config, load_model_from_config
from thinc.api import Config, Model, SparseLinear_v2, chain, softmax_activation
from thinc.types import Floats2d

from nlp.corpus_io import (
    INTENTS,
    NO_TICKET_INTENT,
    QUEUES,
    LabelledExample,
    check_label_coverage,
    coerce_examples,
    fingerprint,
    label_counts,
    load_training,
)

CONFIG_PATH = Path(__file__).resolve().parent / "config.cfg"
INTENT_PIPE = "textcat_intent"
QUEUE_PIPE = "textcat_queue"
MODEL_FORMAT = 2  # bump when the saved model's layout changes; older models are retrained
MAX_MODEL_CHARS = 2000  # the classifier sees at most this many characters of a message

Progress = Callable[[str], Any]


# --- an optional bag-of-words architecture over chosen token attributes -----------------------

_SALT = 0x9E3779B97F4A7C15  # distinguishes hashed keys of different attributes


def _attr_ngrams(ngram_size: int, attr_ids: Sequence[int]) -> Model[list[Doc], Any]:
    """Hashed n-grams of the first attribute plus unigrams of the others (e.g. affixes).

    Same features as spaCy's extract_ngrams (unigram ids, ``ops.ngrams`` hashes), but computed
    for the whole batch at once: one sort instead of a ``numpy.unique`` per document, which
    halves the classifier's cost on short chat messages.
    """

    def forward(model: Model, docs: list[Doc], is_train: bool) -> tuple[Any, Callable]:
        ops = model.ops
        width = len(attr_ids)
        tables = [doc.to_array(list(attr_ids)).reshape((len(doc), width)) for doc in docs]
        sizes = numpy.asarray([len(table) for table in tables], dtype="int64")
        table = numpy.concatenate(tables) if tables else numpy.zeros((0, width), dtype="uint64")
        owner = numpy.repeat(numpy.arange(len(docs)), sizes)
        words = numpy.ascontiguousarray(table[:, 0], dtype="uint64")
        keys, owners = [words], [owner]
        for n in range(2, ngram_size + 1):
            if len(words) >= n:  # drop the n-grams that straddle two documents
                inside = owner[n - 1 :] == owner[: len(owner) - n + 1]
                keys.append(numpy.asarray(ops.ngrams(n, words))[inside])
                owners.append(owner[n - 1 :][inside])
        for column in range(1, width):
            salt = numpy.uint64((_SALT * column) & 0xFFFFFFFFFFFFFFFF)
            keys.append(numpy.bitwise_xor(table[:, column].astype("uint64"), salt))
            owners.append(owner)
        all_keys, all_owners = numpy.concatenate(keys), numpy.concatenate(owners)
        order = numpy.lexsort((all_keys, all_owners))
        all_keys, all_owners = all_keys[order], all_owners[order]
        first = numpy.ones(len(all_keys), dtype=bool)
        first[1:] = (all_keys[1:] != all_keys[:-1]) | (all_owners[1:] != all_owners[:-1])
        starts = numpy.flatnonzero(first)
        counts = numpy.diff(numpy.append(starts, len(all_keys)))
        lengths = numpy.bincount(all_owners[starts], minlength=len(docs))
        output = (
            ops.asarray(all_keys[starts], dtype="uint64"),
            ops.asarray(counts, dtype="f"),
            ops.asarray(lengths, dtype="int32"),
        )
        return output, lambda d_output: []

    return Model("attr_ngrams", forward)


@spacy.registry.architectures("servicedesk.TextCatBOWAttrs.v1")
def build_bow_attrs(
    exclusive_classes: bool,
    ngram_size: int,
    attrs: list[str],
    length: int = 262144,
    nO: int | None = None,
) -> Model[list[Doc], Floats2d]:
    """Like spacy.TextCatBOW.v3 (which is this with ``attrs=["ORTH"]``), but n-grams over any
    ``attrs[0]`` (e.g. LOWER) plus unigram features of the remaining attrs (PREFIX, SHAPE...),
    and a faster batched feature extractor."""
    if not attrs:
        raise ValueError("servicedesk.TextCatBOWAttrs.v1 needs at least one attribute")
    unknown = [name for name in attrs if name.upper() not in ATTR_IDS]
    if unknown:
        raise ValueError(f"unknown token attribute(s) {unknown} in servicedesk.TextCatBOWAttrs.v1")
    attr_ids = [ATTR_IDS[name.upper()] for name in attrs]
    length = 2 ** (length - 1).bit_length()
    linear = SparseLinear_v2(nO=nO, length=length)
    if not exclusive_classes:
        raise ValueError("servicedesk.TextCatBOWAttrs.v1 is for exclusive classes only")
    model = chain(_attr_ngrams(ngram_size, attr_ids), linear, softmax_activation())
    if nO is not None:
        model.set_dim("nO", nO)
    model.set_ref("output_layer", linear)
    model.attrs["multi_label"] = False
    return model


# --- building, converting, training --------------------------------------------------------


def load_training_config(config: Path | Config | None = None) -> Config:
    """``nlp/config.cfg`` (or the given path), or a deep copy of the given Config."""
    if isinstance(config, Config):
        return config.copy()
    return load_config(Path(config) if config else CONFIG_PATH)


def make_examples(
    nlp: Language, examples: Sequence[LabelledExample]
) -> tuple[list[Example], list[Example]]:
    """Intent examples (all) and queue examples (non-other only), each with its own labels."""
    intent_examples: list[Example] = []
    queue_examples: list[Example] = []
    for example in examples:
        doc = nlp.make_doc(example.text[:MAX_MODEL_CHARS])
        cats = {label: float(label == example.intent) for label in INTENTS}
        intent_examples.append(Example.from_dict(doc, {"cats": cats}))
        if example.intent != NO_TICKET_INTENT and example.queue is not None:
            cats = {label: float(label == example.queue) for label in QUEUES}
            queue_examples.append(Example.from_dict(doc, {"cats": cats}))
    return intent_examples, queue_examples


def _write_atomically(nlp: Language, model_dir: Path, averages: Any) -> None:
    model_dir = Path(model_dir)
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{model_dir.name}.tmp-", dir=model_dir.parent))
    try:
        with nlp.use_params(averages):
            nlp.to_disk(staging)
        old = None
        if model_dir.exists():
            old = model_dir.parent / f".{model_dir.name}.old-{os.getpid()}-{time.time_ns()}"
            os.replace(model_dir, old)
        os.replace(staging, model_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def train(
    model_dir: Path,
    *,
    examples: Iterable[Any] | None = None,
    seed: int = 0,
    progress: Progress | None = print,
    config: Path | Config | None = None,
) -> dict[str, Any]:
    """Train the intent and queue classifiers and write the model to ``model_dir``.

    ``examples``: the full training set (LabelledExample objects or ``{"text","intent","queue"}``
    dicts); ``None`` means everything in ``nlp/corpus`` (see ``corpus_io.load_training``, whose
    ``extra=`` adds feedback). The held-out set is never read here.
    ``progress`` receives one short line per epoch (``None`` silences it).
    ``config``: a config path or Config to use instead of ``nlp/config.cfg`` (for experiments).
    Returns the summary that is also stored under ``"servicedesk"`` in ``model_dir/meta.json``.
    """
    say = progress or (lambda line: None)
    started = time.perf_counter()
    if examples is None:
        items = load_training()
    else:
        items = coerce_examples(examples, source="examples")
        check_label_coverage(items)
    cfg = load_training_config(config)
    cfg["system"]["seed"] = seed
    cfg["training"]["seed"] = seed
    fix_random_seed(seed)
    nlp = load_model_from_config(cfg, auto_fill=True, validate=True)
    cfg = nlp.config.interpolate()
    training_cfg = cfg["training"]
    resolved = spacy.registry.resolve(
        {"optimizer": training_cfg["optimizer"], "batcher": training_cfg["batcher"]}
    )
    batcher = resolved["batcher"]
    intent_examples, queue_examples = make_examples(nlp, items)
    optimizer = nlp.initialize(lambda: intent_examples, sgd=resolved["optimizer"])
    dropout = float(training_cfg["dropout"])
    epochs = int(training_cfg["max_epochs"])
    rng = random.Random(seed)
    history: list[dict[str, float]] = []
    for epoch in range(1, epochs + 1):
        losses: dict[str, float] = {}
        rng.shuffle(intent_examples)
        rng.shuffle(queue_examples)
        for batch in batcher(intent_examples):
            nlp.update(batch, drop=dropout, sgd=optimizer, losses=losses, exclude=[QUEUE_PIPE])
        for batch in batcher(queue_examples):
            nlp.update(batch, drop=dropout, sgd=optimizer, losses=losses, exclude=[INTENT_PIPE])
        row = {
            "epoch": epoch,
            "intent_loss": round(losses.get(INTENT_PIPE, 0.0), 4),
            "queue_loss": round(losses.get(QUEUE_PIPE, 0.0), 4),
        }
        history.append(row)
        say(
            f"epoch {epoch:>2}/{epochs}  intent loss {row['intent_loss']:.4f}  "
            f"queue loss {row['queue_loss']:.4f}  ({time.perf_counter() - started:.1f}s)"
        )
    seconds = round(time.perf_counter() - started, 2)
    summary: dict[str, Any] = {
        "format": MODEL_FORMAT,
        "seed": seed,
        "epochs": epochs,
        "examples": len(items),
        "queue_examples": len(queue_examples),
        "label_counts": label_counts(items),
        "corpus_sha256": fingerprint(items),
        "architecture": {
            name: cfg["components"][name]["model"].get("@architectures")
            for name in (INTENT_PIPE, QUEUE_PIPE)
        },
        "train_seconds": seconds,
        "final_losses": history[-1] if history else {},
        "max_model_chars": MAX_MODEL_CHARS,
    }
    nlp.meta["name"] = "servicedesk_intent"
    nlp.meta["description"] = "Service desk intent (4) and queue (3) classifiers"
    nlp.meta["servicedesk"] = summary
    _write_atomically(nlp, Path(model_dir), optimizer.averages)
    say(f"model written to {model_dir} ({len(items)} examples, {seconds:.1f}s)")
    return summary


# --- evaluation ------------------------------------------------------------------------------


def macro_f1(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> float:
    scores = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted) if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def evaluate(nlp: Language, examples: Sequence[LabelledExample]) -> dict[str, Any]:
    """Intent macro-F1/accuracy over all examples; queue accuracy over gold non-other examples
    (the queue component's own answer, whatever intent was predicted)."""
    texts = [example.text[:MAX_MODEL_CHARS] for example in examples]
    predicted_intent: list[str] = []
    predicted_queue: list[str] = []
    for doc in nlp.pipe(texts, batch_size=256):
        predicted_intent.append(max(INTENTS, key=lambda label: doc.cats.get(label, 0.0)))
        predicted_queue.append(max(QUEUES, key=lambda label: doc.cats.get(label, 0.0)))
    gold_intent = [example.intent for example in examples]
    queue_pairs = [
        (example.queue, predicted)
        for example, predicted in zip(examples, predicted_queue)
        if example.queue is not None
    ]
    confusion: dict[str, dict[str, int]] = {g: {p: 0 for p in INTENTS} for g in INTENTS}
    for g, p in zip(gold_intent, predicted_intent):
        confusion[g][p] += 1
    return {
        "n": len(examples),
        "intent_macro_f1": round(macro_f1(gold_intent, predicted_intent, INTENTS), 4),
        "intent_accuracy": round(
            sum(g == p for g, p in zip(gold_intent, predicted_intent)) / max(1, len(examples)), 4
        ),
        "queue_accuracy": round(
            sum(g == p for g, p in queue_pairs) / max(1, len(queue_pairs)), 4
        ),
        "intent_confusion": confusion,
    }
