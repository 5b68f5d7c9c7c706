"""`make run`: open the picker on ~/.codex (or $CODEX_HOME), or on the demo home in assets/
when there are no sessions there."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .commands import default_codex_home, main

DEMO_HOME = Path(__file__).resolve().parents[2] / "assets" / "demo-codex-home"


def launch_args(argv: list[str]) -> list[str]:
    home = default_codex_home()
    if os.path.isdir(os.path.join(home, "sessions")):
        return ["--codex-home", home, *argv]
    print(f"No Codex sessions in {home}; opening the demo home {DEMO_HOME}", file=sys.stderr)
    # The demo sessions were recorded in other directories: show them all.
    return ["--codex-home", str(DEMO_HOME), "--all", *argv]


if __name__ == "__main__":
    sys.exit(main(launch_args(sys.argv[1:])))
