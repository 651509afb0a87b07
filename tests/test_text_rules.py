"""The text, number and date rules of SPEC §2 (second edition), and the checks of records that
failed validation for another field.

Each test changes the spec example (`example_site`) a little, runs `validate` in-process and
checks the diagnostics at the value's PATH:LINE:COL; where the old code let a value through
that `build` could not handle, `build` is run too, and must exit cleanly (no traceback).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import run_validate

AS_OF = "2026-11-26"
DIAG_RE = re.compile(r"^(?P<path>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): (?P<msg>.+)$")

TEAM = "data/team/owen-price.yaml"
RUTH = "data/physicians/ruth-kessler.yaml"
CALL = "data/interactions/2026/11/2026-11-26-mountain-view-call.yaml"
CSV = "data/referrals/2026-10-to-11.csv"
REFERRALS_YAML = "data/referrals/through-2026-09.yaml"


def diags(root: Path) -> tuple[int, list[tuple[str, int, int, str, str]]]:
    code, _out, lines = run_validate(root, "--as-of", AS_OF)
    out = []
    for line in lines:
        m = DIAG_RE.match(line)
        if m:
            out.append((m["path"], int(m["line"]), int(m["col"]), m["sev"], m["msg"]))
    return code, out


def errors_in(root: Path, rel: str) -> list[tuple[int, int, str]]:
    _code, found = diags(root)
    return [(line, col, msg) for path, line, col, sev, msg in found if path == rel and sev == "error"]


def build(root: Path, tmp: Path):
    from liaison.cli import main

    result = CliRunner().invoke(main, ["build", "--root", str(root), "--out", str(tmp / "out"),
                                       "--as-of", AS_OF])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"build raised {result.exception!r}")
    assert "Traceback" not in result.output + result.stderr
    return result


def replace(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


# ------------------------------------------------------------------------------- text


@pytest.mark.parametrize("rel, old, new, line, col", [
    (TEAM, "name: Owen Price", 'name: "Owen\\nPrice"', 1, 7),
    ("site.yaml", "name: Blue Ridge Vein & Vascular", 'name: "Blue Ridge\\nVein"', 2, 9),
    (CALL, "summary: Confirmed next week's lunch with the office manager.",
     "summary: |\n  Confirmed next week's lunch\n  with the office manager.", 5, 10),
])
def test_line_break_in_one_line_text_is_an_error(example_site, tmp_path, rel, old, new, line, col):
    replace(example_site, rel, old, new)
    errors = errors_in(example_site, rel)
    assert any((ln, c) == (line, col) and "line break" in msg for ln, c, msg in errors), errors
    result = build(example_site, tmp_path)
    assert result.exit_code == 1


def test_line_break_in_a_follow_up_task(example_site):
    append(example_site, CALL, 'follow_ups:\n  - {task: "call\\nback", due: 2026-12-01}\n')
    assert (7, 12, "follow_ups[0].task: holds a line break: this field is one line of text") in \
        errors_in(example_site, CALL)


def test_line_break_in_markdown_is_fine(example_site):
    append(example_site, CALL, "notes: |\n  First line.\n\n  Second\tparagraph.\n")
    assert errors_in(example_site, CALL) == []


@pytest.mark.parametrize("char, what", [
    ("\\x07", "control character (U+0007)"),
    ("\\x1b", "control character (U+001B)"),
    ("\\x85", "control character (U+0085)"),
    ("\\u202e", "bidirectional control character (U+202E)"),
    ("\\u2067", "bidirectional control character (U+2067)"),
])
def test_control_characters_are_errors(example_site, char, what):
    replace(example_site, RUTH, "specialty: Podiatry", f'specialty: "Podia{char}try"')
    append(example_site, CALL, f'notes: "Markdown{char} too"\n')
    assert (4, 12, f"specialty: holds a {what}: remove it") in errors_in(example_site, RUTH)
    assert (6, 8, f"notes: holds a {what}: remove it") in errors_in(example_site, CALL)


def test_tab_is_allowed(example_site):
    replace(example_site, RUTH, "specialty: Podiatry", 'specialty: "Podi\\tatry"')
    assert errors_in(example_site, RUTH) == []


# ------------------------------------------------------------------------------- dates


@pytest.mark.parametrize("value", ["9999-12-31", "2100-01-01", "1899-12-31", "0001-01-01"])
def test_dates_out_of_range_are_errors(example_site, tmp_path, value):
    append(example_site, CALL, f"next_visit: {value}\nfollow_ups: [{{task: call, due: {value}}}]\n")
    errors = errors_in(example_site, CALL)
    message = "is out of range: a date is from 1900-01-01 to 2099-12-31"
    assert (6, 13, f"next_visit: '{value}' {message}") in errors, errors
    assert (7, 32, f"follow_ups[0].due: '{value}' {message}") in errors, errors
    assert build(example_site, tmp_path).exit_code == 1


def test_dates_at_the_limits_build(example_site, tmp_path):
    append(example_site, CALL, "next_visit: 2099-12-31\nfollow_ups: [{task: call, due: 2099-12-31}]\n")
    replace(example_site, TEAM, '"2026-03-02"', "1900-01-01")
    assert errors_in(example_site, CALL) == [] and errors_in(example_site, TEAM) == []
    assert build(example_site, tmp_path).exit_code == 0


def test_referral_dates_out_of_range(example_site):
    (example_site / REFERRALS_YAML).write_text(
        "- {date: 2100-01-01, source: web, service: sclerotherapy}\n"
        "- {date: '1899-12-31', source: web, service: sclerotherapy}\n", encoding="utf-8")
    (example_site / CSV).write_text(
        "source,date,physician,service,status\nweb,9999-12-31,,sclerotherapy,referred\n",
        encoding="utf-8")
    assert errors_in(example_site, REFERRALS_YAML) == [
        (1, 10, "[0].date: '2100-01-01' is out of range: a date is from 1900-01-01 to 2099-12-31"),
        (2, 10, "[1].date: '1899-12-31' is out of range: a date is from 1900-01-01 to 2099-12-31"),
    ]
    assert errors_in(example_site, CSV) == [
        (2, 1, "date: '9999-12-31' is out of range: a date is from 1900-01-01 to 2099-12-31")]


def test_referral_dates_at_the_limits_are_read(example_site):
    """The first and the last day a site may hold are dates in a CSV cell and in a quoted YAML
    value too (read as text, then as a date), as they are unquoted in YAML."""
    (example_site / REFERRALS_YAML).write_text(
        "- {date: '1900-01-01', source: web, service: sclerotherapy}\n"
        "- {date: '2099-12-31', source: web, service: sclerotherapy}\n", encoding="utf-8")
    (example_site / CSV).write_text(
        "source,date,physician,service,status\n"
        "web,1900-01-01,,sclerotherapy,referred\n"
        "web,2099-12-31,,sclerotherapy,referred\n", encoding="utf-8")
    assert errors_in(example_site, REFERRALS_YAML) == []
    assert errors_in(example_site, CSV) == []


def test_dates_with_other_digits_are_errors(example_site):
    append(example_site, CALL, "next_visit: \uff12\uff10\uff12\uff17-01-05\n")
    errors = errors_in(example_site, CALL)
    assert len(errors) == 1 and errors[0][:2] == (6, 13) and "next_visit:" in errors[0][2], errors


# ----------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("cell", ["++5", "5\u00b2", "\u00b2", "\uff15", "\u0665",
                                  pytest.param("1" * 5000, id="5000-digits")])
def test_counts_with_other_than_ascii_digits(example_site, tmp_path, cell):
    (example_site / CSV).write_text(
        f"source,date,physician,service,status,count\nweb,2026-10-17,,sclerotherapy,referred,{cell}\n",
        encoding="utf-8")
    (example_site / REFERRALS_YAML).write_text(
        f"- {{date: 2026-01-02, source: web, service: sclerotherapy, count: {cell}}}\n"
        f"- {{date: 2026-01-02, source: web, service: sclerotherapy, count: '{cell}'}}\n",
        encoding="utf-8")
    shown = f"'{cell}'" if len(cell) <= 1000 else f"'{cell[:60]}…' ({len(cell):,} characters)"
    # a number of ASCII digits past 18 is one, too large (it said "expected a whole number")
    said = (f"count: {shown} is too large a number: write at most 18 digits" if cell.isdigit()
            and cell.isascii() else f"count: expected a whole number ≥ 1, got {shown}")
    assert errors_in(example_site, CSV) == [(2, 1, said)]
    errors = errors_in(example_site, REFERRALS_YAML)
    assert [e[:2] for e in errors] == [(1, 66), (2, 66)], errors
    words = "is too large a number" if cell.isdigit() and cell.isascii() else "expected a whole number"
    assert all(".count: " in e[2] and words in e[2] for e in errors), errors
    assert build(example_site, tmp_path).exit_code == 1


@pytest.mark.parametrize("value", ["\uff19\uff12", "\u0669\u0662"])
def test_scores_with_other_digits_are_errors(example_site, value):
    replace(example_site, "data/team/lena-brooks.yaml", "score: 92", f"score: {value}")
    errors = errors_in(example_site, "data/team/lena-brooks.yaml")
    assert [e[:2] for e in errors] == [(7, 12)] and "trainings[0].score:" in errors[0][2], errors


@pytest.mark.parametrize("value, hint", [
    # a spreadsheet's column formatted with decimals, or a percentage: it said only "expected
    # a whole number, got the text '92.0'" (a referral's count already had its hint)
    ("92.0", " (write 92)"), ("92,00", " (write 92)"), ("92%", " (write 92)"),
    ("92 %", " (write 92)"), ("92.5", ""),
])
def test_a_score_written_with_decimals_or_a_percent_sign_says_the_number(example_site, value,
                                                                         hint):
    replace(example_site, "data/team/lena-brooks.yaml", "score: 92", f"score: {value}")
    errors = errors_in(example_site, "data/team/lena-brooks.yaml")
    assert errors == [(7, 12, f"trainings[0].score: expected a whole number, got the text "
                              f"'{value}'{hint}")], errors


def test_npi_with_full_width_digits_is_an_error(example_site):
    full = "1192648057".translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    replace(example_site, RUTH, "npi: 1192648057", f"npi: {full}")
    assert errors_in(example_site, RUTH) == [
        (3, 6, f"npi: '{full}' is not an NPI: an NPI has exactly 10 digits")]


@pytest.mark.parametrize("written, hint", [
    # pasted from a spreadsheet column not formatted as text: each read only "an NPI has
    # exactly 10 digits", which says nothing of what happened to it
    ("1.19265E+09", " (a spreadsheet showed it so, in a column not formatted as text: its last "
                    "digits are lost; copy the NPI again from where it came, or look it up in "
                    "the NPI registry)"),
    ("1192648057.0", " (write 1192648057: a spreadsheet writes a number so when its column is "
                     "formatted with decimals)"),
    ("'1,192,648,057'", " (write 1192648057: the digits only, without separators)"),
    ("119-264-8057", " (write 1192648057: the digits only, without separators)"),
    # digits that would fail the check digit are not offered (a phone number is no NPI)
    ("360-555-0111", ""),
])
def test_an_npi_a_spreadsheet_wrote_says_what_happened(example_site, written, hint):
    replace(example_site, RUTH, "npi: 1192648057", f"npi: {written}")
    assert errors_in(example_site, RUTH) == [
        (3, 6, f"npi: '{written.strip(chr(39))}' is not an NPI: an NPI has exactly 10 digits{hint}")]


def test_duplicate_npi_across_integer_and_text(example_site):
    npi = (example_site / RUTH).read_text().split("npi: ")[1].split()[0]
    (example_site / "data/physicians/zed.yaml").write_text(
        f"name: Zed\nnpi: '{npi}'\nspecialty: x\npractice: french-broad-podiatry\n",
        encoding="utf-8")
    errors = errors_in(example_site, "data/physicians/zed.yaml")
    assert errors == [(2, 6, f"npi: duplicate NPI {npi}: physician 'ruth-kessler' has it too (the "
                             "same person twice? keep one file; else correct the NPI of one)")]


# ------------------------------------------------------------- records with errors


def test_partial_physician_gets_every_check(example_site):
    npi = (example_site / RUTH).read_text().split("npi: ")[1].split()[0]
    (example_site / "data/physicians/zed.yaml").write_text(
        f"name: Zed\nnpi: {npi}\nspecialty: x\npractice: ' french-broad-podiatry '\n"
        "tier: Z\ninterests: 5\n", encoding="utf-8")
    errors = errors_in(example_site, "data/physicians/zed.yaml")
    # its practice, spaces around it, is that practice (SPEC §2: strings are stripped)
    assert not [e for e in errors if e[0] == 4], errors
    assert (5, 7, "tier: unknown tier 'Z': site.yaml has A, B, C") in errors, errors
    assert (6, 12, "interests: expected a list, got the text '5': write its items in "
                   "brackets, [5], or each on a line of its own after '- '") in errors, errors
    assert any(e[:2] == (2, 6) and "duplicate NPI" in e[2] for e in errors), errors


def test_an_unknown_tier_names_the_tier_of_other_capitals_and_an_empty_tiers(example_site):
    # tier keys are the site's own text (A, B, C, gold…), capitals and all: 'a' for A said
    # only "site.yaml has A, B, C"; with `tiers: {}` the message ended "site.yaml has "
    (example_site / "data/physicians/zed.yaml").write_text(
        "name: Zed\nspecialty: x\npractice: french-broad-podiatry\ntier: a\n", encoding="utf-8")
    errors = errors_in(example_site, "data/physicians/zed.yaml")
    assert errors == [(4, 7, "tier: unknown tier 'a' (did you mean 'A'?): site.yaml has A, B, C")]
    site = example_site / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "tiers: {}\n", encoding="utf-8")
    errors = errors_in(example_site, "data/physicians/zed.yaml")
    assert errors == [(4, 7, "tier: unknown tier 'a': site.yaml has no tiers (its `tiers` is "
                             "empty): define the tier there, or delete this `tier`")]


def test_partial_interaction_gets_every_check(example_site):
    append(example_site, CALL, "outcome: great\nfollow_ups: [{task: x, due: 2026-12-01, "
                               "done: 2026-01-01}]\nnext_visit: 2026-11-26\n")
    _code, found = diags(example_site)
    errors = [(line, col, msg) for path, line, col, sev, msg in found if path == CALL and sev == "error"]
    assert (6, 10, "outcome: 'great' is not one of 'positive', 'neutral' or 'negative'") in errors
    assert (7, 47, "follow_ups[0].done: done 2026-01-01 is before the interaction's date "
                   "2026-11-26") in errors, errors
    # dated the as-of day, its next visit planned that day too: neither is after or before
    # what it is compared with, so no warning (a valid record's rules, SPEC §3)
    assert [f for f in found if f[0] == CALL and f[3] == "warning"] == [], found


def test_partial_interaction_needs_practice_or_physicians(example_site):
    (example_site / CALL).write_text(
        "date: 2026-11-26\nliaison: lena-brooks\ntype: call\nsummary: s\noutcome: great\n",
        encoding="utf-8")
    errors = errors_in(example_site, CALL)
    assert (1, 1, "an interaction needs a practice or physicians (or both)") in errors, errors
    assert (5, 10, "outcome: 'great' is not one of 'positive', 'neutral' or 'negative'") in errors


def test_partial_interaction_future_and_practice_warnings(example_site):
    (example_site / CALL).write_text(
        "date: 2026-12-20\nliaison: lena-brooks\ntype: call\nsummary: s\noutcome: great\n"
        "practice: mountain-view-family-medicine\nphysicians: [' ruth-kessler ']\n",
        encoding="utf-8")
    _code, found = diags(example_site)
    warnings = [(ln, c, m) for p, ln, c, sev, m in found if p == CALL and sev == "warning"]
    # after the as-of date, outside its month's folder (2026/11/; a name 2026-11-26-… says no
    # day of its own), a physician of another practice (spaces around her id: that id): each
    # said as for a valid interaction
    assert sorted(warnings) == [
        (1, 7, "date: dated 2026-12-20, after the as-of date 2026-11-26: left out of the statistics"),
        (1, 7, "date: dated 2026-12-20, but its file is in the folder of 2026-11: a mistyped year or month? "
               "Correct the date, or move the file where its date says"),
        (7, 14, "physicians[0]: physician 'ruth-kessler' is at practice 'french-broad-podiatry', not "
                "'mountain-view-family-medicine': if they moved since, leave this earlier interaction as "
                "it is (it happened there); if not, correct the practice or the physician")], found


def test_partial_referral_gets_its_reference_checks(example_site):
    (example_site / REFERRALS_YAML).write_text(
        "- {date: 2026-01-02, source: physician, physician: nobody, service: nothing, "
        "status: great}\n- {date: 2026-01-02, source: web, physician: nobody, service: x}\n",
        encoding="utf-8")
    errors = errors_in(example_site, REFERRALS_YAML)
    assert (1, 52, "[0].physician: unknown physician 'nobody'") in errors, errors
    assert any(e[:2] == (1, 69) and e[2].startswith("[0].service: unknown service 'nothing'")
               for e in errors), errors
    assert any(e[:2] == (1, 86) and e[2].startswith("[0].status: 'great'") for e in errors)
    # a physician that may not be there is reported once, for that, not as unknown as well
    assert [e[2] for e in errors if e[0] == 2 and "physician" in e[2]] == [
        "[1].physician: only allowed when source is physician (source is web)"], errors


def test_a_day_written_whole_is_shown_its_short_form(example_site):
    # days typed as a spreadsheet's cell holds them: 'Wednesday' and 'Tuesdays' had no hint
    # (too far from 'wed' for the close-match rule), 'monday' had one
    replace(example_site, RUTH, "tier: A", "tier: A\noffice_days: [monday, Wednesday, Tuesdays]")
    assert [e[2] for e in errors_in(example_site, RUTH)] == [
        f"office_days[{i}]: '{day}' is not one of 'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or "
        f"'sun' (did you mean '{short}'?)"
        for i, (day, short) in enumerate((("monday", "mon"), ("Wednesday", "wed"),
                                          ("Tuesdays", "tue")))]


def test_a_control_character_written_as_itself_is_placed_at_it(example_site):
    # a raw control character (not a YAML escape) is refused by the YAML reader itself: the
    # error stands at the character's own line and column, on a line of its own
    replace(example_site, RUTH, "specialty: Podiatry", "specialty: Podia\x07try")
    line, col = 4, len("specialty: Podia") + 1
    text = (example_site / RUTH).read_text()
    assert text.split("\n")[line - 1].index("\x07") + 1 == col
    found = errors_in(example_site, RUTH)
    assert [(ln, c) for ln, c, msg in found if "control character (#x0007)" in msg] == [(line, col)], found
