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

from conftest import REPO, SPEC_EXAMPLE, cli, run_validate
from test_stats import SITE_YAML
from test_validate import at

D = dt.date(2026, 6, 30)
AS_OF = D.isoformat()
NO_ROV = {"visits": 0, "before": 0, "after": 0}


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


def test_the_people_of_a_visit_are_its_listed_physicians_else_its_practices():
    # SPEC §4 return on visit, as the briefs read it (liaison.derived.visit_people): the
    # visit above at south listing p has p alone as its people, each listed once; a visit
    # listing no one has every physician of its practice; one without either has none
    from types import SimpleNamespace
    from liaison.derived import visit_people

    at_practice = {"south": ["s", "t"], "north": ["p"]}
    assert visit_people(SimpleNamespace(physicians=["p", "p"], practice="south"), at_practice) == ["p"]
    assert visit_people(SimpleNamespace(physicians=[], practice="south"), at_practice) == ["s", "t"]
    assert visit_people(SimpleNamespace(physicians=[], practice=None), at_practice) == []


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


def test_spend_of_a_physician_listed_twice_is_one_share(tmp_path):
    # SPEC §4 Spend: a cost "is shared among its listed physicians, each once, in the order
    # first listed". A lunch of 1.00 listing [p, p, q] has two physicians: 100 // 2 = 50 each
    # (100 mod 2 = 0 cents over). Shared as three (34, 33, 33), p would be charged 67 and q 33.
    # (spend_site's 0.03 among [s, p, s] cannot tell the two apart: s 2, p 1 either way.)
    # Practices: none given, so shared among north (p's) and south (q's), 50 each.
    files = {"data/physicians/p.yaml": physician("north"),
             "data/physicians/q.yaml": physician("south"),
             "data/interactions/i.yaml": interaction(ago(10), "lunch", None, ["p", "p", "q"],
                                                     "1.00")}
    data = stats(make_site(tmp_path / "s", files))
    assert {d: s["spend_ytd_cents"] for d, s in data["physicians"].items()} == {"p": 50, "q": 50}
    assert {d: s["spend_ytd_cents"] for d, s in data["practices"].items()} == {
        "north": 50, "south": 50}
    assert data["totals"]["spend_ytd_cents"] == 100


def test_a_practice_named_by_an_interaction_is_charged_its_whole_cost(tmp_path):
    # SPEC §4 Spend: "A practice is charged the whole cost of each such interaction whose
    # `practice` is it". A lunch of 1.00 at north listing q, who works at south: north 100,
    # south nothing (shared among the practices of the interaction, each would get 50);
    # q, the one physician listed, 100.
    files = {"data/physicians/q.yaml": physician("south"),
             "data/interactions/i.yaml": interaction(ago(10), "lunch", "north", ["q"], "1.00")}
    data = stats(make_site(tmp_path / "s", files))
    assert {d: s["spend_ytd_cents"] for d, s in data["practices"].items()} == {
        "north": 100, "south": 0}
    assert data["physicians"]["q"]["spend_ytd_cents"] == 100


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
    # CSV files with the taken_by and declined_reason columns (cells empty or not), with only
    # one of them, and with neither (SPEC §2: both may be left out)
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


# =========================================================================== §2/§3 validation


def write(root: Path, rel: str, text: str) -> str:
    _write(root / rel, text)
    return rel


def value_at(text: str, key_value: str, nth: int = 0) -> tuple[int, int]:
    """1-based (line, col) of the value in the nth ``key: value`` of ``text``."""
    line, col = at(text, key_value, nth)
    return line, col + key_value.index(": ") + 2


def validate_both_parsers(root: Path, tmp_path: Path, *args: str) -> tuple[int, list[str]]:
    """`python build.py validate` with the fast parser and with PyYAML alone: both must give
    the same exit code and the same diagnostics; (exit code, stderr lines)."""
    runs = []
    for parser in ("", "pyyaml"):
        proc = subprocess.run(
            [sys.executable, str(REPO / "build.py"), "validate", "--root", str(root),
             "--as-of", "2026-11-26", *args],
            capture_output=True, text=True, timeout=120,
            env={**os.environ, "LIAISON_YAML_PARSER": parser,
                 "LIAISON_CACHE_DIR": str(tmp_path / f"cache-{parser or 'fast'}")})
        assert "Traceback" not in proc.stderr, proc.stderr
        runs.append((proc.returncode, proc.stderr.splitlines()))
    assert runs[0] == runs[1], f"the fast parser and PyYAML differ:\n{runs[0]}\n{runs[1]}"
    return runs[0]


COST_FILE = """\
date: 2026-02-03
liaison: lena-brooks
type: lunch
practice: french-broad-podiatry
summary: Lunch for the office.
cost: {cost}
"""
# cost value -> the words its error must hold (None: valid). The value stands at line 6,
# column 7 ("cost: " is six characters).
COSTS = {
    "85.015": "more than two decimals",
    "-5": "negative",
    "-0.5": "negative",  # less than a dollar below zero is negative too
    "1000000000000": "too large",  # 10^12 dollars; 999999999999.99 is the largest amount
    "999999999999.99": None,
    "lunch": "not an amount",
    ".inf": "not an amount",
    # pasted from a spreadsheet's currency column: it said only "write digits, like 85.01"
    "$245.00": "not an amount in dollars: write 245.00, the digits without '$' or separators",
    "1,245.50": "not an amount in dollars: write 1245.50, the digits without '$' or separators",
    "N/A": "not an amount in dollars: leave the field out when there is none",
    # written with a decimal comma, as a keyboard set to German or French types it: it said
    # only "write digits, like 85.01"
    "12,50": "not an amount in dollars: write 12.50, with a decimal point",
    "$1.234,5": "not an amount in dollars: write 1234.50, with a decimal point",
    # the currency written after it, as people say it (site.yaml's `annual_limit: 520 USD` too)
    "85 USD": "not an amount in dollars: write 85, the number alone (an amount is in US dollars)",
    "85.50 dollars": "not an amount in dollars: write 85.50, the number alone (an amount is in US dollars)",
    "40.50": None,
    "0": None,
    # -0 is 0: it was "'-0' is negative: an amount is 0 or more"
    "-0": None,
    "-0.0": None,
    "85.01": None,
}


def test_cost_values_validate_alike_with_both_parsers(example_site, tmp_path):
    names = {}
    for i, value in enumerate(COSTS):
        names[value] = write(example_site, f"data/interactions/cost-{i}.yaml",
                             COST_FILE.format(cost=value))
    code, stderr = validate_both_parsers(example_site, tmp_path)
    assert code == 1
    errors = [line for line in stderr if ": error: " in line]
    want = {names[v] for v, words in COSTS.items() if words}
    assert {line.split(":", 1)[0] for line in errors} == want, stderr
    for value, words in COSTS.items():
        if words is None:
            continue
        mine = [line for line in errors if line.startswith(f"{names[value]}:")]
        assert len(mine) == 1, mine
        assert mine[0].startswith(f"{names[value]}:6:7: error: cost: '{value}' "), mine
        assert words in mine[0], mine


def test_line_separators_pasted_in_a_note_read_alike_with_both_parsers(example_site, tmp_path):
    """U+2028, U+2029 and NEL (U+0085) are line breaks to YAML 1.1 (PyYAML) and characters
    to YAML 1.2 (the fast parser): a `notes: |` block holding one was valid to the fast
    parser and a syntax error to PyYAML, and every problem below one was placed a line too
    low."""
    base = ("date: 2026-11-20\nliaison: lena-brooks\ntype: visit\n"
            "practice: french-broad-podiatry\nsummary: Visit.\n")
    write(example_site, "data/interactions/sep-ok.yaml",
          base + "notes: |\n  Parking\u2028behind the building.\n  Ask for Dana.\n")
    bad = write(example_site, "data/interactions/sep-bad.yaml",
                base + 'notes: "Parking\u2029behind"\nbogus: 1\n')
    code, stderr = validate_both_parsers(example_site, tmp_path)
    assert code == 1
    errors = [line for line in stderr if ": error: " in line]
    assert errors == [f"{bad}:7:1: error: bogus: unknown field"], stderr


def test_a_cost_is_held_in_dollars_and_cents_whichever_way_it_was_read():
    """The fast parser reads 40.50 as the float 40.5, the exact path as the text '40.50': the
    same amount (exports/interactions.csv writes it as read)."""
    from liaison.models import Interaction, cents

    base = {"date": dt.date(2026, 2, 3), "liaison": "lia", "type": "lunch", "practice": "x",
            "summary": "Lunch."}
    values = [Interaction.model_validate({**base, "cost": c}).cost
              for c in (40.5, "40.50", "40.5", 40.50)]
    assert {str(v) for v in values} == {"40.50"}
    assert {cents(v) for v in values} == {4050}
    assert str(Interaction.model_validate({**base, "cost": 120}).cost) == "120.00"
    # -0 is 0, and is held as 0.00, never as -0.00
    assert {str(Interaction.model_validate({**base, "cost": c}).cost)
            for c in (-0.0, "-0", "-0.00", 0)} == {"0.00"}
    # and a limit of -0 is said as written: it read "'0' must be more than 0"
    from liaison.models import _limit

    with pytest.raises(ValueError, match="^'-0' must be more than 0$"):
        _limit("-0")


REFERRALS_YAML = """\
- {date: 2026-02-03, source: web, service: sclerotherapy, status: declined, declined_reason: insurance}
- date: 2026-02-04
  source: web
  service: sclerotherapy
  status: consulted
  declined_reason: insurance
- {date: 2026-02-05, source: web, service: sclerotherapy, declined_reason: other}
- {date: 2026-02-06, source: web, service: sclerotherapy, status: declined, declined_reason: insurence}
- {date: 2026-02-07, source: web, service: sclerotherapy, taken_by: zoe-nobody}
- {date: 2026-02-08, source: physician, physician: alan-cho, service: sclerotherapy, taken_by: owen-prise}
- {date: 2026-02-09, source: unknown, service: sclerotherapy, taken_by: owen-price, status: declined}
"""


def test_declined_reason_and_taken_by_in_yaml(example_site):
    rel = write(example_site, "data/referrals/r.yaml", REFERRALS_YAML)
    code, _out, stderr = run_validate(example_site, "--as-of", "2026-11-26")
    assert code == 1
    mine = [line for line in stderr if line.startswith(rel + ":")]
    t = REFERRALS_YAML
    assert mine == [
        # a block mapping: at the declined_reason value of record 1
        "{}:{}:{}: error: [1].declined_reason: only allowed when status is declined "
        "(status is consulted)".format(rel, *value_at(t, "declined_reason: insurance", 1)),
        # no status: referred
        "{}:{}:{}: error: [2].declined_reason: only allowed when status is declined "
        "(status is referred)".format(rel, *value_at(t, "declined_reason: other")),
        "{}:{}:{}: error: [3].declined_reason: 'insurence' is not one of 'insurance', "
        "'not-a-candidate', 'patient-choice', 'no-response' or 'other' (did you mean "
        "'insurance'?)"
        .format(rel, *value_at(t, "declined_reason: insurence")),
        "{}:{}:{}: error: [4].taken_by: unknown team member 'zoe-nobody'"
        .format(rel, *value_at(t, "taken_by: zoe-nobody")),
        "{}:{}:{}: error: [5].taken_by: unknown team member 'owen-prise' (did you mean "
        "'owen-price'?)".format(rel, *value_at(t, "taken_by: owen-prise")),
    ], stderr


def test_declined_reason_and_taken_by_in_csv(example_site):
    text = ("date,source,physician,service,status,count,taken_by,declined_reason\n"
            "2026-02-03,web,,sclerotherapy,declined,,owen-price,no-response\n"
            "2026-02-04,web,,sclerotherapy,treated,,,patient-choice\n"
            "2026-02-05,web,,sclerotherapy,declined,2,,maybe\n"
            "2026-02-06,web,,sclerotherapy,,,nobody-here,\n"
            "2026-02-07,web,,sclerotherapy,declined,,lena-brooks,\n")
    rel = write(example_site, "data/referrals/r.csv", text)
    code, _out, stderr = run_validate(example_site, "--as-of", "2026-11-26")
    assert code == 1
    mine = [line for line in stderr if line.startswith(rel + ":")]
    # a CSV row's problems stand at the row's line, column 1
    assert len(mine) == 3, stderr
    assert mine[0] == (f"{rel}:3:1: error: declined_reason: only allowed when status is "
                       "declined (status is treated)")
    assert mine[1].startswith(f"{rel}:4:1: error: declined_reason: 'maybe' is not one of ")
    assert mine[2] == f"{rel}:5:1: error: taken_by: unknown team member 'nobody-here'"


def test_potential_must_be_high_medium_or_low(example_site):
    path = example_site / "data/physicians/grace-holloway.yaml"
    text = path.read_text(encoding="utf-8") + "potential: huge\n"
    path.write_text(text, encoding="utf-8")
    code, _out, stderr = run_validate(example_site, "--as-of", "2026-11-26")
    assert code == 1
    line, col = value_at(text, "potential: huge")
    assert [d for d in diagnostics(stderr) if ": error: " in d] == [
        f"data/physicians/grace-holloway.yaml:{line}:{col}: error: potential: 'huge' is not "
        "one of 'high', 'medium' or 'low'"]


def test_refers_elsewhere_is_a_list_of_text_that_the_patient_guard_reads(example_site):
    grace = example_site / "data/physicians/grace-holloway.yaml"
    g_text = grace.read_text(encoding="utf-8") + "refers_elsewhere: Asheville Vascular\n"
    grace.write_text(g_text, encoding="utf-8")
    ruth = example_site / "data/physicians/ruth-kessler.yaml"
    r_text = (ruth.read_text(encoding="utf-8") + "potential: medium\n"
              "refers_elsewhere: [Mission Wound Center, 'pt John Smith DOB 01/02/1950']\n")
    ruth.write_text(r_text, encoding="utf-8")
    code, _out, stderr = run_validate(example_site, "--as-of", "2026-11-26")
    assert code == 1
    errors = [d for d in diagnostics(stderr) if ": error: " in d]
    g_line, g_col = value_at(g_text, "refers_elsewhere: Asheville Vascular")
    assert f"data/physicians/grace-holloway.yaml:{g_line}:{g_col}: error: refers_elsewhere: " \
           "expected a list, got the text 'Asheville Vascular': write its items in brackets, " \
           "[Asheville Vascular], or each on a line of its own after '- '" in errors
    r_line, r_col = at(r_text, "'pt John")
    mine = [d for d in errors if d.startswith("data/physicians/ruth-kessler.yaml:")]
    assert mine and all(d.startswith(f"data/physicians/ruth-kessler.yaml:{r_line}:{r_col}: "
                                     "error: refers_elsewhere[1]: looks like ") for d in mine)
    assert any("date of birth" in d for d in mine), mine
    assert len(errors) == 1 + len(mine), stderr


def _site_yaml_with(root: Path, extra: str) -> str:
    """site.yaml of the example without its compliance, plus ``extra``; its text."""
    text = (root / "site.yaml").read_text(encoding="utf-8")
    text = text[:text.index("compliance:")] + extra
    (root / "site.yaml").write_text(text, encoding="utf-8")
    return text


@pytest.mark.parametrize("url, ok", [
    ("http://github.com/our-practice/records", False),
    ("github.com/our-practice/records", False),
    ("ftp://git.example/records", False),
    ("https://", False),
    ("https://github.com/our-practice/records", True),
    ("https://gitea.example/our-practice/records/", True),
])
def test_repository_web_url_is_https(example_site, url, ok):
    text = _site_yaml_with(example_site, f"repository:\n  web_url: {url}\n  branch: records\n")
    code, _out, stderr = run_validate(example_site, "--as-of", "2026-11-26")
    errors = [d for d in diagnostics(stderr) if ": error: " in d]
    if ok:
        assert code == 0 and errors == [], stderr
        return
    line, col = value_at(text, f"web_url: {url}")
    assert code == 1
    assert len(errors) == 1, stderr
    assert errors[0].startswith(f"site.yaml:{line}:{col}: error: repository.web_url: '{url}' "
                                "is not an https:// address"), errors


@pytest.mark.parametrize("limit, words", [
    ("0", "must be more than 0"), ("-100", "negative"), ("lots", "not an amount"),
])
def test_compliance_annual_limit_is_a_positive_amount(example_site, limit, words):
    text = _site_yaml_with(example_site, f"compliance:\n  annual_limit: {limit}\n")
    code, _out, stderr = run_validate(example_site, "--as-of", "2026-11-26")
    assert code == 1
    line, col = value_at(text, f"annual_limit: {limit}")
    errors = [d for d in diagnostics(stderr) if ": error: " in d]
    assert len(errors) == 1, stderr
    assert errors[0].startswith(f"site.yaml:{line}:{col}: error: compliance.annual_limit: "
                                f"'{limit}' "), errors
    assert words in errors[0]


# =========================================================================== the compliance warning

LUNCH_OVER = "data/interactions/2026/11/2026-11-06-french-broad-lunch.yaml"
# ruth-kessler's 2026 costs up to 2026-11-26: the 2026-11-06 lunch alone lists her, 120.00
# (the 2026-12-01 lunch's 90 is after the as-of date); the limit of site.yaml is 100
RUTH_WARNING = (f"{LUNCH_OVER}:7:7: warning: cost: Ruth Kessler (ruth-kessler) has been given "
                "$120.00 in 2026 with this interaction, over the annual limit of $100.00 "
                "(site.yaml compliance.annual_limit)")


def test_the_compliance_warning_of_the_worked_example():
    code, _out, stderr = run_validate(SPEC_EXAMPLE, "--as-of", "2026-11-26")
    assert code == 0
    assert [d for d in diagnostics(stderr) if "annual limit" in d] == [RUTH_WARNING]
    # --strict: the same line as an error, exit 1
    code, _out, stderr = run_validate(SPEC_EXAMPLE, "--as-of", "2026-11-26", "--strict")
    assert code == 1
    assert RUTH_WARNING.replace(": warning: ", ": error: ") in stderr


def test_no_compliance_warning_without_a_limit(example_site):
    _site_yaml_with(example_site, "")
    code, _out, stderr = run_validate(example_site, "--as-of", "2026-11-26")
    assert code == 0
    # the other three warnings of the example remain
    assert len(diagnostics(stderr)) == 3, stderr
    assert not [d for d in diagnostics(stderr) if "limit" in d]


def test_the_compliance_warning_counts_the_whole_year_up_to_the_as_of_date(example_site):
    # at 2026-12-31 the 2026-12-01 lunch (90) counts too, but she went over on 2026-11-06:
    # still one warning, there, with the total of that day
    code, _out, stderr = run_validate(example_site, "--as-of", "2026-12-31")
    assert code == 0
    assert [d for d in diagnostics(stderr) if "annual limit" in d] == [RUTH_WARNING]


COMPLIANCE_SITE = SITE_YAML + "compliance:\n  annual_limit: 100\n"
FILE_A = (interaction("2025-03-01", "lunch", "north", ["a"], "60")
          + interaction("2025-04-01", "lunch", "north", ["a"], "50")
          + interaction("2025-05-01", "lunch", "north", ["a"], "10")
          + interaction("2026-01-05", "lunch", "north", ["c"], "100.00")
          + interaction("2026-06-01", "lunch", "north", ["c"], "0.01"))
FILE_B = interaction("2026-05-01", "lunch", "north", ["a", "b"], "150.01")
FILE_C = (interaction("2026-03-01", "visit", "north", ["a"], "25")
          + interaction("2026-04-01", "visit", "south", ["d"], "100.00")
          + interaction("2026-07-15", "lunch", "south", ["d"], "5"))


@pytest.fixture
def compliance_site(tmp_path: Path) -> Path:
    """Limit 100 a year, as of 2026-06-30 (the helpers' D):

    * a: 2025: 60 + 50 = 110 on 2025-04-01 (a.yaml [1]): over; 10 more on 2025-05-01, no
      second warning that year. 2026: 25 on 2026-03-01 (c.yaml), then their share of the
      150.01 lunch for a and b on 2026-05-01 (b.yaml): 7501 cents, 100.01 in all: over, at
      b.yaml (sorted by date, not by file);
    * b: 75.00 of that lunch: under;
    * c: 100.00 on 2026-01-05 (at the limit, not over), 0.01 more on 2026-06-01 (a.yaml [4]):
      100.01, over;
    * d: 100.00 on 2026-04-01, and 5 on 2026-07-15, after the as-of date: not counted."""
    files = {f"data/physicians/{p}.yaml": physician(pr).replace("Dr. Test", name)
             for p, pr, name in (("a", "north", "Ann Able"), ("b", "north", "Ben Best"),
                                 ("c", "north", "Cal Cole"), ("d", "south", "Dee Dunn"))}
    files.update({"data/interactions/a.yaml": FILE_A, "data/interactions/b.yaml": FILE_B,
                  "data/interactions/c.yaml": FILE_C})
    return make_site(tmp_path / "s", files, COMPLIANCE_SITE)


def _over(path: str, text: str, needle: str, nth: int, prefix: str, who: str, total: str,
          year: int) -> str:
    line, col = value_at(text, needle, nth)
    return (f"{path}:{line}:{col}: warning: {prefix}cost: {who} has been given {total} in "
            f"{year} with this interaction, over the annual limit of $100.00 "
            "(site.yaml compliance.annual_limit)")


def test_the_compliance_warning_once_per_physician_and_year_where_they_went_over(
        compliance_site):
    code, _out, stderr = run_validate(compliance_site, "--as-of", AS_OF)
    assert code == 0, stderr
    over = [d for d in diagnostics(stderr) if "annual limit" in d]
    assert over == [
        _over("data/interactions/a.yaml", FILE_A, "cost: 50", 0, "[1].", "Ann Able (a)",
              "$110.00", 2025),
        _over("data/interactions/a.yaml", FILE_A, "cost: 0.01", 0, "[4].", "Cal Cole (c)",
              "$100.01", 2026),
        _over("data/interactions/b.yaml", FILE_B, "cost: 150.01", 0, "[0].", "Ann Able (a)",
              "$100.01", 2026),
    ]
    # and the 2026-07-15 interaction is only dated after the as-of date
    assert [d for d in diagnostics(stderr) if "annual limit" not in d] == [
        "data/interactions/c.yaml:{}:{}: warning: [2].date: dated 2026-07-15, after the as-of "
        "date 2026-06-30: left out of the statistics".format(*at(FILE_C, "2026-07-15"))]


def test_the_compliance_warning_is_an_error_with_strict(compliance_site, tmp_path):
    code, _out, stderr = run_validate(compliance_site, "--as-of", AS_OF, "--strict")
    assert code == 1
    assert len([d for d in stderr if ": error: " in d and "annual limit" in d]) == 3
    assert not [d for d in stderr if ": warning: " in d]
    code, _out, stderr = cli("build", "--root", str(compliance_site), "--out",
                             str(tmp_path / "out"), "--as-of", AS_OF, "--strict")
    assert code == 1 and not (tmp_path / "out").exists()
    assert "annual limit" in stderr


def test_the_compliance_warning_when_worker_processes_read_the_files(compliance_site,
                                                                     monkeypatch):
    """Each worker sees some of the costs; the parent orders them all by date: the same
    warnings as one process gives."""
    import liaison.pipeline as pipeline

    _code, _out, single = run_validate(compliance_site, "--as-of", AS_OF)
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(pipeline, "cpu_count", lambda: 3)
    code, _out, forked = run_validate(compliance_site, "--as-of", AS_OF)
    assert code == 0
    assert len([d for d in forked if "annual limit" in d]) == 3
    assert forked == single


# =========================================================================== the first edition

FIRST_EDITION = REPO / "tests" / "fixtures" / "spec-example"


def _upgrade_section() -> str:
    """The README's section on upgrading a site written for the first edition."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("### Upgrading a site written for the first edition")
    return text[start:text.index("\n## ", start)]


def _leaves(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, (*path, k))
    else:
        yield path, value


def test_a_first_edition_site_reads_as_the_readme_says(tmp_path):
    """The first edition's worked example under this Liaison: no error, every figure of its
    expected stats.json the same except those the second edition defines otherwise (declining,
    the capture rate, each recomputed here from that file's own figures by the second
    edition's rules), and the README's upgrade section names every figure that changed and
    every key that was added: nothing changes without a word."""
    site = tmp_path / "site"
    shutil.copytree(FIRST_EDITION, site)
    expected = json.loads((site / "expected-stats-2026-11-26.json").read_text(encoding="utf-8"))
    code, _, err = run_validate(site, "--as-of", "2026-11-26")
    assert code == 0 and not [line for line in err if ": error: " in line], err
    got = stats(site, "2026-11-26")

    # the second edition's rules applied to the first edition's figures
    asked = sum(expected["sources_365d"].values()) - expected["sources_365d"]["physician"]
    rule = {("source_capture_rate_365d",):
            round(1 - expected["sources_365d"]["unknown"] / asked, 4)}
    for pid, p in expected["physicians"].items():
        rule[("physicians", pid, "declining")] = (p["status"] in ("new", "active")
                                                  and p["referrals_prev_90d"] >= 4
                                                  and 2 * p["referrals_90d"] <= p["referrals_prev_90d"])
    got_leaves, old_leaves = dict(_leaves(got)), dict(_leaves(expected))
    changed = {path for path, v in old_leaves.items() if got_leaves.get(path, v) != v}
    assert changed, "the first edition's example no longer shows what the second changed"
    for path in old_leaves:
        assert path in got_leaves, f"a figure of the first edition is gone: {path}"
        assert got_leaves[path] == rule.get(path, old_leaves[path]), path

    section = _upgrade_section()
    for path in changed:
        assert f"`{path[-1]}`" in section, f"the README's upgrade section does not name {path}"
    added = {path[:1] if path[0] not in ("totals", "physicians", "practices", "liaisons")
             else (path[0], path[2] if path[0] != "totals" else path[1])
             for path in got_leaves if path not in old_leaves}
    for path in added:
        assert f"`{path[-1]}`" in section or f"`totals.{path[-1]}`" in section, \
            f"the README's upgrade section does not name the added key {path}"


def test_a_referrals_choices_are_listed_as_every_other_records_are(example_site):
    # a referral's choice (CSV or YAML) listed its options bare and without "or" ("is not one
    # of insurance, not-a-candidate, …, other") where an interaction's read "'positive',
    # 'neutral' or 'negative'": the same mistake was said two ways in one run
    write(example_site, "data/referrals/r.csv",
          "date,source,physician,service,status\n2026-02-03,web,,sclerotherapy,done\n")
    write(example_site, "data/referrals/r.yaml",
          "- date: 2026-02-03\n  source: web\n  service: sclerotherapy\n  status: declined\n"
          "  declined_reason: price\n")
    write(example_site, "data/interactions/i.yaml",
          "date: 2026-02-03\nliaison: lena-brooks\ntype: call\npractice: french-broad-podiatry\n"
          "summary: Called.\noutcome: great\n")
    _code, _out, stderr = run_validate(example_site, "--as-of", "2026-11-26")
    said = {line.split(": error: ")[1].split(": ")[0]: line.split(" is not one of ")[1]
            for line in stderr if " is not one of " in line}
    assert said["outcome"].startswith("'positive', 'neutral' or 'negative'"), stderr
    # (a status in the coordinator's words, 'done', is then told which stage that is)
    assert said["status"].startswith("'referred', 'scheduled', 'consulted', 'treated' or 'declined'"), stderr
    assert said["[0].declined_reason"].startswith("'insurance', 'not-a-candidate', 'patient-choice', "
                                                  "'no-response' or 'other'"), stderr


def test_a_yaml_referrals_notes_get_the_words_a_csvs_notes_column_gets(example_site):
    # a `notes:` on a YAML referral was a bare "unknown field", where a CSV's notes column was
    # told a referral holds no notes and where they belong; so were 'how_heard' and
    # 'referring_physician', which a CSV's headings get a hint for
    write(example_site, "data/referrals/r.yaml",
          "- date: 2026-02-03\n  source: web\n  service: sclerotherapy\n  notes: called back\n"
          "  how_heard: radio\n  referring_physician: x\n")
    _code, _out, stderr = run_validate(example_site, "--as-of", "2026-11-26")
    said = [line.split(": error: ", 1)[1] for line in stderr if "data/referrals/r.yaml" in line]
    assert said == [
        "[0].notes: unknown field (a referral record holds no notes: delete the field; what an "
        "office said belongs in an interaction's notes)",
        "[0].how_heard: unknown field (did you mean 'source'? it holds the answer to \"how did "
        "you hear about us?\")",
        "[0].referring_physician: unknown field (did you mean 'physician'?)"], stderr
