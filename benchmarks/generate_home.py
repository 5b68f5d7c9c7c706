"""Write a large, realistic CODEX_HOME for benchmarks.

    python -m benchmarks.generate_home OUT_DIR [--sessions 10000] [--seed 1] [--big 4]
        [--big-mb 16] [--huge-mb 30] [--jobs 2] [--here PATH] [--history 100000] [--force]

Every session is rebuilt from the real rollouts in `tests/fixtures/codex-home` (written by
Codex 0.20 .. 0.169): each template file is parsed once, cut into a header and turns, and every
variable part of every line (thread id, turn and item ids, timestamps, ordinals, cwd, prompt,
tool command and output, cumulative token totals, source, git...) becomes a slot. A generated
session is a template header plus template turns repeated 1..30 times with the slots filled in,
written as bytes without a JSON round trip per line. The template lines are re-serialized once
at start-up and checked to reproduce the fixture bytes exactly.

Deterministic for a given --seed (and --now, --here): the plan is drawn in the parent, and each
session is rendered from its own seeded generator, whatever --jobs is.
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import os
import random
import re
import shutil
import sys
import time
from bisect import bisect
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import accumulate
from typing import Any

FIXTURE_HOME = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "fixtures", "codex-home"
)
DEFAULT_NOW = "2026-11-21T12:00:00Z"
MB = 1_000_000
DAY_MS = 86_400_000

# ---------------------------------------------------------------------------------------------
# Word lists: prompts, thread names, tool commands and their outputs
# ---------------------------------------------------------------------------------------------

PROJECTS = (
    "acme-web", "payments-api", "infra", "dotfiles", "ml-pipeline", "mobile-app", "docs-site",
    "auth-gateway", "data-warehouse", "search-indexer", "support-bot", "cli-tools", "game-engine",
    "toy-compiler", "k8s-manifests", "analytics-dashboard", "notification-service",
    "image-resizer", "feature-flags", "etl-jobs", "blog", "portfolio", "rust-parser", "go-proxy",
    "terraform-modules", "design-system", "admin-panel", "inventory", "scheduler",
    "pdf-renderer", "video-transcoder", "crm-sync", "webhooks", "rate-limiter", "ledger",
    "geo-service", "email-templates", "sdk-python", "sdk-typescript", "homelab",
)
SUBDIRS = ("backend", "frontend", "services/api", "packages/core", "crates/parser", "web", "tools")
ORGS = ("acme", "dev", "platform-team", "oss", "lab")
COMPONENTS = (
    "auth middleware", "session cache", "rate limiter", "retry logic", "job scheduler",
    "webhook handler", "search index", "billing export", "CSV importer", "config loader",
    "plugin registry", "event bus", "connection pool", "migration runner", "feature flag client",
    "metrics exporter", "GraphQL resolver", "REST client", "websocket server",
    "template renderer", "permission checker", "cron runner", "upload pipeline",
    "thumbnail worker", "query planner", "lexer", "tokenizer", "diff viewer", "sidebar",
    "settings page", "login form", "checkout flow", "notification queue", "audit log",
    "dark mode toggle", "pagination helper", "date picker", "markdown renderer",
    "syntax highlighter", "argument parser", "invoice generator", "sync daemon",
)
CONCEPTS = (
    "timeouts", "retries", "backpressure", "unicode filenames", "empty input", "concurrent writes",
    "daylight saving time", "large files", "partial failures", "cancellation", "pagination",
    "null values", "time zones", "symlinks", "stale caches", "schema changes", "slow networks",
    "duplicate events", "rate limits", "locale formatting", "trailing whitespace",
    "very long lines", "Windows paths", "expired tokens", "leap years", "half-written files",
)
LIBS = (
    "requests", "httpx", "aiohttp", "pydantic", "attrs", "SQLAlchemy", "alembic", "FastAPI",
    "Flask", "Django", "pytest", "hypothesis", "tokio", "serde", "clap", "anyhow", "thiserror",
    "reqwest", "axum", "sqlx", "React", "Vue", "Svelte", "zod", "tRPC", "Prisma", "vitest",
    "Jest", "Playwright", "webpack", "Vite", "esbuild", "Tailwind", "Redis", "Kafka", "Postgres",
    "SQLite", "gRPC", "protobuf", "Terraform", "Helm", "orjson", "rich", "textual", "numpy",
    "pandas", "polars", "PyTorch", "celery", "structlog",
)
LANGS = ("Python", "Rust", "TypeScript", "Go", "Kotlin", "Swift", "Ruby", "C++", "Bash", "Lua")
ERRORS = (
    "KeyError: 'user_id'", "TypeError: cannot read properties of undefined (reading 'map')",
    "panicked at 'called `Option::unwrap()` on a `None` value'", "connection reset by peer",
    "ECONNREFUSED 127.0.0.1:5432", "segmentation fault (core dumped)",
    "AssertionError: expected 200, got 500", "error[E0502]: cannot borrow `self` as mutable",
    "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff", "deadlock detected",
    "ModuleNotFoundError: No module named 'yaml'", "fatal: refusing to merge unrelated histories",
    "OOMKilled", "context deadline exceeded", "Permission denied (publickey)",
    "JSONDecodeError: Expecting value: line 1 column 1 (char 0)",
    "TS2345: Argument of type 'string' is not assignable to parameter of type 'number'",
    "undefined reference to `pthread_create'", "429 Too Many Requests",
    "SSL: CERTIFICATE_VERIFY_FAILED", "index out of range [3] with length 3",
    "RecursionError: maximum recursion depth exceeded", "Cannot find module './config'",
)
PLATFORMS = (
    "macOS", "Windows", "Linux", "CI", "arm64", "Alpine", "Python 3.13", "Node 22", "staging",
    "Safari", "Firefox", "the nightly build",
)
FILE_DIRS = (
    "src", "src/api", "src/core", "src/utils", "lib", "app", "tests", "pkg", "internal", "cmd",
    "crates/core/src", "web/src/components", "scripts", "services/worker",
)
FILE_STEMS = (
    "main", "server", "client", "config", "models", "handlers", "routes", "parser", "lexer",
    "cache", "db", "auth", "session", "utils", "helpers", "schema", "cli", "worker", "queue",
    "billing", "invoice", "export", "importer", "search", "index", "render", "layout", "store",
    "api", "types", "errors", "logging", "metrics", "settings", "upload", "payments", "users",
    "orders", "webhooks", "scheduler",
)
EXTS = (".py", ".py", ".py", ".rs", ".rs", ".ts", ".ts", ".tsx", ".go", ".js", ".rb", ".sql",
        ".yaml", ".toml", ".md", ".sh")
FUNC_VERBS = (
    "parse", "load", "save", "fetch", "build", "render", "validate", "normalize", "resolve",
    "compute", "merge", "flush", "retry", "sync", "encode", "decode", "format", "apply", "handle",
    "collect", "schedule", "dispatch", "register", "serialize", "migrate",
)
FUNC_NOUNS = (
    "config", "session", "user", "token", "invoice", "order", "payload", "headers", "rows",
    "batch", "events", "request", "response", "snapshot", "manifest", "cursor", "page", "record",
    "message", "chunk", "diff", "path", "query", "schema", "metrics",
)
ADJ = ("flaky", "slow", "broken", "duplicated", "legacy", "confusing", "messy", "unused",
       "deprecated", "racy", "brittle", "noisy", "verbose", "inconsistent", "hard-coded")
FEATURES = (
    "pagination", "dark mode", "CSV export", "retry with exponential backoff", "a --dry-run flag",
    "structured logging", "OpenTelemetry tracing", "rate limiting", "a health check endpoint",
    "i18n support", "SSO login", "a search box", "keyboard shortcuts", "bulk delete",
    "a progress bar", "caching", "webhook signatures", "audit logging", "soft deletes",
    "a config file", "JSON output", "shell completions", "an undo button", "offline mode",
    "multi-tenant support", "résumé upload", "emoji reactions 🎉",
)
PROMPTS = (
    "fix the {adj} test in {file}",
    "why does `{cmd}` fail with `{error}` on {platform}?",
    "add {feature} to the {component}",
    "refactor the {component} to use {lib} instead of {lib2}",
    "write unit tests for {func} in {file}",
    "explain how the {component} handles {concept}",
    "the {component} is really slow with {concept}, can you profile it and suggest a fix?",
    "rename {func} to {func2} everywhere and update the callers",
    "bump {lib} to {ver} and fix whatever breaks",
    "update the README to document {feature}",
    "implement {feature} behind the `{flag}` feature flag",
    "{func} throws `{error}` when given {concept}, please investigate",
    "migrate the {component} from {lib} to {lib2}",
    "can you add logging around {func}? I can't tell why it hangs",
    "summarize what changed in {file} since last week",
    "set up CI for the {lang} part with {lib}",
    "help me debug this:\n```\n{trace}\n```",
    "make {func} handle {concept} correctly",
    "clean up the {adj} code in {file}, no behaviour changes",
    "what does {func} in {file} actually do?",
    "port {file} to {lang}",
    "add type hints to {file} and fix the mypy errors",
    "the build is red: {error}. fix it",
    "review my changes to the {component} and point out bugs",
    "speed up {func}, it's O(n^2) on big inputs",
    "split {file} into smaller modules",
    "add a regression test for {concept} in the {component}",
    "delete the {adj} {component} code path, it's unused now",
    "why is the {component} so {adj} on {platform}",
    "generate a migration that adds an index on {noun}_id",
    "document the public API of the {component}",
    "look at the failing job on {platform} and tell me what's wrong",
    "how should I structure {feature} in this repo?",
    "convert {file} from callbacks to async/await",
    "find where we leak file handles in the {component}",
    "plan the work for {feature}; don't write code yet",
    "pin {lib} and {lib2} versions and regenerate the lockfile",
    "there's a race in {func} when two requests hit it at once",
    "add a --{flag} option to the CLI",
    "remove the dependency on {lib}",
)
REVIEW_PROMPTS = (
    "Review the current code changes (staged, unstaged, and untracked files) and provide "
    "prioritized findings.",
    "Review the code changes against the base branch '{branch}'. Provide prioritized, "
    "actionable findings.",
    "Review the changes introduced by commit {sha7}: \"{title}\". Provide prioritized findings.",
    "Review the changes to the {component} for correctness and security issues.",
)
PREFIXES = ("", "", "", "", "", "hey, ", "ok ", "quick one: ", "pls ", "Next: ", "hmm, ")
SUFFIXES = (
    "", "", "", "", "", "", " and run the tests", ", keep the public API unchanged",
    " - don't touch the migrations", " thanks!", ". Keep it small.", " (see {file})",
    " and update the changelog", ", then commit",
)
BRANCH_WORDS = ("fix", "feat", "chore", "refactor", "perf", "docs", "test")
NAME_VERBS = ("Fix", "Add", "Refactor", "Debug", "Investigate", "Migrate", "Speed up",
              "Document", "Review", "Clean up", "Plan", "Test")
SHELL_WORDS = ("ok", "done", "ready", "skipped", "cached", "warning", "info", "updated")


class _Fields(dict):
    """Prompt fields drawn lazily from the word lists (str.format_map calls __missing__)."""

    def __init__(self, rng: random.Random, project: str):
        super().__init__()
        self.rng = rng
        self.project = project

    def __missing__(self, key: str) -> str:
        r = self.rng
        if key == "file":
            value = _file_name(r)
        elif key in ("func", "func2"):
            value = f"{r.choice(FUNC_VERBS)}_{r.choice(FUNC_NOUNS)}"
        elif key == "cmd":
            value = r.choice(("make test", "cargo build", "npm run build", "pytest -x",
                              "docker compose up", "go test ./...", "terraform plan",
                              f"python -m {self.project.replace('-', '_')}"))
        elif key == "ver":
            value = f"{r.randint(1, 9)}.{r.randint(0, 30)}.{r.randint(0, 9)}"
        elif key == "flag":
            value = f"{r.choice(FUNC_VERBS)}-{r.choice(FUNC_NOUNS)}"
        elif key == "trace":
            value = _traceback(r)
        elif key == "branch":
            value = r.choice(("main", "develop", "release/2.4"))
        elif key == "sha7":
            value = f"{r.getrandbits(28):07x}"
        elif key == "title":
            value = _thread_name(r)
        elif key == "noun":
            value = r.choice(FUNC_NOUNS)
        else:
            table = {"adj": ADJ, "error": ERRORS, "platform": PLATFORMS, "feature": FEATURES,
                     "component": COMPONENTS, "lib": LIBS, "lib2": LIBS, "concept": CONCEPTS,
                     "lang": LANGS}
            value = r.choice(table.get(key, ("thing",)))
        self[key] = value
        return value


def _file_name(r: random.Random) -> str:
    return f"{r.choice(FILE_DIRS)}/{r.choice(FILE_STEMS)}{r.choice(EXTS)}"


def _traceback(r: random.Random) -> str:
    lines = ["Traceback (most recent call last):"]
    for _ in range(r.randint(2, 5)):
        lines.append(f'  File "{_file_name(r)}", line {r.randint(3, 900)}, in '
                     f"{r.choice(FUNC_VERBS)}_{r.choice(FUNC_NOUNS)}")
        lines.append(f"    {_code_line(r).strip()}")
    lines.append(r.choice(ERRORS))
    return "\n".join(lines)


def make_prompt(r: random.Random, project: str, review: bool = False) -> str:
    fields = _Fields(r, project)
    if review:
        return r.choice(REVIEW_PROMPTS).format_map(fields)
    text = r.choice(PROMPTS).format_map(fields)
    text = r.choice(PREFIXES) + text + r.choice(SUFFIXES).format_map(fields)
    if r.random() < 0.04:
        text += "\n\n" + r.choice(PROMPTS).format_map(_Fields(r, project))
    if r.random() < 0.3:
        text = text[0].upper() + text[1:]
    return text


def _thread_name(r: random.Random) -> str:
    what = r.choice((r.choice(COMPONENTS), r.choice(FEATURES), f"{r.choice(ADJ)} tests",
                     f"{r.choice(LIBS)} upgrade", r.choice(FUNC_NOUNS) + " handling"))
    return f"{r.choice(NAME_VERBS)} {what}"


# ---- tool commands and outputs -------------------------------------------------------------

def _ident(r: random.Random) -> str:
    return f"{r.choice(FUNC_VERBS)}_{r.choice(FUNC_NOUNS)}"


def _code_line(r: random.Random) -> str:
    indent = "    " * r.choice((0, 1, 1, 1, 2, 2, 3))
    kind = r.randrange(9)
    a, b = _ident(r), r.choice(FUNC_NOUNS)
    if kind == 0:
        return f"{indent}def {a}({b}, *, timeout: float = {r.randint(1, 60)}.0) -> dict:"
    if kind == 1:
        return f"{indent}{b} = {a}({r.choice(FUNC_NOUNS)}, retries={r.randint(0, 5)})"
    if kind == 2:
        return f"{indent}if not {b}:"
    if kind == 3:
        return f"{indent}return {a}({b})"
    if kind == 4:
        return f'{indent}logger.info("{r.choice(FUNC_VERBS)} %s", {b})'
    if kind == 5:
        return f"{indent}for item in {b}.{r.choice(FUNC_NOUNS)}:"
    if kind == 6:
        return f"{indent}raise ValueError(f\"invalid {b}: {{{b}!r}}\")"
    if kind == 7:
        return f"{indent}# {r.choice(ADJ)}: {r.choice(CONCEPTS)} are handled by {a}"
    return ""


def _out_listing(r: random.Random, n: int) -> tuple[str, str]:
    rows = [f"total {n * 8}"]
    for _ in range(n):
        name = r.choice(FILE_STEMS) + r.choice((*EXTS, "", ""))
        rows.append(f"-rw-r--r--  1 dev dev {r.randint(80, 90000):6d} "
                    f"{r.choice(('Jan', 'Mar', 'Jun', 'Sep', 'Nov'))} {r.randint(1, 28):2d} "
                    f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d} {name}")
    return f"ls -la {r.choice(FILE_DIRS)}", "\n".join(rows) + "\n"


def _out_pytest(r: random.Random, n: int) -> tuple[str, str]:
    files = [f"tests/test_{r.choice(FILE_STEMS)}.py" for _ in range(max(1, n // 6))]
    rows = ["============================= test session starts ==============================",
            "platform linux -- Python 3.12.7, pytest-8.3.4, pluggy-1.5.0",
            f"collected {n} items", ""]
    failed = []
    for fname in files:
        marks = "".join(r.choice("....................F.s") for _ in range(r.randint(3, 40)))
        rows.append(f"{fname} {marks}")
        if "F" in marks:
            failed.append(fname)
    for fname in failed:
        rows += ["", f"___________________ test_{_ident(r)} ___________________", ""]
        rows += [_code_line(r) for _ in range(r.randint(4, 14))]
        rows.append(f"E       {r.choice(ERRORS)}")
        rows.append(f"{fname}:{r.randint(10, 400)}: {r.choice(ERRORS).split(':')[0]}")
    took = r.uniform(0.3, 90)
    rows.append(f"========= {len(failed)} failed, {n} passed in {took:.2f}s =========")
    return f"pytest -q {r.choice(files)}", "\n".join(rows) + "\n"


def _out_cat(r: random.Random, n: int) -> tuple[str, str]:
    name = _file_name(r)
    return f"sed -n '1,{n}p' {name}", "\n".join(_code_line(r) for _ in range(n)) + "\n"


def _out_grep(r: random.Random, n: int) -> tuple[str, str]:
    word = _ident(r)
    rows = [f"{_file_name(r)}:{r.randint(1, 2000)}:{_code_line(r).rstrip()} {word}"
            for _ in range(n)]
    return f"rg -n '{word}' .", "\n".join(rows) + "\n"


def _out_diff(r: random.Random, n: int) -> tuple[str, str]:
    rows: list[str] = []
    while len(rows) < n:
        name = _file_name(r)
        rows += [f"diff --git a/{name} b/{name}", f"--- a/{name}", f"+++ b/{name}",
                 f"@@ -{r.randint(1, 500)},{r.randint(3, 20)} +{r.randint(1, 500)},"
                 f"{r.randint(3, 20)} @@"]
        for _ in range(r.randint(4, 30)):
            rows.append(r.choice(" +- ") + _code_line(r))
    return "git diff", "\n".join(rows) + "\n"


def _out_build(r: random.Random, n: int) -> tuple[str, str]:
    rows = []
    for _ in range(n):
        lib = r.choice(LIBS).lower()
        rows.append(r.choice((
            f"   Compiling {lib} v{r.randint(0, 3)}.{r.randint(0, 40)}.{r.randint(0, 9)}",
            f"warning: unused variable: `{r.choice(FUNC_NOUNS)}`",
            f"  --> {_file_name(r)}:{r.randint(1, 900)}:{r.randint(1, 80)}",
            f"[{r.randint(1, 99)}/{n}] {r.choice(SHELL_WORDS)} {lib}",
            f"npm WARN deprecated {lib}@{r.randint(1, 9)}.{r.randint(0, 9)}.0",
        )))
    rows.append(r.choice(("    Finished `dev` profile [unoptimized + debuginfo] target(s)",
                          "error: could not compile due to 2 previous errors",
                          "Build succeeded.")))
    return r.choice(("cargo build", "npm run build", "make -j8", "go build ./...")), \
        "\n".join(rows) + "\n"


_OUTPUT_KINDS = (_out_listing, _out_pytest, _out_cat, _out_grep, _out_diff, _out_build)


def make_output_pool(seed: int, count: int, min_lines: int, max_lines: int) -> list[tuple]:
    """(command, output) pairs; line counts log-uniform in [min_lines, max_lines]."""
    r = random.Random(seed)
    pool = []
    for _ in range(count):
        n = int(math.exp(r.uniform(math.log(min_lines), math.log(max_lines))))
        pool.append(r.choice(_OUTPUT_KINDS)(r, max(1, n)))
    return pool


# ---------------------------------------------------------------------------------------------
# Templates: fixture rollouts cut into scopes (header, turns) of slot-bearing parts
# ---------------------------------------------------------------------------------------------

# Slot codes. String slots carry how many JSON string encodings wrap them (`esc`).
(S_ID, S_UUID, S_CWD, S_DATE, S_TS, S_SEC, S_MS, S_FLT, S_ORD, S_TOK, S_NUM, S_PROMPT, S_OUT,
 S_CMD, S_GIT, S_SRC, S_ORIG, S_TSRC, S_TRIG, S_MODEL, S_PROVIDER, S_TEXT) = range(22)
# Text of the stand-in model server that recorded the fixtures, and what OpenAI says instead.
_MOCK_TEXT = {"mock provider refused": "The server had an error while processing your request."
              " Sorry about that!"}

_MARK_RE = re.compile("\ue000(\\d+)\ue001")
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_ISO = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"
_CONTEXT_PREFIXES = ("<environment_context", "<user_instructions", "# AGENTS.md instructions",
                     "<INSTRUCTIONS", "<permissions instructions", "<skills_instructions",
                     "<collaboration_mode", "<apps_instructions", "<personality")
_CUMULATIVE = ("total_token_usage", "thread_token_usage")


def _iso_to_ms(text: str) -> int:
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
               .timestamp() * 1000 + 0.5)


def _esc(text: str, n: int) -> str:
    for _ in range(n):
        text = json.dumps(text, ensure_ascii=False)[1:-1]
    return text


def _dumps(value: Any, seps: tuple[str, str] = (",", ":")) -> str:
    return json.dumps(value, separators=seps, ensure_ascii=False)


def _unmark_numbers(text: str) -> str:
    text = re.sub(',"git":"\ue004(\\d+)\ue005"', "\ue000\\1\ue001", text)
    return re.sub('"[\ue002\ue004](\\d+)[\ue003\ue005]"', "\ue000\\1\ue001", text)


@dataclass
class Scope:
    """A compiled header or turn: literal strings and slot tuples (code, arg, esc)."""

    parts: list
    kind: str = "header"  # header | tool | long | simple | fail
    n_uuid: int = 0
    n_num: int = 0
    outs: list[str] = field(default_factory=list)
    cmds: list[str] = field(default_factory=list)
    duration: int = 0  # ms from the scope's base to its last timestamp
    tok_incr: dict = field(default_factory=dict)
    prompt: str | None = None


@dataclass
class Template:
    name: str
    version: str  # "0.169.0", ..., "0.20.0" for bare files
    fmt: str  # paginated | envelope | bare
    source: str | None
    header: Scope
    first: Scope
    first_offset: int  # ms from session_meta.timestamp to the first turn's base
    continuations: list[Scope]  # later turns, and the first turn without its injected context


class _Tokenizer:
    def __init__(self, thread_id: str, cwd: str | None, date: str | None, commands: set[str]):
        self.slots: list[tuple] = []  # (code, arg, esc, original text)
        self.thread_id = thread_id
        self.cwd = cwd
        self.date = date
        self.commands = commands
        self.prompt: str | None = None
        self.rx: re.Pattern[str] | None = None

    def set_prompt(self, prompt: str | None) -> None:
        self.prompt = prompt
        alts = []
        if prompt:
            alts.append(f"(?P<prompt>{re.escape(prompt)})")
        if self.cwd:
            alts.append(f"(?P<cwd>{re.escape(self.cwd)})")
        alts += [f"(?P<uuid>{_UUID})", f"(?P<iso>{_ISO})"]
        if self.date:
            alts.append(f"(?P<date>{re.escape(self.date)})")
        alts += [r"\b(?:call|fc|rs|msg|resp|ws|ig)_(?P<num>\d+)\b", "(?P<model>mock-model)",
                 "(?P<text>" + "|".join(map(re.escape, _MOCK_TEXT)) + ")"]
        self.rx = re.compile("|".join(alts))

    def slot(self, code: int, arg: Any, esc: int, orig: str) -> str:
        self.slots.append((code, arg, esc, orig))
        return f"\ue000{len(self.slots) - 1}\ue001"

    def number(self, code: int, arg: Any, orig: Any) -> str:
        self.slots.append((code, arg, 0, _dumps(orig)))
        return f"\ue002{len(self.slots) - 1}\ue003"

    def fragment(self, code: int, orig: str) -> str:
        self.slots.append((code, None, 0, orig))
        return f"\ue004{len(self.slots) - 1}\ue005"

    def line(self, obj: Any) -> str:
        return _unmark_numbers(_dumps(self.walk(obj, 0, None, top=True)))

    # -- the walk --------------------------------------------------------------------------

    def walk(self, o: Any, depth: int, key: str | None, top: bool = False,
             role: str | None = None) -> Any:
        if isinstance(o, dict):
            return self.walk_dict(o, depth, top, role)
        if isinstance(o, list):
            return [self.walk(v, depth, key, role=role) for v in o]
        if isinstance(o, bool) or o is None:
            return o
        if isinstance(o, int | float):
            return self.walk_number(o, key, role)
        if isinstance(o, str):
            return self.walk_str(o, depth, key, role)
        return o

    def walk_dict(self, o: dict, depth: int, top: bool, role: str | None) -> dict:
        meta_line = top and o.get("type") == "session_meta" and isinstance(o.get("payload"), dict)
        bare_meta = top and "id" in o and "type" not in o and "record_type" not in o
        meta_fields = role == "meta" or bare_meta
        out: dict = {}
        for k, v in o.items():
            nk = self.walk_str(k, depth, None, None)
            if meta_fields:
                special = self.meta_field(k, v)
                if special is not None:
                    out[nk] = special
                    continue
            if top and k == "ordinal" and isinstance(v, int):
                out[nk] = self.number(S_ORD, None, v)
                continue
            if k == "turn_trigger" and isinstance(v, str):
                out[nk] = self.slot(S_TRIG, None, depth + 1, v)
                continue
            if meta_line and k == "payload":
                sub = "meta"
            elif k in _CUMULATIVE and isinstance(v, dict):
                sub = "cumulative"
            elif isinstance(v, str) and self.is_output(o, k):
                sub = "output"
            elif k == "output" and o.get("type") == "function_call_output":
                sub = "fco"
            else:
                sub = "cumulative" if role == "cumulative" else None
            out[nk] = self.walk(v, depth, k, role=sub)
        return out

    @staticmethod
    def is_output(o: dict, k: str) -> bool:
        if k == "aggregated_output" and o.get("type") == "CommandExecution":
            return True
        return k in ("stdout", "aggregated_output", "formatted_output") \
            and o.get("type") == "exec_command_end"

    def meta_field(self, k: str, v: Any) -> str | None:
        if k == "source":
            return self.fragment(S_SRC, _dumps(v))
        if k == "git":
            return self.fragment(S_GIT, ',"git":' + _dumps(v))
        if k == "originator" and isinstance(v, str):
            return self.slot(S_ORIG, None, 1, v)
        if k == "thread_source" and isinstance(v, str):
            return self.slot(S_TSRC, None, 1, v)
        if k == "model_provider" and v == "mock":
            return self.slot(S_PROVIDER, None, 1, v)
        return None

    def walk_number(self, o: int | float, key: str | None, role: str | None) -> Any:
        k = key or ""
        if role == "cumulative" and isinstance(o, int):
            return self.number(S_TOK, (k, o), o)
        if isinstance(o, float) and 1e9 < o < 1e10:
            return self.number(S_FLT, o * 1000.0, o)
        if isinstance(o, int) and k.endswith("_at") and 1e9 < o < 1e10:
            return self.number(S_SEC, o * 1000, o)
        if isinstance(o, int) and k.endswith("_ms") and 1e12 < o < 1e13:
            return self.number(S_MS, o, o)
        return o

    def walk_str(self, s: str, depth: int, key: str | None, role: str | None) -> str:
        esc = depth + 1
        if key in ("model_provider", "model_provider_id") and s == "mock":
            return self.slot(S_PROVIDER, None, esc, s)
        if s in self.commands:
            return self.slot(S_CMD, s, esc, s)
        if role == "output":
            return self.slot(S_OUT, s, esc, s)
        if role == "fco":
            head, sep, body = s.partition("\nOutput:\n")
            if sep and head.startswith(("Chunk ID:", "Exit code:", "Wall time:")):
                return self.sub(head + sep, esc) + self.slot(S_OUT, body, esc, body)
        if s[:1] in "{[" and s[-1:] in "}]":
            nested = self.nested(s, depth, role)
            if nested is not None:
                return nested
        if role == "fco":
            return self.slot(S_OUT, s, esc, s)
        return self.sub(s, esc)

    def nested(self, s: str, depth: int, role: str | None) -> str | None:
        """A JSON document inside a string (tool arguments, old shell outputs)."""
        try:
            value = json.loads(s)
        except ValueError:
            return None
        for seps in ((",", ":"), (", ", ": ")):
            if _dumps(value, seps) == s:
                if role == "fco" and isinstance(value, dict) \
                        and isinstance(value.get("output"), str):
                    inner = {k: (self.slot(S_OUT, v, depth + 2, v) if k == "output"
                                 else self.walk(v, depth + 1, k)) for k, v in value.items()}
                else:
                    inner = self.walk(value, depth + 1, None)
                return _unmark_numbers(_dumps(inner, seps))
        return None

    def sub(self, s: str, esc: int) -> str:
        assert self.rx is not None
        return self.rx.sub(lambda m: self.replace(m, esc), s)

    def replace(self, m: re.Match[str], esc: int) -> str:
        group = m.lastgroup
        text = m.group(0)
        if group == "prompt":
            return self.slot(S_PROMPT, None, esc, text)
        if group == "cwd":
            return self.slot(S_CWD, None, esc, text)
        if group == "uuid":
            if text == self.thread_id:
                return self.slot(S_ID, None, esc, text)
            return self.slot(S_UUID, text, esc, text)
        if group == "iso":
            return self.slot(S_TS, _iso_to_ms(text), esc, text)
        if group == "date":
            return self.slot(S_DATE, None, esc, text)
        if group == "num":
            prefix = text[: m.start("num") - m.start()]
            return prefix + self.slot(S_NUM, m.group("num"), esc, m.group("num"))
        if group == "model":
            return self.slot(S_MODEL, None, esc, text)
        if group == "text":
            return self.slot(S_TEXT, _MOCK_TEXT[text], esc, text)
        return text


def _kind(rec: dict) -> tuple[str | None, str | None, Any]:
    """(record kind, payload type, payload) for envelope lines; bare lines are their payload."""
    if "payload" in rec and "type" in rec and "timestamp" in rec:
        p = rec["payload"]
        return rec["type"], p.get("type") if isinstance(p, dict) else None, p
    if "record_type" in rec:
        return "state", None, rec
    if "id" in rec and "type" not in rec:
        return "session_meta", None, rec
    return "response_item", rec.get("type"), rec


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "\n".join(part.get("text", "") for part in content or ()
                     if isinstance(part, dict) and isinstance(part.get("text"), str))


def _is_context_record(rec: dict) -> bool:
    kind, typ, p = _kind(rec)
    if kind == "world_state":
        return True
    if kind == "response_item" and typ == "message":
        role = p.get("role")
        if role in ("developer", "system"):
            return True
        if role == "user":
            return _text(p.get("content")).lstrip().startswith(_CONTEXT_PREFIXES)
    return False


def _is_user_start(rec: dict) -> bool:
    kind, typ, p = _kind(rec)
    return kind == "response_item" and typ == "message" and p.get("role") == "user" \
        and not _is_context_record(rec)


def _prompt_of(recs: list[dict]) -> str | None:
    for rec in recs:
        kind, typ, p = _kind(rec)
        if kind == "event_msg" and typ == "user_message" and p.get("message"):
            return p["message"]
        if kind == "event_msg" and typ == "item_completed" \
                and p.get("item", {}).get("type") == "UserMessage":
            return _text(p["item"].get("content"))
    for rec in recs:
        if _is_user_start(rec):
            return _text(_kind(rec)[2].get("content"))
    return None


def _commands(recs: list[dict]) -> set[str]:
    found = set()
    for rec in recs:
        kind, typ, p = _kind(rec)
        if kind == "response_item" and typ == "function_call":
            try:
                args = json.loads(p.get("arguments") or "{}")
            except ValueError:
                continue
            cmd = args.get("cmd") or args.get("command")
            if isinstance(cmd, list) and cmd:
                cmd = cmd[-1]
            if isinstance(cmd, str) and cmd:
                found.add(cmd)
    return found


def _segment(recs: list[dict]) -> tuple[list[int], list[list[int]]]:
    """Line indexes of the header and of each turn. Turns run from task_started (or, in
    files without task events, from a real user message) to the next turn."""
    tasks = any(_kind(r)[:2] == ("event_msg", "task_started") for r in recs)
    header: list[int] = []
    turns: list[list[int]] = []
    current: list[int] | None = None
    for i, rec in enumerate(recs):
        kind, typ, _ = _kind(rec)
        if tasks:
            if not turns and not (kind == "event_msg" and typ == "task_started"):
                header.append(i)
                continue
            if current is None:
                current = []
                turns.append(current)
            current.append(i)
            if kind == "event_msg" and typ in ("task_complete", "turn_aborted"):
                current = None
        else:
            if _is_user_start(rec):
                current = []
                turns.append(current)
            (header if current is None else current).append(i)
    if tasks and len(turns) > 1 and not any(
            _kind(recs[i])[:2] == ("event_msg", "task_started") for i in turns[-1]):
        turns[-2].extend(turns.pop())  # trailing records after the last turn's end
    return header, turns


def _line_ms(rec: dict) -> int | None:
    ts = rec.get("timestamp") if "payload" in rec else None
    return _iso_to_ms(ts) if isinstance(ts, str) else None


def _classify(recs: list[dict], scope: Scope) -> str:
    if scope.outs or scope.cmds:
        return "tool"
    answer = 0
    failed = False
    for rec in recs:
        kind, typ, p = _kind(rec)
        if kind == "response_item" and typ == "message" and p.get("role") == "assistant":
            answer += len(_text(p.get("content")))
        if kind == "event_msg" and (typ == "error" or (typ == "task_complete" and p.get("error"))):
            failed = True
    if failed or answer == 0:
        return "fail"
    return "long" if answer > 600 else "simple"


class _Compiler:
    """Turns marked line texts into Scope parts, with per-scope slot arguments."""

    def __init__(self, slots: list[tuple], cumulative: bool):
        self.slots = slots
        self.cumulative = cumulative
        self.tok_last: dict = {}

    def compile(self, texts: list[str], base: int, kind_recs: list[dict] | None,
                prompt: str | None, advance: bool = True) -> Scope:
        scope = Scope(parts=[], prompt=prompt)
        uuids: dict[str, int] = {}
        nums: dict[str, int] = {}
        outs: dict[str, int] = {}
        cmds: dict[str, int] = {}
        baseline = dict(self.tok_last)
        last: dict = {}
        duration = 0
        parts: list = []
        for piece_no, piece in enumerate(_MARK_RE.split("\n".join(texts) + "\n")):
            if piece_no % 2 == 0:
                if piece:
                    parts.append(piece)
                continue
            code, arg, esc, orig = self.slots[int(piece)]
            if code in (S_TS, S_SEC, S_MS, S_FLT):
                arg = arg - base
                duration = max(duration, int(arg))
            elif code == S_UUID:
                arg = uuids.setdefault(arg, len(uuids))
            elif code == S_NUM:
                arg = nums.setdefault(arg, len(nums))
            elif code == S_OUT:
                arg = outs.setdefault(arg, len(outs))
            elif code == S_CMD:
                arg = cmds.setdefault(arg, len(cmds))
            elif code == S_TOK:
                name, value = arg
                if not self.cumulative:
                    parts.append(orig)
                    continue
                arg = (name, value - baseline.get(name, 0))
                last[name] = value
            parts.append((code, arg, esc))
        # Merge adjacent literals.
        merged: list = []
        for p in parts:
            if isinstance(p, str) and merged and isinstance(merged[-1], str):
                merged[-1] += p
            else:
                merged.append(p)
        scope.parts = merged
        scope.n_uuid, scope.n_num = len(uuids), len(nums)
        scope.outs, scope.cmds = list(outs), list(cmds)
        scope.duration = duration
        scope.tok_incr = {k: v - baseline.get(k, 0) for k, v in last.items()}
        if advance:
            self.tok_last.update(last)
        if kind_recs is not None:
            scope.kind = _classify(kind_recs, scope)
        return scope


def _is_cumulative(recs: list[dict]) -> bool:
    seen: dict = {}
    ok = True

    def visit(o: Any, key: str | None) -> None:
        nonlocal ok
        if isinstance(o, dict):
            for k, v in o.items():
                if k in _CUMULATIVE and isinstance(v, dict):
                    for name, value in v.items():
                        if isinstance(value, int):
                            if value < seen.get((k, name), 0):
                                ok = False
                            seen[(k, name)] = value
                else:
                    visit(v, k)
        elif isinstance(o, list):
            for v in o:
                visit(v, key)

    for rec in recs:
        visit(rec, None)
    return ok


def load_template(path: str) -> tuple[Template | None, str]:
    """Parse one fixture rollout into a Template, and check that rendering it with its own
    values reproduces the file byte for byte (returns the problem, or "")."""
    with open(path, encoding="utf-8") as fh:
        raw_lines = fh.read().split("\n")
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()
    recs = [json.loads(line) for line in raw_lines]
    kind, _, meta = _kind(recs[0])
    if kind != "session_meta" or meta.get("forked_from_id") or meta.get("history_base"):
        return None, ""  # forks need their parent; not a standalone template
    bare = "payload" not in recs[0]
    paginated = meta.get("history_mode") == "paginated"
    thread_id = meta["id"]
    t0 = _iso_to_ms(meta["timestamp"])
    version = meta.get("cli_version") or "0.20.0"
    tok = _Tokenizer(thread_id, meta.get("cwd"), meta["timestamp"][:10], _commands(recs))
    header_idx, turn_idx = _segment(recs)
    if not turn_idx:
        return None, ""
    texts: list[str] = [""] * len(recs)
    prompts: list[str | None] = [None] * len(recs)
    tok.set_prompt(None)
    for i in header_idx:
        texts[i] = tok.line(recs[i])
    for idxs in turn_idx:
        prompt = _prompt_of([recs[i] for i in idxs])
        tok.set_prompt(prompt)
        for i in idxs:
            texts[i] = tok.line(recs[i])
            prompts[i] = prompt
    # Self-check: every line reproduces from its slots' original text.
    for i, text in enumerate(texts):
        rendered = _MARK_RE.sub(lambda m: _identity(tok.slots[int(m.group(1))]), text)
        if rendered != raw_lines[i]:
            return None, f"{os.path.basename(path)} line {i + 1} does not round-trip"
    comp = _Compiler(tok.slots, _is_cumulative(recs))
    header = comp.compile([texts[i] for i in header_idx], t0, None, None)
    scopes = []
    first_offset = 0
    for n, idxs in enumerate(turn_idx):
        base = next((ms for ms in (_line_ms(recs[i]) for i in idxs) if ms is not None), t0)
        if n == 0:
            first_offset = base - t0
            stripped = [i for i in idxs if not _is_context_record(recs[i])]
            cont = comp.compile([texts[i] for i in stripped], base,
                                [recs[i] for i in stripped], prompts[idxs[0]], advance=False)
        scope = comp.compile([texts[i] for i in idxs], base, [recs[i] for i in idxs],
                             prompts[idxs[0]])
        scopes.append(scope)
        if n == 0:
            cont.tok_incr = scope.tok_incr
            scopes.append(cont)
    first, continuations = scopes[0], scopes[1:]
    fmt = "bare" if bare else "paginated" if paginated else "envelope"
    source = meta.get("source") if isinstance(meta.get("source"), str) else None
    return Template(os.path.basename(path), version, fmt, source, header, first, first_offset,
                    continuations), ""


def _identity(slot: tuple) -> str:
    code, _arg, esc, orig = slot
    if code in (S_ORD, S_TOK, S_SEC, S_MS, S_FLT, S_SRC, S_GIT):
        return orig
    return _esc(orig, esc)


def load_templates(home: str = FIXTURE_HOME) -> dict[str, list[Template]]:
    """Templates by Codex version."""
    by_version: dict[str, list[Template]] = {}
    paths = sorted(glob.glob(os.path.join(home, "sessions", "*", "*", "*", "rollout-*.jsonl")))
    for path in paths:
        tpl, problem = load_template(path)
        if problem:
            raise SystemExit(f"generate_home: template {problem}")
        if tpl is not None:
            by_version.setdefault(tpl.version, []).append(tpl)
    if not by_version:
        raise SystemExit(f"generate_home: no template rollouts under {home}")
    return by_version


# ---------------------------------------------------------------------------------------------
# Rendering one session
# ---------------------------------------------------------------------------------------------

def uuid7(ms: int, r: random.Random) -> str:
    """A UUIDv7: 48-bit unix milliseconds, version 7, variant 10, random rest."""
    h = f"{ms & 0xFFFFFFFFFFFF:012x}"
    rand_a = r.getrandbits(12)
    rand_b = r.getrandbits(62)
    return (f"{h[:8]}-{h[8:]}-7{rand_a:03x}-{0x8000 | (rand_b >> 48):04x}-"
            f"{rand_b & 0xFFFFFFFFFFFF:012x}")


def iso_ms(ms: int) -> str:
    t = time.gmtime(ms // 1000)
    return (f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:"
            f"{t.tm_sec:02d}.{ms % 1000:03d}Z")


@dataclass
class Plan:
    index: int
    thread_id: str
    t0: int  # session_meta.timestamp, unix ms
    version: str
    template: int  # index into the version's template list
    kind: str  # interactive | exec | subagent
    source: Any
    originator: str
    cwd: str | None
    project: str
    git: dict | None  # None: no "git" key at all
    turns: int
    archived: bool
    big_bytes: int  # 0 for ordinary sessions: else grow turns until the file is this big
    model: str
    seed: int


class _Session:
    """Slot values for one session while its scopes are rendered."""

    def __init__(self, plan: Plan, rng: random.Random):
        self.plan = plan
        self.rng = rng
        self.ordinal = 0
        self.num = 100 + rng.randrange(900)
        self.tok: dict = {}
        self.cache: dict = {}
        # Per scope:
        self.base = plan.t0
        self.uuids: list[str] = []
        self.nums: list[str] = []
        self.outs: list[str] = []
        self.cmds: list[str] = []
        self.prompt = ""
        self.prompt_cache: dict = {}

    def session_value(self, code: int, esc: int) -> str:
        key = (code, esc)
        value = self.cache.get(key)
        if value is None:
            p = self.plan
            if code == S_ID:
                value = p.thread_id
            elif code == S_CWD:
                value = _esc(p.cwd or "/", esc)
            elif code == S_GIT:
                value = "" if p.git is None else ',"git":' + _dumps(p.git)
            elif code == S_SRC:
                value = _dumps(p.source)
            elif code == S_ORIG:
                value = _esc(p.originator, esc)
            elif code == S_TSRC:
                value = "subagent" if p.kind == "subagent" else "user"
            elif code == S_TRIG:
                value = "exec" if p.kind == "exec" else "user"
            elif code == S_PROVIDER:
                value = "openai"
            else:  # S_MODEL
                value = _esc(p.model, esc)
            self.cache[key] = value
        return value

    def start_scope(self, scope: Scope, base: int, prompt: str, outs: list[str],
                    cmds: list[str]) -> None:
        self.base = base
        self.uuids = [uuid7(base + i, self.rng) for i in range(scope.n_uuid)]
        self.nums = [str(self.num + i) for i in range(scope.n_num)]
        self.num += scope.n_num
        self.outs = outs
        self.cmds = cmds
        self.prompt = prompt
        self.prompt_cache = {}

    def render(self, scope: Scope, out: list[str]) -> None:
        append = out.append
        base = self.base
        for p in scope.parts:
            if p.__class__ is str:
                append(p)
                continue
            code, arg, esc = p
            if code == S_ORD:
                append(str(self.ordinal))
                self.ordinal += 1
            elif code == S_TS:
                append(iso_ms(base + arg))
            elif code == S_UUID:
                append(self.uuids[arg])
            elif code == S_NUM:
                append(self.nums[arg])
            elif code == S_MS:
                append(str(base + arg))
            elif code == S_SEC:
                append(str((base + arg) // 1000))
            elif code == S_FLT:
                append(repr(round((base + arg) / 1000.0, 6)))
            elif code == S_TOK:
                name, delta = arg
                append(str(self.tok.get(name, 0) + delta))
            elif code == S_PROMPT:
                value = self.prompt_cache.get(esc)
                if value is None:
                    value = self.prompt_cache[esc] = _esc(self.prompt, esc)
                append(value)
            elif code == S_OUT:
                append(_esc(self.outs[arg], esc))
            elif code == S_CMD:
                append(_esc(self.cmds[arg], esc))
            elif code == S_DATE:
                append(iso_ms(base)[:10])
            elif code == S_TEXT:
                append(_esc(arg, esc))
            else:
                append(self.session_value(code, esc))
        for name, incr in scope.tok_incr.items():
            self.tok[name] = self.tok.get(name, 0) + incr


# How often each kind of template turn is repeated (fail: the model call errored).
TURN_WEIGHTS = {"tool": 0.45, "long": 0.17, "simple": 0.34, "fail": 0.04}
BIG_TURN_WEIGHTS = {"tool": 0.85, "long": 0.1, "simple": 0.05, "fail": 0.0}
FIRST_TURN_WEIGHTS = {"tool": 0.4, "simple": 0.33, "long": 0.22, "fail": 0.05}


class Renderer:
    """Per-process state: templates and output pools (identical in every worker)."""

    def __init__(self, seed: int, now_ms: int):
        self.templates = load_templates()
        self.now_ms = now_ms
        self.pool = make_output_pool(seed * 7919 + 1, 400, 3, 60)
        self.big_pool = make_output_pool(seed * 7919 + 2, 48, 800, 3000)
        # Continuation turns by (version, recording client), so that a session's turns come
        # from recordings of one client (approval policy, permissions) where possible.
        self.conts: dict[tuple, dict[str, list[Scope]]] = {}
        for version, tpls in self.templates.items():
            for tpl in tpls:
                for family in ((version, tpl.source), (version, None)):
                    by_kind = self.conts.setdefault(family, {})
                    for sc in tpl.continuations:
                        by_kind.setdefault(sc.kind, []).append(sc)

    def pick_continuation(self, r: random.Random, tpl: Template, big: bool) -> Scope:
        by_kind = self.conts[(tpl.version, tpl.source)]
        weights = BIG_TURN_WEIGHTS if big else TURN_WEIGHTS
        kinds = [k for k in weights if by_kind.get(k) and weights[k] > 0]
        if not kinds:
            by_kind = self.conts[(tpl.version, None)]
            kinds = [k for k in weights if by_kind.get(k) and weights[k] > 0]
        kind = r.choices(kinds, [weights[k] for k in kinds])[0]
        return r.choice(by_kind[kind])

    def tool_values(self, r: random.Random, scope: Scope, big: bool) -> tuple[list, list]:
        if not scope.outs and not scope.cmds:
            return [], []
        if big:
            cmd, out = r.choice(self.big_pool)
        elif r.random() < 0.8:
            cmd, out = r.choice(self.pool)
        else:
            return list(scope.outs), list(scope.cmds)
        return [out] * len(scope.outs), [cmd] * len(scope.cmds)

    def render(self, home: str, plan: Plan) -> tuple:
        r = random.Random(plan.seed)
        tpl = self.templates[plan.version][plan.template]
        ses = _Session(plan, r)
        chunks: list[str] = []
        ses.start_scope(tpl.header, plan.t0, "", [], [])
        ses.render(tpl.header, chunks)
        # Choose the turns, then their start times (user think time between turns).
        scopes = [tpl.first]
        if not plan.big_bytes:
            scopes += [self.pick_continuation(r, tpl, False)
                       for _ in range(plan.turns - 1)]
        gaps = [int(min(7_200_000, max(4_000, r.lognormvariate(math.log(70_000), 1.1))))
                for _ in range(len(scopes))]
        busy = sum(sc.duration for sc in scopes) + tpl.first_offset
        room = self.now_ms - plan.t0 - busy - 60_000
        if sum(gaps) > room > 0:
            gaps = [max(1_000, g * room // sum(gaps)) for g in gaps]
        t = plan.t0 + tpl.first_offset
        prompts: list[tuple[int, str]] = []
        size = sum(len(c) for c in chunks)
        end = plan.t0
        turn_no = 0
        while True:
            scope = scopes[turn_no] if turn_no < len(scopes) else None
            if scope is None:
                if not plan.big_bytes or size >= plan.big_bytes:
                    break
                scope = self.pick_continuation(r, tpl, True)
                gaps.append(int(r.uniform(20_000, 240_000)))
            review = plan.kind == "subagent" and turn_no == 0
            prompt = make_prompt(r, plan.project, review)
            outs, cmds = self.tool_values(r, scope, bool(plan.big_bytes))
            ses.start_scope(scope, t, prompt, outs, cmds)
            before = len(chunks)
            ses.render(scope, chunks)
            size += sum(len(c) for c in chunks[before:])
            prompts.append((t, prompt))
            end = t + scope.duration
            t = end + gaps[turn_no]
            turn_no += 1
        data = "".join(chunks).encode("utf-8")
        stamp = time.strftime("%Y-%m-%dT%H-%M-%S", time.gmtime(plan.t0 // 1000))
        name = f"rollout-{stamp}-{plan.thread_id}.jsonl"
        if plan.archived:
            rel = os.path.join("archived_sessions", name)
        else:
            rel = os.path.join("sessions", stamp[0:4], stamp[5:7], stamp[8:10], name)
        path = os.path.join(home, rel)
        try:
            fh = open(path, "wb")  # noqa: SIM115
        except FileNotFoundError:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fh = open(path, "wb")  # noqa: SIM115
        with fh:
            fh.write(data)
        os.utime(path, ns=(end * 1_000_000, end * 1_000_000))
        return plan.index, rel, len(data), end, turn_no, prompts


_RENDERER: Renderer | None = None
_HOME = ""


def _worker_init(seed: int, now_ms: int, home: str) -> None:
    global _RENDERER, _HOME
    _RENDERER = Renderer(seed, now_ms)
    _HOME = home


def _worker(plans: list[Plan]) -> list[tuple]:
    assert _RENDERER is not None
    return [_RENDERER.render(_HOME, p) for p in plans]


# ---------------------------------------------------------------------------------------------
# Planning
# ---------------------------------------------------------------------------------------------

# (version, newest age in days): a session of a given age used the release of its time.
VERSION_AGES = (("0.169.0", 110), ("0.150.0", 140), ("0.120.0", 230), ("0.80.0", 400),
                ("0.50.0", 470), ("0.20.0", 10_000))
MODELS = {
    "0.20.0": ("codex-mini-latest",), "0.50.0": ("gpt-5-codex", "gpt-5"),
    "0.80.0": ("gpt-5.1-codex", "gpt-5.1-codex-max", "gpt-5.1"),
    "0.120.0": ("gpt-5.2-codex", "gpt-5.2"), "0.150.0": ("gpt-5.3-codex", "gpt-5.2-codex"),
    "0.169.0": ("gpt-5.4-codex", "gpt-5.3-codex", "gpt-5.4"),
}
HOUR_WEIGHTS = (1, 1, 0, 0, 0, 0, 1, 2, 5, 9, 10, 10, 7, 9, 10, 10, 9, 7, 5, 4, 4, 3, 2, 1)
SPAN_DAYS = 548  # ~18 months
TAU_DAYS = 180.0  # exponential age scale: newest days are densest


def _zipf_weights(n: int, s: float) -> list[float]:
    return [1.0 / (k ** s) for k in range(1, n + 1)]


_TURN_CUM = list(accumulate(_zipf_weights(30, 2.0)))


def _turn_count(r: random.Random, kind: str) -> int:
    if kind == "subagent":
        return r.choice((1, 1, 1, 2, 2, 3))
    if kind == "exec" and r.random() < 0.85:
        return 1
    return bisect(_TURN_CUM, r.random() * _TURN_CUM[-1]) + 1


def _age_days(r: random.Random) -> float:
    while True:
        age = r.expovariate(1.0 / TAU_DAYS)
        if age < SPAN_DAYS:
            return age


def _start_ms(r: random.Random, now_ms: int, age_days: float) -> int:
    """A start time about `age_days` ago, in working hours and mostly on weekdays."""
    for _ in range(8):
        day_start = (now_ms - int(age_days * DAY_MS)) // DAY_MS * DAY_MS
        weekday = time.gmtime(day_start // 1000).tm_wday
        if weekday < 5 or r.random() < 0.3:
            break
        age_days += 1
    hour = r.choices(range(24), HOUR_WEIGHTS)[0]
    t = day_start + hour * 3_600_000 + r.randrange(3_600_000)
    if t > now_ms - 600_000:
        t = now_ms - 600_000 - r.randrange(6 * 3_600_000)
    return t


def _version(r: random.Random, age: float) -> str:
    for i, (version, newest) in enumerate(VERSION_AGES):
        if age < newest:
            # Some people upgrade late: sometimes the release before.
            if i + 1 < len(VERSION_AGES) and r.random() < 0.1:
                return VERSION_AGES[i + 1][0]
            return version
    return VERSION_AGES[-1][0]


def _projects(r: random.Random) -> list[dict]:
    projects = []
    for name in PROJECTS:
        base = "/home/dev/work" if r.random() < 0.15 else "/home/dev/src"
        topics = [f"{r.choice(BRANCH_WORDS)}/{r.choice(FUNC_NOUNS)}-{r.choice(FUNC_VERBS)}"
                  for _ in range(r.randint(2, 8))]
        projects.append({
            "name": name,
            "path": f"{base}/{name}",
            "url": (f"git@github.com:{r.choice(ORGS)}/{name}.git" if r.random() < 0.7
                    else f"https://github.com/{r.choice(ORGS)}/{name}.git"),
            "trunk": "main" if r.random() < 0.8 else "master",
            "branches": topics,
            "git": r.random() < 0.93,
        })
    return projects


def _git(r: random.Random, project: dict) -> dict | None:
    if not project["git"] or r.random() < 0.05:
        return None if r.random() < 0.7 else {}
    branch = project["trunk"] if r.random() < 0.45 else r.choice(project["branches"])
    info: dict = {"commit_hash": f"{r.getrandbits(160):040x}", "branch": branch}
    if r.random() < 0.85:
        info["repository_url"] = project["url"]
    return info


def _source(r: random.Random, version: str, kind: str) -> tuple[Any, str]:
    new = version == "0.169.0"
    if kind == "exec":
        return "exec", "codex_exec"
    interactive = ("vscode", "codex-tui") if new else \
        (("vscode", "codex_vscode") if r.random() < 0.2 else ("cli", "codex_cli_rs"))
    if kind == "subagent":
        return {"subagent": "review"}, interactive[1]
    return interactive


def make_plans(args: argparse.Namespace, templates: dict[str, list[Template]],
               now_ms: int, here: str) -> list[Plan]:
    r = random.Random(args.seed)
    projects = _projects(r)
    project_weights = _zipf_weights(len(projects), 1.1)
    n = args.sessions
    n_big = min(args.big, n)
    plans: list[Plan] = []
    for i in range(n):
        big_bytes = 0
        if i < n_big:
            big_bytes = int((args.huge_mb if i == 0 else args.big_mb) * MB)
            age = r.uniform(2, 30)  # its many turns (hours) must end before --now
            version = "0.120.0" if i == 3 and "0.120.0" in templates else "0.169.0"
        else:
            age = _age_days(r)
            version = _version(r, age)
        if version not in templates:
            version = "0.169.0" if "0.169.0" in templates else sorted(templates)[-1]
        t0 = _start_ms(r, now_ms, age)
        tpls = templates[version]
        if version == "0.20.0":
            kind = "interactive"
        else:
            kind = r.choices(("interactive", "exec", "subagent"), (0.6, 0.35, 0.05))[0]
        if big_bytes:
            kind = "interactive"
        # Prefer templates recorded with the same kind of client (0.169 TUI vs exec).
        wanted = "exec" if kind == "exec" else "vscode"
        same = [k for k, t in enumerate(tpls) if t.source == wanted]
        choices = same if same and r.random() < 0.5 else list(range(len(tpls)))
        first = BIG_TURN_WEIGHTS if big_bytes else FIRST_TURN_WEIGHTS
        template = r.choices(choices, [first[tpls[k].first.kind] + 1e-9 for k in choices])[0]
        project = r.choices(projects, project_weights)[0]
        cwd = project["path"]
        if r.random() < 0.12:
            cwd += "/" + r.choice(SUBDIRS)
        source, originator = _source(r, version, kind)
        plans.append(Plan(
            index=i, thread_id=uuid7(t0, r), t0=t0, version=version, template=template,
            kind=kind, source=source, originator=originator,
            cwd=None if version == "0.20.0" else cwd, project=project["name"],
            git=_git(r, project), turns=_turn_count(r, kind),
            archived=not big_bytes and r.random() < 0.03, big_bytes=big_bytes,
            model=r.choice(MODELS.get(version, ("gpt-5-codex",))), seed=r.getrandbits(63),
        ))
    # Sessions started in --here (so a picker filtered to "this directory" has rows).
    candidates = [p for p in plans if p.cwd is not None and not p.big_bytes]
    for p in r.sample(candidates, min(len(candidates), args.here_count)):
        p.cwd = here
        p.project = os.path.basename(here.rstrip("/")) or "here"
        p.git = {"commit_hash": f"{r.getrandbits(160):040x}",
                 "branch": r.choice(("main", "main", "feat/benchmarks", "fix/picker"))}
    return plans


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

GENERATED = ("sessions", "archived_sessions", "session_index.jsonl", "history.jsonl",
             "generate_home.json")


def _prepare_out(out: str, force: bool) -> None:
    os.makedirs(out, exist_ok=True)
    present = [name for name in GENERATED if os.path.lexists(os.path.join(out, name))]
    if present and not force:
        raise SystemExit(f"generate_home: {out} already has {', '.join(present)}; "
                         "pass --force to replace them")
    for name in present:
        path = os.path.join(out, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)


def _write_jsonl(path: str, rows: list[dict], mode: int | None = None) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.writelines(_dumps(row) + "\n" for row in rows)
    if mode is not None:
        os.chmod(path, mode)


def _ns_stamp(ns: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ns // 10**9)) + f".{ns % 10**9:09d}Z"


def write_indexes(out: str, args: argparse.Namespace, plans: list[Plan], results: list[tuple],
                  now_ms: int) -> int:
    """session_index.jsonl (~2% of threads named) and history.jsonl (one line per prompt,
    padded to --history entries). Returns the number of history entries."""
    r = random.Random(args.seed ^ 0x5EED)
    by_index = {p.index: p for p in plans}
    names: list[tuple[int, dict]] = []
    for idx, _rel, _size, end, _turns, _prompts in results:
        if r.random() >= 0.02:
            continue
        plan = by_index[idx]
        for _ in range(2 if r.random() < 0.1 else 1):
            at = min(now_ms, end + r.randrange(3 * DAY_MS)) * 1_000_000 + r.randrange(1_000_000)
            names.append((at, {"id": plan.thread_id, "thread_name": _thread_name(r),
                               "updated_at": _ns_stamp(at)}))
    names.sort(key=lambda x: x[0])
    path = os.path.join(out, "session_index.jsonl")
    _write_jsonl(path, [row for _, row in names])
    if names:
        os.utime(path, ns=(names[-1][0], names[-1][0]))

    history: list[tuple[int, dict]] = []
    for idx, _rel, _size, _end, _turns, prompts in results:
        sid = by_index[idx].thread_id
        for ms, text in prompts:
            history.append((ms, {"session_id": sid, "ts": ms // 1000, "text": text}))
    spans = [(by_index[idx].thread_id, by_index[idx].t0, end, by_index[idx].project)
             for idx, _rel, _size, end, _turns, _prompts in results]
    while spans and len(history) < args.history:
        sid, start, end, project = r.choice(spans)
        ms = r.randint(start, max(start, min(now_ms, end + 3_600_000)))
        history.append((ms, {"session_id": sid, "ts": ms // 1000,
                             "text": make_prompt(r, project)}))
    history.sort(key=lambda x: x[0])
    path = os.path.join(out, "history.jsonl")
    _write_jsonl(path, [row for _, row in history], 0o600)
    if history:
        os.utime(path, ns=(history[-1][0] * 1_000_000, history[-1][0] * 1_000_000))
    return len(history)


def _chunks(plans: list[Plan], size: int) -> list[list[Plan]]:
    big = [[p] for p in plans if p.big_bytes]
    rest = [p for p in plans if not p.big_bytes]
    return big + [rest[i:i + size] for i in range(0, len(rest), size)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.generate_home",
        description="Write a large, realistic CODEX_HOME built from the fixture rollouts.")
    ap.add_argument("out", metavar="OUT_DIR")
    ap.add_argument("--sessions", type=int, default=10_000, help="sessions in all (10000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--big", type=int, default=4, help="how many sessions are big (4)")
    ap.add_argument("--big-mb", type=float, default=16, help="size of a big session (16 MB)")
    ap.add_argument("--huge-mb", type=float, default=30,
                    help="size of the first big session, for transcript benchmarks (30 MB)")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (2)")
    ap.add_argument("--here", default=None,
                    help="cwd of --here-count sessions (default: the current directory)")
    ap.add_argument("--here-count", type=int, default=None,
                    help="sessions started in --here (default: 1.5%% of --sessions, 150)")
    ap.add_argument("--history", type=int, default=None,
                    help="history.jsonl entries (default: 10 per session, 100000)")
    ap.add_argument("--now", default=DEFAULT_NOW,
                    help=f"the newest possible time, ISO 8601 UTC ({DEFAULT_NOW})")
    ap.add_argument("--force", action="store_true",
                    help="replace what an earlier run wrote in OUT_DIR")
    args = ap.parse_args(argv)
    if args.here_count is None:
        args.here_count = round(args.sessions * 0.015)
    if args.history is None:
        args.history = args.sessions * 10
    started = time.perf_counter()
    now_ms = int(datetime.fromisoformat(args.now.replace("Z", "+00:00")).timestamp() * 1000)
    here = os.path.abspath(args.here or os.getcwd())
    out = os.path.abspath(args.out)
    templates = load_templates()
    plans = make_plans(args, templates, now_ms, here)
    _prepare_out(out, args.force)
    for sub in ("sessions", "archived_sessions"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)

    chunks = _chunks(plans, 40)
    results: list[tuple] = []
    if args.jobs <= 1:
        _worker_init(args.seed, now_ms, out)
        for chunk in chunks:
            results += _worker(chunk)
    else:
        import multiprocessing

        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        with ctx.Pool(args.jobs, _worker_init, (args.seed, now_ms, out)) as pool:
            for part in pool.imap_unordered(_worker, chunks):
                results += part
    results.sort(key=lambda x: x[0])
    n_history = write_indexes(out, args, plans, results, now_ms)

    total = sum(x[2] for x in results)
    by_index = {p.index: p for p in plans}
    big = [x for x in results if by_index[x[0]].big_bytes]
    manifest = {
        "seed": args.seed, "now": args.now, "here": here, "sessions": len(results),
        "archived": sum(1 for p in plans if p.archived), "total_bytes": total,
        "turns": sum(x[4] for x in results), "history_entries": n_history,
        "here_sessions": sum(1 for p in plans if p.cwd == here),
        "big": [{"id": by_index[x[0]].thread_id, "path": x[1], "bytes": x[2], "turns": x[4],
                 "version": by_index[x[0]].version} for x in big],
    }
    with open(os.path.join(out, "generate_home.json"), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=2)
        fh.write("\n")
    elapsed = time.perf_counter() - started
    largest = max((x[2] for x in big), default=0)
    print(f"generate_home: {len(results)} sessions ({manifest['archived']} archived, "
          f"{manifest['here_sessions']} in {here}), {total / MB:.1f} MB, {len(big)} big files "
          f"(largest {largest / MB:.1f} MB), {n_history} history entries, "
          f"{elapsed:.1f} s -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
