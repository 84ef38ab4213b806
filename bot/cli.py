"""`servicedesk`: chat, serve, tickets, db, train, classify."""
from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import sys
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings
from bot.logs import configure as configure_logging
from storage.errors import DatabaseUnavailable

EXIT_CONFIG = 2
EXIT_UNAVAILABLE = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="servicedesk", description="The ChatOps service desk.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    chat = commands.add_parser("chat", help="the desk in this terminal (interactive, or piped lines)")
    chat.add_argument("--as", dest="name", default=os.environ.get("SERVICEDESK_USER", "alice"),
                      help="who you are: a staff name from app.yaml (e.g. agent) or any end user name")

    serve = commands.add_parser("serve", help="the long-running desk: HTTP, front ends, relay")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)

    tickets = commands.add_parser("tickets", help="look at tickets")
    ticket_commands = tickets.add_subparsers(dest="tickets_command", metavar="list|show", required=True)
    listing = ticket_commands.add_parser("list", help="all tickets")
    listing.add_argument("--json", action="store_true")
    show = ticket_commands.add_parser("show", help="one ticket with its history")
    show.add_argument("ref")
    show.add_argument("--json", action="store_true")

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", metavar="upgrade", required=True)
    db_commands.add_parser("upgrade", help="migrate the schema to the newest version")

    train = commands.add_parser("train", help="retrain the intent model from the corpus")
    train.add_argument("--with-feedback", action="store_true", help="include staff corrections")

    commands.add_parser("classify", help="classify one message per stdin line, print JSON lines")

    sweep = commands.add_parser("sweep", help="one pass of every sweep (SLA, status updates, auto-close, "
                                              "major incidents), then exit")
    sweep.add_argument("--now", metavar="ISO|+DURATION",
                       help="run the sweep as if it were this time (an ISO time, or +20m, +2h, +3d from now). "
                            "Not a dry run: what falls due by then really happens (escalations, breaches, auto-closes, "
                            "access revocations, notifications), so try it on a scratch database")

    report = commands.add_parser("report", help="the managers' report (figures, PNG chart) for a period")
    report.add_argument("--since", required=True, metavar="DATE", help="first day (YYYY-MM-DD, local) or ISO time")
    report.add_argument("--until", metavar="DATE", help="last day, included (default: now)")
    report.add_argument("--queue", choices=("technical", "application", "operations"), help="only this queue")
    report.add_argument("--out", metavar="FILE.png", help="write the chart to this file")
    report.add_argument("--json", action="store_true", help="print the figures as JSON")

    evaluate = commands.add_parser("evaluate", help="scores on the held-out set, beside a TF-IDF baseline")
    evaluate.add_argument("--png", metavar="FILE", help="also draw the confusion matrices to FILE")
    evaluate.add_argument("--json", action="store_true", help="print the scores as JSON")

    audit = commands.add_parser("audit", help="the access trail for auditors")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="export", required=True)
    audit_export = audit_commands.add_parser("export", help="who requested, approved, granted, revoked what, when")
    audit_export.add_argument("--since", required=True, metavar="DATE", help="YYYY-MM-DD or an ISO time (UTC)")
    audit_export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    audit_export.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    return parser


def main(argv: list[str] | None = None) -> int:
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `servicedesk tickets list | head` ends quietly
    args = _parser().parse_args(argv)
    configure_logging()  # SERVICEDESK_LOG_FORMAT=json|text, SERVICEDESK_LOG_LEVEL; ticket on every line
    command = args.command or "chat"
    if command == "chat" and not hasattr(args, "name"):
        args.name = os.environ.get("SERVICEDESK_USER", "alice")
    try:
        if command == "train":
            return _train(args)
        if command == "evaluate":
            return _evaluate(args)
        settings = load_settings()
        return COMMANDS[command](settings, args)
    except ConfigError as exc:
        print(f"servicedesk: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except DatabaseUnavailable as exc:
        print(f"servicedesk: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except KeyboardInterrupt:
        return 130


def _chat(settings: Settings, args) -> int:
    from bot.console import chat
    from bot.runtime import build_desk

    _log_to_file(settings)
    return chat(build_desk(settings), args.name)


def _log_to_file(settings: Settings) -> None:
    """In the terminal the screen belongs to the conversation: logs go to var/servicedesk.log."""
    path = Path(os.environ.get("SERVICEDESK_LOG_FILE", "var/servicedesk.log"))
    path.parent.mkdir(parents=True, exist_ok=True)
    configure_logging(logging.FileHandler(path, encoding="utf-8"))


def _serve(settings: Settings, args) -> int:
    from bot.server import serve

    return serve(settings, host=args.host, port=args.port)


def _tickets(settings: Settings, args) -> int:
    from bot.runtime import open_database
    from bot.tickets_cli import list_tickets_command, show_ticket_command

    database = open_database(settings)
    if args.tickets_command == "list":
        return list_tickets_command(database, as_json=args.json)
    return show_ticket_command(database, args.ref, as_json=args.json)


def _db(settings: Settings, args) -> int:
    from storage.database import Database

    database = Database(settings.database_url)
    database.upgrade()
    print(f"database schema is up to date ({database.engine.url.render_as_string(hide_password=True)})")
    return 0


def _train(args) -> int:
    from nlp.training import train
    from nlp.pipeline import DEFAULT_MODEL_DIR

    model_dir = Path(os.environ.get("SERVICEDESK_MODEL_DIR") or DEFAULT_MODEL_DIR)
    examples = None
    if args.with_feedback:
        from bot.feedback import feedback_examples
        from nlp.corpus_io import load_training

        corrections = feedback_examples(load_settings())
        print(f"including {len(corrections)} staff corrections", file=sys.stderr)
        examples = load_training(extra=corrections)
    previous = model_dir.with_name(model_dir.name + ".previous")
    if (model_dir / "meta.json").exists():  # kept so `evaluate` can say whether retraining helped
        shutil.rmtree(previous, ignore_errors=True)
        shutil.copytree(model_dir, previous)
    metrics = train(model_dir, examples=examples, progress=lambda line: print(line, file=sys.stderr, flush=True))
    print(json.dumps({"model": str(model_dir), **metrics}))
    return 0


def _evaluate(args) -> int:
    from nlp.corpus_io import load_heldout, load_training
    from nlp.evaluation import evaluate_baseline, evaluate_model, format_report, save_confusion_png, unseen
    from nlp.pipeline import IntentModel, resolve_model_dir

    train_set = load_training()
    heldout, left_out = unseen(train_set, load_heldout())
    model_dir = resolve_model_dir()
    progress = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    scores = [evaluate_model(IntentModel.load(model_dir, progress=progress), heldout)]
    baseline = evaluate_baseline(train_set, heldout)
    if baseline is not None:
        scores.append(baseline)
    previous_dir = model_dir.with_name(model_dir.name + ".previous")
    previous = None
    if (previous_dir / "meta.json").exists():
        previous = evaluate_model(IntentModel.load(previous_dir, progress=progress), heldout, "previous model")
    if args.json:
        report = {"heldout_messages": len(heldout), "left_out_seen_in_training": left_out,
                  "scores": [s.as_dict() for s in scores]}
        if previous is not None:
            report["previous"] = previous.as_dict()
        print(json.dumps(report, indent=2))
    else:
        print(f"held-out messages: {len(heldout)} (never trained on; {left_out} also in training left out)")
        print(format_report(scores, previous))
        if baseline is None:
            print("(install scikit-learn for the TF-IDF + logistic regression baseline)")
    if args.png:
        save_confusion_png(scores[0], args.png)
        print(f"confusion matrices written to {args.png}", file=sys.stderr)
    return 0


def _classify(settings: Settings, args) -> int:
    from handlers.intake import clean  # as chat reads a line: control characters and stray surrogates dropped
    from nlp.pipeline import IntentModel  # only the model: no database for this command

    names = settings.organisation.nlp
    model = IntentModel.load(applications=names.applications, hosts=names.hosts,
                             progress=lambda line: print(line, file=sys.stderr, flush=True))
    batch: list[str] = []
    out = sys.stdout
    for line in sys.stdin:
        batch.append(clean(line))
        if len(batch) >= 1000:
            _emit(model, batch, out)
            batch = []
    if batch:
        _emit(model, batch, out)
    return 0


def _emit(model, batch: list[str], out) -> None:
    results = model.classify_many(batch)
    out.write("".join(json.dumps(result.as_dict()) + "\n" for result in results))
    out.flush()


def _report(settings: Settings, args) -> int:
    from bot.report_cli import report_command
    from bot.runtime import open_database

    return report_command(open_database(settings), settings.organisation, args)


def _sweep(settings: Settings, args) -> int:
    from bot.sweep_jobs import BadMoment, sweep_once

    try:
        return sweep_once(settings, now_text=args.now)
    except BadMoment as exc:
        print(f"servicedesk: {exc}", file=sys.stderr)
        return EXIT_CONFIG


COMMANDS = {
    "chat": _chat,
    "serve": _serve,
    "tickets": _tickets,
    "db": _db,
    "classify": _classify,
    "sweep": _sweep,
    "report": _report,
    "audit": lambda settings, args: _audit(settings, args),
}


def _audit(settings: Settings, args) -> int:
    from bot.audit_export import export
    from bot.runtime import open_database

    return export(open_database(settings), since_text=args.since, fmt=args.format, out_path=args.out or None)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
