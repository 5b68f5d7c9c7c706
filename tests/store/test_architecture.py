"""Architecture rules: `codex_tui.store` is pure Python and stands alone, and the layers
above it import one way.

- importing any store module, or running a JSON command of the CLI, never loads Textual or
  Rich (checked in a fresh interpreter, so nothing else in the test run can mask it);
- no store module imports anything from `codex_tui` outside `codex_tui.store`;
- store <- render, export <- widgets <- dialogs <- flows <- screens <- app <- cli: no module
  imports a layer to its right (widgets never import screens, ...), and render/ and export/
  never import Textual.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.homes import ROOT

import codex_tui.store

STORE_DIR = Path(codex_tui.store.__file__).resolve().parent
UI_PACKAGES = ("textual", "rich")

_FIND_UI_MODULES = f"""
def ui_modules():
    return sorted(m for m in sys.modules if m.split(".")[0] in {UI_PACKAGES!r})
"""


def _run(code: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("CODEX_HOME", None)
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


# ---- a. no Textual or Rich behind the store or the JSON commands ---------------------------

_IMPORT_EVERY_STORE_MODULE = """
import importlib
import json
import pkgutil
import sys
""" + _FIND_UI_MODULES + """
import codex_tui.store as store

loaded = {"codex_tui.store": ui_modules()}
names = sorted(m.name for m in pkgutil.walk_packages(store.__path__, store.__name__ + "."))
for name in names:
    before = set(ui_modules())
    importlib.import_module(name)
    loaded[name] = sorted(set(ui_modules()) - before)
print(json.dumps({"modules": names, "loaded": loaded, "ui": ui_modules()}))
"""


def test_store_modules_never_import_textual_or_rich() -> None:
    proc = _run(_IMPORT_EVERY_STORE_MODULE)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    on_disk = sorted(
        "codex_tui.store." + p.stem for p in STORE_DIR.glob("*.py") if p.stem != "__init__"
    )
    assert set(on_disk) <= set(report["modules"]), "pkgutil missed store modules"
    culprits = {name: mods for name, mods in report["loaded"].items() if mods}
    assert report["ui"] == [], f"store modules pulled in Textual/Rich: {culprits}"


_RUN_CLI = """
import json
import sys
""" + _FIND_UI_MODULES + """
from codex_tui.cli import main

status = main(sys.argv[1:])
sys.stdout.flush()
sys.stderr.write("\\nUI-MODULES " + json.dumps(ui_modules()) + "\\n")
sys.exit(status)
"""

FIXTURE_THREAD = "01a1fe36-5693-7132-b012-6959cea1107a"


@pytest.mark.parametrize("argv", [
    ["list", "--json"],
    ["list", "--all", "--json"],
    ["list", "--archived", "--all", "--json"],
    ["show", FIXTURE_THREAD, "--json"],
], ids=["list-json", "list-all-json", "list-archived-json", "show-json"])
def test_json_commands_never_import_textual_or_rich(codex_home: Path, argv: list[str]) -> None:
    proc = _run(_RUN_CLI, "--codex-home", str(codex_home), *argv, cwd=codex_home)
    assert proc.returncode == 0, proc.stderr
    marker = [line for line in proc.stderr.splitlines() if line.startswith("UI-MODULES ")]
    assert len(marker) == 1, proc.stderr
    assert json.loads(marker[0].removeprefix("UI-MODULES ")) == []
    output = json.loads(proc.stdout)  # the command really ran and printed JSON
    if argv[0] == "list":
        assert isinstance(output, list)
        if "--all" in argv:
            assert output, "the fixture home lists sessions"
    else:
        assert isinstance(output, dict)


# ---- b. the store imports nothing from the rest of codex_tui -------------------------------


def _module_name(path: Path) -> str:
    rel = path.relative_to(STORE_DIR.parent.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    package = module if is_package else module.rpartition(".")[0]
    parts = package.split(".")
    if node.level - 1 >= len(parts):
        return "." * node.level + (node.module or "")  # beyond the top: never allowed
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _codex_imports(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, imported module) for every import of codex_tui code, relative ones resolved;
    `from X import name` counts as importing X.name (it may be a submodule)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(node, module, is_package)
            found += [(node.lineno, f"{target}.{alias.name}" if target else alias.name)
                      for alias in node.names]
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__") and node.args \
                    and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str):
                found.append((node.lineno, node.args[0].value))
    return [(line, name) for line, name in found
            if name.startswith(".") or name.split(".")[0] == "codex_tui"]


def _outside_store(imports: list[tuple[int, str]]) -> list[tuple[int, str]]:
    return [(line, name) for line, name in imports
            if not (name == "codex_tui.store" or name.startswith("codex_tui.store."))]


STORE_FILES = sorted(STORE_DIR.rglob("*.py"))


def test_store_files_found() -> None:
    assert len(STORE_FILES) >= 10
    assert STORE_DIR / "rollout.py" in STORE_FILES


@pytest.mark.parametrize("path", STORE_FILES, ids=lambda p: p.relative_to(STORE_DIR).as_posix())
def test_store_module_imports_only_the_store(path: Path) -> None:
    module = _module_name(path)
    imports = _codex_imports(path.read_text(encoding="utf-8"), module,
                             path.name == "__init__.py")
    bad = _outside_store(imports)
    assert bad == [], f"{module} imports from outside codex_tui.store: {bad}"


@pytest.mark.parametrize(("source", "bad"), [
    ("from .. import textutil", True),
    ("from ..textutil import printable", True),
    ("from ...elsewhere import x", True),
    ("import codex_tui.cli", True),
    ("from codex_tui.export import markdown", True),
    ("def f():\n    from codex_tui.textutil import one_line", True),
    ("import importlib\nimportlib.import_module('codex_tui.cli.launch')", True),
    ("from . import fields as f", False),
    ("from .rollout import read_records", False),
    ("from codex_tui.store.model import Problem", False),
    ("import codex_tui.store.paths", False),
    ("import os\nfrom textwrap import dedent", False),
])
def test_import_check_itself(source: str, bad: bool) -> None:
    """The checker above flags what it should (so a passing run means something)."""
    imports = _codex_imports(source, "codex_tui.store.example", is_package=False)
    assert bool(_outside_store(imports)) is bad


# ---- c. the layers above the store: imports go one way ---------------------------------------
# store <- render, export <- widgets <- dialogs <- flows <- screens <- app <- cli. A layer
# never imports one to its right; only cli/ is the command line; render/ and export/ draw
# text and files without Textual (Rich alone), so they can run in a worker or a script.

PACKAGE_DIR = STORE_DIR.parent
LAYERS = ["store", "render", "export", "widgets", "dialogs", "flows", "screens", "app", "cli"]
# Pairs allowed although the right one is higher: a flow opens the screen it ends on (lazily).
ALLOWED_UP = {("flows", "screens")}
NO_TEXTUAL = {"store", "render", "export"}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "codex_tui":
        return None
    return parts[1] if parts[1] in LAYERS else None


LAYER_FILES = sorted(p for p in PACKAGE_DIR.rglob("*.py")
                     if _layer(_module_name(p)) not in (None, "store"))


def _typing_only_lines(source: str) -> set[int]:
    """Lines inside `if TYPE_CHECKING:` (imports for annotations: no edge at run time)."""
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) \
                and node.test.id == "TYPE_CHECKING":
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def test_layer_files_found() -> None:
    layers = {_layer(_module_name(p)) for p in LAYER_FILES}
    assert layers == set(LAYERS) - {"store"}


@pytest.mark.parametrize("path", LAYER_FILES, ids=lambda p: p.relative_to(PACKAGE_DIR).as_posix())
def test_imports_go_one_way(path: Path) -> None:
    module = _module_name(path)
    layer = _layer(module)
    assert layer is not None
    source = path.read_text(encoding="utf-8")
    imports = _codex_imports(source, module, path.name == "__init__.py")
    rank = LAYERS.index(layer)
    typing_only = _typing_only_lines(source)
    bad = [(line, name) for line, name in imports if line not in typing_only
           and (target := _layer(name)) is not None and LAYERS.index(target) > rank
           and (layer, target) not in ALLOWED_UP]
    assert bad == [], f"{module} ({layer}) imports a higher layer: {bad}"
    if layer in NO_TEXTUAL:
        textual = [node.lineno for node in ast.walk(ast.parse(source))
                   if isinstance(node, ast.Import | ast.ImportFrom)
                   and any((getattr(node, "module", None) or a.name).split(".")[0] == "textual"
                           for a in node.names)]
        assert textual == [], f"{module} imports Textual (lines {textual})"


@pytest.mark.parametrize(("module", "source", "bad"), [
    ("codex_tui.widgets.x", "from ..screens.picker import PickerScreen", True),
    ("codex_tui.widgets.x", "from ..store import ThreadSummary", False),
    ("codex_tui.render.x", "from ..widgets.row_list import RowList", True),
    ("codex_tui.dialogs.x", "from ..flows.resume import request_resume", True),
    ("codex_tui.flows.x", "from ..screens.transcript import TranscriptScreen", False),
    ("codex_tui.screens.x", "from ..cli.commands import main", True),
])
def test_layer_check_itself(module: str, source: str, bad: bool) -> None:
    layer = _layer(module)
    assert layer is not None
    imports = _codex_imports(source, module, is_package=False)
    flagged = [name for _, name in imports if (t := _layer(name)) is not None
               and LAYERS.index(t) > LAYERS.index(layer) and (layer, t) not in ALLOWED_UP]
    assert bool(flagged) is bad
