"""`list --json` writes its rows one at a time: the same bytes as the whole list at once."""

from __future__ import annotations

import orjson
import pytest

from codex_tui.cli.commands import _write_json, _write_json_list

ROWS = [
    {"id": "a", "title": "two\nlines \"quoted\"", "tokens": None, "segments": []},
    {"id": "b", "nested": {"x": [1, 2, {"y": "z"}], "empty": {}}, "problems": ["p"]},
    {"id": "c", "unicode": "é ☃ \u2028"},
]


@pytest.mark.parametrize("rows", [[], ROWS[:1], ROWS])
def test_rows_one_at_a_time_are_the_whole_list(rows, capsysbinary):
    _write_json(rows)
    whole = capsysbinary.readouterr().out
    _write_json_list(iter(rows))
    assert capsysbinary.readouterr().out == whole
    assert orjson.loads(whole) == rows
