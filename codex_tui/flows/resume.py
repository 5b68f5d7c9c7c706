"""Leaving the app to resume a session, shared by the screens that offer it.

Codex refuses to resume an archived session, so one is first offered to be moved back
among the active ones (through the store); the app then exits with a ResumeRequest and the
CLI runs `codex resume`.
"""

from __future__ import annotations

from textual.screen import Screen

from ..resume import ResumeRequest
from ..store import StoreError, ThreadStore, ThreadSummary
from ..textutil import one_line


def request_resume(screen: Screen, store: ThreadStore, summary: ThreadSummary) -> None:
    app = screen.app
    if summary.pending:
        try:
            summary = store.summary(summary.id)
        except StoreError as exc:
            screen.notify(str(exc), severity="error")
            return
    if not summary.archived:
        app.exit(ResumeRequest(summary.id, summary.cwd))
        return

    def answered(yes: bool | None) -> None:
        if not yes:
            return
        try:
            restored = store.unarchive(summary.id)
        except StoreError as exc:
            screen.notify(str(exc), severity="error", timeout=10)
            return
        app.exit(ResumeRequest(restored.id, restored.cwd))

    title = one_line(summary.title) or summary.id
    from ..dialogs.confirm import ConfirmScreen  # (on first use: start-up need not build it)

    app.push_screen(ConfirmScreen(
        f"“{title[:200]}” is archived, and Codex refuses to resume archived sessions.",
        "Unarchive it (move it back to sessions/) and resume?",
        confirm="Unarchive and resume"), answered)
