"""What the picker and the history search share: a header (status and filters), a search box,
a list of rows with a preview beside it, and the key bar; the search box's text goes to the
screen's `refilter`, and the arrow and page keys move the list even while the search box has
the focus.

A subclass says which list and preview it shows (`make_list`, `make_preview`), what the
header says (`status`, `filter_bar`, `empty_message`) and how rows are found (`refilter`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

from ..store import ThreadStore
from ..widgets.key_bar import KeyBar
from ..widgets.list_header import Filter, ListHeader
from ..widgets.row_list import RowList
from ..widgets.search_input import SearchInput

if TYPE_CHECKING:
    from ..app import CodexTuiApp

ListT = TypeVar("ListT", bound=RowList)

NARROW_WIDTH = 100  # below this many columns the preview pane is hidden

LIST_BINDINGS: list[BindingType] = [
    Binding("down", "list_cursor(1)", show=False),
    Binding("up", "list_cursor(-1)", show=False),
    Binding("pagedown", "list_page(1)", show=False),
    Binding("pageup", "list_page(-1)", show=False),
]


class ListScreen(Screen, Generic[ListT]):
    BINDINGS = LIST_BINDINGS
    ID_PREFIX: ClassVar[str]  # the widgets' ids: f"{ID_PREFIX}-list" and so on (for the .tcss)
    FOCUS_SEARCH: ClassVar[bool] = False  # the search box has the focus at first (else the list)
    COMPACT_FILTERS: ClassVar[bool] = True  # the filter bar may drop labels to fit

    def __init__(self, store: ThreadStore, *, cwd: str | None,
                 now: Callable[[], datetime] | None = None, query: str = "") -> None:
        super().__init__()
        self.store = store
        self.cwd = cwd
        self._now = now
        self._query = query
        self.list: ListT = self.make_list(id=f"{self.ID_PREFIX}-list")

    @property
    def codex_app(self) -> CodexTuiApp:
        return cast("CodexTuiApp", self.app)

    def now(self) -> datetime:
        return self._now() if self._now else datetime.now().astimezone()

    # -- what a subclass says ----------------------------------------------------------------

    def make_list(self, *, id: str) -> ListT:
        raise NotImplementedError

    def make_preview(self, *, id: str) -> Widget:
        raise NotImplementedError

    def placeholder(self) -> str:
        raise NotImplementedError

    def status(self) -> Text:
        raise NotImplementedError

    def filter_bar(self) -> Sequence[Filter]:
        raise NotImplementedError

    def empty_message(self) -> Text:
        raise NotImplementedError

    def refilter(self) -> None:
        """Show the rows the filters and the search select."""
        raise NotImplementedError

    def mounted(self) -> None:
        """After the screen's widgets are mounted: start reading."""

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # Few widgets on purpose: each one costs start-up time in styling and layout.
        prefix = self.ID_PREFIX
        yield ListHeader(id=f"{prefix}-header")
        yield SearchInput(value=self._query, placeholder=self.placeholder(),
                          id=f"{prefix}-search")
        with Horizontal(id=f"{prefix}-body"):
            yield self.list
            yield self.make_preview(id=f"{prefix}-preview")
        yield KeyBar()

    @property
    def search(self) -> Input:
        return self.query_one(f"#{self.ID_PREFIX}-search", Input)

    def on_mount(self) -> None:
        search = self.search
        (search if self.FOCUS_SEARCH else self.list).focus()
        self.watch(search, "value", self._on_search, init=False)
        self.set_class(self.app.size.width < NARROW_WIDTH, "-narrow")
        self.mounted()

    def on_resize(self) -> None:
        # The preview needs room; on narrow terminals the list gets the whole width. Only a
        # change of class restyles the screen (which costs a frame).
        self.set_class(self.size.width < NARROW_WIDTH, "-narrow")
        self.update_header()

    # -- the header and the empty list ---------------------------------------------------------

    def update_chrome(self) -> None:
        self.update_header()
        if not self.list.rows:
            self.list.set_empty_message(self.empty_message())

    def update_header(self) -> None:
        self.query_one(ListHeader).show(self.status(), self.filter_bar(), self.COMPACT_FILTERS)

    # -- search and list keys ------------------------------------------------------------------

    def _on_search(self, value: str) -> None:
        # A watcher, not Input.Changed: it runs as the key changes the value, so the typed
        # character and the rows it selects are drawn in one frame.
        self._query = value
        self.list.reset_cursor()  # a new search starts at its best match
        self.refilter()

    def action_list_cursor(self, delta: int) -> None:
        self.list.action_cursor(delta)

    def action_list_page(self, direction: int) -> None:
        self.list.action_page(direction)
