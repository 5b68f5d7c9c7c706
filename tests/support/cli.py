"""`codex-tui ARGS` in the test process: (exit status, stdout, stderr), never a traceback."""

from __future__ import annotations

import json

from codex_tui.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def run_json(capsys, *args: str):
    code, out, err = run(capsys, *args)
    assert code == 0, err
    return json.loads(out)
