"""Codex session storage: pure Python, never imports Textual or Rich."""

from .errors import AmbiguousThread, CodexHomeMissing, StoreError, ThreadNotFound
from .model import Problem, ThreadSummary, TokenUsage
from .query import ThreadQuery
from .thread_store import LocalThreadStore, ThreadStore

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


def __getattr__(name: str):
    # Thread and Turn come from model.py's lazy items module (a listing never loads it).
    if name in ("Thread", "Turn"):
        from . import model

        return getattr(model, name)
    if name == "InMemoryThreadStore":  # tests and snapshots only: not at start-up
        from .thread_store import memory

        return memory.InMemoryThreadStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
