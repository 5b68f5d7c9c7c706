"""One contract, three stores: the same list / read / fork / archive / unarchive / rename /
delete tests run against the local files store, the in-memory store and the app-server store
(the real `codex app-server` 0.171.0 on the same home, its writes made by Codex).

The home is the fixture sessions, indexed by Codex first (one `codex exec resume`): Codex's
app-server lists what its index holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.codex_cli import app_server_store, indexed_home, make_home, skip_unless_installed
from support.mock_model import MockModel
from support.procs import wait_gone

from codex_tui.store import (
    InMemoryThreadStore,
    LocalThreadStore,
    StoreError,
    ThreadNotFound,
    ThreadQuery,
)

SOURCE = "01a1fe36-9923-7570-9f27-baeff79474f4"  # 0.169 paginated, 4 turns, forked by FORK
SOURCE_TITLE = "[0.169.0] please run the tests and list files"
FORK = "01a1fe36-a3e5-7b30-9c75-8b09d6038321"
LEGACY = "01a1fe36-5584-7391-9030-75b16ca14546"  # 0.50 legacy, 1 turn
LEGACY_TITLE = "[0.50.0] hello there, explain this repo"
ARCHIVED = "01a1fe36-9010-7023-a856-a8c802ee8a8a"
KINDS = ["local", "memory", "appserver"]


@pytest.fixture(scope="module")
def mock() -> Iterator[MockModel]:
    with MockModel() as server:
        yield server


@pytest.fixture(params=KINDS)
def store(request, tmp_path: Path, mock: MockModel):
    """A store of each kind over a fresh copy of the same home."""
    kind = request.param
    if kind == "appserver":
        for mark in skip_unless_installed():
            pytest.skip(mark.kwargs["reason"])
    if kind == "appserver":
        made = app_server_store(indexed_home(tmp_path, mock))
        yield made
        pid = made.client.pid
        made.close()
        assert pid is None or wait_gone(pid), "the app-server outlived its store"
        return
    local = LocalThreadStore(str(make_home(tmp_path, mock)), cache=False)
    if kind == "local":
        yield local
        return
    threads = [local.read_thread(s.id) for s in local.list_threads(ThreadQuery())]
    threads += [local.read_thread(s.id) for s in local.list_threads(ThreadQuery(archived=True))]
    yield InMemoryThreadStore(threads)


def ids(store, **query) -> set[str]:
    return {s.id for s in store.list_threads(ThreadQuery(**query))}


def test_lists_active_and_archived_threads(store):
    active = {s.id: s for s in store.list_threads(ThreadQuery())}
    assert {SOURCE, FORK, LEGACY} <= set(active)
    assert active[SOURCE].title == SOURCE_TITLE and active[LEGACY].title == LEGACY_TITLE
    assert active[SOURCE].cwd == "/home/dev/src/beta"
    assert ARCHIVED in ids(store, archived=True) and ARCHIVED not in active
    beta = store.list_threads(ThreadQuery(cwd="/home/dev/src/beta"))
    assert SOURCE in {s.id for s in beta} and all(s.cwd == "/home/dev/src/beta" for s in beta)
    both = ids(store, archived=None)  # (ThreadQuery's "active and archived alike")
    assert both == set(active) | ids(store, archived=True)


def test_reads_turns_and_forks_inherited_history(store):
    thread = store.read_thread(SOURCE)
    assert len(thread.turns) == 4
    assert thread.turns[0].user_message == SOURCE_TITLE
    fork = store.read_thread(FORK)
    # (Codex's thread/list leaves a fork's source out, 0.171: known once the thread is read)
    assert fork.inherited_from == SOURCE and fork.summary.forked_from_id == SOURCE
    assert [t.inherited for t in fork.turns][:2] == [True, True]


def test_fork_at_a_turn(store):
    new = store.fork_thread(SOURCE, 2, name="contract fork")
    assert new.id != SOURCE and new.forked_from_id == SOURCE and new.name == "contract fork"
    thread = store.read_thread(new.id)
    assert [t.user_message for t in thread.turns] == \
        [t.user_message for t in store.read_thread(SOURCE).turns[:2]]
    assert all(t.inherited for t in thread.turns)
    assert store.resolve("contract fork").id == new.id
    assert new.id in ids(store)
    with pytest.raises(StoreError):
        store.fork_thread(SOURCE, 9)


def test_archive_and_unarchive(store):
    archived = store.archive(LEGACY)
    assert archived.archived
    assert LEGACY in ids(store, archived=True) and LEGACY not in ids(store)
    with pytest.raises(StoreError):
        store.archive(LEGACY)
    back = store.unarchive(LEGACY)
    assert not back.archived
    assert LEGACY in ids(store) and LEGACY not in ids(store, archived=True)


def test_rename_then_resolve_by_name(store):
    named, _ = store.set_name(LEGACY, "  contract name ")
    assert named.name == "contract name" and named.title == "contract name"
    assert store.resolve("contract name").id == LEGACY
    assert store.summary(LEGACY).name == "contract name"


def test_delete(store):
    with pytest.raises(StoreError, match="forked history still references it"):
        store.delete(SOURCE)
    store.delete(LEGACY)
    assert LEGACY not in ids(store)
    with pytest.raises(ThreadNotFound):
        store.resolve(LEGACY)


def test_unknown_ids_are_clear_errors(store):
    with pytest.raises(ThreadNotFound):
        store.resolve("01a1fe36-0000-7000-8000-00000000dead")
    with pytest.raises(ThreadNotFound):
        store.resolve("no such name at all")


def test_usage_listing_says_which_homes_it_reads(store):
    """Token usage comes from the rollout files: a store that has them reads it, one that
    has not (Codex's app-server, the in-memory store) names its home as not read."""
    rows, unread = store.usage_listing(None)
    if isinstance(store, LocalThreadStore):
        assert unread == [] and {SOURCE, FORK} <= {s.id for s, _ in rows}
    else:
        assert rows == [] and unread == [store.label]
