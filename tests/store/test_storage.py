"""The storage report (store/storage.py): its figures against sizes this test computes on
its own (os.walk, Path.stat), every grouping, the bulk_home's own files, and that reporting
writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.bulk_home import FORK, FORK_SOURCE, SPECS, disk_bytes, session_bytes, sid

from codex_tui.store import InMemoryThreadStore, LocalThreadStore, ThreadSummary
from codex_tui.store.storage import (
    GROUPINGS,
    file_rows,
    group_key,
    human_bytes,
    report_json,
    size_class,
    sort_groups,
    source_kind,
    storage_report,
    store_report,
)


def every_file(bulk_home: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(bulk_home)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(bulk_home.rglob("*")) if p.is_file()}


def test_projects_against_sizes_on_disk(bulk_home):
    report = store_report(LocalThreadStore(str(bulk_home), cache=False), by="project")
    groups = {g.key: g for g in report.groups}
    by_cwd: dict[str, list] = {}
    for spec in SPECS:
        by_cwd.setdefault(spec.cwd, []).append(spec)
    for cwd, specs in by_cwd.items():
        g = groups[cwd]
        assert g.sessions == len(specs)
        assert g.bytes == sum(session_bytes(bulk_home, s.id) for s in specs)
        assert g.archived_sessions == sum(s.archived for s in specs)
        assert g.archived_bytes == sum(session_bytes(bulk_home, s.id) for s in specs if s.archived)
    fork_pair = groups["/home/dev/src/beta"]
    assert fork_pair.sessions == 2
    assert fork_pair.bytes == session_bytes(bulk_home, FORK) + session_bytes(bulk_home, FORK_SOURCE)
    # Biggest project first; alpha holds the two biggest sessions.
    assert report.groups[0].key == "/home/dev/alpha"
    assert [g.bytes for g in report.groups] == sorted((g.bytes for g in report.groups),
                                                      reverse=True)
    assert report.sessions == len(SPECS) + 2
    assert report.session_bytes == sum(g.bytes for g in report.groups)
    assert report.archived_bytes == disk_bytes(bulk_home / "archived_sessions")


def test_the_homes_files_and_total(bulk_home):
    report = store_report(LocalThreadStore(str(bulk_home), cache=False))
    assert report.files == {
        "sessions/": disk_bytes(bulk_home / "sessions"),
        "archived_sessions/": disk_bytes(bulk_home / "archived_sessions"),
        "history.jsonl": (bulk_home / "history.jsonl").stat().st_size,
        "session_index.jsonl": (bulk_home / "session_index.jsonl").stat().st_size,
        "state_5.sqlite": 4096,
        "logs_2.sqlite-wal": 1000,
    }
    assert report.total_bytes == disk_bytes(bulk_home)
    # A file in the session folders that belongs to no session still takes space.
    (bulk_home / "sessions/2026/stray.txt").write_bytes(b"x" * 123)
    again = store_report(LocalThreadStore(str(bulk_home), cache=False))
    assert again.files["sessions/"] == disk_bytes(bulk_home / "sessions")
    assert again.session_bytes == report.session_bytes


def test_sqlite_files_where_codex_keeps_them(bulk_home, tmp_path, monkeypatch):
    elsewhere = tmp_path / "sqlite"
    elsewhere.mkdir()
    (elsewhere / "state_5.sqlite").write_bytes(b"\0" * 8192)
    monkeypatch.setenv("CODEX_SQLITE_HOME", str(elsewhere))
    files = LocalThreadStore(str(bulk_home), cache=False).storage_files()
    assert files["state_5.sqlite"] == 8192
    assert "logs_2.sqlite-wal" not in files


def test_months_sources_and_sizes(bulk_home):
    store = LocalThreadStore(str(bulk_home), cache=False)
    months = {g.key: g.sessions for g in store_report(store, by="month").groups}
    expected: dict[str, int] = {}
    for spec in SPECS:
        key = spec.created.strftime("%Y-%m")
        expected[key] = expected.get(key, 0) + 1
    expected["2026-11"] = expected.get("2026-11", 0) + 2  # the fork pair
    assert months == expected
    assert list(months) == sorted(months, reverse=True)  # newest month first

    sources = {g.key: g.sessions for g in store_report(store, by="source").groups}
    assert sources == {"interactive": 4, "exec": 5, "sub-agent": 1}

    sizes = store_report(store, by="size")
    assert sum(g.sessions for g in sizes.groups) == len(SPECS) + 2
    for g in sizes.groups:
        members = [s for s in store.scan() if size_class(s.size) == g.key]
        assert g.bytes == sum(session_bytes(bulk_home, s.id) for s in members)


def test_largest_sessions(bulk_home):
    report = store_report(LocalThreadStore(str(bulk_home), cache=False), largest=3)
    sizes = sorted(((session_bytes(bulk_home, s.id), s.id) for s in SPECS), reverse=True)
    assert [s.id for s in report.largest] == [tid for _size, tid in sizes[:3]]
    assert report.largest[0].id == sid(1)
    assert report.largest[0].title == "alpha work"  # its name from session_index.jsonl


def test_reporting_writes_nothing(bulk_home):
    before = every_file(bulk_home)
    store = LocalThreadStore(str(bulk_home), cache=False)
    for by in GROUPINGS:
        store_report(store, by=by)
    store.write_refusals([s.id for s in store.scan()], "delete")
    assert every_file(bulk_home) == before


def test_json_shape(bulk_home):
    data = report_json(store_report(LocalThreadStore(str(bulk_home), cache=False), largest=2))
    assert set(data) >= {"total_bytes", "by", "groups", "largest", "files"}
    assert data["by"] == "project"
    assert set(data["groups"][0]) >= {"key", "sessions", "bytes", "archived_bytes"}
    assert set(data["largest"][0]) >= {"id", "title", "cwd", "bytes"}
    assert data["files"]["history.jsonl"] == (bulk_home / "history.jsonl").stat().st_size


def test_a_store_without_sizes_says_so():
    from codex_tui.store.items import Thread

    s = ThreadSummary("a" * 8 + "-0000-7000-8000-000000000001", "/x", None, None, size=None)
    report = store_report(InMemoryThreadStore([Thread(s, [], [])]))
    assert report.unknown_size == 1
    assert report.total_bytes == 0
    assert [g.key for g in storage_report([s], by="size").groups] == ["size not known"]


def test_source_kinds_keep_what_they_do_not_know():
    assert source_kind("cli") == source_kind("vscode") == "interactive"
    assert source_kind("exec") == "exec"
    assert source_kind("subagent:review") == source_kind("subagent:thread_spawn") == "sub-agent"
    assert source_kind("mcp") == "mcp"  # its own group, spelled as Codex wrote it
    assert source_kind("custom:atlas") == "custom:atlas"
    assert source_kind(None) == "unknown"


def test_unknown_grouping_is_refused():
    with pytest.raises(ValueError, match="cannot group by"):
        storage_report([], by="colour")


def test_sort_groups():
    report = storage_report([
        _summary(1, "/b", 100, archived=True), _summary(2, "/b", 100), _summary(3, "/a", 300),
        _summary(4, None, 50)])
    assert [g.key for g in sort_groups(report.groups, "bytes")] == ["/a", "/b", None]
    assert [g.key for g in sort_groups(report.groups, "sessions")] == ["/b", "/a", None]
    assert [g.key for g in sort_groups(report.groups, "archived")] == ["/b", "/a", None]
    assert [g.key for g in sort_groups(report.groups, "key")] == ["/a", "/b", None]


def test_sqlite_files_shown_with_their_wal_and_shm():
    rows = file_rows({"sessions/": 5000, "state_5.sqlite": 4096, "state_5.sqlite-wal": 1000,
                      "state_5.sqlite-shm": 32, "logs_2.sqlite-wal": 10, "history.jsonl": 7})
    assert rows == [("state_5.sqlite (+shm, wal)", 5128), ("sessions/", 5000),
                    ("logs_2.sqlite (+wal)", 10), ("history.jsonl", 7)]


def test_human_bytes():
    assert human_bytes(0) == "0 B"
    assert human_bytes(1023) == "1023 B"
    assert human_bytes(1536) == "1.5 KiB"
    assert human_bytes(int(39.4 * 1024**3)) == "39.4 GiB"
    assert human_bytes(None) == "?"


def _summary(n: int, cwd: str | None, size: int | None, archived: bool = False,
             month: int = 1, source: str | None = "cli") -> ThreadSummary:
    when = datetime(2026, month, 1, tzinfo=UTC)
    return ThreadSummary(sid(n), f"/p/{n}", when, when, cwd=cwd, size=size,
                         archived=archived, source=source)


summaries = st.lists(st.builds(
    _summary, st.integers(0, 10**6), st.sampled_from(["/a", "/b", "/a/", None]),
    st.one_of(st.none(), st.integers(0, 10**9)), st.booleans(), st.integers(1, 12),
    st.sampled_from(["cli", "exec", "subagent:review", None, "mcp"])),
    max_size=40, unique_by=lambda s: s.id)


@given(summaries, st.sampled_from(GROUPINGS))
def test_groups_add_up(items, by):
    report = storage_report(items, by=by)
    assert sum(g.sessions for g in report.groups) == report.sessions == len(items)
    assert sum(g.bytes for g in report.groups) == report.session_bytes \
        == sum(s.size or 0 for s in items)
    assert sum(g.archived_bytes for g in report.groups) == report.archived_bytes
    assert len({g.key for g in report.groups}) == len(report.groups)
    for g in report.groups:
        assert g.key == group_key(next(s for s in items if group_key(s, by) == g.key), by)
        assert 0 <= g.archived_bytes <= g.bytes


def test_a_listing_half_read_is_finished_first(bulk_home):
    """Opened while the picker is still reading heads (scan done, some pending): the
    report reads the rest, and has no session without its directory."""
    store = LocalThreadStore(str(bulk_home), cache=False)
    assert all(s.pending for s in store.scan())
    report = store_report(store)
    assert None not in {g.key for g in report.groups}
    assert report.sessions == len(SPECS) + 2
