"""Assistant text as Markdown: Rich's renderer with every heading left-aligned (a centred
heading reads oddly in a transcript) and code blocks highlighted by Pygments."""

from __future__ import annotations

from rich.markdown import Heading, Markdown


class _LeftHeading(Heading):
    LEVEL_ALIGN = dict.fromkeys(("h1", "h2", "h3", "h4", "h5", "h6"), "left")


class TranscriptMarkdown(Markdown):
    elements = {**Markdown.elements, "heading_open": _LeftHeading}
