"""The transcript of one thread as a flat list of blocks, and each block rendered to lines.

Textual-free (Rich only), so that heights can be measured in a worker thread and the
rendering tested without an app: `blocks` flattens a Thread, `renderer` turns one block into
lines of Rich segments at a given width, `wrap` cuts plain text into lines fast.
"""

from .blocks import Block, build_blocks, search_text
from .renderer import BlockRenderer, Palette

__all__ = ["Block", "BlockRenderer", "Palette", "build_blocks", "search_text"]
