"""MergedThreadStore: several homes as one store (the picker's `--codex-home A --remote B`):
rows tagged with their home, every call sent to the home a thread is in, a home that fails
recorded and reported, never the whole store failing."""

from __future__ import annotations

import pytest
from support.transcripts import thread_of, turn

from codex_tui.store import (
    AmbiguousThread,
    InMemoryThreadStore,
    StoreError,
    ThreadNotFound,
    ThreadQuery,
)
from codex_tui.store.history import History, HistoryEntry
from codex_tui.store.model import UserMessage
from codex_tui.store.thread_store.merged import MergedThreadStore

A1 = "01a1fe50-0000-7000-8000-0000000000a1"
B1 = "01a1fe50-0000-7000-8000-0000000000b1"
SHARED_NAME = "the same name"


def thread(thread_id: str, title: str, **extra):
    return thread_of(turn(1, UserMessage(title)), thread_id=thread_id, title=title, **extra)


@pytest.fixture
def merged() -> MergedThreadStore:
    a = InMemoryThreadStore([thread(A1, "alpha work", name=SHARED_NAME)], label="laptop",
                            via="codex app-server 0.171.0",
                            history=History([HistoryEntry(1, A1, 100, "alpha work")]))
    b = InMemoryThreadStore([thread(B1, "beta work", name=SHARED_NAME)], label="devbox",
                            history=History([HistoryEntry(1, B1, 200, "beta work")]))
    down = InMemoryThreadStore([], label="down", fail="ssh: connect to host down: refused")
    return MergedThreadStore([a, b, down])


def test_rows_are_tagged_and_a_failed_home_is_reported(merged):
    rows = {s.id: s.home for s in merged.scan()}
    assert rows == {A1: "laptop", B1: "devbox"}
    assert merged.failures() == [("down", "ssh: connect to host down: refused")]
    assert merged.homes == ["laptop", "devbox", "down"]
    merged.problems  # noqa: B018 - asking for problems does not clear the failure
    assert merged.failures() != []


def test_calls_go_to_the_home_of_the_thread(merged):
    merged.scan()
    archived = merged.archive(B1)
    assert archived.archived and archived.home == "devbox"
    assert merged.stores[1].summary(B1).archived and not merged.stores[0].summary(A1).archived
    assert merged.last_write_via() is None  # devbox says nothing of its route
    merged.set_name(A1, "renamed")
    assert merged.last_write_via() == "codex app-server 0.171.0 on laptop"
    listed = merged.list_threads(ThreadQuery(archived=True))
    assert [s.id for s in listed] == [B1]
    assert merged.read_thread(A1).summary.home == "laptop"


def test_resolve_across_homes(merged):
    assert merged.resolve(A1).home == "laptop"  # an unknown id is looked for everywhere
    with pytest.raises(AmbiguousThread) as both:
        merged.resolve(SHARED_NAME)
    assert "laptop" in str(both.value) and "devbox" in str(both.value)
    with pytest.raises(ThreadNotFound, match="down could not be searched"):
        merged.resolve("01a1fe50-0000-7000-8000-0000000000ff")


def test_history_and_search_of_every_home(merged):
    merged.scan()
    assert [e.session_id for e in merged.history().entries] == [B1, A1]  # newest first
    hits = merged.search_text("work")
    assert {h.thread_id for h in hits.hits} == {A1, B1}


def test_two_homes_cannot_share_a_label():
    with pytest.raises(StoreError, match="same name"):
        MergedThreadStore([InMemoryThreadStore([], label="x"), InMemoryThreadStore([], label="x")])


def test_usage_of_homes_that_have_no_files_is_named_not_guessed(merged):
    rows, unread = merged.usage_listing(None)
    assert rows == []
    assert unread == ["laptop", "devbox", "down"]  # (the one that failed too)
