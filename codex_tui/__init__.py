"""codex-tui: find, read, fork and resume OpenAI Codex CLI sessions."""

__version__ = "0.1.0"
