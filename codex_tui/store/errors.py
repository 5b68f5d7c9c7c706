"""Errors the store raises for conditions a user must hear about (never for bad file
content, which is reported as problems on the thread)."""

from __future__ import annotations


class StoreError(Exception):
    """Base class: the message is meant for the user."""


class CodexHomeMissing(StoreError):
    pass


class ThreadNotFound(StoreError):
    pass


class AmbiguousThread(StoreError):
    def __init__(self, message: str, candidates: list[str]) -> None:
        super().__init__(message)
        self.candidates = candidates
