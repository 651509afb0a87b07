"""Many diagnostics stay readable: the summary after the diagnostic lines, GitHub's annotation
limits and the step summary, the build's last line, and the progress line's real counting.

The sites are copies of tests/fixtures/spec-example-v2 (the `example_site` fixture) in which a
team file is renamed, so every reference to it dangles, and a file of extra interactions
names the old id many more times.
"""
from __future__ import annotations

import io
import multiprocessing
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import run_validate
from liaison.cli import main
from liaison.diagnostics import (
    Diagnostic, dangling_reference, github_selection, message_kind, step_summary, summarize,
)
from liaison.progress import Progress

AS_OF = "2026-11-26"
DIAG_RE = re.compile(r"^[^\s:][^:]*:\d+:\d+: (?:error|warning): .+$")
GITHUB_RE = re.compile(r"^::(?P<sev>error|warning) file=(?P<path>[^,]+),line=\d+,col=\d+::.+$")
OLD, NEW = "lena-brooks", "lena-brooks-hart"
EXTRA = "data/interactions/2026/extra.yaml"
# the spec example's deliberate warnings (its README): an interaction and a referral dated
# after 2026-11-26, a listed physician not at the interaction's practice, and ruth-kessler over
# site.yaml's compliance.annual_limit
WARNINGS = 4


def references_to(root: Path, member: str) -> int:
    """How many fields of the data name ``member`` (counted in the files, not the output):
    liaison and owner on lines of their own, taken_by in the referrals' flow mappings."""
    pattern = re.compile(rf"^\s*(?:-\s+)?(?:liaison|owner):\s*{re.escape(member)}\s*$", re.M)
    flow = re.compile(rf"[{{,]\s*taken_by:\s*{re.escape(member)}\s*[,}}]")
    return sum(len(pattern.findall(text)) + len(flow.findall(text))
               for p in (root / "data").rglob("*.y*ml")
               for text in [p.read_text(encoding="utf-8")])


def interactions(n: int, liaison: str, date: str = "2026-06-01") -> str:
    return "".join(f'- date: "{date}"\n  liaison: {liaison}\n  type: call\n'
                   f"  practice: french-broad-podiatry\n  summary: Call number {i}.\n\n"
                   for i in range(n))


def rename_team_file(root: Path, extra: int = 40) -> int:
    """Rename lena-brooks's file and add ``extra`` interactions logged by her; the number of
    references that now dangle."""
    (root / "data/team" / f"{OLD}.yaml").rename(root / "data/team" / f"{NEW}.yaml")
    (root / EXTRA).write_text(interactions(extra, OLD), encoding="utf-8")
    return references_to(root, OLD)


def split_output(stderr: list[str]) -> tuple[list[str], list[str]]:
    """(diagnostic lines, what follows the last of them)."""
    last = max((i for i, line in enumerate(stderr) if DIAG_RE.match(line)), default=-1)
    return stderr[: last + 1], stderr[last + 1:]


# --------------------------------------------------------------------------- text summary


def test_a_renamed_team_file_is_named_as_the_likely_cause(example_site):
    dangling = rename_team_file(example_site)
    # the example's own references (22 liaison and owner fields: two practices, nina-vargas
    # and 19 interactions; and the taken_by of the 2026-06-29 event referral) and the extra
    # file's
    assert dangling == 22 + 1 + 40

    code, stdout, stderr = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1 and stdout == ""
    diags, after = split_output(stderr)
    # Every diagnostic line comes first, in the unchanged format; the summary after them.
    assert all(DIAG_RE.match(line) for line in diags), diags
    assert len(diags) == dangling + WARNINGS
    assert sum(f"unknown team member '{OLD}'" in line for line in diags) == dangling
    assert not any(DIAG_RE.match(line) for line in after)
    assert after[-1] == f"Error: {dangling} errors found"

    summary = "\n".join(after)
    # 15 files name her (two practices, a physician, ten interaction files and the extra one,
    # through-2026-09.yaml), and the CSV of 2026-10/11 has the referral dated after D
    assert after[0] == (f"Summary: {dangling + WARNINGS} diagnostics ({dangling} errors, "
                        f"{WARNINGS} warnings) in 16 files.")
    kinds = after[after.index("By kind:") + 1:after.index("Files with the most:")]
    assert kinds[0].split() == [str(dangling), "error", "unknown", "team", "member", "'…'"]
    # most frequent first: the dangling references, then the two records dated after D (a
    # referral, and the lunch of 2026-12-01 whose follow-up waits for its day: two kinds),
    # the physician not at the practice and the compliance warning
    assert [k.split()[0] for k in kinds] == ["63", "1", "1", "1", "1"]
    # The extra file holds the most diagnostics.
    assert after[after.index("Files with the most:") + 1].split() == ["40", EXTRA]
    cause = next(line for line in after if line.startswith("Most likely cause: "))
    assert cause == (f"Most likely cause: team member '{OLD}' is named {dangling} times in 15 "
                     f"files, but data/team/{OLD}.yaml does not exist; a file "
                     f"data/team/{NEW}.yaml exists: was it renamed? Rename it back "
                     f"(`git mv data/team/{NEW}.yaml data/team/{OLD}.yaml`: the id is the "
                     "file name, a new name goes in `name:`), or write the new id in the "
                     "records that name it.")
    assert "Also dangling" not in summary


def test_a_deleted_file_without_a_similar_one_is_said_so(example_site):
    (example_site / "data/team" / f"{OLD}.yaml").unlink()
    (example_site / EXTRA).write_text(interactions(30, OLD), encoding="utf-8")
    _code, _out, stderr = run_validate(example_site, "--as-of", AS_OF)
    _diags, after = split_output(stderr)
    cause = next(line for line in after if line.startswith("Most likely cause: "))
    assert f"data/team/{OLD}.yaml does not exist: was it deleted or renamed?" in cause
    # what to do, since deleting the records that name it would lose their history: a
    # liaison who left keeps their file
    assert cause.endswith(
        "If it was deleted, bring the file back (`git log --diff-filter=D -- "
        f"data/team/{OLD}.yaml` finds the commit that deleted it): the records that name it "
        "are its history, and a physician, practice or team member who left keeps their file; "
        "if it was renamed, write the new id in those records.")


def test_a_sheet_with_its_service_and_status_columns_swapped_is_said_so(example_site):
    # rows pasted with the service and status columns swapped: every line said "unknown
    # service 'treated'; site.yaml has …" and the likely cause was "site.yaml has no service
    # 'treated'", as if a service were to be added
    rows = "".join(f"2026-06-{day:02},web,,{status},{service}\n"
                   for day in range(1, 13)
                   for status, service in [("treated", "sclerotherapy")])
    (example_site / "data/referrals/pasted.csv").write_text(
        "date,source,physician,service,status\n" + rows
        + "".join(f"2026-06-{day:02},web,,other,\n" for day in range(1, 12)), encoding="utf-8")
    _code, _out, stderr = run_validate(example_site, "--as-of", AS_OF)
    diags, after = split_output(stderr)
    line = next(d for d in diags if d.startswith("data/referrals/pasted.csv:2:1: error: service:"))
    assert line.endswith("('treated' is a value of the status column: are the columns of "
                         "this row swapped or shifted?)"), line
    # a service written 'other' (a source's and a declined reason's value too) is a service
    # site.yaml lacks, not a sign of columns moved
    other = next(d for d in diags if d.startswith("data/referrals/pasted.csv:14:1: error:"))
    assert other.endswith("unknown service 'other'; site.yaml has sclerotherapy, "
                          "vascular-ultrasound, vein-ablation, wound-clinic"), other
    assert "Another likely cause: service 'other' is named 11 times in 1 file, but site.yaml " \
        "has no service 'other'." in after
    cause = next(line for line in after if line.startswith("Most likely cause: "))
    assert cause == ("Most likely cause: service 'treated' is named 12 times in 1 file, but "
                     "site.yaml has no service 'treated': 'treated' is a value of the status "
                     "column, so the rows that name it hold another column's values under "
                     "`service` (columns swapped or shifted, as when a sheet is pasted "
                     "misaligned): fix the columns of those rows, not site.yaml.")


def test_an_unreadable_folder_is_the_cause_not_a_deleted_file(example_site, monkeypatch):
    # data/team/ that cannot be read (a copy made with sudo) leaves every reference to a team
    # member dangling; the cause said "data/team/lena-brooks.yaml does not exist: was it
    # deleted or renamed?" of a file that is there
    import os

    team, listdir = example_site / "data/team", os.listdir

    def refused(path="."):
        if Path(path) == team:
            raise PermissionError(13, "Permission denied", str(path))
        return listdir(path)

    monkeypatch.setattr(os, "listdir", refused)
    diags = [Diagnostic(f"data/interactions/{i}.yaml", 2, 12, "error",
                        f"[0].liaison: unknown team member '{OLD}'") for i in range(12)]
    cause = summarize(diags, example_site).cause_lines()[0]
    assert cause == (f"Most likely cause: team member '{OLD}' is named 12 times in 12 files, but "
                     "the folder data/team/ cannot be read (Permission denied): none of its "
                     "files was read")


@pytest.mark.parametrize("errors, summarized", [(16, False), (17, True)])
def test_a_summary_only_above_20_diagnostics(example_site, errors, summarized):
    """20 diagnostics (16 errors and the example's 4 warnings): exactly the lines as before."""
    (example_site / EXTRA).write_text(interactions(errors, "nobody"), encoding="utf-8")
    code, _out, stderr = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1
    diags, after = split_output(stderr)
    assert len(diags) == errors + WARNINGS
    if summarized:
        assert after[0].startswith(f"Summary: {errors + WARNINGS} diagnostics")
        # all of them name 'nobody': a likely cause, though no file is alike.
        assert any(line.startswith(
            f"Most likely cause: team member 'nobody' is named {errors} times")
            for line in after)
    else:
        assert after == [f"Error: {errors} errors found"]


def test_few_problems_keep_the_output_unchanged(example_site):
    code, stdout, stderr = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0 and stdout == ""
    assert len(stderr) == WARNINGS + 1
    assert all(DIAG_RE.match(line) for line in stderr[:WARNINGS])
    # 48 referral rows: 34 in through-2026-09.yaml, 11 + 3 in the two CSV files
    assert stderr[-1] == ("ok: 6 physicians, 3 practices, 20 interactions, 48 referral rows; "
                          "4 warnings")


def test_files_with_errors_are_named_when_warnings_outnumber_them():
    # 85 errors among 3,233 warnings (records dated after the as-of date): "Files with the
    # most" named only files of warnings, and the 85 lines that failed the run were to be
    # found among 3,318
    diags = ([Diagnostic(f"data/referrals/{m:02}.csv", i, 1, "warning",
                         "date: dated 2026-11-28, after the as-of date 2026-11-26: left out of "
                         "the statistics") for m in range(1, 9) for i in range(2, 40)]
             + [Diagnostic("data/physicians/ann-lee.yaml", 3, 11, "error",
                           "practice: unknown practice 'p-1'"),
                Diagnostic("data/interactions/2026/q3.yaml", 4, 13, "error",
                           "[0].practice: unknown practice 'p-1'"),
                Diagnostic("data/interactions/2026/q3.yaml", 9, 13, "error",
                           "[1].practice: unknown practice 'p-1'")])
    lines = summarize(diags).text_lines()
    at = lines.index("Files with the most errors:")
    assert lines[at + 1:at + 3] == ["    2  data/interactions/2026/q3.yaml",
                                    "    1  data/physicians/ann-lee.yaml"]
    assert "| errors | file |\n|---:|---|\n| 2 | data/interactions/2026/q3.yaml |" in \
        summarize(diags).markdown()
    # without warnings, or without errors, the files with the most say it already
    for kept in ("error", "warning"):
        assert "Files with the most errors:" not in summarize(
            [d for d in diags if d.severity == kept]).text_lines()


def test_the_summary_columns_stay_aligned_when_the_rest_outnumbers_each_row():
    # "  24  error …" above "  2,857  in 351 more kinds": the sums of the rest were wider
    # than the column
    diags = [Diagnostic(f"data/f{i % 30:02}.yaml", i, 1, "error", f"kind {i % 40:02}: x")
             for i in range(1, 2001)]
    lines = summarize(diags).text_lines()
    counts = [line for line in lines if line.startswith("  ")]
    assert any("more kinds" in line for line in counts)
    assert any("more files" in line for line in counts)
    starts = {len(line) - len(line.lstrip(" ")) + len(line.split()[0]) for line in counts}
    assert len(starts) == 1, counts


def test_message_kinds_and_dangling_references():
    assert message_kind("[3].liaison: unknown team member 'ana' (did you mean 'anna'?)") == \
        "unknown team member '…'"
    assert message_kind("follow_ups[1].due: done 2026-02-01 is before the interaction's date "
                        "2026-03-01") == "done … is before the interaction's date …"
    # a message about the field itself keeps its name (not its record's index): a search and
    # replace that broke `summary:` in every record was "6,291 required field is missing" and
    # "6,291 unknown field", which field not said
    assert message_kind("speciality: unknown field (did you mean 'specialty'?)") == \
        "speciality: unknown field"
    assert message_kind("[12].follow_ups[0].due: required field is missing") == \
        message_kind("[3].follow_ups[2].due: required field is missing") == \
        "due: required field is missing"
    assert message_kind("npi: duplicate NPI 1234567893: physician 'x' has it too") == \
        "duplicate NPI …: physician '…' has it too"
    assert message_kind("template error: 'x' is undefined") == "template error: '…' is undefined"
    # a search and replace that broke every file gives one kind, whatever each file's values
    # (a name's apostrophe, a code span) and lines: it was one kind a file
    glued = [message_kind("YAML syntax error: a ':' with no space after it: YAML reads the "
                          f"line as one text, not as the field name: write `name: {name}` "
                          f"(lines 1 to {n} each have one: write ': ' in each)")
             for name, n in (("Laurel Women's Health", 9), ("Ash Podiatry", 10))]
    # a date column a spreadsheet rewrote (3,033 rows): one kind, not one per day of the year
    spelled = {message_kind(f"[0].date: '{d}' is not a date: write YYYY-MM-DD ({iso}, if it "
                            f"means {words}: a spreadsheet writes dates so unless their column "
                            "is formatted as text)")
               for d, iso, words in (("01/07/2025", "2025-01-07", "January 7, 2025"),
                                     ("05/31/2024", "2024-05-31", "May 31, 2024"))}
    assert spelled == {"'…' is not a date: write YYYY-MM-DD (…, if it means …, …: a spreadsheet "
                       "writes dates so unless their column is formatted as text)"}
    assert glued[0] == glued[1] == (
        "YAML syntax error: a '…' with no space after it: YAML reads the line as one text, not "
        "as the field name: write `…` (lines … each have one: write '…' in each)")
    assert dangling_reference("[0].liaison: unknown team member 'ana-reyes' (did you mean "
                              "'ana-reyes-lopez'?)") == ("team member", "ana-reyes")
    assert dangling_reference("physician: unknown physician 'o'brien'") == ("physician", "o'brien")
    assert dangling_reference("service: unknown service 'x'; site.yaml has a, b") == ("service", "x")
    assert dangling_reference("speciality: unknown field") is None


def test_the_summary_is_deterministic():
    diags = [Diagnostic(f"data/interactions/{i % 7}.yaml", i, 1, "error",
                        f"[{i}].liaison: unknown team member '{'ab'[i % 2]}'") for i in range(40)]
    a, b = summarize(diags), summarize(list(reversed(diags)))
    assert a.text_lines() == b.text_lines()
    assert [c.value for c in a.causes] == ["a", "b"]  # 20 each: ties sorted by value


# --------------------------------------------------------------------------- --format github


def many_of_everything(root: Path) -> tuple[int, int]:
    """Dangling references, future-dated interactions (warnings) and, last in sorted order, an
    error of another kind; (errors, warnings)."""
    dangling = rename_team_file(root)
    (root / "data/interactions/2027.yaml").write_text(
        interactions(15, "owen-price", "2027-01-15"), encoding="utf-8")
    (root / "data/physicians/zed-zane.yaml").write_text(
        "name: Zed Zane\nspecialty: X\npractice: french-broad-podiatry\nextra_notes: Z\n",
        encoding="utf-8")
    return dangling + 1, WARNINGS + 15


def test_github_format_shows_10_errors_and_10_warnings_and_a_notice(example_site, tmp_path,
                                                                    monkeypatch):
    errors, warnings = many_of_everything(example_site)
    summary_file = tmp_path / "step-summary.md"
    summary_file.write_text("## An earlier step's summary\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary_file))

    code, stdout, stderr = run_validate(example_site, "--as-of", AS_OF, "--format", "github")
    assert code == 1
    lines = stdout.splitlines()
    annotations = [m for m in map(GITHUB_RE.match, lines) if m]
    assert [m["sev"] for m in annotations].count("error") == 10
    assert [m["sev"] for m in annotations].count("warning") == 10
    # The one error of another kind is shown although it sorts last.
    assert any(line.startswith("::error file=data/physicians/zed-zane.yaml,line=4,col=1::"
                               "extra_notes: unknown field") for line in lines)
    # Annotations first, in sorted order; then one notice.
    assert lines[:20] == [m.string for m in annotations]
    assert [l for l in lines if l.startswith("::") and not GITHUB_RE.match(l)][:1] == \
        [lines[20]]
    notice = lines[20]
    assert notice.startswith(f"::notice::{errors - 10} more errors and {warnings - 10} more "
                             "warnings are not shown as annotations")
    assert "job summary" in notice and f"team member '{OLD}' is named {errors - 1} times" in notice
    # Then every diagnostic, in text form, in a collapsed group of the log.
    assert lines[21] == f"::group::All {errors + warnings} diagnostics"
    assert lines[-1] == "::endgroup::"
    text_code, _out, text_stderr = run_validate(example_site, "--as-of", AS_OF)
    text_diags, _after = split_output(text_stderr)
    assert lines[22:-1] == text_diags
    # The summary on stderr, as in text form; no diagnostic line there.
    assert not any(DIAG_RE.match(line) for line in stderr)
    assert any(line.startswith("Most likely cause: ") for line in stderr)

    # The step summary: appended after what was there, with every diagnostic.
    md = summary_file.read_text(encoding="utf-8")
    assert md.startswith("## An earlier step's summary\n\n### Liaison validate: "
                         f"{errors} errors, {warnings} warnings\n")
    assert f"data/team/{NEW}.yaml exists: was it renamed?" in md
    assert f"| {errors - 1} | error | unknown team member '…' |" in md
    assert all(line in md for line in text_diags)
    assert "more diagnostics left out" not in md
    # A second run appends again.
    run_validate(example_site, "--as-of", AS_OF, "--format", "github")
    again = summary_file.read_text(encoding="utf-8")
    assert again.startswith(md) and again.count("### Liaison validate: ") == 2


def test_github_format_with_few_problems_is_unchanged(example_site, tmp_path, monkeypatch):
    summary_file = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary_file))
    code, stdout, stderr = run_validate(example_site, "--as-of", AS_OF, "--format", "github")
    assert code == 0
    lines = stdout.splitlines()
    assert len(lines) == WARNINGS and all(GITHUB_RE.match(line) for line in lines)
    assert stderr == ["ok: 6 physicians, 3 practices, 20 interactions, 48 referral rows; "
                      "4 warnings"]
    md = summary_file.read_text(encoding="utf-8")
    assert md.startswith("### Liaison validate: 0 errors, 4 warnings\n")
    assert "Summary" not in md and md.count(": warning: ") == WARNINGS


def test_github_format_without_a_step_summary_says_where_the_rest_is(example_site, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    rename_team_file(example_site)
    _code, stdout, _err = run_validate(example_site, "--as-of", AS_OF, "--format", "github")
    notice = next(line for line in stdout.splitlines() if line.startswith("::notice::"))
    assert "job summary" not in notice and "this step's log" in notice


def test_github_format_with_one_diagnostic_over_the_limit_says_so(example_site, monkeypatch):
    """11 errors: the 11th is not an annotation, and the notice says so in the singular."""
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    (example_site / EXTRA).write_text(interactions(11, "nobody"), encoding="utf-8")
    code, stdout, _err = run_validate(example_site, "--as-of", AS_OF, "--format", "github")
    assert code == 1
    lines = stdout.splitlines()
    annotations = [m["sev"] for m in map(GITHUB_RE.match, lines) if m]
    assert annotations.count("error") == 10 and annotations.count("warning") == WARNINGS
    assert lines[10 + WARNINGS].startswith(
        "::notice::1 more error is not shown as annotations (GitHub shows 10 errors and 10 "
        "warnings of a step): all are listed in the group 'All 15 diagnostics' of this "
        "step's log.")
    assert lines[11 + WARNINGS] == "::group::All 15 diagnostics" and lines[-1] == "::endgroup::"
    assert len(lines) == 10 + WARNINGS + 2 + 15 + 1


def test_the_step_summary_appended_keeps_the_file_within_githubs_limit(example_site, tmp_path,
                                                                        monkeypatch):
    """Earlier steps wrote nearly 1 MiB: what validate appends is cut to what is left, so that
    GitHub does not refuse the whole summary."""
    from liaison.diagnostics import STEP_SUMMARY_LIMIT

    rename_team_file(example_site, extra=400)  # some 40 KB of diagnostics
    summary_file = tmp_path / "step-summary.md"
    earlier = "x" * (STEP_SUMMARY_LIMIT - 20_000) + "\n"
    summary_file.write_text(earlier, encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary_file))
    code, _out, _err = run_validate(example_site, "--as-of", AS_OF, "--format", "github")
    assert code == 1
    md = summary_file.read_bytes()
    assert md.startswith(earlier.encode()) and len(md) <= STEP_SUMMARY_LIMIT
    assert b"more diagnostics left out" in md[len(earlier):]


def test_github_format_of_a_clean_site_writes_no_step_summary(tmp_path, monkeypatch):
    """Nothing to report: nothing appended to the job summary (other steps write there)."""
    from conftest import one_physician_site

    root = one_physician_site(tmp_path / "site", "- {date: 2026-11-02, liaison: lou, "
                              "type: call, practice: solo, summary: Called.}\n")
    summary_file = tmp_path / "step-summary.md"
    summary_file.write_text("## An earlier step's summary\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary_file))
    code, stdout, stderr = run_validate(root, "--as-of", AS_OF, "--format", "github")
    assert (code, stdout, stderr) == (0, "", ["ok: 1 physician, 1 practice, 1 interaction, "
                                              "0 referral rows"])
    assert summary_file.read_text(encoding="utf-8") == "## An earlier step's summary\n"


def test_github_selection_prefers_distinct_kinds_then_files():
    diags = [Diagnostic(f"a/{i:02}.yaml", 1, 1, "error", f"x: unknown practice 'p{i}'")
             for i in range(30)]
    diags += [Diagnostic("a/05.yaml", 9, 1, "error", "y: unknown field")]
    diags += [Diagnostic("z.yaml", 1, 1, "warning", "w")]
    chosen = github_selection(sorted(diags))
    assert chosen == sorted(chosen)
    errors = [d for d in chosen if d.severity == "error"]
    assert len(errors) == 10
    assert Diagnostic("a/05.yaml", 9, 1, "error", "y: unknown field") in errors
    # Then one per file: nine more files, not a second line of a/05.yaml.
    assert len({d.path for d in errors}) == 10
    assert [d for d in chosen if d.severity == "warning"] == [diags[-1]]


def test_the_step_summary_is_cut_to_its_budget():
    diags = [Diagnostic(f"data/x/{i:04}.yaml", 1, 1, "error", f"a: unknown physician 'd{i}'")
             for i in range(1000)]
    full = step_summary(diags, summarize(diags), 10**7)
    assert "more diagnostics left out" not in full and all(d.text() in full for d in diags)
    cut = step_summary(diags, summarize(diags), 20_000)
    assert len(cut.encode()) <= 20_000
    shown = sum(d.text() in cut for d in diags)
    assert 0 < shown < 1000
    assert f"{1000 - shown:,} more diagnostics left out" in cut
    assert cut.count("```") == 2  # the code block is closed


# --------------------------------------------------------------------------- build


# at 2026-12-31 nothing is dated after D: the physician not at the practice, and ruth-kessler
# over the limit (once a year, at the 2026-11-06 lunch that took her over) remain
@pytest.mark.parametrize("as_of, count", [(AS_OF, "4 warnings"), ("2026-12-31", "2 warnings")])
def test_the_build_line_counts_the_warnings(example_site, tmp_path, as_of, count):
    result = CliRunner().invoke(main, ["build", "--root", str(example_site), "--out",
                                       str(tmp_path / "out"), "--as-of", as_of])
    assert result.exit_code == 0, result.output
    last = result.stderr.splitlines()[-1]
    # Beside the counts: the line still ends with the time.
    assert re.fullmatch(r"built \d+ pages, \d+ files \(" + count + r"\) into .+ in \d+\.\d\d s",
                        last), last


def test_the_build_line_without_warnings_is_unchanged(tmp_path):
    site = Path(__file__).resolve().parents[1]  # the sample site builds without a warning
    result = CliRunner().invoke(main, ["build", "--root", str(site), "--out",
                                       str(tmp_path / "out"), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"built \d+ pages, \d+ files into .+ in \d+\.\d\d s",
                        result.stderr.splitlines()[-1])


def test_the_last_lines_group_large_counts_in_thousands(example_site, tmp_path):
    """1,000 calls logged ahead of the as-of date (each a warning) read "1020 interactions;
    1004 warnings" in validate's line and "(1004 warnings)" in the build's, where the pages,
    the report of `liaison stats` and the import's lines write "1,020"."""
    (example_site / EXTRA).write_text(interactions(1000, "owen-price", "2026-12-20"),
                                      encoding="utf-8")
    code, _out, stderr = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0, stderr
    assert stderr[-1] == ("ok: 6 physicians, 3 practices, 1,020 interactions, 48 referral rows; "
                          f"{1000 + WARNINGS:,} warnings"), stderr[-1]
    result = CliRunner().invoke(main, ["build", "--root", str(example_site), "--out",
                                       str(tmp_path / "out"), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    assert f"({1000 + WARNINGS:,} warnings) into " in result.stderr.splitlines()[-1]


def test_the_error_line_groups_a_large_count_as_the_summary_above_it(example_site):
    """1,000 calls logged by a team member whose file was renamed: the summary read "1,063
    errors" and the last line under it "Error: 1063 errors found"."""
    dangling = rename_team_file(example_site, extra=1000)
    code, _stdout, stderr = run_validate(example_site, "--as-of", AS_OF)
    assert code == 1 and dangling > 1000
    assert any(line.startswith("Summary: ") and f"({dangling:,} errors, " in line
               for line in stderr)
    assert stderr[-1] == f"Error: {dangling:,} errors found"


# --------------------------------------------------------------------------- progress

needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="fork is not available on this platform")


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def shown(stream: io.StringIO) -> list[str]:
    return [part for part in stream.getvalue().split("\r\x1b[K") if part]


@needs_fork
def test_progress_counts_what_forked_workers_did(tmp_path):
    """The parent has done 5 of its 10 items, a worker 29 of its 30: 34 of 40 is 85% (the
    parent's own share alone would say 50%). Workers never write to the stream."""
    log = (tmp_path / "progress.txt").open("w+", encoding="utf-8", newline="")
    progress = Progress(log, enabled=True)

    def worker():
        for i in range(30):
            progress.fraction("rendering:", i, 30)

    child = multiprocessing.get_context("fork").Process(target=worker)
    child.start()
    child.join()
    assert child.exitcode == 0
    progress.fraction("rendering:", 5, 10)
    log.seek(0)
    assert log.read() == "\r\x1b[Krendering: 85%"
    assert progress.counted() == (29 + 5, 30 + 10)


@needs_fork
def test_progress_through_map_forked_and_reset_by_the_next_stage():
    from liaison.workers import map_forked

    term = FakeTerminal()
    progress = Progress(term, enabled=True)

    def work(share):
        for i, _item in enumerate(share):
            progress.fraction("x", i, len(share))
        return len(share)

    assert map_forked(work, [list(range(10)), list(range(50)), list(range(40))]) == [10, 50, 40]
    assert progress.counted() == (9 + 49 + 39, 100)  # each reports before its last item
    progress.stage("writing")
    assert progress.counted() == (0, 0)
    assert shown(term)[-1] == "writing…"
    progress.fraction("y", 1, 4)  # a new stage is shown at once
    assert progress.counted() == (1, 4) and shown(term)[-1] == "y 25%"
    progress.clear()
    assert term.getvalue().endswith("\r\x1b[K")


def test_progress_in_one_process_counts_its_own_items():
    term = FakeTerminal()
    progress = Progress(term, enabled=True)
    progress.fraction("pages", 0, 8)
    progress.last = 0.0  # past the tenth of a second between two updates
    progress.fraction("pages", 6, 8)
    assert shown(term) == ["pages 0%", "pages 75%"]
    progress.fraction("pages", 7, 8)  # within a tenth of a second: not redrawn
    assert shown(term) == ["pages 0%", "pages 75%"]


def test_an_imports_rows_read_line_is_silent_in_ci_as_the_builds_progress_is(monkeypatch):
    # `import nppes` showed its "N rows read…" line (carriage returns and an escape code) in
    # a CI log kept from a terminal, where the build's progress line is silent
    import sys

    from liaison import cli

    monkeypatch.setattr(sys, "stderr", FakeTerminal())
    monkeypatch.setenv("CI", "true")
    with cli._rows_read() as progress:
        assert progress is None
    monkeypatch.delenv("CI")
    with cli._rows_read() as progress:
        assert progress is not None


def test_progress_is_silent_off_a_terminal_and_in_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    pipe = io.StringIO()  # not a terminal
    quiet = Progress(pipe)
    quiet.stage("reading")
    quiet.fraction("pages", 1, 2)
    quiet.clear()
    assert pipe.getvalue() == "" and not quiet.enabled

    monkeypatch.setenv("CI", "true")
    term = FakeTerminal()
    ci = Progress(term)
    ci.stage("reading")
    ci.fraction("pages", 1, 2)
    assert term.getvalue() == "" and not ci.enabled

    monkeypatch.delenv("CI")
    assert Progress(FakeTerminal()).enabled
    monkeypatch.setenv("TERM", "dumb")  # (no way to clear a line: Emacs' shell)
    assert not Progress(FakeTerminal()).enabled
