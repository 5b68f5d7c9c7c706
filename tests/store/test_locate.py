"""Opening one session by its id does not list the whole home: the store finds that
thread's files from the folders' names, and reads exactly what a full scan would."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.homes import FIXTURE_HOME, copy_home

from codex_tui.store import LocalThreadStore, ThreadNotFound
from codex_tui.store.serialize import thread_json


def _ids(home: Path) -> list[str]:
    return sorted(s.id for s in LocalThreadStore(str(home), cache=False).scan())


@pytest.mark.parametrize("thread_id", _ids(FIXTURE_HOME))
def test_located_thread_reads_as_after_a_scan(thread_id: str) -> None:
    located = LocalThreadStore(str(FIXTURE_HOME), cache=False)
    scanned = LocalThreadStore(str(FIXTURE_HOME), cache=False)
    scanned.scan()
    assert located.resolve(thread_id).id == thread_id
    expected = thread_json(scanned.read_thread(thread_id))
    assert thread_json(located.read_thread(thread_id)) == expected
    assert not located._scanned  # no listing of the home was needed, forks' parents included


def test_only_the_threads_files_are_statted(tmp_path: Path, monkeypatch) -> None:
    home = copy_home(tmp_path / "home")
    thread_id = _ids(home)[0]
    statted: list[str] = []
    store = LocalThreadStore(str(home), cache=False)
    from codex_tui.store import paths

    original = paths._is_regular

    def spy(mode: int) -> bool:
        statted.append("x")
        return original(mode)

    monkeypatch.setattr(paths, "_is_regular", spy)
    store.summary(thread_id)
    assert 1 <= len(statted) <= 3  # the thread's own file(s), never the home's ~40


def test_unknown_full_id_falls_back_and_fails_clearly() -> None:
    store = LocalThreadStore(str(FIXTURE_HOME), cache=False)
    with pytest.raises(ThreadNotFound):
        store.resolve("01234567-89ab-7def-8123-456789abcdef")


def test_located_entries_give_way_to_a_scan(tmp_path: Path) -> None:
    home = copy_home(tmp_path / "home")
    store = LocalThreadStore(str(home), cache=False)
    thread_id = _ids(home)[0]
    before = store.summary(thread_id)
    store.scan()
    assert store.summary(thread_id).id == before.id
    assert not store._located
