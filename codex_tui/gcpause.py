"""Cyclic garbage collection paused while the app starts and lists sessions.

Start-up allocates hundreds of thousands of objects (Textual's CSS, 10,000 summaries) that
all live on; Python's collector would walk them again and again, a few tens of milliseconds
per start. Once loading is done they are frozen (moved out of the collector's sight), and
collection resumes for whatever is allocated afterwards.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Idempotent: the first caller after `pause()` resumes, the others find nothing to do."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
