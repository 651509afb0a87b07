"""`validate` against SPEC §1–§3 and §5: every error class, where it is reported, exit codes.

Every test works on a copy of tests/fixtures/spec-example-v2 (the `example_site` fixture: the
second edition's worked example), adds or
changes a few files, runs `validate --as-of 2026-11-26` in-process and checks the diagnostics:
the exact PATH:LINE:COL and the substance of the message. Line and column numbers are 1-based
and are either written out (with the file text right above) or computed from the text the test
wrote (`at(text, needle)`), never from the validator's output.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, cli, run_validate

AS_OF = "2026-11-26"

DIAG_RE = re.compile(
    r"^(?P<path>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): (?P<msg>.+)$"
)
GITHUB_RE = re.compile(
    r"^::(?P<sev>error|warning) file=(?P<path>[^,]+),line=(?P<line>\d+),col=(?P<col>\d+)::(?P<msg>.+)$"
)

# The four warnings the spec example triggers on purpose (its README), as (path, line, col).
SCREENING = "data/interactions/2026/10/2026-10-12-screening-event.yaml"
LUNCH_AHEAD = "data/interactions/2026/12/2026-12-01-french-broad-lunch.yaml"
LUNCH_OVER = "data/interactions/2026/11/2026-11-06-french-broad-lunch.yaml"
CSV_OCT_NOV = "data/referrals/2026-10-to-11.csv"
EXAMPLE_WARNINGS = {
    (SCREENING, 5, 14),  # physicians: [nina-vargas], not at french-broad-podiatry
    (LUNCH_AHEAD, 1, 7),  # date: 2026-12-01 > as-of
    (CSV_OCT_NOV, 12, 1),  # the 2026-11-28 row
    (LUNCH_OVER, 7, 7),  # cost: 120 takes ruth-kessler over compliance.annual_limit 100
}

PATIENT_MSG = re.compile(r"patient identifiers must (?:not|never) be stored", re.I)


# --------------------------------------------------------------------------- helpers


class Diag:
    def __init__(self, path, line, col, sev, msg):
        self.path, self.line, self.col, self.sev, self.msg = path, int(line), int(col), sev, msg

    @property
    def place(self):
        return (self.path, self.line, self.col)

    def __repr__(self):
        return f"{self.path}:{self.line}:{self.col}: {self.sev}: {self.msg}"


class Result:
    def __init__(self, code, stdout, stderr_lines):
        self.code = code
        self.stdout = stdout
        self.stderr = stderr_lines
        self.diags = [Diag(**m.groupdict()) for m in map(DIAG_RE.match, stderr_lines) if m]

    @property
    def errors(self):
        return [d for d in self.diags if d.sev == "error"]

    @property
    def warnings(self):
        return [d for d in self.diags if d.sev == "warning"]

    @property
    def new(self):
        """Diagnostics other than the spec example's four deliberate warnings."""
        return [d for d in self.diags if not (d.sev == "warning" and d.place in EXAMPLE_WARNINGS)]

    def dump(self):
        return "\n".join(self.stderr) + ("\nSTDOUT:\n" + self.stdout if self.stdout else "")

    def at(self, path, line, col, severity="error"):
        return [d for d in self.diags if d.place == (path, line, col) and d.sev == severity]

    def expect(self, path, line, col, *needles, severity="error", pattern=None):
        """Exactly one diagnostic of ``severity`` at PATH:LINE:COL holds every needle."""
        found = [
            d for d in self.at(path, line, col, severity)
            if all(n.lower() in d.msg.lower() for n in needles)
            and (pattern is None or re.search(pattern, d.msg))
        ]
        assert found, (
            f"no {severity} at {path}:{line}:{col} with {needles!r}"
            f"{' /' + pattern.pattern + '/' if hasattr(pattern, 'pattern') else ''}; got:\n"
            + self.dump()
        )
        return found[0]


def validate(root: Path, *args: str) -> Result:
    if not any(a == "--as-of" or a.startswith("--as-of=") for a in args):
        args = ("--as-of", AS_OF) + args
    return Result(*run_validate(root, *args))


def write(root: Path, rel: str, content: str | bytes) -> str:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return rel


def at(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based (line, col) of the nth occurrence of ``needle`` in ``text``."""
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    before = text[:i]
    return before.count("\n") + 1, i - (before.rfind("\n") + 1) + 1


def stats_json(root: Path) -> dict:
    from liaison.cli import main

    result = CliRunner().invoke(main, ["stats", "--root", str(root), "--as-of", AS_OF, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def assert_only_errors(res: Result, places: set[tuple[str, int, int]]):
    got = {d.place for d in res.errors}
    assert got == places, "unexpected set of error places:\n" + res.dump()


INTERACTION = """\
date: 2026-02-03
liaison: lena-brooks
type: call
practice: french-broad-podiatry
summary: Called the office.
"""

PHYSICIAN_TEMPLATE = "name: Pat Doe\n{}\nspecialty: X\npractice: french-broad-podiatry\n"

PHYSICIAN = """\
name: Pat Doe
specialty: Family Medicine
practice: french-broad-podiatry
"""


# --------------------------------------------------------------------------- the example


def test_spec_example_is_valid_with_exactly_its_four_warnings(example_site):
    res = validate(example_site)
    assert res.code == 0, res.dump()
    assert res.errors == [], res.dump()
    assert {d.place for d in res.warnings} == EXAMPLE_WARNINGS, res.dump()
    assert len(res.warnings) == 4, res.dump()
    by_place = {d.place: d.msg for d in res.warnings}
    assert by_place[(SCREENING, 5, 14)].startswith("physicians[0]: ")
    assert "nina-vargas" in by_place[(SCREENING, 5, 14)]
    assert by_place[(LUNCH_AHEAD, 1, 7)].startswith("date: ")
    assert "2026-12-01" in by_place[(LUNCH_AHEAD, 1, 7)]
    assert "2026-11-28" in by_place[(CSV_OCT_NOV, 12, 1)]
    assert by_place[(LUNCH_OVER, 7, 7)].startswith("cost: ")
    assert "ruth-kessler" in by_place[(LUNCH_OVER, 7, 7)]
    assert res.stdout == ""  # text diagnostics go to stderr only


def test_validate_twice_gives_the_same_report(example_site):
    """The parse cache (second run) changes nothing in the report."""
    write(example_site, "data/physicians/pat-doe.yaml", PHYSICIAN.replace("Family", "[x"))
    first = validate(example_site)
    second = validate(example_site)
    assert first.code == second.code == 1
    assert first.stderr == second.stderr


# --------------------------------------------------------------------------- files


def test_yaml_syntax_error(example_site):
    text = "name: Good Practice\ncity: Asheville\nstate: NC: x\n"
    rel = write(example_site, "data/practices/broken.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    # PyYAML: "mapping values are not allowed here", at the second ':' of line 3
    res.expect(rel, 3, 10, "syntax")
    assert_only_errors(res, {(rel, 3, 10)})


@pytest.mark.parametrize("line, col, message", [
    # the parser said "mapping values are not allowed in this context"
    ("city: Asheville: downtown", (2, 16),
     """a ': ' inside a value: put the whole value in double quotes (city: "Asheville: downtown")"""),
    # the same words for a line indented too far: its own key's ':' (not a value's)
    ("  city: Asheville", (2, 7), "this line is read as more of the value on the line above, so "
     "its ':' falls inside that value: start `city:` in the same column as the fields above it, "
     "or check the line above for a missing ': ' (text on several lines that holds ': ' goes in "
     "double quotes)"),
    # "while parsing a block mapping did not find expected key"
    ("notes: [call] back Tuesday", (2, 15), "the value of notes starts with '[', so YAML reads "
     "a list, and text follows it: put the whole value in double quotes"),
    # the same words for a quote inside a quoted value, which ends it there
    ('notes: "Ask for "Dana" at the desk"', (2, 18), """a " inside a value written in double """
     """quotes ends the value there: write notes: 'Ask for "Dana" at the desk'"""),
    ("notes: 'Dr O'Neil likes calls'", (2, 14), "a ' inside a value written in single "
     "quotes ends the value there: write notes: \"Dr O'Neil likes calls\""),
    # the same words, at a later field's opening quote, for a quote left open above it
    ('notes: "call back\ncity: "Asheville"', (2, 8), 'the " that opens the value of notes is '
     'not closed on its line, so the lines below it were read as more of that value, up to the " '
     'on line 3: end the value with " (notes: "call back")'),
    ("notes: 'call back\ncity: Asheville\nzip: '28801'", (2, 8), "the ' that opens the value "
     "of notes is not closed on its line, so the lines below it were read as more of that value, "
     "up to the ' on line 4: end the value with ' (notes: 'call back')"),
    # "while parsing a flow sequence did not find expected ',' or ']'" (at the next line)
    ("notes: [call back", (3, 6), "the '[' at line 2, column 8 opens a YAML list that is never "
     "closed with ']': put text that starts with '[' in double quotes"),
    # "while scanning a quoted scalar found unexpected end of stream" (at the end)
    ('notes: "call back', (4, 1), 'the " at line 2, column 8 opens a quoted value that is never '
     'closed: end the value with "'),
    # "while scanning for the next token found character that cannot start any token"
    ("notes: @front-desk", (2, 8),
     "a value cannot start with '@' in YAML: put the value in double quotes"),
    # the same words for the text of a block (`notes: |`) not indented under its key
    ("notes: |\nParking behind the building.", (3, 1), "the text of `notes: |` goes on the "
     "lines below it, indented more than `notes:`: start each of them in column 3"),
    ("notes: >\nParking behind\nthe building.", (3, 1), "the text of `notes: >` goes on the "
     "lines below it, indented more than `notes:`: start each of them in column 3"),
    # "while scanning a simple key could not find expected ':'", at the start of the next line
    ("city:Asheville", (2, 5), "a ':' with no space after it: YAML reads the line as one text, "
     "not as the field city: write `city: Asheville`"),
    ("city\uff1a Asheville", (2, 5), "a full-width colon '\uff1a' (U+FF1A) where YAML needs ':': "
     "retype it as ':'"),
    # the same words for a line with no ':' at all, named a line below it
    ("city Asheville", (2, 1), "this line has no ': ', so it is no field (a field is written "
     "`name: value`): write `city: Asheville` if city is its field, or, if it goes on with the "
     "text of the line above, indent it as that text"),
    # "while parsing a block mapping did not find expected key": text after a closing quote ...
    ('notes: "Dana" at the desk', (2, 15), """text follows the closing " of the value of """
     """notes: put all of it in quotes, as notes: '"Dana" at the desk'"""),
    # ... and a list item among the fields of the record
    ("- Asheville", (2, 1), "this '- ' starts a list item among the fields of a record, where "
     "the field above it (`name:`, line 1) already has its value on its line: write a list's "
     "field alone on its line, its items indented below it, or delete the '-'"),
    # "found undefined alias"
    ("notes: *front-desk", (2, 8), "a value cannot start with '*' in YAML (it repeats a value "
     "marked '&front-desk' above, and there is none): put the value in double quotes"),
    ("notes: %front-desk", (2, 8),
     "a value cannot start with '%' in YAML: put the value in double quotes"),
    # "while scanning a block scalar did not find expected comment or line break", a
    # column past the '>' or '|'
    ("notes: >30 min wait at the desk", (2, 8), "a value cannot start with '>' in YAML (it "
     "starts a block of text on the lines below): put the whole value in double quotes"),
    ("notes: |urgent| call back", (2, 8), "a value cannot start with '|' in YAML (it "
     "starts a block of text on the lines below): put the whole value in double quotes"),
    # "block sequence entries are not allowed in this context"
    ("notes: - call back Tuesday", (2, 8), "a value cannot start with '- ' on its field's "
     "line in YAML: put the whole value in double quotes, or, for a list, write each item on "
     "a line of its own below the field, after '- '"),
    # "expected a single document in the stream but found another document"
    ("---", (2, 1), "a line '---' starts a second YAML document, and a file holds one: delete "
     "the line (several records go in one list, each starting with '- ')"),
])
def test_yaml_syntax_errors_say_what_to_do(example_site, line, col, message):
    rel = write(example_site, "data/practices/broken.yaml", f"name: Good Practice\n{line}\nstate: NC\n")
    res = validate(example_site)
    assert res.code == 1
    found = res.expect(rel, *col, "YAML syntax error: ")
    assert found.msg == "YAML syntax error: " + message
    assert_only_errors(res, {(rel, *col)})


def test_fields_with_no_space_after_their_colon_from_the_top_are_named_at_the_first(
        example_site):
    # a search and replace of ': ' by ':' over every file: YAML reads the lines down to the
    # first field written right (`staff:`) as one text, and it said at that field's ':' "this
    # line is read as more of the value on the line above … or check the line above", which
    # was as wrong as the eight above it
    text = "name:Good Practice\ncity:Asheville\nstate:NC\nstaff:\n  - name: Ann Lee\n"
    rel = write(example_site, "data/practices/glued.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    found = res.expect(rel, 1, 5, "YAML syntax error: ")
    assert found.msg == ("YAML syntax error: a ':' with no space after it: YAML reads the line "
                         "as one text, not as the field name: write `name: Good Practice` "
                         "(lines 1 to 3 each have one: write ': ' in each)")
    assert_only_errors(res, {(rel, 1, 5)})


def test_a_field_misspelled_in_every_record_works_out_its_hint_once(example_site, monkeypatch):
    # a search and replace that made `summary:` `sumary:` in 6,291 interactions: difflib ran
    # for each record (1.4 ms each), and validate took 10 s instead of 5
    import difflib

    calls = []
    real = difflib.get_close_matches
    monkeypatch.setattr(difflib, "get_close_matches",
                        lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    records = "".join(f"- date: 2026-06-01\n  liaison: lena-brooks\n  type: call\n"
                      f"  practice: french-broad-podiatry\n  sumary: Call {i}.\n"
                      for i in range(300))
    rel = write(example_site, "data/interactions/2026/bulk.yaml", records)
    res = validate(example_site)
    assert res.code == 1
    hinted = [d for d in res.errors if d.path == rel and d.msg.endswith(
        "sumary: unknown field (did you mean 'summary'?)")]
    assert len(hinted) == 300
    assert calls.count("sumary") <= 1, calls.count("sumary")  # (0: an earlier test worked it out)


def test_a_value_that_starts_with_an_exclamation_mark_is_not_cut(example_site):
    """`notes: !Urgent call back` is the text 'call back' with a YAML tag '!Urgent', which
    both parsers dropped without a word: the record validated with its words lost."""
    text = "name: Good Practice\nnotes: !Urgent call back Tuesday\ntags: [vip, !new client]\n"
    rel = write(example_site, "data/practices/tagged.yaml", text)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    for field, tag in (("notes", "!Urgent"), ("tags[1]", "!new")):
        d = res.expect(rel, *at(text, tag), f"{field}: a value cannot start with '!' in YAML")
        assert f"'{tag}' is read as a YAML tag" in d.msg and "double quotes" in d.msg
    assert_only_errors(res, {(rel, *at(text, "!Urgent")), (rel, *at(text, "!new"))})


def test_a_hash_glued_to_a_word_after_a_value_is_not_cut_in_silence(example_site):
    """`summary: Visit #2 with Dr. Kessler` is the text 'Visit' to YAML, '#2 with Dr. Kessler'
    a comment: both parsers dropped it without a word and the record validated with its words
    lost. A comment written as one ('# ' with a space after it) and a '#' inside quotes or a
    block stay as they were."""
    text = ("date: 2026-11-20\nliaison: lena-brooks\ntype: visit\n"
            "practice: french-broad-podiatry\nsummary: Visit #2 with Dr. Kessler\n"
            "met_with:\n  - Tess Ramsey #front desk\n")
    rel = write(example_site, "data/interactions/hashed.yaml", text)
    fine = ("date: 2026-11-20  # a Friday\nliaison: lena-brooks #\ntype: visit\n"
            "practice: french-broad-podiatry\nsummary: \"Visit #2 with Dr. Kessler\"\n"
            "notes: |\n  Suite #210, see #2\ncost: 40   ## lunch\n")
    write(example_site, "data/interactions/commented.yaml", fine)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    d = res.expect(rel, *at(text, "#2"), "summary: '#2 with Dr. Kessler' is read as a YAML "
                   "comment (a ' #' starts one) and left out of the value, which is 'Visit'")
    assert 'put the whole value in double quotes (summary: "Visit #2 with Dr. Kessler")' in d.msg
    res.expect(rel, *at(text, "#front"), "met_with[0]: '#front desk' is read as a YAML comment")
    assert_only_errors(res, {(rel, *at(text, "#2")), (rel, *at(text, "#front"))})


def test_records_written_under_a_key_are_one_error_at_that_key(example_site):
    """`interactions:` (or `referrals:`) above the list, as examples found online have it:
    it was "interactions: unknown field" and a "required field is missing" for each field of
    a record (seven errors at 1:1), and "expected a list of referral records"."""
    visit = ("  - date: 2026-11-20\n    liaison: lena-brooks\n    type: visit\n"
             "    practice: french-broad-podiatry\n    summary: Dropped off pads.\n")
    ix = write(example_site, "data/interactions/wrapped.yaml", "# November\ninteractions:\n" + visit)
    rf = write(example_site, "data/referrals/wrapped.yaml",
               "referrals:\n- date: 2026-11-20\n  source: web\n  service: sclerotherapy\n")
    res = validate(example_site)
    assert res.code == 1, res.dump()
    for rel, key, line in ((ix, "interactions", 2), (rf, "referrals", 1)):
        d = res.expect(rel, line, 1, f"{key}: the {key} are written under '{key}:'")
        assert f"delete the line '{key}:'" in d.msg
    assert_only_errors(res, {(ix, 2, 1), (rf, 1, 1)})


def test_a_merge_key_is_one_error_at_the_merge_key(example_site):
    """`<<: *base` (YAML 1.1's merge key, found in many online examples) in a list of
    interactions said "[1].<<: unknown field" and a "required field is missing" for each field
    it was meant to bring: one error at the '<<' says what to do instead."""
    text = ("- &base\n  date: 2026-11-20\n  liaison: lena-brooks\n  type: visit\n"
            "  practice: french-broad-podiatry\n  summary: First visit\n"
            "- <<: *base\n  summary: Second visit\n")
    rel = write(example_site, "data/interactions/merged.yaml", text)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    d = res.expect(rel, *at(text, "<<"), "[1].<<: merge keys '<<' are not supported")
    assert "write the fields out" in d.msg
    assert_only_errors(res, {(rel, *at(text, "<<"))})


def test_a_value_that_starts_with_an_ampersand_is_not_cut(example_site):
    """`notes: &urgent call back` is the text 'call back' with a YAML anchor '&urgent', which
    both parsers dropped without a word, as a tag; an anchor an alias repeats is YAML's own
    use and passes, and `&amp;` (no anchor's name) is said in words at its '&'."""
    text = ("name: Good Practice\nnotes: &urgent call back Tuesday\ntags: [vip, &x client]\n"
            "phone: &line 503-555-0100\nfax: *line\n")
    rel = write(example_site, "data/practices/anchored.yaml", text)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    for field, name in (("notes", "&urgent"), ("tags[1]", "&x")):
        d = res.expect(rel, *at(text, name), f"{field}: a value cannot start with '&' in YAML")
        assert f"'{name}' is read as a YAML anchor" in d.msg and "double quotes" in d.msg
    assert_only_errors(res, {(rel, *at(text, "&urgent")), (rel, *at(text, "&x"))})
    text = "name: Good Practice\nnotes: &amp; more\n"
    rel = write(example_site, "data/practices/anchored.yaml", text)
    res = validate(example_site)
    d = res.expect(rel, *at(text, "&amp;"), "YAML syntax error: ")
    assert d.msg == ("YAML syntax error: a value cannot start with '&' in YAML (it reads a name "
                     "after it): put the whole value in double quotes")
    assert_only_errors(res, {(rel, *at(text, "&amp;"))})


def test_a_bracket_left_open_on_the_last_line_is_named_where_it_opened(example_site):
    # it said "while parsing a flow node did not find expected node content", at the end
    rel = write(example_site, "data/practices/broken.yaml", "name: Good Practice\nnotes: [\n")
    res = validate(example_site)
    assert res.code == 1
    assert res.expect(rel, 3, 1).msg == (
        "YAML syntax error: the '[' at line 2, column 8 opens a YAML list that is never closed "
        "with ']': put text that starts with '[' in double quotes")


LIST_OF_TWO = ("- date: 2026-02-03\n  liaison: lena-brooks\n  type: call\n"
               "  practice: french-broad-podiatry\n  summary: Called.\n"
               "- date: 2026-02-04\n  liaison: lena-brooks\n  type: call\n"
               "  practice: french-broad-podiatry\n  summary: Called again.\n"
               "  follow_ups:\n    - task: Send the forms\n      due: 2026-02-10\n")


@pytest.mark.parametrize("old, new, place, message", [
    # both said the parser's "while parsing a block collection did not find expected '-'
    # indicator": the second record's '-' without its space, as `-date:` ...
    ("- date: 2026-02-04", "-date: 2026-02-04", (6, 1),
     "a '-' starts a list item only with a space after it: write `- date: 2026-02-04`"),
    ("    - task: Send", "    -task: Send", (12, 5),
     "a '-' starts a list item only with a space after it: write `- task: Send the forms`"),
    # ... and a field of a record indented by one space less than the fields above it
    ("  type: call\n  practice: french-broad-podiatry\n  summary: Called again.",
     " type: call\n  practice: french-broad-podiatry\n  summary: Called again.", (8, 2),
     "this line is indented less than the fields above it: start `type:` in column 3, as "
     "`liaison:` on line 7"),
    ("      due: 2026", "     due: 2026", (13, 6),
     "this line is indented less than the fields above it: start `due:` in column 7, as "
     "`task:` on line 12 or in column 3, as `follow_ups:` on line 11, whichever it belongs "
     "with"),
    # a follow-up's second field under its '-' rather than under its first field
    ("      due: 2026", "    due: 2026", (13, 5),
     "this line is indented less than the fields above it: start `due:` in column 7, as "
     "`task:` on line 12 or in column 3, as `follow_ups:` on line 11, whichever it belongs "
     "with"),
    # the first record written without its '- ' (a file of one record, a second one added)
    ("- date: 2026-02-03\n  liaison: lena-brooks\n  type: call\n"
     "  practice: french-broad-podiatry\n  summary: Called.\n",
     "date: 2026-02-03\nliaison: lena-brooks\ntype: call\n"
     "practice: french-broad-podiatry\nsummary: Called.\n", (6, 1),
     "this '- date:' starts a record as a list's, after a first one written without '- ': a "
     "file of several records is a YAML list, each record starting with '- ' and its lines "
     "indented under it"),
    # the second record's '-' indented as the first record's fields
    ("- date: 2026-02-04", "  - date: 2026-02-04", (6, 3),
     "this '-' is indented as the fields of the record above, inside which it would start a "
     "list: start it in column 1, as the '-' on line 1"),
    # a field after a nested list, one space in: it may close the list
    ("  follow_ups:\n    - task: Send the forms\n      due: 2026-02-10\n",
     "  follow_ups:\n    - task: Send the forms\n      due: 2026-02-10\n outcome: positive\n",
     (14, 2), "this line is indented less than the fields above it: start `outcome:` in column "
     "7, as `due:` on line 13 or in column 3, as `follow_ups:` on line 11, whichever it "
     "belongs with"),
])
def test_a_slip_in_a_list_of_records_says_what_to_do(example_site, old, new, place, message):
    assert LIST_OF_TWO.count(old) == 1
    rel = write(example_site, "data/interactions/2026/two.yaml", LIST_OF_TWO.replace(old, new))
    res = validate(example_site)
    assert res.code == 1
    assert res.expect(rel, *place, "YAML syntax error: ").msg == "YAML syntax error: " + message
    assert_only_errors(res, {(rel, *place)})


def test_a_line_a_front_matter_message_names_is_a_line_of_the_file(example_site):
    # the '[' on the file's line 3 was named "at line 2" (a line of the front matter)
    text = "---\ntitle: Guide\nsummary: [draft\naudience: all\n---\n# Body\n"
    rel = write(example_site, "content/training/broken.md", text)
    res = validate(example_site)
    assert res.code == 1
    d = res.expect(rel, 4, 9, "YAML syntax error")
    assert d.msg.startswith("YAML syntax error: the '[' at line 3, column 10 opens a YAML list"), d.msg


def test_yaml_syntax_error_in_front_matter_is_placed_in_file_lines(example_site):
    text = "---\ntitle: Guide\naudience: all\nsummary: one: two\n---\n# Body\n"
    rel = write(example_site, "content/training/broken.md", text)
    res = validate(example_site)
    assert res.code == 1
    line, col = at(text, ": two")  # the second ':' of the front matter's 3rd line = file line 4
    assert (line, col) == (4, 13)
    res.expect(rel, 4, 13, "syntax")


@pytest.mark.parametrize(
    "rel, content, line, col",
    [
        # 'caf' then byte 0xE9: the 10th byte of line 1
        ("data/practices/latin1.yaml", b"name: caf\xe9 du coin\n", 1, 10),
        ("data/interactions/latin1.yaml", b"date: 2026-02-03\nsummary: r\xe9sum\xe9\n", 2, 11),
        ("content/training/latin1.md", b"---\ntitle: G\naudience: all\n---\n# Body caf\xe9\n", 5, 11),
        # bad byte on the header row: its line and column, as in a YAML file
        ("data/referrals/latin1.csv", b"date,source,physician,service,status\xe9\n", 1, 37),
    ],
    ids=["practice", "interaction", "guide", "csv"],
)
def test_non_utf8_file(example_site, rel, content, line, col):
    write(example_site, rel, content)
    res = validate(example_site)
    assert res.code == 1
    res.expect(rel, line, col, "UTF-8")
    assert {d.path for d in res.errors} == {rel}, res.dump()


@pytest.mark.parametrize(
    "content", ["", "# only a comment\n# and another\n", "[]\n", "\n\n"],
    ids=["empty", "comments", "empty-list", "blank-lines"],
)
@pytest.mark.parametrize(
    "rel",
    [
        "data/practices/nothing.yaml",
        "data/physicians/nothing.yaml",
        "data/team/nothing.yaml",
        "data/interactions/nothing.yaml",
        "data/referrals/nothing.yaml",
    ],
)
def test_file_holding_no_record(example_site, rel, content):
    write(example_site, rel, content)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    res.expect(rel, 1, 1, "holds no record")
    assert_only_errors(res, {(rel, 1, 1)})


def test_a_wrong_shape_is_said_in_plain_words(example_site):
    """'expected a mapping of fields, got a list' was the parser's word: a liaison who wrote a
    team member's file as a list, or a list as `{…}`, reads what to write; an empty file
    says what to do with it."""
    team = write(example_site, "data/team/listed.yaml", "- name: Ana Ruiz\n  role: liaison\n")
    doc = write(example_site, "data/physicians/braced.yaml",
                "name: Dr. Bo Lind\nspecialty: Cardiology\npractice: french-broad-podiatry\n"
                "interests: {vein care: yes}\n")
    empty = write(example_site, "data/practices/empty.yaml", "# to do\n")
    bulk = write(example_site, "data/interactions/2026/empty.yaml", "# to do\n")
    res = validate(example_site)
    assert res.code == 1, res.dump()
    assert res.expect(team, 1, 1).msg == ("expected a record's fields (lines `field: value`), got "
                                          "a list: this file holds one record, its fields "
                                          "written without '- '")
    assert res.expect(doc, 4, 12).msg == "interests: expected a list, got fields (lines `field: value`)"
    assert res.expect(empty, 1, 1, "holds no record").msg.endswith("or delete the file")
    assert res.expect(bulk, 1, 1, "holds no record").msg.endswith("or delete the file")
    assert not any("mapping" in d.msg for d in res.diags), res.dump()


@pytest.mark.parametrize("content", ["", "date,source,physician,service,status\n"],
                         ids=["empty", "header-only"])
def test_csv_holding_no_record(example_site, content):
    rel = write(example_site, "data/referrals/nothing.csv", content)
    res = validate(example_site)
    assert res.code == 1
    # a month's sheet saved before its first referral: what to write, or that it may go
    msg = res.expect(rel, 1, 1, "holds no record").msg
    assert msg.endswith("or delete the file"), msg
    assert ("under the header row" in msg) == bool(content), msg


@pytest.mark.parametrize(
    "rel, content, needle",
    [
        ("data/physicians/listy.yaml", "- name: Pat Doe\n  specialty: X\n", "`field: value`"),
        ("data/physicians/scalar.yaml", "just some text\n", "`field: value`"),
        ("data/practices/scalar.yaml", "42\n", "`field: value`"),
        ("data/interactions/scalar.yaml", "just some text\n", "`field: value`"),
        ("data/referrals/mapping.yaml",
         "date: 2026-02-03\nsource: web\nservice: sclerotherapy\n", "list"),
    ],
    ids=["physician-list", "physician-scalar", "practice-scalar", "interaction-scalar",
         "referrals-mapping"],
)
def test_wrong_top_level_shape(example_site, rel, content, needle):
    write(example_site, rel, content)
    res = validate(example_site)
    assert res.code == 1
    res.expect(rel, 1, 1, needle)
    assert_only_errors(res, {(rel, 1, 1)})


def test_list_item_of_wrong_shape_in_a_list_file(example_site):
    text = "- " + INTERACTION.replace("\n", "\n  ").rstrip(" ") + "- just text\n"
    rel = write(example_site, "data/interactions/mixed.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    line, col = at(text, "just text")
    d = res.expect(rel, line, col, "just text")
    assert d.msg.startswith("[1]")
    assert_only_errors(res, {(rel, line, col)})


def test_yaml_file_over_5_mb_is_refused(example_site):
    filler = "# " + "x" * 98 + "\n"
    text = "name: Big Practice\n" + filler * (5 * 1024 * 1024 // len(filler) + 10)
    assert len(text.encode()) > 5 * 1024 * 1024
    rel = write(example_site, "data/practices/big.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    res.expect(rel, 1, 1, "5 MB")


def test_alias_bomb_fails_fast_with_an_error(example_site):
    text = (
        "name: Bomb\n"
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
        "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
        "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
        "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
    )
    rel = write(example_site, "data/practices/bomb.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    assert [d.path for d in res.errors] and {d.path for d in res.errors} == {rel}, res.dump()


@pytest.mark.parametrize("as_of, message", [
    # it said "'2026-02-30' is not a date: write YYYY-MM-DD", which it is written as
    ("2026-02-30", "'2026-02-30' is not a real calendar day"),
    ("26-02-01", "'26-02-01' is not a date: write YYYY-MM-DD"),
    # pasted from a document: it said only "… is not a date: write YYYY-MM-DD", a record's
    # date names the dash
    ("2026\u201302\u201301", "'2026\u201302\u201301' is not a date: write YYYY-MM-DD (it holds "
     "'\u2013' (U+2013) where a hyphen '-' belongs, as text pasted from a word processor or a "
     "web page can: retype the date)"),
])
def test_an_as_of_date_that_is_no_day_says_which_way(example_site, as_of, message):
    code, _out, err = run_validate(example_site, "--as-of", as_of)
    assert code == 2
    assert err[-1] == f"Error: Invalid value for '--as-of': {message}"


def test_a_reference_by_a_short_form_of_an_id_gets_the_hint_new_gives(example_site):
    # `new physician --practice french` hinted french-broad-podiatry; validate said nothing
    text = "name: Pat Doe\nspecialty: X\npractice: french\nliaison: lena\n"
    rel = write(example_site, "data/physicians/pat-doe.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    d = res.expect(rel, 3, 11, "unknown practice")
    assert d.msg == "practice: unknown practice 'french' (did you mean 'french-broad-podiatry'?)"
    d = res.expect(rel, 4, 10, "unknown team member")
    assert d.msg.endswith("'lena' (did you mean 'lena-brooks'?)"), d.msg
    # a short form of two ids names neither (nor is it near enough to one for difflib)
    write(example_site, "data/practices/french-broad-family-medicine.yaml", "name: French Broad Family Medicine\n")
    d = validate(example_site).expect(rel, 3, 11, "unknown practice")
    assert d.msg == "practice: unknown practice 'french'", d.msg


def test_a_training_of_a_guide_not_written_yet_or_deleted_says_where_a_guide_is(example_site):
    # a coordinator recording a training before its guide was written (or after the guide's
    # file was deleted, a guide retired) read "unknown training guide 'fire-safety'", nothing
    # on where guides are or what to do
    rel = write(example_site, "data/team/dana-reyes.yaml",
                "name: Dana Reyes\nrole: front-desk\ntrainings:\n"
                "  - {guide: fire-safety, completed: 2026-03-02}\n")
    res = validate(example_site)
    assert res.code == 1
    d = res.expect(rel, 4, 13, "unknown training guide")
    assert d.msg == ("trainings[0].guide: unknown training guide 'fire-safety': there is no "
                     "content/training/fire-safety.md; write the guide first (`liaison new guide "
                     "fire-safety --title …`), and keep a retired guide's file while trainings name it"), d.msg
    from liaison.diagnostics import dangling_reference  # (the summary's likely causes read it)
    assert dangling_reference(d.msg) == ("training guide", "fire-safety")
    # a slip of an existing guide's id keeps the hint alone: the likely fix
    write(example_site, rel, "name: Dana Reyes\nrole: front-desk\ntrainings:\n"
                             "  - {guide: referral-source-basicz, completed: 2026-03-02}\n")
    d = validate(example_site).expect(rel, 4, 13, "unknown training guide")
    assert d.msg == ("trainings[0].guide: unknown training guide 'referral-source-basicz' "
                     "(did you mean 'referral-source-basics'?)"), d.msg


def test_a_renamed_files_new_id_is_the_hint_not_a_numbered_neighbour(example_site):
    # a practice file renamed p-00001 -> p-00001-southside: each of the references to p-00001
    # said "(did you mean 'p-00100'?)", another practice, while the summary under them named
    # the renamed file
    for stem in ("p-00100", "p-00001-southside"):
        write(example_site, f"data/practices/{stem}.yaml", "name: A Practice\n")
    rel = write(example_site, "data/physicians/pat-doe.yaml",
                "name: Pat Doe\nspecialty: X\npractice: p-00001\n")
    res = validate(example_site)
    assert res.code == 1
    d = res.expect(rel, 3, 11, "unknown practice")
    assert d.msg == "practice: unknown practice 'p-00001' (did you mean 'p-00001-southside'?)"


def test_a_physician_written_by_name_with_a_title_is_shown_their_id(example_site):
    # the front desk writes the doctor as they say it: "Dr. Ruth Kessler" was answered
    # "(like 'dr-ruth-kessler')", an id no physician has (the next run said so)
    csv = write(example_site, "data/referrals/week.csv",
                "source,date,service,physician,status\n"
                "physician,2026-10-17,sclerotherapy,Dr. Ruth Kessler,referred\n"
                "physician,2026-10-17,sclerotherapy,DR ALAN CHO,referred\n")
    res = validate(example_site)
    assert res.code == 1
    assert res.expect(csv, 2, 1, "not a valid id").msg.endswith("(like 'ruth-kessler')")
    assert res.expect(csv, 3, 1, "not a valid id").msg.endswith("(like 'alan-cho')")


def test_an_id_hint_spells_letters_that_are_no_accented_letter(example_site):
    # "Đặng Văn Hùng" written for an id was hinted "(like 'ang-van-hung')" and "Søren Ødegård"
    # "(like 'sren-degard')": đ and ø were dropped, not spelled as search and the NPPES
    # importer spell them
    csv = write(example_site, "data/referrals/week.csv",
                "source,date,service,physician,status\n"
                "physician,2026-10-17,sclerotherapy,Đặng Văn Hùng,referred\n"
                "physician,2026-10-17,sclerotherapy,Dr. Søren Ødegård,referred\n")
    res = validate(example_site)
    assert res.code == 1
    assert res.expect(csv, 2, 1, "not a valid id").msg.endswith("(like 'dang-van-hung')")
    assert res.expect(csv, 3, 1, "not a valid id").msg.endswith("(like 'soren-odegard')")


def test_a_number_out_of_bounds_says_at_least_or_at_most(example_site):
    # pydantic's "must be greater than or equal to 1, got -3": now the words people use
    site = (example_site / "site.yaml").read_text(encoding="utf-8")
    assert "  lapsed_after_days: 120\n" in site
    write(example_site, "site.yaml", site.replace("  lapsed_after_days: 120\n",
                                                  "  lapsed_after_days: -3\n"))
    team = "name: Sam\nrole: liaison\ntrainings:\n  - guide: {}\n    completed: 2026-01-05\n    score: 101\n"
    guide = sorted((example_site / "content" / "training").glob("*.md"))[0].stem
    rel = write(example_site, "data/team/sam.yaml", team.format(guide))
    res = validate(example_site)
    assert res.code == 1
    assert [d.msg.split(": ", 1)[1] for d in res.errors if d.path == "site.yaml"] == [
        "must be at least 1, got -3"], res.dump()
    assert res.expect(rel, 6, 12).msg == "trainings[0].score: must be at most 100, got 101"


def test_the_lower_bounds_of_days_and_scores(example_site):
    """SPEC §2: visit_every_days and new_within_days are at least 1 (0 is an error); a
    training's score is 0..100, and 0 is a score."""
    site = (example_site / "site.yaml").read_text(encoding="utf-8")
    write(example_site, "site.yaml", site.replace(
        "  new_within_days: 60\n", "  new_within_days: 0\ntiers:\n  A: {visit_every_days: 0}\n"))
    team = "name: Sam\nrole: liaison\ntrainings:\n  - guide: {}\n    completed: 2026-01-05\n    score: 0\n"
    guide = sorted((example_site / "content" / "training").glob("*.md"))[0].stem
    rel = write(example_site, "data/team/sam.yaml", team.format(guide))
    res = validate(example_site)
    assert sorted(d.msg for d in res.errors) == [
        "thresholds.new_within_days: must be at least 1, got 0",
        "tiers.A.visit_every_days: must be at least 1, got 0"], res.dump()
    assert not [d for d in res.diags if d.path == rel], res.dump()


def test_a_whole_number_too_large_is_not_said_to_be_no_whole_number(example_site):
    # it said "expected a whole number, got the text '99999999999999999999'"
    site = (example_site / "site.yaml").read_text(encoding="utf-8")
    write(example_site, "site.yaml", site.replace("  lapsed_after_days: 120\n",
                                                  "  lapsed_after_days: 99999999999999999999\n"))
    res = validate(example_site)
    assert res.code == 1
    assert [d.msg for d in res.errors] == [
        "thresholds.lapsed_after_days: '99999999999999999999' is too large a number: write at "
        "most 18 digits"], res.dump()


def test_a_quoted_small_whole_number_is_not_said_to_be_too_large(example_site):
    # `score: '92'` and `visit_every_days: '30'` said "'92' is too large a number: write at
    # most 18 digits": every digit string that reached the whole-number check was taken for
    # one past 18 digits (kept as text by the loader)
    site = (example_site / "site.yaml").read_text(encoding="utf-8")
    write(example_site, "site.yaml", site.replace("  lapsed_after_days: 120\n",
                                                  "  lapsed_after_days: '120'\n"))
    res = validate(example_site)
    assert res.code == 1
    assert [d.msg for d in res.errors] == [
        "thresholds.lapsed_after_days: expected a whole number, got the text '120' (write it "
        "without quotes: 120)"], res.dump()


def test_a_number_of_days_written_with_its_unit_says_to_write_the_number(example_site):
    # `visit_every_days: 30 days` and `lapsed_after_days: 3 months` said only "expected a
    # whole number, got the text '30 days'"
    site = (example_site / "site.yaml").read_text(encoding="utf-8")
    text = site.replace("  lapsed_after_days: 120\n", "  lapsed_after_days: 4 months\n").replace(
        "thresholds:", "tiers:\n  A: {visit_every_days: 30 days}\nthresholds:", 1)
    write(example_site, "site.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    assert sorted(d.msg for d in res.errors) == [
        "thresholds.lapsed_after_days: expected a whole number, got the text '4 months' (a "
        "number of days: write the digits alone, like 120 for four months)",
        "tiers.A.visit_every_days: expected a whole number, got the text '30 days' (write the "
        "number alone: 30)"], res.dump()


def test_an_empty_annual_limit_is_said_in_plain_words(example_site):
    # it said "compliance.annual_limit: Input should be an instance of Decimal"
    site = (example_site / "site.yaml").read_text(encoding="utf-8")
    text = re.sub(r"  annual_limit: 100 *#[^\n]*\n", "  annual_limit:\n", site)
    assert text != site
    write(example_site, "site.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    assert [d.msg for d in res.errors] == [
        "compliance.annual_limit: expected an amount in dollars (like 500), got nothing: write "
        "the limit, or delete the compliance: section to set none"], res.dump()


@pytest.mark.parametrize("section, example", [
    ("compliance", "`annual_limit: 500`"),
    ("repository", "`web_url: https://github.com/our-practice/liaison-records`"),
])
def test_an_optional_section_left_empty_is_an_error_not_none(example_site, section, example):
    # `liaison init` writes `# compliance:` over `#   annual_limit: 500`: uncommenting only the
    # first line left `compliance:` with nothing under it, read as no section at all (no
    # compliance page, no warning, exit 0), while an empty `thresholds:` or `tiers:` is an error
    site = (example_site / "site.yaml").read_text(encoding="utf-8")
    text = re.sub(r"compliance:\n  annual_limit: 100 *#[^\n]*\n", "", site)
    assert text != site
    text += f"{section}:\n"
    write(example_site, "site.yaml", text)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    line = text.count("\n")
    d = res.expect("site.yaml", line, len(section) + 2)
    assert d.msg == (f"{section}: expected its fields (lines `field: value`), got nothing: write "
                     f"{example} indented below it, or delete the `{section}:` line to set none")
    assert_only_errors(res, {("site.yaml", line, len(section) + 2)})


def test_two_files_of_one_id_say_what_to_do(example_site):
    # a .yaml and a .yml of the same name: it said only "… has the same name"
    rel = write(example_site, "data/practices/twice-clinic.yaml", "name: Twice Clinic\n")
    other = write(example_site, "data/practices/twice-clinic.yml", "name: Twice Clinic\n")
    res = validate(example_site)
    assert res.code == 1
    assert res.expect(other, 1, 1).msg == (
        f"duplicate id 'twice-clinic': {rel} has the same name: keep one of the two files (merge "
        "what they hold into it) and delete the other")
    assert_only_errors(res, {(other, 1, 1)})


def test_other_files_and_readmes_are_ignored(example_site):
    write(example_site, "data/physicians/README.md", "# not a record: name: [\n")
    write(example_site, "data/physicians/notes.txt", "name: [\n")
    write(example_site, "data/referrals/README.md", "anything\n")
    write(example_site, "content/training/README.md", "no front matter\n")
    write(example_site, "content/presentations/README.md", "{{ undefined }}\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    assert res.new == []


def test_a_record_file_in_a_subfolder_of_its_kind_is_named_not_lost_in_silence(example_site):
    # a physician filed by region was left out of the site with "ok" and no word about it
    west = write(example_site, "data/physicians/west/pat-doe.yaml", PHYSICIAN)
    team = write(example_site, "data/team/old/sam.yml", "name: Sam\nrole: liaison\n")
    guide = write(example_site, "content/training/drafts/intake.md", "---\ntitle: T\n---\n")
    write(example_site, "content/presentations/pictures/map.png", b"\x89PNG")  # a picture: fine
    write(example_site, "data/physicians/west/README.md", "# the western practices\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    assert {d.place for d in res.new} == {(west, 1, 1), (team, 1, 1), (guide, 1, 1)}, res.dump()
    d = res.expect(west, 1, 1, severity="warning")
    assert d.msg == ("not read: physician files are read from data/physicians/ itself, not from "
                     "its subfolders (the file name is the id): move it to "
                     "data/physicians/pat-doe.yaml")
    res.expect(team, 1, 1, "team member files are read from data/team/ itself", "data/team/sam.yml",
               severity="warning")
    res.expect(guide, 1, 1, "training guide files", "content/training/intake.md",
               severity="warning")
    # outside the layout, which SPEC §1 ignores: --strict leaves these warnings as they are
    strict = validate(example_site, "--strict")
    assert {west, team, guide} <= {d.path for d in strict.warnings}, strict.dump()
    assert not {west, team, guide} & {d.path for d in strict.errors}, strict.dump()
    # a file of that name in the kind's folder: moving it there would replace it
    write(example_site, "data/physicians/pat-doe.yaml", PHYSICIAN)
    d = validate(example_site).expect(west, 1, 1, severity="warning")
    assert d.msg.endswith("(the file name is the id): data/physicians/pat-doe.yaml exists "
                          "already: merge the two, or give this one another id and move it there")


def test_a_record_file_misnamed_or_misfiled_is_named_not_lost_in_silence(example_site):
    # a visit saved by Notepad as .yaml.txt, an extension mistyped, a folder mistyped, a
    # spreadsheet where the CSV goes: each was left out of the site with "ok" and no word
    visit = "date: 2026-11-02\nliaison: lena-brooks\ntype: call\nsummary: Called.\n"
    cases = {
        "data/interactions/2026/visit.yaml.txt":
            "not read: interaction files end in .yaml or .yml: rename it to visit.yaml",
        "data/interactions/2026/visit2.ymal":
            "not read: interaction files end in .yaml or .yml: rename it to visit2.yaml",
        "data/physicians/pat-doe.yml.orig":
            "not read: physician files end in .yaml or .yml: rename it to pat-doe.yml",
        "data/interaction/visit.yaml":
            "not read: record files are read from the folders practices, physicians, team, "
            "interactions, referrals and market of data/, not from data/interaction/ (did you "
            "mean 'interactions'?)",
        "data/visit.yaml": "not read: record files are read from the folders practices, "
                           "physicians, team, interactions, referrals and market of data/, not "
                           "from data/",
        "data/interactions/2026/visits.csv":
            "not read: interaction files end in .yaml or .yml; a CSV file is read only as "
            "referrals, in data/referrals/: write these records as YAML (`liaison new "
            "interaction` writes one)",
        "data/referrals/2026.xlsx": "not read: referral files end in .csv, .yaml or .yml; a "
                                    "spreadsheet is not read: export it as CSV UTF-8 into this "
                                    "folder",
        # the team's workbook where its records go: read as nothing, where the referrals'
        # folder said so
        "data/physicians/physicians.xlsx":
            "not read: physician files end in .yaml or .yml; a spreadsheet is not read "
            "(referrals are, saved as CSV UTF-8 in data/referrals/): write these records as "
            "YAML (`liaison new physician` writes one)",
        "data/liaison.xlsx": "not read: a spreadsheet is not read: referrals are read from its "
                             "sheets saved as CSV UTF-8 in data/referrals/, and the other records "
                             "are YAML files, one a record (`liaison new` writes them)",
        "content/training/intake.markdown":
            "not read: training guide files end in .md: rename it to intake.md",
        "content/trainings/intake.md":
            "not read: guides are read from content/training/ and decks from "
            "content/presentations/, not from content/trainings/ (did you mean 'training'?)",
    }
    for rel in cases:
        write(example_site, rel, visit)
    write(example_site, "data/interactions/2026/visit.yaml~", visit)  # an editor's backup
    write(example_site, "data/physicians/notes.txt", "name: [\n")  # other files: ignored
    write(example_site, "templates/palette.yaml", 'primary: "#1d4ed8"\n')  # a site's settings
    res = validate(example_site)
    assert res.code == 0, res.dump()
    assert sorted((d.path, d.msg) for d in res.new) == sorted(cases.items()), res.dump()
    assert all(d.sev == "warning" and (d.line, d.col) == (1, 1) for d in res.new)
    strict = validate(example_site, "--strict")
    assert {d.path for d in strict.warnings} == set(cases), strict.dump()



def test_a_spreadsheets_text_export_beside_the_referral_files_is_named(example_site):
    # Excel's "Unicode Text" (UTF-16, tab-separated) and "Text (Tab delimited)" save as .txt:
    # such a file of referrals was left out with "ok" and no word; a note is still ignored
    rows = "date\tsource\tphysician\tservice\r\n2026-11-02\tweb\t\tsclerotherapy\r\n"
    (example_site / "data/referrals/2026-h2.txt").write_bytes(
        b"\xff\xfe" + rows.encode("utf-16-le"))
    write(example_site, "data/referrals/nov/2026-11.txt", rows.replace("date", "Date"))
    write(example_site, "data/referrals/notes.txt", "Ask the front desk: date and source.\n")
    # a CSV file Notepad saved with .txt after its name is to be renamed, not exported again
    write(example_site, "data/referrals/2026-10.csv.txt", rows.replace("\t", ","))
    res = validate(example_site)
    assert res.code == 0, res.dump()
    said = ("not read: referral files end in .csv, .yaml or .yml; a spreadsheet's text export "
            "is not read: export it as CSV UTF-8 into this folder")
    assert sorted((d.path, d.msg, d.sev, d.line, d.col) for d in res.new) == [
        ("data/referrals/2026-10.csv.txt", "not read: referral files end in .csv, .yaml or "
                                           ".yml: rename it to 2026-10.csv", "warning", 1, 1),
        ("data/referrals/2026-h2.txt", said, "warning", 1, 1),
        ("data/referrals/nov/2026-11.txt", said, "warning", 1, 1)], res.dump()


def test_records_put_beside_site_yaml_are_named_not_lost_in_silence(example_site):
    # a visit the field-logging page downloaded, uploaded on the repository's front page
    # (GitHub's "Upload files" puts it at the root), and a kind's folder moved out of data/:
    # read nowhere, and validate said "ok"
    visit = "date: 2026-11-02\nliaison: lena-brooks\ntype: call\nsummary: Called.\n"
    logged = write(example_site, "02-french-broad-podiatry-lena-brooks-103000.yaml", visit)
    again = write(example_site, "02-french-broad-podiatry-lena-brooks-103000 (1).yaml", visit)
    write(example_site, "interactions/2026/visit.yaml", visit)
    write(example_site, "physicians/pat-doe.yaml", PHYSICIAN)
    write(example_site, "mkdocs.yml", "site_name: Notes\n")  # other files: no word
    write(example_site, "2026-plan.yaml", "goals: []\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    assert sorted((d.path, d.sev, d.line, d.col, d.msg) for d in res.new) == sorted(
        [(rel, "warning", 1, 1, "not read: interactions are read from data/interactions/, not "
                                "from beside site.yaml: move it to data/interactions/YYYY/MM/ "
                                "(the folders the field-logging page names)")
         for rel in (logged, again)]
        + [(name, "warning", 1, 1, f"not read: {what} files are read from data/{name}/, not "
                                   f"from {name}/ beside site.yaml: move the folder into data/")
           for name, what in (("interactions", "interaction"), ("physicians", "physician"))]
    ), res.dump()


def test_the_extensions_the_file_formats_call_ignored_get_no_word(example_site):
    """docs/file-formats.md lists the extensions of files that are ignored; it listed `.xlsx`,
    which beside the referral files is a warning (printed on every pull request). Each extension it lists is read nowhere and said nowhere, in
    every folder of the data, and the section says which files get a warning instead."""
    doc = (REPO / "docs" / "file-formats.md").read_text(encoding="utf-8")
    section = doc[doc.index("### Files that are ignored"):doc.index("### Only regular files")]
    listed = re.search(r"files with other extensions than the ones above \(([^)]*)\)", section)[1]
    extensions = re.findall(r"`(\.[a-z]+)`", listed)
    assert extensions
    folders = ("data/practices", "data/physicians", "data/team", "data/interactions",
               "data/referrals", "content/training", "content/presentations")
    for ext in extensions:
        for folder in folders:
            write(example_site, f"{folder}/notes{ext}", "name: [\n")
    res = validate(example_site)
    assert res.code == 0 and res.new == [], res.dump()
    for warned in ("visit.yaml.txt", ".ymal", ".xlsx", "data/interaction/", "~$"):
        assert warned in section, warned



def test_the_file_formats_list_of_warnings_names_each_warning(example_site):
    """docs/file-formats.md §4 lists what `validate` warns of (an error with --strict, which CI
    may run): a `next_visit` before its interaction, an interaction written twice, a number
    with a leading zero and a website that is no address were warned of and not listed."""
    twice = ("- date: 2026-11-02\n  liaison: lena-brooks\n  type: call\n"
             "  practice: french-broad-podiatry\n  summary: Called.\n  next_visit: 2026-10-02\n")
    cases = {  # what the file says → what the section must name
        "data/interactions/2026/twice.yaml": (twice + twice, ("`next_visit`", "field for field")),
        "data/referrals/zero.yaml": ("- {date: 2026-10-02, source: web, service: sclerotherapy, "
                                     "count: 010}\n", ("leading zero",)),
    }
    for rel, (text, _names) in cases.items():
        write(example_site, rel, text)
    practice = example_site / "data/practices/french-broad-podiatry.yaml"
    practice.write_text(re.sub(r"(?m)^website:.*\n", "", practice.read_text(encoding="utf-8"))
                        + "website: see Facebook\n", encoding="utf-8")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    warned = {d.path for d in res.new if d.sev == "warning"}
    assert warned == {*cases, "data/practices/french-broad-podiatry.yaml"}, res.dump()
    doc = (REPO / "docs" / "file-formats.md").read_text(encoding="utf-8")
    section = doc[doc.index("### Warnings"):doc.index("### Options and exit codes")]
    for names in [n for _t, n in cases.values()] + [("`website`",)]:
        for name in names:
            assert name in section, name



def test_the_file_formats_list_of_errors_names_each_kind(example_site):
    """docs/file-formats.md §4 lists what `validate` refuses: a merge conflict left in a file,
    a site's palette and talking points, and a logo that is no PNG or JPEG are errors (and stop
    `build`) that the list did not name."""
    cases = {  # file → (its text, what the section must name)
        "data/team/conflict.yaml": ("<<<<<<< HEAD\nname: A\n=======\nname: B\n>>>>>>> b\n",
                                    "merge conflict"),
        "templates/palette.yaml": ("primary: blue\n", "`templates/palette.yaml`"),
        "templates/talking-points.yaml": ("family medicine: [no-such-service]\n",
                                          "`templates/talking-points.yaml`"),
        "templates/assets/logo.png": (b"GIF89a", "logo"),
    }
    for rel, (text, _name) in cases.items():
        write(example_site, rel, text)
    res = validate(example_site)
    assert {d.path for d in res.errors} == set(cases), res.dump()
    doc = (REPO / "docs" / "file-formats.md").read_text(encoding="utf-8")
    section = doc[doc.index("### Errors"):doc.index("### Warnings")]
    for _text, name in cases.values():
        assert name in section, name



def test_the_readme_guide_link_example_works_on_the_sample_site(tmp_path):
    """The README shows a link from one guide to a part of another with the sample site's
    guide, `front-desk-phone-skills.md#…`; the part it named, `#greeting`, is no heading of
    that guide, so the example copied into the sample site was a warning, not a working link."""
    import shutil

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    link = re.search(r"`(\[[^\]]+\]\(front-desk-phone-skills\.md#[^)]+\))`", readme)[1]
    site = tmp_path / "site"
    site.mkdir()
    for part in ("site.yaml", "data", "content", "templates"):
        (shutil.copytree if (REPO / part).is_dir() else shutil.copy)(REPO / part, site / part)
    write(site, "content/training/linking.md",
          f"---\ntitle: Linking\naudience: all\n---\n# Linking\n\nRead {link}.\n")
    res = validate(site, "--as-of", "2026-12-05")
    assert res.code == 0 and not [d for d in res.diags if "linking.md" in d.path], res.dump()


def test_a_character_that_prints_as_nothing_is_shown_in_the_message(example_site):
    # a zero-width space pasted with an id, a BOM in a CSV cell, a NUL: on a terminal the
    # message read "type: 'call' is not one of …, 'call', … (did you mean 'call'?)", and the
    # NUL or an escape sequence went to the terminal as it was
    interaction = write(example_site, "data/interactions/2026/zw.yaml",
                        "date: 2026-11-02\nliaison: lena-brooks\ntype: call\u200b\nsummary: Called.\n")
    physician = write(example_site, "data/physicians/pat-doe.yaml",
                      PHYSICIAN + "potential: hi\u00adgh\u200d\n")
    csv = write(example_site, "data/referrals/zw.csv",
                "source,date,service,status\nweb,2026-10-17,sclerotherapy,refer\x00red\n"
                "\ufeffweb,2026-10-18,sclerotherapy,referred\n")
    res = validate(example_site)
    assert res.code == 1
    assert res.expect(interaction, 3, 7).msg == (
        "type: 'call<U+200B>' is not one of 'visit', 'lunch', 'presentation', 'event', 'call', "
        "'email' or 'other' (did you mean 'call'?) (<U+200B>: an invisible character, as pasted "
        "text often holds: delete it)")
    assert res.expect(physician, 4, 12).msg.endswith(
        "'hi<U+00AD>gh<U+200D>' is not one of 'high', 'medium' or 'low' (did you mean 'high'?) "
        "(<U+00AD>, <U+200D>: invisible characters, as pasted text often holds: delete them)")
    res.expect(csv, 2, 1, "status: 'refer<U+0000>red' is not one of", "<U+0000>: an invisible")
    res.expect(csv, 3, 1, "source: '<U+FEFF>web' is not one of", "<U+FEFF>: an invisible")
    assert all(line.isprintable() for line in res.stderr), res.stderr


def test_a_source_left_empty_or_written_in_words_says_what_to_write(example_site):
    # the front desk's spreadsheet: a source left empty because nobody asked read only
    # "required field is missing", and "Dr. Smith's office" only the list of values
    csv = write(example_site, "data/referrals/week.csv",
                "source,date,service,status\n,2026-10-17,sclerotherapy,referred\n"
                "Dr. Smith's office,2026-10-18,sclerotherapy,referred\n"
                "advertsing,2026-10-18,sclerotherapy,referred\n")
    listed = write(example_site, "data/referrals/week.yaml",
                   "- {date: 2026-10-19, service: sclerotherapy}\n")
    res = validate(example_site)
    assert res.code == 1
    for path, line in ((csv, 2), (listed, 1)):
        res.expect(path, line, 1 if path == csv else 3, "source: required field is missing",
                   "write 'unknown' when nobody asked")
    res.expect(csv, 3, 1, "not one of", "a doctor or their office is 'physician'",
               "'other'", "'unknown' is for nobody asked")
    close = res.expect(csv, 4, 1, "not one of")
    assert close.msg.endswith("(did you mean 'advertising'?)"), close.msg


def test_a_patients_details_typed_into_a_referral_cell_are_not_quoted_back(example_site):
    # a name and a phone number, a name and a birth date, an e-mail address: none has the
    # word (pt, DOB) the guard's kinds need, and each was quoted back in the message, into
    # the CI log: "source: 'Jane Roe 555-201-3344' is not one of …"
    csv = write(example_site, "data/referrals/week.csv",
                "source,date,service,physician,status,taken_by,declined_reason\n"
                "Jane Roe 555-201-3344,2026-10-17,sclerotherapy,,referred,,\n"
                "web,2026-10-17,sclerotherapy,,declined,,\"Roe, Jane 03/04/1956\"\n"
                "web,2026-10-17,sclerotherapy,,referred,jane.roe@example.com,\n"
                "web,11/2/2026,sclerotherapy,,referred,,\n"
                "Dr. Smith's office,2026-10-17,sclerotherapy,,referred,,\n")
    for args in ((), ("--format", "github")):
        res = validate(example_site, *args)
        assert res.code == 1
        out = "\n".join(res.stderr) + res.stdout
        for detail in ("Roe", "555", "1956", "jane.roe"):
            assert detail not in out, out
    res = validate(example_site)
    for line, column, what in ((2, "source", "one of physician"), (4, "taken_by", "a team member's id")):
        res.expect(csv, line, 1, f"{column}: not quoted here", "delete it", what)
    # (a last name, a first name and a birth date of the last century: the guard's own error,
    # the value withheld in the other message)
    res.expect(csv, 3, 1, "declined_reason", "patient's name", pattern=PATIENT_MSG)
    res.expect(csv, 3, 1, "declined_reason: '…' is not one of")
    # what holds no such detail is still quoted, with its hint
    res.expect(csv, 5, 1, "'11/2/2026'", "2026-11-02")
    res.expect(csv, 6, 1, "'Dr. Smith's office'", "'physician'")


@pytest.mark.parametrize("key", ["tags[0]", "list[str]", "0["])
def test_unknown_key_with_brackets_is_reported_not_a_traceback(example_site, key):
    text = PHYSICIAN + f'"{key}": x\n'
    rel = write(example_site, "data/physicians/pat-doe.yaml", text)
    res = validate(example_site)  # raises AssertionError on a traceback
    assert res.code == 1
    res.expect(rel, 4, 1, key, "unknown")


def test_missing_site_yaml(example_site):
    # a site root whose site.yaml was deleted (a pull request's slip): not "run the command
    # in the site's folder … or start a new site with `liaison init`", as in a folder that is
    # no site at all: this one is the site's folder
    (example_site / "site.yaml").unlink()
    res = validate(example_site)
    assert res.code == 1
    assert res.expect("site.yaml", 1, 1).msg == (
        "missing site.yaml: every site root needs one (our practice and its service lines): "
        "this folder holds data/practices/ as a site root does: put its site.yaml back "
        "(deleted or renamed?)")
    # a home folder with a data/ folder of its own is no site root
    home = example_site.parent / "home"
    (home / "data").mkdir(parents=True)
    assert validate(home).expect("site.yaml", 1, 1).msg.endswith(
        "or start a new site with `liaison init`")


@pytest.mark.parametrize("name, hint", [
    ("site.YAML", "name it site.yaml (the settings file is read by that name only, in lower case)"),
    ("Site.yml", "name it site.yml (the settings file is read by that name only, in lower case)"),
    ("site.yaml.txt", "name it site.yaml (an editor added '.txt'"),
])
def test_a_site_yaml_spelled_otherwise_is_named_with_its_rename(example_site, name, hint):
    # `site.YAML` (record files are read whatever the case of their extension) or Notepad's
    # `site.yaml.txt` said "put its site.yaml back (deleted or renamed?)" of a file that is there
    (example_site / "site.yaml").rename(example_site / name)
    if (example_site / "site.yaml").exists():
        pytest.skip("a file system that ignores case finds site.yaml as it is")
    res = validate(example_site)
    assert res.code == 1
    msg = res.expect("site.yaml", 1, 1).msg
    assert msg.startswith("missing site.yaml: "), msg
    assert f"this folder holds '{name}': {hint}" in msg, msg
    assert "deleted or renamed?" not in msg


def test_a_folder_named_like_a_record_file_is_named_not_lost_in_silence(example_site):
    # a folder where a file was meant (`mkdir data/physicians/pat-doe.yaml`, an unzip that
    # made folders of names): "ok" and no word, the physician simply absent; site.yaml as a
    # folder was "missing site.yaml … put its site.yaml back (deleted or renamed?)"
    for rel in ("data/physicians/pat-doe.yaml", "data/referrals/2026-11.csv",
                "content/training/intake.md"):
        (example_site / rel).mkdir(parents=True)
    res = validate(example_site)
    assert res.code == 0, res.dump()
    for rel in ("data/physicians/pat-doe.yaml", "data/referrals/2026-11.csv",
                "content/training/intake.md"):
        d = res.expect(rel, 1, 1, severity="warning")
        assert d.msg.startswith(f"not read: '{rel.rsplit('/', 1)[-1]}' is a folder, not a file")
    assert validate(example_site, "--strict").expect("data/referrals/2026-11.csv", 1, 1,
                                                     severity="warning")
    (example_site / "site.yaml").unlink()
    (example_site / "site.yaml").mkdir()
    res = validate(example_site)
    assert res.code == 1
    d = res.expect("site.yaml", 1, 1)
    assert d.msg.startswith("'site.yaml' is a folder, not a file"), d.msg
    assert "missing" not in d.msg


def test_a_site_yml_folder_beside_site_yaml_is_a_warning_not_an_error(example_site):
    # it was an error, "'site.yml' is a folder, not a file: the site's settings are a file of
    # that name: put it in the folder's place", beside the site.yaml that holds them
    (example_site / "site.yml").mkdir()
    res = validate(example_site)
    assert res.code == 0, res.dump()
    d = res.expect("site.yml", 1, 1, severity="warning")
    assert d.msg == ("not read: 'site.yml' is a folder, not a file; site.yaml is the site's "
                     "settings file"), d.msg


def test_a_folder_that_is_no_site_root_says_where_to_run(example_site, tmp_path):
    # `liaison validate` typed in the wrong folder (the site's data/, or the home folder)
    # said only "missing site.yaml: every site root needs one", which reads as a file to
    # write, not as a command run in the wrong place
    res = validate(example_site / "data" / "physicians")
    assert res.code == 1
    assert res.expect("site.yaml", 1, 1).msg == (
        "missing site.yaml: every site root needs one (our practice and its service lines): "
        f"the site root is '{example_site}', which holds one: run the command there, or give "
        f"--root {example_site}")
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    res = validate(elsewhere)
    assert res.code == 1
    assert res.expect("site.yaml", 1, 1).msg == (
        "missing site.yaml: every site root needs one (our practice and its service lines): "
        "run the command in the site's folder (or give it with --root), or start a new site "
        "with `liaison init`")


# --------------------------------------------------------------------------- fields


def test_a_list_written_as_text_says_how_to_write_it(example_site):
    # `office_days: Tue, Wed` (the scaffold's `# office_days: []` uncommented and filled in
    # as a person writes a list) said "expected a list, got the text 'Tue, Wed'", not how
    text = ("name: Pat Doe\nspecialty: Family Medicine\npractice: french-broad-podiatry\n"
            "office_days: tue, wed\ninterests: vein care\ntags: 'a: b, c'\n")
    rel = write(example_site, "data/physicians/pat-doe.yaml", text)
    visit = write(example_site, "data/interactions/2026/b.yaml", INTERACTION.replace(
        "summary:", "physicians: pat-doe, ruth-kessler\nsummary:"))
    res = validate(example_site)
    assert res.expect(rel, 4, 14).msg == (
        "office_days: expected a list, got the text 'tue, wed': write its items in brackets, "
        "[tue, wed], or each on a line of its own after '- '")
    assert res.expect(rel, 5, 12).msg == (
        "interests: expected a list, got the text 'vein care': write its items in brackets, "
        "[vein care], or each on a line of its own after '- '")
    # text that brackets alone would not make a list of: no example
    assert res.expect(rel, 6, 7).msg == (
        "tags: expected a list, got the text 'a: b, c': write its items each on a line of its "
        "own after '- '")
    assert res.expect(visit, 5, 13).msg == (
        "physicians: expected a list, got the text 'pat-doe, ruth-kessler': write its items in "
        "brackets, [pat-doe, ruth-kessler], or each on a line of its own after '- '")
    assert_only_errors(res, {(rel, 4, 14), (rel, 5, 12), (rel, 6, 7), (visit, 5, 13)})



def test_unknown_field_with_did_you_mean(example_site):
    text = "name: Pat Doe\nspeciality: Family Medicine\npractice: french-broad-podiatry\n"
    rel = write(example_site, "data/physicians/pat-doe.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    # the unknown key, at the key
    d = res.expect(rel, 2, 1, "speciality", "did you mean 'specialty'")
    assert d.msg.startswith("speciality: ")
    # and `specialty` itself is missing: at the record's mapping
    res.expect(rel, 1, 1, "specialty", "missing")
    assert_only_errors(res, {(rel, 2, 1), (rel, 1, 1)})


def test_a_team_member_marked_as_gone_or_new_is_told_how_the_records_say_it(example_site):
    # The manager marks a liaison who left and one who joined the way a spreadsheet would.
    # `role: former liaison` got "(did you mean 'liaison'?)", which would keep her in the
    # liaisons' table and call plans, and `left:`, `active:`, `start_date:` and `territory:`
    # a bare "unknown field": nothing said that the records have no such field, nor what to
    # write instead.
    gone = ("name: Lena Brooks\nrole: former liaison\nleft: 2026-11-01\nactive: false\n")
    new = "name: Kim Ruiz\nrole: liaison\nstart_date: 2026-07-01\nterritory: Asheville\n"
    g = write(example_site, "data/team/lena-brooks.yaml", gone)
    n = write(example_site, "data/team/kim-ruiz.yaml", new)
    res = validate(example_site)
    d = res.expect(g, 2, 7, "role: 'former liaison' is not one of", "`role: other`")
    assert "did you mean" not in d.msg
    for line, key in ((3, "left"), (4, "active")):
        d = res.expect(g, line, 1, f"{key}: unknown field", "`role: other`", "`owner:`")
    for line, key in ((3, "start_date"), (4, "territory")):
        res.expect(n, line, 1, f"{key}: unknown field", "`liaison: kim-ruiz`")
    # a slip still gets its hint
    write(example_site, "data/team/kim-ruiz.yaml", "name: Kim Ruiz\nrole: liason\nemial: k@x.example\n")
    res = validate(example_site)
    res.expect(n, 2, 7, "did you mean 'liaison'")
    res.expect(n, 3, 1, "did you mean 'email'")


def test_unknown_field_nested_and_in_referral_yaml(example_site):
    practice = "name: P\nstaff:\n  - name: Ann\n    rool: office manager\n"
    p = write(example_site, "data/practices/p.yaml", practice)
    referrals = "- date: 2026-02-03\n  source: web\n  sevice: sclerotherapy\n"
    r = write(example_site, "data/referrals/r.yaml", referrals)
    res = validate(example_site)
    assert res.code == 1
    d = res.expect(p, 4, 5, "did you mean 'role'")
    assert d.msg.startswith("staff[0].rool: ")
    d = res.expect(r, 3, 3, "did you mean 'service'")
    assert d.msg.startswith("[0].sevice: ")


def test_a_tier_written_as_its_number_of_days_says_what_to_write(example_site):
    # `tiers: {A: 30}` said "expected a record's fields (lines `field: value`), got the text
    # '30'": not what to write
    site = (example_site / "site.yaml").read_text(encoding="utf-8")
    text = site.replace("thresholds:", "tiers:\n  A: 30\n  B: {visit_every_days: 60}\n"
                                       "  C: {visit_every_days: 120}\nthresholds:", 1)
    write(example_site, "site.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    line, col = at(text, "30\n")
    d = res.expect("site.yaml", line, col)
    assert d.msg == ("tiers.A: expected the tier's fields, got the number 30: write "
                     "{visit_every_days: 30}")
    assert_only_errors(res, {("site.yaml", line, col)})


def test_an_empty_tier_key_is_said_at_the_key(example_site):
    # it said "tiers..[key]: must not be empty" (pydantic's place of a mapping's key)
    site = (example_site / "site.yaml").read_text(encoding="utf-8")
    text = site.replace("thresholds:", "tiers:\n  A: {visit_every_days: 30}\n"
                                       "  '': {visit_every_days: 10}\nthresholds:", 1)
    write(example_site, "site.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    line, col = at(text, "''")
    d = res.expect("site.yaml", line, col)
    assert d.msg == "tiers: key '': must not be empty"
    assert_only_errors(res, {("site.yaml", line, col)})


def test_unknown_field_of_a_tier_gets_did_you_mean(example_site):
    # `tiers: {A: {visit_every_day: 30}}` said "unknown field" with no hint: the hint looked
    # for a field named 'A' in site.yaml (a tier's key, not a field)
    site = (example_site / "site.yaml").read_text(encoding="utf-8")
    text = site.replace("thresholds:", "tiers:\n  A: {visit_every_day: 30}\nthresholds:", 1)
    write(example_site, "site.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    line, col = at(text, "visit_every_day")
    d = res.expect("site.yaml", line, col, "did you mean 'visit_every_days'")
    assert d.msg == "tiers.A.visit_every_day: unknown field (did you mean 'visit_every_days'?)"


@pytest.mark.parametrize(
    "rel, text, line, col, field",
    [
        # missing `specialty`: the record mapping starts at 1:1
        ("data/physicians/pat-doe.yaml", "name: Pat Doe\npractice: french-broad-podiatry\n",
         1, 1, "specialty"),
        ("data/team/sam.yaml", "name: Sam\n", 1, 1, "role"),
        ("data/interactions/no-summary.yaml", INTERACTION.replace("summary: Called the office.\n", ""),
         1, 1, "summary"),
        ("site.yaml", "practice:\n  phone: 555\nservices:\n  - key: a\n    name: A\n",
         2, 3, "practice.name"),
    ],
    ids=["physician", "team", "interaction", "site-nested"],
)
def test_missing_required_field_points_at_the_record_mapping(example_site, rel, text, line, col, field):
    write(example_site, rel, text)
    res = validate(example_site)
    assert res.code == 1
    d = res.expect(rel, line, col, "missing")
    assert d.msg.startswith(f"{field}: "), d


def test_missing_required_field_in_a_list_file(example_site):
    text = (
        "- date: 2026-02-03\n"        # 1
        "  liaison: lena-brooks\n"    # 2
        "  type: call\n"              # 3
        "  practice: french-broad-podiatry\n"
        "  summary: Called.\n"        # 5
        "- date: 2026-02-04\n"        # 6   record [1] starts at 6:3, has no summary
        "  liaison: lena-brooks\n"
        "  type: call\n"
        "  practice: french-broad-podiatry\n"
        "  follow_ups:\n"             # 10
        "    - task: Send cards\n"    # 11
        "      due: 2026-02-05\n"
        "    - task: Call back\n"     # 13  follow_ups[1] starts at 13:7, has no due
    )
    rel = write(example_site, "data/interactions/list.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    d = res.expect(rel, 6, 3, "missing")
    assert d.msg.startswith("[1].summary: ")
    d = res.expect(rel, 13, 7, "missing")
    assert d.msg.startswith("[1].follow_ups[1].due: ")
    assert_only_errors(res, {(rel, 6, 3), (rel, 13, 7)})


def test_empty_required_string(example_site):
    text = 'name: "   "\nspecialty: Family Medicine\npractice: french-broad-podiatry\n'
    rel = write(example_site, "data/physicians/pat-doe.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    d = res.expect(rel, 1, 7)
    assert d.msg.startswith("name: ")


@pytest.mark.parametrize("role", ["liaison", "manager", "front-desk", "clinical", "physician",
                                  "other"])
def test_every_role_of_the_spec_is_a_role(example_site, role):
    write(example_site, "data/team/sam.yaml", f"name: Sam\nrole: {role}\n")
    res = validate(example_site)
    assert res.new == [], res.dump()


def test_an_id_left_empty_says_it_is_empty_not_like_some_other_id(example_site):
    """`liaison: ""` or `practice: ''` said "'' is not a valid id: use lower-case letters,
    digits and single hyphens (like 'mountain-view-family')": an id nobody wrote, of no
    record of the site."""
    text = "name: Pat Doe\nspecialty: X\npractice: ''\nliaison: \"  \"\n"
    rel = write(example_site, "data/physicians/pat-doe.yaml", text)
    inter = INTERACTION + "deck: ''\n"
    i = write(example_site, "data/interactions/x.yaml", inter)
    res = validate(example_site)
    assert res.code == 1
    for path, line, col, field in ((rel, *at(text, "''"), "practice"),
                                   (rel, *at(text, '"  "'), "liaison"),
                                   (i, *at(inter, "''"), "deck")):
        d = res.expect(path, line, col, "empty")
        assert d.msg.startswith(f"{field}: ") and "mountain-view" not in d.msg, d
    assert_only_errors(res, {(rel, 3, 11), (rel, 4, 10), (i, 6, 7)})


@pytest.mark.parametrize(
    "field, value, expect",
    [
        ("specialty", "[Family, Medicine]", re.compile(r"text|str", re.I)),
        ("name", "{first: Pat}", re.compile(r"text|str", re.I)),
        ("interests", "{a: b}", re.compile(r"list", re.I)),
        ("office_days", "monday-to-friday", re.compile(r"list", re.I)),
    ],
)
def test_ill_typed_field(example_site, field, value, expect):
    base = {"name": "Pat Doe", "specialty": "Family Medicine", "practice": "french-broad-podiatry"}
    base[field] = value
    text = "".join(f"{k}: {v}\n" for k, v in base.items())
    rel = write(example_site, "data/physicians/pat-doe.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    line, col = at(text, value)
    d = res.expect(rel, line, col, pattern=expect)
    assert d.msg.startswith(f"{field}: "), d
    assert_only_errors(res, {(rel, line, col)})


@pytest.mark.parametrize(
    "rel, text, needle, path, hint",
    [
        ("data/team/sam.yaml", "name: Sam\nrole: liason\n", "liason", "role", "liaison"),
        ("data/interactions/x.yaml", INTERACTION.replace("type: call", "type: vist"), "vist",
         "type", "visit"),
        ("data/interactions/x.yaml", INTERACTION + "outcome: postive\n", "postive", "outcome",
         "positive"),
        ("data/physicians/pat-doe.yaml", PHYSICIAN + "office_days: [mon, tues]\n", "tues",
         "office_days[1]", "tue"),
        ("data/referrals/r.yaml",
         "- {date: 2026-02-03, source: web, service: sclerotherapy, status: sheduled}\n",
         "sheduled", "[0].status", "scheduled"),
        ("data/referrals/r.yaml",
         "- {date: 2026-02-03, source: webb, service: sclerotherapy}\n",
         "webb", "[0].source", "web"),
        ("content/training/g.md", "---\ntitle: G\naudience: clinicle\n---\nBody\n", "clinicle",
         "audience", "clinical"),
    ],
    ids=["role", "type", "outcome", "office-day", "ref-status", "ref-source", "audience"],
)
def test_bad_enum_value_with_hint(example_site, rel, text, needle, path, hint):
    write(example_site, rel, text)
    res = validate(example_site)
    assert res.code == 1
    line, col = at(text, needle)
    d = res.expect(rel, line, col, f"'{needle}'", f"did you mean '{hint}'")
    assert d.msg.startswith(f"{path}: "), d
    assert_only_errors(res, {(rel, line, col)})


@pytest.mark.parametrize("bad", ["2026-02-30", "2026-8-5", "2026-13-01", '"2026-02-30"',
                                 "02/03/2026", "2026-02-03T10:00:00"])
def test_bad_date_in_yaml_record(example_site, bad):
    text = INTERACTION.replace("date: 2026-02-03", f"date: {bad}")
    rel = write(example_site, "data/interactions/bad-date.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    d = res.expect(rel, 1, 7, bad.strip('"'))
    assert d.msg.startswith("date: ")
    assert_only_errors(res, {(rel, 1, 7)})


@pytest.mark.parametrize("stamp", ["2026-02-03T10:00:00", "2026-02-03 14:30",
                                   "2026-02-03T14:30:00Z", "2026-02-03T14:30:00-05:00",
                                   "2026-02-03 2:30 PM"])
def test_a_date_with_a_time_of_day_says_the_day_to_write(example_site, stamp):
    """A timestamp copied from a calendar or a form said only "write YYYY-MM-DD" (a
    spreadsheet's midnight, "2026-02-03 00:00:00", already had its hint). The hint sent the
    time of day to the summary or the notes, which a referral row has not."""
    text = INTERACTION.replace("date: 2026-02-03", f"date: {stamp}")
    rel = write(example_site, "data/interactions/timed.yaml", text)
    c = write(example_site, "data/referrals/timed.csv",
              f"date,source,physician,service,status\n{stamp},web,,sclerotherapy,\n")
    res = validate(example_site)
    assert res.code == 1
    for d in (res.expect(rel, 1, 7, f"date: '{stamp}' is not a date: write YYYY-MM-DD"),
              res.expect(c, 2, 1, f"date: '{stamp}' is not a date: write YYYY-MM-DD")):
        assert "(2026-02-03: a date is the day alone, with no time of day)" in d.msg, d
        assert "summary" not in d.msg  # a referral row has none to hold the time
    assert_only_errors(res, {(rel, 1, 7), (c, 2, 1)})


@pytest.mark.parametrize("bad, hint", [
    ("2026\u201102\u201103", "'\u2011' (U+2011) where a hyphen '-' belongs"),  # non-breaking hyphen
    ("2026\u201302\u201303", "'\u2013' (U+2013) where a hyphen '-' belongs"),  # en dash
    ("2026\u221202\u221203", "'\u2212' (U+2212) where a hyphen '-' belongs"),  # minus sign
    ("\uff12\uff10\uff12\uff16-02-03", "'\uff12' (U+FF12) where an ASCII digit belongs"),
])
def test_a_date_that_looks_right_says_which_character_is_not(example_site, bad, hint):
    """A date pasted from a word processor or a web page can hold a dash that is no hyphen, or
    digits of another width: it read "'2026‑02‑03' is not a date: write YYYY-MM-DD", which
    is what the author sees written."""
    text = INTERACTION.replace("date: 2026-02-03", f"date: {bad}")
    rel = write(example_site, "data/interactions/pasted.yaml", text)
    csv_text = f"date,source,physician,service,status\n{bad},web,,sclerotherapy,\n"
    c = write(example_site, "data/referrals/pasted.csv", csv_text)
    res = validate(example_site)
    assert res.code == 1
    for d in (res.expect(rel, 1, 7, f"'{bad}' is not a date: write YYYY-MM-DD"),
              res.expect(c, 2, 1, f"'{bad}' is not a date: write YYYY-MM-DD")):
        assert hint in d.msg and "retype" in d.msg, d
    assert_only_errors(res, {(rel, 1, 7), (c, 2, 1)})


@pytest.mark.parametrize("quoted", ["' 2026-02-03'", '"2026-02-03 "', '"\\t2026-02-03"'])
def test_a_quoted_date_with_spaces_around_it_is_that_date(example_site, quoted):
    """Strings are stripped (SPEC §2), a date written as one too, as a CSV cell's is: it said
    "expected a date (YYYY-MM-DD), got the text ' 2026-02-03'" of a date written so."""
    text = INTERACTION.replace("date: 2026-02-03", f"date: {quoted}")
    write(example_site, "data/interactions/spaced.yaml", text)
    team = f"name: Sam\nrole: liaison\ntrainings:\n  - guide: referral-source-basics\n    completed: {quoted}\n"
    write(example_site, "data/team/sam.yaml", team)
    res = validate(example_site)
    assert res.errors == [], res.dump()
    before = stats_json(example_site)["totals"]["interactions"]
    (example_site / "data/interactions/spaced.yaml").write_text(INTERACTION, encoding="utf-8")
    assert stats_json(example_site)["totals"]["interactions"] == before


SPACED = {  # rel -> (text with quoted ids and choices spaced, the same text trimmed)
    "data/interactions/spaced.yaml": (
        "date: 2026-02-03\nliaison: ' lena-brooks '\ntype: ' visit '\n"
        "practice: ' mountain-view-family-medicine '\nphysicians: [' grace-holloway ']\n"
        "summary: Dropped off cards.\noutcome: 'positive '\ndeck: ' venous-basics'\n"
        "follow_ups:\n  - {task: Call back, due: 2026-02-10, owner: ' owen-price '}\n"),
    "data/physicians/pat-doe.yaml": (
        "name: Pat Doe\nspecialty: Family Medicine\npractice: ' french-broad-podiatry '\n"
        "liaison: 'lena-brooks '\noffice_days: [' mon', 'wed ']\npotential: ' high '\n"),
    "data/team/sam.yaml": (
        "name: Sam\nrole: ' front-desk '\ntrainings:\n"
        "  - {guide: ' referral-source-basics ', completed: 2026-02-01}\n"),
    "content/training/spaced.md": "---\ntitle: Spaced\naudience: ' liaison '\n---\nBody\n",
}


def test_ids_and_choices_written_with_spaces_around_them_are_those_values(example_site):
    """All strings are stripped (SPEC §2): `practice: ' french-broad-podiatry '` or
    `type: ' visit '` in quotes are that id and that choice, as they are in a referral's
    YAML or CSV. They were errors in the other records ("String should match pattern
    '^[a-z0-9]+(-[a-z0-9]+)*$'", "' visit ' is not one of …")."""
    for rel, text in SPACED.items():
        write(example_site, rel, text)
    res = validate(example_site)
    assert res.new == [], res.dump()
    spaced = stats_json(example_site)
    for rel, text in SPACED.items():
        write(example_site, rel, re.sub(r"'\s*([a-z-]+?)\s*'", r"\1", text))
    assert "' " not in (example_site / "data/physicians/pat-doe.yaml").read_text()
    assert stats_json(example_site) == spaced


@pytest.mark.parametrize("bad", ["2026-02-30", "2026-8-5"])
def test_bad_date_nested_and_in_referrals(example_site, bad):
    team = f"name: Sam\nrole: liaison\ntrainings:\n  - guide: referral-source-basics\n    completed: {bad}\n"
    t = write(example_site, "data/team/sam.yaml", team)
    refs = f"- {{date: {bad}, source: web, service: sclerotherapy}}\n"
    r = write(example_site, "data/referrals/r.yaml", refs)
    csv_text = f"date,source,physician,service,status\n2026-02-03,web,,sclerotherapy,\n{bad},web,,sclerotherapy,\n"
    c = write(example_site, "data/referrals/r.csv", csv_text)
    res = validate(example_site)
    assert res.code == 1
    d = res.expect(t, 5, 16, bad)
    assert d.msg.startswith("trainings[0].completed: ")
    d = res.expect(r, *at(refs, bad), bad)
    assert d.msg.startswith("[0].date: ")
    d = res.expect(c, 3, 1, bad)
    assert d.msg.startswith("date: ")
    assert_only_errors(res, {(t, 5, 16), (r, *at(refs, bad)), (c, 3, 1)})


# --------------------------------------------------------------------------- ids


@pytest.mark.parametrize(
    "rel",
    [
        "data/practices/Bad_Name.yaml",
        "data/practices/double--hyphen.yaml",
        "data/physicians/-leading.yaml",
        "data/practices/trailing-.yaml",
        "data/practices/lower_case_underscore.yaml",
        "data/team/Upper.yaml",
        "data/physicians/" + "a" * 65 + ".yaml",
        "content/training/Guide One.md",
    ],
    ids=["underscore", "double-hyphen", "leading-hyphen", "trailing-hyphen", "lower-underscore",
         "upper", "too-long", "space"],
)
def test_invalid_file_name_id(example_site, rel):
    if rel.endswith(".md"):
        content = "---\ntitle: G\naudience: all\n---\nBody\n"
    elif "/practices/" in rel:
        content = "name: P\n"
    elif "/team/" in rel:
        content = "name: T\nrole: other\n"
    else:
        content = PHYSICIAN
    write(example_site, rel, content)
    res = validate(example_site)
    assert res.code == 1
    stem = rel.rsplit("/", 1)[1].rsplit(".", 1)[0]
    res.expect(rel, 1, 1, stem, "id")
    assert_only_errors(res, {(rel, 1, 1)})


def test_64_character_id_is_valid(example_site):
    write(example_site, "data/practices/" + "a" * 64 + ".yaml", "name: P\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()


def test_duplicate_id_yaml_and_yml(example_site):
    a = write(example_site, "data/practices/a.yaml", "name: Practice A\n")
    b = write(example_site, "data/practices/a.yml", "name: Practice A again\n")
    res = validate(example_site)
    assert res.code == 1
    dups = [d for d in res.errors if "duplicate" in d.msg.lower()]
    assert dups, res.dump()
    for d in dups:
        assert d.place in {(a, 1, 1), (b, 1, 1)}, d
        other = b if d.path == a else a
        assert other in d.msg or "'a'" in d.msg, d
    assert {d.path for d in res.errors} <= {a, b}


def test_duplicate_id_of_an_existing_record(example_site):
    # alan-cho.yml exists in the example
    rel = write(example_site, "data/physicians/alan-cho.yaml", PHYSICIAN)
    res = validate(example_site)
    assert res.code == 1
    dups = [d for d in res.errors if "duplicate" in d.msg.lower() and "alan-cho" in d.msg]
    assert dups, res.dump()
    assert {d.place for d in dups} <= {(rel, 1, 1), ("data/physicians/alan-cho.yml", 1, 1)}


# --------------------------------------------------------------------------- references


REF_CASES = [
    pytest.param(
        "data/physicians/pat-doe.yaml",
        "name: Pat Doe\nspecialty: X\npractice: nowhere-clinic\n",
        [("nowhere-clinic", "practice", "practice")],
        id="physician.practice",
    ),
    pytest.param(
        "data/physicians/pat-doe.yaml", PHYSICIAN + "liaison: nobody\n",
        [("nobody", "liaison", "nobody")], id="physician.liaison",
    ),
    pytest.param(
        "data/physicians/pat-doe.yaml", PHYSICIAN + "tier: Z\n",
        [("Z", "tier", "tier")], id="physician.tier",
    ),
    pytest.param(
        "data/practices/p.yaml", "name: P\nliaison: nobody\n",
        [("nobody", "liaison", "nobody")], id="practice.liaison",
    ),
    pytest.param(
        "data/interactions/x.yaml", INTERACTION.replace("lena-brooks", "nobody"),
        [("nobody", "liaison", "nobody")], id="interaction.liaison",
    ),
    pytest.param(
        "data/interactions/x.yaml",
        INTERACTION.replace("french-broad-podiatry", "nowhere-clinic"),
        [("nowhere-clinic", "practice", "nowhere-clinic")], id="interaction.practice",
    ),
    pytest.param(
        "data/interactions/x.yaml",
        INTERACTION + "physicians: [ruth-kessler, no-such-doc]\n",
        [("no-such-doc", "physicians[1]", "no-such-doc")], id="interaction.physicians",
    ),
    pytest.param(
        "data/interactions/x.yaml", INTERACTION + "deck: no-such-deck\n",
        [("no-such-deck", "deck", "no-such-deck")], id="interaction.deck",
    ),
    pytest.param(
        "data/interactions/x.yaml",
        INTERACTION + "follow_ups:\n  - task: Send cards\n    due: 2026-02-10\n    owner: ghost\n",
        [("ghost", "follow_ups[0].owner", "ghost")], id="interaction.follow_up.owner",
    ),
    pytest.param(
        "data/referrals/r.yaml",
        "- {date: 2026-02-03, source: physician, physician: no-such-doc, service: sclerotherapy}\n",
        [("no-such-doc", "[0].physician", "no-such-doc")], id="referral.physician",
    ),
    pytest.param(
        "data/referrals/r.yaml",
        "- {date: 2026-02-03, source: web, service: botox}\n",
        [("botox", "[0].service", "botox")], id="referral.service",
    ),
    pytest.param(
        "data/team/sam.yaml",
        "name: Sam\nrole: liaison\ntrainings:\n  - guide: no-such-guide\n    completed: 2026-01-05\n",
        [("no-such-guide", "trainings[0].guide", "no-such-guide")], id="team.training.guide",
    ),
    pytest.param(
        "content/presentations/d.md",
        "---\ntitle: D\ntargets: [french-broad-podiatry, nowhere-clinic]\n---\n# Hello\n",
        [("nowhere-clinic", "targets[1]", "nowhere-clinic")], id="deck.targets",
    ),
]


@pytest.mark.parametrize("rel, text, expected", REF_CASES)
def test_dangling_reference(example_site, rel, text, expected):
    write(example_site, rel, text)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    places = set()
    for needle, path, substring in expected:
        line, col = at(text, needle)
        d = res.expect(rel, line, col, substring)
        assert d.msg.startswith(f"{path}: "), d
        places.add((rel, line, col))
    assert_only_errors(res, places)


def test_dangling_references_in_csv_rows(example_site):
    text = (
        "date,source,physician,service,status\n"
        "2026-02-03,web,,sclerotherapy,\n"
        "2026-02-04,physician,no-such-doc,sclerotherapy,\n"
        "2026-02-05,web,,botox,\n"
        "2026-02-06,physician,jim-whitley,sclerotherapy,\n"
    )
    rel = write(example_site, "data/referrals/r.csv", text)
    res = validate(example_site)
    assert res.code == 1
    assert res.expect(rel, 3, 1, "no-such-doc").msg == "physician: unknown physician 'no-such-doc'"
    res.expect(rel, 4, 1, "botox")
    # a name typed as the office says it: near enough to one id (difflib's ratio 0.83) for the hint
    assert res.expect(rel, 5, 1, "jim-whitley").msg == (
        "physician: unknown physician 'jim-whitley' (did you mean 'james-whitley'?)")
    assert_only_errors(res, {(rel, 3, 1), (rel, 4, 1), (rel, 5, 1)})


def test_reference_to_a_record_whose_file_has_errors_is_not_dangling(example_site):
    """The physician's file is broken; references to it are not reported a second time."""
    broken = write(example_site, "data/physicians/pat-doe.yaml", "name: Pat Doe\n")
    inter = write(example_site, "data/interactions/x.yaml",
                  INTERACTION + "physicians: [pat-doe]\n")
    res = validate(example_site)
    assert res.code == 1
    assert {d.path for d in res.errors} == {broken}, res.dump()
    assert inter not in {d.path for d in res.new}


@pytest.mark.parametrize("rel, text, needle, path", [
    pytest.param("data/physicians/pat-doe.yaml",
                 "name: Pat Doe\npractice: french-broad-podiatry\nliaison: nobody\n",
                 "nobody", "liaison", id="physician.liaison"),
    pytest.param("data/physicians/pat-doe.yaml",
                 "name: Pat Doe\npractice: french-broad-podiatry\ntier: Z\n",
                 "Z", "tier", id="physician.tier"),
    pytest.param("content/presentations/d.md", "---\ntargets: [nowhere-clinic]\n---\n# Hello\n",
                 "nowhere-clinic", "targets[0]", id="deck.targets"),
    pytest.param("data/interactions/x.yaml",
                 INTERACTION.replace("2026-02-03", "2026-02-30") + "physicians: [no-such-doc]\n",
                 "no-such-doc", "physicians[0]", id="interaction.physicians"),
])
def test_references_of_a_record_with_errors_are_checked(example_site, rel, text, needle, path):
    """A record that fails validation still gets its references checked: the references the
    models declare, the same for valid records and for these."""
    write(example_site, rel, text)
    res = validate(example_site)
    assert res.code == 1
    line, col = at(text, needle)
    d = res.expect(rel, line, col, "unknown")
    assert d.msg.startswith(f"{path}: unknown "), d
    assert len({d.place for d in res.errors if d.path == rel}) == 2, res.dump()


def test_a_physician_named_with_a_title_is_shown_their_id(example_site):
    """A fax names the referring physician "Dr. Bell": the coordinator writes `dr-bell` (or
    `dr-marcus-bell`); it was "unknown physician 'dr-bell'" with no hint (the title put it
    too far from `marcus-bell` for a "did you mean", and it is no short form of it)."""
    text = ("date,source,physician,service,status,taken_by,declined_reason\n"
            "2026-02-03,physician,dr-bell,vein-ablation,,,\n"
            "2026-02-04,physician,dr-marcus-bell,vein-ablation,,,\n"
            "2026-02-05,physician,dr-nobody,vein-ablation,,,\n"
            "2026-02-06,physician,doctor-bell,vein-ablation,,,\n")
    rel = write(example_site, "data/referrals/r.csv", text)
    res = validate(example_site)
    assert res.code == 1
    for line, value in ((2, "dr-bell"), (3, "dr-marcus-bell"), (5, "doctor-bell")):
        assert res.expect(rel, line, 1, value).msg == (
            f"physician: unknown physician '{value}' (did you mean 'marcus-bell'?)")
    assert res.expect(rel, 4, 1, "dr-nobody").msg == "physician: unknown physician 'dr-nobody'"


def test_references_of_a_csv_row_with_errors_are_checked(example_site):
    """SPEC §3: every problem in every file in one run. A CSV row with a bad cell still gets
    its other cells' references checked, as a YAML referral record does, at the row's line."""
    text = ("date,source,physician,service,status,taken_by,declined_reason\n"
            "2026-02-30,web,,botox,,nobody,\n"  # a bad date, an unknown service and member
            "2026-02-03,physician,,sclerotherapy,treated,,other\n"  # no physician: not unknown ''
            "2026-02-04,physician,no-such-doc,vein-ablation,treatd,,\n")
    rel = write(example_site, "data/referrals/r.csv", text)
    res = validate(example_site)
    assert res.code == 1
    res.expect(rel, 2, 1, "date:", "2026-02-30")
    assert res.expect(rel, 2, 1, "botox").msg.startswith("service: unknown service 'botox'")
    assert res.expect(rel, 2, 1, "nobody").msg == "taken_by: unknown team member 'nobody'"
    assert res.expect(rel, 4, 1, "no-such-doc").msg.startswith(
        "physician: unknown physician 'no-such-doc'")
    res.expect(rel, 4, 1, "status:", "treatd")
    assert not [d for d in res.errors if "''" in d.msg], res.dump()
    # the same rows as YAML records get the same messages
    yaml_rel = write(example_site, "data/referrals/r.yaml",
                     "- {date: 2026-02-30, source: web, service: botox, taken_by: nobody}\n")
    res = validate(example_site)
    assert {d.msg.removeprefix("[0].") for d in res.errors if d.path == yaml_rel} == {
        d.msg for d in res.errors if d.path == rel and d.line == 2}


def test_duplicate_service_key_in_a_site_yaml_with_other_errors(example_site):
    site = example_site / "site.yaml"
    # (written with spaces around it: the same key, strings being stripped)
    # (the third service's, not next to the first: every key is compared with every one before)
    text = site.read_text().replace("  - key: wound-clinic\n", "  - key: ' vein-ablation '\n")
    text = text.replace("practice:\n", "practice:\n  colour: blue\n")
    site.write_text(text)
    res = validate(example_site)
    assert res.code == 1
    res.expect("site.yaml", *at(text, "colour"), "unknown field")
    d = res.expect("site.yaml", *at(text, "' vein-ablation '"), "duplicate service key")
    assert d.msg == ("services[2].key: duplicate service key 'vein-ablation': give each service "
                     "a key of its own")


def test_two_services_of_one_name_are_a_warning(example_site):
    # a service block copied and given a new key but not a new name: the referrals page, its
    # chart and the logging form showed two "Vein ablation" with nothing to tell them apart
    site = example_site / "site.yaml"
    text = site.read_text().replace("    name: Sclerotherapy\n", "    name: VEIN ablation\n")
    site.write_text(text)
    res = validate(example_site)
    assert res.code == 0, res.dump()
    d = res.expect("site.yaml", *at(text, "VEIN ablation"), severity="warning")
    assert d.msg == ("services[1].name: 'VEIN ablation' is the name of services[0] "
                     "(vein-ablation) too: the pages would show two alike; give each its own")


def test_interaction_needs_practice_or_physicians(example_site):
    text = INTERACTION.replace("practice: french-broad-podiatry\n", "")
    rel = write(example_site, "data/interactions/x.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    res.expect(rel, 1, 1, "practice")
    assert_only_errors(res, {(rel, 1, 1)})


# --------------------------------------------------------------------------- NPI


@pytest.mark.parametrize("npi", ['"1045837262"', "1045837262", "1234567890"])
def test_npi_check_digit_failure(example_site, npi):
    text = f"name: Pat Doe\nnpi: {npi}\nspecialty: X\npractice: french-broad-podiatry\n"
    rel = write(example_site, "data/physicians/pat-doe.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    d = res.expect(rel, 2, 6, npi.strip('"'))
    assert d.msg.startswith("npi: ")
    assert "check digit" in d.msg.lower()
    assert_only_errors(res, {(rel, 2, 6)})


@pytest.mark.parametrize("npi", ['"104583726"', '"10458372611"', '"10458A7261"'])
def test_npi_not_ten_digits(example_site, npi):
    text = f"name: Pat Doe\nnpi: {npi}\nspecialty: X\npractice: french-broad-podiatry\n"
    rel = write(example_site, "data/physicians/pat-doe.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    d = res.expect(rel, 2, 6)
    assert d.msg.startswith("npi: ")


def test_valid_npis_pass(example_site):
    # Luhn over 80840 + 9 digits: 1234567893 is the classic valid example; 1234567810's check
    # digit is 0 (80840123456781 sums to 60 with its doubled digits: 10 - 0 is 10, not 0)
    text = "name: Pat Doe\nnpi: 1234567893\nspecialty: X\npractice: french-broad-podiatry\n"
    write(example_site, "data/physicians/pat-doe.yaml", text)
    write(example_site, "data/physicians/pat-roe.yaml", text.replace("1234567893", "1234567810")
          .replace("Doe", "Roe"))
    res = validate(example_site)
    assert res.code == 0, res.dump()


def test_duplicate_npi(example_site):
    # grace-holloway has npi "1045837261"
    text = "name: Zed Twin\nnpi: 1045837261\nspecialty: X\npractice: french-broad-podiatry\n"
    rel = write(example_site, "data/physicians/zed-twin.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    dups = [d for d in res.errors if "duplicate" in d.msg.lower()]
    assert dups, res.dump()
    allowed = {(rel, 2, 6), ("data/physicians/grace-holloway.yaml", 3, 6)}
    for d in dups:
        assert d.place in allowed, d
        assert d.msg.startswith("npi: ") and "1045837261" in d.msg, d
    assert {d.place for d in res.errors} <= allowed, res.dump()


def test_duplicate_npi_of_a_physician_that_fails_for_another_field(example_site):
    # grace-holloway has npi "1045837261"; zed-twin has it too and no specialty: both said in
    # one run (SPEC §3), the duplicate at zed-twin's npi value, naming the valid physician
    text = "name: Zed Twin\nnpi: 1045837261\npractice: french-broad-podiatry\n"
    rel = write(example_site, "data/physicians/zed-twin.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    res.expect(rel, 1, 1, "specialty: required field is missing")
    d = res.expect(rel, 2, 6, "duplicate NPI 1045837261", "physician 'grace-holloway' has it too")
    assert d.msg.startswith("npi: duplicate NPI 1045837261:"), d
    assert {d.place for d in res.errors} == {(rel, 1, 1), (rel, 2, 6)}, res.dump()
    # two that fail share one: the second names the first by its id, as a valid one is named
    twin = "name: Zed Twin\nnpi: 1234567893\npractice: french-broad-podiatry\n"
    write(example_site, "data/physicians/zed-a.yaml", twin)
    second = write(example_site, "data/physicians/zed-b.yaml", twin)
    d = validate(example_site).expect(second, 2, 6, "duplicate NPI 1234567893")
    assert d.msg == ("npi: duplicate NPI 1234567893: physician 'zed-a' has it too (the same person twice? "
                     "keep one file; else correct the NPI of one)"), d


# --------------------------------------------------------------------------- referrals


def test_physician_against_source_yaml(example_site):
    text = (
        "- {date: 2026-02-03, source: physician, service: sclerotherapy}\n"
        "- {date: 2026-02-03, source: web, physician: alan-cho, service: sclerotherapy}\n"
        "- date: 2026-02-04\n"
        "  source: physician\n"
        "  service: sclerotherapy\n"
    )
    rel = write(example_site, "data/referrals/r.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    # absent: at the record's mapping
    d = res.expect(rel, 1, 3, "physician")
    assert d.msg.startswith("[0].physician: ")
    d = res.expect(rel, 3, 3, "physician")
    assert d.msg.startswith("[2].physician: ")
    # present but source is web: at the value
    line, col = at(text, "alan-cho")
    d = res.expect(rel, line, col, "web")
    assert d.msg.startswith("[1].physician: ")
    assert_only_errors(res, {(rel, 1, 3), (rel, 3, 3), (rel, line, col)})


def test_a_referrals_service_that_is_no_id_is_said_so_in_yaml_and_csv(example_site):
    # SPEC §3: invalid ids are errors; 'Vein Ablation' (the service's name, written where its
    # key goes) is said to be no id, with the id it makes, not only as an unknown service
    yaml_text = "- {date: 2026-11-02, source: web, service: Vein Ablation}\n"
    rel = write(example_site, "data/referrals/r.yaml", yaml_text)
    csv = write(example_site, "data/referrals/r.csv",
                "date,source,physician,service,status\n2026-11-02,web,,Vein Ablation,referred\n")
    res = validate(example_site)
    assert res.code == 1
    said = ("'Vein Ablation' is not a valid id: use lower-case letters, digits and single "
            "hyphens (like 'vein-ablation')")
    line, col = at(yaml_text, "Vein Ablation")  # 1:44
    assert res.expect(rel, line, col, said).msg == f"[0].service: {said}"
    assert res.expect(csv, 2, 1, said).msg == f"service: {said}"
    assert_only_errors(res, {(rel, line, col), (csv, 2, 1)})


def test_a_count_written_with_digits_other_than_ascii_is_an_error(example_site):
    # SPEC §2: numbers are written with ASCII digits only: an Arabic-Indic five (CSV) and a
    # full-width five (YAML) are no counts, each said at its place
    csv = write(example_site, "data/referrals/r.csv",
                "date,source,physician,service,status,count\n"
                "2026-11-02,web,,sclerotherapy,referred,\u0665\n")
    yaml_text = '- {date: 2026-11-02, source: web, service: sclerotherapy, count: "\uff15"}\n'
    rel = write(example_site, "data/referrals/r.yaml", yaml_text)
    res = validate(example_site)
    assert res.code == 1
    assert res.expect(csv, 2, 1, "count").msg == "count: expected a whole number ≥ 1, got '\u0665'"
    line, col = at(yaml_text, '"\uff15"')  # 1:66, at the quoted value
    assert res.expect(rel, line, col, "count").msg == (
        "[0].count: expected a whole number ≥ 1, got '\uff15'")
    assert_only_errors(res, {(csv, 2, 1), (rel, line, col)})


def test_physician_against_source_csv(example_site):
    text = (
        "date,source,physician,service,status\n"
        "2026-02-03,physician,,sclerotherapy,\n"
        "2026-02-03,web,alan-cho,sclerotherapy,\n"
        "2026-02-03,physician,alan-cho,sclerotherapy,\n"
    )
    rel = write(example_site, "data/referrals/r.csv", text)
    res = validate(example_site)
    assert res.code == 1
    d = res.expect(rel, 2, 1, "physician")
    assert d.msg.startswith("physician: ")
    d = res.expect(rel, 3, 1, "web")
    assert d.msg.startswith("physician: ")
    assert_only_errors(res, {(rel, 2, 1), (rel, 3, 1)})


def test_csv_header_missing_column(example_site):
    text = "date,source,physician,status\n2026-02-03,web,,\n"
    rel = write(example_site, "data/referrals/r.csv", text)
    res = validate(example_site)
    assert res.code == 1
    res.expect(rel, 1, 1, "service", "missing")
    assert_only_errors(res, {(rel, 1, 1)})


def test_csv_header_unknown_extra_column(example_site):
    text = "date,source,physician,service,status,clinic\n2026-02-03,web,,sclerotherapy,,x\n"
    rel = write(example_site, "data/referrals/r.csv", text)
    res = validate(example_site)
    assert res.code == 1
    d = res.expect(rel, 1, 1, "clinic")
    assert not PATIENT_MSG.search(d.msg), d
    assert_only_errors(res, {(rel, 1, 1)})


def test_csv_rows_under_a_header_with_problems_are_still_checked(example_site):
    # every problem in one run (SPEC §3), every CSV cell scanned by the guard: the rows under
    # a header with an unknown column and a missing one were not read at all
    text = ("date,source,service,notes\n"
            "2026-13-01,web,sclerotherapy,ok\n"
            "2026-02-03,web,botox,pt Jane Roe DOB 3/4/1950\n"
            "2026-02-03,physician,vein-ablation,ok\n")  # physician: the missing column's, not said
    rel = write(example_site, "data/referrals/r.csv", text)
    res = validate(example_site)
    assert res.code == 1
    res.expect(rel, 1, 1, "notes", "unknown column")
    res.expect(rel, 1, 1, "physician", "status", "missing")
    res.expect(rel, 2, 1, "date:", "2026-13-01")
    res.expect(rel, 3, 1, "service:", "botox")
    res.expect(rel, 3, 1, "notes:", "date of birth", pattern=PATIENT_MSG)
    assert {d.place for d in res.errors} == {(rel, 1, 1), (rel, 2, 1), (rel, 3, 1)}, res.dump()


@pytest.mark.parametrize("column", ["patient_name", "mrn", "dob", "Patient Name", "DOB"])
def test_csv_header_patient_like_column(example_site, column):
    text = f"date,source,physician,service,status,{column}\n2026-02-03,web,,sclerotherapy,,x\n"
    rel = write(example_site, "data/referrals/r.csv", text)
    res = validate(example_site)
    assert res.code == 1
    res.expect(rel, 1, 1, column, pattern=PATIENT_MSG)
    assert_only_errors(res, {(rel, 1, 1)})


def test_csv_count_column_may_be_left_out_and_cells_may_be_empty(example_site):
    text = "service,date,source,status,physician\nsclerotherapy,2026-02-03,web,,\n"
    write(example_site, "data/referrals/r.csv", text)
    res = validate(example_site)
    assert res.code == 0, res.dump()
    assert res.new == [], res.dump()


def test_csv_with_bom_and_crlf_reads_fine(example_site):
    baseline = stats_json(example_site)["totals"]["referrals"]
    content = (
        b"\xef\xbb\xbfdate,source,physician,service,status,count\r\n"
        b"2026-02-03,web,,sclerotherapy,,4\r\n"
        b"2026-02-04,physician,alan-cho,wound-clinic,treated,\r\n"
    )
    write(example_site, "data/referrals/excel-export.csv", content)
    res = validate(example_site)
    assert res.code == 0, res.dump()
    assert res.new == [], res.dump()
    stats = stats_json(example_site)
    assert stats["totals"]["referrals"] == baseline + 5
    assert stats["physicians"]["alan-cho"]["last_referral"] == "2026-07-29"  # unchanged, older
    assert stats["physicians"]["alan-cho"]["referrals"] == \
        json.loads((example_site / "expected-stats-2026-11-26.json").read_text())[
            "physicians"]["alan-cho"]["referrals"] + 1


def test_csv_row_errors_at_the_row_line_column_1(example_site):
    text = (
        "date,source,physician,service,status,count\n"            # 1
        "2026-02-03,web,,sclerotherapy,,\n"                       # 2 fine
        "\n"                                                      # 3 blank
        '2026-02-04,web,,"scl\nerotherapy",,\n'                   # 4-5: a quoted cell over 2 lines
        "2026-02-05,webb,,sclerotherapy,,\n"                      # 6 bad source
        "2026-02-06,web,,sclerotherapy,done,\n"                   # 7 bad status
        "2026-02-07,web,,sclerotherapy,,0\n"                      # 8 bad count
        "2026-02-08,web,,sclerotherapy\n"                         # 9 too few cells
    )
    rel = write(example_site, "data/referrals/r.csv", text)
    res = validate(example_site)
    assert res.code == 1
    res.expect(rel, 4, 1, "service")  # the row's first line
    res.expect(rel, 6, 1, "webb", "did you mean 'web'")
    res.expect(rel, 7, 1, "done")
    res.expect(rel, 8, 1, "count")
    res.expect(rel, 9, 1)
    assert_only_errors(res, {(rel, n, 1) for n in (4, 6, 7, 8, 9)})


def test_referral_count_must_be_at_least_1_in_yaml(example_site):
    text = "- {date: 2026-02-03, source: web, service: sclerotherapy, count: 0}\n"
    rel = write(example_site, "data/referrals/r.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    d = res.expect(rel, *at(text, "0}"))
    assert d.msg.startswith("[0].count: ")


def test_a_count_of_digits_that_are_no_number(example_site):
    """'²' is a digit to str.isdigit() but no number to int(): an error, not a crash."""
    text = ("date,source,physician,service,status,count\n"
            "2026-02-03,web,,sclerotherapy,,²\n"
            "2026-02-04,web,,sclerotherapy,,²\n")
    rel = write(example_site, "data/referrals/r.csv", text)
    res = validate(example_site)
    assert res.code == 1
    for line in (2, 3):
        assert res.expect(rel, line, 1, "count").msg == "count: expected a whole number ≥ 1, got '²'"


@pytest.mark.parametrize("rel, text, needle, path", [
    # SPEC §2: numbers (count, NPI digits, scores, days) are written with ASCII digits only.
    # A YAML 1.2 reader types these spellings as numbers; the text written must decide.
    ("data/physicians/pat-doe.yaml", PHYSICIAN_TEMPLATE.format("npi: 0x499602D5"),
     "0x499602D5", "npi"),  # 1234567893, a valid NPI, in hexadecimal
    ("data/physicians/pat-doe.yaml", PHYSICIAN_TEMPLATE.format("npi: 1_234_567_893"),
     "1_234_567_893", "npi"),
    ("data/physicians/pat-doe.yaml", PHYSICIAN_TEMPLATE.format("npi: 0o11145401325"),
     "0o11145401325", "npi"),
    ("data/physicians/pat-doe.yaml", PHYSICIAN_TEMPLATE.format("npi: 01234567893"),
     "01234567893", "npi"),  # eleven characters, ten digits once read as a number
    ("data/referrals/r.yaml",
     "- date: 2026-02-03\n  source: web\n  service: sclerotherapy\n  count: 0x10\n",
     "0x10", "[0].count"),
    ("data/referrals/r.yaml",
     "- date: 2026-02-03\n  source: web\n  service: sclerotherapy\n  count: 1_0\n",
     "1_0", "[0].count"),
    ("data/team/pat-lee.yaml",
     "name: Pat Lee\nrole: liaison\ntrainings:\n  - guide: referral-source-basics\n"
     "    completed: 2026-01-05\n    score: 0x5A\n", "0x5A", "trainings[0].score"),
    ("data/interactions/x.yaml", INTERACTION + "cost: 1e2\n", "1e2", "cost"),
    ("data/interactions/x.yaml", INTERACTION + "cost: 1_000\n", "1_000", "cost"),
])
def test_a_number_spelled_otherwise_than_in_digits_is_an_error(example_site, rel, text,
                                                               needle, path):
    write(example_site, rel, text)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    d = res.expect(rel, *at(text, needle), needle)
    assert d.msg.startswith(f"{path}: "), d
    assert_only_errors(res, {(rel, *at(text, needle))})


def test_days_and_limits_of_site_yaml_spelled_otherwise_than_in_digits(example_site):
    site = example_site / "site.yaml"
    text = site.read_text()
    text = text.replace("lapsed_after_days: 120", "lapsed_after_days: 0x78")
    text = text.replace("annual_limit: 100", "annual_limit: 1e2")
    site.write_text(text)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    res.expect("site.yaml", *at(text, "0x78"), "thresholds.lapsed_after_days", "0x78")
    res.expect("site.yaml", *at(text, "1e2"), "compliance.annual_limit", "1e2")


# --------------------------------------------------------------------------- interactions


def test_follow_up_done_before_interaction_date(example_site):
    text = INTERACTION + (
        "follow_ups:\n"                 # 6
        "  - task: Send cards\n"        # 7
        "    due: 2026-02-10\n"         # 8
        "    done: 2026-02-01\n"        # 9
        "  - task: Same-day is fine\n"
        "    due: 2026-02-10\n"
        "    done: 2026-02-03\n"
    )
    rel = write(example_site, "data/interactions/x.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    d = res.expect(rel, 9, 11, "2026-02-01")
    assert d.msg.startswith("follow_ups[0].done: ")
    assert_only_errors(res, {(rel, 9, 11)})


def test_list_file_paths_start_with_the_record_index(example_site):
    record = INTERACTION.replace("\n", "\n  ").rstrip(" ")
    text = (
        "- " + record
        + "- " + record.replace("2026-02-03", "2026-02-04")
        + "- " + record.replace("2026-02-03", "2026-02-05")
        + "  follow_ups:\n"
        "    - task: Send cards\n"
        "      due: 2026-02-10\n"
        "      done: 2026-02-01\n"
    )
    rel = write(example_site, "data/interactions/list.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    line, col = at(text, "2026-02-01")
    assert (line, col) == (19, 13)
    d = res.expect(rel, 19, 13, "2026-02-05")
    assert d.msg.startswith("[2].follow_ups[0].done: "), d
    assert_only_errors(res, {(rel, 19, 13)})


def test_future_dated_interaction_and_referral_warnings(example_site):
    inter = INTERACTION.replace("2026-02-03", "2026-11-27")
    i = write(example_site, "data/interactions/ahead.yaml", inter)
    refs = "- {date: 2026-12-24, source: web, service: sclerotherapy}\n"
    r = write(example_site, "data/referrals/ahead.yaml", refs)
    csv_text = "date,source,physician,service,status\n2026-11-26,web,,sclerotherapy,\n2027-01-02,web,,sclerotherapy,\n"
    c = write(example_site, "data/referrals/ahead.csv", csv_text)
    res = validate(example_site)
    assert res.code == 0, res.dump()
    assert res.errors == []
    d = res.expect(i, 1, 7, "2026-11-27", severity="warning")
    assert d.msg.startswith("date: ")
    d = res.expect(r, *at(refs, "2026-12-24"), "2026-12-24", severity="warning")
    assert d.msg.startswith("[0].date: ")
    res.expect(c, 3, 1, "2027-01-02", severity="warning")
    # the as-of date itself is not in the future
    assert not res.at(c, 2, 1, "warning")
    assert {d.place for d in res.new} == {(i, 1, 7), (r, *at(refs, "2026-12-24")), (c, 3, 1)}


def test_listed_physician_not_at_the_practice_warning(example_site):
    # ruth-kessler is at french-broad-podiatry; grace-holloway is not
    text = INTERACTION + "physicians: [ruth-kessler, grace-holloway]\n"
    rel = write(example_site, "data/interactions/x.yaml", text)
    res = validate(example_site)
    assert res.code == 0, res.dump()
    line, col = at(text, "grace-holloway")
    d = res.expect(rel, line, col, "grace-holloway", "mountain-view-family-medicine",
                   severity="warning")
    assert d.msg.startswith("physicians[1]: ")
    assert [x.place for x in res.new] == [(rel, line, col)]


# --------------------------------------------------------------------------- patient guard


GUARD_HITS = [
    ("SSN 123-45-6789", "Social Security"),
    ("ssn on file: 078-05-1120.", "Social Security"),
    ("MRN 12345", "medical record"),
    ("mrn: 4", "medical record"),
    ("Mrn#000123", "medical record"),
    ("medical record number 5567", "medical record"),
    ("Medical Record No. 88", "medical record"),
    ("medical record # 4", "medical record"),
    ("MRN abcdefghi1", "medical record"),          # the digit is the 10th character after
    ("MRN abcdefghijk1", "medical record"),        # an identifier holding a digit (2nd edition)
    ("DOB 01/02/1960", "date of birth"),
    ("dob: 3", "date of birth"),
    ("Date of Birth 1960", "date of birth"),
    ("DATE OF BIRTH: March 4, 1950", "date of birth"),
    ("DoB abcdefghijklmn1", "date of birth"),      # the digit is the 15th character after
]
GUARD_MISSES = [
    "call 503-555-0100",          # a phone number is not an SSN
    "12345-67-8901",              # no word boundary before the 3 digits
    "asked for the MRN policy",   # no digit
    "DOB abcdefghijklmnop1",      # the digit is the 17th character after DOB
    "Dobson 1 and dobro 2",       # not the word DOB
    "birth date unknown 2",       # not 'date of birth'
]


@pytest.mark.parametrize("phrase, kind", GUARD_HITS)
def test_patient_guard_hits_in_summary(example_site, phrase, kind):
    text = INTERACTION.replace("Called the office.", f'"Talked about {phrase}"')
    rel = write(example_site, "data/interactions/x.yaml", text)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    d = res.expect(rel, 5, 10, kind, pattern=PATIENT_MSG)
    assert d.msg.startswith("summary: ")
    assert_only_errors(res, {(rel, 5, 10)})


@pytest.mark.parametrize("phrase", GUARD_MISSES)
def test_patient_guard_does_not_flag(example_site, phrase):
    text = INTERACTION.replace("Called the office.", f'"Talked about {phrase}"')
    write(example_site, "data/interactions/x.yaml", text)
    res = validate(example_site)
    assert res.code == 0, res.dump()
    assert res.new == []


GUARD_FIELDS = [
    pytest.param("data/interactions/x.yaml",
                 INTERACTION + "notes: |\n  All fine.\n  The MRN is 12345.\n",
                 "notes", "|", "notes", "medical record", id="interaction.notes"),
    pytest.param("data/interactions/x.yaml",
                 INTERACTION + "needs: [faster scheduling, 'fax dob 1/2/1950']\n",
                 "'fax dob", None, "needs[1]", "date of birth", id="interaction.needs"),
    pytest.param("data/interactions/x.yaml",
                 INTERACTION + "met_with:\n  - Jo (front desk)\n  - SSN 123-45-6789\n",
                 "SSN 123", None, "met_with[1]", "Social Security", id="interaction.met_with"),
    pytest.param("data/interactions/x.yaml",
                 INTERACTION + "follow_ups:\n  - task: Look up mrn 55\n    due: 2026-02-10\n",
                 "Look up", None, "follow_ups[0].task", "medical record", id="follow_up.task"),
    pytest.param("data/practices/p.yaml",
                 "name: P\nstaff:\n  - name: Ann\n    notes: 'asks for Date of Birth 4/5/1960'\n",
                 "'asks", None, "staff[0].notes", "date of birth", id="staff.notes"),
    pytest.param("data/practices/p.yaml",
                 "name: P\ntags: [primary-care, 'mrn-12']\n",
                 "'mrn-12'", None, "tags[1]", "medical record", id="practice.tags"),
    pytest.param("data/physicians/pat-doe.yaml",
                 PHYSICIAN + "interests: [wounds, 'DOB 1950']\n",
                 "'DOB", None, "interests[1]", "date of birth", id="physician.interests"),
    pytest.param("data/physicians/pat-doe.yaml",
                 PHYSICIAN + "notes: Saw pt 123-45-6789 last week\n",
                 "Saw pt", None, "notes", "Social Security", id="physician.notes"),
    pytest.param("data/physicians/pat-doe.yaml",
                 PHYSICIAN + "tags: ['Medical Record # 9']\n",
                 "'Medical", None, "tags[0]", "medical record", id="physician.tags"),
]


@pytest.mark.parametrize("rel, text, needle, needle2, path, kind", GUARD_FIELDS)
def test_patient_guard_in_every_free_text_field(example_site, rel, text, needle, needle2, path, kind):
    write(example_site, rel, text)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    line, col = at(text, needle2 or needle)
    d = res.expect(rel, line, col, kind, pattern=PATIENT_MSG)
    assert d.msg.startswith(f"{path}: "), d
    assert_only_errors(res, {(rel, line, col)})


@pytest.mark.parametrize(
    "extra, line, col, path, kind",
    [
        ("summary: Office manager read out the date of\n  birth 1/2/1950 on the phone.\n",
         5, 10, "summary", "date of birth"),
        ("summary: ok\nnotes: >\n  They keep the medical\n  record number 4471 on the fax.\n",
         6, 8, "notes", "medical record"),
    ],
    ids=["plain-scalar", "folded-scalar"],
)
def test_patient_guard_scans_text_wrapped_over_lines(example_site, extra, line, col, path, kind):
    text = INTERACTION.replace("summary: Called the office.\n", "") + extra
    rel = write(example_site, "data/interactions/x.yaml", text)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    d = res.expect(rel, line, col, kind, pattern=PATIENT_MSG)
    assert d.msg.startswith(f"{path}: ")


@pytest.mark.parametrize("note, kind", [("MRN:\n  12345", "medical record"),
                                        ("DOB\n  1/2/1950", "date of birth")],
                         ids=["mrn", "dob"])
def test_patient_guard_counts_a_line_break_as_a_character(example_site, note, kind):
    text = INTERACTION + f"notes: |\n  {note}\n"
    rel = write(example_site, "data/interactions/x.yaml", text)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    d = res.expect(rel, 6, 8, kind, pattern=PATIENT_MSG)
    assert d.msg.startswith("notes: ")


@pytest.mark.parametrize(
    "rel, text, key, path",
    [
        ("data/physicians/pat-doe.yaml", PHYSICIAN + "patient_name: Bob\n", "patient_name",
         "patient_name"),
        ("data/interactions/x.yaml",
         INTERACTION + "follow_ups:\n  - task: Call\n    due: 2026-02-10\n    Patient: Bob\n",
         "Patient", "follow_ups[0].Patient"),
        ("data/referrals/r.yaml",
         "- date: 2026-02-03\n  source: web\n  service: sclerotherapy\n  patients: 2\n",
         "patients", "[0].patients"),
        ("data/practices/p.yaml", "name: P\npatient: Bob\n", "patient", "patient"),
    ],
    ids=["physician", "follow-up", "referral", "practice"],
)
def test_yaml_key_beginning_with_patient(example_site, rel, text, key, path):
    write(example_site, rel, text)
    res = validate(example_site)
    assert res.code == 1
    line, col = at(text, key + ":")
    d = res.expect(rel, line, col, pattern=PATIENT_MSG)
    assert d.msg.startswith(f"{path}: "), d
    assert_only_errors(res, {(rel, line, col)})


# --------------------------------------------------------------------------- content


def test_training_guide_without_front_matter(example_site):
    rel = write(example_site, "content/training/g.md", "# A guide\n\nNo front matter here.\n")
    res = validate(example_site)
    assert res.code == 1
    res.expect(rel, 1, 1, "front matter")
    assert_only_errors(res, {(rel, 1, 1)})


def test_a_guide_or_deck_whose_lines_end_in_a_lone_cr_is_said_so(example_site):
    # a file saved with old Mac line ends (CR alone) was "missing front matter: the file must
    # start with a line '---'", of a file that does start with one
    guide = write(example_site, "content/training/g.md",
                  "---\rtitle: G\raudience: all\r---\r# Body\r")
    deck = write(example_site, "content/presentations/d.md", "---\rtitle: D\r---\r# One\r")
    res = validate(example_site)
    assert res.code == 1
    for rel in (guide, deck):
        assert res.expect(rel, 1, 1).msg == (
            "the file's lines end in a carriage return alone (CR, as old Mac programs saved "
            "text): save it with LF or CRLF line ends")
    assert_only_errors(res, {(guide, 1, 1), (deck, 1, 1)})


def test_training_guide_unclosed_front_matter(example_site):
    rel = write(example_site, "content/training/g.md", "---\ntitle: G\naudience: all\n# Body\n")
    res = validate(example_site)
    assert res.code == 1
    assert [d.path for d in res.errors] == [rel], res.dump()
    assert "front matter" in res.errors[0].msg.lower()


def test_training_guide_bad_audience(example_site):
    text = "---\ntitle: G\naudience: everyone\norder: 2\n---\n# Body\n"
    rel = write(example_site, "content/training/g.md", text)
    res = validate(example_site)
    assert res.code == 1
    d = res.expect(rel, 3, 11, "everyone")
    assert d.msg.startswith("audience: ")
    assert_only_errors(res, {(rel, 3, 11)})


def test_training_guide_missing_title_and_unknown_field(example_site):
    text = "---\naudience: all\nordr: 2\n---\n# Body\n"
    rel = write(example_site, "content/training/g.md", text)
    res = validate(example_site)
    assert res.code == 1
    # the front matter mapping starts on file line 2
    d = res.expect(rel, 2, 1, "missing")
    assert d.msg.startswith("title: ")
    d = res.expect(rel, 3, 1, "did you mean 'order'")
    assert d.msg.startswith("ordr: ")


def test_a_follow_up_done_after_the_as_of_date_is_a_warning(example_site):
    """done: 2027-11-14 for 2026-11-14 (a year mistyped) kept the follow-up open and overdue
    on every page without a word from validate; an interaction itself dated after the as-of
    date is said already (its follow-ups are not said again)."""
    text = ("- date: 2026-11-02\n"                         # 1
            "  liaison: lena-brooks\n"                     # 2
            "  type: visit\n"                              # 3
            "  practice: mountain-view-family-medicine\n"  # 4
            "  summary: Dropped off pads.\n"               # 5
            "  follow_ups:\n"                              # 6
            "    - task: Send the new pads\n"              # 7
            "      due: 2026-11-10\n"                      # 8
            "      done: 2027-11-09\n"                     # 9
            "    - task: Call the office manager\n"        # 10
            "      due: 2026-11-10\n"                      # 11
            "      done: 2026-11-09\n")                    # 12
    rel = write(example_site, "data/interactions/2026/11/pads.yaml", text)
    res = validate(example_site)
    assert res.code == 0, res.dump()
    d = res.expect(rel, 9, 13, "after the as-of date 2026-11-26", severity="warning")
    assert d.msg.startswith("[0].follow_ups[0].done: done 2027-11-09")
    assert len([w for w in res.warnings if w.path == rel]) == 1, res.dump()
    assert [w for w in validate(example_site, "--as-of", "2027-11-09").warnings
            if w.path == rel] == []
    # on the interaction's own day (as-of 2026-11-02) both are done after it: both said
    on_the_day = validate(example_site, "--as-of", "2026-11-02")
    assert [(w.line, w.col, w.sev, w.msg.split(",")[0]) for w in on_the_day.diags if w.path == rel] == [
        (9, 13, "warning", "[0].follow_ups[0].done: done 2027-11-09"),
        (12, 13, "warning", "[0].follow_ups[1].done: done 2026-11-09")], on_the_day.dump()


def test_a_training_after_the_as_of_date_and_one_written_twice_are_warnings(example_site):
    """A training dated after the as-of date (a year mistyped) is a warning at its date: the
    competency matrix does not count it; the same training written twice, a warning at the
    second one."""
    text = ("name: Dana Reyes\n"                          # 1
            "role: front-desk\n"                          # 2
            "trainings:\n"                                # 3
            "  - guide: referral-source-basics\n"         # 4
            "    completed: 2026-03-02\n"                 # 5
            "  - guide: referral-source-basics\n"         # 6
            "    completed: 2026-03-02\n"                 # 7
            "  - guide: referral-source-basics\n"         # 8
            "    completed: 2027-01-15\n"                 # 9
            "    score: 90\n")                            # 10
    rel = write(example_site, "data/team/dana-reyes.yaml", text)
    res = validate(example_site)
    assert res.code == 0, res.dump()
    d = res.expect(rel, 9, 16, "after the as-of date 2026-11-26", severity="warning")
    assert d.msg.startswith("trainings[2].completed: dated 2027-01-15")
    assert "competency matrix" in d.msg
    # neither can be told from what is right (a session booked ahead, a retake that day):
    # each says what to do then, as --strict fails on it
    assert d.msg.endswith("(a session booked ahead: write it once it is taken)"), d.msg
    d = res.expect(rel, 6, 5, "the same training as trainings[0]", severity="warning")
    assert d.msg.startswith("trainings[1]: ")
    assert d.msg.endswith("delete one of them (a retake that day: keep the one of its score, as "
                          "the matrix reads the first written)"), d.msg
    assert len([w for w in res.warnings if w.path == rel]) == 2, res.dump()
    assert validate(example_site, "--as-of", "2027-01-15").code == 0
    assert [w.msg for w in validate(example_site, "--as-of", "2027-01-15").warnings
            if w.path == rel] == [d.msg]


DECK_HEAD = "---\ntitle: D\n---\n"
PICTURE = (REPO / "content" / "presentations" / "images" / "vascular-lab.png").read_bytes()


def test_a_guide_with_a_front_matter_error_has_its_images_checked_too(example_site):
    # its missing image was said only on the next run, once the front matter was fixed
    text = "---\ntitle: Intake\naudience: everyone\n---\n# Intake\n\n![Gone](images/gone.png)\n"
    rel = write(example_site, "content/training/intake.md", text)
    res = validate(example_site)
    assert res.code == 1
    res.expect(rel, *at(text, "everyone"), "audience")
    res.expect(rel, *at(text, "![Gone]"), "image 'images/gone.png': no such file in content/training/")
    assert_only_errors(res, {(rel, *at(text, "everyone")), (rel, *at(text, "![Gone]"))})


def test_a_guides_images_are_files_beneath_content_training(example_site):
    guide = sorted((example_site / "content" / "training").glob("*.md"))[0]
    rel = f"content/training/{guide.name}"
    text = guide.read_text(encoding="utf-8")
    first = text.count("\n") + 1  # the line of the first image below
    write(example_site, "content/training/images/lab.png", PICTURE)
    write(example_site, rel, text + "![Lab](images/lab.png) and ![Gone](images/gone.png)\n"
          "![Up](../presentations/x.png)\n![Drawing](images/lab.svg)\n"
          "![Remote](https://example.com/x.png)\n")
    res = validate(example_site)
    assert res.code == 1
    res.expect(rel, first, 28, "image 'images/gone.png': no such file in content/training/")
    res.expect(rel, first + 1, 1, "the path must stay beneath content/training/")
    res.expect(rel, first + 2, 1, "must be PNG or JPEG")
    remote = res.expect(rel, first + 3, 1, "not shown", severity="warning")
    assert "lab.png'" not in res.dump() and remote


@pytest.mark.parametrize("data, said", [
    (b"not a picture\n", "the file holds no PNG or JPEG picture"),
    (b"GIF89a\x01\x00\x01\x00", "the file is a GIF picture"),
    (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "the file is a WebP picture"),
    (b"", "the file is empty"),
])
def test_a_picture_named_png_that_is_no_png_or_jpeg_is_an_error(example_site, data, said):
    """A GIF, a WebP or a text file saved as .png: validate said nothing, the HTML page showed
    a broken picture (or the GIF) and the .pptx left it out without a word."""
    guide = sorted((example_site / "content" / "training").glob("*.md"))[0]
    rel = f"content/training/{guide.name}"
    text = guide.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    write(example_site, "content/training/images/lab.png", data)
    write(example_site, rel, text + "![Lab](images/lab.png)\n")
    write(example_site, "content/presentations/images/chart.jpg", data)
    write(example_site, "content/presentations/pics.md", DECK_HEAD + "## Lab\n\n![Chart](images/chart.jpg)\n")
    res = validate(example_site)
    assert res.code == 1, res.dump()
    res.expect(rel, line, 1, f"image 'images/lab.png': {said}: save the picture as PNG or JPEG")
    res.expect("content/presentations/pics.md", 6, 1, f"slide 1: image 'images/chart.jpg': {said}")
    write(example_site, "content/training/images/lab.png", PICTURE)
    write(example_site, "content/presentations/images/chart.jpg", PICTURE)
    assert validate(example_site).code == 0


def test_a_deck_target_listed_twice_is_a_warning_at_the_second(example_site):
    """The presentations page listed the practice twice, and validate said nothing."""
    practice = sorted((example_site / "data" / "practices").glob("*.yaml"))[0].stem
    rel = write(example_site, "content/presentations/twice.md",
                f"---\ntitle: Twice\ntargets:\n  - {practice}\n  - {practice}\n---\n## One\n\nText\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    d = res.expect(rel, 5, 5, f"targets[1]: practice '{practice}' is listed already (targets[0]): "
                   "delete one", severity="warning")
    assert d and len([x for x in res.diags if x.path == rel]) == 1, res.dump()


def test_a_guides_link_to_a_guide_file_that_does_not_exist_is_a_warning(example_site):
    guide = sorted((example_site / "content" / "training").glob("*.md"))[0]
    rel = f"content/training/{guide.name}"
    text = guide.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    write(example_site, rel, text + f"See [this one]({guide.name}) and [the other](referal-source-basic.md).\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    col = len(f"See [this one]({guide.name}) and ") + 1
    d = res.expect(rel, line, col, "link to 'referal-source-basic.md': no training guide", severity="warning")
    assert f"did you mean '{guide.stem}'" in d.msg
    assert len([w for w in res.warnings if w.path == rel]) == 1


def test_a_guides_link_to_a_part_that_no_heading_names_is_a_warning(example_site):
    """[x](other.md#gone) or [x](#gone): the page opened at its top, and validate said nothing.
    The parts are the headings' ids as GitHub gives them (and the site now too)."""
    first = sorted((example_site / "content" / "training").glob("*.md"))[0]
    other = example_site / "content" / "training" / "intake.md"
    write(example_site, "content/training/intake.md", "---\ntitle: Intake\naudience: all\n---\n"
          "# Intake\n\n## Intake & scheduling\n\nText.\n\n## Café hours\n\nText.\n")
    rel = f"content/training/{first.name}"
    text = first.read_text(encoding="utf-8") + "\n## Our own part\n\n"
    line = text.count("\n") + 1
    links = [f"{other.name}#intake-and-scheduling", "#our-part"]
    kept = [f"{other.name}#intake--scheduling", f"./{other.name}#caf%C3%A9-hours", f"{other.name}#café-hours",
            "#our-own-part", "#main", other.name]
    body = " ".join(f"[{i}]({dest})" for i, dest in enumerate(links + kept))
    write(example_site, rel, text + body + "\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    d = res.expect(rel, line, 1, f"link to '{links[0]}': no heading 'intake-and-scheduling' in "
                   f"content/training/{other.name}", severity="warning")
    assert "did you mean 'intake--scheduling'" in d.msg
    col = len(f"[0]({links[0]}) ") + 1
    res.expect(rel, line, col, "link to '#our-part': no heading 'our-part' in this guide",
               "did you mean 'our-own-part'", severity="warning")
    assert len([w for w in res.warnings if w.path == rel]) == len(links), res.dump()


def test_a_guides_link_to_another_file_of_the_repository_is_a_warning(example_site):
    """GitHub follows [the deck](../presentations/x.md) or [the form](handouts/intake.pdf) to the
    file; the guide's page kept the link as written, to nothing (a 404 on a server, a broken
    link from disk), and validate said nothing, though the README promised a warning for a link
    to a .md file that is no guide."""
    guide = sorted((example_site / "content" / "training").glob("*.md"))[0]
    rel = f"content/training/{guide.name}"
    text = guide.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    links = ["../presentations/intro.md#why", "<handouts/intake form.pdf>", "../presentations/"]
    kept = [f"./{guide.name}", "#top", "https://example.org/a.md", "mailto:desk@example.org",
            "../../physicians/index.html"]
    body = " ".join(f"[{i}]({dest})" for i, dest in enumerate(links + kept))
    write(example_site, rel, text + body + "\n\n`[code](not-checked.md)`\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    col = 1
    for i, dest in enumerate(links):
        shown = dest.strip("<>")
        res.expect(rel, line, col, f"link to '{shown}': no page of the site", "….html, written from the guide's page",
                   severity="warning")
        col += len(f"[{i}]({dest}) ")
    assert len([w for w in res.warnings if w.path == rel]) == len(links), res.dump()
    # a page's folder (../../referrals/ opens a list of files from disk): its file is named
    write(example_site, rel, text + "See [the referrals](../../referrals/#by-month).\n")
    res = validate(example_site)
    res.expect(rel, line, 5, "link to '../../referrals/#by-month': no page of the site",
               "a folder: if it is a page's, write the page's file, '../../referrals/index.html#by-month'",
               severity="warning")


def test_a_guides_reference_style_links_are_checked_at_their_definition(example_site):
    """[the script][script] with [script]: other.md#part, as GitHub writes a link by reference:
    validate checked inline links only, so a definition naming a guide that does not exist,
    a part no heading names or a file the site does not have was said nowhere (and the page
    kept a link to nothing). Each is a warning at its definition's "["."""
    first = sorted((example_site / "content" / "training").glob("*.md"))[0]
    second = example_site / "content" / "training" / "intake.md"
    write(example_site, "content/training/intake.md", "---\ntitle: Intake\naudience: all\n---\n# Intake\n")
    rel = f"content/training/{first.name}"
    text = first.read_text(encoding="utf-8") + "\nSee [one][a], [two][b], [three][c] and [d].[^1]\n\n"
    line = text.count("\n") + 1
    write(example_site, rel, text + f"[a]: referal-basics.md\n  [b]: <{second.name}#no-such-part>\n"
          f"[c]: handouts/intake.pdf \"The form\"\n[d]: ./{second.name}\n[^1]: A footnote, not a link.\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    res.expect(rel, line, 1, "link to 'referal-basics.md': no training guide 'referal-basics'", severity="warning")
    res.expect(rel, line + 1, 3, f"link to '{second.name}#no-such-part': no heading 'no-such-part'",
               severity="warning")
    res.expect(rel, line + 2, 1, "link to 'handouts/intake.pdf': no page of the site", severity="warning")
    assert len([w for w in res.warnings if w.path == rel]) == 3, res.dump()


def test_a_guides_link_from_the_servers_root_is_a_warning(example_site):
    """[the referrals](/referrals/index.html) was left alone: from disk it opens file:///referrals/,
    and under a folder (https://intranet/liaison/) the server's /referrals/: nothing, though the
    README says the site works from disk and under any path prefix. It is a warning at the link,
    with the address written from the guide's page; another host's //host/… is left alone."""
    guide = sorted((example_site / "content" / "training").glob("*.md"))[0]
    rel = f"content/training/{guide.name}"
    text = guide.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    write(example_site, rel, text + "See [the referrals](/referrals/index.html), [a brief](/practices/x/#staff), "
          "[a mirror](//example.org/a) and `[code](/not-checked.html)`.\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    res.expect(rel, line, 5, "link to '/referrals/index.html': an address from the server's root",
               "'../../referrals/index.html'", severity="warning")
    res.expect(rel, line, len("See [the referrals](/referrals/index.html), ") + 1,
               "link to '/practices/x/#staff'", "'../../practices/x/index.html#staff'", severity="warning")
    assert len([w for w in res.warnings if w.path == rel]) == 2, res.dump()


def test_a_guides_link_to_a_page_the_site_does_not_have_is_a_warning(example_site):
    """[the referrals](../../referals/index.html): a page's file, written from the guide's page,
    was "taken as written" and never checked, so a misspelt page or practice id, or one
    folder too many, led nowhere and validate said nothing. Each is a warning at the link,
    with the nearest page as the link would write it; the pages the site has are not."""
    guide = sorted((example_site / "content" / "training").glob("*.md"))[0]
    practice = sorted((example_site / "data" / "practices").glob("*.yaml"))[0].stem
    rel = f"content/training/{guide.name}"
    text = guide.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    wrong = ["../../referals/index.html#by-month", f"../../practices/{practice[:-1]}/index.html",
             "../../../team/index.html"]
    right = ["../../referrals/index.html", f"../../practices/{practice}/index.html#staff", "../index.html",
             f"../{guide.stem}/index.html", "../../activity/2026-03/index.html", "https://example.org/x.html"]
    body = " ".join(f"[{i}]({dest})" for i, dest in enumerate(wrong + right))
    write(example_site, rel, text + body + "\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    res.expect(rel, line, 1, f"link to '{wrong[0]}': no page of the site at 'referals/index.html'",
               "did you mean '../../referrals/index.html'", severity="warning")
    col = len(f"[0]({wrong[0]}) ") + 1
    res.expect(rel, line, col, f"no page of the site at 'practices/{practice[:-1]}/index.html'",
               f"did you mean '../../practices/{practice}/index.html'", severity="warning")
    col += len(f"[1]({wrong[1]}) ")
    res.expect(rel, line, col, f"link to '{wrong[2]}': no page of the site above the site's top", severity="warning")
    assert len([w for w in res.warnings if w.path == rel]) == len(wrong), res.dump()


def test_a_guides_link_to_a_file_the_site_makes_is_no_warning(example_site):
    """[the deck](../../presentations/x/x.pptx), [the export](../../exports/physicians.csv),
    [the calendar](../../calendar.ics): files the build writes beside the pages, which the
    links reach from the guide's page, were each a warning "no page of the site" (only pages
    were known to the check). The site's files are what the build writes
    (render.output_paths); a file it does not write stays a warning."""
    guide = sorted((example_site / "content" / "training").glob("*.md"))[0]
    deck = sorted((example_site / "content" / "presentations").glob("*.md"))[0].stem
    member = sorted((example_site / "data" / "team").glob("*.yaml"))[0].stem
    rel = f"content/training/{guide.name}"
    text = guide.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    right = [f"../../presentations/{deck}/{deck}.pptx", "../../exports/physicians.csv",
             "../../exports/interactions.csv", "../../calendar.ics", f"../../calendar/{member}.ics",
             "../../stats.json", "../../assets/style.css", "../../search/index.js"]
    wrong = ["../../exports/physician.csv", f"../../calendar/{member}-x.ics"]
    body = " ".join(f"[{i}]({dest})" for i, dest in enumerate(wrong + right))
    write(example_site, rel, text + body + "\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    res.expect(rel, line, 1, f"link to '{wrong[0]}': no page of the site", "../../calendar.ics",
               severity="warning")
    res.expect(rel, line, len(f"[0]({wrong[0]}) ") + 1, f"link to '{wrong[1]}': no page of the site",
               severity="warning")
    assert len([w for w in res.warnings if w.path == rel]) == len(wrong), res.dump()


def test_validate_checks_a_guides_link_to_a_months_activity_page(example_site):
    """[March](../../activity/2019-03/index.html): validate, which keeps no interactions, took
    every link to a month's page as written, while build warned of a month without one. The
    months are the statistics' months with interactions there (pages.activity.month_pages):
    both commands say the same."""
    guide = sorted((example_site / "content" / "training").glob("*.md"))[0]
    rel = f"content/training/{guide.name}"
    text = guide.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    write(example_site, rel, text + "[a](../../activity/2019-03/index.html) [b](../../activity/2026-03/index.html)\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    res.expect(rel, line, 1, "link to '../../activity/2019-03/index.html': no page of the site at "
               "'activity/2019-03/index.html'", severity="warning")
    assert len([w for w in res.warnings if w.path == rel]) == 1, res.dump()


def test_a_records_notes_linking_from_the_servers_root_or_an_interactions_from_its_page_warn(example_site):
    """Notes with [the referrals](/referrals/index.html) led nowhere from disk; an interaction's
    [the calendar](../../calendar.ics), shown on briefs (two folders down) and on activity/ (one),
    led to a file from one and to nothing from the other (a crawl of the built site found
    both); validate said nothing. Each is a warning at the notes; a full address is not, nor a
    practice's relative link (its notes show on its own page only)."""
    rel = write(example_site, "data/interactions/2026/11/noted.yaml",
                "date: 2026-11-02\nliaison: lena-brooks\ntype: call\npractice: french-broad-podiatry\n"
                "summary: Called.\nnotes: See [the calendar](../../calendar.ics) and [x](https://example.org/a).\n")
    practice = sorted((example_site / "data" / "practices").glob("*.yaml"))[0]
    prel = f"data/practices/{practice.name}"
    # (the relative link first: the notes' first link that warns is said, so it must be passed over)
    write(example_site, prel, practice.read_text(encoding="utf-8").rstrip("\n")
          + "\nnotes: \"[ok](../../referrals/index.html), [stats](/referrals/index.html)\"\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    res.expect(rel, 6, 8, "notes: link to '../../calendar.ics': an interaction's notes show on pages in "
               "different folders", severity="warning")
    said = [w for w in res.warnings if w.path == prel]
    assert [w.msg for w in said] == ["notes: link to '/referrals/index.html': an address from the server's root, "
                                     "which leads nowhere when the site is opened from disk or served under a "
                                     "folder: link by its full address (https://…)"], res.dump()
    assert len([w for w in res.warnings if w.path == rel]) == 1, res.dump()


def test_a_guides_picture_by_reference_is_a_warning_at_its_definition(example_site):
    """![The desk][desk] with [desk]: images/desk.png (GitHub shows it) kept src="images/desk.png"
    on the guide's page, where no such file is (pictures are copied for ![alt](path) and
    <img> only), and validate said nothing: a picture missing from the page in silence. It is
    a warning at the definition saying how to write it; a link by reference stays a link."""
    guide = sorted((example_site / "content" / "training").glob("*.md"))[0]
    rel = f"content/training/{guide.name}"
    write(example_site, "content/training/images/desk.png", PICTURE)
    text = guide.read_text(encoding="utf-8") + "\n![The desk][desk], ![logo] and [the form][form].\n\n"
    line = text.count("\n") + 1
    write(example_site, rel, text + "[desk]: images/desk.png\n[Logo]: <images/our logo.png>\n"
          "[form]: handouts/intake.pdf\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    res.expect(rel, line, 1, "picture 'images/desk.png' by reference", "![alt text](images/desk.png)",
               severity="warning")
    res.expect(rel, line + 1, 1, "picture 'images/our logo.png' by reference", "![alt text](<images/our logo.png>)",
               severity="warning")
    res.expect(rel, line + 2, 1, "link to 'handouts/intake.pdf': no page of the site", severity="warning")
    assert len([w for w in res.warnings if w.path == rel]) == 3, res.dump()


def test_a_guides_html_img_that_cannot_be_shown_is_a_warning(example_site):
    guide = sorted((example_site / "content" / "training").glob("*.md"))[0]
    rel = f"content/training/{guide.name}"
    text = guide.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    write(example_site, "content/training/images/lab.png", PICTURE)
    write(example_site, rel, text + '<img src="images/lab.png" alt="The lab" width="300"> and <img alt="x" src=\'images/gone.png\'>\n')
    res = validate(example_site)
    assert res.code == 0, res.dump()  # a warning: HTML is taken as written, and the page builds
    col = len('<img src="images/lab.png" alt="The lab" width="300"> and ') + 1
    res.expect(rel, line, col, "image 'images/gone.png': no such file in content/training/", severity="warning")
    assert len([d for d in res.diags if d.path == rel]) == 1, res.dump()
    # its attributes over lines (GitHub reads it so): found where its <img stands
    write(example_site, rel, text + 'A `code` span.\n\nAnd <img alt="x"\n  width="30"\n  src="images/away.png">\n')
    res = validate(example_site)
    res.expect(rel, line + 2, 5, "image 'images/away.png': no such file in content/training/", severity="warning")
    assert len([d for d in res.diags if d.path == rel]) == 1, res.dump()


def test_a_guides_picture_without_alt_text_and_vague_link_text_are_warnings(example_site):
    """The decks' warnings of a picture without alt text and of link text that says nothing
    ("click here") were not given for a training guide, a page of the site as much as a
    deck: its ![](images/lab.png) was alt="" (a screen reader passes it by), its <img>
    without alt read out by its file name, and [click here](…) one of many "click here" in a
    screen reader's list of links. Each is a warning at its place; a picture marked
    decorative, an <img alt="">, a link that names where it goes and code are not."""
    guide = sorted((example_site / "content" / "training").glob("*.md"))[0]
    rel = f"content/training/{guide.name}"
    text = guide.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    write(example_site, "content/training/images/lab.png", PICTURE)
    write(example_site, rel, text + '![](images/lab.png) ![The lab](images/lab.png) ![](images/lab.png "decorative")\n\n'
          '<img src="images/lab.png" width="300"> <img alt="" src="images/lab.png">\n\n'
          'Fill in [click here](https://forms.example/referral), [**More**](https://x.example), '
          '[the referral form](https://forms.example/referral) and `[here](https://x.example)`.\n')
    res = validate(example_site)
    assert res.code == 0, res.dump()
    res.expect(rel, line, 1, "a picture without alt text", "![Our vascular lab]", "decorative", severity="warning")
    res.expect(rel, line + 2, 1, "an <img> without alt text", 'alt="', severity="warning")
    res.expect(rel, line + 4, len("Fill in ") + 1, "a link whose text says nothing", "'[click here]'",
               severity="warning")
    res.expect(rel, line + 4, len("Fill in [click here](https://forms.example/referral), ") + 1,
               "'[**More**]'", severity="warning")
    assert len([d for d in res.diags if d.path == rel]) == 4, res.dump()


@pytest.mark.parametrize("zip_code, said", [
    ("2134", "'2134' is not a ZIP code (5 digits): its leading zeros lost? (a spreadsheet "
             "writes a ZIP code so when its column is not formatted as text); write '02134' if "
             "that is the code"),
    ("'98391.0'", "'98391.0' is not a ZIP code (5 digits): write '98391' (a spreadsheet writes "
                  "a ZIP code so when its column is not formatted as text)"),
    ("9.84E+04", "'9.84E+04' is not a ZIP code (5 digits): its digits are lost (a spreadsheet "
                 "writes a ZIP code so when its column is not formatted as text); write the ZIP "
                 "code again"),
    ("501", "'501' is not a ZIP code (5 digits): its leading zeros lost? (a spreadsheet "
            "writes a ZIP code so when its column is not formatted as text); write '00501' if "
            "that is the code"),
    ("9.84E4", "'9.84E4' is not a ZIP code (5 digits): its digits are lost (a spreadsheet "
               "writes a ZIP code so when its column is not formatted as text); write the ZIP "
               "code again"),
    ("02134", None), ("'98391-1234'", None),
])
def test_a_zip_code_a_spreadsheet_wrote_as_a_number_is_a_warning(example_site, zip_code, said):
    """Pasted from a sheet whose ZIP column is a number: 02134 became 2134 and was taken as
    written, into the brief's address and map link, with no word from validate."""
    rel = write(example_site, "data/practices/cedar-ridge.yaml",
                f"name: Cedar Ridge\ncity: Boston\nzip: {zip_code}\n")
    _the_one_warning_or_none(example_site, rel, 3, 6, "zip", said)


def _the_one_warning_or_none(site, rel, line, col, field, said):
    """validate passes, with ``said`` the one warning of ``rel`` at line:col of ``field``, or
    with none of ``rel`` when ``said`` is None."""
    res = validate(site)
    assert res.code == 0, res.dump()
    mine = [d for d in res.diags if d.path == rel]
    if said:
        res.expect(rel, line, col, f"{field}: {said}", severity="warning")
        assert len(mine) == 1, res.dump()
    else:
        assert mine == [], res.dump()


@pytest.mark.parametrize("name, said", [
    ("Ruiz, Ana", "'Ruiz, Ana' reads as last name, first name: write Ana Ruiz (the pages show "
                  "the name as written, and sort by its last word)"),
    ("Ana Ruiz, MD, FACC", "'Ana Ruiz, MD, FACC' holds credentials after the name: write name: "
                           "Ana Ruiz and credentials: MD, FACC (the directories sort by last "
                           "name, and would read FACC as it)"),
    ("John Smith, Jr.", None), ("Ana Ruiz", None),
])
def test_a_name_as_a_sheet_keeps_it_is_a_warning(example_site, name, said):
    """Pasted from a sheet's name column: 'Ruiz, Ana' was filed under A and 'Ana Ruiz, MD'
    under M in the directories, and shown so on every page, with no word from validate."""
    rel = write(example_site, "data/physicians/ana-ruiz.yaml",
                f"name: {name}\nspecialty: Pediatrics\npractice: french-broad-podiatry\n")
    _the_one_warning_or_none(example_site, rel, 1, 7, "name", said)


@pytest.mark.parametrize("name, said", [
    ("Ana Ruiz, RN", None),
    ("Ruiz, Ana", "'Ruiz, Ana' reads as last name, first name: write Ana Ruiz (the pages show "
                  "the name as written, and sort by its last word)"),
])
def test_a_team_members_name_is_read_without_credentials(example_site, name, said):
    """A team member has no credentials field: 'Ana Ruiz, RN' is their name as they sign it,
    no warning (a physician's would be); a sheet's 'Ruiz, Ana' is said as for a physician."""
    rel = write(example_site, "data/team/ana-ruiz.yaml", f"name: {name}\nrole: liaison\n")
    _the_one_warning_or_none(example_site, rel, 1, 7, "name", said)


@pytest.mark.parametrize("name, credentials", [
    ("Ruiz,", True), (", Ana", True),          # an empty part: nothing to reorder
    ("John Smith, III", True),                 # a generational suffix, not a credential
    ("Ana Ruiz, RN", False),                   # a team member's: no credentials field
    ("Ruiz, Ana, Maria", True),                # three parts: no telling which is which
    ("Ana Ruiz, retired", True),               # a word after the comma, not a first name
])
def test_a_name_that_only_looks_like_a_sheets_is_no_warning(name, credentials):
    from liaison.names import name_order_problem

    assert name_order_problem(name, credentials) is None


def test_a_phone_number_a_spreadsheet_wrote_as_a_number_is_a_warning(example_site):
    """Pasted from a sheet whose phone column is a number in a narrow column (3.60555E+09) or
    with decimals (3605550111.0): taken as text, and the brief's tap-to-call link dialled
    tel:36055509 or tel:36055501110, with no word from validate."""
    rel = write(example_site, "data/practices/cedar-ridge.yaml",
                "name: Cedar Ridge\nphone: 3.60555E+09\nfax: '3605550112.0'\n"
                "staff:\n  - name: Devon Marsh\n    phone: (360) 555-0113 x2\n"
                "  - name: Rosa Till\n    phone: 3605550114.0\n"
                "  - name: Lee Park\n    phone: 5550115.0\n")  # a local number, seven digits
    phys = write(example_site, "data/physicians/cedar-ridge-doc.yaml",
                 "name: Ada Cedar\nspecialty: Family Medicine\npractice: cedar-ridge\n"
                 "phone: 3.60555E+9\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    so = "a spreadsheet writes a phone number so when its column is not formatted as text"
    lost = f"its digits are lost ({so}); write the number again"
    res.expect(rel, 2, 8, f"phone: '3.60555E+09' is not a phone number: {lost}", severity="warning")
    res.expect(rel, 3, 6, f"fax: '3605550112.0' is not a phone number: write '3605550112' ({so})",
               severity="warning")
    res.expect(rel, 8, 12, "staff[1].phone: '3605550114.0' is not a phone number: write "
               f"'3605550114' ({so})", severity="warning")
    res.expect(rel, 10, 12, "staff[2].phone: '5550115.0' is not a phone number: write "
               f"'5550115' ({so})", severity="warning")
    res.expect(phys, 4, 8, f"phone: '3.60555E+9' is not a phone number: {lost}", severity="warning")
    assert len([d for d in res.diags if d.path in (rel, phys)]) == 5, res.dump()


@pytest.mark.parametrize("website, said", [
    ("javascript:alert(1)", True), ("see Facebook", True), ("www.cedar-ridge.example", False),
    ("https://cedar-ridge.example/contact", False),
])
def test_a_website_that_is_no_web_address_is_a_warning(example_site, website, said):
    """Shown on the brief as text and never as a link, with no word from validate."""
    rel = write(example_site, "data/practices/cedar-ridge.yaml",
                f"name: Cedar Ridge\ncity: Asheville\nwebsite: '{website}'\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    mine = [d for d in res.diags if d.path == rel]
    if said:
        res.expect(rel, 3, 10, f"website: '{website}' is not a web address", severity="warning")
        assert len(mine) == 1, res.dump()
    else:
        assert mine == [], res.dump()


@pytest.mark.parametrize("email, said", [
    ("ask the front desk", True), ("carla@mvfm", True), ("a@x.org, b@x.org", True),
    ("carla.jennings@mvfm.example", False), ("o'hara+referrals@mvfm.example", False),
])
def test_an_email_that_is_no_address_is_a_warning(example_site, email, said):
    """Shown as text, never as a mailto: link; validate used to say nothing of it."""
    rel = write(example_site, "data/practices/cedar-ridge.yaml",
                f"name: Cedar Ridge\ncity: Asheville\nstaff:\n  - name: Carla Jennings\n"
                f"    email: \"{email}\"\n")
    doc = write(example_site, "data/physicians/cedar-doc.yaml",
                f"name: Cedar Doc\nspecialty: Cardiology\npractice: cedar-ridge\nemail: \"{email}\"\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    for path, line, col, where in ((rel, 5, 12, "staff[0].email"), (doc, 4, 8, "email")):
        mine = [d for d in res.diags if d.path == path]
        if said:
            res.expect(path, line, col, f"{where}: '{email}' is not an e-mail address",
                       severity="warning")
            assert len(mine) == 1, res.dump()
        else:
            assert mine == [], res.dump()


@pytest.mark.parametrize("notes, said", [
    ("Parking: ![plan](https://example.com/plan.png)", True),
    ('Parking: <IMG src="plan.png" alt="plan">', True),
    ("Parking code in `![x](y)` form, and a [link](https://example.com/plan.png)", False),
    ("Parking behind the building.", False),
])
def test_an_image_in_a_records_notes_is_a_warning(example_site, notes, said):
    """Notes show no image: the sanitizer dropped it from the brief without a trace (an empty
    paragraph where the floor plan was), and validate said nothing."""
    rel = write(example_site, "data/practices/cedar-ridge.yaml",
                f"name: Cedar Ridge\ncity: Asheville\nnotes: |\n  See below.\n\n  {notes}\n")
    doc = write(example_site, "data/physicians/cedar-doc.yaml",
                f"name: Cedar Doc\nspecialty: Cardiology\npractice: cedar-ridge\nnotes: '{notes}'\n")
    visit = write(example_site, "data/interactions/cedar.yaml",
                  "- date: 2026-11-02\n  liaison: lena-brooks\n  type: visit\n  practice: cedar-ridge\n"
                  f"  summary: Met the front desk.\n  notes: '{notes}'\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    for path, line, col, where in ((rel, 3, 8, "notes"), (doc, 4, 8, "notes"),
                                   (visit, 6, 10, "[0].notes")):
        mine = [d for d in res.diags if d.path == path]
        if said:
            res.expect(path, line, col, f"{where}: holds an image, which notes do not show",
                       severity="warning")
            assert len(mine) == 1, res.dump()
        else:
            assert mine == [], res.dump()


def test_a_physician_listed_twice_in_an_interaction_is_a_warning(example_site):
    """Counted once, but named twice on every page that lists the interaction (a brief's
    "Ruth Kessler, Ruth Kessler"), with no word from validate."""
    rel = write(example_site, "data/interactions/twice.yaml",
                "- date: 2026-11-02\n  liaison: lena-brooks\n  type: visit\n"
                "  physicians: [ruth-kessler, alan-cho, ruth-kessler]\n  summary: Met them.\n"
                "- date: 2026-11-03\n  liaison: lena-brooks\n  type: call\n"
                "  physicians: [ruth-kessler, alan-cho]\n  summary: Called them.\n"
                "- date: 2026-11-04\n  liaison: lena-brooks\n  type: call\n"
                "  physicians: [alan-cho, alan-cho]\n  summary: Called him.\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    res.expect(rel, 4, 40, "[0].physicians[2]: physician 'ruth-kessler' is listed already "
               "(physicians[0]): delete one", severity="warning")
    # two names, the same one twice (the shortest list that can repeat one)
    res.expect(rel, 14, 26, "[2].physicians[1]: physician 'alan-cho' is listed already "
               "(physicians[0]): delete one", severity="warning")
    assert len([d for d in res.diags if d.path == rel]) == 2, res.dump()


def test_an_image_layout_without_a_picture_is_a_warning(example_site):
    write(example_site, "content/presentations/halves.md", DECK_HEAD + (
        "Layout: image-left\n\n## Our lab\n\nText and ![inline](images/x.png) in a sentence\n\n---\n\n"
        "Layout: image-right\n\n## Fine\n\n![Lab](images/vascular-lab.png)\n\nText\n"))
    (example_site / "content" / "presentations" / "images").mkdir(exist_ok=True)
    (example_site / "content" / "presentations" / "images" / "vascular-lab.png").write_bytes(
        (REPO / "content" / "presentations" / "images" / "vascular-lab.png").read_bytes())
    (example_site / "content" / "presentations" / "images" / "x.png").write_bytes(PICTURE)
    res = validate(example_site)
    assert res.code == 0, res.dump()
    res.expect("content/presentations/halves.md", 4, 1, "layout 'image-left' without a picture alone",
               "stays empty", severity="warning")
    assert len([d for d in res.diags if d.path == "content/presentations/halves.md"]) == 1, res.dump()


def test_an_html_img_in_a_slide_is_a_warning_that_says_how_to_show_a_picture(example_site):
    write(example_site, "content/presentations/pics.md", DECK_HEAD + "## Lab\n\nOur <img src=\"images/lab.png\"> lab\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    res.expect("content/presentations/pics.md", 6, 5, "HTML <img> is taken out of a slide", "![alt text](",
               severity="warning")


def test_a_slides_link_from_the_servers_root_is_a_warning(example_site):
    """[the referrals](/referrals/index.html) in a slide was left alone (a guide's is a
    warning): from disk it opens file:///referrals/, under a folder the server's /referrals/,
    nothing. It is a warning at the link; another host's //host/… and code are left alone."""
    rel = write(example_site, "content/presentations/rooted.md", DECK_HEAD +
                "## One\n\nSee [the referrals](/referrals/index.html), [a mirror](//example.org/a) "
                "and `[code](/x.html)`.\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    res.expect(rel, 6, 5, "slide 1: link to '/referrals/index.html': an address from the server's root",
               "full address", severity="warning")
    assert len([d for d in res.diags if d.path == rel]) == 1, res.dump()


def test_a_slides_link_to_a_file_of_the_repository_is_a_warning(example_site):
    """[the primer](../training/primer.md) in a slide: GitHub follows it to the file, the HTML
    deck kept it as written and led to nothing (and the customized decks, one folder deeper,
    to another nothing), with no word from validate."""
    rel = write(example_site, "content/presentations/links.md", DECK_HEAD +
                "## One\n\nRead [the primer](../training/primer.md) or [the lab](<images/lab sheet.pdf>).\n\n"
                "---\n\n## Two\n\nBack to [slide one](#1), [our site](https://example.org/a.md), `[x](y.md)`, "
                "[book]({{site.practice.website}}).\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    res.expect(rel, 6, 6, "slide 1: link to '../training/primer.md': no page of the site", severity="warning")
    col = len("Read [the primer](../training/primer.md) or ") + 1
    res.expect(rel, 6, col, "slide 1: link to 'images/lab sheet.pdf': no page of the site", severity="warning")
    assert len([d for d in res.diags if d.path == rel]) == 2, res.dump()


def test_a_character_html_forbids_in_a_guide_or_a_slide_is_a_warning_at_its_place(example_site):
    """A vertical tab (PowerPoint's line break, pasted with a slide's text) or a C1 control in
    a Markdown file: the page drops it (HTML allows it in no text) and the .pptx too, joining
    the words around it, and validate said nothing."""
    rel = write(example_site, "content/presentations/pasted.md", DECK_HEAD +
                "## One\n\nAn overview\x0bfor offices\n\n---\n\n## Two\n\nok \x85 and\x0cform feed\n")
    guide = write(example_site, "content/training/pasted.md", "---\ntitle: Pasted\naudience: all\n---\n"
                  "# Pasted\n\nText\x0bmore\x01.\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    res.expect(rel, 6, 12, "slide 1: a control character (U+000B, a line break as PowerPoint", "delete it",
               severity="warning")
    res.expect(rel, 12, 4, "slide 2: a control character (U+0085)", severity="warning")
    res.expect(guide, 7, 5, "a control character (U+000B", "left out of the page", severity="warning")
    res.expect(guide, 7, 10, "a control character (U+0001)", severity="warning")
    assert len([d for d in res.diags if d.path in (rel, guide)]) == 4, res.dump()  # a form feed is allowed


def test_a_guides_picture_or_link_in_code_is_an_example_not_checked(example_site):
    guide = sorted((example_site / "content" / "training").glob("*.md"))[0]
    rel = f"content/training/{guide.name}"
    text = guide.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    write(example_site, rel, text + "Write `![Logo](images/logo.png)` or `[x](other.md)`:\n\n"
          "```markdown\n![Logo](images/logo.png)\nSee [the primer](primer.md).\n```\n\n"
          "![Gone](images/gone.png)\n")
    res = validate(example_site)
    assert res.code == 1
    res.expect(rel, line + 7, 1, "image 'images/gone.png': no such file in content/training/")
    assert len([d for d in res.diags if d.path == rel]) == 1, res.dump()


def test_deck_template_syntax_error(example_site):
    text = DECK_HEAD + (
        "# One\n"                                # 4
        "\n"                                     # 5
        "---\n"                                  # 6
        "\n"                                     # 7
        "## Two\n"                               # 8
        "\n"                                     # 9
        "{{ site.practice.name }}\n"             # 10
        "- {{ site.practice.name | }}\n"         # 11  syntax error
        "- more\n"                               # 12
        "\n---\n\n## Three\n"
    )
    rel = write(example_site, "content/presentations/d.md", text)
    res = validate(example_site)
    assert res.code == 1
    errs = [d for d in res.errors if d.path == rel]
    assert len(errs) == 1, res.dump()
    assert errs[0].line == 11, errs[0]
    assert errs[0].col in (1, at(text, "{{ site.practice.name | }}")[1]), errs[0]
    assert "syntax" in errs[0].msg.lower()
    assert_only_errors(res, {errs[0].place})


def test_a_deck_with_bad_front_matter_gets_its_slides_syntax_checked_too(example_site):
    # every problem in one run: the front matter's error and the slide's syntax error
    text = "---\ntitle: D\ntargets: 5\n---\n" + (
        "# One\n"                                # 5
        "\n---\n\n"                              # 6-8
        "Layout: sideways\n\n"                    # 9-10
        "## Two\n"                               # 11
        "- {{ site.practice.name | }}\n"         # 12  syntax error
    )
    rel = write(example_site, "content/presentations/d.md", text)
    res = validate(example_site)
    assert res.code == 1
    errs = sorted((d.line, d.msg) for d in res.errors if d.path == rel)
    assert [line for line, _m in errs] == [3, 9, 12], res.dump()
    assert errs[0][1].startswith("targets")
    assert "unknown layout 'sideways'" in errs[1][1]
    assert "template syntax error" in errs[2][1]


def test_deck_template_undefined_variable(example_site):
    text = DECK_HEAD + (
        "# One {{ site.practice.name }}\n"                                     # 4
        "\n---\n\n"                                                            # 5-7
        "## Two\n"                                                             # 8
        "\n"                                                                   # 9
        "{% if practice %}{{ practice.name }}{% endif %}\n"                    # 10
        "- {{ undefined_thing }}\n"                                            # 11
        "- more\n"
    )
    rel = write(example_site, "content/presentations/d.md", text)
    res = validate(example_site)
    assert res.code == 1
    errs = [d for d in res.errors if d.path == rel]
    assert errs and {d.line for d in errs} == {11}, res.dump()
    assert all(d.col == 6 for d in errs), res.dump()  # where the undefined name stands
    assert any("undefined_thing" in d.msg for d in errs), res.dump()


def test_deck_undefined_only_in_a_customized_deck(example_site):
    """validate renders every deck for every target: a mistake only a practice's rendering
    hits is found too."""
    text = DECK_HEAD + (
        "# Hello\n"                                                            # 4
        "\n"                                                                   # 5
        "{% if practice %}\n"                                                  # 6
        "{{ practice.no_such_field }}\n"                                       # 7
        "{% endif %}\n"
    )
    rel = write(example_site, "content/presentations/d.md", text)
    res = validate(example_site)
    assert res.code == 1
    errs = [d for d in res.errors if d.path == rel]
    assert errs and {d.line for d in errs} == {7}, res.dump()
    assert any("no_such_field" in d.msg for d in errs), res.dump()


def test_deck_slide_the_same_for_every_practice_fails_once_for_the_generic_deck(example_site):
    """A slide that reads nothing of the practice is rendered once, in the generic deck: its
    mistake is reported there, as when every practice's rendering hit it too."""
    text = DECK_HEAD + (
        "# Hello {{ site.practice.name }}\n"                                   # 4
        "\n---\n\n"                                                          # 5-7
        "{{ site.no_such_key }}\n"                                             # 8
    )
    rel = write(example_site, "content/presentations/d.md", text)
    res = validate(example_site)
    assert res.code == 1
    errs = [d for d in res.errors if d.path == rel]
    assert [(d.line, d.msg) for d in errs] == [
        (8, "slide 2: template error: 'dict object' has no attribute 'no_such_key' (generic deck)")
    ], res.dump()


def test_deck_slide_changing_what_every_rendering_shares_is_refused_at_its_line(example_site):
    """A method call that changes a value every rendering of the deck shares (one more
    service each time) made the renderings after the first differ: a mistake only the third
    rendering (the second practice) met was found only because every slide was rendered for
    every practice. The change itself is now refused at its line (liaison.sandbox), in the
    generic deck and for each practice alike, and the slide after it sees the services as
    site.yaml gives them."""
    text = DECK_HEAD + (
        "{{ site.services.append(site.services[0]) }}\n"                       # 4
        "\n---\n\n"                                                          # 5-7
        "{% if site.services|length > N %}{{ site.no_such_key }}{% endif %}\n"  # 8
    )
    from liaison.load import load_site

    services = len(load_site(example_site)[0].config.services)
    rel = write(example_site, "content/presentations/d.md", text.replace("N", str(services)))
    res = validate(example_site)
    assert res.code == 1
    errs = [d for d in res.errors if d.path == rel]
    assert errs and {d.line for d in errs} == {4}, res.dump()
    assert all("slide 1: template error: 'append' would change a list the template was given"
               in d.msg for d in errs), res.dump()


def test_deck_targets_all_written_with_spaces_around_it_is_all(example_site):
    # SPEC §2: all strings are stripped; ' all ' was "expected 'all' or a list of practice ids"
    write(example_site, "content/presentations/d.md", "---\ntitle: D\ntargets: ' all '\n---\n# One\n")
    res = validate(example_site)
    assert res.new == [], res.dump()


def test_deck_front_matter_errors(example_site):
    text = "---\ntitel: D\n---\n# One\n"
    rel = write(example_site, "content/presentations/d.md", text)
    res = validate(example_site)
    assert res.code == 1
    res.expect(rel, 2, 1, "titel", "did you mean 'title'")


# --------------------------------------------------------------------------- CLI


def test_strict_turns_warnings_into_errors(example_site):
    res = validate(example_site, "--strict")
    assert res.code == 1, res.dump()
    assert res.warnings == []
    assert {d.place for d in res.errors} == EXAMPLE_WARNINGS, res.dump()
    plain = validate(example_site)
    assert sorted(d.msg for d in plain.warnings) == sorted(d.msg for d in res.errors)


def _without_warnings(site: Path) -> None:
    """The example ``site`` with the causes of its four warnings taken away."""
    (site / LUNCH_AHEAD).unlink()
    (site / SCREENING).write_text(
        (site / SCREENING).read_text().replace("physicians: [nina-vargas]", "physicians: []")
    )
    csv_path = site / CSV_OCT_NOV
    csv_path.write_text("\n".join(csv_path.read_text().splitlines()[:-1]) + "\n")
    # ruth-kessler's lunch within the limit: 100.00 is not over 100
    lunch = site / LUNCH_OVER
    lunch.write_text(lunch.read_text().replace("cost: 120 ", "cost: 100 "))


def test_strict_without_warnings_is_ok(example_site):
    _without_warnings(example_site)
    res = validate(example_site, "--strict")
    assert res.code == 0, res.dump()
    assert res.diags == []


def test_strict_passes_files_the_contract_ignores_and_still_names_them(example_site, tmp_path):
    # SPEC §1: files outside the layout are ignored. A team keeping last year's practices in
    # data/archive/ and a draft guide in content/training/drafts/ got a warning at each (a
    # misfiled record is lost in silence otherwise), which --strict made an error: a site the
    # contract calls valid failed `validate --strict` and `build --strict`
    _without_warnings(example_site)
    old = write(example_site, "data/archive/2025/cedar-hill-clinic.yaml", "name: Cedar Hill\n")
    draft = write(example_site, "content/training/drafts/intake.md", "---\ntitle: T\n---\n")
    res = validate(example_site, "--strict")
    assert res.code == 0, res.dump()
    assert {(d.path, d.sev) for d in res.diags} == {(old, "warning"), (draft, "warning")}
    assert all(d.msg.startswith("not read: ") for d in res.diags), res.dump()
    code, _stdout, stderr = cli("build", "--root", str(example_site), "--out",
                                str(tmp_path / "out"), "--as-of", AS_OF, "--strict")
    assert code == 0, stderr
    assert f"{old}:1:1: warning: not read: " in stderr
    assert (tmp_path / "out" / "index.html").is_file()
    # a warning of the records themselves still fails it
    write(example_site, "data/interactions/2026/12/ahead.yaml",
          "date: 2026-12-20\nliaison: lena-brooks\ntype: call\n"
          "practice: french-broad-podiatry\nsummary: Called.\n")
    res = validate(example_site, "--strict")
    assert res.code == 1 and [d.path for d in res.errors] == [
        "data/interactions/2026/12/ahead.yaml"], res.dump()


def test_format_github_on_stdout(example_site):
    text = "name: Pat Doe\nspeciality: X\npractice: french-broad-podiatry\n"
    rel = write(example_site, "data/physicians/pat-doe.yaml", text)
    code, stdout, stderr = run_validate(example_site, "--as-of", AS_OF, "--format", "github")
    assert code == 1
    lines = stdout.splitlines()
    assert lines, stdout
    parsed = [GITHUB_RE.match(line) for line in lines]
    assert all(parsed), lines
    got = {(m["sev"], m["path"], int(m["line"]), int(m["col"])) for m in parsed}
    assert ("error", rel, 2, 1) in got
    assert ("error", rel, 1, 1) in got
    for path, line, col in EXAMPLE_WARNINGS:
        assert ("warning", path, line, col) in got
    assert len(lines) == 2 + 4, lines
    unknown = next(m for m in parsed if (m["path"], int(m["line"])) == (rel, 2))
    assert unknown["msg"].startswith("speciality: ")
    assert "did you mean 'specialty'" in unknown["msg"]
    assert f"::error file={rel},line=2,col=1::speciality: " in stdout
    # no text-form diagnostics on stderr
    assert not [line for line in stderr if DIAG_RE.match(line)], stderr


def test_format_github_writes_a_percent_sign_as_percent_25(example_site):
    # GitHub decodes %25, %0D and %0A in a workflow command's message: a '%' the message
    # quotes is written %25, or '50%0A' in a cell would show as '50' and a line break
    csv = write(example_site, "data/referrals/r.csv",
                "date,source,physician,service,status,count\n"
                "2026-11-02,web,,sclerotherapy,referred,50%\n")
    code, stdout, _stderr = run_validate(example_site, "--as-of", AS_OF, "--format", "github")
    assert code == 1
    errors = [line for line in stdout.splitlines() if line.startswith("::error ")]
    assert errors == [f"::error file={csv},line=2,col=1::count: expected a whole number ≥ 1, "
                      "got '50%25'"], stdout


def test_format_github_warnings_only_exit_0(example_site):
    code, stdout, stderr = run_validate(example_site, "--as-of", AS_OF, "--format", "github")
    assert code == 0
    lines = stdout.splitlines()
    assert len(lines) == 4
    assert (f"::warning file={SCREENING},line=5,col=14::physicians[0]: ") in stdout
    assert (f"::warning file={LUNCH_OVER},line=7,col=7::cost: ") in stdout
    assert all(line.startswith("::warning file=") for line in lines)


@pytest.mark.parametrize("as_of", ["2026-02-30", "26-11-2026", "tomorrow", "2026-11-26x", ""])
def test_bad_as_of_is_a_usage_error(example_site, as_of):
    code, _out, stderr = run_validate(example_site, "--as-of", as_of)
    assert code == 2
    assert any("as-of" in line for line in stderr), stderr


@pytest.mark.parametrize("args", [["--bogus"], ["--format", "xml"], ["--strict=yes"]])
def test_unknown_option_is_a_usage_error(example_site, args):
    code, _out, _err = run_validate(example_site, "--as-of", AS_OF, *args)
    assert code == 2


def test_missing_root_is_a_usage_error(tmp_path):
    code, _out, _err = run_validate(tmp_path / "does-not-exist", "--as-of", AS_OF)
    assert code == 2


def test_every_problem_in_every_file_in_one_run(example_site):
    phys = write(example_site, "data/physicians/pat-doe.yaml",
                 "name: Pat Doe\nspeciality: X\npractice: french-broad-podiatry\nnpi: '1045837262'\n")
    lost = write(example_site, "data/physicians/lost-doc.yaml",
                 "name: Lost Doc\nspecialty: X\npractice: nowhere-clinic\n")
    team = write(example_site, "data/team/sam.yaml", "name: Sam\nrole: liason\n")
    inter = write(example_site, "data/interactions/2026/x.yaml",
                  INTERACTION.replace("type: call", "type: vist"))
    deck = write(example_site, "data/interactions/2026/y.yaml", INTERACTION + "deck: nope\n")
    csv_rel = write(example_site, "data/referrals/r.csv",
                    "date,source,physician,service,status\n2026-02-30,web,,sclerotherapy,\n"
                    "2026-02-03,webb,,sclerotherapy,\n")
    broken = write(example_site, "data/practices/broken.yaml", "name: x\ncity: y: z\n")
    res = validate(example_site)
    assert res.code == 1
    expected = {
        (phys, 1, 1),     # specialty missing
        (phys, 2, 1),     # speciality unknown
        (phys, 4, 6),     # NPI check digit
        (lost, 3, 11),    # practice dangling
        (team, 2, 7),     # role enum
        (inter, 3, 7),    # type enum
        (deck, 6, 7),     # deck dangling
        (csv_rel, 2, 1),  # bad date
        (csv_rel, 3, 1),  # bad source
        (broken, 2, 8),   # YAML syntax: the second ':' on line 2
    }
    assert {d.place for d in res.errors} == expected, res.dump()
    # every diagnostic line is in the sorted order: path, line, column
    keys = [(d.path, d.line, d.col) for d in res.diags]
    assert keys == sorted(keys), res.dump()
    # the warnings of the example are still reported in the same run
    assert {d.place for d in res.warnings} == EXAMPLE_WARNINGS
    # the error count is stated
    assert any(re.search(rf"\b{len(res.errors)} errors?\b", line) for line in res.stderr), res.dump()


def test_reference_problems_of_a_record_with_field_errors_are_reported_too(example_site):
    phys = write(example_site, "data/physicians/pat-doe.yaml",
                 "name: Pat Doe\nspeciality: X\npractice: nowhere-clinic\n")
    inter = write(example_site, "data/interactions/x.yaml",
                  INTERACTION.replace("type: call", "type: vist") + "deck: nope\n")
    res = validate(example_site)
    assert res.code == 1
    res.expect(phys, 2, 1, "did you mean 'specialty'")
    res.expect(inter, 3, 7, "vist")
    res.expect(phys, 3, 11, "nowhere-clinic")
    res.expect(inter, 6, 7, "nope")


def test_each_diagnostic_is_one_line_even_for_values_with_newlines(example_site):
    text = INTERACTION.replace("date: 2026-02-03", 'date: "2026-02-03\\nlater"')
    rel = write(example_site, "data/interactions/x.yaml", text)
    csv_rel = write(example_site, "data/referrals/r.csv",
                    'date,source,physician,service,status\n"2026-02-04\nx",web,,sclerotherapy,\n')
    res = validate(example_site)
    assert res.code == 1
    res.expect(rel, 1, 7, "2026-02-03")
    res.expect(csv_rel, 2, 1, "2026-02-04")
    stray = [line for line in res.stderr
             if not DIAG_RE.match(line) and not line.startswith(("Error:", "ok:"))]
    assert stray == [], res.stderr


def test_each_diagnostic_is_one_line_even_for_file_names_with_line_breaks(example_site):
    """Interaction files are named freely, a line break included; the diagnostic stays one
    line (SPEC §3), in text and in GitHub form."""
    text = INTERACTION.replace("type: call", "type: phone")
    write(example_site, "data/interactions/call\nnotes.yaml", text)
    write(example_site, "data/practices/new\nclinic.yaml", "name: New Clinic\n")
    res = validate(example_site)
    assert res.code == 1
    res.expect("data/interactions/call notes.yaml", *at(text, "phone"), "type")
    res.expect("data/practices/new clinic.yaml", 1, 1, "not a valid id")
    stray = [line for line in res.stderr
             if not DIAG_RE.match(line) and not line.startswith(("Error:", "ok:"))]
    assert stray == [], res.stderr
    res = validate(example_site, "--format", "github")
    lines = res.stdout.splitlines()
    assert "::error file=data/interactions/call%0Anotes.yaml,line=3,col=7::type: " in "\n".join(
        lines)
    assert all(GITHUB_RE.match(line) for line in lines if not line.startswith("::notice")), lines


def test_a_file_name_with_a_comma_or_a_colon_keeps_its_github_annotation(example_site):
    """GitHub reads a workflow command's properties up to each "," (and ":" ends them): a file
    named "lunch, dr x,title=Approved.yaml" put the annotation on a file "…/lunch" with the
    title "Approved.yaml", not on the changed line. Properties escape "," and ":" as GitHub's
    own toolkit does (%2C, %3A)."""
    text = INTERACTION.replace("type: call", "type: phone")
    write(example_site, "data/interactions/lunch, dr x,title=Approved: yes.yaml", text)
    res = validate(example_site, "--format", "github")
    # (the ':' gets a warning besides: Windows does not take it in a name)
    [line] = [x for x in res.stdout.splitlines() if "dr x" in x and x.startswith("::error")]
    assert line.startswith("::error file=data/interactions/lunch%2C dr x%2Ctitle=Approved%3A "
                           "yes.yaml,line=3,col=7::type: "), line
    assert GITHUB_RE.match(line), line


@pytest.mark.parametrize("pairs, said", [(1_000_000, "2,000,000"), (501, "1,002")],
                         ids=["2-MB", "edge"])
def test_a_long_value_is_quoted_shortened(example_site, pairs, said):
    # a 2 MB line pasted into `type:` was quoted whole: a diagnostic line of 2 MB; at the edge
    # of diagnostics.QUOTE_MAX (1,000), a value of 1,002 characters is cut to 60 as well
    text = INTERACTION.replace("type: call", "type: " + "ab" * pairs)
    rel = write(example_site, "data/interactions/long.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    assert res.expect(rel, 3, 7).msg == (
        f"type: '{'ab' * 30}…' ({said} characters) is not one of 'visit', 'lunch', "
        "'presentation', 'event', 'call', 'email' or 'other'")
    assert max(map(len, res.stderr)) < 400


def test_an_interaction_written_twice_in_its_file_is_a_warning(example_site):
    # a record pasted twice, or both sides of a merge conflict kept: validate passed and the
    # visit counted twice in every figure
    one = "- " + INTERACTION.replace("\n", "\n  ").rstrip() + "\n"
    other = one.replace("Called the office.", "Called the office again.")
    # the same summary, another outcome: a second call that day, no slip
    second_call = one.rstrip() + "\n  outcome: positive\n"
    rel = write(example_site, "data/interactions/2026/q1.yaml", one + other + second_call + one)
    res = validate(example_site)
    assert res.code == 0, res.dump()
    assert [(d.place, d.msg) for d in res.new] == [(
        (rel, 17, 3), "[3]: the same interaction as [0], field for field: written twice? "
                      "delete one; if both happened (a second voicemail that day), say so in its "
                      "summary")], res.dump()
    assert validate(example_site, "--strict").code == 1
    # two alike that both happened (two voicemails left that day) cannot be told from a record
    # pasted twice: the warning says how to tell them apart, and once said, nothing is said
    write(example_site, rel, one + other + second_call
          + one.replace("Called the office.", "Called the office (second voicemail)."))
    res = validate(example_site)
    assert [d for d in res.diags if d.path == rel] == [], res.dump()


CONFLICT = ("an unresolved merge conflict (git's '<<<<<<<', '=======' and '>>>>>>>' lines): "
            "keep the lines you want and delete the three marker lines")


def test_a_merge_conflict_left_in_a_file_is_named_as_such(example_site):
    # the markers gave "while scanning a simple key could not find expected ':'" in YAML and
    # "expected 5 cells (as in the header), found 1" in CSV; in a note (a block of text), a
    # guide or a deck they passed, and the site showed both sides with the markers
    def conflicted(text, at):
        lines = text.split("\n")
        return "\n".join(lines[:at] + ["<<<<<<< HEAD", lines[at], "=======",
                                        lines[at] + " (theirs)", ">>>>>>> new-visit"]
                         + lines[at + 1:])

    visit = write(example_site, "data/interactions/2026/c.yaml", conflicted(INTERACTION, 4))
    note = write(example_site, "data/practices/noted.yaml", conflicted(
        "name: Noted Clinic\nnotes: |\n  Parking behind the building.\n  Ask for Dana.\n", 3))
    csv = write(example_site, "data/referrals/c.csv", conflicted(
        "date,source,physician,service,status\n2026-10-17,web,,sclerotherapy,referred\n", 1))
    guide = write(example_site, "content/training/c.md", conflicted(
        "---\ntitle: G\naudience: all\n---\n# Body\n\nText.\n", 6))
    res = validate(example_site)
    assert res.code == 1
    for rel, line in ((visit, 5), (note, 4), (csv, 2), (guide, 7)):
        assert res.expect(rel, line, 1).msg == CONFLICT
    assert_only_errors(res, {(visit, 5, 1), (note, 4, 1), (csv, 2, 1), (guide, 7, 1)})
    # a Markdown heading underlined with '=======' is no conflict
    write(example_site, "content/training/c.md", "---\ntitle: G\naudience: all\n---\n"
                                                 "Body\n=======\n\nText.\n")
    assert guide not in {d.path for d in validate(example_site).diags}


def test_a_merge_conflict_on_the_first_line_after_a_byte_order_mark_is_placed_there(
        example_site):
    # a file saved with a byte-order mark (Notepad) whose first line is in conflict: the
    # '<<<<<<<' after the mark was not seen, and the error stood at the '=======' (line 3),
    # or was the parser's words
    doc = ("\ufeff<<<<<<< HEAD\nname: Pat Doe\n=======\nname: Pat Doe-Ames\n>>>>>>> x\n"
           "specialty: X\npractice: french-broad-podiatry\n")
    rel = write(example_site, "data/physicians/pat-doe.yaml", doc)
    res = validate(example_site)
    assert res.expect(rel, 1, 1).msg == CONFLICT
    assert_only_errors(res, {(rel, 1, 1)})


DIFF3_CONFLICT = (
    "an unresolved merge conflict (git's '<<<<<<<', '|||||||', '=======' and '>>>>>>>' lines, "
    "as merge.conflictStyle diff3 writes them): keep the lines you want and delete the four "
    "marker lines and the common ancestor's lines from '|||||||' to '======='")


def test_a_diff3_merge_conflict_says_to_delete_the_ancestor_lines_too(example_site):
    # with merge.conflictStyle diff3 (or zdiff3) the message said "delete the three marker
    # lines": done so, the '||||||| base' line and the ancestor's value were left, and validate
    # said "YAML syntax error: while scanning a block scalar did not find expected comment or
    # line break", in a CSV "expected 5 cells", and in a note the site showed them
    doc = ("name: Pat Doe\nspecialty: Family Medicine\npractice: french-broad-podiatry\n"
           "<<<<<<< HEAD\ntier: C\n||||||| 69d69b6\ntier: A\n=======\ntier: B\n>>>>>>> c1\n")
    rel = write(example_site, "data/physicians/pat-doe.yaml", doc)
    csv = write(example_site, "data/referrals/c.csv",
                "date,source,physician,service,status\n<<<<<<< HEAD\n"
                "2026-10-17,web,,sclerotherapy,referred\n||||||| merged common ancestors\n"
                "=======\n2026-10-18,web,,sclerotherapy,referred\n>>>>>>> theirs\n")
    res = validate(example_site)
    assert res.code == 1
    assert res.expect(rel, 4, 1).msg == DIFF3_CONFLICT
    assert res.expect(csv, 2, 1).msg == DIFF3_CONFLICT
    assert_only_errors(res, {(rel, 4, 1), (csv, 2, 1)})
    # the three lines deleted as the old message said: the ancestor's marker is named
    left = doc.replace("<<<<<<< HEAD\n", "").replace("=======\ntier: B\n>>>>>>> c1\n", "")
    write(example_site, rel, left)
    note = write(example_site, "data/practices/noted.yaml",
                 "name: Noted Clinic\nnotes: |\n  Parking behind.\n||||||| 69d69b6\n"
                 "  Ask for Dana.\n")
    write(example_site, csv, "date,source,physician,service,status\n"
                             "2026-10-17,web,,sclerotherapy,referred\n||||||| base\n")
    res = validate(example_site)
    assert res.expect(rel, 5, 1).msg == DIFF3_CONFLICT
    assert res.expect(note, 4, 1).msg == DIFF3_CONFLICT
    assert res.expect(csv, 3, 1).msg == DIFF3_CONFLICT
    assert_only_errors(res, {(rel, 5, 1), (note, 4, 1), (csv, 3, 1)})


@pytest.mark.parametrize("marker", ["=======", ">>>>>>> c1"])
def test_a_marker_left_in_yaml_after_the_first_was_deleted_is_a_conflict(example_site, marker):
    # the '<<<<<<<' line deleted, another marker left: the parser's words, "while scanning a
    # simple key could not find expected ':'" (a line below it) or "while scanning a block
    # scalar did not find expected comment or line break"
    doc = f"name: Pat Doe\nspecialty: Family Medicine\ntier: C\n{marker}\n" \
          "practice: french-broad-podiatry\n"
    rel = write(example_site, "data/physicians/pat-doe.yaml", doc)
    # in a referral CSV the line was "expected 5 cells (as in the header), found 1"
    csv = write(example_site, "data/referrals/c.csv",
                f"date,source,physician,service,status\n2026-10-17,web,,sclerotherapy,referred\n"
                f"{marker}\n2026-10-18,web,,sclerotherapy,referred\n")
    res = validate(example_site)
    assert res.expect(rel, 4, 1).msg == CONFLICT
    assert res.expect(csv, 3, 1).msg == CONFLICT
    assert_only_errors(res, {(rel, 4, 1), (csv, 3, 1)})


def test_a_copy_left_beside_a_visit_log_is_said_not_counted_twice_in_silence(example_site):
    # `git mergetool` writes q3_BASE_<pid>.yaml, _LOCAL_, _REMOTE_ (and _BACKUP_) beside the
    # file in conflict and leaves them when it is killed: interaction and referral files are
    # named freely, so each was read, its visits counted again, and validate said "ok"
    visits = "- " + INTERACTION.replace("\n", "\n  ").rstrip() + "\n"
    rows = "date,source,physician,service,status\n2026-10-17,web,,sclerotherapy,referred\n"
    write(example_site, "data/interactions/2026/q3.yaml", visits)
    write(example_site, "data/referrals/h2.csv", rows)
    before = stats_json(example_site)["totals"]
    copies = {"data/interactions/2026/q3_BASE_12345.yaml": ("q3.yaml", "the common ancestor's side"),
              "data/interactions/2026/q3_LOCAL_12345.yaml": ("q3.yaml", "your branch's side"),
              "data/referrals/h2_REMOTE_12345.csv": ("h2.csv", "the other branch's side")}
    for rel, (original, _side) in copies.items():
        write(example_site, rel, visits if rel.endswith(".yaml") else rows)
    res = validate(example_site)
    assert res.code == 1
    for rel, (original, side) in copies.items():
        assert res.expect(rel, 1, 1).msg == (
            f"a copy of {original} that git mergetool writes while a merge conflict in it is "
            f"resolved ({side}), left behind: its records count a second time with those of "
            f"{original}; delete it")
    assert_only_errors(res, {(rel, 1, 1) for rel in copies})
    # a file named like one but not one (no process id) is a file of its own
    for rel in copies:
        (example_site / rel).unlink()
    write(example_site, "data/interactions/2026/q3_BASE_notes.yaml", visits)
    assert validate(example_site).code == 0
    assert stats_json(example_site)["totals"]["interactions"] == before["interactions"] + 1
    # a copy as Windows, the Finder, a browser or a sync client names it, beside its file: a
    # warning (a person may name a file so), said only when the file it copies is there
    (example_site / "data/interactions/2026/q3_BASE_notes.yaml").unlink()
    named = {"data/interactions/2026/q3 - Copy.yaml": "q3.yaml",
             "data/interactions/2026/q3 copy 2.yaml": "q3.yaml",
             "data/interactions/2026/q3 (1).yaml": "q3.yaml",
             "data/referrals/h2 (Dana's conflicted copy 2026-12-01).csv": "h2.csv",
             # Google Drive's copy of a sheet, downloaded beside the first download
             "data/referrals/Copy of h2.csv": "h2.csv"}
    for rel in named:
        write(example_site, rel, visits if rel.endswith(".yaml") else rows)
    write(example_site, "data/interactions/2026/q4 (1).yaml", visits)  # no q4.yaml
    write(example_site, "data/referrals/Copy of h1.csv", rows)  # no h1.csv
    res = validate(example_site)
    assert res.code == 0
    assert sorted((d.path, d.sev, d.line, d.col, d.msg) for d in res.new) == sorted(
        (rel, "warning", 1, 1, f"named as programs name a copy of {original}, beside it: if it "
                               f"is one, its records count a second time with those of {original}: "
                               "delete it; if not, give it a name of its own")
        for rel, original in named.items()), res.dump()


def test_a_file_moved_into_the_other_kinds_folder_is_one_error_saying_where_it_goes(
        example_site):
    # `git mv data/referrals/2025.yaml data/interactions/2025/`: each record was four to six
    # errors, "[0].source: unknown field (did you mean 'outcome'?)", "[0].liaison: required
    # field is missing", … (1,937 for the sample's year of referrals), none saying where it goes
    referrals = "".join(f"- {{date: 2026-10-{d:02}, source: web, service: sclerotherapy}}\n"
                        for d in range(1, 31))
    visits = "- " + INTERACTION.replace("\n", "\n  ").rstrip() + "\n"
    moved = write(example_site, "data/interactions/2026/referrals.yaml", referrals)
    back = write(example_site, "data/referrals/q3.yaml", visits)
    one = write(example_site, "data/referrals/one.yaml", INTERACTION)  # one record, no list
    res = validate(example_site)
    assert res.expect(moved, 1, 1).msg == (
        "the records of this file are referrals, not interactions (their fields are a "
        "referral's: source, service, …): referral files go in data/referrals/; move it there")
    for rel in (back, one):
        assert res.expect(rel, 1, 1).msg == (
            "the records of this file are interactions, not referrals (their fields are an "
            "interaction's: liaison, summary, …): interaction files go in data/interactions/; "
            "move it there")
    assert_only_errors(res, {(moved, 1, 1), (back, 1, 1), (one, 1, 1)})
    # a record of the folder's kind among them, or a field of neither: each record's errors
    write(example_site, moved, referrals + visits)
    write(example_site, back, visits.replace("type:", "typ:"))
    (example_site / one).unlink()
    res = validate(example_site)
    assert res.expect(moved, 1, 3).msg == "[0].liaison: required field is missing"
    assert any(d.msg == "[0].typ: unknown field" for d in res.errors
               if d.path == back), res.dump()


def test_a_second_record_written_below_the_first_without_a_dash_is_named_so(example_site):
    # a visit appended to a one-visit file as it stood: an error per field ("date: duplicate
    # key 'date'", "liaison: duplicate key 'liaison'", …), none saying what to do
    second = INTERACTION.replace("2026-02-03", "2026-02-10")
    rel = write(example_site, "data/interactions/2026/two.yaml", INTERACTION + "\n" + second)
    doc = write(example_site, "data/physicians/pat-doe.yaml", PHYSICIAN + PHYSICIAN)
    res = validate(example_site)
    assert res.code == 1
    assert res.expect(rel, 7, 1).msg == (
        "a second interaction starts here ('date:' again) in a file written as one record: a "
        "file of several is a YAML list, each record starting with '- ' and its lines indented "
        "under it")
    assert res.expect(doc, 4, 1).msg == (
        "a second physician starts here ('name:' again): a physician file holds one physician; "
        "put the other in a file of its own")
    assert_only_errors(res, {(rel, 7, 1), (doc, 4, 1)})
    # one field written twice is that field's error, saying what to do (it was "duplicate
    # key 'type'" alone; both sides of a merge conflict kept write a field twice)
    write(example_site, "data/interactions/2026/two.yaml", INTERACTION + "type: visit\n")
    res = validate(example_site)
    assert res.expect(rel, 6, 1).msg == (
        "type: duplicate key 'type': the field is written twice in this record: keep one")


def test_two_records_run_together_by_a_merge_conflict_kept_whole_are_named_so(example_site):
    # two liaisons append a visit of the same day to one file: git puts the line both records
    # share, '- date: …', above the conflict; the markers deleted, the two visits read as one
    # with four fields written twice, and "keep one" a field dropped one liaison's visit
    shared = "- date: 2026-02-03\n"
    maya = "  liaison: lena-brooks\n  type: lunch\n  practice: french-broad-podiatry\n" \
           "  summary: Lunch for the office.\n  cost: 120\n"
    theo = "  liaison: lena-brooks\n  type: call\n  practice: french-broad-podiatry\n" \
           "  summary: Called the desk.\n"
    rel = write(example_site, "data/interactions/2026/both.yaml",
                "- date: 2026-02-01\n" + theo + shared + maya + theo)
    res = validate(example_site)
    assert res.expect(rel, 12, 3).msg == (
        "[1]: 'liaison', 'type', 'practice' and 'summary' are written twice in this "
        "interaction: two interactions run together (both sides of a merge conflict kept, "
        "whose interactions began with the same lines)? Start the second with its own "
        "'- date: …' line above this one, or keep one of each field")
    assert_only_errors(res, {(rel, 12, 3)})
    # the second record's date kept with its fields, its '- ' lost: that line is named
    write(example_site, rel, shared + maya + "  date: 2026-02-04\n" + theo)
    res = validate(example_site)
    assert res.expect(rel, 7, 3).msg == (
        "[0]: a second interaction starts here ('date:' again) with no '- ' of its own: "
        "write '- date:' as the interaction above starts")
    assert_only_errors(res, {(rel, 7, 3)})
    # one field written twice in a list's record is still that field's error
    write(example_site, rel, shared + maya + "  type: visit\n")
    res = validate(example_site)
    assert res.expect(rel, 7, 3).msg == (
        "[0].type: duplicate key 'type': the field is written twice in this record: keep one")


_YAMLISH = st.text(
    alphabet=st.sampled_from(list("abcdnpiteyl-_:[]{},&*!|>#'\"\\ \n\t0123456789\u00e9")),
    max_size=80,
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(_YAMLISH, st.binary(max_size=60)))
def test_malformed_input_never_raises(example_site, body):
    """No input produces a traceback: exit 0 or 1, every stderr line a diagnostic or summary."""
    rel = "data/physicians/fuzz.yaml"
    write(example_site, rel, body)
    res = validate(example_site)  # run_validate fails the test on any exception
    assert res.code in (0, 1), res.dump()
    for d in res.diags:
        assert d.line >= 1 and d.col >= 1, d
    if res.code == 1:
        assert any(d.path == rel for d in res.errors), res.dump()


def test_a_number_written_with_a_leading_zero_is_a_warning(example_site):
    """`cost: 010` is $10 here (YAML 1.2) and $8 to a YAML 1.1 reader such as PyYAML, which
    reads `09` as text: the same file gave another spend to another tool, without a word.
    `02` reads 2 to both and is left alone; so is a quoted or a CSV value."""
    first = write(example_site, "data/interactions/2026/11/zeros.yaml",
                  "- date: 2026-11-20\n  type: lunch\n  liaison: lena-brooks\n"
                  "  practice: french-broad-podiatry\n  summary: Lunch for the office.\n"
                  "  cost: 010\n"
                  "- {date: 2026-11-21, type: call, liaison: lena-brooks, "
                  "practice: french-broad-podiatry, summary: Called., cost: 09}\n")
    ref = write(example_site, "data/referrals/zeros.yaml",
                "- {date: 2026-11-02, source: physician, physician: alan-cho, "
                "service: vein-ablation, status: referred, count: 012}\n"
                "- {date: 2026-11-03, source: physician, physician: alan-cho, "
                "service: vein-ablation, status: referred, count: 02}\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    res.expect(first, 6, 9, "[0].cost: '010' starts with a zero", "read here as 10",
               "the octal 8", "write 10", severity="warning")
    res.expect(first, 7, 113, "[1].cost: '09' starts with a zero", "the text '09'",
               severity="warning")
    res.expect(ref, 1, 111, "[0].count: '012'", "the octal 10", "write 12", severity="warning")
    assert len([d for d in res.diags if d.path in (first, ref)]) == 3, res.dump()
    assert validate(example_site, "--strict").code == 1


def test_a_next_visit_planned_before_its_interaction_is_a_warning(example_site):
    """`next_visit: 2025-12-03` on an interaction of 2026-11-20 (the year mistyped) passed
    without a word, and the call plan then called the visit missed. A follow-up due before its
    interaction is left alone: the example's lunch, logged ahead, has its order due the day
    before."""
    rel = write(example_site, "data/interactions/2026/11/typo.yaml",
                "- {date: 2026-11-20, type: call, liaison: lena-brooks, "
                "practice: french-broad-podiatry, summary: Booked a lunch., "
                "next_visit: 2025-12-03}\n"
                "- {date: 2026-11-21, type: call, liaison: lena-brooks, practice: no-such, "
                "summary: Called., next_visit: 2026-10-03}\n")
    res = validate(example_site)
    assert res.code == 1, res.dump()  # (the unknown practice)
    res.expect(rel, 1, 127, "[0].next_visit: 2025-12-03 is before the interaction's date "
               "2026-11-20: a mistyped year or month?", severity="warning")
    # a record that fails validation for another reason is checked all the same
    res.expect(rel, 2, 105, "[1].next_visit: 2026-10-03 is before the interaction's date "
               "2026-11-21", severity="warning")
    assert not [d for d in res.diags if "mistyped" in d.msg and d.path != rel], res.dump()


def test_a_site_yml_beside_site_yaml_is_a_warning(example_site):
    """With both, site.yaml is read and site.yml was left out without a word: settings
    written there (a compliance limit, a repository) were taken nowhere."""
    write(example_site, "site.yml", "compliance: {annual_limit: 50}\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    res.expect("site.yml", 1, 1, "not read: site.yaml is the site's settings file",
               "delete it", severity="warning")
    (example_site / "site.yaml").unlink()  # alone, it is the settings file and read
    res = validate(example_site)
    assert not [d for d in res.diags if d.path == "site.yml" and "not read" in d.msg], res.dump()


def test_a_physician_who_moved_warns_at_their_past_visits_with_what_to_do(example_site):
    # marcus-bell moves to french-broad-podiatry: each earlier visit at his old practice now
    # warns; the message says that such a visit may stay as it was (it is history), so that
    # the manager does not rewrite where past visits happened
    path = example_site / "data/physicians/marcus-bell.yaml"
    path.write_text(path.read_text().replace("practice: mountain-view-family-medicine",
                                             "practice: french-broad-podiatry"))
    res = validate(example_site)
    assert res.code == 0, res.dump()
    moved = [d for d in res.new if "'marcus-bell'" in d.msg]
    assert moved and all(d.sev == "warning" for d in moved)
    for d in moved:
        assert ("physician 'marcus-bell' is at practice 'french-broad-podiatry', not "
                "'mountain-view-family-medicine'") in d.msg
        assert d.msg.endswith("if they moved since, leave this earlier interaction as it is "
                              "(it happened there); if not, correct the practice or the "
                              "physician")


def test_a_future_interactions_done_follow_up_is_said_once(example_site):
    """An interaction dated after the as-of date is said already: its follow-up done later
    still is not said again as "stays open" (the docstring above promises it)."""
    text = ("- date: 2026-12-01\n"                         # 1
            "  liaison: lena-brooks\n"                     # 2
            "  type: visit\n"                              # 3
            "  practice: mountain-view-family-medicine\n"  # 4
            "  summary: Dropped off pads.\n"               # 5
            "  follow_ups:\n"                              # 6
            "    - task: Send the new pads\n"              # 7
            "      due: 2026-12-03\n"                      # 8
            "      done: 2026-12-02\n")                    # 9
    rel = write(example_site, "data/interactions/2026/12/ahead.yaml", text)
    res = validate(example_site)
    assert res.code == 0, res.dump()
    res.expect(rel, 1, 9, "[0].date: dated 2026-12-01", severity="warning")
    assert len([w for w in res.warnings if w.path == rel]) == 1, res.dump()


def test_a_record_that_fails_keeps_the_done_rule_of_a_valid_one(example_site):
    """An interaction that fails validation for another field (an unknown type) still has
    its follow-ups' done dates checked, by the same rule: done the day before is an error,
    done the same day is fine."""
    text = ("- date: 2026-11-02\n"                         # 1
            "  liaison: lena-brooks\n"                     # 2
            "  type: coffee\n"                             # 3
            "  practice: mountain-view-family-medicine\n"  # 4
            "  summary: Dropped off pads.\n"               # 5
            "  follow_ups:\n"                              # 6
            "    - task: Send the new pads\n"              # 7
            "      due: 2026-11-10\n"                      # 8
            "      done: 2026-11-01\n"                     # 9
            "    - task: Call the office manager\n"        # 10
            "      due: 2026-11-10\n"                      # 11
            "      done: 2026-11-02\n")                    # 12
    rel = write(example_site, "data/interactions/2026/11/coffee.yaml", text)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    res.expect(rel, 3, 9, "coffee")
    d = res.expect(rel, 9, 13, "is before the interaction's date 2026-11-02")
    assert d.msg.startswith("[0].follow_ups[0].done: done 2026-11-01")
    assert not [e for e in res.errors if e.path == rel and e.line == 12], res.dump()


def test_a_follow_up_due_weeks_before_its_interaction_is_a_warning(example_site):
    """A follow-up typed with last year's year in January (`due: 2026-01-13` on a visit of
    2027-01-06) passed without a word: the promise read "358 days overdue" from the first day,
    folded in the follow-ups' older backlog instead of due this week. Due four weeks or more
    before its interaction is a mistyped year or month; a few days before (a lunch logged
    ahead, its order due the day before) is said nothing about."""
    visit = ("- {{date: {date}, type: visit, liaison: lena-brooks, "
             "practice: french-broad-podiatry, summary: {summary}, "
             "follow_ups: [{{task: {task}, due: {due}}}]}}\n")
    # (four promises, not one made four times: that is a warning of its own)
    rel = write(example_site, "data/interactions/2026/11/due-typo.yaml",
                visit.format(date="2026-11-06", summary="Visited.", task="Send the list",
                             due="2025-11-13")
                + visit.format(date="2026-11-20", summary="Lunch booked.", task="Mail the list",
                               due="2026-10-23")
                + visit.format(date="2026-11-20", summary="Lunch ahead.", task="Send the card",
                               due="2026-10-24")
                + visit.format(date="2026-11-20", summary="Lunch again.", task="Bring the map",
                               due="2026-11-17"))
    # a record that fails validation for another reason is checked all the same
    bad = write(example_site, "data/interactions/2026/11/due-typo-bad.yaml",
                visit.format(date="2026-11-06", summary="Visited.", task="Send the list",
                             due="2025-11-13")
                .replace("type: visit", "type: coffee"))  # (an unknown practice was no failure)
    res = validate(example_site)
    assert res.code == 1, res.dump()  # (the unknown type)
    res.expect(rel, 1, 149, "[0].follow_ups[0].due: 2025-11-13 is before the interaction's "
               "date 2026-11-06: a mistyped year or month?", severity="warning")
    res.expect(rel, 2, 154, "[1].follow_ups[0].due: 2026-10-23 is before the interaction's "
               "date 2026-11-20: a mistyped year or month?", severity="warning")
    res.expect(bad, 1, 28, "[0].type: 'coffee' is not one of")
    res.expect(bad, 1, 150, "[0].follow_ups[0].due: 2025-11-13 is before the interaction's "
               "date 2026-11-06", severity="warning")
    # 27 and 3 days before: no word
    assert len([d for d in res.diags if d.path == rel]) == 2, res.dump()


def test_an_interaction_dated_in_another_year_than_its_folder_is_a_warning(example_site):
    """The first week of January: a visit of 2027-01-26, its file named for the day in
    data/interactions/2027/01/, dated `2026-01-26` (last year's year typed) passed without a
    word and counted as a visit a year old: the physician's visit overdue, the practice's
    planned visit missed. A date that disagrees with its year's folder, its month's or the
    day its file is named for is a warning; records in their folders say nothing."""
    visit = ("- {{date: {date}, type: visit, liaison: lena-brooks, "
             "practice: french-broad-podiatry, summary: Visited.}}\n")
    cases = {  # file → (dates of its records, the lines that warn)
        "data/interactions/2026/11/24-french-broad.yaml": (["2025-11-24"], [1]),
        "data/interactions/2026/11/extra.yaml": (["2026-11-03", "2026-10-30"], [2]),
        "data/interactions/2026/lunches.yaml": (["2026-02-03", "2025-12-30"], [2]),
        "data/interactions/2026/11/20-french-broad.yaml": (["2026-11-21"], [1]),
        "data/interactions/2026/11/2026-11-25-call.yaml": (["2026-11-25"], []),
        "data/interactions/2026/q4.yaml": (["2026-10-01", "2026-11-20"], []),
    }
    for rel, (dates, _lines) in cases.items():
        write(example_site, rel, "".join(visit.format(date=d) for d in dates))
    # (an unknown type: an unknown practice, a reference, leaves the record valid)
    bad = write(example_site, "data/interactions/2026/11/25-coffee.yaml",
                visit.format(date="2025-11-25").replace("type: visit", "type: coffee"))
    res = validate(example_site)
    assert res.code == 1, res.dump()  # (the unknown type)
    res.expect(bad, 1, 28, "[0].type: 'coffee' is not one of")
    res.expect("data/interactions/2026/11/24-french-broad.yaml", 1, 10,
               "[0].date: dated 2025-11-24, but its file is named for 2026-11-24: a mistyped "
               "year or month? Correct the date, or move the file where its date says",
               severity="warning")
    res.expect("data/interactions/2026/11/extra.yaml", 2, 10,
               "[1].date: dated 2026-10-30, but its file is in the folder of 2026-11",
               severity="warning")
    res.expect("data/interactions/2026/lunches.yaml", 2, 10,
               "[1].date: dated 2025-12-30, but its file is in the folder of 2026",
               severity="warning")
    res.expect("data/interactions/2026/11/20-french-broad.yaml", 1, 10,
               "[0].date: dated 2026-11-21, but its file is named for 2026-11-20",
               severity="warning")
    # a record that fails validation for another reason is checked all the same
    res.expect(bad, 1, 10, "[0].date: dated 2025-11-25, but its file is named for 2026-11-25",
               severity="warning")
    for rel, (_dates, lines) in cases.items():
        assert sorted(d.line for d in res.diags if d.path == rel) == lines, res.dump()
    # the example's own files (2026/10/2026-10-12-screening-event.yaml, 2026/h1.yaml, …)
    assert [d for d in res.diags if "its file is" in d.msg
            and d.path not in cases and d.path != bad] == [], res.dump()


def test_an_interaction_file_named_for_days_or_month_and_day_is_no_warning(example_site):
    """A three-day conference kept in one file, `2026/11/05-07-conference.yaml`, had its
    second and third days warned of as dated outside the day the file is named for, and a
    file named month first, `2026/11/11-24-visit.yaml`, its visit of 2026-11-24: --strict
    failed both. A name that begins with two numbers is read as a span of days or as the month
    and the day (or the day and the month) the folder says (11-24 in 2026/11/: either); a date
    outside them, or a year or month other than the folders', is still warned of."""
    visit = ("- {{date: {date}, type: visit, liaison: lena-brooks, "
             "practice: french-broad-podiatry, summary: Visited.}}\n")
    cases = {  # file → (dates of its records, the lines that warn)
        "data/interactions/2026/11/05-07-conference.yaml":
            (["2026-11-05", "2026-11-06", "2026-11-07", "2026-11-09", "2025-11-06"], [4, 5]),
        "data/interactions/2026/11/11-24-visit.yaml": (["2026-11-24", "2026-11-30"], [2]),
        "data/interactions/2026/11/24-11-lunch.yaml": (["2026-11-24"], []),
        "data/interactions/2026/11/12-03-call.yaml": (["2026-11-12", "2026-11-03"], [2]),
    }
    for rel, (dates, _lines) in cases.items():
        write(example_site, rel, "".join(visit.format(date=d) for d in dates))
    res = validate(example_site)
    assert res.code == 0, res.dump()
    res.expect("data/interactions/2026/11/05-07-conference.yaml", 4, 10,
               "[3].date: dated 2026-11-09, but its file is named for 2026-11-05: a mistyped "
               "year or month? Correct the date, or move the file where its date says",
               severity="warning")
    for rel, (_dates, lines) in cases.items():
        assert sorted(d.line for d in res.diags if d.path == rel and "its file is" in d.msg) \
            == lines, res.dump()


def test_the_folder_and_period_checks_let_through_exactly_their_days():
    """The days a folder, a file's name or a referral file's period allows are kept once per
    file, and a date is let through by comparing it with them (the checks run once per
    interaction and per row: 200,000 and 290,000 at 10,000 physicians). Every day of 2023 to
    2025 against each kind of file: a warning exactly for the days outside its month (a leap
    February's 29th in it), its year, its day, a month that is no calendar's (all of them)
    and a referral file's period (from 6 days before its first day)."""
    from liaison.checks import file_period_problem, folder_date_problem

    days = [dt.date(2023, 1, 1) + dt.timedelta(days=i) for i in range(3 * 365 + 1)]
    allowed = {
        "data/interactions/2024/02/t-0001.yaml": lambda d: (d.year, d.month) == (2024, 2),
        "data/interactions/2024/12/extra.yaml": lambda d: (d.year, d.month) == (2024, 12),
        "data/interactions/2024/lunches.yaml": lambda d: d.year == 2024,
        "data/interactions/2024/02/29-visit.yaml": lambda d: d == dt.date(2024, 2, 29),
        "data/interactions/2024/13/extra.yaml": lambda d: False,
        "data/interactions/2023/02/29-visit.yaml": lambda d: False,
    }
    for rel, ok in allowed.items():
        dated: dict = {}  # (kept between calls, as check_bulk keeps it)
        warned = [d for d in days if folder_date_problem(rel, d, dated)]
        assert warned == [d for d in days if not ok(d)], rel
    periods = {"data/referrals/2024-03.csv": (dt.date(2024, 2, 24), dt.date(2024, 3, 31)),
               "data/referrals/2024-q1.csv": (dt.date(2023, 12, 26), dt.date(2024, 12, 31)),
               "data/referrals/1999.csv": (dt.date(1998, 12, 26), dt.date(1999, 12, 31)),
               "data/referrals/2024-12.csv": (dt.date(2024, 11, 25), dt.date(2024, 12, 31))}
    for rel, (first, last) in periods.items():
        kept: dict = {}
        warned = [d for d in days if file_period_problem(rel, d, kept)]
        assert warned == [d for d in days if not first <= d <= last], rel
        assert file_period_problem(rel, last + dt.timedelta(days=1), kept).startswith(
            f"dated {(last + dt.timedelta(days=1)).isoformat()}, but its file is named for ")


def test_a_referral_row_dated_in_another_year_than_its_file_is_a_warning(example_site):
    """January: a row of `2027-q1.csv` typed with last year's year (`2026-01-05`) passed
    without a word and counted a year back (in the previous 365 days, not the last 90). A
    row outside the year or month its file is named for is a warning at its line; a week's
    rolled-up row dated a few days before the year, and files named for a span or not for a
    period, say nothing."""
    row = "{date},web,,sclerotherapy,\n"
    header = "date,source,physician,service,status\n"
    cases = {  # file → (dates of its rows, the lines that warn)
        "data/referrals/2027-q1.csv": (["2027-01-04", "2026-01-05", "2026-12-28"], [3]),
        # (the month's last day says nothing, nor a week's row dated 6 days before its first;
        # 7 days before is another period)
        "data/referrals/2026-11.csv": (["2026-11-02", "2026-12-01", "2026-10-26", "2026-11-30",
                                        "2026-10-25"], [3, 6]),
        "data/referrals/web/2026-web.csv": (["2026-03-01", "2025-03-01"], [3]),
        "data/referrals/2025-26.csv": (["2025-10-01", "2026-03-01"], []),
        "data/referrals/2026-10-to-11.csv": (["2026-10-01", "2026-11-03"], []),
        "data/referrals/spring.csv": (["2026-04-01"], []),
    }
    for rel, (dates, _lines) in cases.items():
        write(example_site, rel, header + "".join(row.format(date=d) for d in dates))
    yaml_rel = write(example_site, "data/referrals/2026.yaml",
                     "- {date: 2026-02-03, source: web, service: sclerotherapy}\n"
                     "- {date: 2025-02-03, source: web, service: sclerotherapy}\n")
    res = validate(example_site, "--as-of", "2027-01-06")
    assert res.code == 0, res.dump()
    res.expect("data/referrals/2027-q1.csv", 3, 1,
               "date: dated 2026-01-05, but its file is named for 2027: a mistyped year or "
               "month? Correct the date, or move the row to a file of its own period",
               severity="warning")
    res.expect("data/referrals/2026-11.csv", 3, 1,
               "date: dated 2026-12-01, but its file is named for 2026-11", severity="warning")
    res.expect(yaml_rel, 2, 10, "[1].date: dated 2025-02-03, but its file is named for 2026",
               severity="warning")
    for rel, (_dates, lines) in cases.items():
        assert sorted(d.line for d in res.diags if d.path == rel and "named for" in d.msg) \
            == lines, res.dump()
    # the example's own referral files say nothing
    assert [d for d in res.diags if "named for" in d.msg and d.path not in cases
            and d.path != yaml_rel] == [], res.dump()


def test_a_referral_row_that_fails_keeps_the_date_rules_of_a_valid_one(example_site):
    """A referral row that fails validation for another cell (a status no one knows, a field
    no one knows) was given its reference checks only: its date after the as-of date or
    outside its file's period was said on the run after the error was fixed, where an
    interaction that fails has its valid fields' rules at once. It is warned of in the same
    run, at the row's line in a CSV file and at the date in a YAML list; a row whose date is
    itself the error gets no warning of it."""
    rel = write(example_site, "data/referrals/2026-11.csv",
                "date,source,physician,service,status\n"
                "2026-12-03,web,,sclerotherapy,bogus\n"     # 2: after the as-of date, in December
                "2025-11-10,web,,sclerotherapy,bogus\n"     # 3: another year than its file's
                "2026-11-31,web,,sclerotherapy,bogus\n"     # 4: the date is the error
                "2026-11-10,web,,sclerotherapy,bogus\n"     # 5: the status alone
                "2026-11-26,web,,sclerotherapy,bogus\n")    # 6: on the as-of day, the status alone
    yaml_rel = write(example_site, "data/referrals/2026.yaml",
                     "- {date: 2025-02-03, source: web, service: sclerotherapy, colour: red}\n")
    res = validate(example_site, "--as-of", "2026-11-26")
    assert res.code == 1, res.dump()
    assert [(d.line, d.sev, d.msg.split(":")[0]) for d in res.diags if d.path == rel] == [
        (2, "error", "status"), (2, "warning", "date"), (2, "warning", "date"), (3, "error", "status"),
        (3, "warning", "date"), (4, "error", "date"), (4, "error", "status"),
        (5, "error", "status"), (6, "error", "status")], res.dump()
    res.expect(rel, 2, 1, "date: dated 2026-12-03, after the as-of date 2026-11-26: left out "
               "of the statistics", severity="warning")
    res.expect(rel, 3, 1, "date: dated 2025-11-10, but its file is named for 2026-11",
               severity="warning")
    res.expect(yaml_rel, 1, 10, "[0].date: dated 2025-02-03, but its file is named for 2026",
               severity="warning")


def test_a_referral_file_named_for_a_fiscal_year_is_not_checked_against_the_calendar_year(example_site):
    """A practice that reports by fiscal year keeps `2026-fy.csv` from October 2025 (or July)
    to September 2026: every row before January was warned of as a mistyped year, and
    --strict failed the site. A file whose name says a fiscal year (`fy`, `fiscal`) names a
    span, as `2025-26.csv` does, and is not checked; a calendar file still is."""
    row = "{date},web,,sclerotherapy,\n"
    header = "date,source,physician,service,status\n"
    cases = {  # file → (dates of its rows, the lines that warn)
        "data/referrals/2026-fy.csv": (["2025-10-01", "2026-09-30"], []),
        "data/referrals/2026-fiscal-web.csv": (["2025-07-01", "2026-06-30"], []),
        "data/referrals/2026_FY_phone.csv": (["2025-10-06"], []),
        "data/referrals/2027-q1.csv": (["2027-01-04", "2026-01-05"], [3]),
    }
    for rel, (dates, _lines) in cases.items():
        write(example_site, rel, header + "".join(row.format(date=d) for d in dates))
    res = validate(example_site, "--as-of", "2027-01-06")
    assert res.code == 0, res.dump()
    for rel, (_dates, lines) in cases.items():
        assert sorted(d.line for d in res.diags if d.path == rel and "named for" in d.msg) \
            == lines, res.dump()


def test_a_next_visit_on_the_interactions_own_day_is_no_warning(example_site):
    """Only a next visit before its interaction is a mistyped date: one planned for the same
    day (a second stop that afternoon) is said nothing about."""
    rel = write(example_site, "data/interactions/2026/11/sameday.yaml",
                "- {date: 2026-11-20, type: call, liaison: lena-brooks, "
                "practice: french-broad-podiatry, summary: Booked a lunch., "
                "next_visit: 2026-11-20}\n")
    res = validate(example_site)
    assert res.code == 0, res.dump()
    assert [d for d in res.diags if d.path == rel] == [], res.dump()


def test_the_compliance_limit_counts_each_calendar_year_and_the_as_of_day(example_site):
    """compliance.annual_limit (100) is per calendar year: 60 in December and 60 in January
    are under it each; a lunch on the as-of date itself (age 0 counts) takes the year over."""
    text = ("- {date: 2025-12-20, type: lunch, liaison: lena-brooks, physicians: [alan-cho], "
            "summary: Lunch., cost: 60}\n"
            "- {date: 2026-01-05, type: lunch, liaison: lena-brooks, physicians: [alan-cho], "
            "summary: Lunch., cost: 60}\n"
            "- {date: 2026-11-26, type: lunch, liaison: lena-brooks, physicians: [alan-cho], "
            "summary: Lunch., cost: 50}\n")
    rel = write(example_site, "data/interactions/alan.yaml", text)
    res = validate(example_site)
    assert res.code == 0, res.dump()
    d = res.expect(rel, *at(text, "50}"), "alan-cho", "$110.00 in 2026", "over the annual limit",
                   severity="warning")
    assert d.msg.startswith("[2].cost: ")
    assert [w for w in res.warnings if w.path == rel] == [d], res.dump()


def test_a_yaml_referral_dated_past_the_last_year_is_an_error(example_site):
    """A YAML date (read by the parser as a date, not as text) is held to the years a site
    may hold, as a CSV cell is: 2100-01-01 is out of range, 2099-12-31 is not."""
    text = ("- {date: 2100-01-01, source: web, service: vein-ablation}\n"
            "- {date: 2099-12-31, source: web, service: vein-ablation}\n")
    rel = write(example_site, "data/referrals/far.yaml", text)
    res = validate(example_site)
    assert res.code == 1, res.dump()
    d = res.expect(rel, 1, 10, "'2100-01-01' is out of range")
    assert d.msg.startswith("[0].date: ")
    assert [e for e in res.errors if e.path == rel] == [d], res.dump()


def test_validates_help_says_what_its_as_of_date_does():
    # `validate --help` said "Date the statistics are computed at", and validate computes no
    # statistics: what the date decides there is which records are ahead of it (a warning)
    from conftest import cli

    code, out, _err = cli("validate", "--help")
    assert code == 0
    as_of = " ".join(out.split("--as-of YYYY-MM-DD", 1)[1].split("--strict")[0].split())
    assert "statistics are computed" not in as_of, as_of
    assert "dated after it is a warning" in as_of, as_of


def test_a_promise_repeated_while_the_first_is_open_is_a_warning(example_site):
    """A liaison promised "Order the holiday lunch" on a call and again at the next visit,
    and wrote `done:` on the second copy when it was ordered: the follow-ups page, the
    brief's promises and the calendars showed it twice, and the first one stayed open, then
    overdue, for good, without a word. A follow-up whose task (capitals and spaces aside)
    repeats one still open of an earlier interaction with one of its practices is a warning
    naming where the first is; once the first is done, promising it again is said nothing
    about, nor is the same task at another practice. A task that recurs (a monthly report
    promised again while last month's is open) cannot be told from one promised twice: the
    warning says how to word it so that it is not."""
    call = write(example_site, "data/interactions/2026/11/20-call.yaml",
                 "date: 2026-11-20\n"                                  # 1
                 "liaison: lena-brooks\n"                              # 2
                 "type: call\n"                                        # 3
                 "practice: french-broad-podiatry\n"                   # 4
                 "summary: Confirmed the holiday lunch.\n"             # 5
                 "follow_ups:\n"                                       # 6
                 "  - {task: Order the holiday lunch, due: 2026-11-30}\n"       # 7
                 "  - {task: Mail the pads, due: 2026-11-25}\n"                 # 8
                 "  - {task: Send the flyer, due: 2026-11-25, done: 2026-11-21}\n"  # 9
                 "  - {task: Call the manager, due: 2026-11-25, done: 2026-11-26}\n")  # 10
    visit = write(example_site, "data/interactions/2026/11/24-visit.yaml",
                  "date: 2026-11-24\n"                                 # 1
                  "liaison: lena-brooks\n"                             # 2
                  "type: visit\n"                                      # 3
                  "practice: french-broad-podiatry\n"                  # 4
                  "summary: Dropped by.\n"                             # 5
                  "follow_ups:\n"                                      # 6
                  "  - {task: order the  holiday lunch, due: 2026-11-30}\n"     # 7
                  "  - {task: Mail the pads, due: 2026-11-25, done: 2026-11-24}\n"  # 8
                  "  - {task: Send the flyer, due: 2026-12-01}\n"               # 9
                  "  - {task: Call the manager, due: 2026-12-02}\n")            # 10
    elsewhere = write(example_site, "data/interactions/2026/11/24-elsewhere.yaml",
                      "date: 2026-11-24\n"
                      "liaison: lena-brooks\n"
                      "type: call\n"
                      "practice: mountain-view-family-medicine\n"
                      "summary: Called.\n"
                      "follow_ups:\n"
                      "  - {task: Order the holiday lunch, due: 2026-11-30}\n")
    # a log kept newest first: the earlier day's promise is the first, wherever it is written
    newest_first = write(example_site, "data/interactions/2026/11/newest-first.yaml",
                         "- date: 2026-11-24\n"                                       # 1
                         "  liaison: lena-brooks\n"                                   # 2
                         "  type: visit\n"                                            # 3
                         "  practice: hendersonville-womens-health\n"                 # 4
                         "  summary: Dropped by.\n"                                   # 5
                         "  follow_ups: [{task: Bring the brochures, due: 2026-11-30}]\n"  # 6
                         "- date: 2026-11-20\n"                                       # 7
                         "  liaison: lena-brooks\n"                                   # 8
                         "  type: call\n"                                             # 9
                         "  practice: hendersonville-womens-health\n"                 # 10
                         "  summary: Called.\n"                                       # 11
                         "  follow_ups: [{task: Bring the brochures, due: 2026-11-30}]\n")  # 12
    res = validate(example_site)
    res.expect(newest_first, 6, 23, "[0].follow_ups[0].task: the same promise as `[1].follow_ups[0]` of "
               f"`{newest_first}` (2026-11-20), still open: promised twice?", severity="warning")
    assert [d.line for d in res.diags if d.path == newest_first] == [6], res.dump()
    res.expect(visit, 7, 12, "follow_ups[0].task: the same promise as `follow_ups[0]` of "
               f"`{call}` (2026-11-20), still open: promised twice? write `done:` on the "
               "earlier one, or delete one; a task that recurs says which time it is (`Send the "
               "November report`)", severity="warning")
    res.expect(visit, 8, 12, "follow_ups[1].task: the same promise as `follow_ups[1]` of "
               f"`{call}` (2026-11-20), still open: a follow-up is done where it was "
               "promised: write `done: 2026-11-24` there", severity="warning")
    # done before it was promised again (9), or by the as-of day (10: done is not open),
    # and another practice's: nothing
    assert [d.line for d in res.diags if d.path == visit] == [7, 8], res.dump()
    assert not [d for d in res.diags if d.path in (call, elsewhere)], res.dump()
    # on the visit's own day (as-of 2026-11-24) it is read as well, and the call done on the
    # 26th is still open that day: 10 is a promise made twice then
    on_the_day = validate(example_site, "--as-of", "2026-11-24")
    assert [d.line for d in on_the_day.diags if d.path == visit] == [7, 8, 10], on_the_day.dump()


def test_the_promises_that_can_warn_give_the_warnings_of_every_promise():
    """Where the promise events of all the interactions are at hand, only those that can
    warn or be warned of (an open follow-up, or one sharing its task and a practice with
    one) are sent to another process or kept, most being done and promised once: the
    warnings are those of every follow-up's events, on made-up interactions with few tasks
    and practices (so that many repeat)."""
    import random
    from types import SimpleNamespace as NS

    from liaison.checks import promise_events, promises_that_can_warn, repeated_promise_problems

    rng = random.Random(5)
    as_of = dt.date(2026, 11, 26)
    site = NS(physicians={f"dr-{i}": NS(practice=f"p{i % 7}") for i in range(20)})
    tasks = ["Send the flyer", "send the  FLYER", "Mail the pads", "Café menu",
             "Cafe menu", *(f"Task {i}" for i in range(300))]
    pairs = []
    for n in range(3000):
        date = as_of - dt.timedelta(days=rng.randint(-5, 700))
        follow_ups = [NS(task=rng.choice(tasks), done=None if rng.random() < 0.05 else
                         date + dt.timedelta(days=rng.choice((0, 3, 9, 40))))
                      for _ in range(rng.randint(0, 3))]
        record = NS(date=date, follow_ups=follow_ups,
                    practice=rng.choice([None, "p1", "p2"]),
                    physicians=rng.sample([*sorted(site.physicians), "dr-gone"],
                                          rng.randint(0, 3)))
        pairs.append((record, (f"data/interactions/{n}.yaml", (n,))))
    pairs.sort(key=lambda pair: pair[0].date)
    every = promise_events(site, as_of, pairs)
    can_warn = promises_that_can_warn(every)
    # (each event's practices those the pages list the interaction under)
    from liaison.derived import practices_of

    practices = {(e[1], e[4]): e[6] for e in every}
    assert all(practices[path, 0] == tuple(practices_of(r, site.physicians))
               for r, (path, _prefix) in pairs if (path, 0) in practices)
    assert len(can_warn) < len(every) / 2, (len(can_warn), len(every))
    warned = repeated_promise_problems(every)
    assert len(warned) > 100
    assert repeated_promise_problems(can_warn) == warned


def test_an_interaction_logged_ahead_says_its_follow_ups_wait_for_its_day(example_site):
    """A lunch logged ahead (2026-12-15) with its order due the day before: the warning said
    the interaction was "left out of the statistics", while its follow-ups were left out of
    follow-ups/, the briefs and the calendars too, until the lunch's day, when the order
    first showed a day overdue. The warning says so, with the first one's due date; an
    interaction ahead without follow-ups reads as before."""
    rel = write(example_site, "data/interactions/ahead.yaml",
                "- {date: 2026-12-15, liaison: lena-brooks, type: lunch, "
                "practice: french-broad-podiatry, summary: Lunch booked ahead., "
                "follow_ups: [{task: Confirm the headcount, due: 2026-12-11}, "
                "{task: Order the lunch, due: 2026-12-14}]}\n"
                "- {date: 2026-12-16, liaison: lena-brooks, type: call, "
                "practice: french-broad-podiatry, summary: Call planned.}\n")
    res = validate(example_site)
    d = res.expect(rel, 1, 10, "dated 2026-12-15, after the as-of date 2026-11-26: left out "
                   "of the statistics; its follow-ups wait for that day (on no list or calendar "
                   "until then; the first due 2026-12-11)", severity="warning")
    assert d.msg.startswith("[0].date: ")
    d = res.expect(rel, 2, 10, "left out of the statistics", severity="warning")
    assert d.msg.endswith("left out of the statistics"), d.msg


@pytest.mark.parametrize("indent", ["\t", "  \t", " \t "])
def test_a_tab_in_the_indentation_is_placed_at_the_tab(example_site, indent):
    # YAML indents with spaces only: the error names the tab, at its own column
    text = ("- date: 2026-11-02\n  liaison: lena-brooks\n  type: call\n"
            f"{indent}practice: mountain-view-family-medicine\n  summary: Called.\n")
    rel = write(example_site, "data/interactions/tabbed.yaml", text)
    res = validate(example_site)
    assert res.code == 1
    col = indent.index("\t") + 1
    res.expect(rel, 4, col, "a tab in the indentation", "spaces only")
    assert [d.place for d in res.diags if d.path == rel] == [(rel, 4, col)], res.dump()


def test_a_byte_order_mark_at_the_start_of_a_file_is_not_part_of_it(example_site):
    # Notepad saves UTF-8 with a byte-order mark: a guide so saved starts with its front
    # matter all the same, and the columns of a record's first line are counted without it
    guide = example_site / "content/training/referral-source-basics.md"
    guide.write_bytes(b"\xef\xbb\xbf" + guide.read_bytes())
    rel = write(example_site, "data/practices/marked-clinic.yaml",
                b"\xef\xbb\xbfnmae: Marked Clinic\ncity: Asheville\n")
    res = validate(example_site)
    assert res.code == 1
    res.expect(rel, 1, 1, "nmae: unknown field", "name")
    assert {d.place for d in res.new} == {(rel, 1, 1)}, res.dump()


@pytest.mark.parametrize("encoding, mark", [
    ("utf-16-le", "\ufeff"), ("utf-16-be", "\ufeff"), ("utf-16-le", ""), ("utf-16-be", ""),
], ids=["le-mark", "be-mark", "le", "be"])
def test_a_yaml_file_saved_as_utf_16_is_named_so_whichever_its_byte_order(example_site, encoding,
                                                                           mark):
    # Notepad's "Unicode" is UTF-16 little-endian with a mark; "Unicode big endian", and
    # other programs' exports without a mark, are UTF-16 too: each is one error at 1:1
    # saying so (not "byte 0xfe" of text that is not UTF-8)
    text = "name: Sixteen Clinic\ncity: Asheville\n"
    rel = write(example_site, "data/practices/sixteen.yaml", (mark + text).encode(encoding))
    res = validate(example_site)
    assert res.code == 1
    d = res.expect(rel, 1, 1, "UTF-16", "save it as UTF-8")
    assert [x for x in res.diags if x.path == rel] == [d]


def test_a_yaml_file_of_exactly_5_mb_is_read_and_one_byte_more_is_refused(example_site):
    # SPEC §1: files *over* 5 MB are refused (5 MB = 5 × 1024 × 1024 bytes here): a file of
    # exactly that size is read, one of a byte more is not
    limit = 5 * 1024 * 1024
    head = "name: Edge Practice\ncity: Asheville\n"
    filler = "# " + "x" * 98 + "\n"
    body = head + filler * ((limit - len(head)) // len(filler))
    text = body + "#" * (limit - len(body) - 1) + "\n"
    assert len(text.encode()) == limit
    res = _read_at_its_limit_and_refused_a_byte_over(example_site, "data/practices/edge.yaml", text, "5 MB")
    assert res.code == 0, res.dump()[:2000]


def _read_at_its_limit_and_refused_a_byte_over(example_site, rel: str, text: str, refusal: str):
    """``text``, exactly a size limit long, is read without a word at ``rel``; one byte more is
    one error at 1:1 saying ``refusal``, the file read no further. The first run's result."""
    write(example_site, rel, text)
    at_limit = validate(example_site)
    assert [d for d in at_limit.diags if d.path == rel] == [], at_limit.dump()[:2000]
    write(example_site, rel, text + "\n")
    over = validate(example_site)
    assert over.code == 1
    d = over.expect(rel, 1, 1, refusal)
    assert [x for x in over.diags if x.path == rel] == [d]
    return at_limit


def test_a_field_written_twice_in_front_matter_is_placed_at_its_file_line(example_site):
    # the front matter's YAML starts on line 2 of the file: the second `title:` stands on
    # line 4 of the guide, not on line 3 (its line in the YAML text alone)
    text = "---\naudience: all\ntitle: One\ntitle: Two\n---\n# Body\n\nText.\n"
    rel = write(example_site, "content/training/twice.md", text)
    res = validate(example_site)
    assert res.code == 1
    res.expect(rel, 4, 1, "title: duplicate key 'title'")
    assert [d.place for d in res.diags if d.path == rel] == [(rel, 4, 1)], res.dump()


@pytest.mark.parametrize("rel", [
    "data/practices/nothing.yaml", "data/physicians/nothing.yaml", "data/team/nothing.yaml",
    "data/interactions/nothing.yaml",
])
def test_a_file_holding_an_empty_mapping_holds_no_record(example_site, rel):
    # `{}` (YAML's empty mapping) is a file of no record, as `[]` is: one error at 1:1 saying
    # so, not a "required field is missing" for each field of a record nobody wrote
    write(example_site, rel, "{}\n")
    res = validate(example_site)
    assert res.code == 1, res.dump()
    res.expect(rel, 1, 1, "holds no record")
    assert_only_errors(res, {(rel, 1, 1)})


def test_a_referral_csv_with_its_extension_in_capitals_is_read_as_csv(example_site):
    # discovery takes `.CSV` (as Excel on Windows may name it) for a referral file: it must
    # then be read as CSV, not as YAML (which was one syntax error for the whole file)
    old = example_site / "data/referrals/web-and-ads-monthly-2026.csv"
    new = old.with_name("web-and-ads-monthly-2026.CSV")
    old.rename(new)
    res = validate(example_site)
    assert res.code == 0, res.dump()
    assert res.new == [], res.dump()
    # a bad row in it is placed as a CSV row is: its line, column 1
    rows = new.read_text(encoding="utf-8-sig").splitlines()
    rows.append(rows[-1].replace("web", "billboard", 1))
    new.write_text("\n".join(rows) + "\n", encoding="utf-8")
    res = validate(example_site)
    rel = "data/referrals/web-and-ads-monthly-2026.CSV"
    res.expect(rel, len(rows), 1, "source")


def test_a_palette_over_64_kb_is_refused_and_one_of_64_kb_is_read(example_site):
    # templates/palette.yaml is read through parse.read_site_file with a limit of 64 KB
    # (64 × 1024 bytes): a file over it is one error at 1:1, read no further; one of exactly
    # that size (a colour and a long comment) is read
    limit = 64 * 1024
    head = "primary: '#1d4ed8'\n"
    text = head + "#" * (limit - len(head) - 1) + "\n"
    assert len(text.encode()) == limit
    _read_at_its_limit_and_refused_a_byte_over(example_site, "templates/palette.yaml", text,
                                              "the file is over 64 KB: a palette holds a few colours")


def test_hidden_files_and_editors_backups_are_not_read_nor_named(example_site):
    # SPEC §1: only the layout's files are read; README: hidden files are not read, and an
    # editor's backup or auto-save beside a record (`NAME~`, `#NAME#`) is left alone. Each
    # of these holds a YAML syntax error, which would be an error at its line if it were read.
    broken = "date: 2026-11-02\nsummary: [never closed\n"
    for rel in ("data/interactions/.draft.yaml", "data/interactions/2026/.h1.yaml.swp",
                "data/physicians/.pat-doe.yaml", "data/referrals/.2026.csv",
                "data/interactions/2026/h1.yaml~", "data/interactions/2026/#h1.yaml#",
                "data/practices/mountain-view-family-medicine.yaml~",
                "content/training/.referral-source-basics.md"):
        write(example_site, rel, broken)
    res = validate(example_site)
    assert res.code == 0, res.dump()
    assert res.new == [], res.dump()



def test_a_file_name_with_a_dot_in_its_stem_is_no_id(example_site):
    # SPEC §1: the record id is the file's whole stem, which matches [a-z0-9]+(-[a-z0-9]+)*:
    # `ann.hale.yaml` is the stem 'ann.hale', an error, not the id 'ann'
    rel = write(example_site, "data/team/ann.hale.yaml", "name: Ann Hale\nrole: liaison\n")
    res = validate(example_site)
    assert res.code == 1
    d = res.expect(rel, 1, 1, "file name:", "'ann.hale' is not a valid id")
    assert [x for x in res.diags if x.path == rel] == [d], res.dump()
