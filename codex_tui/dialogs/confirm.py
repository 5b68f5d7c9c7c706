"""A yes/no question as a modal dialog that returns its answer."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    CSS_PATH = "confirm.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("y", "confirm", "Yes")]

    def __init__(self, message: str, question: str, *, confirm: str = "Yes",
                 cancel: str = "Cancel", default: bool = True, danger: bool = False) -> None:
        super().__init__()
        self._message = message
        self._question = question
        self._confirm = confirm
        self._cancel = cancel
        self._default = default  # which button has the focus (Enter presses it)
        self._danger = danger  # an irreversible action: a red button

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self._message, id="confirm-message", markup=False)
            yield Static(self._question, id="confirm-question", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(self._confirm, variant="error" if self._danger else "primary",
                             id="confirm-yes")
                yield Button(self._cancel, id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-yes" if self._default else "#confirm-no", Button).focus()
        self.set_class(self._danger, "-danger")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
