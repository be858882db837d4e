"""Command-line entry points (`python -m processors.cli.<command>`)."""
