"""Forking from a screen: ask (ForkDialog), write (ThreadStore.fork_thread, off the event
loop), announce the new session to every screen (SessionChanged), then offer to resume it,
open its transcript, or go back (ForkDone)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from textual.app import App

from ..dialogs.fork import ForkDialog, ForkDone, ForkRequest
from ..store import StoreError, Thread, ThreadStore, ThreadSummary
from ..textutil import one_line
from .manage import announce


def start_fork(app: App, store: ThreadStore, thread_id: str, turn: int | None = None, *,
               thread: Thread | None = None,
               now: Callable[[], datetime] | None = None) -> None:
    """The whole flow: ask (ForkDialog), write (ThreadStore.fork_thread, off the event loop),
    then offer to resume the new session, open its transcript, or go back."""

    def chosen(request: ForkRequest | None) -> None:
        if request is not None:
            app.run_worker(_fork(app, store, request, now), group="fork", exclusive=True,
                           exit_on_error=False)

    app.push_screen(ForkDialog(store, thread_id, turn, thread=thread), chosen)


async def _fork(app: App, store: ThreadStore, request: ForkRequest,
                now: Callable[[], datetime] | None) -> None:
    def write() -> tuple[ThreadSummary, str | None]:
        # (which way the write went is known in the thread that made it)
        written = store.fork_thread(request.thread_id, request.keep_turns, request.name)
        return written, store.last_write_via()

    try:
        source = await asyncio.to_thread(store.summary, request.thread_id)
        fork, via = await asyncio.to_thread(write)
    except StoreError as exc:
        app.notify(f"Fork failed: {exc}", severity="error", timeout=10)
        return
    except Exception as exc:  # a bug, not the user's doing: still say it, never crash
        app.notify(f"Fork failed: {type(exc).__name__}: {exc}", severity="error", timeout=10)
        return
    announce(app, "fork", fork.id, fork)  # the picker lists it without a rescan
    title = one_line(source.title or "") or source.id

    def then(choice: str | None) -> None:
        if choice == "resume":
            from .resume import request_resume

            request_resume(app.screen, store, fork)
        elif choice == "open":
            from ..screens.transcript import TranscriptScreen

            app.push_screen(TranscriptScreen(store, fork.id, now=now))

    # Not push_screen_wait: the worker ends here, so nothing waits on the user's answer.
    app.push_screen(ForkDone(fork, request, title, via), then)
