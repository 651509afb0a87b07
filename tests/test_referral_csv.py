"""Referral CSV files read whole, column by column (``referral_rows._clean_file``), give the
same rows and the same problems, at the same lines, as the same files read row by row.

Each text is read twice into fresh memo tables (nothing learned from an earlier file): once
as `validate` reads it, once with the whole-file path turned off. Line numbers are checked
against the text itself where they matter.
"""
from __future__ import annotations

import datetime as dt

import pytest

from liaison import referral_rows as rr
from liaison.parse import Loader

HEADER = "date,source,physician,service,status,count,taken_by,declined_reason\n"
CLEAN = (HEADER
         + "2026-01-05,web,,sclerotherapy,,,,\n"
         + "2026-01-06,physician,alan-cho,vein-ablation,treated,2,,\n"
         + "2026-01-06,unknown,,vein-ablation,declined,,casey-morrow,insurance\n"
         + "2027-02-01,web,,sclerotherapy,referred,1,,\n")  # after the as-of date: a valid row

TEXTS = {
    "clean": CLEAN,
    "short header": "date,source,physician,service,status\n2026-01-05,web,,sclerotherapy,\n"
                    "2026-01-07,physician,alan-cho,sclerotherapy,consulted\n",
    "bom and crlf": "\ufeff" + CLEAN.replace("\n", "\r\n"),
    "no final newline": CLEAN.rstrip("\n"),
    "blank line": CLEAN + "\n2026-01-09,web,,sclerotherapy,,,,\n",
    "quoted line break": HEADER + '2026-01-05,web,,sclerotherapy,,,,\n'
                         '2026-01-06,"web\nmore",,sclerotherapy,,,,\n'
                         '2026-13-07,web,,sclerotherapy,,,,\n',
    "quoted clean cell": HEADER + '2026-01-05,"web",,sclerotherapy,,,,\n',
    "bad date": CLEAN + "2026-02-30,web,,sclerotherapy,,,,\n",
    "bad source": CLEAN + "2026-01-05,fax,,sclerotherapy,,,,\n",
    "physician without source": CLEAN + "2026-01-05,web,alan-cho,sclerotherapy,,,,\n",
    "reason not declined": CLEAN + "2026-01-05,web,,sclerotherapy,treated,,,insurance\n",
    "bad count": CLEAN + "2026-01-05,web,,sclerotherapy,,0,,\n",
    "spaces in an id": CLEAN + "2026-01-05,web,, sclerotherapy,,,,\n",
    "patient in a cell": CLEAN + "2026-01-05,web,,mrn-12345678,,,,\n",
    "short row": CLEAN + "2026-01-05,web,,sclerotherapy\n",
    "duplicate column": "date,source,physician,service,status,status\n",
    "header only": HEADER,
    "not utf-8": CLEAN.encode() + b"2026-01-05,w\xe9b,,sclerotherapy,,,,\n",
    "quote left open": CLEAN + '2026-01-05,web,,"sclerotherapy,,,,\n' + CLEAN.split("\n", 1)[1],
    "quote left open at the end": CLEAN + '2026-01-05,web,,"sclerotherapy\n',
    "header again": CLEAN + CLEAN,
    "header again, after its mark": "\ufeff" + CLEAN + "\ufeff" + CLEAN,
    "semicolons": CLEAN.replace(",", ";"),
    "tabs": CLEAN.replace(",", "\t"),
    "unnamed columns": HEADER.replace("\n", ",,\n") + "2026-01-05,web,,sclerotherapy,,,,,,\n",
    "empty cells after the row": CLEAN + "2026-01-05,web,,sclerotherapy,,,,,,\n",
    "separator line": "\ufeffsep=,\r\n" + CLEAN.replace("\n", "\r\n"),
    "separator line, semicolons": "sep=;\n" + CLEAN.replace(",", ";"),
    "title above the header": "Referral log 2026,,,,,,,\n" + CLEAN,
    "row of totals": CLEAN + "Total,,,,,5,,\n",
}


def read(tmp_path, monkeypatch, content, whole: bool):
    monkeypatch.setattr(rr, "_DATES", {})
    monkeypatch.setattr(rr, "_IDS", set())
    monkeypatch.setattr(rr, "_COUNTS", {"": rr.COLUMN["count"].default})
    monkeypatch.setattr(rr, "WHOLE_FILE_BYTES", rr.WHOLE_FILE_BYTES if whole else -1)
    path = tmp_path / "data" / "referrals" / "r.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    loader, rows = Loader(tmp_path), []
    rr._load_referral_csv(loader, "data/referrals/r.csv", rows)
    return rows, loader.problems


def assert_said_both_ways(tmp_path, monkeypatch, content, expected, key=list) -> None:
    """``content`` read whole and read row by row each gives the problems ``expected``, as
    (line, message) pairs (in ``key``'s order: ``sorted`` where the order does not matter)."""
    for whole in (True, False):
        _rows, problems = read(tmp_path, monkeypatch, content, whole=whole)
        assert key((p.line, p.message) for p in problems) == expected


@pytest.mark.parametrize("name", TEXTS)
def test_whole_file_and_row_by_row_agree(tmp_path, monkeypatch, name):
    whole = read(tmp_path, monkeypatch, TEXTS[name], whole=True)
    by_row = read(tmp_path, monkeypatch, TEXTS[name], whole=False)
    assert whole == by_row
    assert [type(v) for row in whole[0] for v in row] == [type(v) for row in by_row[0] for v in row]


def test_a_clean_file_is_taken_whole_with_each_row_at_its_line(tmp_path, monkeypatch):
    def no_row_by_row(*_args):
        raise AssertionError("a clean file needs no row-by-row check")

    monkeypatch.setattr(rr, "check_referral", no_row_by_row)
    rows, problems = read(tmp_path, monkeypatch, CLEAN, whole=True)
    assert problems == []
    lines = CLEAN.splitlines()
    assert [lines[r.line - 1].split(",")[0] for r in rows] == [r.date.isoformat() for r in rows]
    assert [(r.date, r.source, r.physician, r.status, r.count, r.taken_by, r.declined_reason)
            for r in rows] == [
        (dt.date(2026, 1, 5), "web", None, "referred", 1, None, None),
        (dt.date(2026, 1, 6), "physician", "alan-cho", "treated", 2, None, None),
        (dt.date(2026, 1, 6), "unknown", None, "declined", 1, "casey-morrow", "insurance"),
        (dt.date(2027, 2, 1), "web", None, "referred", 1, None, None),
    ]


def test_a_row_after_a_quoted_line_break_is_at_its_own_line(tmp_path, monkeypatch):
    text = TEXTS["quoted line break"]
    _rows, problems = read(tmp_path, monkeypatch, text, whole=True)
    bad = [p for p in problems if "2026-13-07" in p.message]
    assert [p.line for p in bad] == [text.splitlines().index("2026-13-07,web,,sclerotherapy,,,,") + 1]


@pytest.mark.parametrize("name", ["clean", "bom and crlf", "header only"])
def test_a_files_rows_come_back_from_a_pickle_as_rows(tmp_path, monkeypatch, name):
    """A build keeps each file's rows pickled (liaison.snapshot) and sends them between its
    processes: they come back as the same rows, of the same class, dates shared as before."""
    import pickle

    from liaison.load import _load_referrals
    from liaison.records import ReferralRow, ReferralRows

    read(tmp_path, monkeypatch, TEXTS[name], whole=True)  # writes the file
    rows = _load_referrals(Loader(tmp_path), "data/referrals/r.csv")
    assert type(rows) is ReferralRows
    back = pickle.loads(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(back) is ReferralRows and back == rows
    assert all(type(row) is ReferralRow for row in back)
    assert [row._asdict() for row in back] == [row._asdict() for row in rows]
    if name != "header only":
        assert back[1].date is back[2].date  # one date object, as the loader shares them
    # each row pickled as the plain tuple of its values, not as an instance of its class
    assert b"ReferralRow" not in pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)


@pytest.mark.parametrize("name, spans", [
    ("quote left open", "lines 6-10 were read as one row"),
    ("quote left open at the end", "its cell runs to the end of the file"),
])
def test_a_quote_left_open_is_named_not_counted(tmp_path, monkeypatch, name, spans):
    # it was "expected 8 cells (as in the header), found 4": true, and no help
    rows, problems = read(tmp_path, monkeypatch, TEXTS[name], whole=True)
    assert len(rows) == 4  # the clean rows before it
    assert [(p.line, p.message) for p in problems] == [
        (6, f'a quote (") opened in this row is not closed on its line: {spans}; close the quote '
            "or delete it")]


@pytest.mark.parametrize("whole", [True, False])
def test_a_byte_that_is_not_utf_8_is_placed_at_its_line_and_column(tmp_path, monkeypatch, whole):
    # a spreadsheet's "CSV" export (Windows-1252) with an accented name in its sixth row: the
    # error was at 1:1 (the line where the decoder's buffer began), whatever the row
    text = b"\xef\xbb\xbf" + TEXTS["not utf-8"]
    _rows, problems = read(tmp_path, monkeypatch, text, whole=whole)
    assert [(p.line, p.col, p.message) for p in problems] == [
        (6, 13, "the file is not UTF-8 text (byte 0xe9, 'é' in Windows-1252); export it as CSV UTF-8")]


@pytest.mark.parametrize("whole", [True, False])
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_file_in_utf_16_without_its_mark_is_named_so(tmp_path, monkeypatch, whole, encoding):
    # decoded as UTF-8 (a NUL beside each ASCII letter) it was eight errors, "unknown column
    # '<U+0000>s<U+0000>o<U+0000>…'" once a column and a row "expected 8 cells"; with its
    # byte-order mark it was one error at 1:1, as it is now without
    for text in (CLEAN.encode(encoding), CLEAN.replace(",", "\t").encode(encoding)):
        rows, problems = read(tmp_path, monkeypatch, text, whole=whole)
        assert rows == []
        assert [(p.line, p.col, p.message) for p in problems] == [
            (1, 1, "the file is UTF-16 text (Notepad's \"Unicode\"), not UTF-8; export it as "
                   "CSV UTF-8")]


@pytest.mark.parametrize("name, said", [("semicolons", "semicolons"), ("tabs", "tabs")])
def test_a_file_separated_by_semicolons_is_named_so(tmp_path, monkeypatch, name, said):
    # it was "missing columns date, source, physician, service, status in the header row" and
    # "unknown column 'date;source;physician;…'": the columns the user sees, said missing
    rows, problems = read(tmp_path, monkeypatch, TEXTS[name], whole=True)
    assert rows == []
    assert [(p.line, p.col, p.message) for p in problems] == [
        (1, 1, f"the values are separated by {said}, not commas (a spreadsheet set to another "
               "language saved it so?): save it as CSV UTF-8, with commas")]


def test_columns_without_a_name_are_one_error_saying_to_delete_them(tmp_path, monkeypatch):
    # a spreadsheet that once had a cell typed right of the last column writes an empty
    # header cell for it (and ',' at the end of every row): it was "column '' appears twice in
    # the header" and "unknown column ''; the columns are …", neither saying what to do
    for whole in (True, False):
        _rows, problems = read(tmp_path, monkeypatch, TEXTS["unnamed columns"], whole=whole)
        assert [(p.line, p.col, p.message) for p in problems] == [
            (1, 1, "columns 9 and 10 of the header have no name (a spreadsheet keeps a column "
                   "whose cells were cleared): delete them, or name them")]
    _rows, problems = read(tmp_path, monkeypatch, "date,,source,physician,service,status\n",
                           whole=True)
    assert [(p.line, p.col, p.message) for p in problems] == [
        (1, 1, "column 2 of the header has no name (a spreadsheet keeps a column whose cells "
               "were cleared): delete it, or name it")]


def test_a_column_named_by_hand_another_way_is_one_error_and_its_cells_are_checked(
        tmp_path, monkeypatch):
    # "Date" and "Taken By" as a spreadsheet user heads them: it was "unknown column 'Date'
    # (did you mean 'date'?)" and "missing columns date, …" for the same column, and the
    # rows' dates went unchecked until the header was fixed (another run)
    text = ("Date,Source,physician,service,status,Taken By\n"
            "12/1/2026,web,,sclerotherapy,,casey-morrow\n")
    _rows, problems = read(tmp_path, monkeypatch, text, whole=False)
    assert [(p.line, p.message) for p in problems] == [
        (1, "column 'Date' is the column date written another way: name it 'date' "
            "(lower case, '_' between words)"),
        (1, "column 'Source' is the column source written another way: name it 'source' "
            "(lower case, '_' between words)"),
        (1, "column 'Taken By' is the column taken_by written another way: name it "
            "'taken_by' (lower case, '_' between words)"),
        (2, "date: '12/1/2026' is not a date: write YYYY-MM-DD (2026-12-01, if it means "
            "December 1, 2026: a spreadsheet writes dates so unless their column is formatted "
            "as text)")]
    # beside the column itself it is a column of its own, unknown
    _rows, problems = read(tmp_path, monkeypatch, HEADER.strip() + ",Date\n", whole=False)
    assert any("unknown column 'Date' (did you mean 'date'?)" in p.message for p in problems)


def test_a_date_a_spreadsheet_rewrote_gets_its_likely_reading(tmp_path, monkeypatch):
    # a spreadsheet saves 2026-11-02 back as 11/2/2026 unless the column is text: it was
    # "'11/2/2026' is not a date: write YYYY-MM-DD", as if the person had typed it so
    text = (HEADER + "11/2/2026,web,,sclerotherapy,,,,\n" + "25/12/2026,web,,sclerotherapy,,,,\n"
            + "2/30/2026,web,,sclerotherapy,,,,\n")
    assert_said_both_ways(tmp_path, monkeypatch, text, [
        (2, "date: '11/2/2026' is not a date: write YYYY-MM-DD (2026-11-02, if it means "
            "November 2, 2026: a spreadsheet writes dates so unless their column is "
            "formatted as text)"),
        (3, "date: '25/12/2026' is not a date: write YYYY-MM-DD (2026-12-25, if it means "
            "December 25, 2026: a spreadsheet writes dates so unless their column is "
            "formatted as text)"),
        (4, "date: '2/30/2026' is not a date: write YYYY-MM-DD")])


@pytest.mark.parametrize("cell, hint", [
    # LibreOffice's US short date, Excel's "1-Dec-26" and "Dec 1, 2026", a date with its
    # time, and the day number of a column formatted as a number: each read only "write
    # YYYY-MM-DD", though the spreadsheet, not the person, wrote it so
    ("12/01/26", "(2026-12-01, if it means December 1, 2026: a spreadsheet writes dates so"),
    ("1-Dec-26", "(2026-12-01, if it means December 1, 2026: a spreadsheet writes dates so"),
    # a two-digit year as a spreadsheet reads it: 00-29 in the 2000s, 30-99 in the 1900s
    ("12/01/29", "(2029-12-01, if it means December 1, 2029: a spreadsheet writes dates so"),
    ("12/01/30", "(1930-12-01, if it means December 1, 1930: a spreadsheet writes dates so"),
    ('"Dec 1, 2026"', "(2026-12-01, if it means December 1, 2026: a spreadsheet writes dates so"),
    ("2026-12-01 00:00:00", "(2026-12-01: a spreadsheet writes a date with its time so"),
    ("46357", "(2026-12-01, if it is a spreadsheet's day number: one writes a date so when its "
              "column is formatted as a number)"),
    # a spreadsheet set to German, Dutch, Polish …: day first, with dots (no locale writes a
    # month first so)
    ("01.12.2026", "(2026-12-01, if it means December 1, 2026: a spreadsheet writes dates so"),
    ("1.12.26", "(2026-12-01, if it means December 1, 2026: a spreadsheet writes dates so"),
    # Excel's date and time format and Google Sheets' (a time of midnight after its own
    # date), and Excel's "Long Date" (a weekday first): each read only "write YYYY-MM-DD"
    ("12/1/2026 0:00", "(2026-12-01, if it means December 1, 2026: a spreadsheet writes dates so"),
    ("12/1/2026 12:00:00 AM", "(2026-12-01, if it means December 1, 2026: a spreadsheet writes"),
    ('"Tuesday, December 1, 2026"', "(2026-12-01, if it means December 1, 2026: a spreadsheet"),
    # year first, as a spreadsheet set to Japanese or Chinese writes it (2026/12/1), or the
    # month and day without their zero; month first with dashes; the digits run together
    ("2026/12/1", "(2026-12-01, if it means December 1, 2026: a spreadsheet writes dates so"),
    ("2026-12-1", "(2026-12-01, if it means December 1, 2026: a spreadsheet writes dates so"),
    ("12-01-2026", "(2026-12-01, if it means December 1, 2026: a spreadsheet writes dates so"),
    ("20261201", "(2026-12-01, if it means December 1, 2026: a spreadsheet writes dates so"),
    # Excel saves a CSV as its cells show, and a date too wide for its column shows as #s
    ("########", "(a spreadsheet saves a date so when its column is too narrow to show it: "
                 "widen the column and save again)"),
])
def test_a_date_a_spreadsheet_wrote_its_own_way_gets_its_likely_reading(tmp_path, monkeypatch,
                                                                         cell, hint):
    text = HEADER + f"{cell},web,,sclerotherapy,,,,\n"
    for whole in (True, False):
        _rows, problems = read(tmp_path, monkeypatch, text, whole=whole)
        [problem] = problems
        assert problem.line == 2 and problem.message.startswith(
            f"date: '{cell.strip(chr(34))}' is not a date: write YYYY-MM-DD {hint}"), problem.message
    # what reads as no such date keeps the plain message (a timestamp in ISO order,
    # "2026-12-01 09:30", names its day: test_validate's
    # test_a_date_with_a_time_of_day_says_the_day_to_write)
    for cell in ("12345", "13/13/26", "Foo 1, 2026", "12/1/2026 9:30",
                 "12/1/2026 12:00 PM", "2026/13/01", "12345678"):
        _rows, problems = read(tmp_path, monkeypatch,
                               HEADER + f'"{cell}",web,,sclerotherapy,,,,\n', whole=True)
        assert [p.message for p in problems] == [f"date: '{cell}' is not a date: write YYYY-MM-DD"]


@pytest.mark.parametrize("whole", [True, False])
def test_a_choice_written_in_capitals_is_shown_its_value(tmp_path, monkeypatch, whole):
    # a sheet typed with caps lock (or a column formatted as upper case): 'Web' got "did you
    # mean 'web'?", 'WEB' (no letter alike as written) only the list of the values
    text = HEADER + "2026-01-05,PHYSICIAN,alan-cho,sclerotherapy,DECLINED,,,INSURANCE\n"
    _rows, problems = read(tmp_path, monkeypatch, text, whole=whole)
    assert sorted(p.message.split(":")[0] + p.message[p.message.index(" (did"):]
                  for p in problems) == [
        "declined_reason (did you mean 'insurance'?)", "source (did you mean 'physician'?)",
        "status (did you mean 'declined'?)"]


def test_a_date_kept_as_text_by_a_spreadsheets_marks_says_to_drop_them(tmp_path, monkeypatch):
    # the apostrophe typed before a date and Excel's ="2026-12-01" (each keeps a date as text
    # in a sheet) read only "write YYYY-MM-DD", though the date inside is one
    text = (HEADER + "'2026-12-01,web,,sclerotherapy,,,,\n"
            + '"=""2026-12-02""",web,,sclerotherapy,,,,\n')
    assert_said_both_ways(tmp_path, monkeypatch, text, [
        (2, "date: ''2026-12-01' is not a date: write YYYY-MM-DD (2026-12-01: the apostrophe "
            "before it, which keeps a date as text in a spreadsheet, is no part of it)"),
        (3, "date: '=\"2026-12-02\"' is not a date: write YYYY-MM-DD (2026-12-02: the formula "
            "around it, which keeps a date as text in a spreadsheet, is no part of it)")])


def test_a_count_a_spreadsheet_wrote_with_decimals_says_the_whole_number(tmp_path, monkeypatch):
    # a count column formatted as a number with decimals saves 2 as 2.00: it read only
    # "expected a whole number ≥ 1, got '2.00'"
    text = HEADER + "2026-01-05,web,,sclerotherapy,,2.00,,\n2026-01-05,web,,sclerotherapy,,0.0,,\n"
    assert_said_both_ways(tmp_path, monkeypatch, text, [
        (2, "count: expected a whole number ≥ 1, got '2.00' (write 2: a spreadsheet writes "
            "a number so when its column is formatted with decimals)"),
        (3, "count: expected a whole number ≥ 1, got '0.0'")])


def test_a_count_a_spreadsheet_wrote_with_thousands_separators_says_the_digits(tmp_path,
                                                                             monkeypatch):
    # a count column formatted with separators saves 1200 as "1,200" (quoted, as the comma
    # needs): it read only "expected a whole number ≥ 1, got '1,200'"
    text = (HEADER + '2026-01-05,web,,sclerotherapy,,"1,200",,\n'
            + "2026-01-05,web,,sclerotherapy,,1 200,,\n"
            + '2026-01-05,web,,sclerotherapy,,"1,20",,\n'
            # a thousand, before it is 1 written with three decimals: it said "write 1"
            + '2026-01-05,web,,sclerotherapy,,"1,000",,\n')
    assert_said_both_ways(tmp_path, monkeypatch, text, [
        (2, "count: expected a whole number ≥ 1, got '1,200' (write 1200: the digits only, "
            "without separators)"),
        (3, "count: expected a whole number ≥ 1, got '1 200' (write 1200: the digits only, "
            "without separators)"),
        (4, "count: expected a whole number ≥ 1, got '1,20'"),
        (5, "count: expected a whole number ≥ 1, got '1,000' (write 1000: the digits only, "
            "without separators; or 1, if the ',' is a decimal comma)")])


def test_a_file_without_its_header_row_is_one_error(tmp_path, monkeypatch):
    # rows exported or pasted without the header: it was "5 unknown columns in the header row,
    # not quoted here: it holds … as a patient's details do", "column 3 of the header has no
    # name" and "missing columns date, source, …", none saying the header row is missing
    rows_only = ("2026-01-05,web,,sclerotherapy,referred,1\n"
                 "12/01/2026,physician,grace-holloway,vein-ablation,scheduled,2\n")
    for text in (rows_only, rows_only.split("\n", 1)[1]):
        for whole in (True, False):
            rows, problems = read(tmp_path, monkeypatch, text, whole=whole)
            assert rows == []
            assert [(p.line, p.col, p.message) for p in problems] == [
                (1, 1, "the first row holds a referral, not the names of the columns: the header "
                       "row is missing: add a first line that names each column, in the order "
                       "of the cells (such as date,source,physician,service,status,count)")]
    # a first row with a patient's details keeps the patient error
    _rows, problems = read(tmp_path, monkeypatch,
                           "2026-01-05,web,DOB 03/04/1951,sclerotherapy\n", whole=True)
    assert not any("header row is missing" in p.message for p in problems), problems


def test_a_file_without_its_header_row_is_one_error_when_a_cell_names_a_column(
        tmp_path, monkeypatch):
    # a first row of source 'physician' (a column's name too): the rows under it were read
    # with that cell as the physician column's name, "physician: unknown physician
    # 'physician'" for every other row of that source
    text = ("2026-07-01,physician,grace-holloway,vein-ablation,treated,,,\n"
            "2026-07-03,physician,grace-holloway,vein-ablation,declined,,,\n"
            "2026-07-06,physician,grace-holloway,sclerotherapy,referred,,,\n")
    for whole in (True, False):
        rows, problems = read(tmp_path, monkeypatch, text, whole=whole)
        assert rows == []
        assert [(p.line, p.col) for p in problems] == [(1, 1)], problems
        assert "the header row is missing" in problems[0].message
    # nor are the rows' references checked later (validate's "unknown physician 'physician'")
    loader = Loader(tmp_path)
    rr._load_referral_csv(loader, "data/referrals/r.csv", [])
    assert all(not partial.data for partial in loader.partials), loader.partials


def test_a_header_row_repeated_in_the_file_is_one_error(tmp_path, monkeypatch):
    # two exports joined (cat a.csv b.csv): the second header was eight errors, one a cell
    # ("date: 'date' is not a date", "source: 'source' is not one of …", …)
    # (and `copy a.csv+b.csv` on Windows of two "CSV UTF-8" exports: the second header after
    # its byte-order mark was the same eight errors)
    for name in ("header again", "header again, after its mark"):
        rows, problems = read(tmp_path, monkeypatch, TEXTS[name], whole=True)
        assert len(rows) == 8
        assert [(p.line, p.col, p.message) for p in problems] == [
            (6, 1, "this row repeats the header row (two files joined?): delete it")]


def test_a_separator_line_for_excel_is_one_error_and_the_rows_are_read(tmp_path, monkeypatch):
    # `sep=,` first (a line that tells Excel the separator, as some referral systems export):
    # it was read as the header, one error a column and one a row (149 for a half year)
    for whole in (True, False):
        rows, problems = read(tmp_path, monkeypatch, TEXTS["separator line"], whole=whole)
        assert [(p.line, p.message) for p in problems] == [
            (1, "the first line, 'sep=,', tells Excel which separator the file uses; it is not "
                "the header row: delete the line")]
        assert len(rows) == 4 and [r.line for r in rows] == [3, 4, 5, 6]
    _rows, problems = read(tmp_path, monkeypatch, TEXTS["separator line, semicolons"], whole=True)
    assert [p.line for p in problems] == [1, 2] and "semicolons" in problems[1].message


def test_empty_cells_after_a_row_are_named_so(tmp_path, monkeypatch):
    # a row a spreadsheet saved with two cleared cells after it (the header without them): it
    # was only "expected 8 cells (as in the header), found 10"
    rows, problems = read(tmp_path, monkeypatch, TEXTS["empty cells after the row"], whole=True)
    assert len(rows) == 4 and [(p.line, p.message) for p in problems] == [
        (6, "expected 8 cells (as in the header), found 10: the last 2 are empty (a spreadsheet "
            "keeps cells that were cleared): delete them, or put a value that holds a comma in "
            'double quotes ("Ruiz, Ana")')]


@pytest.mark.parametrize("whole", [True, False])
def test_a_row_short_of_the_headers_columns_names_them(tmp_path, monkeypatch, whole):
    # a first-edition file whose header gained taken_by and declined_reason and whose rows did
    # not: it said "expected 7 cells (as in the header), found 5", not which cells to add
    header = "date,source,physician,service,status,taken_by,declined_reason"
    text = (header + "\n2026-01-05,web,,sclerotherapy,referred,,\n"
            "2026-01-06,web,,sclerotherapy,referred\n2026-01-07,web,,sclerotherapy,referred,\n")
    rows, problems = read(tmp_path, monkeypatch, text, whole=whole)
    assert len(rows) == 1
    assert [(p.line, p.message) for p in problems] == [
        (3, "expected 7 cells (as in the header), found 5: the row ends before 'taken_by', "
            "'declined_reason'; an empty cell is written as nothing after a comma (end the row "
            "with ',,')"),
        (4, "expected 7 cells (as in the header), found 6: the row ends before "
            "'declined_reason'; an empty cell is written as nothing after a comma (end the row "
            "with ',')")]


@pytest.mark.parametrize("whole", [True, False])
def test_a_row_of_too_few_or_too_many_cells_says_what_to_do(tmp_path, monkeypatch, whole):
    # it was "expected 8 cells (as in the header), found 2": true, and no word on the fix
    text = (HEADER + "2026-01-05,insurance\n"
            "2026-01-06,physician,Ruiz, Ana,vein-ablation,referred,1,,\n")
    _rows, problems = read(tmp_path, monkeypatch, text, whole=whole)
    assert [(p.line, p.col, p.message) for p in problems] == [
        (2, 1, "expected 8 cells (as in the header), found 2: the row ends before 'physician', "
               "'service', 'status', 'count', 'taken_by', 'declined_reason'; an empty "
               "cell is written as nothing after a comma (end the row with ',,,,,,')"),
        (3, 1, "expected 8 cells (as in the header), found 9: the last one is empty (a "
               "spreadsheet keeps cells that were cleared): delete it, or put a value that holds "
               'a comma in double quotes ("Ruiz, Ana")')]
    text = HEADER + "2026-01-06,physician,Ruiz, Ana,vein-ablation,referred,1,,cost\n"
    _rows, problems = read(tmp_path, monkeypatch, text, whole=whole)
    assert [p.message for p in problems] == [
        "expected 8 cells (as in the header), found 9: a cell that holds a comma goes in double "
        'quotes ("Ruiz, Ana"), else delete the extra comma']


@pytest.mark.parametrize("whole", [True, False])
def test_a_row_whose_cells_stand_one_column_off_says_where(tmp_path, monkeypatch, whole):
    # a sheet pasted one column off: an empty cell inserted after the date said "the last one
    # is empty …: delete it", which left every cell under the wrong header; a cell dropped
    # said to end the row with ','
    text = (HEADER + "2026-01-05,,advertising,,vein-ablation,treated,,,\n"
            "2026-01-06,web,vein-ablation,treated,,,\n"
            "2026-01-07,,unknown,,wound-clinic,declined,,,other\n")
    _rows, problems = read(tmp_path, monkeypatch, text, whole=whole)
    assert [(p.line, p.col, p.message) for p in problems] == [
        (2, 1, "expected 8 cells (as in the header), found 9: cell 2 (under 'source') is empty "
               "and one too many: the cells after it stand one column to the right of their "
               "header; delete it"),
        (3, 1, "expected 8 cells (as in the header), found 7: the row has no cell for "
               "'physician': the cells from there on stand one column to the left of their "
               "header; write its value, or leave it empty (nothing between two commas)"),
        # the last cell filled (a declined row's reason) is no comma inside a value either
        (4, 1, "expected 8 cells (as in the header), found 9: cell 2 (under 'source') is empty "
               "and one too many: the cells after it stand one column to the right of their "
               "header; delete it")]


def test_a_column_written_twice_says_to_delete_one(tmp_path, monkeypatch):
    text = "date,source,physician,service,status,source\n2026-01-05,web,,vein-ablation,referred,web\n"
    _rows, problems = read(tmp_path, monkeypatch, text, whole=True)
    assert (1, 1, "column 'source' appears twice in the header: delete one of the two columns "
                  "(keep the one that holds the values)") in [(p.line, p.col, p.message)
                                                               for p in problems]


def test_missing_columns_say_what_to_add(tmp_path, monkeypatch):
    text = "date,physician,service\n2026-01-05,,vein-ablation\n"
    _rows, problems = read(tmp_path, monkeypatch, text, whole=True)
    assert (1, 1, "missing columns source, status in the header row: add them (the columns are "
                  f"{', '.join(rr.REFERRAL_COLUMNS)})") in [(p.line, p.col, p.message)
                                                            for p in problems]


def test_a_column_renamed_is_one_error_naming_both_names(tmp_path, monkeypatch):
    # `physician` renamed `doctor` in the header of 61 sheets: each had "missing column
    # physician …" and "unknown column 'doctor' …", two errors for one rename
    text = HEADER.replace("physician", "doctor") + "2026-01-05,web,,vein-ablation,,,,\n"
    _rows, problems = read(tmp_path, monkeypatch, text, whole=True)
    assert [(p.line, p.col, p.message) for p in problems] == [
        (1, 1, "unknown column 'doctor', and the column physician is missing: if 'doctor' "
               "holds the physician values, name it 'physician' (the columns are "
               f"{', '.join(rr.REFERRAL_COLUMNS)})")]
    # two unknown columns, or two missing, are said each as before
    text = "date,doctor,office,service,status\n2026-01-05,web,,vein-ablation,\n"
    _rows, problems = read(tmp_path, monkeypatch, text, whole=True)
    messages = [p.message for p in problems]
    assert [m.split(";")[0] for m in messages[:2]] == ["unknown column 'doctor'",
                                                       "unknown column 'office'"]
    assert messages[2].startswith("missing columns source, physician in the header row")


def test_a_count_too_large_is_not_said_to_be_no_whole_number(tmp_path, monkeypatch):
    # it said "expected a whole number ≥ 1, got '99999999999999999999'"
    text = HEADER + "2026-01-05,web,,vein-ablation,referred,99999999999999999999,,\n"
    _rows, problems = read(tmp_path, monkeypatch, text, whole=True)
    assert [(p.line, p.message) for p in problems] == [
        (2, "count: '99999999999999999999' is too large a number: write at most 18 digits")]


def test_a_cell_marked_as_having_no_value_says_to_leave_it_empty(tmp_path, monkeypatch):
    # 'N/A' typed in a spreadsheet (and '#N/A', a formula's): read as a value, the physician
    # of a web referral was "not a valid id (like 'n-a')" and "only allowed when source is
    # physician"; an optional cell is to be left empty, a required one written
    text = (HEADER + "2026-01-05,web,N/A,sclerotherapy,N/A,n/a,,\n"
            + "2026-01-06,physician,-,sclerotherapy,,,,#N/A\n"
            + "N/A,N/A,,sclerotherapy,,,,\n")
    assert_said_both_ways(tmp_path, monkeypatch, text, [
        (2, "count: 'n/a' marks no value: leave it empty (an empty count is 1)"),
        (2, "physician: 'N/A' marks no value: leave it empty"),
        (2, "status: 'N/A' marks no value: leave it empty (an empty status is referred)"),
        (3, "declined_reason: '#N/A' marks no value: leave it empty"),
        (3, "physician: '-' marks no value: write the physician's id (the source is "
            "physician)"),
        (4, "date: 'N/A' marks no value, and every referral has its date: write it"),
        (4, "source: 'N/A' is no answer: write 'unknown' when nobody asked \"how did you "
            "hear about us?\""),
    ], key=sorted)


def test_a_stage_or_reason_in_the_coordinators_words_says_what_to_write(tmp_path, monkeypatch):
    # the coordinator marks a referral "seen", "no-show" or "lost to follow-up": the status
    # was "not one of …" with no word of which stage that is ('consulted'; a patient who never
    # came is declined, for no response), as the source's words are answered
    text = (HEADER + "2026-01-05,web,,vein-ablation,seen,,,\n"
            + "2026-01-06,web,,vein-ablation,declined,,,lost to follow-up\n")
    assert_said_both_ways(tmp_path, monkeypatch, text, [
        (2, "status: 'seen' is not one of 'referred', 'scheduled', 'consulted', 'treated' or "
            "'declined': it is the furthest stage the referral reached: a patient we saw is "
            "'consulted', one who never came (a no-show, lost to follow-up) is 'declined' "
            "with declined_reason 'no-response'"),
        (3, "declined_reason: 'lost to follow-up' is not one of 'insurance', "
            "'not-a-candidate', 'patient-choice', 'no-response' or 'other': a patient who "
            "never answered or never came is 'no-response', a reason none of these fits is "
            "'other'")])
    # a close one is still told as such
    _rows, problems = read(tmp_path, monkeypatch, HEADER + "2026-01-05,web,,vein-ablation,sheduled,,,\n",
                           whole=True)
    assert [p.message for p in problems] == [
        "status: 'sheduled' is not one of 'referred', 'scheduled', 'consulted', 'treated' or "
        "'declined' (did you mean 'scheduled'?)"]


def test_a_source_left_empty_beside_a_physician_says_to_write_physician(tmp_path, monkeypatch):
    # a sheet of the doctors' referrals with its source column left empty was told to "write
    # 'unknown' when nobody asked", which then made the physician "only allowed when source
    # is physician"; a row with no physician is still told 'unknown'
    text = (HEADER + "2026-01-05,,alan-cho,sclerotherapy,,,,\n"
            + "2026-01-06,N/A,alan-cho,sclerotherapy,,,,\n" + "2026-01-07,,,sclerotherapy,,,,\n")
    named = ("write 'physician', as the row names a physician (or empty the physician cell "
             "and write the answer to \"how did you hear about us?\")")
    assert_said_both_ways(tmp_path, monkeypatch, text, [
        (2, f"source: required field is missing: {named}"),
        (3, f"source: 'N/A' is no answer: {named}"),
        (4, "source: required field is missing: write 'unknown' when nobody asked \"how did "
            "you hear about us?\"")])


@pytest.mark.parametrize("whole", [True, False])
def test_a_title_above_the_header_row_is_one_error_and_the_rows_are_read(tmp_path, monkeypatch,
                                                                         whole):
    # a sheet with its title (and a note) above the table: it was three errors at line 1, "no
    # name", "missing columns" and "unknown column 'Referral log 2026'", and no row was read
    text = "Referral log 2026,,,,,,,\nKept by the front desk\n\n" + CLEAN + \
        "2026-01-05,fax,,sclerotherapy,,,,\n"
    rows, problems = read(tmp_path, monkeypatch, text, whole=whole)
    assert [(p.line, p.message) for p in problems] == [
        (1, "lines 1-2 are above the header row (line 4): a title or a note a spreadsheet keeps "
            "above its table is no part of it: delete them"),
        (9, "source: 'fax' is not one of 'physician', 'patient', 'web', 'advertising', "
            "'insurance', 'event', 'other' or 'unknown': a doctor or their office is 'physician' (their id in the "
            "physician column), an answer none of these fits is 'other', and 'unknown' is for "
            "nobody asked")]
    assert [r.line for r in rows] == [5, 6, 7, 8]
    # above a header separated by semicolons, the title is said and so are the semicolons
    text = "Referral log 2026;;;;;;;\n" + CLEAN.replace(",", ";")
    _rows, problems = read(tmp_path, monkeypatch, text, whole=whole)
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (1, "line 1 is above the header row (line 2)"),
        (2, "the values are separated by semicolons, not commas (a spreadsheet set to another "
            "language saved it so?)")]
    # a first line that names a column is the header, as before
    _rows, problems = read(tmp_path, monkeypatch, "Date,Notes\n" + CLEAN, whole=whole)
    assert problems and not any("above the header" in p.message for p in problems)


@pytest.mark.parametrize("whole", [True, False])
def test_a_row_of_totals_is_one_error(tmp_path, monkeypatch, whole):
    # the sum a spreadsheet keeps under its table: it was one error a cell ("date: required
    # field is missing", "source: …", "service: …"), or "status: 'Total' is not one of …"
    text = CLEAN + "Total,,,,,5,,\n" + ",,,,Total,5,,\n" + "2026-01-07,web,,total,,,,\n"
    rows, problems = read(tmp_path, monkeypatch, text, whole=whole)
    said = ("this row holds totals ('Total'), not a referral: delete it (the statistics sum "
            "the rows themselves)")
    assert [(p.line, p.message) for p in problems] == [(6, said), (7, said)]
    assert len(rows) == 5  # a referral dated, whatever its service says (checked with the site)


def test_a_row_of_totals_under_a_header_with_problems_is_one_error(tmp_path, monkeypatch):
    # a spreadsheet's own headings ("Date", "Source") and its sum under the table: the header's
    # errors, then the totals row said as under a clean header. It was four errors a cell
    # ("date: 'Total' is not a date", "source: required field is missing: write 'unknown'…",
    # "status: '5' is not one of …"), which sent one to fix a row meant to be deleted
    text = ("Date,Source,physician,service,status\n2026-01-05,web,,sclerotherapy,\n"
            "Total,,,,5\n")
    _rows, problems = read(tmp_path, monkeypatch, text, whole=False)
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (1, "column 'Date' is the column date written another way"),
        (1, "column 'Source' is the column source written another way"),
        (3, "this row holds totals ('Total'), not a referral")]


def test_a_spreadsheets_own_headings_say_which_column_they_stand_for(tmp_path, monkeypatch):
    # a front desk's sheet: 'Referring Physician' was "unknown column" with no hint, the
    # question of `source` too, and a Notes column was not said to have no place here
    text = ("Date Received,Referring Physician,service,status,How did you hear about us?,Notes\n"
            "2026-01-05,alan-cho,sclerotherapy,,physician,called twice\n")
    _rows, problems = read(tmp_path, monkeypatch, text, whole=True)
    unknown = sorted(p.message.split(";")[0] for p in problems if "unknown column" in p.message)
    assert unknown == [
        "unknown column 'Date Received' (did you mean 'date'?)",
        "unknown column 'How did you hear about us?' (did you mean 'source'? it holds the answer "
        "to \"how did you hear about us?\")",
        "unknown column 'Notes' (a referral row holds no notes: delete the column",
        "unknown column 'Referring Physician' (did you mean 'physician'?)"]
    # a column of two words named in the other order or with a note, and a count as a sheet
    # heads it, got no hint; a number of something else is not taken for the count
    text = ("date,source,physician,service,status,Reason Declined,Taken by (initials),"
            "# of Referrals,Chart No. of pt\n")
    _rows, problems = read(tmp_path, monkeypatch, text, whole=True)
    unknown = sorted(p.message.split(";")[0] for p in problems if "unknown column" in p.message)
    assert unknown == [
        "unknown column '# of Referrals' (did you mean 'count'?)",
        "unknown column 'Reason Declined' (did you mean 'declined_reason'?)",
        "unknown column 'Taken by (initials)' (did you mean 'taken_by'?)"]
    # (a chart's number "of pt" is no count, nor an unknown column: patient data)
    assert [p.message for p in problems if "Chart No. of pt" in p.message
            and "looks like patient data" in p.message], problems


@pytest.mark.parametrize("whole", [True, False])
def test_an_id_cell_holding_a_patient_identifier_is_an_error_read_whole_or_by_row(
        tmp_path, monkeypatch, whole):
    # 'mrn-12345678' is a valid id, and a medical record number: the fast path's memo of ids
    # must not take it (its rows are not scanned), so the row is scanned and said (SPEC §3:
    # every CSV cell), at its line, column 1
    text = CLEAN + "2026-01-05,physician,mrn-12345678,sclerotherapy,,,,\n"
    _rows, problems = read(tmp_path, monkeypatch, text, whole=whole)
    assert [(p.line, p.col, p.message) for p in problems] == [
        (6, 1, "physician: looks like a medical record number: patient identifiers must never "
               "be stored in the repository")]


def test_a_header_holding_a_patients_details_is_not_quoted_back(tmp_path, monkeypatch):
    # a patient's name and birth date typed where the header's last columns go: neither is an
    # identifier the guard knows alone, and the output of `validate` goes into CI logs, so
    # the unknown columns are counted, not quoted
    text = ("date,source,physician,service,status,Jane Roe,03/04/1951\n"
            "2026-01-05,web,,sclerotherapy,,x,y\n")
    _rows, problems = read(tmp_path, monkeypatch, text, whole=True)
    assert [(p.line, p.col, p.message) for p in problems] == [
        (1, 1, "2 unknown columns in the header row, not quoted here: it holds an e-mail address, "
               "a date or a long number, as a patient's details do; a referral row never holds "
               "patient information (delete it), only the columns "
               f"{', '.join(rr.REFERRAL_COLUMNS)}")]
