"""`codex-tui usage`: the table, --json (the README's shape), the filters and bad input."""

from __future__ import annotations

import json

import pytest
from support.homes import FIXTURES

from codex_tui.cli import main

USAGE_HOME = FIXTURES / "usage-home"
C = "01990b00-0000-7000-8000-00000000c00"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["--codex-home", str(USAGE_HOME), "usage", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_by_day(capsys):
    code, out, _ = run(capsys, "--all", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["by"] == "day"
    first = report["rows"][0]
    assert first == {"key": "2026-11-03", "sessions": 1, "input": 45000, "cached_input": 33000,
                     "output": 2800, "reasoning_output": 900, "total": 47800,
                     "cost_usd": first["cost_usd"], "unpriced_total": 0,
                     "not_counted": {"repeated": 47800, "inherited": 0}}
    assert first["cost_usd"] == pytest.approx((12000 * 1.25 + 33000 * 0.125 + 2800 * 10) / 1e6)
    assert report["totals"]["total"] == 229600 and report["totals"]["sessions"] == 7
    assert report["unpriced_models"] == ["acme-coder-9"]
    assert report["sessions_without_usage"] == 1
    assert report["prices_as_of"] == "2026-12-01"


def test_table_by_project_with_notes(capsys):
    code, out, _ = run(capsys, "--all", "--by", "project")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["SESSIONS", "INPUT", "CACHED", "OUTPUT", "REASONING", "TOTAL",
                                "COST", "PROJECT"]
    assert lines[1].endswith("/home/dev/src/alpha") and "103,600" in lines[1]
    assert "$0.10+" in lines[1]  # part of alpha's tokens have no price
    assert any(line.split()[-1] == "TOTAL" and "229,600" in line for line in lines)
    assert "no price for: acme-coder-9" in out
    assert "not counted: 47,800 tokens of repeated token counts, 46,400 copied" in out
    assert "1 session recorded no token usage" in out


def test_sessions_since_until_and_cwd(capsys):
    code, out, _ = run(capsys, "--cwd", "/home/dev/src/gamma", "--by", "session",
                       "--since", "20261106", "--until", "2026-11-30", "--json")
    assert code == 0
    rows = json.loads(out)["rows"]
    assert [(r["key"], r["total"]) for r in rows] == [(C + "4", 26500)]
    assert rows[0]["title"] and rows[0]["cwd"] == "/home/dev/src/gamma"


def test_utc_switch(capsys, monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        _, local, _ = run(capsys, "--all", "--json")
        _, utc, _ = run(capsys, "--all", "--json", "--utc")
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()
    assert "2026-11-08" not in {r["key"] for r in json.loads(local)["rows"]}
    assert "2026-11-08" in {r["key"] for r in json.loads(utc)["rows"]}


def test_nothing_recorded_here(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys)
    assert code == 0 and out == ""
    assert f"no usage recorded in {tmp_path}" in err and "--all" in err


def test_bad_dates(capsys):
    code, _, err = run(capsys, "--since", "2026-12-01", "--until", "2026-11-01")
    assert code == 2 and "--since is after --until" in err
    with pytest.raises(SystemExit) as exit_info:
        run(capsys, "--since", "yesterday")
    assert exit_info.value.code == 2
    assert "not a date: 'yesterday'" in capsys.readouterr().err


def test_a_bad_user_price_file_is_said_and_the_report_still_made(capsys, tmp_path,
                                                                 monkeypatch):
    monkeypatch.setenv("CODEX_TUI_CONFIG_DIR", str(tmp_path))
    (tmp_path / "prices.toml").write_text("[models\n")
    code, out, err = run(capsys, "--all", "--by", "model")
    assert code == 0 and "gpt-5" in out
    assert "prices.toml: not read" in err


def test_several_homes_add_up_and_another_machine_is_said(capsys):
    other = FIXTURES / "codex-0.171-home"
    code = main(["--codex-home", str(USAGE_HOME), "--codex-home", str(other),
                 "--remote-command", "false", "usage", "--all", "--json"])
    out, err = capsys.readouterr()
    assert code == 0
    assert json.loads(out)["totals"]["total"] == 229600 + 30085
    assert "false: usage is read from homes on this machine only" in err
