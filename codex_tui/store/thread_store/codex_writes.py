"""Writes done by Codex itself, through its `codex app-server`: archive, unarchive, rename,
delete and fork as Codex's own TUI does them, so Codex's index (state_5.sqlite) agrees.

Shared by the app-server store (a remote home: the only way to write there) and the local
store (writes on this machine go through Codex when a codex binary is there). Errors come
back as StoreErrors in Codex's own words.
"""

from __future__ import annotations

from typing import Any

from ..errors import StoreError, ThreadNotFound
from .jsonrpc import AppServerClient, AppServerError, AppServerUnavailable, MethodNotFound

# Codex refuses to fork a legacy thread at a turn whose id it synthesized ("rollout-3").
NOT_CANONICAL = "is not a persisted canonical turn"


class CodexRefused(StoreError):
    """Codex answered the write with an error (its message is kept)."""


class CodexWrites:
    """The five writes as app-server requests on `client`."""

    def __init__(self, client: AppServerClient) -> None:
        self.client = client
        self._version: str | None = None  # of the server that made the write, if not ours

    @property
    def route(self) -> str:
        """How a write went, in words: "codex app-server 0.171.0" (on HOST)."""
        version = self._version or self.client.codex_version
        return f"{self.client.label}" + (f" {version}" if version else "")

    def archive(self, thread_id: str) -> None:
        self._call("thread/archive", {"threadId": thread_id})

    def unarchive(self, thread_id: str) -> dict[str, Any] | None:
        result = self._call("thread/unarchive", {"threadId": thread_id})
        return _thread(result)

    def set_name(self, thread_id: str, name: str) -> None:
        self._call("thread/name/set", {"threadId": thread_id, "name": name})

    def delete(self, thread_id: str) -> None:
        self._call("thread/delete", {"threadId": thread_id})

    def fork(self, thread_id: str, last_turn_id: str | None,
             name: str | None = None) -> dict[str, Any]:
        """Fork `thread_id` through `last_turn_id` (None: the whole thread), named `name`;
        returns the new thread.

        Codex loads a fork as if to run it, and holds its writer lock for as long as it is
        loaded (thread/unsubscribe does not let go): `codex resume` would be refused with
        "already has an active writer". So the fork is made by a server of its own, stopped
        right after, which leaves it as Codex's TUI leaves a session it has closed."""
        params: dict[str, Any] = {"threadId": thread_id, "excludeTurns": True}
        if last_turn_id is not None:
            params["lastTurnId"] = last_turn_id
        own = CodexWrites(AppServerClient(self.client.command,
                                          request_timeout=self.client.request_timeout))
        try:
            thread = _thread(own._call("thread/fork", params))
            if thread is None:
                raise CodexRefused(f"{self.client.label} forked {thread_id} but sent no thread")
            new_id = thread.get("id")
            if name and isinstance(new_id, str):
                own.set_name(new_id, name)
                thread["name"] = name
            self._version = own.client.codex_version
            return thread
        finally:
            own.client.close()

    def _call(self, method: str, params: dict[str, Any]) -> Any:
        try:
            return self.client.request(method, params)
        except (MethodNotFound, AppServerUnavailable):
            raise
        except AppServerError as exc:
            text = str(exc)
            if text.startswith(("no rollout found", "no archived rollout found")) \
                    or "thread not found" in text:
                raise ThreadNotFound(f"Codex: {text}") from None
            raise CodexRefused(f"Codex: {text}") from None


def _thread(result: Any) -> dict[str, Any] | None:
    thread = result.get("thread") if isinstance(result, dict) else None
    return thread if isinstance(thread, dict) else None
