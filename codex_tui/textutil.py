"""Making session text safe to print: control characters shown, never executed."""

from __future__ import annotations

import re

# C0 and C1 controls except tab and newline; ESC among them (terminal escape injection).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control picture" of the character
    if code == 0x7F:
        return "\u2421"
    return f"\\x{code:02x}"


def printable(text: str) -> str:
    """Text with control characters made visible; newlines and tabs kept."""
    return _CONTROL_RE.sub(_visible, text)


def one_line(text: str | None) -> str:
    """Collapse any whitespace run (newlines included) to one space, controls made visible."""
    if not text:
        return ""
    return printable(" ".join(text.split()))


def clip(text: str, width: int) -> str:
    """At most `width` characters, with an ellipsis when cut."""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


_EIGHTHS = " ▏▎▍▌▋▊▉"


def text_bar(fraction: float, width: int) -> str:
    """A horizontal bar `width` cells wide, filled to `fraction` (0..1) in eighths of a
    cell: the storage figures read at a glance in a terminal (CLI and screen alike)."""
    fraction = min(max(fraction, 0.0), 1.0)
    eighths = round(fraction * width * 8)
    if fraction > 0 and eighths == 0:
        eighths = 1  # something is there: never drawn as nothing
    full, part = divmod(eighths, 8)
    bar = "█" * full + (_EIGHTHS[part] if part else "")
    return bar.ljust(width)
