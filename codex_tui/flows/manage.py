"""Archive, unarchive, rename, delete and export from any screen that shows sessions.

The picker and the transcript share this: the keys (`MANAGE_BINDINGS`, added to their
BINDINGS), the palette entries (`manage_commands`), the dialogs, and the write itself, run
in a thread worker through the ThreadStore. A write's outcome is a notification (errors in
plain words, never a traceback) and a `SessionChanged` message posted to every screen on
the stack, so the picker under a transcript refreshes its row too.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable

from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from ..store import StoreError, ThreadStore, ThreadSummary
from ..textutil import one_line

MANAGE_BINDINGS = [
    # Codex's resume picker archives with Ctrl+A too; check_action shows the one that applies.
    Binding("ctrl+a", "archive", "Archive"),
    Binding("ctrl+a", "unarchive", "Unarchive"),
    Binding("f2", "rename", "Rename", key_display="F2"),
    Binding("d", "delete", "Delete"),
    Binding("delete", "delete", "Delete", show=False),
    Binding("e", "export", "Export"),
]
MANAGE_ACTIONS = frozenset({"archive", "unarchive", "rename", "delete", "export"})


class SessionChanged(Message):
    """A session was archived, unarchived, renamed or forked (summary is the new one, for a
    fork the fork's) or deleted (summary is None)."""

    bubble = False

    def __init__(self, action: str, thread_id: str, summary: ThreadSummary | None) -> None:
        super().__init__()
        self.action = action
        self.thread_id = thread_id
        self.summary = summary


def _title(summary: ThreadSummary) -> str:
    title = one_line(summary.title) or summary.id
    return title if len(title) <= 80 else title[:79] + "…"


def _via(store: ThreadStore) -> str:
    """Which way the write went (through Codex, or to the files and why), for a message."""
    via = store.last_write_via()
    return f" (via {via})" if via else ""


def announce(app: App, action: str, thread_id: str, summary: ThreadSummary | None) -> None:
    """Tell every screen (the picker below a transcript, too) what a write did."""
    for screen in app.screen_stack:
        screen.post_message(SessionChanged(action, thread_id, summary))


def _run(screen: Screen, action: str, job: Callable[[], str | None]) -> None:
    """Run `job` (the store write) in a thread; its text, if any, is shown when it is done.
    Errors become notifications."""
    app = screen.app

    def work() -> None:
        try:
            done = job()
        except StoreError as exc:
            app.notify(str(exc), title=f"Could not {action}", severity="error", timeout=12)
            return
        except Exception as exc:  # an unexpected failure: still a sentence, not a traceback
            app.notify(f"{type(exc).__name__}: {exc}", title=f"Could not {action}",
                       severity="error", timeout=12)
            return
        if done:
            app.notify(done, timeout=6)

    screen.run_worker(work, thread=True, group="manage", exit_on_error=False,
                      name=f"{action} session", description=f"{action} session")


def archive(screen: Screen, store: ThreadStore, summary: ThreadSummary) -> None:
    def job() -> str:
        new = store.archive(summary.id)
        announce(screen.app, "archive", summary.id, new)
        if note := store.codex_index_note(summary.id):
            screen.app.notify(note, severity="warning", timeout=15)
        return (f"Archived “{_title(new)}”{_via(store)}. Codex will not resume it until it is "
                "unarchived.")

    _run(screen, "archive", job)


def unarchive(screen: Screen, store: ThreadStore, summary: ThreadSummary) -> None:
    def job() -> str:
        new = store.unarchive(summary.id)
        announce(screen.app, "unarchive", summary.id, new)
        return f"Unarchived “{_title(new)}”{_via(store)}: back among the active sessions."

    _run(screen, "unarchive", job)


def rename(screen: Screen, store: ThreadStore, summary: ThreadSummary) -> None:
    from ..dialogs.rename import RenameDialog

    def answered(name: str | None) -> None:
        if name is None:
            return

        def job() -> str:
            new, warnings = store.set_name(summary.id, name)
            announce(screen.app, "rename", summary.id, new)
            for warning in warnings:
                screen.app.notify(warning, severity="warning", timeout=10)
            return (f"Named “{_title(new)}”{_via(store)}: "
                    f"`codex resume {shlex.quote(new.name or '')}` finds it.")

        _run(screen, "rename", job)

    screen.app.push_screen(RenameDialog(summary, lambda name: store.name_warnings(summary.id,
                                                                                  name)),
                           answered)


def delete(screen: Screen, store: ThreadStore, summary: ThreadSummary) -> None:
    files = max(1, len(summary.segments))

    def answered(yes: bool | None) -> None:
        if not yes:
            return

        def job() -> str:
            store.delete(summary.id)
            announce(screen.app, "delete", summary.id, None)
            return f"Deleted “{_title(summary)}”{_via(store)}."

        _run(screen, "delete", job)

    where = "archived_sessions/" if summary.archived else "sessions/"
    from ..dialogs.confirm import ConfirmScreen  # (on first use: start-up need not build it)

    screen.app.push_screen(ConfirmScreen(
        f"“{_title(summary)}”\n{summary.id}\n\nIts {files} file{'s' if files != 1 else ''} "
        f"in {where} and its name will be removed for good, as `codex delete` does. "
        "There is no undo.",
        "Delete this session?", confirm="Delete", default=False, danger=True), answered)


def export(screen: Screen, store: ThreadStore, summary: ThreadSummary) -> None:
    from ..dialogs.export import ExportDialog, ExportRequest
    from ..export.formats import render, write_export

    def answered(request: ExportRequest | None) -> None:
        if request is None:
            return

        def job() -> str:
            thread = store.read_thread(request.thread_id)
            path = write_export(request.path, render(thread, request.format),
                                overwrite=request.overwrite)
            return f"Exported to {path}"

        _run(screen, "export", job)

    screen.app.push_screen(ExportDialog(summary), answered)


def check(action: str, summary: ThreadSummary | None) -> bool | None:
    """check_action for the manage keys: archive or unarchive, whichever applies."""
    if action == "archive":
        return summary is None or not summary.archived
    if action == "unarchive":
        return summary is not None and summary.archived
    return True


def manage_commands(archive_action: Callable[[], None], unarchive_action: Callable[[], None],
                    rename_action: Callable[[], None], delete_action: Callable[[], None],
                    export_action: Callable[[], None], subject: str,
                    archived: bool | None) -> list[tuple[str, str, object]]:
    """Palette entries (title, help, callback) for one screen's manage actions."""
    commands: list[tuple[str, str, object]] = []
    if archived is not True:
        commands.append((f"Archive {subject}", "Move it to archived_sessions/ (Ctrl+A), as "
                         "Codex does", archive_action))
    if archived is not False:
        commands.append((f"Unarchive {subject}", "Move it back to sessions/ (Ctrl+A)",
                         unarchive_action))
    commands += [
        (f"Rename {subject}", "Set the name `codex resume NAME` finds (F2)", rename_action),
        (f"Delete {subject}", "Remove its files and name for good, after a question (d)",
         delete_action),
        (f"Export {subject}", "Write it as Markdown, HTML or JSON (e)", export_action),
    ]
    return commands


class ManageActions:
    """The archive, unarchive, rename, delete and export actions of a screen (the picker's
    and the transcript's are the same): the screen says which session they act on."""

    store: ThreadStore

    def manage_target(self) -> ThreadSummary | None:
        """The session to act on, or None (after saying why)."""
        raise NotImplementedError

    def _manage(self, flow: Callable[[Screen, ThreadStore, ThreadSummary], None]) -> None:
        if (summary := self.manage_target()) is not None:
            flow(self, self.store, summary)  # type: ignore[arg-type]

    def action_archive(self) -> None:
        self._manage(archive)

    def action_unarchive(self) -> None:
        self._manage(unarchive)

    def action_rename(self) -> None:
        self._manage(rename)

    def action_delete(self) -> None:
        self._manage(delete)

    def action_export(self) -> None:
        self._manage(export)
