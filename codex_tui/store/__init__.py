"""Codex session storage: pure Python, never imports Textual or Rich."""

from .errors import AmbiguousThread, CodexHomeMissing, StoreError, ThreadNotFound
from .model import Problem, Thread, ThreadSummary, TokenUsage, Turn
from .query import ThreadQuery
from .thread_store import InMemoryThreadStore, LocalThreadStore, ThreadStore

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
