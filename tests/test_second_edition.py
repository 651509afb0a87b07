"""SPEC second edition: the new record fields (§2), their validation and the compliance warning
(§3), and the boundaries of the new statistics (§4).

Each statistics test runs `stats --json` on a tiny site written here and compares exact
numbers worked out by hand from the SPEC's definitions (the comments say how); never from
liaison's own output. Validation tests give the exact PATH:LINE:COL, computed from the text the
test wrote. The as-of date is the last day of June 2026, as in test_stats.py.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, SPEC_EXAMPLE, _make_writable, run_validate

D = dt.date(2026, 6, 30)
AS_OF = D.isoformat()
NO_ROV = {"visits": 0, "before": 0, "after": 0}
REASONS = ("insurance", "not-a-candidate", "patient-choice", "no-response", "other")

SITE_YAML = """\
practice:
  name: Test Vein Clinic
services:
  - key: ablation
    name: Vein ablation
  - key: sclero
    name: Sclerotherapy
"""


def ago(days: int, base: dt.date = D) -> str:
    """The date ``days`` before ``base`` (negative: after), as YYYY-MM-DD."""
    return (base - dt.timedelta(days=days)).isoformat()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def make_site(root: Path, files: dict[str, str], site_yaml: str = SITE_YAML,
              practices: tuple[str, ...] = ("north", "south"),
              team: dict[str, str] | None = None) -> Path:
    """site.yaml, practices (no liaison), team {id: role} and the other files."""
    _write(root / "site.yaml", site_yaml)
    for pid in practices:
        _write(root / f"data/practices/{pid}.yaml", f"name: Practice {pid}\n")
    for tid, role in (team or {"lia": "liaison"}).items():
        _write(root / f"data/team/{tid}.yaml", f"name: Member {tid}\nrole: {role}\n")
    for rel, text in files.items():
        _write(root / rel, text)
    return root


def physician(practice: str, tier: str | None = None, extra: str = "") -> str:
    return (f"name: Dr. Test\nspecialty: Family medicine\npractice: {practice}\n"
            + (f"tier: {tier}\n" if tier else "") + extra)


def referral(date: str, physician: str | None = None, source: str | None = None,
             count: int = 1, status: str | None = None, service: str = "ablation",
             **extra: str) -> str:
    source = source or ("physician" if physician else "web")
    text = f"- date: {date}\n  source: {source}\n  service: {service}\n  count: {count}\n"
    if physician:
        text += f"  physician: {physician}\n"
    if status:
        text += f"  status: {status}\n"
    for key, value in extra.items():
        text += f"  {key}: {value}\n"
    return text


def interaction(date: str, type_: str = "visit", practice: str | None = None,
                physicians: list[str] | None = None, cost: str | None = None,
                liaison: str = "lia") -> str:
    text = f"- date: {date}\n  liaison: {liaison}\n  type: {type_}\n  summary: Test contact\n"
    if practice:
        text += f"  practice: {practice}\n"
    if physicians:
        text += f"  physicians: [{', '.join(physicians)}]\n"
    if cost is not None:
        text += f"  cost: {cost}\n"
    return text


def cli(*args: str) -> tuple[int, str, str]:
    """`liaison ARGS…` in-process: (exit code, stdout, stderr); a traceback fails the test."""
    from liaison.cli import main

    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        tb = "".join(traceback.format_exception(*result.exc_info))
        raise AssertionError(f"liaison {' '.join(args)} raised instead of reporting:\n{tb}")
    return result.exit_code, result.stdout, result.stderr


def stats(root: Path, as_of: str = AS_OF) -> dict:
    code, stdout, stderr = cli("stats", "--json", "--root", str(root), "--as-of", as_of)
    assert code == 0, stderr
    assert ": error: " not in stderr, stderr
    return json.loads(stdout)


def diagnostics(stderr: list[str]) -> list[str]:
    return [line for line in stderr if ": error: " in line or ": warning: " in line]


# =========================================================================== §4 boundaries


def test_funnel_matured_takes_referrals_of_age_90_to_454(tmp_path):
    # 90 <= age < 455. Distinct counts and statuses at each age, so that a wrong boundary
    # shows: age 89 treated ×1 and age 455 treated ×8 are left out; age 90 consulted ×2 and
    # age 454 declined ×4 are in: referred 6, scheduled and consulted 2 (the consulted ones),
    # treated 0, declined 4.
    refs = (referral(ago(89), count=1, status="treated")
            + referral(ago(90), count=2, status="consulted")
            + referral(ago(454), count=4, status="declined")
            + referral(ago(455), count=8, status="treated"))
    data = stats(make_site(tmp_path / "s", {"data/referrals/r.yaml": refs}))
    assert data["funnel_matured"] == {"referred": 6, "scheduled": 2, "consulted": 2,
                                      "treated": 0, "declined": 4}
    # the last 365 days (ages 89 and 90) for comparison: 3 referred, 1 treated
    assert data["funnel_365d"] == {"referred": 3, "scheduled": 3, "consulted": 3, "treated": 1,
                                   "declined": 0}


def test_matured_visits_are_in_person_and_of_age_90_to_454(tmp_path):
    # one physician per age, each with one visit listing them; a call at age 200 and a visit
    # after D are no matured visits
    files = {f"data/physicians/v-{a}.yaml": physician("north") for a in (89, 90, 454, 455)}
    files["data/physicians/v-call.yaml"] = physician("north")
    files["data/interactions/i.yaml"] = (
        "".join(interaction(ago(a), "visit", physicians=[f"v-{a}"]) for a in (89, 90, 454, 455))
        + interaction(ago(200), "call", physicians=["v-call"]))
    data = stats(make_site(tmp_path / "s", files))
    visits = {pid: p["rov_365d"]["visits"] for pid, p in data["physicians"].items()}
    assert visits == {"v-89": 0, "v-90": 1, "v-454": 1, "v-455": 0, "v-call": 0}
    assert data["totals"]["rov_365d"] == {"visits": 2, "before": 0, "after": 0}
    assert data["liaisons"]["lia"]["rov_365d"] == {"visits": 2, "before": 0, "after": 0}
    assert data["practices"]["north"]["rov_365d"] == {"visits": 2, "before": 0, "after": 0}


@pytest.fixture
def rov_site(tmp_path: Path) -> Path:
    """Two matured visits to practice north (physicians p and q; s is at south):

    * A, a visit at age 200 listing p twice (p is one person): p's physician referrals at
      A−91 (×1), A−90 (×2), A−1 (×4), A (×8), A+89 (×16), A+90 (×32), i.e. ages 291, 290, 201,
      200, 111, 110; before = A−90..A−1 = 2 + 4 = 6, after = A..A+89 = 8 + 16 = 24;
    * B, a lunch at age 420 listing nobody: its people are p and q (every physician of
      north). q's referrals at B−91 (×7, age 511), B−1 (×3, age 421), B (×5, age 420) and
      B+90 (×9, age 330): before 3, after 5. p has none within 90 days of B (ages 331..510).

    Besides: a web referral on A's date (no physician's), s's referral on A's date (s is not
    a person of A), and a visit after D."""
    refs = "".join(referral(ago(a), physician="p", count=n) for a, n in
                   ((291, 1), (290, 2), (201, 4), (200, 8), (111, 16), (110, 32)))
    refs += "".join(referral(ago(a), physician="q", count=n) for a, n in
                    ((511, 7), (421, 3), (420, 5), (330, 9)))
    refs += referral(ago(200), source="web", count=50) + referral(ago(200), physician="s", count=60)
    ints = (interaction(ago(200), "visit", practice="north", physicians=["p", "p"])
            + interaction(ago(420), "lunch", practice="north")
            + interaction(ago(-3), "visit", practice="north"))
    files = {"data/physicians/p.yaml": physician("north"),
             "data/physicians/q.yaml": physician("north"),
             "data/physicians/s.yaml": physician("south"),
             "data/referrals/r.yaml": refs, "data/interactions/i.yaml": ints}
    return make_site(tmp_path / "s", files, team={"lia": "liaison", "desk": "front-desk"})


def test_return_on_visit_windows_are_90_days_before_and_90_days_from_the_visit(rov_site):
    data = stats(rov_site)
    phys = data["physicians"]
    assert phys["p"]["rov_365d"] == {"visits": 2, "before": 6, "after": 24}
    assert phys["q"]["rov_365d"] == {"visits": 1, "before": 3, "after": 5}
    assert phys["s"]["rov_365d"] == NO_ROV
    # every (visit, person) pair: A×p, B×p, B×q
    assert data["totals"]["rov_365d"] == {"visits": 2, "before": 9, "after": 29}
    assert data["practices"]["north"]["rov_365d"] == {"visits": 2, "before": 9, "after": 29}
    assert data["practices"]["south"]["rov_365d"] == NO_ROV
    assert data["liaisons"]["lia"]["rov_365d"] == {"visits": 2, "before": 9, "after": 29}
    assert set(data["liaisons"]) == {"lia"}  # the front desk has no liaison figures


def test_a_practice_counts_the_visits_among_whose_people_its_physicians_are(tmp_path):
    # a visit at south (age 100) listing p, who works at north: north's visit, not south's;
    # p's referral on the visit's date is after it
    files = {"data/physicians/p.yaml": physician("north"),
             "data/physicians/s.yaml": physician("south"),
             "data/referrals/r.yaml": referral(ago(100), physician="p", count=3),
             "data/interactions/i.yaml": interaction(ago(100), "event", practice="south",
                                                     physicians=["p"])}
    data = stats(make_site(tmp_path / "s", files))
    assert data["practices"]["north"]["rov_365d"] == {"visits": 1, "before": 0, "after": 3}
    assert data["practices"]["south"]["rov_365d"] == NO_ROV
    assert data["physicians"]["s"]["rov_365d"] == NO_ROV  # listed physicians are the people


@pytest.fixture
def spend_site(tmp_path: Path) -> Path:
    """Costs around D = 2026-06-30 (p and q at north, s at south):

    | date       | practice | physicians | cost   | physicians' shares     | practices'         |
    |------------|----------|------------|--------|------------------------|--------------------|
    | 2025-12-31 | north    | p          | 500    | previous year: none    | none               |
    | 2026-01-01 | south    | —          | 2.00   | nobody                 | south 200          |
    | 2026-02-01 | south    | p          | 10.00  | p 1000                 | south 1000 (given) |
    | 2026-05-01 | north    | p, q       | 85.01  | p 4251, q 4250         | north 8501         |
    | 2026-05-02 | —        | q, s, p    | 1.00   | q 34, s 33, p 33       | north 50, south 50 |
    | 2026-05-03 | —        | s, p, s    | 0.03   | s 2, p 1               | south 2, north 1   |
    | 2026-06-30 | —        | s          | 0.10   | s 10 (age 0 counts)    | south 10           |
    | 2026-07-01 | north    | p          | 700    | after D: none          | none               |

    Totals 200 + 1000 + 8501 + 100 + 3 + 10 = 9814 cents; p 1000 + 4251 + 33 + 1 = 5285,
    q 4250 + 34 = 4284, s 33 + 2 + 10 = 45; north 8501 + 50 + 1 = 8552, south 200 + 1000 +
    50 + 2 + 10 = 1262."""
    ints = (interaction("2025-12-31", "lunch", "north", ["p"], "500")
            + interaction("2026-01-01", "event", "south", None, "2.00")
            + interaction("2026-02-01", "visit", "south", ["p"], "10.00")
            + interaction("2026-05-01", "lunch", "north", ["p", "q"], "85.01")
            + interaction("2026-05-02", "event", None, ["q", "s", "p"], "1.00")
            + interaction("2026-05-03", "email", None, ["s", "p", "s"], "0.03")
            + interaction("2026-06-30", "email", None, ["s"], "0.10")
            + interaction("2026-07-01", "lunch", "north", ["p"], "700"))
    files = {"data/physicians/p.yaml": physician("north"),
             "data/physicians/q.yaml": physician("north"),
             "data/physicians/s.yaml": physician("south"),
             "data/interactions/i.yaml": ints}
    return make_site(tmp_path / "s", files)


def test_spend_shares_a_cost_to_the_cent_within_the_calendar_year(spend_site):
    data = stats(spend_site)
    assert data["totals"]["spend_ytd_cents"] == 9814
    assert {p: s["spend_ytd_cents"] for p, s in data["physicians"].items()} == {
        "p": 5285, "q": 4284, "s": 45}
    assert {p: s["spend_ytd_cents"] for p, s in data["practices"].items()} == {
        "north": 8552, "south": 1262}


def test_spend_of_the_previous_year_is_not_this_years(spend_site):
    # at 2026-01-01 only the 2.00 of that day counts (south's, nobody's); the 500 of
    # 2025-12-31 belongs to 2025. At 2025-12-31 the 500 is this year's: p and north.
    jan1 = stats(spend_site, "2026-01-01")
    assert jan1["totals"]["spend_ytd_cents"] == 200
    assert jan1["physicians"]["p"]["spend_ytd_cents"] == 0
    assert {p: s["spend_ytd_cents"] for p, s in jan1["practices"].items()} == {
        "north": 0, "south": 200}
    dec31 = stats(spend_site, "2025-12-31")
    assert dec31["totals"]["spend_ytd_cents"] == 50000
    assert dec31["physicians"]["p"]["spend_ytd_cents"] == 50000
    assert dec31["practices"]["north"]["spend_ytd_cents"] == 50000


def test_a_prospect_never_visited(tmp_path):
    # no referral, no interaction listing them: prospect, no matured visit, overdue with a
    # tier (B) and not without one. A visit to their practice that lists nobody makes them
    # people of it (rov visits 1) but is no visit of theirs (last_visit stays null).
    files = {"data/physicians/pro-b.yaml": physician("north", "B", "potential: high\n"),
             "data/physicians/pro-none.yaml": physician("north"),
             "data/physicians/pro-south.yaml": physician("south", "A", "potential: low\n"),
             "data/interactions/i.yaml": interaction(ago(100), "visit", practice="south")}
    phys = stats(make_site(tmp_path / "s", files))["physicians"]
    zero_funnel = {"referred": 0, "scheduled": 0, "consulted": 0, "treated": 0, "declined": 0}
    for pid, potential, overdue, visits in (("pro-b", "high", True, 0),
                                            ("pro-none", None, False, 0),
                                            ("pro-south", "low", True, 1)):
        p = phys[pid]
        assert (p["status"], p["potential"], p["visit_overdue"], p["last_visit"]) == (
            "prospect", potential, overdue, None), pid
        assert p["rov_365d"] == {"visits": visits, "before": 0, "after": 0}, pid
        assert p["funnel_365d"] == zero_funnel and p["services_365d"] == {"ablation": 0,
                                                                          "sclero": 0}
        assert p["spend_ytd_cents"] == 0 and p["declining"] is False


def test_tiered_and_tiered_current_of_a_liaison(tmp_path):
    # lia's physicians: a (tier A, visited at age 30: current), b (tier A, visited at 31:
    # overdue), c (tier B, never visited: overdue), d (no tier); e is another liaison's
    site_yaml = SITE_YAML + "tiers:\n  A: {visit_every_days: 30}\n  B: {visit_every_days: 60}\n"
    files = {"data/physicians/a.yaml": physician("north", "A", "liaison: lia\n"),
             "data/physicians/b.yaml": physician("north", "A", "liaison: lia\n"),
             "data/physicians/c.yaml": physician("north", "B", "liaison: lia\n"),
             "data/physicians/d.yaml": physician("north", None, "liaison: lia\n"),
             "data/physicians/e.yaml": physician("north", "A", "liaison: lia2\n"),
             "data/interactions/i.yaml": (interaction(ago(30), physicians=["a"])
                                          + interaction(ago(31), physicians=["b"]))}
    data = stats(make_site(tmp_path / "s", files, site_yaml,
                           team={"lia": "liaison", "lia2": "liaison"}))
    lia, lia2 = data["liaisons"]["lia"], data["liaisons"]["lia2"]
    assert (lia["physicians"], lia["tiered"], lia["tiered_current"]) == (4, 3, 1)
    assert (lia2["physicians"], lia2["tiered"], lia2["tiered_current"]) == (1, 1, 0)


def test_capture_rate_is_null_when_every_referral_is_a_physicians(tmp_path):
    # physician referrals in the last 365 days (one with a taken_by, which does not count:
    # nobody asks a referring physician); a web referral older than 365 days
    refs = (referral(ago(10), physician="p", count=3)
            + referral(ago(20), physician="p", taken_by="desk")
            + referral(ago(400), source="unknown", taken_by="desk"))
    files = {"data/physicians/p.yaml": physician("north"), "data/referrals/r.yaml": refs}
    data = stats(make_site(tmp_path / "s", files, team={"lia": "liaison", "desk": "front-desk"}))
    assert data["source_capture_rate_365d"] is None
    assert data["capture_by_member_365d"] == {}
    t = data["totals"]
    assert (t["referrals_365d"], t["physician_referrals_365d"]) == (4, 4)
    assert (t["referrals_prev_365d"], t["physician_referrals_prev_365d"]) == (1, 0)


def test_capture_by_member_and_declined_reasons(tmp_path):
    # the last 365 days: web declined for insurance ×2 and unknown declined with no reason ×3,
    # both taken by desk; a patient referral taken by lia; a physician's declined referral
    # (reason other) taken by desk, which counts among the reasons but not in the capture.
    # Older: a declined one (patient-choice ×5), left out.
    refs = (referral(ago(5), source="web", count=2, status="declined",
                     declined_reason="insurance", taken_by="desk")
            + referral(ago(6), source="unknown", count=3, status="declined", taken_by="desk")
            + referral(ago(7), source="patient", taken_by="lia")
            + referral(ago(8), physician="p", status="declined", declined_reason="other",
                       taken_by="desk")
            + referral(ago(365), source="event", count=5, status="declined",
                       declined_reason="patient-choice", taken_by="desk"))
    files = {"data/physicians/p.yaml": physician("north"), "data/referrals/r.yaml": refs}
    data = stats(make_site(tmp_path / "s", files, team={"lia": "liaison", "desk": "front-desk"}))
    # desk: 5 non-physician referrals, 3 unknown: 1 − 3/5 = 0.4; lia: 1, none unknown
    assert data["capture_by_member_365d"] == {
        "desk": {"referrals": 5, "unknown": 3, "rate": 0.4},
        "lia": {"referrals": 1, "unknown": 0, "rate": 1.0}}
    # 6 non-physician referrals, 3 unknown
    assert data["source_capture_rate_365d"] == 0.5
    assert data["declined_reasons_365d"] == {
        "insurance": 2, "not-a-candidate": 0, "patient-choice": 0, "no-response": 0,
        "other": 1, "unspecified": 3}
    assert data["funnel_365d"]["declined"] == 6


def test_physician_referrals_of_the_last_and_previous_365_days(tmp_path):
    # physician referrals at ages 364, 365, 729 and 730; web referrals at 0 and 400 that are
    # not the physician's
    refs = "".join(referral(ago(a), physician="p", count=n)
                   for a, n in ((364, 1), (365, 2), (729, 4), (730, 8)))
    refs += referral(ago(0), count=16) + referral(ago(400), count=32)
    files = {"data/physicians/p.yaml": physician("north"), "data/referrals/r.yaml": refs}
    t = stats(make_site(tmp_path / "s", files))["totals"]
    assert (t["physician_referrals_365d"], t["physician_referrals_prev_365d"]) == (1, 6)
    assert (t["referrals_365d"], t["referrals_prev_365d"]) == (17, 38)


def test_per_physician_funnel_and_services(tmp_path):
    # p's referrals of the last 365 days: ablation consulted ×2, sclero declined ×1, ablation
    # treated ×4; at age 365 a sclero treated ×8 is left out
    refs = (referral(ago(1), physician="p", count=2, status="consulted")
            + referral(ago(2), physician="p", status="declined", service="sclero")
            + referral(ago(364), physician="p", count=4, status="treated")
            + referral(ago(365), physician="p", count=8, status="treated", service="sclero"))
    files = {"data/physicians/p.yaml": physician("north"), "data/referrals/r.yaml": refs}
    p = stats(make_site(tmp_path / "s", files))["physicians"]["p"]
    assert p["funnel_365d"] == {"referred": 7, "scheduled": 6, "consulted": 6, "treated": 4,
                                "declined": 1}
    assert p["services_365d"] == {"ablation": 6, "sclero": 1}


def test_referrals_from_csv_with_the_optional_columns(tmp_path):
    # the same referrals as CSV: with taken_by and declined_reason columns (cells empty or
    # not), with only one of them, and with neither
    both = ("date,source,physician,service,status,count,taken_by,declined_reason\n"
            f"{ago(5)},web,,ablation,declined,2,desk,insurance\n"
            f"{ago(6)},unknown,,ablation,declined,,desk,\n"
            f"{ago(7)},physician,p,sclero,,,,\n")
    only_taken_by = ("taken_by,date,source,physician,service,status\n"
                     f"lia,{ago(8)},patient,,sclero,\n")
    only_reason = ("declined_reason,date,source,physician,service,status\n"
                   f"no-response,{ago(9)},web,,sclero,declined\n")
    neither = f"date,source,physician,service,status\n{ago(10)},unknown,,sclero,referred\n"
    files = {"data/physicians/p.yaml": physician("north"),
             "data/referrals/both.csv": both, "data/referrals/taken.csv": only_taken_by,
             "data/referrals/reason.csv": only_reason, "data/referrals/neither.csv": neither}
    root = make_site(tmp_path / "s", files, team={"lia": "liaison", "desk": "front-desk"})
    code, _out, stderr = run_validate(root, "--as-of", AS_OF)
    assert code == 0 and diagnostics(stderr) == [], stderr
    data = stats(root)
    assert data["capture_by_member_365d"] == {
        "desk": {"referrals": 3, "unknown": 1, "rate": 0.6667},  # 1 − 1/3
        "lia": {"referrals": 1, "unknown": 0, "rate": 1.0}}
    assert data["declined_reasons_365d"] == {
        "insurance": 2, "not-a-candidate": 0, "patient-choice": 0, "no-response": 1,
        "other": 0, "unspecified": 1}
    # non-physician referrals: web ×2 and unknown (both.csv), patient (taken.csv), web
    # (reason.csv), unknown (neither.csv): 6, 2 of them unknown: 1 − 2/6
    assert data["source_capture_rate_365d"] == 0.6667
