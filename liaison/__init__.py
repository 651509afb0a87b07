"""Liaison: a static-site generator for a medical practice's physician-relations program."""

__version__ = "0.1.0"

# The line a command stopped by Ctrl+C ends with (exit 130), wherever it was stopped
INTERRUPTED = "Interrupted (Ctrl+C); an interrupted build leaves the previous site whole"


def interrupted(args: list[str]) -> str:
    """The Ctrl+C line for the command line ``args``: INTERRUPTED, but for a command known to
    build nothing (`validate`, `stats`: no site to speak of) only its first words."""
    command = next((a for a in args if not a.startswith("-")), None)
    return INTERRUPTED if command in (None, "build") else INTERRUPTED.split(";")[0]


def main() -> None:
    """The `liaison` command (and `python build.py`, `python -m liaison`): the command line
    of liaison.cli. A Ctrl+C while it is still being imported ends the process as one that
    comes later does: exit 130 and its line, no traceback."""
    try:
        from liaison.cli import run
    except KeyboardInterrupt:
        import sys

        try:
            print(interrupted(sys.argv[1:]), file=sys.stderr)
        except (OSError, ValueError, AttributeError):  # (no stderr left to say it on)
            pass
        raise SystemExit(130) from None
    run()
