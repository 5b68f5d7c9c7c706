"""Codex session storage: pure Python, never imports Textual or Rich."""

from typing import TYPE_CHECKING, Any

from .errors import AmbiguousThread, CodexHomeMissing, StoreError, ThreadNotFound
from .model import Problem, ThreadSummary, TokenUsage
from .query import ThreadQuery
from .thread_store import LocalThreadStore, ThreadStore

if TYPE_CHECKING:  # loaded on first use by __getattr__ below; named for the type checker
    from .items import Thread, Turn
    from .thread_store.memory import InMemoryThreadStore

__all__ = [
    "AmbiguousThread",
    "CodexHomeMissing",
    "InMemoryThreadStore",
    "LocalThreadStore",
    "Problem",
    "StoreError",
    "Thread",
    "ThreadNotFound",
    "ThreadQuery",
    "ThreadStore",
    "ThreadSummary",
    "TokenUsage",
    "Turn",
]


def __getattr__(name: str) -> Any:
    # Thread and Turn come from model.py's lazy items module (a listing never loads it).
    if name in ("Thread", "Turn"):
        from . import model

        return getattr(model, name)
    if name == "InMemoryThreadStore":  # tests and snapshots only: not at start-up
        from .thread_store import memory

        return memory.InMemoryThreadStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
