"""Export a thread as Markdown, HTML or JSON (`codex-tui export`, and the screens' export
dialog): one place that knows the formats, their file extensions and default file names."""

from __future__ import annotations

import os
import re

import orjson

from ..store import StoreError, Thread, ThreadSummary

FORMATS = ("markdown", "html", "json")
EXTENSIONS = {"markdown": ".md", "html": ".html", "json": ".json"}
_ALIASES = {"md": "markdown", "markdown": "markdown", "html": "html", "htm": "html",
            "json": "json"}


def parse_format(name: str) -> str:
    fmt = _ALIASES.get(name.strip().lower().lstrip("."))
    if fmt is None:
        raise StoreError(f"unknown export format {name!r} (markdown, html or json)")
    return fmt


def format_for_path(path: str) -> str | None:
    """The format a file name asks for by its extension, if any."""
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    return _ALIASES.get(ext) if ext else None


def render(thread: Thread, fmt: str) -> bytes:
    if fmt == "markdown":
        from .markdown import thread_markdown

        return thread_markdown(thread).encode("utf-8", "surrogatepass")
    if fmt == "html":
        from .html import thread_html

        return thread_html(thread).encode("utf-8", "surrogatepass")
    if fmt == "json":
        from ..store.serialize import thread_json

        return orjson.dumps(thread_json(thread), option=orjson.OPT_INDENT_2) + b"\n"
    raise StoreError(f"unknown export format {fmt!r}")


def default_filename(summary: ThreadSummary, fmt: str) -> str:
    """`codex-<title words>-<first 8 of the id>.<ext>`: readable, safe on every system."""
    words = re.sub(r"[^A-Za-z0-9]+", "-", (summary.title or "").strip()).strip("-").lower()
    words = words[:40].rstrip("-")
    stem = f"codex-{words}-{summary.id[:8]}" if words else f"codex-{summary.id[:8]}"
    return stem + EXTENSIONS[fmt]


def write_export(path: str, data: bytes, overwrite: bool = False) -> str:
    """Write an export file whole (temporary file + rename); refuse to replace an existing
    file unless `overwrite`. Returns the absolute path."""
    from ..store.atomic import replace_file, write_new_file

    path = os.path.abspath(os.path.expanduser(path))
    if os.path.isdir(path):
        raise StoreError(f"{path} is a folder; give a file name")
    if overwrite:
        replace_file(path, data)
    else:
        if os.path.lexists(path):
            raise StoreError(f"{path} already exists (overwrite it with --force)")
        write_new_file(path, data)
    return path
