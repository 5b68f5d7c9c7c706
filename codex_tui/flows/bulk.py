"""Archive, unarchive, delete or export the marked sessions: one question (how many, how
many bytes, which are left alone and why), then the run with its progress and each
session's result (dialogs/bulk.py), every write the store's own (store/bulk.py).

Each session written is announced to every screen on the stack as a single write is
(`SessionChanged`), so the picker's rows follow as the run goes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.screen import Screen

from ..store import ThreadStore, ThreadSummary
from ..store.bulk import WOULD, BulkOutcome, Write, applies, plan
from .manage import announce

if TYPE_CHECKING:
    from ..dialogs.bulk import ExportTarget

ACTIONS = ("archive", "unarchive", "delete", "export")


def start_bulk(screen: Screen, store: ThreadStore, marked: list[ThreadSummary], action: str,
               finished: Callable[[list[BulkOutcome]], None] | None = None) -> None:
    """The whole flow on `marked`; `finished` gets the outcomes when the run is closed."""
    from ..dialogs.bulk import BulkExportDialog
    from ..dialogs.export import default_folder

    app = screen.app
    chosen = [s for s in marked if applies(action, s)]
    left_out = len(marked) - len(chosen)
    if not chosen:
        state = "archived" if action == "unarchive" else "active"
        app.notify(f"None of the {len(marked):,} marked sessions is {state}: "
                   f"nothing to {action}", timeout=5)
        return

    def ask(target: ExportTarget | None) -> None:
        def work() -> None:
            outcomes = plan(store, chosen, action)  # (the store's refusals: reads heads)
            app.call_from_thread(confirm, outcomes, target)

        screen.run_worker(work, thread=True, group="bulk-plan", exit_on_error=False,
                          name=f"plan {action}")

    def confirm(outcomes: list[BulkOutcome], target: ExportTarget | None) -> None:
        from ..dialogs.bulk import VERBS, bulk_question
        from ..dialogs.confirm import ConfirmScreen

        by_id = {s.id: s for s in chosen}
        message, question = bulk_question(action, outcomes, by_id, left_out,
                                          target.folder if target else None)
        if not any(o.result == WOULD for o in outcomes):
            app.notify(message, title=f"Nothing to {action}", severity="warning", timeout=12)
            return
        danger = action == "delete"

        def answered(yes: bool | None) -> None:
            if yes:
                run(target)

        app.push_screen(ConfirmScreen(message, question, confirm=VERBS[action],
                                      default=not danger, danger=danger), answered)

    def run(target: ExportTarget | None) -> None:
        from ..dialogs.bulk import BulkProgress

        write = export_write(target) if target is not None else None

        def done(outcome: BulkOutcome) -> None:
            if action != "export":
                announce(app, action, outcome.id, outcome.after)

        def closed(outcomes: list[BulkOutcome] | None) -> None:
            if finished is not None:
                finished(outcomes or [])

        app.push_screen(BulkProgress(store, chosen, action, write, done), closed)

    if action == "export":
        app.push_screen(BulkExportDialog(len(chosen), default_folder()),
                        lambda target: ask(target) if target is not None else None)
    else:
        ask(None)


def export_write(target: ExportTarget) -> Write:
    """One file per session in the folder, named as a single export names it; where that
    name is taken (ids made within a minute share their first 8 characters) the whole id
    is used. An existing file is refused, never replaced."""
    from ..export.formats import default_filename, render, write_export

    def write(store: ThreadStore, summary: ThreadSummary) -> str:
        thread = store.read_thread(summary.id)
        name = default_filename(summary, target.format)
        path = os.path.join(target.folder, name)
        if os.path.lexists(path):
            path = os.path.join(target.folder, name.replace(summary.id[:8], summary.id, 1))
        return write_export(path, render(thread, target.format))

    return write

