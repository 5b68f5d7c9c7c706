"""The ThreadStore protocol and its stores: the local files, an in-memory one for tests, and
Codex's own `codex app-server` (this machine's or another's), each in a module of its own.

The local store is imported eagerly (every start-up uses it); the others on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .local import LocalThreadStore
from .local_watch import LocalStoreWatcher
from .protocol import (
    FIRST_PAGE_BUDGET,
    Keep,
    ResumeCommand,
    StoreWatcher,
    ThreadStore,
    WatchUpdate,
    resolve_ref,
)

if TYPE_CHECKING:
    from .appserver import AppServerThreadStore
    from .memory import InMemoryFollower, InMemoryThreadStore, InMemoryWatcher
    from .merged import MergedThreadStore

__all__ = [
    "FIRST_PAGE_BUDGET",
    "AppServerThreadStore",
    "InMemoryFollower",
    "InMemoryThreadStore",
    "InMemoryWatcher",
    "Keep",
    "LocalStoreWatcher",
    "LocalThreadStore",
    "MergedThreadStore",
    "ResumeCommand",
    "StoreWatcher",
    "ThreadStore",
    "WatchUpdate",
    "resolve_ref",
]

_LAZY = {"InMemoryThreadStore": "memory", "InMemoryFollower": "memory",
         "InMemoryWatcher": "memory", "AppServerThreadStore": "appserver",
         "MergedThreadStore": "merged"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
