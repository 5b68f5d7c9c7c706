"""Exports of a thread to files: formats.py knows the formats and writes; markdown.py and
html.py render. Neither imports Textual."""
