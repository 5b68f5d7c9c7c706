"""Every key the screen offers, on one line: one widget rendering text, where Textual's
Footer mounts a widget per key (which costs a tenth of a second at startup)."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.screen import Screen
from textual.widget import Widget


class KeyBar(Widget):
    COMPONENT_CLASSES = {"key-bar--key"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
        & > .key-bar--key { color: $footer-key-foreground; text-style: bold; }
    }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _changed(self, _screen: Screen) -> None:
        self.refresh()

    def render(self) -> Text:
        # Full descriptions when they fit, else their first word, else the last entries'
        # keys alone (as few as needed), else keys alone: every key stays visible on a
        # narrow terminal.
        # (Widths are added up first: the bar is built once, in the mode that fits.)
        entries = self._entries()
        width = self.size.width
        keys = [cell_len(key) + 2 for key, _, _ in entries]  # " key "
        full = [cell_len(description) + 1 for _, description, _ in entries]
        short = [cell_len(_first_word(description)) + 1 for _, description, _ in entries]
        if sum(keys) + sum(full) <= width:
            return self._line(entries, "full")
        total = sum(keys) + sum(short)
        for bare in range(len(entries)):
            if total <= width:
                return self._line(entries, "short", bare=bare)
            total -= short[len(entries) - 1 - bare]
        return self._line(entries, "keys")

    def _line(self, entries: list[tuple[str, str, bool]], mode: str, bare: int = 0) -> Text:
        """The bar in `mode`; with `bare`, that many entries at the end show their key only."""
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, (key, description, enabled) in enumerate(entries):
            text.append(f" {key} ", style=key_style if enabled else "dim")
            if mode == "keys" or index >= len(entries) - bare:
                continue
            if mode == "short":
                description = _first_word(description)
            text.append(f"{description} ", style="" if enabled else "dim")
        return text

    def _entries(self) -> list[tuple[str, str, bool]]:
        active = self.screen.active_bindings
        seen: set[str] = set()
        entries = []
        for _node, binding, enabled, _tooltip in active.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            entries.append((self.app.get_key_display(binding), binding.description, enabled))
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        if self.app.ENABLE_COMMAND_PALETTE and palette is not None:
            entries.append((self.app.get_key_display(palette.binding), "palette", True))
        return entries


def _first_word(description: str) -> str:
    return description.split()[0] if description else ""
