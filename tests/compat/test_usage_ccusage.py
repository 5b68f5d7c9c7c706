"""codex-tui's usage against ccusage's Codex report (`@ccusage/codex` 18.0.11, the tool Codex
users reach for), on the same homes, day by day.

ccusage sums every `token_count` event's `last_token_usage` in the files under `sessions/`.
Its daily totals must equal codex-tui's exactly, field by field, once the three named causes
of difference are put back, each as codex-tui tallied it:

- `repeated`: events whose cumulative total is unchanged (several releases write each count
  twice; 0.50-0.120 re-emit the last count when a process resumes a thread): ccusage counts
  them again;
- `inherited`: the lines a fork or a sub-agent copied from its parent, restamped with the
  copy's time: ccusage counts them again on the day of the copy;
- `archived`: ccusage does not read `archived_sessions/`, codex-tui counts those sessions.

Skipped when ccusage isn't installed (`make ccusage`), unless $CODEX_TUI_REQUIRE_CCUSAGE is
set (`make test` sets it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest
from support.homes import FIXTURES, ROOT

from codex_tui.store.thread_store.local import LocalThreadStore
from codex_tui.store.usage import INHERITED, REPEATED
from codex_tui.store.usage.report import day_of

CCUSAGE_VERSION = "18.0.11"
FIELDS = ("inputTokens", "cachedInputTokens", "outputTokens", "reasoningOutputTokens",
          "totalTokens")


def ccusage_binary() -> str | None:
    env = os.environ.get("CODEX_TUI_TEST_CCUSAGE")
    if env:
        return env if os.access(env, os.X_OK) else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    binary = (Path(base) / "codex-tui-test" / f"ccusage-codex-{CCUSAGE_VERSION}"
              / "node_modules" / ".bin" / "ccusage-codex")
    return str(binary) if os.access(binary, os.X_OK) else None


@pytest.fixture(scope="module")
def ccusage() -> str:
    binary = ccusage_binary()
    if binary is None:
        if os.environ.get("CODEX_TUI_REQUIRE_CCUSAGE"):
            pytest.fail("ccusage is required ($CODEX_TUI_REQUIRE_CCUSAGE): run `make ccusage`")
        pytest.skip(f"@ccusage/codex {CCUSAGE_VERSION} not installed (`make ccusage` installs it)")
    return binary


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CODEX_TUI_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def tz(monkeypatch):
    def set_tz(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_tz
    monkeypatch.undo()
    time.tzset()


def ccusage_daily(binary: str, home: Path, zone: str) -> dict[str, list[int]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODEX_")}
    env.update(CODEX_HOME=str(home), TZ=zone, NO_COLOR="1")
    out = subprocess.run([binary, "daily", "--offline", "--json", "--timezone", zone],
                         env=env, capture_output=True, text=True, timeout=300, check=True)
    days: dict[str, list[int]] = {}
    for row in json.loads(out.stdout)["daily"]:
        day = datetime.strptime(row["date"], "%b %d, %Y").date().isoformat()
        days[day] = [row[f] for f in FIELDS]
    return days


def ours_by_cause(home: Path) -> dict[str, dict[str, list[int]]]:
    """codex-tui's usage per local day, split: `counted` in sessions/, `archived`, and what
    it read in sessions/ but did not count, by cause."""
    store = LocalThreadStore(str(home), cache=False)
    out: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0] * 5))
    for summary, usage in store.thread_usage(None):
        for (slot, _model), values in usage.buckets.items():
            part = "archived" if summary.archived else "counted"
            add(out[part][day_of(slot, False).isoformat()], values)
        if not summary.archived:
            for (slot, cause), values in usage.skipped.items():
                add(out[cause][day_of(slot, False).isoformat()], values)
    return out


def add(into: list[int], values: list[int]) -> None:
    for i, v in enumerate(values):
        into[i] += v


def compare(binary: str, home: Path, zone: str) -> dict[str, set[str]]:
    """Assert ccusage's days = codex-tui's, causes put back; return the days on which each
    cause made a difference."""
    theirs = ccusage_daily(binary, home, zone)
    ours = ours_by_cause(home)
    days = set(theirs) | {d for part in ours.values() for d in part}
    causes: dict[str, set[str]] = defaultdict(set)
    for day in sorted(days):
        expected = [0] * 5
        add(expected, ours["counted"].get(day, [0] * 5))
        for cause in (REPEATED, INHERITED):
            if any(ours[cause].get(day, [0] * 5)):
                causes[cause].add(day)
                add(expected, ours[cause][day])
        if any(ours["archived"].get(day, [0] * 5)):
            causes["archived"].add(day)
        assert theirs.get(day, [0] * 5) == expected, f"{home.name} {zone} {day}"
        if day not in causes[REPEATED] | causes[INHERITED] | causes["archived"]:
            # Where ccusage is right, the two agree to the token with no adjustment.
            counted = ours["counted"].get(day, [0] * 5)
            assert theirs.get(day, [0] * 5) == counted
    return causes


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Tokyo"])
def test_usage_home_each_named_cause(ccusage, tz, tmp_path, zone):
    tz(zone)
    causes = compare(ccusage, FIXTURES / "usage-home", zone)
    if zone == "UTC":
        assert causes == {REPEATED: {"2026-11-03"}, INHERITED: {"2026-11-06"},
                          "archived": {"2026-11-07"}}
        theirs = ccusage_daily(ccusage, FIXTURES / "usage-home", zone)
        assert theirs["2026-11-03"][4] == 2 * 47800  # every count written twice: exactly 2x
        assert "2026-11-07" not in theirs


@pytest.mark.parametrize("home", ["codex-home", "codex-0.171-home", "shapes-home",
                                  "fork-0.171", "fork-0.20"])
def test_real_homes(ccusage, tz, tmp_path, home):
    tz("UTC")
    causes = compare(ccusage, FIXTURES / home, "UTC")
    if home == "codex-home":  # written by Codex 0.50 .. 0.169
        assert causes[REPEATED] and causes["archived"]
    if home == "codex-0.171-home":
        assert causes[REPEATED] and causes[INHERITED]


def test_generated_home(ccusage, tz, tmp_path):
    home = tmp_path / "home"
    subprocess.run([sys.executable, "-m", "benchmarks.generate_home", str(home),
                    "--sessions", "300", "--big", "0", "--history", "10", "--jobs", "1"],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    tz("Europe/Berlin")
    causes = compare(ccusage, home, "Europe/Berlin")
    assert causes[REPEATED] and causes["archived"]
