"""The exception tree: users see a message and an exit code, never a traceback."""
from __future__ import annotations

import click


def printable(text: str) -> str:
    """``text`` as a message prints it: a byte of a path that is not UTF-8, which Python
    holds as a lone surrogate (U+DCE9 for the byte 0xE9), written ``\\xe9`` as the
    diagnostics write such names, never as ``\\udce9``."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


class LiaisonError(click.ClickException):
    """A problem with the data or the output folder: exit code 1."""

    exit_code = 1

    def format_message(self) -> str:
        return printable(self.message)


class DataErrors(LiaisonError):
    """The data has errors; the diagnostics were printed already (the command line's), or
    are in ``report`` (a ``diagnostics.Report``: ``pipeline.build`` called from Python)."""

    def __init__(self, count: int, report=None):
        # "1,204", as the summary above it
        super().__init__(f"{count:,} error{'s' if count != 1 else ''} found")
        self.count = count
        self.report = report


class TemplateFailure(LiaisonError):
    """A page template failed (a site's own template, usually): shown as a diagnostic line
    ``PATH:LINE:COL: error: MESSAGE``."""

    @classmethod
    def of(cls, problems) -> "TemplateFailure":
        """The failure that prints ``problems`` (``diagnostics.Problem``s a site's settings
        file had: palette.yaml, talking-points.yaml) one a line, each at its line and column
        (1:1 where it has none)."""
        from liaison.diagnostics import Diagnostic

        return cls("\n".join(
            Diagnostic(p.path, p.line or 1, p.col or 1, p.severity, p.message).text()
            for p in problems))

    def show(self, file=None) -> None:
        click.echo(self.format_message(), err=True, file=file)
        click.echo("Error: the site was not built (the previous one is untouched)", err=True, file=file)


class StrictWarnings(TemplateFailure):
    """The warnings of the site's templates that ``build --strict`` found on the pages it
    rendered, as errors: said as they are (``pipeline.build`` renders nothing again to find
    them, as it does for a template's failure)."""
