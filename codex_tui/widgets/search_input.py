"""The search boxes (picker, history): Textual's Input, less one screen layout per keystroke."""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class SearchInput(Input):
    # Input sets its virtual size (the query's width) on every keystroke, and Widget declares
    # that reactive as needing a layout: a reflow and a repaint of every widget on the
    # screen, ~5 ms a key. Nothing outside the box depends on it (it bounds the box's own
    # horizontal scrolling, which reads it directly), so here it only repaints.
    virtual_size = Reactive(Size(0, 0), layout=False)
