"""Token usage (store/usage/): the accounting rules, on the hand-made usage-home (one case per
rule) and on homes real Codex releases wrote; the per-thread cache; the price table; the
reports' grouping, days and filters."""

from __future__ import annotations

import os
import shutil
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from support.homes import FIXTURES

from codex_tui.store.catalog import group_files
from codex_tui.store.rollout import Record
from codex_tui.store.thread_store.local import LocalThreadStore
from codex_tui.store.usage import (
    INHERITED,
    REPEATED,
    build_report,
    load_prices,
    read_thread_usage,
)
from codex_tui.store.usage.accounting import ThreadUsage, account
from codex_tui.store.usage.cache import UsageCache

USAGE_HOME = FIXTURES / "usage-home"
C = "01990b00-0000-7000-8000-00000000c00"  # usage-home's thread ids, c001..c008


def usage_of(home: Path, prefix: str) -> ThreadUsage:
    files = group_files(str(home))
    (tid,) = [t for t in files if t.startswith(prefix)]
    return read_thread_usage(files[tid])


def skipped(u: ThreadUsage, cause: str) -> int:
    return sum(v[4] for (_, c), v in u.skipped.items() if c == cause)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("CODEX_TUI_CACHE_DIR", str(d))
    return d


@pytest.fixture
def no_user_prices(tmp_path, monkeypatch):
    monkeypatch.setenv("CODEX_TUI_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path / "config"


@pytest.fixture
def tz(monkeypatch):
    def set_tz(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_tz
    monkeypatch.undo()
    time.tzset()


def report(home: Path, by: str = "day", **kw):
    store = LocalThreadStore(str(home), cache=False)
    return build_report(store.thread_usage(None), by, load_prices(), **kw)


# -- the rules ---------------------------------------------------------------------------


def test_a_count_written_twice_is_counted_once():
    u = usage_of(USAGE_HOME, C + "1")
    assert u.total().total == 47800 and u.events == 3
    assert skipped(u, REPEATED) == 47800  # what a reader of every event's `last` adds


def test_resumed_process_restarting_the_cumulative_total():
    u = usage_of(USAGE_HOME, C + "2")
    assert u.total().total == 5400 + 7600 + 9800 + 11300
    assert u.skipped == {}


def test_real_0_50_resume_restarts_and_re_emits_the_last_count():
    # Codex 0.50: each process re-emits the previous count on resuming (unchanged total),
    # and a new process's cumulative total starts again at its own first response.
    u = usage_of(FIXTURES / "codex-home", "01a1fe36-5693")
    assert u.total().total == 2600 + 2611 + 2622 + 2633 + 2644 + 2655
    assert skipped(u, REPEATED) == 2600 + 2633


def test_real_0_171_resume_carries_the_total_over():
    u = usage_of(FIXTURES / "codex-0.171-home", "01a24de3-5d1e")
    assert u.total().total == 6730 and u.events == 5


def test_a_count_after_compaction_with_an_unchanged_total_is_no_response():
    # 0.171 writes, after a compaction, the unchanged total with a `last` of zeros but a
    # total_tokens: neither counted nor tallied as a repeat (ccusage skips it too).
    u = usage_of(FIXTURES / "codex-0.171-home", "01a24ded-81a6")
    assert u.total().total == 6730
    assert skipped(u, REPEATED) == 1335  # only the plain re-emit at the next turn's start


def test_a_legacy_fork_does_not_count_what_it_copied():
    parent = usage_of(USAGE_HOME, C + "3")
    fork = usage_of(USAGE_HOME, C + "4")
    assert parent.total().total == 46400
    assert fork.total().total == 26500  # its own response only, though its total says more
    assert skipped(fork, INHERITED) == 46400


def test_a_sub_agent_does_not_count_its_copy_of_the_parent():
    u = usage_of(FIXTURES / "codex-0.171-home", "01a24de7-9a6f")
    assert u.total().total == 1445 and skipped(u, INHERITED) == 5582


def test_a_paginated_fork_counts_its_responses_not_its_base_total():
    u = usage_of(FIXTURES / "codex-0.171-home", "01a24ded-84b0")
    assert u.total().total == 1379  # its first cumulative total is 8109 (the base's + 1379)


def test_paginated_sub_agent_copy_ends_at_its_start_ordinal():
    u = usage_of(FIXTURES / "shapes-home", "01a24e00-0000-7000-8000-00000000a108")
    assert u.total().total == 1320 and skipped(u, INHERITED) == 91500


def test_models_come_from_turn_context():
    u = usage_of(USAGE_HOME, C + "8")
    by_model: dict[str | None, int] = {}
    for (_, model), v in u.buckets.items():
        by_model[model] = by_model.get(model, 0) + v[4]
    assert by_model == {"gpt-5": 11000, "acme-coder-9": 12800}


def test_no_model_recorded_stays_unknown():
    rec = Record("event_msg", "token_count", {"type": "token_count", "info": {
        "total_token_usage": {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15},
        "last_token_usage": {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}}},
        timestamp="2026-01-01T00:00:00Z")
    u = account([rec], "t")
    assert [model for _, model in u.buckets] == [None]


def test_events_without_a_timestamp_are_reported_not_placed():
    info = {"total_token_usage": {"input_tokens": 1, "total_tokens": 1},
            "last_token_usage": {"input_tokens": 1, "total_tokens": 1}}
    u = account([Record("event_msg", "token_count", {"type": "token_count", "info": info})], "t")
    assert u.undated == 1 and u.buckets == {} and not u.has_usage


def _count(ts: int, total: tuple[int, int], last: tuple[int, int] | None) -> Record:
    def usage(pair: tuple[int, int]) -> dict[str, int]:
        return {"input_tokens": pair[0], "output_tokens": pair[1],
                "total_tokens": pair[0] + pair[1]}

    info = {"total_token_usage": usage(total)}
    if last is not None:
        info["last_token_usage"] = usage(last)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1_790_000_000 + ts))
    return Record("event_msg", "token_count", {"type": "token_count", "info": info}, stamp)


responses = st.lists(st.tuples(st.integers(1, 10_000), st.integers(0, 2_000),
                               st.booleans(), st.booleans(), st.booleans()),
                     min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(responses)
def test_any_sequence_of_responses_repeats_and_restarts_sums_the_responses(plan):
    """Whatever the repeats (an unchanged total written again) and the restarts of the
    cumulative total (a new process, with or without carrying it over), the thread's usage
    is the sum of its responses."""
    records: list[Record] = []
    total = (0, 0)
    spent = 0
    for n, (inp, out, repeat, restart, carry) in enumerate(plan):
        before = total
        if restart and not carry:
            total = (0, 0)
        total = (total[0] + inp, total[1] + out)
        # The rule's one blind spot: a new process whose first response equals, to the
        # token, the previous process's whole total reads as a repeat of it.
        assume(total != before)
        records.append(_count(n, total, (inp, out)))
        spent += inp + out
        if repeat:
            records.append(_count(n, total, (inp, out)))
    u = account(records, "t")
    assert u.total().total == spent
    assert u.total().input == sum(p[0] for p in plan)


def test_without_last_the_change_of_the_total_is_used_and_a_drop_is_a_restart():
    records = [_count(0, (100, 10), None), _count(1, (300, 30), None),
               _count(2, (300, 30), None), _count(3, (50, 5), None), _count(4, (80, 8), None)]
    assert account(records, "t").total().total == 110 + 220 + 55 + 33


# -- reports -------------------------------------------------------------------------------


def test_daily_report_of_the_usage_home(tz, cache_dir, no_user_prices):
    tz("UTC")
    r = report(USAGE_HOME)
    days = {row.key: row.usage.total for row in r.rows}
    assert days == {"2026-11-03": 47800, "2026-11-04": 34100, "2026-11-05": 46400,
                    "2026-11-06": 26500, "2026-11-07": 32000, "2026-11-08": 10500,
                    "2026-11-09": 8500, "2026-11-11": 23800}
    assert r.sessions_without_usage == 1  # c007
    assert r.unpriced_models == ["acme-coder-9"]
    assert r.totals.usage.total == sum(days.values())
    assert r.totals.not_counted == {REPEATED: 47800, INHERITED: 46400}
    nov6 = next(row for row in r.rows if row.key == "2026-11-06")
    assert nov6.not_counted[INHERITED] == 46400 and nov6.sessions == 1


def test_a_response_belongs_to_the_local_day_of_its_own_time(tz, cache_dir, no_user_prices):
    tz("America/New_York")  # 23:10 and 00:10 UTC are both on 11-08 there
    days = {row.key: row.usage.total for row in report(USAGE_HOME).rows}
    assert days["2026-11-08"] == 19000 and "2026-11-09" not in days
    tz("Asia/Tokyo")  # and both on 11-09 here
    days = {row.key: row.usage.total for row in report(USAGE_HOME).rows}
    assert days["2026-11-09"] == 19000 and "2026-11-08" not in days
    days = {row.key: row.usage.total for row in report(USAGE_HOME, utc=True).rows}
    assert days["2026-11-08"] == 10500 and days["2026-11-09"] == 8500


def test_since_and_until_select_usage_by_day_whatever_the_grouping(tz, cache_dir,
                                                                   no_user_prices):
    tz("UTC")
    r = report(USAGE_HOME, "project", since=date(2026, 11, 5), until=date(2026, 11, 7))
    assert {row.key: row.usage.total for row in r.rows} == {
        "/home/dev/src/gamma": 46400 + 26500, "/home/dev/src/alpha": 32000}
    assert r.rows[0].key == "/home/dev/src/gamma"  # the most tokens first


def test_weeks_months_models_sessions(tz, cache_dir, no_user_prices):
    tz("UTC")
    weeks = {row.key: row.usage.total for row in report(USAGE_HOME, "week").rows}
    assert weeks == {"2026-W45": 47800 + 34100 + 46400 + 26500 + 32000 + 10500,
                     "2026-W46": 8500 + 23800}
    months = report(USAGE_HOME, "month")
    assert [(row.key, row.sessions) for row in months.rows] == [("2026-11", 7)]
    models = {row.key: row for row in report(USAGE_HOME, "model").rows}
    assert models["acme-coder-9"].cost_usd is None
    assert models["acme-coder-9"].unpriced_total == 12800
    # gpt-5 in c002, c006 and c008: 60,000 input (35,000 cached), 4,100 output.
    assert models["gpt-5"].cost_usd == pytest.approx(
        (25000 * 1.25 + 35000 * 0.125 + 4100 * 10) / 1e6)
    sessions = report(USAGE_HOME, "session")
    top = sessions.rows[0]
    assert top.key == C + "1" and top.summary is not None and top.summary.cwd


def test_cost_is_priced_per_model_and_partial_rows_say_what_is_unpriced(tz, cache_dir,
                                                                       no_user_prices):
    tz("UTC")
    nov11 = next(row for row in report(USAGE_HOME).rows if row.key == "2026-11-11")
    gpt5 = load_prices().price("gpt-5")
    assert gpt5 is not None
    from codex_tui.store.model import TokenUsage
    assert nov11.cost_usd == pytest.approx(gpt5.cost(TokenUsage(10000, 5000, 1000, 400, 11000)))
    assert nov11.unpriced_total == 12800


def test_json_shape(tz, cache_dir, no_user_prices):
    tz("UTC")
    out = report(USAGE_HOME).to_json()
    assert out["by"] == "day"
    fields = {"sessions", "input", "cached_input", "output", "reasoning_output", "total",
              "cost_usd"}
    assert fields | {"key"} <= set(out["rows"][0])
    assert fields <= set(out["totals"])
    assert out["unpriced_models"] == ["acme-coder-9"]
    assert out["sessions_without_usage"] == 1


# -- prices ----------------------------------------------------------------------------------


def test_the_shipped_price_table_is_dated_package_data(no_user_prices):
    table = load_prices()
    assert table.as_of == "2026-12-01" and table.problems == []
    assert table.price("gpt-5") is not None and table.price("acme-coder-9") is None
    assert table.price(None) is None


def test_a_user_price_file_overrides_and_adds_models(no_user_prices):
    no_user_prices.mkdir()
    (no_user_prices / "prices.toml").write_text(
        'as_of = 2027-01-15\n[models."acme-coder-9"]\ninput = 1\ncached_input = 0.5\n'
        'output = 4\n[models."gpt-5"]\ninput = 2\ncached_input = 0.2\noutput = 20\n'
        '[models."broken"]\ninput = "cheap"\n')
    table = load_prices()
    assert table.as_of == "2027-01-15"
    assert table.price("acme-coder-9") == (1.0, 0.5, 4.0)
    assert table.price("gpt-5") == (2.0, 0.2, 20.0)
    assert table.price("broken") is None and "broken" in table.problems[0]


def test_an_unreadable_user_price_file_is_reported_and_the_shipped_table_used(no_user_prices):
    no_user_prices.mkdir()
    (no_user_prices / "prices.toml").write_text("models = [unclosed")
    table = load_prices()
    assert table.price("gpt-5") is not None
    assert "not read" in table.problems[0]


# -- the cache -------------------------------------------------------------------------------


def test_cache_warm_equals_cold_and_a_changed_file_is_read_again(tmp_path, cache_dir):
    home = tmp_path / "home"
    shutil.copytree(USAGE_HOME, home)
    before = {p: p.stat().st_mtime_ns for p in home.rglob("*")}
    cold = LocalThreadStore(str(home)).thread_usage(None)
    assert list(cache_dir.glob("usage-*.jsonl"))
    warm = LocalThreadStore(str(home)).thread_usage(None)
    assert [(s.id, u.to_json()) for s, u in cold] == [(s.id, u.to_json()) for s, u in warm]
    assert {p: p.stat().st_mtime_ns for p in home.rglob("*")} == before  # home untouched

    # Every `token_count` of c002 written twice: the cache must not answer for it.
    (path,) = home.glob(f"sessions/**/*{C}2.jsonl")
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(line + line if '"token_count"' in line else line
                            for line in lines))
    again = dict((s.id, u) for s, u in LocalThreadStore(str(home)).thread_usage(None))
    assert again[C + "2"].total().total == 34100
    assert skipped(again[C + "2"], REPEATED) == 34100


def test_a_damaged_cache_is_not_used(tmp_path, cache_dir):
    cache = UsageCache(str(USAGE_HOME))
    files = group_files(str(USAGE_HOME))
    tf = files[C + "1"]
    cache.put(tf, read_thread_usage(tf))
    cache.save()
    text = Path(cache.path).read_text().replace("[[", '[["x",', 1)
    Path(cache.path).write_text(text)
    assert UsageCache(str(USAGE_HOME)).get(tf) is None


def test_thread_usage_keeps_to_a_directory(cache_dir):
    store = LocalThreadStore(str(USAGE_HOME), cache=False)
    got = {s.id for s, _ in store.thread_usage("/home/dev/src/alpha")}
    assert got == {C + "1", C + "5", C + "8"}  # c005 is archived: still counted
    assert os.path.isdir(USAGE_HOME)


def test_reading_in_several_processes_gives_the_same_usage(monkeypatch):
    """A cold home of many threads is read by a pool of processes (report.read_many): the
    same figures as reading them here, in the same order."""
    from codex_tui.store.usage import report as report_module

    files = list(group_files(str(USAGE_HOME)).values()) + list(
        group_files(str(FIXTURES / "codex-0.171-home")).values())
    serial = [u.to_json() for u in report_module.read_many(files)]
    monkeypatch.setattr(report_module, "PARALLEL_FROM", 2)
    monkeypatch.setattr(report_module.os, "cpu_count", lambda: 2)
    assert [u.to_json() for u in report_module.read_many(files)] == serial


class _CapturedStderr:
    """What sys.stderr is inside a Textual app: a capture with no file descriptor."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass

    def fileno(self) -> int:
        return -1


def test_many_threads_are_read_inside_an_app_too(monkeypatch):
    """A cold home read from the Usage screen: with the app's stderr, processes cannot be
    started (multiprocessing's resource tracker passes stderr's descriptor); the usage is
    then read in this process, the same as the processes would have read it."""
    from codex_tui.store.usage import report as report_module

    files = list(group_files(str(USAGE_HOME)).values())
    expected = [read_thread_usage(tf) for tf in files]
    monkeypatch.setattr(report_module, "PARALLEL_FROM", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    monkeypatch.setattr("multiprocessing.resource_tracker._resource_tracker._fd", None,
                        raising=False)
    monkeypatch.setattr("sys.stderr", _CapturedStderr())
    assert [u.to_json() for u in report_module.read_many(files)] == \
        [u.to_json() for u in expected]
