"""Command-line interface: every command of `liaison`, registered here and nowhere else.

Each command parses its options, calls one function of its stage, prints and exits. The
options of `new KIND` are read off the record models (``liaison.scaffold.options``).
"""
from __future__ import annotations

import contextlib
import functools
import os
import sys
from pathlib import Path

import click

from liaison import __version__, interrupted
from liaison.errors import DataErrors, LiaisonError, printable

_ROOT = dict(type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True,
             help="The site root (holds site.yaml, data/, content/).")
ROOT_OPTION = click.option("--root", **_ROOT)
AS_OF_OPTION = click.option(
    "--as-of", "as_of", metavar="YYYY-MM-DD",
    help="Date the statistics are computed at (default: SOURCE_DATE_EPOCH's date, else today).",
)
# validate computes no statistics: what the date decides there is which records are ahead of it
CHECK_AS_OF_OPTION = click.option(
    "--as-of", "as_of", metavar="YYYY-MM-DD",
    help="The as-of date: a record dated after it is a warning, left out of the statistics "
         "(default: SOURCE_DATE_EPOCH's date, else today).",
)
STRICT_OPTION = click.option("--strict", is_flag=True,
                             help="Treat warnings as errors (all but those at files that are not read).")
TIMINGS_OPTION = click.option("--timings", is_flag=True, hidden=True,
                              help="Print the time each stage took on stderr.")


def _as_of(value: str | None):
    from liaison.pipeline import resolve_as_of

    try:
        return resolve_as_of(value)
    except ValueError as exc:
        if value is None:  # SOURCE_DATE_EPOCH's, as `init` and `import` say it
            raise click.UsageError(f"{exc}: set it to a number of seconds, unset it, or give "
                                   "--as-of YYYY-MM-DD") from None
        raise click.BadParameter(str(exc), param_hint="'--as-of'") from None


def _counted(count: int, word: str) -> str:
    """"1 row", "1,234 rows": with thousands separators, as the pages write a count."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _root(root: Path) -> Path:
    """The site root, checked: a folder, and not the one its cache folder is in."""
    from liaison.cache import refuse_cache_among_inputs

    if not root.is_dir():
        raise click.BadParameter(f"'{printable(str(root))}' is not a folder", param_hint="'--root'")
    refuse_cache_among_inputs(root)
    return root


# What a command read, left for the process to drop when it ends: ``run`` sets it, and exits
# without freeing anything (hundreds of thousands of records freed one by one cost 0.2 s;
# after a build, 0.1-0.6 s at 10,000 physicians). None where the commands are called
# otherwise, as the tests call them: what they read is then freed as usual.
_UNTIL_EXIT: list | None = None


def _check(root: Path, as_of, strict: bool, fmt: str = "text", timings: bool = False):
    """Run load + checks and print the diagnostics; raise DataErrors when there are errors."""
    from liaison.pipeline import check

    checked = check(_root(root), _as_of(as_of), strict)
    if _UNTIL_EXIT is not None:
        _UNTIL_EXIT.append(checked)
    _report(checked, fmt, timings)
    return checked


def _report(checked, fmt: str, timings: bool) -> None:
    """Print the timings and diagnostics of a check, then a summary when there are many;
    raise DataErrors when there are errors."""
    from liaison.diagnostics import SUMMARY_THRESHOLD, summarize

    if timings:
        for stage, seconds in checked.timings:
            click.echo(f"time: {seconds:7.3f} s  {stage}", err=True)
    diagnostics = checked.report.diagnostics
    summary = (summarize(diagnostics, checked.site.root)
               if len(diagnostics) > SUMMARY_THRESHOLD else None)
    if fmt == "github":
        _report_github(diagnostics, summary)
    else:
        for line in checked.report.lines(fmt):
            click.echo(line, file=sys.stderr)
    if summary is not None:  # after every diagnostic line, on stderr in both formats
        for line in summary.text_lines():
            click.echo(line, err=True)
    if not checked.ok:
        raise DataErrors(len(checked.report.errors), checked.report)


def _report_github(diagnostics, summary) -> None:
    """Annotations on stdout: at most 10 errors and 10 warnings (what GitHub shows of a step),
    then a notice on the rest, which follow in a collapsed group of the log; the summary and
    every diagnostic are appended to $GITHUB_STEP_SUMMARY when it is set."""
    from liaison.diagnostics import GITHUB_MAX_PER_SEVERITY, github_selection, workflow_data

    shown = github_selection(diagnostics)
    for d in shown:
        click.echo(d.github())
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    written = bool(summary_file and diagnostics) and _append_step_summary(
        summary_file, diagnostics, summary)
    if len(shown) == len(diagnostics):
        return
    errors = sum(1 for d in diagnostics if d.severity == "error")
    shown_errors = sum(1 for d in shown if d.severity == "error")
    more_errors = errors - shown_errors
    more_warnings = (len(diagnostics) - errors) - (len(shown) - shown_errors)
    more = " and ".join(
        _counted(n, f"more {word}")
        for n, word in ((more_errors, "error"), (more_warnings, "warning")) if n)
    group = f"All {len(diagnostics):,} diagnostics"
    where = (f"the job summary and the group '{group}' of this step's log" if written
             else f"the group '{group}' of this step's log")
    verb = "is" if more_errors + more_warnings == 1 else "are"
    message = (f"{more} {verb} not shown as annotations (GitHub shows "
               f"{GITHUB_MAX_PER_SEVERITY} errors and {GITHUB_MAX_PER_SEVERITY} warnings of a "
               f"step): all are listed in {where}.")
    if summary is not None and summary.causes:
        message += " " + summary.cause_lines()[0]
    click.echo("::notice::" + workflow_data(message))
    click.echo(f"::group::{group}")
    for d in diagnostics:
        click.echo(d.text().replace("\r", " ").replace("\n", " "))
    click.echo("::endgroup::")


def _append_step_summary(path: str, diagnostics, summary) -> bool:
    """Append the Markdown section (never overwrite: other steps write there too); False when
    the file cannot be written (a warning says why, the validation goes on)."""
    from liaison.diagnostics import STEP_SUMMARY_LIMIT, step_summary

    try:
        used = os.path.getsize(path) if os.path.exists(path) else 0
        section = step_summary(diagnostics, summary, STEP_SUMMARY_LIMIT - used - 1)
        if not section:
            return False
        with open(path, "a", encoding="utf-8") as f:
            f.write(("\n" if used else "") + section)
        return True
    except OSError as exc:
        click.echo(f"warning: cannot append to GITHUB_STEP_SUMMARY '{path}': "
                   f"{exc.strerror or exc}", err=True)
        return False


@click.group(context_settings={"help_option_names": ["-h", "--help"]},
             epilog="Exit codes: 0 success (warnings allowed without --strict); 1 the data has "
                    "errors, build refused its output folder, or the system refused a file; 2 a "
                    "usage error (an unknown option, a malformed --as-of, a --root that is not a "
                    "folder); 130 stopped by Ctrl+C (serve stops so with 0).")
@click.version_option(__version__, prog_name="liaison")
def main() -> None:
    """Liaison: the physician-relations program's records, checked and published as a site."""
    from liaison.yamlio import PARSER_ENV

    parser = os.environ.get(PARSER_ENV, "").strip()
    if parser and parser.lower() != "pyyaml":  # a typo would otherwise pass without a word
        click.echo(f"warning: {PARSER_ENV}={printable(parser)!r} is not a parser Liaison knows "
                   "(the only value it reads is 'pyyaml'); the default parser is used", err=True)
    encoding = sys.getfilesystemencoding()
    if encoding.lower().replace("-", "") != "utf8":
        # (LC_ALL=C with PYTHONUTF8=0, a latin-1 locale: a UTF-8 name such as zoë.yaml was
        # reported "not UTF-8 text", or shown garbled, with no word on the cause)
        click.echo(f"warning: this Python reads file names as {encoding}, not UTF-8 (the "
                   "locale's encoding): a name with an accent may be reported wrongly; run "
                   "with PYTHONUTF8=1, or a UTF-8 locale", err=True)


@main.command()
@ROOT_OPTION
@CHECK_AS_OF_OPTION
@STRICT_OPTION
@TIMINGS_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "github"]), default="text",
              show_default=True, help="Diagnostics as text on stderr, or GitHub annotations on stdout.")
def validate(root: Path, as_of: str | None, strict: bool, timings: bool, fmt: str) -> None:
    """Check every file of the site root; report every problem (fast, for pull requests)."""
    checked = _check(root, as_of, strict, fmt, timings)
    site = checked.site
    warnings = len(checked.report.warnings)
    n = _counted  # grouped as the pages and the import's lines are ("ok: 10,000 physicians")
    click.echo(
        f"ok: {n(len(site.physicians), 'physician')}, {n(len(site.practices), 'practice')}, "
        f"{n(checked.counts['interactions'], 'interaction')}, "
        f"{n(checked.counts['referrals'], 'referral row')}"
        + (f"; {n(warnings, 'warning')}" if warnings else ""),
        err=True,
    )


@main.command()
@ROOT_OPTION
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Output folder (default: ROOT/site). Replaced atomically; a non-empty "
                   "folder it did not make is refused, and so are the site root and its "
                   "data/, content/ and templates/.")
@AS_OF_OPTION
@STRICT_OPTION
@TIMINGS_OPTION
@click.option("--full", is_flag=True,
              help="Build from scratch, even when nothing changed since the site in the output "
                   "folder was built: every file is read again and every page rendered.")
def build(root: Path, out: Path | None, as_of: str | None, strict: bool, timings: bool,
          full: bool) -> None:
    """Validate, aggregate and render the site (nothing is written when the data has errors;
    nothing either when nothing changed since the last build, unless --full)."""
    from liaison import buildrecord
    from liaison.workers import Started

    target = out or root / "site"
    try:
        resolved = target.resolve()
    except RuntimeError:  # (Python 3.11's word for a loop of symbolic links)
        raise LiaisonError(f"cannot build into '{target}': its path is a loop of symbolic "
                           "links") from None
    from liaison.cache import refuse_cache_in_output

    refuse_cache_in_output(target, resolved)  # (before the hashing below makes it there)
    # The input files are hashed in a forked process while this one imports the build's
    # modules (0.3 s each at 10,000 physicians; the hashes decide whether anything changed).
    # With --full, nothing is compared: the files the load reads are hashed from its bytes.
    hashing = Started(functools.partial(buildrecord.hashed_inputs, _root(root).resolve(),
                                        resolved, not full))
    try:
        from liaison.pipeline import build as build_site
        from liaison.progress import Progress

        date = _as_of(as_of)
        warnings = []

        def on_checked(checked) -> None:
            if _UNTIL_EXIT is not None:  # (freed when the build returned: 0.1-0.6 s more)
                _UNTIL_EXIT.append(checked)
            warnings.append(len(checked.report.warnings))
            _report(checked, "text", False)

        result = build_site(root, date, target, strict=strict,
                            on_checked=on_checked, progress=Progress(), full=full,
                            hashed=hashing.result)
    except OSError as exc:  # the output folder (the stages turn theirs into messages already)
        raise LiaisonError(f"cannot build into '{target}': {exc.strerror or exc}; the previous "
                           "site is untouched") from None
    finally:
        hashing.cancel()  # (when the build stopped before taking the hashes)
    if timings:
        for stage, seconds in result.timings:
            click.echo(f"time: {seconds:7.3f} s  {stage}", err=True)
    # The warnings of the site's templates on the pages rendered (validate's, found only then)
    for d in result.warnings:
        click.echo(d.text(), err=True)
    # The warnings beside the counts: the line ends with the time, as it always did.
    n = sum(warnings) + len(result.warnings)
    if result.unchanged:
        click.echo(f"up to date: nothing changed since the site in {result.out} was built "
                   f"({result.pages:,} pages, {result.files:,} files"
                   + (f", {_counted(n, 'warning')}" if n else "")
                   + f"); checked in {result.seconds:.2f} s (--full builds it again)", err=True)
        return
    click.echo(f"built {result.pages:,} pages"
               + (f" ({result.kept:,} unchanged)" if result.kept else "")
               + f", {result.files:,} files"
               + (f" ({_counted(n, 'warning')})" if n else "")
               + f" into {result.out} in {result.seconds:.2f} s", err=True)


@main.command()
@ROOT_OPTION
@AS_OF_OPTION
@TIMINGS_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print exactly stats.json.")
def stats(root: Path, as_of: str | None, timings: bool, as_json: bool) -> None:
    """Referral statistics to stdout: a readable report, or exactly stats.json with --json."""
    from liaison.stats import stats_json
    from liaison.stats_report import stats_report

    checked = _check(root, as_of, False, timings=timings)
    data = checked.stats
    click.echo(stats_json(data) if as_json else stats_report(data, checked.site), nl=not as_json)


@main.command()
@ROOT_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="Date the statistics are computed at (default: SOURCE_DATE_EPOCH's date, "
                   "else today, the site moving on to the new date when the day changes).")
def serve(root: Path, host: str, port: int, as_of: str | None) -> None:
    """Serve the site from memory, watch the files; read what changed and reload the browser."""
    from liaison.serve import serve as run

    date = _as_of(as_of) if as_of else None
    try:
        run(_root(root), host, port, date)
    except OSError as exc:
        raise LiaisonError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None


@main.command()
@click.argument("base")
@click.argument("head", required=False)
@ROOT_OPTION
@AS_OF_OPTION
def changes(base: str, head: str | None, root: Path, as_of: str | None) -> None:
    """What a change does to the data between two git revisions, as Markdown for a
    pull-request comment (HEAD omitted: the working tree)."""
    from liaison.changes import summarize

    click.echo(summarize(_root(root), base, head, _as_of(as_of)), nl=False)


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("schemas"),
              show_default=True, help="Folder to write the JSON Schemas into.")
def schema(out: Path) -> None:
    """JSON Schema of every record kind, for editors' YAML validation."""
    from click.core import ParameterSource

    from liaison.schema import write_schemas

    if click.get_current_context().get_parameter_source("out") is ParameterSource.DEFAULT:
        _refuse_below_site_root(Path.cwd(), out)
    try:
        paths = write_schemas(out)
    except OSError as exc:
        raise LiaisonError(f"cannot write the schemas into '{out}': {exc.strerror or exc}") from None
    for path in paths:
        click.echo(path)


def _refuse_below_site_root(here: Path, out: Path) -> None:
    """``schema`` typed in the site's data/ (no site.yaml here, one above) would write a
    schemas/ there that no editor setting reads (they read the root's, left stale): refused,
    naming the root."""
    from liaison.load import site_root_above

    if any((here / name).is_file() for name in ("site.yaml", "site.yml")):
        return
    root = site_root_above(here.resolve())
    if root is not None:
        raise LiaisonError(
            f"not writing '{out}' here: this folder holds no site.yaml, and the site root is "
            f"'{root}', whose editor settings read its schemas/: run the command there, or "
            f"give --out {root / out}")


@main.command()
@click.argument("directory", metavar="[DIR]", required=False, default=".",
                type=click.Path(path_type=Path))
def init(directory: Path) -> None:
    """Start a new site root in DIR (default: the current folder), which must be empty or
    not exist yet: a commented site.yaml, one invented example of each record kind, a
    training guide and a deck to copy, editor schemas and settings, .gitignore, a
    pre-commit configuration and the CI workflow. It validates and builds at once.

    Prints the files written and the next steps. Refuses (exit 1) a folder that holds
    anything, or a DIR that is a file; writes nothing then.
    """
    from liaison.init import create_site, next_steps
    from liaison.pipeline import resolve_as_of

    try:
        today = resolve_as_of(None)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    for line in next_steps(directory, create_site(directory, today)):
        click.echo(line)


class _NewGroup(click.Group):
    """`new`'s commands are made from the record models when `new` is used, so that other
    commands do not pay for them at start-up (about 40 ms)."""

    def list_commands(self, ctx) -> list[str]:
        from liaison import scaffold

        return sorted(scaffold.KINDS)

    def get_command(self, ctx, name: str) -> click.Command | None:
        from liaison import scaffold

        kind = scaffold.KINDS.get(name)
        return _new_command(kind) if kind is not None else None


@main.group(cls=_NewGroup)
def new() -> None:
    """Scaffold a record file from arguments (it never overwrites a file).

    The file holds the values given and every other field as a comment with its
    description. Prints the path written, relative to the site root.
    """


def _new_command(kind) -> click.Command:
    """`new KIND`: the ID argument (the file name) when the kind has one, an option for each
    field of its model, --root. (``kind``: a ``liaison.scaffold.Kind``.)"""
    from liaison import scaffold

    asks = kind.name == "interaction"  # asked question by question in a terminal
    params: list[click.Parameter] = [click.Argument(["id"], type=UTF8_TEXT)] if kind.takes_id else []
    options = [click.Option([o.flag, o.field], required=o.required and not asks,
                            multiple=o.multiple, type=_value_type(o), metavar=o.metavar,
                            help=o.help)
               for o in scaffold.options(kind)]
    params += options
    if asks:
        params.append(click.Option(
            ["--interactive", "-i"], is_flag=True,
            help="Ask for each value in turn (what the phone's logging form asks). The default "
                 "in a terminal when no option is given."))
    params.append(click.Option(["--root"], **_ROOT))

    def write(root: Path, interactive: bool = False, **given) -> None:
        try:
            if asks and (interactive or (_in_terminal() and not any(given.values()))):
                from liaison.scaffold.interview import Prompter, interview

                given = _answered(lambda: interview(root, Prompter(_ask, click.echo)))
            elif asks:  # required, but not marked so for click: the questions may give them
                for option, o in zip(options, scaffold.options(kind)):
                    if o.required and given.get(o.field) is None:
                        raise click.MissingParameter(ctx=click.get_current_context(),
                                                     param=option)
            rel = scaffold.new_file(kind, root, given, lambda line: click.echo(line, err=True))
        except scaffold.BadValue as exc:
            if exc.option:
                raise click.BadParameter(exc.message, param_hint=f"'{exc.option}'") from None
            raise click.UsageError(exc.message) from None
        click.echo(rel)

    return click.Command(kind.name, params=params, callback=write, help=kind.help,
                         short_help=kind.short_help)


@main.group(name="import")
def import_() -> None:
    """Add records from public data files (they never overwrite a file)."""


@import_.command(name="nppes")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--state", "states", multiple=True, metavar="ST",
              help="Practice location state (two letters); repeat for several.")
@click.option("--zip", "zips", multiple=True, metavar="PREFIX",
              help="Practice location ZIP code prefix (e.g. 287); repeat for several.")
@click.option("--taxonomy", "taxonomies", multiple=True, metavar="CODE",
              help="Healthcare provider taxonomy code (e.g. 207Q00000X); repeat for several.")
@click.option("--specialty", "specialties", multiple=True, metavar="NAME",
              help="Shorthand for the taxonomy codes of a specialty: family-medicine, "
                   "internal-medicine, primary-care, podiatry, obgyn, wound-care, cardiology, "
                   "nephrology, endocrinology, vascular, pulmonology, sleep-medicine, "
                   "neurology, psychiatry, otolaryngology, dentistry, orthopedics, "
                   "sports-medicine, rheumatology, physical-therapy, dermatology, pediatrics, "
                   "emergency-medicine, chiropractic.")
@click.option("--skip", "skips", multiple=True, metavar="LIST",
              type=click.Path(dir_okay=False, path_type=Path),
              help="A text file of NPIs never to import (your own clinicians, prospects you "
                   "deleted), one a line, # for comments; repeat for several.")
@ROOT_OPTION
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
def import_nppes(file: Path, states, zips, taxonomies, specialties, skips, root: Path,
                 dry_run: bool) -> None:
    """Prospects from the CMS NPPES NPI registry FILE (the monthly CSV, or an extract with its
    header): a physician file for each matching individual provider not yet in the site, and
    a practice file per new practice location. Skips deactivated NPIs, and names the site's
    physicians whose NPI was deactivated; never overwrites."""
    from liaison.importers import nppes

    try:
        filters = nppes.Filters.of(states, zips, taxonomies, specialties)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if not file.is_file():
        raise click.BadParameter(f"'{file}' is not a file", param_hint="'FILE'")
    for listed in skips:
        if not listed.is_file():
            raise click.BadParameter(f"'{listed}' is not a file", param_hint="'--skip'")
    skip = frozenset().union(*(nppes.read_skip_list(listed) for listed in skips))
    from liaison.scaffold.fields import BadValue

    try:
        with _rows_read() as progress:
            new, counts = nppes.run(_root(root), file, filters, dry_run, click.echo, progress,
                                    skip)
    except BadValue as exc:
        raise click.BadParameter(exc.message, param_hint="'--root'") from None
    verb = "would add" if dry_run else "added"
    reused = sum(new.reused.values())
    click.echo(
        f"{counts.rows:,} rows: {verb} {_counted(len(new.physicians), 'physician')} "
        f"and {_counted(len(new.practices), 'practice')}"
        + (f" ({reused:,} at {_counted(len(new.reused), 'practice')} of the site)"
           if reused else "")
        + f"; skipped {counts.in_site:,} already in the site, "
        + (f"{counts.repeated:,} listed again in the file, " if counts.repeated else "")
        + (f"{counts.listed:,} on the skip list, " if skips else "")
        + f"{counts.deactivated:,} deactivated, "
          f"{counts.bad_npi:,} with an invalid NPI, {counts.elsewhere:,} outside the filters, "
          f"{_counted(counts.organizations, 'organization')}", err=True)
    if new.namesakes:
        click.echo(f"check {_counted(len(new.namesakes), 'new physician')} named like one of the "
                   "site without an NPI (perhaps the same person: give that file the NPI and "
                   "delete the new one): "
                   + "; ".join(f"{a} and {b}" for a, b in new.namesakes), err=True)
    if counts.gone:  # a referring physician who retired, moved away or died: worth knowing
        one = len(counts.gone) == 1
        click.echo(f"{_counted(len(counts.gone), 'physician')} of the site "
                   f"{'has' if one else 'have'} an NPI the registry deactivated (retired, "
                   "moved away or deceased? ask their office, then update the file; delete it "
                   "only if no visit or referral names it, since those are their history): "
                   + "; ".join(f"{rel} (NPI {npi}, deactivated {day}; {file}:{line})"
                               for rel, npi, day, line in counts.gone), err=True)


@import_.command(name="cms-utilization")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path), metavar="FILE...")
@click.option("--hcpcs", "codes", multiple=True, metavar="CODE",
              help="A HCPCS / CPT code to keep (e.g. 36475); repeat for several.")
@click.option("--procedures", multiple=True, metavar="NAME",
              help="Shorthand for a group of codes: vein (the default without --hcpcs), "
                   "ablation, sclerotherapy, vein-surgery, vein-ultrasound; sleep "
                   "(sleep-study, home-sleep-test); cardiology (echo, stress-test, "
                   "heart-rhythm); orthopedics (joint-replacement, arthroscopy, "
                   "joint-injection).")
@click.option("--near-zip", "near_zips", multiple=True, metavar="PREFIX",
              help="ZIP code prefix counted as nearby (besides the cities of the site's "
                   "practices); repeat for several.")
@click.option("--exclude", "excluded", multiple=True, metavar="NPI",
              help="An NPI to leave out (our own clinicians); repeat for several.")
@click.option("--year", type=int, default=None, metavar="YYYY",
              help="The data year, when the file name does not say it (_D22_ is 2022).")
@ROOT_OPTION
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
def import_cms_utilization(files, codes, procedures, near_zips, excluded, year, root: Path,
                           dry_run: bool) -> None:
    """Medicare volumes from CMS's "Medicare Physician & Other Practitioners - by Provider and
    Service" FILE (and optionally its "by Provider" file, for each provider's total
    beneficiaries): the chosen codes of the site's physicians and of the nearby providers who
    bill them, into data/market/medicare-YYYY.yaml. Never overwrites."""
    from liaison.importers import cms

    earlier = None if codes or procedures else cms.earlier_codes(_root(root))
    try:
        options = cms.Options.of(earlier[1] if earlier else codes, procedures, near_zips,
                                 excluded, year)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    for f in files:
        if not f.is_file():
            raise click.BadParameter(f"'{f}' is not a file", param_hint="'FILE'")
    from liaison.pipeline import resolve_as_of
    from liaison.scaffold.fields import BadValue

    try:
        today = resolve_as_of(None)  # the import date written: SOURCE_DATE_EPOCH's, else today
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        with _rows_read() as progress:
            result = cms.run(_root(root), list(files), options, dry_run, today, progress)
    except BadValue as exc:
        raise click.BadParameter(exc.message, param_hint="'--root'") from None
    if result.status == "unchanged":
        click.echo(f"{result.rel} holds this import already: nothing to do", err=True)
    elif dry_run:
        click.echo(f"would write {result.rel}:")
        click.echo(result.text, nl=False)
    else:
        click.echo(f"wrote {result.rel}")
    c = result.counts

    n = _counted
    click.echo(
        n(c.rows, "row") + (f" and {n(c.provider_rows, 'provider row')}" if c.provider_rows else "")
        + f": {result.site_found} of the site's {result.site_total} physicians with an NPI "
          f"found, {n(result.nearby, 'nearby provider')} billing the codes; "
          f"{n(c.kept_rows, 'code row')} kept; skipped {n(c.elsewhere, 'code row')} of "
          f"providers elsewhere, {c.excluded:,} of excluded NPIs, {c.bad_npi:,} with an invalid "
          "NPI" + (f", {n(c.suppressed, 'code row')} whose count CMS left out ('*', '<11' or "
                   "empty)" if c.suppressed else ""), err=True)
    if earlier:  # the codes of the year before, not the default: say so
        click.echo(f"the codes were those of {earlier[0]} ({', '.join(options.codes)}); "
                   "give --procedures or --hcpcs for others", err=True)
    elif not codes and not procedures:  # the default, a vein practice's: say so to the others
        from liaison.importers import hcpcs

        click.echo(f"the codes were a vein practice's, the default (--procedures "
                   f"{hcpcs.DEFAULT_GROUP}: {', '.join(options.codes)}); for another "
                   "specialty's procedures, give --procedures "
                   + ", ".join(s for s in hcpcs.SPECIALTIES if s != hcpcs.DEFAULT_GROUP)
                   + " or each code with --hcpcs CODE", err=True)


@contextlib.contextmanager
def _rows_read():
    """An importer's progress: on a terminal, a callback that rewrites one line ("N rows
    read…"), cleared at the end whatever happens; elsewhere (and in CI) None, as the build's
    progress line (liaison.progress)."""
    from liaison.progress import shown_on

    if not shown_on(sys.stderr):
        yield None
        return

    def show(rows: int) -> None:
        click.echo(f"\r{rows:,} rows read…", err=True, nl=False)

    try:
        yield show
    finally:
        click.echo("\r\033[K", err=True, nl=False)


def _in_terminal() -> bool:
    """Whether a person is at the command line (stdin and stdout a terminal)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


class Utf8Text(click.ParamType):
    """Text given on the command line or typed at a prompt, refused when it is not UTF-8
    (Python gives the bytes of another encoding as lone surrogates, which no file holds).
    Under a locale of another encoding, bytes that are UTF-8 are taken as the UTF-8 text they
    are: LC_ALL=C with PYTHONUTF8=0 read every byte above 127 as a surrogate, and a latin-1
    locale (glibc's LANG=en_US) on a UTF-8 terminal read "Zoë" as "ZoÃ«". Text that is not
    UTF-8 but the locale's own (a latin-1 terminal) is kept as the locale read it."""

    name = "text"

    def convert(self, value, param, ctx):
        if not isinstance(value, str):  # (a default)
            return value
        try:
            return os.fsencode(value).decode("utf-8")  # the bytes given, read as UTF-8
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            shown = value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            self.fail(f"'{shown}' is not UTF-8 text (is the terminal set to another "
                      "encoding?)", param, ctx)
        return value


UTF8_TEXT = Utf8Text()


def _ask(text: str, default: str | None) -> str:
    return click.prompt(text, default=default, show_default=bool(default), type=UTF8_TEXT)


class _Stopped(click.ClickException):
    """The questions stopped by Ctrl+C: said as such, with the shell's code for it."""

    exit_code = 130


def _answered(ask):
    """What ``ask()`` returns, its questions answered at the terminal. When the answers end
    (the end of the input) or the person stops them (Ctrl+C), nothing was written: one line
    says so, not click's bare "Aborted!"."""
    try:
        return ask()
    except click.Abort as exc:
        click.echo("", err=True)  # the prompt's line is left open
        if isinstance(exc.__context__, KeyboardInterrupt):
            raise _Stopped("stopped before the last question: nothing was written") from None
        raise click.ClickException(
            "the input ended before the last question was answered: nothing was written "
            "(give the values as options to write the file without questions; see --help)"
        ) from None


class _Choice(click.Choice):
    """click's Choice, whose refusal ends with the hint validate gives a misspelt value
    (`--type vist`: "… (did you mean 'visit'?)"); it listed the choices only."""

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as exc:
            from liaison.diagnostics import did_you_mean

            hint = did_you_mean(value, self.choices)
            if not hint:
                raise
            self.fail(f"{exc.message.rstrip('.')}{hint}", param, ctx)


def _value_type(option):
    if option.choices:
        return _Choice(option.choices)
    if option.value == "int":
        return int if option.minimum is None else click.IntRange(min=option.minimum)
    return UTF8_TEXT


def prepare() -> None:
    """What a command's process sets before any record model is made. The records are
    checked by Liaison's rules alone: no pydantic plugin of another installed package takes
    part. (Looking for them, pydantic reads the entry points of every installed
    distribution when the first model is made: 0.06-0.1 s of every command.) A value the
    caller set is kept. stdout and stderr write a character their encoding lacks escaped."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # An output whose encoding lacks a character the text holds (stdout in latin-1 or cp1252:
    # `liaison stats > report.txt` under such a locale; the report's "−4%" and "90–454") was
    # a UnicodeEncodeError traceback: the character is written \u2212 instead, as stderr does
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # (a closed or detached stream)
                reconfigure(errors="backslashreplace")


def invoke(args: list[str] | None = None, prog_name: str | None = None) -> int:
    """A command (``args``, else the process's arguments) with click's own handling of
    errors: its exit code. What it read is kept until the process ends (``_UNTIL_EXIT``)."""
    global _UNTIL_EXIT
    _UNTIL_EXIT = []
    readback = sys.modules.get("liaison.scaffold.readback")
    if readback is not None:  # another command of the same process (tests)
        readback.WRITTEN.clear()
    prepare()
    try:
        code = main.main(args=args, prog_name=prog_name, standalone_mode=False)
        return code if isinstance(code, int) else 0
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort as exc:
        if isinstance(exc.__context__, KeyboardInterrupt):  # Ctrl+C: click's Abort from it
            _say(interrupted(sys.argv[1:] if args is None else args))
            return 130
        click.echo("Aborted!", err=True)
        return 1
    except KeyboardInterrupt:  # (outside click's handling: while its message was shown)
        _say(interrupted(sys.argv[1:] if args is None else args))
        return 130
    except BrokenPipeError:  # the reader went away (`liaison stats | head`): nothing to say
        return 1
    except OSError as exc:  # what the system refused where no stage expected it: a path it
        _say(os_error_line(exc) + _written_all_the_same())  # cannot check, a full output
        return 1


def _written_all_the_same() -> str:
    """After a failure to print (a full output): the files that `new` or an import created
    all the same, so that the person does not take them for unwritten ("" if none)."""
    readback = sys.modules.get("liaison.scaffold.readback")
    written = readback.WRITTEN if readback is not None else []
    if not written:
        return ""
    shown = ", ".join(written[:5]) + (f" and {len(written) - 5} more" if len(written) > 5 else "")
    return f" (the output could not be printed; written all the same: {shown})"


def os_error_line(exc: OSError) -> str:
    """An operating-system error as the one line a user reads: the path, if any, and why."""
    why = exc.strerror or str(exc)
    if exc.filename is None:
        return f"Error: {why}"
    return f"Error: cannot use '{os.fsdecode(exc.filename)}': {why}"


def _say(line: str) -> None:
    """A line on stderr, if there still is one."""
    try:
        click.echo(line, err=True)
    except (OSError, ValueError, AttributeError):
        pass


def run() -> None:
    """What ``liaison.main`` runs once this module is imported (the ``liaison`` console
    script, ``build.py``, ``python -m liaison``): ``invoke``, then an immediate exit.
    Freeing hundreds of thousands of records one by one at interpreter shutdown takes
    longer than some commands' work (0.2 s at 10,000 physicians), and there is nothing
    left to clean up: output is flushed, workers joined, temporary folders removed."""
    code = invoke()
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with the stream closed (`>&-`)
            continue
        try:
            stream.flush()
        except BrokenPipeError:  # a closed pipe: nothing more can be said
            pass
        except (OSError, ValueError) as exc:  # what was printed last is lost (a full disk)
            if stream is sys.stdout and code == 0:
                _say((os_error_line(exc) if isinstance(exc, OSError) else f"Error: {exc}")
                     + _written_all_the_same())
                code = 1
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
