"""`codex-tui prune`: archive or delete, in bulk, the sessions a rule selects
(store/prune.py), each through the store's own single write (store/bulk.py).

Without --yes nothing is written: it prints what it would do. Exit status: 0 when every
selected session was (or would be) written, 1 when any was refused (Codex is writing it, a
fork still references it, ...) or not reached, 2 for a rule that cannot be applied, 130 when
interrupted. A first Ctrl-C stops after the session being written (each session is left as
before or as after, never between); the rest are reported as not reached.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..store.bulk import (
    DONE,
    NOT_REACHED,
    REFUSED,
    WOULD,
    BulkOutcome,
    not_reached,
    outcome_json,
    plan,
    run,
    settled,
    totals,
)
from ..store.prune import PruneRule, parse_duration, parse_size, select
from ..store.storage import every_thread, human_bytes
from ..textutil import clip, one_line, printable
from .commands import UsageError, _warn_failures, _write_json, open_store

if TYPE_CHECKING:
    from ..store import ThreadSummary

PAST = {"archive": "archived", "delete": "deleted"}
TITLE = 50


def rule_from(args: argparse.Namespace) -> PruneRule:
    if not args.all and args.cwd is None:
        raise UsageError("say which sessions: --cwd PATH (those started there) or --all")
    state = "archived" if args.archived else "active" if args.active else None
    return PruneRule(
        action="delete" if args.delete else "archive",
        older_than=parse_duration(args.older_than) if args.older_than else None,
        larger_than=parse_size(args.larger_than) if args.larger_than is not None else None,
        cwd=None if args.all else os.path.abspath(args.cwd),
        sources=frozenset(args.source) if args.source else None,
        state=state,
        include_active=args.include_active,
    ).checked()


def cmd_prune(args: argparse.Namespace) -> int:
    rule = rule_from(args)
    store = open_store(args)
    chosen = select(every_thread(store), rule, datetime.now(UTC))
    _warn_failures(store)
    by_id = {s.id: s for s in chosen}
    if not args.yes:
        planned = plan(store, chosen, rule.action)
        if args.json:
            _write_json(_json(planned, dry_run=True))
        else:
            _print_plan(planned, by_id, rule.action)
        return 1 if any(o.result != WOULD for o in planned) else 0

    outcomes: list[BulkOutcome] = []
    with StopOnFirstInterrupt() as stop:
        try:
            for outcome in run(store, chosen, rule.action, cancelled=lambda: stop[0]):
                outcomes.append(outcome)
                if not args.json:
                    _print_line(outcome, by_id.get(outcome.id))
                    sys.stdout.flush()
        except KeyboardInterrupt:  # the second Ctrl-C: in the middle of one write
            stop[0] = True
            rest = chosen[len(outcomes):]
            if rest:
                outcomes.append(settled(store, rest[0], rule.action))
            outcomes += [not_reached(s, rule.action) for s in rest[1:]]
            if not args.json:
                for outcome in outcomes[len(outcomes) - len(rest):]:
                    _print_line(outcome, by_id.get(outcome.id))
        interrupted = stop[0]
    if args.json:
        _write_json(_json(outcomes, dry_run=False))
    else:
        _print_totals(outcomes, rule.action)
    if interrupted:
        return 130
    return 1 if any(o.result in (REFUSED, NOT_REACHED) for o in outcomes) else 0


class StopOnFirstInterrupt:
    """The first SIGINT asks the run to stop between two sessions; a second one
    interrupts at once (the store's writes are safe at any point)."""

    def __enter__(self) -> list[bool]:
        self.flag = [False]
        self.previous = None
        try:
            self.previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:
            self.previous = None  # not the main thread: Ctrl-C works as it always does
        return self.flag

    def _handle(self, _signum: int, _frame: object) -> None:
        if self.flag[0]:
            raise KeyboardInterrupt
        self.flag[0] = True
        print("codex-tui: stopping after this session (Ctrl-C again to stop now)",
              file=sys.stderr)

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def _json(outcomes: list[BulkOutcome], dry_run: bool) -> dict:
    counted = totals(outcomes)
    acted = counted.get(WOULD if dry_run else DONE, (0, 0))
    return {
        "dry_run": dry_run,
        "sessions": [outcome_json(o) for o in outcomes],
        "total_bytes": acted[1],  # of the sessions written (would be, in a dry run)
        "counts": {result: n for result, (n, _b) in counted.items()},
        "selected_bytes": sum(o.bytes or 0 for o in outcomes),
    }


def _describe(s: ThreadSummary | None) -> str:
    if s is None:
        return ""
    when = s.updated_at.astimezone().strftime("%Y-%m-%d") if s.updated_at else "?"
    title = clip(one_line(s.title[:TITLE * 2] if s.title else ""), TITLE)
    return f"{when}  {one_line(s.cwd) or '?'}  {title}"


def _rows(outcomes: list[BulkOutcome], by_id: dict[str, ThreadSummary]) -> Iterator[str]:
    for o in outcomes:
        yield (f"  {o.result:<8} {human_bytes(o.bytes):>10}  {o.id}  "
               f"{_describe(by_id.get(o.id))}")
        if o.reason:
            yield f"           {printable(o.reason)}"


def _print_plan(outcomes: list[BulkOutcome], by_id: dict[str, ThreadSummary],
                action: str) -> None:
    if not outcomes:
        print("no session matches: nothing to do", file=sys.stderr)
        return
    for line in _rows(outcomes, by_id):
        print(line)
    counted = totals(outcomes)
    n, size = counted.get(WOULD, (0, 0))
    refused = counted.get(REFUSED, (0, 0))[0]
    print(f"\nwould {action} {n:,} session{'s' if n != 1 else ''} ({human_bytes(size)})"
          + (f"; {refused:,} left alone (see above)" if refused else ""))
    if n:
        print(f"nothing written: run again with --yes to {action} them")


def _print_line(o: BulkOutcome, s: ThreadSummary | None) -> None:
    verb = PAST.get(o.action, o.action) if o.result == DONE else o.result
    via = f"  (via {printable(o.via)})" if o.via and o.result == DONE else ""
    print(f"{verb:<9} {human_bytes(o.bytes):>10}  {o.id}  {_describe(s)}{via}")
    if o.reason:
        print(f"          {printable(o.reason)}")


def _print_totals(outcomes: list[BulkOutcome], action: str) -> None:
    counted = totals(outcomes)
    n, size = counted.get(DONE, (0, 0))
    parts = [f"{PAST[action]} {n:,} session{'s' if n != 1 else ''} ({human_bytes(size)})"]
    for result in (REFUSED, NOT_REACHED):
        if result in counted:
            parts.append(f"{counted[result][0]:,} {result}")
    if not outcomes:
        parts = ["no session matches: nothing to do"]
    print("\n" + "; ".join(parts), file=sys.stderr if not outcomes else sys.stdout)
