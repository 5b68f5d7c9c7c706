"""prune's selection (store/prune.py): each filter alone and together, the state rules of
each action, durations and sizes as typed, the sessions the store leaves alone (Codex is
writing it, a fork's history still references it), and a dry run that writes nothing."""

from __future__ import annotations

import fcntl
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import pytest
from support.bulk_home import FORK, FORK_SOURCE, NOW, SPECS, sid

from codex_tui.store import LocalThreadStore
from codex_tui.store.bulk import REFUSED, WOULD, plan
from codex_tui.store.prune import PruneError, PruneRule, parse_duration, parse_size, select
from codex_tui.store.storage import every_thread

ALL = [s.id for s in SPECS] + [FORK_SOURCE, FORK]
ACTIVE = [s.id for s in SPECS if not s.archived] + [FORK_SOURCE, FORK]
ARCHIVED = [s.id for s in SPECS if s.archived]



@pytest.fixture
def summaries(bulk_home):
    return every_thread(LocalThreadStore(str(bulk_home), cache=False))


def chosen(summaries, **rule) -> set[str]:
    return {s.id for s in select(summaries, PruneRule(**rule), NOW)}


def checksums(bulk_home: Path) -> dict[str, str]:
    return {str(p.relative_to(bulk_home)): hashlib.sha256(p.read_bytes()).hexdigest()
            + f":{p.stat().st_mtime_ns}"
            for p in sorted(bulk_home.rglob("*")) if p.is_file() and p.suffix != ".lock"}


def test_durations_and_sizes_as_typed():
    assert parse_duration("90d") == timedelta(days=90)
    assert parse_duration("2w") == timedelta(weeks=2)
    assert parse_duration("12h") == timedelta(hours=12)
    assert timedelta(days=180) < parse_duration("6m") < timedelta(days=184)
    assert timedelta(days=365) < parse_duration("1y") < timedelta(days=366)
    assert parse_duration("30") == timedelta(days=30)
    assert parse_size("500") == 500
    assert parse_size("500K") == 500 * 1024
    assert parse_size("10M") == parse_size("10MiB") == parse_size("10mb") == 10 * 1024**2
    assert parse_size("1.5G") == int(1.5 * 1024**3)
    for bad in ("", "ninety days", "90x", "-5d", "d"):
        with pytest.raises(PruneError, match="not a duration"):
            parse_duration(bad)
    for bad in ("", "big", "10Q", "-1M"):
        with pytest.raises(PruneError, match="not a size"):
            parse_size(bad)


def test_archive_takes_active_sessions_only(summaries):
    assert chosen(summaries, action="archive") == set(ACTIVE)
    assert chosen(summaries, action="archive", state="active") == set(ACTIVE)
    with pytest.raises(PruneError, match="already archived"):
        chosen(summaries, action="archive", state="archived")


def test_delete_takes_archived_sessions_unless_active_ones_are_asked_for_twice(summaries):
    assert chosen(summaries, action="delete") == set(ARCHIVED)
    assert chosen(summaries, action="delete", state="archived") == set(ARCHIVED)
    for state in ("active", "any"):
        with pytest.raises(PruneError, match="--include-active"):
            chosen(summaries, action="delete", state=state)
    assert chosen(summaries, action="delete", state="active",
                  include_active=True) == set(ACTIVE)
    assert chosen(summaries, action="delete", include_active=True) == set(ALL)


def test_older_than_is_by_last_activity(summaries):
    # Each session's mtime is its creation + 1 hour; the fork pair's 300 days ago.
    old = {s.id for s in SPECS if not s.archived
           and s.created + timedelta(hours=1) < NOW - timedelta(days=90)}
    assert chosen(summaries, action="archive", older_than=timedelta(days=90)) \
        == old | {FORK_SOURCE, FORK}
    assert old == {sid(1), sid(2)}
    assert chosen(summaries, action="archive", older_than=parse_duration("1y")) == set()
    assert chosen(summaries, action="delete", older_than=parse_duration("1y")) == {sid(8)}


def test_larger_than(summaries):
    sizes = {s.id: s.size for s in summaries}
    limit = 200_000
    assert chosen(summaries, action="delete", include_active=True, larger_than=limit) \
        == {tid for tid, size in sizes.items() if size > limit}
    assert chosen(summaries, action="delete", include_active=True,
                  larger_than=limit) == {sid(1), sid(2)}


def test_cwd_and_all(summaries, tmp_path):
    assert chosen(summaries, action="archive", cwd="/home/dev/beta") == {sid(5), sid(6), sid(7)}
    assert chosen(summaries, action="archive", cwd="/home/dev/beta/") == {sid(5), sid(6), sid(7)}
    assert chosen(summaries, action="archive", cwd="/home/dev") == set()  # not a prefix match
    # A symlinked spelling of the directory finds what was recorded under the real one.
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    moved = [s._replace(cwd=str(real)) if s.id == sid(3) else s for s in summaries]
    assert chosen(moved, action="archive", cwd=str(link)) == {sid(3)}


def test_source_by_kind_or_label(summaries):
    assert chosen(summaries, action="archive", sources=frozenset({"sub-agent"})) == {sid(6)}
    assert chosen(summaries, action="archive", sources=frozenset({"subagent:review"})) \
        == {sid(6)}
    assert chosen(summaries, action="archive", sources=frozenset({"interactive"})) \
        == {sid(1), sid(3), sid(5)}
    assert chosen(summaries, action="archive", sources=frozenset({"cli"})) \
        == {sid(1), sid(3), sid(5)}
    assert chosen(summaries, action="archive", sources=frozenset({"exec"})) \
        == {sid(2), sid(7), FORK_SOURCE, FORK}


def test_filters_combine(summaries):
    assert chosen(summaries, action="archive", cwd="/home/dev/alpha",
                  older_than=timedelta(days=30), sources=frozenset({"interactive"})) == {sid(1)}


def test_oldest_activity_first(summaries):
    order = [s.id for s in select(summaries, PruneRule("archive"), NOW)]
    assert order.index(sid(1)) < order.index(sid(2)) < order.index(sid(3))


def test_dry_run_names_refusals_and_writes_nothing(bulk_home):
    store = LocalThreadStore(str(bulk_home), cache=False)
    locks = bulk_home / "thread-writer-locks"
    locks.mkdir()
    fd = os.open(locks / f"{sid(2)}.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what a live Codex holds
    before = checksums(bulk_home)
    try:
        rule = PruneRule("archive", older_than=timedelta(days=90))
        outcomes = {o.id: o for o in plan(store, select(every_thread(store), rule, NOW),
                                          "archive")}
    finally:
        os.close(fd)
    assert checksums(bulk_home) == before
    assert outcomes[sid(1)].result == WOULD
    assert outcomes[sid(2)].result == REFUSED
    assert "is open in Codex" in outcomes[sid(2)].reason
    assert outcomes[FORK_SOURCE].result == REFUSED
    assert "forked history still references it" in outcomes[FORK_SOURCE].reason
    assert FORK in outcomes[FORK_SOURCE].reason
    assert outcomes[FORK].result == WOULD  # the fork itself is nobody's source


def test_a_stale_lock_file_is_not_a_refusal(bulk_home):
    locks = bulk_home / "thread-writer-locks"
    locks.mkdir()
    (locks / f"{sid(1)}.lock").write_bytes(b"")  # left by a crashed Codex, not held
    store = LocalThreadStore(str(bulk_home), cache=False)
    assert store.write_refusals([sid(1)], "archive") == {}


def test_unarchive_does_not_protect_fork_sources(bulk_home):
    store = LocalThreadStore(str(bulk_home), cache=False)
    assert FORK_SOURCE in store.write_refusals([FORK_SOURCE], "delete")
    assert FORK_SOURCE in store.write_refusals([FORK_SOURCE], "archive")
    assert store.write_refusals([FORK_SOURCE], "unarchive") == {}
