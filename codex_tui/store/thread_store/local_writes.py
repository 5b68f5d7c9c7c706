"""The local store's writes: through Codex's own app-server when a codex binary is there,
so Codex's index (state_5.sqlite) agrees afterwards; else on the files, as Codex would
(store/manage.py, store/fork.py: atomic, under Codex's locks, never changing a rollout).

The files are also the way for what Codex cannot do: the bare-line sessions of Codex 0.20
(it cannot read them), a Codex without the method, a legacy thread Codex cannot fork at a
turn (its turn ids are synthesized), a thread Codex's index does not know, or a codex that
will not start. `last_write_via()` says which way the last write went, and why.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from ..errors import StoreError, ThreadNotFound
from ..model import ThreadSummary
from ..paths import RolloutFile, ThreadFiles, parse_rollout_name
from .codex_writes import NOT_CANONICAL, CodexRefused, CodexWrites
from .jsonrpc import (
    AppServerClient,
    AppServerUnavailable,
    MethodNotFound,
    ServerCommand,
    ServerNotStarted,
)

if TYPE_CHECKING:
    from .local import LocalThreadStore

T = TypeVar("T")
FILES = "files"
WRITES_ENV = "CODEX_TUI_WRITES"  # "files": never write through Codex (tests, or by choice)


class LocalWrites:
    """Archive, unarchive, rename, delete and fork for one home (LocalThreadStore's)."""

    def __init__(self, store: LocalThreadStore, codex_bin: str | None) -> None:
        self.store = store
        self.codex_bin = codex_bin
        self._client: AppServerClient | None = None
        self._lock = threading.Lock()
        self._via = threading.local()

    @property
    def via(self) -> str | None:
        return getattr(self._via, "text", None)

    @property
    def by_codex(self) -> bool:
        """This thread's last write was made by Codex (its index agrees with it)."""
        return getattr(self._via, "by_codex", False)

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def client(self) -> AppServerClient | None:
        if self.codex_bin is None:
            return None
        with self._lock:
            if self._client is None:
                home = os.path.abspath(self.store.codex_home)
                self._client = AppServerClient(ServerCommand(
                    [self.codex_bin, "app-server"], "codex app-server",
                    env={"CODEX_HOME": home}))
            return self._client

    def run(self, summary: ThreadSummary, codex: Callable[[CodexWrites], T],
            files: Callable[[], T]) -> T:
        """`codex(writes)` through Codex when it can take this thread, else `files()`."""
        reason = self._skip_reason(summary)
        self._via.by_codex = False
        client = None if reason else self.client()
        if client is not None:
            writes = CodexWrites(client)
            try:
                result = codex(writes)
            except MethodNotFound as exc:
                version = client.codex_version or "this Codex"
                reason = f"{version} has no {exc.method}"
            except ServerNotStarted as exc:
                reason = f"Codex could not start: {exc}"
            except AppServerUnavailable as exc:
                # Asked, then no answer: the write may or may not have been made, so it is
                # not made a second time on the files.
                self._via.text = writes.route
                raise StoreError(f"{exc}. The change may or may not have been made: look "
                                 "at the session again before trying once more") from None
            except ThreadNotFound as exc:
                reason = f"Codex does not know this session ({exc})"
            except CodexRefused as exc:
                if NOT_CANONICAL not in str(exc):
                    self._via.text = writes.route
                    raise
                reason = "Codex cannot fork this legacy session at that turn"
            else:
                self._via.text, self._via.by_codex = writes.route, True
                return result
        result = files()
        self._via.text = f"{FILES}: {reason}"
        return result

    def _skip_reason(self, summary: ThreadSummary) -> str | None:
        if summary.format == "bare":
            return "Codex cannot read 0.20-era sessions"
        if os.environ.get(WRITES_ENV) == FILES:
            return f"${WRITES_ENV} is {FILES}"
        if self.codex_bin is None:
            return "no codex binary"
        return None


def added_files(codex_home: str, path: str, thread_id: str) -> ThreadFiles:
    """A new rollout (a fork Codex or we wrote) as the catalog lists it."""
    st = os.stat(path)
    name = parse_rollout_name(os.path.basename(path))
    if name is None:
        raise StoreError(f"the new session's file has an unexpected name: {path}")
    rf = RolloutFile(path, name, False, st.st_size, st.st_mtime_ns, st.st_ino)
    return ThreadFiles(thread_id, [rf], False)
