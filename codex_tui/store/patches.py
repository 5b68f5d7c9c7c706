"""Patches: the files an apply_patch changed, from every record shape that says so.

- the patch text the model wrote (`*** Begin Patch` ... `*** End Patch`): the freeform
  `apply_patch` tool's input, or the command of a shell call that ran apply_patch;
- `changes` of patch_apply_begin/end events and of FileChange items: `{path: {"type": "add",
  "content"} | {"type": "delete", "content"} | {"type": "update", "unified_diff",
  "move_path"}}`, externally tagged in older releases (`{path: {"add": {"content"}}}`); the
  app-server's FileChange is a list of `{path, kind, diff}` whose `diff` of an added or
  deleted file is its content. Such content is turned into `+`/`-` diff lines here, so every
  renderer shows an added file as the addition it is, blank lines included.

apply_patch run through the shell tool, as releases before the freeform tool had the model
do it: a call of `shell`, `container.exec`, `local_shell_call`, `exec_command` ... whose
command is `["apply_patch", "<patch>"]` (or `applypatch`), or a shell script
(`["bash", "-lc", SCRIPT]`, any bash/zsh/sh path, `-c` too; PowerShell `-Command`, cmd
`/c`; or the string command of `shell_command` / `exec_command`) that is only
`apply_patch <<'EOF'` ... `EOF`, optionally after `cd DIR &&`. These are the forms Codex
itself intercepts (apply-patch/src/invocation.rs); anything else, say a heredoc followed by
`&& echo done`, ran as an ordinary command and stays one.
"""

from __future__ import annotations

import re
from typing import Any

from . import fields as f
from .items import Patch, PatchFile

COMMANDS = ("apply_patch", "applypatch")
SUCCESS = "Success. Updated the following files"  # the start of apply_patch's report

_HEREDOC = re.compile(
    r"\A\s*(?:cd\s+(?:'[^']*'|\"[^\"]*\"|[^\s'\"&|;<>]+)\s*&&\s*)?"
    r"(?:apply_patch|applypatch)[ \t]*<<-?[ \t]*(['\"]?)([A-Za-z0-9_.-]+)\1[ \t]*\n"
    r"(.*?)^[ \t]*\2[ \t]*(?:\n\s*)?\Z",
    re.S | re.M,
)
_UNIX_SHELLS = ("bash", "zsh", "sh")


def _script(argv: list[str]) -> str | None:
    """The script of a `SHELL FLAG SCRIPT` command line (Codex's shell wrappers)."""
    if len(argv) == 4 and argv[0].lower().rsplit("/", 1)[-1].removesuffix(".exe") in (
            "pwsh", "powershell") and argv[1].lower() == "-noprofile":
        argv = [argv[0], argv[2], argv[3]]
    if len(argv) != 3:
        return None
    shell = re.split(r"[\\/]", argv[0])[-1].lower().removesuffix(".exe")
    flag = argv[1]
    if (shell in _UNIX_SHELLS and flag in ("-lc", "-c")) \
            or (shell in ("pwsh", "powershell") and flag.lower() == "-command") \
            or (shell == "cmd" and flag.lower() == "/c"):
        return argv[2]
    return None


def heredoc_patch(script: str) -> str | None:
    """The patch of a script that is only `[cd DIR &&] apply_patch <<'EOF' ... EOF`."""
    if "apply" not in script or "<<" not in script:
        return None
    match = _HEREDOC.match(script)
    return match.group(3) if match else None


def patch_of_command(command: Any) -> str | None:
    """The patch text when `command` (an argv list or a script string) runs apply_patch
    the way Codex intercepts it; None for any other command."""
    if isinstance(command, str):
        return heredoc_patch(command)
    if not isinstance(command, list) or not command \
            or not all(isinstance(c, str) for c in command):
        return None
    if len(command) == 2 and command[0] in COMMANDS:
        return command[1]
    script = _script(command)
    return heredoc_patch(script) if script is not None else None


def reports_success(output: str | None) -> bool:
    """Whether apply_patch's output says it applied the patch."""
    return bool(output) and output.lstrip().startswith(SUCCESS)  # type: ignore[union-attr]


def event_changes(changes: Any) -> list[PatchFile]:
    """The files of a `changes` map (patch_apply_begin/end, core's FileChange item)."""
    files: list[PatchFile] = []
    if not isinstance(changes, dict):
        return files
    for path, change in changes.items():
        if not isinstance(change, dict):
            continue
        if "type" in change:  # {"type": "update", "unified_diff": ...}
            kind, body = f.s(change, "type") or "update", change
        elif len(change) == 1:  # older externally tagged {"update": {...}}
            kind, body = next(iter(change.items()))
            kind = str(kind)
        else:
            continue
        text = f.s(body, "unified_diff") if kind == "update" else None
        moved = f.s(body, "move_path")
        files.append(PatchFile(str(path), f"move to {moved}" if moved else kind,
                               text if text is not None
                               else file_diff(kind, f.s(body, "content"))))
    return files


def item_changes(changes: Any) -> list[PatchFile]:
    """The files of a FileChange item: the core's map, or the app-server's list."""
    if isinstance(changes, dict):
        return event_changes(changes)
    files: list[PatchFile] = []
    for change in changes if isinstance(changes, list) else ():
        kind = change.get("kind") if isinstance(change, dict) else None
        kind = f.s(kind, "type") if isinstance(kind, dict) else kind
        kind = kind if isinstance(kind, str) and kind else "update"
        files.append(PatchFile(f.s(change, "path") or "?", kind,
                               file_diff(kind, f.s(change, "diff"))))
    return files


def file_diff(kind: str, content: str | None) -> str | None:
    """An added or deleted file's content as diff lines (`+`/`-` before each line, blank
    lines too); an update's diff as it is."""
    if not content or kind not in ("add", "delete"):
        return content
    sign = "+" if kind == "add" else "-"
    lines = content[:-1].split("\n") if content.endswith("\n") else content.split("\n")
    return "\n".join(sign + line for line in lines) + "\n"


def patch_files(text: str) -> list[PatchFile]:
    """The files a patch text names (`*** Add File:`, `*** Update File:`, ...)."""
    files: list[PatchFile] = []
    for line in text.splitlines():
        for marker, kind in (("*** Add File: ", "add"), ("*** Update File: ", "update"),
                             ("*** Delete File: ", "delete")):
            if line.startswith(marker):
                files.append(PatchFile(line[len(marker):].strip(), kind))
        if line.startswith("*** Move to: ") and files:
            files[-1].change = f"move to {line[len('*** Move to: '):].strip()}"
    return files


def settle_exit(patch: Patch, exit_code: int | None, output: str | None) -> None:
    """What a call's output says of its patch: applied when it exited 0 or apply_patch
    reported success ("Success. Updated the following files:"); failed on another exit
    code; otherwise unknown."""
    patch.output = patch.output or output or None
    if patch.success is None and exit_code is not None:
        patch.success = exit_code == 0
    if patch.success is None and reports_success(patch.output):
        patch.success = True
