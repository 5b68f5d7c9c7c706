"""The app, typed as the CodexTuiApp it is, for the screens that call its own methods.

Textual types `node.app` as the base `App`; every screen here runs inside CodexTuiApp (or a
test's subclass of it), so a cast says so once instead of a `getattr(self.app, ...)` at each
use. (app.py imports the screens: CodexTuiApp is imported here for the type checker only.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from textual.message_pump import MessagePump

    from ..app import CodexTuiApp


def codex_app(node: MessagePump) -> CodexTuiApp:
    """`node.app` (the running app), typed as CodexTuiApp."""
    return cast("CodexTuiApp", node.app)
