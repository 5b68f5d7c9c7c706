"""The command line: `codex-tui` and its subcommands (commands.py dispatches; args.py parses;
one module per group of subcommands). JSON commands use the store alone, without Textual."""

from .commands import main

__all__ = ["main"]
