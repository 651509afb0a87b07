"""Liaison: a static-site generator for a medical practice's physician-relations program."""

__version__ = "0.1.0"


def main() -> None:
    """The `liaison` command (and `python build.py`, `python -m liaison`): the command line
    of liaison.cli. A Ctrl+C while it is still being imported ends the process as one that
    comes later does: exit 130, no traceback."""
    try:
        from liaison.cli import run
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    run()
