"""Benchmarks and the tools that build their inputs (see README.md here)."""
