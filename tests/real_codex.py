"""Helpers for tests that drive the real Codex CLI (pinned 0.171.0) against a loopback
stand-in for the model API, so that real sessions are written with no network.

- `codex_binary()`: $CODEX_TUI_TEST_CODEX, else the pinned CLI in
  ~/.cache/codex-tui-test/codex-0.171.0 (installed there with npm when missing and npm is
  available); None when there is none (tests then skip, or fail when
  $CODEX_TUI_REQUIRE_CODEX is set).
- `MockModel(delay)`: a Responses API stand-in on a free loopback port, in this process (a
  thread: nothing is left running after the test). Prompts steer it: "run" makes it call
  the shell tool, then answer; "view image PATH" calls view_image; "spawn a helper" spawns
  a sub-agent with a copy of the thread's history; anything else gets a short answer.
  `delay` seconds pass before each streamed item, so a rollout grows over a few seconds.
- `codex_home_for(mock, path)`: a CODEX_HOME whose config.toml points Codex at the mock.

(Named for the tail tests; the fork tests carry a similar helper: to be unified.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from pathlib import Path

import pytest

CODEX_VERSION = "0.171.0"
CACHE_DIR = Path.home() / ".cache" / "codex-tui-test" / f"codex-{CODEX_VERSION}"


def codex_binary(install: bool = True) -> str | None:
    env = os.environ.get("CODEX_TUI_TEST_CODEX")
    if env:
        return env if os.access(env, os.X_OK) else None
    binary = CACHE_DIR / "node_modules" / ".bin" / "codex"
    if binary.exists():
        return str(binary)
    npm = shutil.which("npm")
    if not install or npm is None:
        return None
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(CACHE_DIR),
                        f"@openai/codex@{CODEX_VERSION}"], check=True, timeout=300,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    return str(binary) if binary.exists() else None


def required() -> bool:
    return bool(os.environ.get("CODEX_TUI_REQUIRE_CODEX"))


def codex_or_skip() -> str:
    """The pinned Codex CLI, or the test is skipped (failed, when $CODEX_TUI_REQUIRE_CODEX
    says it must run)."""
    binary = codex_binary()
    if binary is None:
        if required():
            pytest.fail("the pinned Codex CLI is required ($CODEX_TUI_REQUIRE_CODEX)")
        pytest.skip(f"Codex CLI {CODEX_VERSION} not available (npm install failed or no npm)")
    return binary


class MockModel:
    """The model API stand-in (see the module docstring). Use as a context manager."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.requests: list[dict] = []
        counter = count(1)
        mock = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _json(self, status: int, value: object) -> None:
                data = json.dumps(value).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._json(200, {"models": [], "data": []})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    body = {}
                if not self.path.endswith("/responses"):
                    self._json(200, {})
                    return
                n = next(counter)
                mock.requests.append(body)
                self._stream(n, _reply(n, body))

            def _stream(self, n: int, items: list[dict]) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("connection", "close")
                self.end_headers()

                def event(obj: dict) -> None:
                    self.wfile.write(f"event: {obj['type']}\ndata: {json.dumps(obj)}\n\n"
                                     .encode())
                    self.wfile.flush()

                rid = f"resp_{n}"
                event({"type": "response.created", "response": {"id": rid}})
                for item in items:
                    if mock.delay:
                        time.sleep(mock.delay)
                    event({"type": "response.output_item.done", "item": item})
                event({"type": "response.completed", "response": {"id": rid, "usage": {
                    "input_tokens": 1000 + n, "input_tokens_details": {"cached_tokens": 0},
                    "output_tokens": 50 + n, "output_tokens_details": {"reasoning_tokens": 0},
                    "total_tokens": 1050 + 2 * n}}})
                self.close_connection = True

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> MockModel:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _reply(n: int, body: dict) -> list[dict]:
    inputs = body.get("input") or []
    last = inputs[-1] if inputs else {}
    if last.get("type") in ("function_call_output", "custom_tool_call_output"):
        return [_message(n, f"Done: the command ran (reply {n}).")]
    texts = [part.get("text", "") for item in inputs
             if item.get("type") == "message" and item.get("role") == "user"
             for part in item.get("content", []) if isinstance(part, dict)]
    prompt = texts[-1] if texts else ""
    tools = _offered(body)
    if "view image " in prompt.lower() and "view_image" in tools:
        path = prompt[prompt.lower().index("view image ") + len("view image "):].split()[0]
        return [{"type": "function_call", "id": f"fc_{n}", "call_id": f"call_{n}",
                 "name": "view_image", "arguments": json.dumps({"path": path})}]
    if "spawn a helper" in prompt.lower() and "spawn_agent" in tools:
        # a sub-agent started with a copy of this thread's history
        return [{"type": "function_call", "id": f"fc_{n}", "call_id": f"call_{n}",
                 "name": "spawn_agent", "namespace": tools["spawn_agent"],
                 "arguments": json.dumps({"message": "child task: say hi",
                                          "fork_context": True})}]
    if "run" in prompt.lower():
        return [
            {"type": "reasoning", "id": f"rs_{n}", "content": None, "encrypted_content": None,
             "summary": [{"type": "summary_text", "text": "**Planning** list the files."}]},
            _shell_call(n, body, "echo hello from the tool && ls"),
        ]
    return [_message(n, f"Here is a reply to: {prompt[:80]}")]


def _offered(body: dict) -> dict[str, str | None]:
    """The tools the request offers: name -> its namespace (None at the top level)."""
    offered: dict[str, str | None] = {}
    for tool in body.get("tools") or []:
        if tool.get("type") == "namespace":
            for inner in tool.get("tools") or []:
                offered[inner.get("name")] = tool.get("name")
        elif tool.get("name"):
            offered[tool["name"]] = None
    return offered


def _message(n: int, text: str) -> dict:
    return {"type": "message", "role": "assistant", "id": f"msg_{n}",
            "content": [{"type": "output_text", "text": text}]}


def _shell_call(n: int, body: dict, command: str) -> dict:
    names = {t.get("name") or t.get("type") for t in body.get("tools") or []}
    if "exec_command" in names:
        name, args = "exec_command", {"cmd": command, "yield_time_ms": 2000}
    elif "shell_command" in names:
        name, args = "shell_command", {"command": command, "timeout_ms": 10000}
    else:
        name, args = "shell", {"command": ["bash", "-lc", command], "timeout_ms": 10000}
    return {"type": "function_call", "id": f"fc_{n}", "call_id": f"call_{n}", "name": name,
            "arguments": json.dumps(args)}


def codex_home_for(mock: MockModel, home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f"""model = "mock-model"
model_provider = "mock"

[model_providers.mock]
name = "mock"
base_url = "http://127.0.0.1:{mock.port}/v1"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0
""")
    return home


def codex_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CODEX_"))}
    env["CODEX_HOME"] = str(home)
    env["NO_COLOR"] = "1"
    return env
