"""A loopback stand-in for the OpenAI Responses API, for tests that run the real Codex CLI.

Adapted from the team's /work/shared/tools/mock_responses.py (same replies, so sessions look
the same), reshaped for tests: it runs in the test process on a free port
(`with MockModel() as mock:`), keeps every request body in `mock.requests` (and, with
`log_dir`, writes each to a JSON file, as the original does), and stops with the block.

Replies: a text answer echoing the last user message; "run" in the prompt makes it call the
shell tool first; "fail" answers with an API error; "view image PATH" calls view_image and
"spawn a helper" spawns a sub-agent with a copy of the thread's history (when the request
offers those tools). `MockModel(delay=S)` waits S seconds before each streamed item, so a
rollout grows over a few seconds (the tail tests follow it as Codex writes).

(The one stand-in for every test that runs the real Codex CLI: the tail and no-unknown-records
tests had a second copy, tests/real_codex.py, with the view_image, spawn and delay rules.)
"""

from __future__ import annotations

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _user_texts(body: dict[str, Any]) -> list[str]:
    texts = []
    for item in body.get("input") or []:
        if item.get("type") == "message" and item.get("role") == "user":
            for part in item.get("content") or []:
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    texts.append(part["text"])
    return texts


def _offered(body: dict[str, Any]) -> dict[str, str | None]:
    """The tools the request offers: name -> its namespace (None at the top level)."""
    offered: dict[str, str | None] = {}
    for tool in body.get("tools") or []:
        if tool.get("type") == "namespace":
            for inner in tool.get("tools") or []:
                offered[inner.get("name")] = tool.get("name")
        elif tool.get("name"):
            offered[tool["name"]] = None
    return offered


def _tool_call(n: int, body: dict[str, Any], cmd: str) -> dict[str, Any]:
    names = {t.get("name") or t.get("type") for t in body.get("tools") or []}
    if "exec_command" in names:
        name, args = "exec_command", {"cmd": cmd, "yield_time_ms": 2000}
    elif "shell_command" in names:
        name, args = "shell_command", {"command": cmd, "timeout_ms": 10000}
    else:
        name, args = "shell", {"command": ["bash", "-lc", cmd], "timeout_ms": 10000}
    return {"type": "function_call", "id": f"fc_{n}", "call_id": f"call_{n}", "name": name,
            "arguments": json.dumps(args)}


def reply_items(n: int, body: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The output items of response `n`, or None for an API error."""
    inputs = body.get("input") or []
    last = inputs[-1] if inputs else {}
    if last.get("type") in ("function_call_output", "custom_tool_call_output"):
        return [{"type": "message", "role": "assistant", "id": f"msg_{n}",
                 "content": [{"type": "output_text",
                              "text": f"Done. The command finished (reply {n})."}]}]
    texts = _user_texts(body)
    prompt = texts[-1] if texts else ""
    if "fail" in prompt.lower():
        return None
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
             "summary": [{"type": "summary_text", "text": "**Planning** I will list files."}]},
            _tool_call(n, body, "echo hello from the tool"),
        ]
    return [{"type": "message", "role": "assistant", "id": f"msg_{n}",
             "content": [{"type": "output_text", "text": f"Here is a reply to: {prompt[:80]}"}]}]


class MockModel:
    """`with MockModel() as mock:` serves on `mock.base_url` until the block ends; `delay`:
    seconds before each streamed item; `log_dir`: a folder for every request body."""

    def __init__(self, log_dir: str | None = None, delay: float = 0.0) -> None:
        self.requests: list[dict[str, Any]] = []  # POST /responses bodies, in order
        self.log_dir = log_dir
        self.delay = delay
        self._lock = threading.Lock()
        self._count = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> MockModel:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _next(self) -> int:
        with self._lock:
            self._count += 1
            return self._count

    def _record(self, n: int, path: str, raw: bytes, body: dict[str, Any]) -> None:
        if path.endswith("/responses"):
            with self._lock:
                self.requests.append(body)
        if self.log_dir:
            os.makedirs(self.log_dir, exist_ok=True)
            name = f"{n:04d}-POST{path.replace('/', '_')}.json"
            with open(os.path.join(self.log_dir, name), "wb") as out:
                out.write(raw)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        mock = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _json(self, status: int, value: object) -> None:
                data = json.dumps(value).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                mock._next()
                self._json(200, {"models": [], "data": []})

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                n = mock._next()
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {}
                mock._record(n, self.path, raw, body)
                if not self.path.endswith("/responses"):
                    self._json(200, {})
                    return
                items = reply_items(n, body)
                if items is None:
                    self._json(400, {"error": {"message": "mock provider refused",
                                               "type": "server_error"}})
                    return
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("connection", "close")
                self.end_headers()
                rid = f"resp_{n}"

                def event(obj: dict[str, Any]) -> None:
                    self.wfile.write(
                        f"event: {obj['type']}\ndata: {json.dumps(obj)}\n\n".encode())
                    self.wfile.flush()

                event({"type": "response.created", "response": {"id": rid}})
                for item in items:
                    if mock.delay:
                        time.sleep(mock.delay)
                    event({"type": "response.output_item.done", "item": item})
                event({"type": "response.completed", "response": {"id": rid, "usage": {
                    "input_tokens": 1200 + 10 * n,
                    "input_tokens_details": {"cached_tokens": 1000},
                    "output_tokens": 80 + n,
                    "output_tokens_details": {"reasoning_tokens": 20},
                    "total_tokens": 1280 + 11 * n}}})
                self.close_connection = True

        return Handler


def config_toml(base_url: str) -> str:
    """A CODEX_HOME config.toml that sends every request to the mock."""
    return (
        'model = "mock-model"\n'
        'model_provider = "mock"\n'
        "[model_providers.mock]\n"
        'name = "mock"\n'
        f'base_url = "{base_url}"\n'
        'wire_api = "responses"\n'
        "request_max_retries = 0\n"
        "stream_max_retries = 0\n"
    )
