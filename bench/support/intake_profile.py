"""Per-ticket CPU of Slack intake without HTTP: what one acknowledged DM costs the desk.

Runs in this process what a Slack lazy listener runs for a DM (journal write at the ack,
`handle_message(..., reply_via_outbox=True)`, journal marked handled) over a SQLite file, after
`--history` earlier incidents, and prints CPU milliseconds per ticket (total and by phase).
`--profile` prints the cProfile top functions too. Used to find where the time goes; the
benchmark itself is bench/slack_intake.py.

    .venv/bin/python bench/support/intake_profile.py [--tickets 300] [--history 500] [--profile [--dump FILE]]
"""
from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--history", type=int, default=500)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--dump", help="with --profile: also write the raw profile here (for pstats)")
    args = parser.parse_args()

    from bench.slack_intake import ticket_texts
    from bot.config import load_organisation
    from handlers.desk import Desk
    from handlers.intake import handle_message
    from handlers.messages import Conversation, Inbound, Person
    from nlp.pipeline import IntentModel
    from storage.database import Database
    from storage.inbound_journal import mark_handled, write_down

    organisation = load_organisation(ROOT / "app.yaml")
    model = IntentModel.load(applications=organisation.nlp.applications, hosts=organisation.nlp.hosts)
    database = Database(f"sqlite:///{Path(tempfile.mkdtemp(prefix='intake-profile-')) / 'desk.db'}")
    database.upgrade()
    desk = Desk(organisation=organisation, database=database, classifier=model)
    texts = ticket_texts(args.history + args.tickets)

    def one(number: int) -> None:
        user, event_id = f"U{number:06d}", f"Ev{number:08d}"
        body = {"event_id": event_id, "event": {"type": "message", "user": user, "text": texts[number]}}
        with database.session() as session:
            write_down(session, source="slack:event", external_id=event_id, payload=body, at=desk.clock.now())
        inbound = Inbound(Person("slack", user, f"User {number}"), Conversation("slack", f"D{user}", f"1700.{number}"),
                          texts[number], source="slack:event", external_id=event_id)
        handle_message(desk, inbound, reply_via_outbox=True)
        with database.session() as session:
            mark_handled(session, source="slack:event", external_id=event_id, at=desk.clock.now())

    for number in range(args.history):
        one(number)
    classify = sum(_cpu(model.classify, text) for text in texts[args.history:])
    profiler = cProfile.Profile() if args.profile else None
    started, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for number in range(args.history, args.history + args.tickets):
        one(number)
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - started, time.perf_counter() - wall
    print(json.dumps({"tickets": args.tickets, "history": args.history,
                      "cpu_ms_per_ticket": round(cpu * 1000 / args.tickets, 2),
                      "wall_ms_per_ticket": round(wall * 1000 / args.tickets, 2),
                      "classify_cpu_ms_per_ticket": round(classify * 1000 / args.tickets, 2),
                      "profiled": bool(profiler)}))
    if profiler:
        if args.dump:
            profiler.dump_stats(args.dump)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def _cpu(function, *args) -> float:
    started = time.process_time()
    function(*args)
    return time.process_time() - started


if __name__ == "__main__":
    main()
