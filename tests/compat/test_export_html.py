"""The HTML export: one self-contained page (styles inline, nothing fetched, no scripts),
session text escaped, tool calls and reasoning folded; and, in headless Chromium, a page
that really shows the transcript (a screenshot that is not blank, and the text in the DOM)."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from support.html import page_of, parse

FORK = "01a1fe36-a3e5-7b30-9c75-8b09d6038321"  # inherited turns, tools, reasoning, code
EVIL = "01a1fe38-0000-7000-8000-0000000000e1"


def test_page_is_self_contained(codex_home):
    page = page_of(codex_home, FORK)
    tags = parse(page)
    names = [t for t, _ in tags.tags]
    assert page.startswith("<!DOCTYPE html>")
    assert "script" not in names and "link" not in names and "img" not in names
    for _tag, attrs in tags.tags:
        for key in ("src", "href"):
            assert not (attrs.get(key) or "").startswith(("http", "//")), attrs
    assert names.count("style") == 1
    assert ".hl .k" in page  # Pygments' token colours are in the page
    assert "@import" not in page and "url(" not in page


def test_tool_calls_and_reasoning_fold(codex_home):
    page = page_of(codex_home, FORK)
    tags = parse(page)
    folds = [a.get("class") for t, a in tags.tags if t == "details"]
    assert folds.count("fold tool") == 2
    assert folds.count("fold reasoning") == 2
    assert not any(a.get("open") is not None for t, a in tags.tags if t == "details")
    # The shell command is highlighted; assistant Markdown became headings, lists and code.
    assert '<pre class="block hl"><code>' in page
    assert "<h2>Part 1</h2>" in page and "<li>one</li>" in page
    assert re.search(r'<span class="k">def</span>', page)
    text = "".join(tags.text)
    for turn in range(1, 6):
        assert f"Turn {turn}" in text
    assert "please run the tests and list files" in text
    assert "hello from the tool" in text
    assert text.count("inherited") >= 1 or 'class="turn inherited"' in page


def _evil_home(make_home) -> Path:
    ts = "2026-11-21T10:00:00.000Z"

    def line(kind: str, payload: object) -> str:
        return json.dumps({"timestamp": ts, "type": kind, "payload": payload}) + "\n"

    prompt = "<script>alert('user')</script> & <b>bold</b>"
    answer = ("Look: <img src=x onerror=alert(1)> [click](javascript:alert(2)) "
              "[ok](https://example.com)\n\n```html\n<script>alert(3)</script>\n```\n")
    text = line("session_meta", {"id": EVIL, "timestamp": ts, "cwd": "/w", "originator": "x",
                                 "cli_version": "0.169.0", "source": "cli"})
    text += line("event_msg", {"type": "task_started", "turn_id": "t1"})
    text += line("event_msg", {"type": "user_message", "message": prompt, "images": []})
    text += line("response_item", {"type": "function_call", "name": "shell", "call_id": "c1",
                                   "arguments": json.dumps({"command": ["echo", "</pre><b>"]})})
    text += line("response_item", {"type": "function_call_output", "call_id": "c1",
                                   "output": "</code></pre><script>alert(4)</script>"})
    text += line("event_msg", {"type": "agent_message", "message": answer})
    text += line("event_msg", {"type": "task_complete", "turn_id": "t1"})
    return make_home({EVIL: text})


def test_session_text_cannot_inject_markup(make_home):
    page = page_of(_evil_home(make_home), EVIL)
    tags = parse(page)
    names = [t for t, _ in tags.tags]
    assert "script" not in names and "img" not in names and "b" not in names
    hrefs = [a.get("href") for t, a in tags.tags if t == "a"]
    assert hrefs == ["https://example.com"]  # the javascript: link is not a link
    text = "".join(tags.text)
    assert "<script>alert('user')</script> & <b>bold</b>" in text
    assert "</code></pre><script>alert(4)</script>" in text


# -- in a real browser -----------------------------------------------------------------------

def _chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.environ.get("CODEX_TUI_REQUIRE_CHROMIUM"):
        pytest.fail("chromium is required (make test installs it: make chromium)")
    return found


def _run_chromium(binary: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}",
         *args],
        capture_output=True, timeout=120, check=False,
        env={**os.environ, "HOME": str(tmp_path)})


def decode_png(data: bytes) -> tuple[int, int, int, bytes]:
    """Width, height, bytes per pixel and raw pixels of an 8-bit RGB(A) PNG (no Pillow)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    assert header is not None
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, header
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    out = bytearray()
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1:start + 1 + stride])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + b) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[x] = (line[x] + pred) & 0xFF
        out += line
        prev = line
    return width, height, bpp, bytes(out)


def test_exported_page_renders_in_headless_chromium(codex_home, tmp_path):
    binary = _chromium()
    if binary is None:
        pytest.skip("chromium is not installed (make chromium)")
    page = tmp_path / "session.html"
    page.write_text(page_of(codex_home, FORK))
    url = page.as_uri()

    dom = _run_chromium(binary, tmp_path, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr.decode(errors="replace")[-2000:]
    rendered = dom.stdout.decode()
    assert "please run the tests and list files" in rendered
    assert "<details" in rendered and 'class="turn inherited"' in rendered

    shot = tmp_path / "shot.png"
    result = _run_chromium(binary, tmp_path, f"--screenshot={shot}", "--window-size=1000,1400",
                           url)
    assert result.returncode == 0 and shot.exists(), \
        result.stderr.decode(errors="replace")[-2000:]
    width, height, bpp, pixels = decode_png(shot.read_bytes())
    assert (width, height) == (1000, 1400)
    colours: dict[bytes, int] = {}
    for i in range(0, len(pixels), bpp * 7):  # a sample of the pixels is enough
        px = pixels[i:i + 3]
        colours[px] = colours.get(px, 0) + 1
    sampled = sum(colours.values())
    background, most = max(colours.items(), key=lambda kv: kv[1])
    # Not blank: text and boxes in many colours cover a real share of the page.
    assert len(colours) > 50, len(colours)
    assert most / sampled < 0.9, (background, most / sampled)
    # The page's own colours are there: the light grey body and the user bubble's blue.
    assert bytes((0xEE, 0xF1, 0xF4)) in colours
    assert bytes((0xDD, 0xF4, 0xFF)) in colours
