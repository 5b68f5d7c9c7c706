"""Rendered rows of a virtual view, kept within a budget of rows."""

from __future__ import annotations

from collections import OrderedDict

from textual.strip import Strip


class StripCache:
    """Rendered blocks, least recently used dropped first, bounded by their total rows (a
    block can be one row or ten thousand)."""

    def __init__(self, budget: int) -> None:
        self._budget = budget
        self._rows = 0
        self._items: OrderedDict[tuple, list[Strip]] = OrderedDict()

    def get(self, key: tuple) -> list[Strip] | None:
        strips = self._items.get(key)
        if strips is not None:
            self._items.move_to_end(key)
        return strips

    def put(self, key: tuple, strips: list[Strip]) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self._rows -= len(old)
        self._items[key] = strips
        self._rows += len(strips)
        while self._rows > self._budget and len(self._items) > 1:
            _, dropped = self._items.popitem(last=False)
            self._rows -= len(dropped)

    def clear(self) -> None:
        self._items.clear()
        self._rows = 0

    def drop_from(self, index: int) -> None:
        """Forget the blocks from `index` on (keys start with the block index)."""
        for key in [k for k in self._items if k[0] >= index]:
            self._rows -= len(self._items.pop(key))

    @property
    def rows(self) -> int:
        return self._rows
