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


def keep() -> None:
    """What is alive now lives on (say, a search index just built over every row): out of
    the collector's sight, as start-up's objects are. Each of its full passes walks every
    object it sees: at 50,000 sessions a search index made them 10-25 ms each, a stutter
    every few keystrokes. (Cyclic garbage alive at this moment is never collected: call it
    when little is, right after the build.)"""
    if not _paused:  # (while paused, resume() freezes it all anyway)
        gc.freeze()
