"""`make run`: open codex-tui on ~/.codex, or on the demo home in assets/ when there is none."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .cli import default_codex_home, main

DEMO_HOME = Path(__file__).resolve().parent.parent / "assets" / "demo-codex-home"


def choose_home() -> str:
    home = default_codex_home()
    if os.path.isdir(os.path.join(home, "sessions")):
        return home
    print(f"No Codex sessions in {home}; showing the demo home {DEMO_HOME}", file=sys.stderr)
    return str(DEMO_HOME)


if __name__ == "__main__":
    sys.exit(main(["--codex-home", choose_home(), *sys.argv[1:], "list", "--all"]))
