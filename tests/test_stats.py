"""`stats` against SPEC §4 (and the as-of rules of §4/§5).

Expected values come from the SPEC, worked out by hand (the tables in the tests say how), or
from the independently produced tests/fixtures/spec-example-v2/expected-stats-2026-11-26.json
(the second edition's worked example);
never from liaison's own output. The property tests compare the statistics of random small
sites with a deliberately naive re-reading of SPEC §4 (`spec_stats`, one rescan per figure)
and check invariants that follow from the definitions.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parent.parent
SPEC_EXAMPLE = Path(__file__).resolve().parent / "fixtures" / "spec-example-v2"
EXPECTED_EXAMPLE = SPEC_EXAMPLE / "expected-stats-2026-11-26.json"

# SPEC §2, written out here rather than imported from liaison.models.
SOURCES = ("physician", "patient", "web", "advertising", "insurance", "event", "other", "unknown")
IN_PERSON = {"visit", "lunch", "presentation", "event"}
STAGE = {"referred": 0, "scheduled": 1, "consulted": 2, "treated": 3, "declined": 0}

# The as-of date of the boundary tests: the last day of a month, so that D + 1 (a "future"
# record) falls in the next month and must not extend `months`.
D = dt.date(2026, 6, 30)


def ago(days: int, base: dt.date = D) -> str:
    """The date `days` before `base` (negative: after), as YYYY-MM-DD."""
    return (base - dt.timedelta(days=days)).isoformat()


# --------------------------------------------------------------------------- running


class Run:
    def __init__(self, code: int, stdout: str, stderr: str):
        self.code, self.stdout, self.stderr = code, stdout, stderr

    def json(self) -> dict:
        assert self.code == 0, f"exit {self.code}\nstderr:\n{self.stderr}"
        return json.loads(self.stdout)


def run_cli(*args: str, env: dict | None = None) -> Run:
    """`liaison ARGS…` in-process; no Python traceback may escape."""
    from liaison.cli import main

    result = CliRunner().invoke(main, list(args), env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        tb = "".join(traceback.format_exception(*result.exc_info))
        raise AssertionError(f"the command raised instead of reporting:\n{tb}")
    assert "Traceback" not in result.stderr
    return Run(result.exit_code, result.stdout, result.stderr)


def stats_json(root: Path, as_of: dt.date | str = D) -> dict:
    as_of = as_of.isoformat() if isinstance(as_of, dt.date) else as_of
    return run_cli("stats", "--json", "--root", str(root), "--as-of", as_of).json()


def run_build_py(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=REPO,
                          env=full_env, capture_output=True, text=True, timeout=120)


# --------------------------------------------------------------------------- tiny sites

SITE_YAML = """\
practice:
  name: Test Vein Clinic
services:
  - key: ablation
    name: Vein ablation
  - key: sclero
    name: Sclerotherapy
"""


def physician(practice: str, tier: str | None = None, liaison: str | None = None) -> str:
    text = f"name: Dr. Test\nspecialty: Family medicine\npractice: {practice}\n"
    if tier:
        text += f"tier: {tier}\n"
    if liaison:
        text += f"liaison: {liaison}\n"
    return text


def make_site(root: Path, files: dict[str, str], site_yaml: str = SITE_YAML,
              practices: dict[str, str | None] | None = None,
              team: dict[str, str] | None = None) -> Path:
    """Write a site root: site.yaml, practices {id: liaison or None}, team {id: role}, and
    the other files as {relative path: text}."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(site_yaml)
    for pid, lia in (practices if practices is not None else {"clinic": None}).items():
        text = f"name: Practice {pid}\n" + (f"liaison: {lia}\n" if lia else "")
        _write(root / "data/practices" / f"{pid}.yaml", text)
    for tid, role in (team if team is not None else {"lia": "liaison"}).items():
        _write(root / "data/team" / f"{tid}.yaml", f"name: Member {tid}\nrole: {role}\n")
    for rel, text in files.items():
        _write(root / rel, text)
    return root


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def referral_yaml(date: str, source: str = "physician", physician: str | None = None,
                  service: str = "ablation", status: str | None = None, count: int | None = None) -> str:
    text = f"- date: {date}\n  source: {source}\n  service: {service}\n"
    if physician:
        text += f"  physician: {physician}\n"
    if status:
        text += f"  status: {status}\n"
    if count is not None:
        text += f"  count: {count}\n"
    return text


def interaction_yaml(date: str, type_: str = "visit", liaison: str = "lia",
                     practice: str | None = None, physicians: list[str] | None = None,
                     follow_ups: list[dict] | None = None) -> str:
    text = f"- date: {date}\n  liaison: {liaison}\n  type: {type_}\n  summary: Test contact\n"
    if practice:
        text += f"  practice: {practice}\n"
    if physicians:
        text += f"  physicians: [{', '.join(physicians)}]\n"
    if follow_ups:
        text += "  follow_ups:\n"
        for f in follow_ups:
            text += f"    - task: {f.get('task', 'Send brochures')}\n      due: {f['due']}\n"
            for key in ("owner", "done"):
                if f.get(key):
                    text += f"      {key}: {f[key]}\n"
    return text


def diff_paths(got, want, path: str = "$") -> list[str]:
    """Every path where `got` differs from `want` (numbers compare by value, bools strictly)."""
    if isinstance(want, dict) and isinstance(got, dict):
        out = []
        for key in sorted(set(got) | set(want)):
            if key not in got:
                out.append(f"{path}.{key}: missing (expected {want[key]!r})")
            elif key not in want:
                out.append(f"{path}.{key}: unexpected key (value {got[key]!r})")
            else:
                out += diff_paths(got[key], want[key], f"{path}.{key}")
        return out
    if isinstance(want, list) and isinstance(got, list):
        out = []
        if len(got) != len(want):
            out.append(f"{path}: {len(got)} items, expected {len(want)}")
        for i, (g, w) in enumerate(zip(got, want)):
            out += diff_paths(g, w, f"{path}[{i}]")
        return out
    same_kind = (isinstance(got, bool) == isinstance(want, bool)) and (
        type(got) is type(want)
        or (isinstance(got, (int, float)) and isinstance(want, (int, float))))
    if not same_kind or got != want:
        return [f"{path}: got {got!r}, expected {want!r}"]
    return []


def assert_same(got, want):
    diffs = diff_paths(got, want)
    assert not diffs, "differences:\n  " + "\n  ".join(diffs)


# =========================================================================== 1. spec example


def test_spec_example_equals_expected_json_field_by_field():
    want = json.loads(EXPECTED_EXAMPLE.read_text(encoding="utf-8"))
    got = stats_json(SPEC_EXAMPLE, "2026-11-26")
    assert_same(got, want)


def test_spec_example_via_build_py_is_canonical_and_byte_identical():
    args = ("stats", "--json", "--root", str(SPEC_EXAMPLE), "--as-of", "2026-11-26")
    first, second = run_build_py(*args), run_build_py(*args)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "Traceback" not in first.stderr
    assert first.stdout == second.stdout, "two runs at the same as-of date differ"
    obj = json.loads(first.stdout)
    canonical = json.dumps(obj, sort_keys=True, indent=2)
    assert first.stdout in (canonical, canonical + "\n"), "not sorted-keys, 2-space-indent JSON"
    assert_same(obj, json.loads(EXPECTED_EXAMPLE.read_text(encoding="utf-8")))


def test_spec_example_warns_about_future_records_but_succeeds():
    run = run_cli("stats", "--json", "--root", str(SPEC_EXAMPLE), "--as-of", "2026-11-26")
    assert run.code == 0
    warnings = [line for line in run.stderr.splitlines() if ": warning: " in line]
    assert any("2026-12-01" in w for w in warnings), run.stderr
    assert any("2026-11-28" in w for w in warnings), run.stderr
    # stdout is the JSON alone: the diagnostics go to stderr
    json.loads(run.stdout)


# =========================================================================== 2. as-of rules

EPOCH = 1795000000
# 1795000000 s = 20775 days + 40000 s after 1970-01-01, i.e. 2026-11-18 11:06:40 UTC.
EPOCH_DATE = (dt.date(1970, 1, 1) + dt.timedelta(days=EPOCH // 86400)).isoformat()


def test_epoch_date_worked_out_by_hand():
    assert EPOCH_DATE == "2026-11-18"
    assert dt.datetime.utcfromtimestamp(EPOCH).date().isoformat() == EPOCH_DATE


@pytest.fixture
def empty_site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site", {})


def test_as_of_option_wins_over_source_date_epoch(empty_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    run = run_cli("stats", "--json", "--root", str(empty_site), "--as-of", "2025-02-03")
    assert run.json()["as_of"] == "2025-02-03"


def test_as_of_option_wins_even_over_a_malformed_source_date_epoch(empty_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "not-a-number")
    run = run_cli("stats", "--json", "--root", str(empty_site), "--as-of", "2025-02-03")
    assert run.json()["as_of"] == "2025-02-03"


def test_source_date_epoch_gives_its_utc_date(empty_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    data = run_cli("stats", "--json", "--root", str(empty_site)).json()
    assert data["as_of"] == EPOCH_DATE
    # only D's month when there is no record
    assert [m["month"] for m in data["months"]] == ["2026-11"]


@pytest.mark.parametrize("tz, seconds_into_day, utc_date", [
    # 23:30 UTC is already the next day at UTC+14 (POSIX TZ "XXX-14" is 14 h east of UTC)
    ("XXX-14", 23 * 3600 + 1800, "2026-11-18"),
    # 00:30 UTC is still the day before at UTC-10
    ("XXX+10", 1800, "2026-11-18"),
])
def test_source_date_epoch_uses_the_utc_date_not_the_local_one(empty_site, tz, seconds_into_day, utc_date):
    epoch = (EPOCH // 86400) * 86400 + seconds_into_day
    proc = run_build_py("stats", "--json", "--root", str(empty_site),
                        env={"SOURCE_DATE_EPOCH": str(epoch), "TZ": tz})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["as_of"] == utc_date


def test_without_as_of_or_epoch_the_date_is_today(empty_site, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    before = dt.date.today()
    data = run_cli("stats", "--json", "--root", str(empty_site)).json()
    after = dt.date.today()
    assert data["as_of"] in {before.isoformat(), after.isoformat()}


@pytest.mark.parametrize("tz, hours_east", [("XXX-14", 14), ("XXX+12", -12)])
def test_without_as_of_or_epoch_today_is_the_date_in_the_machines_time_zone(
        empty_site, monkeypatch, tz, hours_east):
    # The README says whose "today": this machine's, in its time zone (TZ), not the UTC date
    # SOURCE_DATE_EPOCH gives. At any moment these two zones, 26 hours apart, differ by a day.
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)

    def there() -> str:
        return (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=hours_east)).date().isoformat()

    before = there()
    proc = run_build_py("stats", "--json", "--root", str(empty_site), env={"TZ": tz})
    after = there()
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["as_of"] in {before, after}


@pytest.mark.parametrize("value", [
    "2026-02-30", "2026-8-5", "26-11-2026", "2026/11/26", "tomorrow", "", "2026-11-26T00:00",
    "2026-13-01",
])
def test_malformed_as_of_is_a_usage_error(empty_site, value, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    run = run_cli("stats", "--json", "--root", str(empty_site), "--as-of", value)
    assert run.code == 2, (run.code, run.stdout, run.stderr)
    assert "as-of" in run.stderr
    assert run.stdout == ""


@pytest.mark.parametrize("value", ["2026-W48-4", "20261126  "])
def test_as_of_accepts_only_yyyy_mm_dd(empty_site, value, monkeypatch):
    # date.fromisoformat (Python >= 3.11) also reads ISO week dates and the basic format
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    run = run_cli("stats", "--json", "--root", str(empty_site), "--as-of", value)
    assert run.code == 2, (run.code, run.stdout[:80])


@pytest.mark.parametrize("value", [
    "abc", "1.5", "1795000000x", "1e9", "0x6afe", "99999999999999999999999",
])
def test_malformed_source_date_epoch_is_a_usage_error(empty_site, value, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    run = run_cli("stats", "--json", "--root", str(empty_site))
    assert run.code == 2, (run.code, run.stdout, run.stderr)
    assert "SOURCE_DATE_EPOCH" in run.stderr
    assert run.stdout == ""


@pytest.mark.parametrize("value", ["1_795_000_000", " 1795000000 "])
def test_source_date_epoch_accepts_only_digits(empty_site, value, monkeypatch):
    # reproducible-builds.org: decimal digits only; int() would also take these
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    run = run_cli("stats", "--json", "--root", str(empty_site))
    assert run.code == 2, (run.code, run.stdout[:80])


# =========================================================================== 3. boundaries

WINDOW_AGES = (0, 89, 90, 179, 180, 364, 365, 729, 730)
# age -> (referrals_90d, referrals_prev_90d, referrals_365d, referrals_prev_365d), by hand from
# "last N days: 0 <= age < N" and "previous N days: N <= age < 2N".
WINDOWS_BY_HAND = {
    0: (1, 0, 1, 0),
    89: (1, 0, 1, 0),
    90: (0, 1, 1, 0),
    179: (0, 1, 1, 0),
    180: (0, 0, 1, 0),
    364: (0, 0, 1, 0),
    365: (0, 0, 0, 1),
    729: (0, 0, 0, 1),
    730: (0, 0, 0, 0),
}
WINDOW_KEYS = ("referrals_90d", "referrals_prev_90d", "referrals_365d", "referrals_prev_365d")


@pytest.fixture
def window_site(tmp_path: Path) -> Path:
    files = {f"data/physicians/age-{a}.yaml": physician("clinic") for a in WINDOW_AGES}
    files["data/physicians/age-future.yaml"] = physician("clinic")
    refs = "".join(referral_yaml(ago(a), physician=f"age-{a}") for a in WINDOW_AGES)
    refs += referral_yaml(ago(-1), physician="age-future")
    files["data/referrals/all.yaml"] = refs
    return make_site(tmp_path / "site", files)


def test_referral_windows_per_physician(window_site):
    data = stats_json(window_site)
    got = {a: tuple(data["physicians"][f"age-{a}"][k] for k in WINDOW_KEYS) for a in WINDOW_AGES}
    assert got == WINDOWS_BY_HAND
    for a in WINDOW_AGES:
        assert data["physicians"][f"age-{a}"]["referrals"] == 1
        assert data["physicians"][f"age-{a}"]["days_since_referral"] == a


def test_referral_windows_totals(window_site):
    t = stats_json(window_site)["totals"]
    # column sums of WINDOWS_BY_HAND: 2, 2, 6, 2; nine referrals of age >= 0
    assert (t["referrals"], t["referrals_90d"], t["referrals_prev_90d"], t["referrals_365d"],
            t["referrals_prev_365d"]) == (9, 2, 2, 6, 2)
    assert t["physicians"] == 10 and t["practices"] == 1


def test_future_referral_is_left_out_everywhere_with_a_warning(window_site):
    run = run_cli("stats", "--json", "--root", str(window_site), "--as-of", D.isoformat())
    assert run.code == 0
    assert any(": warning: " in line and ago(-1) in line for line in run.stderr.splitlines()), run.stderr
    data = json.loads(run.stdout)
    future = data["physicians"]["age-future"]
    assert future["referrals"] == 0
    assert future["first_referral"] is None and future["last_referral"] is None
    assert future["days_since_referral"] is None
    assert future["status"] == "prospect"
    assert all(future[k] == 0 for k in WINDOW_KEYS)
    # D + 1 is in July: months stop at D's month (2024-06 … 2026-06 = 25 months)
    months = [m["month"] for m in data["months"]]
    assert months[0] == "2024-06" and months[-1] == "2026-06" and len(months) == 25
    assert sum(m["referrals"] for m in data["months"]) == 9
    assert data["funnel_365d"]["referred"] == 6
    assert sum(data["sources_365d"].values()) == 6
    assert data["practices"]["clinic"]["referrals_365d"] == 6
    assert data["practices"]["clinic"]["referrals_prev_365d"] == 2


def test_new_within_days_boundary(tmp_path):
    site_yaml = SITE_YAML + "thresholds:\n  new_within_days: 30\n  lapsed_after_days: 500\n"
    files = {
        "data/physicians/first-29.yaml": physician("clinic"),
        "data/physicians/first-30.yaml": physician("clinic"),
        "data/physicians/first-30-last-2.yaml": physician("clinic"),
        "data/physicians/nothing.yaml": physician("clinic"),
        "data/referrals/r.yaml": (referral_yaml(ago(29), physician="first-29")
                                  + referral_yaml(ago(30), physician="first-30")
                                  + referral_yaml(ago(2), physician="first-30-last-2")
                                  + referral_yaml(ago(30), physician="first-30-last-2")),
    }
    phys = stats_json(make_site(tmp_path / "s", files, site_yaml))["physicians"]
    assert {p: s["status"] for p, s in phys.items()} == {
        "first-29": "new", "first-30": "active", "first-30-last-2": "active", "nothing": "prospect"}
    assert phys["first-30-last-2"]["first_referral"] == ago(30)
    assert phys["first-30-last-2"]["last_referral"] == ago(2)
    assert phys["first-30-last-2"]["days_since_referral"] == 2


def test_lapsed_after_days_boundary(tmp_path):
    site_yaml = SITE_YAML + "thresholds:\n  new_within_days: 10\n  lapsed_after_days: 100\n"
    files = {
        "data/physicians/last-100.yaml": physician("clinic"),
        "data/physicians/last-99.yaml": physician("clinic"),
        "data/referrals/r.yaml": (referral_yaml(ago(300), physician="last-100")
                                  + referral_yaml(ago(100), physician="last-100")
                                  + referral_yaml(ago(99), physician="last-99")),
    }
    phys = stats_json(make_site(tmp_path / "s", files, site_yaml))["physicians"]
    assert phys["last-100"]["status"] == "lapsed"
    assert phys["last-100"]["days_since_referral"] == 100
    assert phys["last-99"]["status"] == "active"
    assert phys["last-99"]["days_since_referral"] == 99


def test_new_takes_precedence_over_lapsed(tmp_path):
    # a single referral at age 50 with new_within 60 and lapsed_after 40: new is checked first
    site_yaml = SITE_YAML + "thresholds:\n  new_within_days: 60\n  lapsed_after_days: 40\n"
    files = {"data/physicians/doc.yaml": physician("clinic"),
             "data/referrals/r.yaml": referral_yaml(ago(50), physician="doc")}
    assert stats_json(make_site(tmp_path / "s", files, site_yaml))["physicians"]["doc"]["status"] == "new"


def test_default_thresholds_are_90_days(tmp_path):
    files = {f"data/physicians/{n}.yaml": physician("clinic") for n in ("a", "b", "c")}
    files["data/referrals/r.yaml"] = (referral_yaml(ago(89), physician="a")       # new
                                      + referral_yaml(ago(90), physician="b")     # lapsed
                                      + referral_yaml(ago(200), physician="c")
                                      + referral_yaml(ago(89), physician="c"))    # active
    phys = stats_json(make_site(tmp_path / "s", files))["physicians"]
    assert [phys[n]["status"] for n in ("a", "b", "c")] == ["new", "lapsed", "active"]


# (referrals_prev_90d, referrals_90d) -> (status, declining), by hand from SPEC §4 (second
# edition): "status is new or active, referrals_prev_90d >= 4 and 2 * referrals_90d <=
# referrals_prev_90d". The previous 90 days' referrals are at age 120 and the recent ones at
# age 10; default thresholds (90): the first referral at 120 is not new, and with no recent
# referral the last one (age 120 >= 90) is lapsed.
DECLINING_BY_HAND = {
    (2, 1): ("active", False),  # 2 × 1 <= 2, but two referrals are too few for a trend
    (1, 0): ("lapsed", False),
    (2, 0): ("lapsed", False),
    (3, 1): ("active", False),  # 3 < 4
    (3, 2): ("active", False),
    (0, 0): ("prospect", False),
    (4, 2): ("active", True),   # 2 × 2 <= 4
    (4, 3): ("active", False),  # 2 × 3 > 4
    (4, 1): ("active", True),
    (5, 2): ("active", True),
    (5, 3): ("active", False),  # 6 > 5
    (8, 4): ("active", True),
    (4, 0): ("lapsed", False),  # 0 <= 4, but a lapsed referrer is lapsed, not declining
    (9, 0): ("lapsed", False),
}


def test_declining(tmp_path):
    files, refs = {}, ""
    for (prev, now) in DECLINING_BY_HAND:
        pid = f"prev-{prev}-now-{now}"
        files[f"data/physicians/{pid}.yaml"] = physician("clinic")
        refs += "".join(referral_yaml(ago(120), physician=pid) for _ in range(prev))
        refs += "".join(referral_yaml(ago(10), physician=pid) for _ in range(now))
    files["data/referrals/r.yaml"] = refs
    phys = stats_json(make_site(tmp_path / "s", files))["physicians"]
    got = {}
    for (prev, now) in DECLINING_BY_HAND:
        s = phys[f"prev-{prev}-now-{now}"]
        assert (s["referrals_prev_90d"], s["referrals_90d"]) == (prev, now)
        got[(prev, now)] = (s["status"], s["declining"])
    assert got == DECLINING_BY_HAND


def test_declining_applies_to_new_referrers_too(tmp_path):
    # new_within_days 200: a first referral at age 120 is new; four in the previous 90 days
    # and none since (last at 120 < lapsed_after 300): new and declining. One at age 10
    # besides (2 × 1 <= 4): still declining; two (2 × 2 <= 4): declining; three: not.
    site_yaml = SITE_YAML + "thresholds:\n  new_within_days: 200\n  lapsed_after_days: 300\n"
    files, refs = {}, ""
    for now in range(4):
        pid = f"new-now-{now}"
        files[f"data/physicians/{pid}.yaml"] = physician("clinic")
        refs += referral_yaml(ago(120), physician=pid, count=4)
        refs += "".join(referral_yaml(ago(10), physician=pid) for _ in range(now))
    files["data/referrals/r.yaml"] = refs
    phys = stats_json(make_site(tmp_path / "s", files, site_yaml))["physicians"]
    assert {p: (s["status"], s["referrals_prev_90d"], s["referrals_90d"], s["declining"])
            for p, s in phys.items()} == {
        "new-now-0": ("new", 4, 0, True), "new-now-1": ("new", 4, 1, True),
        "new-now-2": ("new", 4, 2, True), "new-now-3": ("new", 4, 3, False)}


def test_declining_is_false_for_a_lapsed_physician_with_four_before(tmp_path):
    # lapsed_after 100: four referrals at ages 100..103 (the previous 90 days), none since:
    # the last referral is 100 days old, so lapsed, and never declining (2 × 0 <= 4 aside).
    # lapsed_after 101 makes the same referrer active, and then declining.
    refs = "".join(referral_yaml(ago(a), physician="doc") for a in (100, 101, 102, 103))
    files = {"data/physicians/doc.yaml": physician("clinic"), "data/referrals/r.yaml": refs}
    for lapsed_after, status, declining in ((100, "lapsed", False), (101, "active", True)):
        site_yaml = SITE_YAML + ("thresholds:\n  new_within_days: 10\n"
                                 f"  lapsed_after_days: {lapsed_after}\n")
        doc = stats_json(make_site(tmp_path / f"s{lapsed_after}", files, site_yaml))[
            "physicians"]["doc"]
        assert (doc["referrals_prev_90d"], doc["referrals_90d"]) == (4, 0)
        assert (doc["status"], doc["declining"]) == (status, declining)


def test_declining_counts_referrals_not_rows(tmp_path):
    # one row of count 4 in the previous 90 days (4 >= 4), one row of count 2 now (2 × 2 <= 4):
    # declining; as four rows of one referral each it would be too
    files = {"data/physicians/doc.yaml": physician("clinic"),
             "data/referrals/r.yaml": (referral_yaml(ago(100), physician="doc", count=4)
                                       + referral_yaml(ago(5), physician="doc", count=2))}
    s = stats_json(make_site(tmp_path / "s", files))["physicians"]["doc"]
    assert (s["referrals_prev_90d"], s["referrals_90d"], s["declining"]) == (4, 2, True)


VISIT_SITE_YAML = SITE_YAML + """\
tiers:
  A: {visit_every_days: 30}
  B: {visit_every_days: 60}
"""
# physician -> (tier, [(age, type, lists the physician?)], last_visit age, last_contact age,
# visit_overdue), by hand from "age of last in-person visit > visit_every_days"
VISIT_CASES = {
    "a-at-30": ("A", [(30, "visit", True)], 30, 30, False),
    "a-at-31": ("A", [(31, "visit", True)], 31, 31, True),
    "b-at-60": ("B", [(60, "presentation", True)], 60, 60, False),
    "b-at-61": ("B", [(61, "event", True)], 61, 61, True),
    "a-lunch-at-0": ("A", [(0, "lunch", True)], 0, 0, False),
    "no-tier": (None, [], None, None, False),
    "no-tier-old-visit": (None, [(400, "visit", True)], 400, 400, False),
    "b-never": ("B", [], None, None, True),
    "a-calls-only": ("A", [(40, "visit", True), (1, "call", True), (0, "email", True),
                           (0, "other", True)], 40, 0, True),
    "a-remote-only": ("A", [(2, "call", True), (1, "email", True)], None, 1, True),
    "a-future-visit": ("A", [(-1, "visit", True)], None, None, True),
    "a-practice-only": ("A", [(0, "visit", False)], None, None, True),
}


def test_visit_overdue_and_last_visit(tmp_path):
    files, ints = {}, ""
    for pid, (tier, contacts, *_rest) in VISIT_CASES.items():
        files[f"data/physicians/{pid}.yaml"] = physician("clinic", tier)
        for age, type_, lists in contacts:
            ints += interaction_yaml(ago(age), type_, practice="clinic",
                                     physicians=[pid] if lists else None)
    files["data/interactions/log.yaml"] = ints
    phys = stats_json(make_site(tmp_path / "s", files, VISIT_SITE_YAML))["physicians"]

    def date_of(age):
        return None if age is None else ago(age)

    got = {pid: (phys[pid]["last_visit"], phys[pid]["last_contact"], phys[pid]["visit_overdue"])
           for pid in VISIT_CASES}
    want = {pid: (date_of(lv), date_of(lc), overdue)
            for pid, (_t, _c, lv, lc, overdue) in VISIT_CASES.items()}
    assert got == want


def test_visit_overdue_with_default_tiers(tmp_path):
    # site.yaml without tiers: A 30, B 60, C 120 (each default at its boundary)
    files = {"data/interactions/i.yaml": ""}
    for tier, days in (("A", 30), ("B", 60), ("C", 120)):
        for age in (days, days + 1):
            pid = f"{tier.lower()}-at-{age}"
            files[f"data/physicians/{pid}.yaml"] = physician("clinic", tier)
            files["data/interactions/i.yaml"] += interaction_yaml(ago(age), physicians=[pid])
    phys = stats_json(make_site(tmp_path / "s", files))["physicians"]
    assert {pid: p["visit_overdue"] for pid, p in phys.items()} == {
        "a-at-30": False, "a-at-31": True, "b-at-60": False, "b-at-61": True,
        "c-at-120": False, "c-at-121": True}


@pytest.fixture
def follow_up_site(tmp_path: Path) -> Path:
    fus = [
        {"due": ago(0)},                          # open, not overdue (due == D)
        {"due": ago(1)},                          # open, overdue
        {"due": ago(3), "done": ago(0)},          # done on D: closed
        {"due": ago(3), "done": ago(-1)},         # done after D: open, overdue
        {"due": ago(-10)},                        # open, not overdue
        {"due": ago(10), "done": ago(2)},         # done before D: closed
        {"due": ago(1), "owner": "mgr"},          # open, overdue; a manager's: totals only
        {"due": ago(1), "owner": "lia2"},         # open, overdue; lia2's
        {"due": ago(-1), "owner": "lia2"},        # open, not overdue; lia2's
    ]
    ints = interaction_yaml(ago(5), "call", liaison="lia", practice="clinic", follow_ups=fus)
    # an interaction after D and its follow-ups are left out, even one already "overdue"
    ints += interaction_yaml(ago(-1), "visit", liaison="lia", practice="clinic",
                             follow_ups=[{"due": ago(-1)}, {"due": ago(-5)}])
    # follow-ups of a manager's interaction default to the manager
    ints += interaction_yaml(ago(8), "call", liaison="mgr", practice="clinic",
                             follow_ups=[{"due": ago(7)}])
    return make_site(tmp_path / "s", {"data/interactions/i.yaml": ints},
                     team={"lia": "liaison", "lia2": "liaison", "mgr": "manager"})


def test_follow_ups_open_and_overdue(follow_up_site):
    data = stats_json(follow_up_site)
    t = data["totals"]
    # open: due D, due D-1, done D+1, due D+10, mgr, lia2 ×2, mgr's own = 8
    # overdue: due D-1, done D+1 (due D-3), mgr, lia2 (due D-1), mgr's own (due D-7) = 5
    assert (t["open_follow_ups"], t["overdue_follow_ups"]) == (8, 5)
    assert (data["liaisons"]["lia"]["open_follow_ups"],
            data["liaisons"]["lia"]["overdue_follow_ups"]) == (4, 2)
    assert (data["liaisons"]["lia2"]["open_follow_ups"],
            data["liaisons"]["lia2"]["overdue_follow_ups"]) == (2, 1)
    assert set(data["liaisons"]) == {"lia", "lia2"}
    assert t["interactions"] == 2
    assert data["practices"]["clinic"]["last_contact"] == ago(5)


def test_the_pages_follow_up_rule_counts_as_the_statistics_do(follow_up_site):
    """The talking points and a former liaison's page ask liaison.derived whether a follow-up
    is open and overdue; its answer, at each boundary of the fixture (due on D is not overdue,
    done on D is closed, done after D is open), gives the counts worked out above."""
    from liaison.derived import is_open, is_overdue
    from liaison.load import load_site

    site, _problems, _files = load_site(follow_up_site)
    fus = [f for r in site.interactions if r.date <= D for f in r.follow_ups]
    assert (sum(is_open(f, D) for f in fus), sum(is_overdue(f, D) for f in fus)) == (8, 5)


def test_a_team_member_who_is_no_liaison_keeps_the_follow_ups_they_own(follow_up_site):
    """The statistics count follow-ups for liaisons only; a manager's page reads what they
    still own from liaison.derived.still_theirs, counted as a liaison's are: mgr owns the
    fixture's "owner: mgr" one (due D-1) and that of their own call (due D-7), both open and
    overdue at D; a call of theirs dated D itself (a follow-up due D-1) counts too."""
    from liaison.derived import still_theirs
    from liaison.load import load_site
    from liaison.stats import compute_stats

    path = follow_up_site / "data" / "interactions" / "i.yaml"
    path.write_text(path.read_text(encoding="utf-8") + interaction_yaml(
        ago(0), "call", liaison="mgr", practice="clinic", follow_ups=[{"due": ago(1)}]),
        encoding="utf-8")
    site, _problems, _files = load_site(follow_up_site)
    assert still_theirs(site, compute_stats(site, D), "mgr") == {
        "physicians": 0, "referrals_365d": 0, "open_follow_ups": 3, "overdue_follow_ups": 3}


def test_what_a_team_member_who_is_no_liaison_keeps_leaves_out_closed_and_not_yet_due(
        follow_up_site):
    """still_theirs counts a follow-up as the statistics do: open at D (no done, or done after
    D), and of those the overdue ones (due before D). mgr owns two in the fixture, both open
    and overdue (due D-1, due D-7); a call of theirs on D adds one due D (open, not overdue:
    due == D) and one done at D-1 (closed): open 2 + 1 = 3, overdue 2."""
    from liaison.derived import still_theirs
    from liaison.load import load_site
    from liaison.stats import compute_stats

    path = follow_up_site / "data" / "interactions" / "i.yaml"
    path.write_text(path.read_text(encoding="utf-8") + interaction_yaml(
        ago(0), "call", liaison="mgr", practice="clinic",
        follow_ups=[{"due": ago(0)}, {"due": ago(3), "done": ago(1)}]), encoding="utf-8")
    site, _problems, _files = load_site(follow_up_site)
    assert still_theirs(site, compute_stats(site, D), "mgr") == {
        "physicians": 0, "referrals_365d": 0, "open_follow_ups": 3, "overdue_follow_ups": 2}


def test_count_is_summed_everywhere(tmp_path):
    files = {
        "data/physicians/doc.yaml": physician("clinic"),
        "data/referrals/r.yaml": (
            referral_yaml(ago(10), physician="doc", status="consulted", count=3)
            + referral_yaml(ago(20), source="web", service="sclero", status="declined", count=2)
            + referral_yaml(ago(25), source="patient", service="sclero")),
        # a CSV with the columns in another order, an empty physician cell and a count
        "data/referrals/rolled.csv": ("service,count,date,status,source,physician\n"
                                      f"ablation,4,{ago(1)},treated,unknown,\n"),
    }
    data = stats_json(make_site(tmp_path / "s", files, practices={"clinic": "lia"}))
    t = data["totals"]
    assert (t["referrals"], t["referrals_90d"], t["referrals_365d"]) == (10, 10, 10)
    june = data["months"][-1]
    assert june["month"] == "2026-06"
    assert {k: june[k] for k in ("referrals", "scheduled", "consulted", "treated", "declined")} == {
        "referrals": 10, "scheduled": 7, "consulted": 7, "treated": 4, "declined": 2}
    assert data["sources_365d"] == {"physician": 3, "patient": 1, "web": 2, "advertising": 0,
                                    "insurance": 0, "event": 0, "other": 0, "unknown": 4}
    assert data["services_365d"] == {"ablation": 7, "sclero": 3}
    assert data["funnel_365d"] == {"referred": 10, "scheduled": 7, "consulted": 7, "treated": 4,
                                   "declined": 2}
    doc = data["physicians"]["doc"]
    assert (doc["referrals"], doc["referrals_90d"], doc["referrals_365d"]) == (3, 3, 3)
    assert data["practices"]["clinic"]["referrals_365d"] == 3
    assert data["liaisons"]["lia"]["referrals_365d"] == 3
    assert data["liaisons"]["lia"]["physicians"] == 1
    # over the 7 referrals whose source is not physician (10 less the doctor's 3), 4 unknown:
    # 1 - 4/7 = 0.428571… -> 0.4286
    assert data["source_capture_rate_365d"] == 0.4286


def test_funnel_declined_counts_as_referred_only(tmp_path):
    files = {"data/referrals/r.yaml": "".join(
        referral_yaml(ago(3), source="web", status=s) for s in
        ("referred", "scheduled", "consulted", "treated", "declined", None))}
    data = stats_json(make_site(tmp_path / "s", files))
    # referred: all 6; scheduled: scheduled/consulted/treated; declined: 1
    assert data["funnel_365d"] == {"referred": 6, "scheduled": 3, "consulted": 2, "treated": 1,
                                   "declined": 1}
    june = data["months"][-1]
    assert (june["referrals"], june["scheduled"], june["consulted"], june["treated"],
            june["declined"]) == (6, 3, 2, 1, 1)


def test_months_zero_filled_across_a_year_end(tmp_path):
    as_of = dt.date(2026, 3, 10)
    files = {
        "data/interactions/i.yaml": (interaction_yaml("2025-11-30", "call", practice="clinic")
                                     + interaction_yaml("2026-03-10", "lunch", practice="clinic")
                                     + interaction_yaml("2026-03-11", "visit", practice="clinic")),
        "data/referrals/r.yaml": (referral_yaml("2026-01-31", source="web", status="scheduled")
                                  + referral_yaml("2026-04-01", source="web")),
    }
    data = stats_json(make_site(tmp_path / "s", files), as_of)
    zero = dict(referrals=0, scheduled=0, consulted=0, treated=0, declined=0, interactions=0,
                in_person=0)
    assert data["months"] == [
        {**zero, "month": "2025-11", "interactions": 1},
        {**zero, "month": "2025-12"},
        {**zero, "month": "2026-01", "referrals": 1, "scheduled": 1},
        {**zero, "month": "2026-02"},
        {**zero, "month": "2026-03", "interactions": 1, "in_person": 1},
    ]


def test_months_start_at_the_earliest_referral_when_it_is_older(tmp_path):
    files = {"data/interactions/i.yaml": interaction_yaml("2026-05-02", practice="clinic"),
             "data/referrals/r.yaml": referral_yaml("2026-04-30", source="web")}
    data = stats_json(make_site(tmp_path / "s", files))
    assert [m["month"] for m in data["months"]] == ["2026-04", "2026-05", "2026-06"]


def test_months_only_as_of_month_without_records(tmp_path):
    data = stats_json(make_site(tmp_path / "s", {}), dt.date(2026, 1, 1))
    assert data["months"] == [dict(month="2026-01", referrals=0, scheduled=0, consulted=0,
                                   treated=0, declined=0, interactions=0, in_person=0)]


def test_months_only_as_of_month_when_every_record_is_in_the_future(tmp_path):
    files = {"data/interactions/i.yaml": interaction_yaml(ago(-1), practice="clinic"),
             "data/referrals/r.yaml": referral_yaml(ago(-30), source="web")}
    run = run_cli("stats", "--json", "--root", str(make_site(tmp_path / "s", files)),
                  "--as-of", D.isoformat())
    data = run.json()
    assert [m["month"] for m in data["months"]] == ["2026-06"]
    assert data["totals"]["referrals"] == 0 and data["totals"]["interactions"] == 0
    assert data["practices"]["clinic"]["last_contact"] is None
    assert data["source_capture_rate_365d"] is None


def test_no_referrals_in_365_days_gives_null_capture_rate_and_zero_keys(tmp_path):
    files = {"data/referrals/r.yaml": referral_yaml(ago(400), source="unknown")}
    data = stats_json(make_site(tmp_path / "s", files))
    assert data["totals"]["referrals"] == 1 and data["totals"]["referrals_prev_365d"] == 1
    assert data["source_capture_rate_365d"] is None
    assert data["sources_365d"] == {s: 0 for s in SOURCES}
    assert data["services_365d"] == {"ablation": 0, "sclero": 0}
    assert data["funnel_365d"] == dict(referred=0, scheduled=0, consulted=0, treated=0, declined=0)


@pytest.mark.parametrize("unknown, known, rate", [
    (0, 3, 1.0), (3, 0, 0.0), (1, 2, 0.6667), (1, 6, 0.8571), (2, 1, 0.3333),
])
def test_source_capture_rate_rounded_to_4_places(tmp_path, unknown, known, rate):
    refs = "".join(referral_yaml(ago(5), source="unknown") for _ in range(unknown))
    refs += "".join(referral_yaml(ago(5), source="patient") for _ in range(known))
    data = stats_json(make_site(tmp_path / "s", {"data/referrals/r.yaml": refs}))
    assert data["source_capture_rate_365d"] == rate


def test_services_list_every_service_of_site_yaml(tmp_path):
    site_yaml = SITE_YAML + "  - key: wound-care\n    name: Wound care\n  - key: ultrasound\n    name: Ultrasound\n"
    files = {"data/referrals/r.yaml": referral_yaml(ago(1), source="web", service="wound-care")}
    data = stats_json(make_site(tmp_path / "s", files, site_yaml))
    assert data["services_365d"] == {"ablation": 0, "sclero": 0, "wound-care": 1, "ultrasound": 0}
    assert data["sources_365d"] == {s: (1 if s == "web" else 0) for s in SOURCES}


@pytest.fixture
def liaison_site(tmp_path: Path) -> Path:
    files = {
        "data/physicians/own-none.yaml": physician("pr-lia"),              # -> lia (practice's)
        "data/physicians/own-lia2.yaml": physician("pr-lia", liaison="lia2"),  # own wins
        "data/physicians/nobody.yaml": physician("pr-none"),               # -> null
        "data/physicians/via-mgr.yaml": physician("pr-mgr"),               # -> mgr (not a liaison)
        "data/physicians/own-lia.yaml": physician("pr-mgr", liaison="lia"),
        "data/referrals/r.yaml": (referral_yaml(ago(1), physician="own-none", count=2)
                                  + referral_yaml(ago(2), physician="own-lia2", count=5)
                                  + referral_yaml(ago(3), physician="via-mgr", count=7)
                                  + referral_yaml(ago(400), physician="own-lia", count=11)
                                  + referral_yaml(ago(4), physician="own-lia")),
        "data/interactions/i.yaml": (
            interaction_yaml(ago(0), "visit", liaison="lia", practice="pr-lia")
            + interaction_yaml(ago(89), "call", liaison="lia", practice="pr-lia")
            + interaction_yaml(ago(90), "visit", liaison="lia", practice="pr-lia")
            + interaction_yaml(ago(-1), "visit", liaison="lia", practice="pr-lia")
            + interaction_yaml(ago(10), "visit", liaison="mgr", practice="pr-mgr")
            + interaction_yaml(ago(20), "event", liaison="lia2", physicians=["nobody"])),
    }
    return make_site(tmp_path / "s", files,
                     practices={"pr-lia": "lia", "pr-none": None, "pr-mgr": "mgr"},
                     team={"lia": "liaison", "lia2": "liaison", "mgr": "manager",
                           "desk": "front-desk"})


def test_effective_liaison_of_physicians(liaison_site):
    phys = stats_json(liaison_site)["physicians"]
    assert {p: s["liaison"] for p, s in phys.items()} == {
        "own-none": "lia", "own-lia2": "lia2", "nobody": None, "via-mgr": "mgr", "own-lia": "lia"}


def test_liaisons_only_for_role_liaison(liaison_site):
    data = stats_json(liaison_site)
    assert set(data["liaisons"]) == {"lia", "lia2"}
    # lia: own-none (2) and own-lia (1; its 11 are older than 365 days); contacts at ages 0
    # (visit) and 89 (call); 90 and -1 are outside the last 90 days
    # No physician has a tier: tiered 0. lia logged the one matured visit (the visit at age 90
    # to pr-lia, listing nobody: its people are own-none and own-lia2); from its date (age 90)
    # to 89 days after (age 1) come own-none's 2 (age 1) and own-lia2's 5 (age 2); nothing in
    # the 90 days before (ages 91..180).
    assert data["liaisons"]["lia"] == {"physicians": 2, "referrals_365d": 3, "interactions_90d": 2,
                                       "in_person_90d": 1, "open_follow_ups": 0,
                                       "overdue_follow_ups": 0, "tiered": 0, "tiered_current": 0,
                                       "rov_365d": {"visits": 1, "before": 0, "after": 7}}
    assert data["liaisons"]["lia2"] == {"physicians": 1, "referrals_365d": 5,
                                        "interactions_90d": 1, "in_person_90d": 1,
                                        "open_follow_ups": 0, "overdue_follow_ups": 0,
                                        "tiered": 0, "tiered_current": 0,
                                        "rov_365d": {"visits": 0, "before": 0, "after": 0}}
    assert data["totals"]["rov_365d"] == {"visits": 1, "before": 0, "after": 7}
    assert data["physicians"]["own-none"]["rov_365d"] == {"visits": 1, "before": 0, "after": 2}
    assert data["physicians"]["own-lia2"]["rov_365d"] == {"visits": 1, "before": 0, "after": 5}
    assert data["physicians"]["own-lia"]["rov_365d"] == {"visits": 0, "before": 0, "after": 0}
    # in person in the last 90 days, anyone's: lia's visit at 0, mgr's visit, lia2's event
    assert data["totals"]["in_person_90d"] == 3
    assert data["totals"]["interactions"] == 5


def test_practices_figures_and_last_contact(liaison_site):
    practices = stats_json(liaison_site)["practices"]
    none = {"visits": 0, "before": 0, "after": 0}
    assert practices == {
        # the matured visit at age 90 (see test_liaisons_only_for_role_liaison); no costs
        "pr-lia": {"physicians": 2, "referrals_365d": 7, "referrals_prev_365d": 0,
                   "last_contact": ago(0), "rov_365d": {"visits": 1, "before": 0, "after": 7},
                   "spend_ytd_cents": 0},
        # only reached through the 2026-06-10 event listing its physician 'nobody'
        "pr-none": {"physicians": 1, "referrals_365d": 0, "referrals_prev_365d": 0,
                    "last_contact": ago(20), "rov_365d": none, "spend_ytd_cents": 0},
        "pr-mgr": {"physicians": 2, "referrals_365d": 8, "referrals_prev_365d": 11,
                   "last_contact": ago(10), "rov_365d": none, "spend_ytd_cents": 0},
    }


def test_return_on_visit_windows_end_where_the_spec_says(tmp_path):
    # SPEC: before = v.date − 90 days to v.date − 1 day, after = v.date to v.date + 89 days.
    # Counts are powers of two, so each sum says which referrals it took. 'near': a visit at
    # age 100, referrals at its days −91, −90, −1, 0, +89 and +90. 'far': the oldest matured
    # visit (age 454), its 90th day before at age 544 and the day before that at age 545.
    near = {-91: 1, -90: 2, -1: 4, 0: 8, 89: 16, 90: 32}
    far = {-91: 64, -90: 128}
    refs = "".join(referral_yaml(ago(100 - d), physician="near", count=n) for d, n in near.items())
    refs += "".join(referral_yaml(ago(454 - d), physician="far", count=n) for d, n in far.items())
    files = {"data/physicians/near.yaml": physician("clinic"),
             "data/physicians/far.yaml": physician("clinic"),
             "data/referrals/r.yaml": refs,
             "data/interactions/i.yaml": (interaction_yaml(ago(100), physicians=["near"])
                                          + interaction_yaml(ago(454), physicians=["far"]))}
    data = stats_json(make_site(tmp_path / "s", files))
    assert data["physicians"]["near"]["rov_365d"] == {"visits": 1, "before": 2 + 4, "after": 8 + 16}
    assert data["physicians"]["far"]["rov_365d"] == {"visits": 1, "before": 128, "after": 0}
    assert data["totals"]["rov_365d"] == {"visits": 2, "before": 134, "after": 24}


def test_practice_last_contact_through_listed_physicians(tmp_path):
    files = {
        "data/physicians/a.yaml": physician("north"),
        "data/physicians/b.yaml": physician("north"),
        "data/interactions/i.yaml": (
            interaction_yaml(ago(3), "email", physicians=["a"])          # north, no practice
            # south given, b is at north (a warning): both practices were contacted
            + interaction_yaml(ago(7), "visit", practice="south", physicians=["b"])
            + interaction_yaml(ago(-1), "visit", practice="east")),      # future: left out
    }
    run = run_cli("stats", "--json", "--as-of", D.isoformat(), "--root",
                  str(make_site(tmp_path / "s", files,
                                practices={"north": None, "south": None, "east": None})))
    data = run.json()
    assert {p: s["last_contact"] for p, s in data["practices"].items()} == {
        "north": ago(3), "south": ago(7), "east": None}
    assert data["physicians"]["a"]["last_contact"] == ago(3)
    assert data["physicians"]["a"]["last_visit"] is None
    assert data["physicians"]["b"]["last_visit"] == ago(7)


def test_a_practice_named_by_an_interaction_leaves_the_listed_physicians_practice_contacted(
        tmp_path):
    # A practice's last_contact is the latest interaction whose practices include it: the
    # interaction's practice and the practices of its listed physicians. b works at north; the
    # one interaction (age 7) names south and lists b, so north and south were both last
    # contacted at age 7; east, never named nor reached through a physician, not at all.
    files = {"data/physicians/b.yaml": physician("north"),
             "data/interactions/i.yaml": interaction_yaml(ago(7), "visit", practice="south",
                                                          physicians=["b"])}
    run = run_cli("stats", "--json", "--as-of", D.isoformat(), "--root",
                  str(make_site(tmp_path / "s", files,
                                practices={"north": None, "south": None, "east": None})))
    data = run.json()
    assert {p: s["last_contact"] for p, s in data["practices"].items()} == {
        "north": ago(7), "south": ago(7), "east": None}
    assert data["physicians"]["b"]["last_contact"] == ago(7)


def test_interactions_365d_window(tmp_path):
    files = {"data/physicians/doc.yaml": physician("clinic"),
             "data/interactions/i.yaml": "".join(
                 interaction_yaml(ago(a), "call", physicians=["doc"]) for a in (0, 364, 365, -1))}
    doc = stats_json(make_site(tmp_path / "s", files))["physicians"]["doc"]
    assert doc["interactions_365d"] == 2
    assert doc["last_contact"] == ago(0)


def test_an_interaction_listing_a_physician_twice_counts_once(tmp_path):
    # "interactions_365d (interactions listing them)" counts interactions, not list entries
    files = {"data/physicians/doc.yaml": physician("clinic"),
             "data/interactions/i.yaml": interaction_yaml(ago(1), "visit", physicians=["doc", "doc"])}
    run = run_cli("stats", "--json", "--root", str(make_site(tmp_path / "s", files)),
                  "--as-of", D.isoformat())
    data = run.json()  # accepted (it used to skip on exit 1, which would hide a refusal)
    assert data["physicians"]["doc"]["interactions_365d"] == 1
    assert data["totals"]["interactions"] == 1


def test_interaction_months_count_in_person(tmp_path):
    files = {"data/interactions/i.yaml": "".join(
        interaction_yaml(ago(a), t, practice="clinic") for a, t in
        ((1, "visit"), (2, "lunch"), (3, "presentation"), (4, "event"), (5, "call"),
         (6, "email"), (7, "other")))}
    data = stats_json(make_site(tmp_path / "s", files))
    june = data["months"][-1]
    assert (june["interactions"], june["in_person"]) == (7, 4)
    assert data["totals"]["in_person_90d"] == 4
    assert data["liaisons"]["lia"]["interactions_90d"] == 7
    assert data["liaisons"]["lia"]["in_person_90d"] == 4


# =========================================================================== 4. properties

PRACTICE_IDS = ("pr-a", "pr-b", "pr-c")
TEAM_IDS = ("tm-a", "tm-b", "tm-c")
SERVICE_IDS = ("svc-a", "svc-b", "svc-c")
INTERACTION_TYPES = ("visit", "lunch", "presentation", "event", "call", "email", "other")
# SPEC §2 second edition, written out here too.
POTENTIALS = ("high", "medium", "low")
DECLINED_REASONS = ("insurance", "not-a-candidate", "patient-choice", "no-response", "other")
# Costs in cents: any amount up to $2,000.00, and a few that do not split evenly among two or
# three physicians or practices (85.01, 1.00, 0.01, 0.02) or are nothing (0).
COSTS_CENTS = st.integers(0, 200000) | st.sampled_from((8501, 100, 1, 2, 0, 10001, 9999))


@st.composite
def site_descriptions(draw):
    """A random small valid site as plain data (dates as date objects)."""
    as_of = draw(st.dates(dt.date(2019, 1, 1), dt.date(2031, 12, 31)))

    def a_date(lo=-40, hi=800, base=as_of):
        return base - dt.timedelta(days=draw(st.integers(lo, hi)))

    services = list(SERVICE_IDS[:draw(st.integers(1, 3))])
    tiers = draw(st.none() | st.fixed_dictionaries(
        {"A": st.integers(1, 120), "B": st.integers(1, 400)}))
    thresholds = draw(st.none() | st.fixed_dictionaries(
        {"lapsed_after_days": st.integers(1, 400), "new_within_days": st.integers(1, 400)}))
    team = {t: draw(st.sampled_from(("liaison", "liaison", "manager", "front-desk")))
            for t in TEAM_IDS[:draw(st.integers(1, 3))]}
    practices = {p: draw(st.none() | st.sampled_from(sorted(team)))
                 for p in PRACTICE_IDS[:draw(st.integers(1, 3))]}
    tier_keys = sorted(tiers) if tiers else ["A", "B", "C"]
    physicians = {
        f"doc-{i}": {"practice": draw(st.sampled_from(sorted(practices))),
                     "tier": draw(st.none() | st.sampled_from(tier_keys)),
                     "liaison": draw(st.none() | st.sampled_from(sorted(team))),
                     "potential": draw(st.none() | st.sampled_from(POTENTIALS))}
        for i in range(draw(st.integers(0, 6)))
    }
    # Ages of matured-visit candidates (around 90..455); interactions may fall on them and
    # referrals around them, on the edges of the return-on-visit windows among others.
    anchors = draw(st.lists(st.integers(80, 465) | st.sampled_from((89, 90, 454, 455)),
                            min_size=1, max_size=3))
    offsets = st.integers(-100, 100) | st.sampled_from((-91, -90, -1, 0, 89, 90))

    def a_referral_date():
        mode = draw(st.integers(0, 2))
        if mode == 0:
            return a_date()
        if mode == 1:  # the last and the previous 90 days: trends, declining
            return a_date(0, 200)
        # a day relative to an anchor visit: negative offsets are before it
        return as_of - dt.timedelta(days=draw(st.sampled_from(anchors)) - draw(offsets))

    referrals = []
    for _ in range(draw(st.integers(0, 14))):
        sources = SOURCES if physicians else SOURCES[1:]
        source = draw(st.sampled_from(sources))
        status = draw(st.sampled_from(tuple(STAGE)))
        referrals.append({
            "date": a_referral_date(),
            "source": source,
            "physician": draw(st.sampled_from(sorted(physicians))) if source == "physician" else None,
            "service": draw(st.sampled_from(services)),
            "status": status,
            "count": draw(st.sampled_from((1, 1, 1, 2, 3, 7))),
            # on physician referrals too: those are no question asked, and do not count
            "taken_by": draw(st.none() | st.sampled_from(sorted(team))),
            "declined_reason": draw(st.none() | st.sampled_from(DECLINED_REASONS))
            if status == "declined" else None,
        })
    interactions = []
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.booleans()):
            date = a_date(-20, 500)
        else:
            date = as_of - dt.timedelta(days=draw(st.sampled_from(anchors)))
        # repeats allowed: a physician listed twice is still one interaction with them
        listed = draw(st.lists(st.sampled_from(sorted(physicians)), max_size=3)) \
            if physicians else []
        # without listed physicians the practice is required; a visit's people are then every
        # physician of that practice
        practice = draw(st.sampled_from(sorted(practices))) if not listed else \
            draw(st.none() | st.sampled_from(sorted(practices)))
        follow_ups = []
        for _ in range(draw(st.integers(0, 3))):
            follow_ups.append({
                "task": "Send the referral pad",
                "due": date + dt.timedelta(days=draw(st.integers(-10, 60))),
                "owner": draw(st.none() | st.sampled_from(sorted(team))),
                "done": draw(st.none() | st.integers(0, 60).map(
                    lambda k, date=date: date + dt.timedelta(days=k))),
            })
        cost = draw(st.none() | COSTS_CENTS)
        interactions.append({
            "date": date, "liaison": draw(st.sampled_from(sorted(team))),
            "type": draw(st.sampled_from(INTERACTION_TYPES)), "practice": practice,
            "physicians": listed, "follow_ups": follow_ups,
            "cost": None if cost is None else Decimal(cost) / 100,
        })
    return {"as_of": as_of, "services": services, "tiers": tiers, "thresholds": thresholds,
            "team": team, "practices": practices, "physicians": physicians,
            "referrals": referrals, "interactions": interactions,
            "csv_split": draw(st.integers(0, len(referrals)))}


def _iso(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # a JSON (YAML) number: the shortest float text of a two-decimal amount is that amount
        return float(value)
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return value


def write_description(root: Path, desc: dict, spread: bool = False) -> None:
    """The site as files: JSON text (which is YAML) with dates as strings; referrals split
    between a YAML list and a CSV (``spread``: one referral file per row, YAML and CSV in
    turn, so that worker processes get shares of them)."""
    site = {"practice": {"name": "Property Clinic"},
            "services": [{"key": s, "name": s.upper()} for s in desc["services"]]}
    if desc["tiers"]:
        site["tiers"] = {k: {"visit_every_days": v} for k, v in desc["tiers"].items()}
    if desc["thresholds"]:
        site["thresholds"] = desc["thresholds"]
    _write(root / "site.yaml", json.dumps(site))
    for pid, lia in desc["practices"].items():
        _write(root / f"data/practices/{pid}.yaml", json.dumps(_iso({"name": pid, "liaison": lia})))
    for tid, role in desc["team"].items():
        _write(root / f"data/team/{tid}.yaml", json.dumps({"name": tid, "role": role}))
    for pid, p in desc["physicians"].items():
        _write(root / f"data/physicians/{pid}.yaml",
               json.dumps(_iso({"name": pid, "specialty": "Internal medicine", **p})))
    for i, r in enumerate(desc["interactions"]):
        rec = dict(r, summary="Dropped by")
        _write(root / f"data/interactions/{i:02d}.yaml", json.dumps(_iso(rec)))
    def write_csv(path, rows):
        # the optional taken_by and declined_reason columns only when a row uses them
        extra = [c for c in ("taken_by", "declined_reason") if any(r[c] for r in rows)]
        lines = [",".join(["count", "status", "service", "physician", "source", "date", *extra])]
        lines += [",".join([str(r["count"]), r["status"], r["service"], r["physician"] or "",
                            r["source"], r["date"].isoformat(), *(r[c] or "" for c in extra)])
                  for r in rows]
        _write(path, "\n".join(lines) + "\n")

    if spread:
        for i, r in enumerate(desc["referrals"]):
            if i % 2:
                write_csv(root / f"data/referrals/r{i:02d}.csv", [r])
            else:
                _write(root / f"data/referrals/r{i:02d}.yaml", json.dumps(_iso([r])))
        return
    split = desc["csv_split"]
    yaml_rows, csv_rows = desc["referrals"][:split], desc["referrals"][split:]
    if yaml_rows:
        _write(root / "data/referrals/a.yaml", json.dumps(_iso(yaml_rows)))
    if csv_rows:
        write_csv(root / "data/referrals/b.csv", csv_rows)


def build_site_object(desc: dict):
    """The same site as a liaison.load.Site, without files."""
    from liaison.records import ReferralRow, Site
    from liaison.models import Interaction, Physician, Practice, SiteConfig, TeamMember

    cfg = {"practice": {"name": "Property Clinic"},
           "services": [{"key": s, "name": s} for s in desc["services"]]}
    if desc["tiers"]:
        cfg["tiers"] = {k: {"visit_every_days": v} for k, v in desc["tiers"].items()}
    if desc["thresholds"]:
        cfg["thresholds"] = desc["thresholds"]
    site = Site(root=Path("."), config=SiteConfig.model_validate(cfg))
    site.practices = {p: Practice(name=p, liaison=lia) for p, lia in desc["practices"].items()}
    site.team = {t: TeamMember(name=t, role=role) for t, role in desc["team"].items()}
    site.physicians = {p: Physician(name=p, specialty="x", **v) for p, v in desc["physicians"].items()}
    site.interactions = sorted(
        (Interaction.model_validate(dict(r, summary="x")) for r in desc["interactions"]),
        key=lambda r: r.date)
    site.referrals = [ReferralRow(r["date"], r["source"], r["physician"], r["service"],
                                  r["status"], r["count"], r.get("taken_by"), r.get("declined_reason"),
                                  "mem", None, None)
                      for r in desc["referrals"]]
    return site


def spec_stats(desc: dict) -> dict:
    """SPEC §4 read literally, one rescan per figure: the oracle of the property tests."""
    D_ = desc["as_of"]
    age = lambda d: (D_ - d).days  # noqa: E731
    last = lambda n, d: 0 <= age(d) < n  # noqa: E731
    prev = lambda n, d: n <= age(d) < 2 * n  # noqa: E731
    refs = [r for r in desc["referrals"] if age(r["date"]) >= 0]
    ints = [i for i in desc["interactions"] if age(i["date"]) >= 0]
    n = lambda rows: sum(r["count"] for r in rows)  # noqa: E731
    reached = lambda r, stage: r["status"] != "declined" and STAGE[r["status"]] >= STAGE[stage]  # noqa: E731
    tiers = desc["tiers"] or {"A": 30, "B": 60, "C": 120}
    thr = desc["thresholds"] or {"lapsed_after_days": 90, "new_within_days": 90}
    iso = lambda d: d.isoformat() if d else None  # noqa: E731

    def funnel(rows):
        return {"referred": n(rows), "scheduled": n([r for r in rows if reached(r, "scheduled")]),
                "consulted": n([r for r in rows if reached(r, "consulted")]),
                "treated": n([r for r in rows if reached(r, "treated")]),
                "declined": n([r for r in rows if r["status"] == "declined"])}

    def open_fus(pred=lambda owner: True):
        out = []
        for i in ints:
            for f in i["follow_ups"]:
                if (f["done"] is None or f["done"] > D_) and pred(f["owner"] or i["liaison"]):
                    out.append(f)
        return out

    def effective(pid):
        p = desc["physicians"][pid]
        return p["liaison"] or desc["practices"][p["practice"]]

    def practices_of(i):
        return ({i["practice"]} - {None}) | {desc["physicians"][p]["practice"] for p in i["physicians"]}

    dates = [r["date"] for r in refs] + [i["date"] for i in ints]
    months = []
    y, m = (min(dates).year, min(dates).month) if dates else (D_.year, D_.month)
    while (y, m) <= (D_.year, D_.month):
        in_month = lambda d: (d.year, d.month) == (y, m)  # noqa: E731
        mr = [r for r in refs if in_month(r["date"])]
        mi = [i for i in ints if in_month(i["date"])]
        f = funnel(mr)
        months.append({"month": f"{y:04d}-{m:02d}", "referrals": f["referred"],
                       "scheduled": f["scheduled"], "consulted": f["consulted"],
                       "treated": f["treated"], "declined": f["declined"],
                       "interactions": len(mi),
                       "in_person": len([i for i in mi if i["type"] in IN_PERSON])})
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)

    r365 = [r for r in refs if last(365, r["date"])]
    # the capture rate is over the referrals whose source is not physician (no question asked)
    asked = [r for r in r365 if r["source"] != "physician"]

    def rate(rows):
        return round(1 - n([r for r in rows if r["source"] == "unknown"]) / n(rows), 4) \
            if n(rows) else None

    # Spend: cents of the interactions of age >= 0 dated in D's calendar year
    ytd = [i for i in ints if i["date"].year == D_.year and i.get("cost") is not None]
    cents = lambda i: int(i["cost"] * 100)  # noqa: E731  (exact: at most two decimals)

    def shares(c, among):
        """c cents among ``among`` (distinct, in order): c // n each, the first c mod n one
        more."""
        return {x: c // len(among) + (1 if k < c % len(among) else 0)
                for k, x in enumerate(among)}

    def once(items):
        out = []
        for x in items:
            if x not in out:
                out.append(x)
        return out

    def physician_spend(pid):
        return sum(shares(cents(i), once(i["physicians"])).get(pid, 0)
                   for i in ytd if i["physicians"])

    def practice_spend(prid):
        total = 0
        for i in ytd:
            if i["practice"] is not None:
                total += cents(i) if i["practice"] == prid else 0
            else:
                among = once(desc["physicians"][p]["practice"] for p in i["physicians"])
                total += shares(cents(i), among).get(prid, 0)
        return total

    # Return on visit: matured visits (in person, 90 <= age < 455) and their people
    matured = [i for i in ints if i["type"] in IN_PERSON and 90 <= age(i["date"]) < 455]

    def people(v):
        if v["physicians"]:
            return once(v["physicians"])
        return [p for p, doc in desc["physicians"].items() if doc["practice"] == v["practice"]]

    def physician_refs(pid, first, final):
        return n([r for r in refs if r["source"] == "physician" and r["physician"] == pid
                  and first <= r["date"] <= final])

    def before(v, pid):
        return physician_refs(pid, v["date"] - dt.timedelta(days=90),
                              v["date"] - dt.timedelta(days=1))

    def after(v, pid):
        return physician_refs(pid, v["date"], v["date"] + dt.timedelta(days=89))

    def rov(visits, person=lambda pid: True):
        """{visits, before, after}: ``visits`` counted, before/after summed over their
        (visit, person) pairs whose person passes ``person``."""
        return {"visits": len(visits),
                "before": sum(before(v, p) for v in visits for p in people(v) if person(p)),
                "after": sum(after(v, p) for v in visits for p in people(v) if person(p))}

    physicians = {}
    for pid in desc["physicians"]:
        mine = [r for r in refs if r["physician"] == pid]
        first = min((r["date"] for r in mine), default=None)
        latest = max((r["date"] for r in mine), default=None)
        since = age(latest) if latest else None
        if not mine:
            status = "prospect"
        elif age(first) < thr["new_within_days"]:
            status = "new"
        elif since >= thr["lapsed_after_days"]:
            status = "lapsed"
        else:
            status = "active"
        listing = [i for i in ints if pid in i["physicians"]]
        visits = [i["date"] for i in listing if i["type"] in IN_PERSON]
        last_visit = max(visits, default=None)
        tier = desc["physicians"][pid]["tier"]
        r90 = n([r for r in mine if last(90, r["date"])])
        p90 = n([r for r in mine if prev(90, r["date"])])
        mine365 = [r for r in mine if last(365, r["date"])]
        physicians[pid] = {
            "referrals": n(mine), "referrals_90d": r90, "referrals_prev_90d": p90,
            "referrals_365d": n(mine365),
            "referrals_prev_365d": n([r for r in mine if prev(365, r["date"])]),
            "first_referral": iso(first), "last_referral": iso(latest),
            "days_since_referral": since, "status": status,
            "declining": status in ("new", "active") and p90 >= 4 and 2 * r90 <= p90,
            "interactions_365d": len([i for i in listing if last(365, i["date"])]),
            "last_contact": iso(max((i["date"] for i in listing), default=None)),
            "last_visit": iso(last_visit),
            "visit_overdue": tier is not None and (last_visit is None or age(last_visit) > tiers[tier]),
            "liaison": effective(pid),
            "potential": desc["physicians"][pid].get("potential"),
            "funnel_365d": funnel(mine365),
            "services_365d": {s: n([r for r in mine365 if r["service"] == s])
                              for s in desc["services"]},
            "rov_365d": rov([v for v in matured if pid in people(v)], lambda p, pid=pid: p == pid),
            "spend_ytd_cents": physician_spend(pid),
        }
    practices = {}
    for pid in desc["practices"]:
        docs = [d for d, p in desc["physicians"].items() if p["practice"] == pid]
        practices[pid] = {
            "physicians": len(docs),
            "referrals_365d": sum(physicians[d]["referrals_365d"] for d in docs),
            "referrals_prev_365d": sum(physicians[d]["referrals_prev_365d"] for d in docs),
            "last_contact": iso(max((i["date"] for i in ints if pid in practices_of(i)), default=None)),
            "rov_365d": rov([v for v in matured if set(people(v)) & set(docs)],
                            lambda p, docs=docs: p in docs),
            "spend_ytd_cents": practice_spend(pid),
        }
    liaisons = {}
    for tid, role in desc["team"].items():
        if role != "liaison":
            continue
        docs = [d for d in desc["physicians"] if effective(d) == tid]
        own = [i for i in ints if i["liaison"] == tid and last(90, i["date"])]
        fus = open_fus(lambda owner: owner == tid)
        liaisons[tid] = {
            "physicians": len(docs),
            "interactions_90d": len(own),
            "in_person_90d": len([i for i in own if i["type"] in IN_PERSON]),
            "referrals_365d": sum(physicians[d]["referrals_365d"] for d in docs),
            "open_follow_ups": len(fus),
            "overdue_follow_ups": len([f for f in fus if f["due"] < D_]),
            "tiered": len([d for d in docs if desc["physicians"][d]["tier"] is not None]),
            "tiered_current": len([d for d in docs if desc["physicians"][d]["tier"] is not None
                                   and not physicians[d]["visit_overdue"]]),
            "rov_365d": rov([v for v in matured if v["liaison"] == tid]),
        }
    fus = open_fus()
    members = sorted({r["taken_by"] for r in asked if r.get("taken_by")})
    declined365 = [r for r in r365 if r["status"] == "declined"]
    return {
        "as_of": D_.isoformat(),
        "totals": {
            "physicians": len(desc["physicians"]), "practices": len(desc["practices"]),
            "interactions": len(ints), "referrals": n(refs),
            "referrals_90d": n([r for r in refs if last(90, r["date"])]),
            "referrals_prev_90d": n([r for r in refs if prev(90, r["date"])]),
            "referrals_365d": n(r365),
            "referrals_prev_365d": n([r for r in refs if prev(365, r["date"])]),
            "physician_referrals_365d": n([r for r in r365 if r["source"] == "physician"]),
            "physician_referrals_prev_365d": n([r for r in refs if prev(365, r["date"])
                                                and r["source"] == "physician"]),
            "in_person_90d": len([i for i in ints if i["type"] in IN_PERSON and last(90, i["date"])]),
            "spend_ytd_cents": sum(cents(i) for i in ytd),
            "rov_365d": rov(matured),
            "open_follow_ups": len(fus),
            "overdue_follow_ups": len([f for f in fus if f["due"] < D_]),
        },
        "months": months,
        "sources_365d": {s: n([r for r in r365 if r["source"] == s]) for s in SOURCES},
        "source_capture_rate_365d": rate(asked),
        "capture_by_member_365d": {
            t: {"referrals": n(mine), "unknown": n([r for r in mine if r["source"] == "unknown"]),
                "rate": rate(mine)}
            for t in members for mine in [[r for r in asked if r.get("taken_by") == t]]},
        "services_365d": {s: n([r for r in r365 if r["service"] == s]) for s in desc["services"]},
        "funnel_365d": funnel(r365),
        "funnel_matured": funnel([r for r in refs if 90 <= age(r["date"]) < 455]),
        "declined_reasons_365d": {
            **{reason: n([r for r in declined365 if r.get("declined_reason") == reason])
               for reason in DECLINED_REASONS},
            "unspecified": n([r for r in declined365 if not r.get("declined_reason")])},
        "physicians": physicians,
        "practices": practices,
        "liaisons": liaisons,
    }


def check_invariants(stats: dict, desc: dict) -> None:
    t = stats["totals"]
    months = stats["months"]
    assert sum(m["referrals"] for m in months) == t["referrals"]
    assert sum(m["interactions"] for m in months) == t["interactions"]
    assert sum(m["in_person"] for m in months) <= t["interactions"]
    assert [m["month"] for m in months] == sorted(m["month"] for m in months)
    assert months[-1]["month"] == stats["as_of"][:7]
    for m in months:
        assert m["referrals"] >= m["scheduled"] >= m["consulted"] >= m["treated"] >= 0
        assert m["referrals"] >= m["scheduled"] + m["declined"]
    f = stats["funnel_365d"]
    assert f["referred"] >= f["scheduled"] >= f["consulted"] >= f["treated"] >= 0
    assert f["referred"] >= f["scheduled"] + f["declined"]
    assert f["referred"] == t["referrals_365d"]
    assert t["referrals"] >= t["referrals_365d"] + t["referrals_prev_365d"]
    assert t["referrals_365d"] >= t["referrals_90d"] + t["referrals_prev_90d"]
    assert set(stats["sources_365d"]) == set(SOURCES)
    assert sum(stats["sources_365d"].values()) == t["referrals_365d"]
    assert set(stats["services_365d"]) == set(desc["services"])
    assert sum(stats["services_365d"].values()) == t["referrals_365d"]
    phys = stats["physicians"]
    assert set(phys) == set(desc["physicians"])
    assert sum(p["referrals_365d"] for p in phys.values()) == stats["sources_365d"]["physician"]
    for pid, p in phys.items():
        assert p["status"] in ("prospect", "new", "active", "lapsed")
        assert (p["status"] == "prospect") == (p["referrals"] == 0)
        assert (p["first_referral"] is None) == (p["referrals"] == 0)
        if p["declining"]:
            assert p["referrals_prev_90d"] >= 4 and p["status"] in ("new", "active")
        pf = p["funnel_365d"]
        assert pf["referred"] == p["referrals_365d"] == sum(p["services_365d"].values())
        assert pf["referred"] >= pf["scheduled"] + pf["declined"]
        assert p["rov_365d"]["visits"] <= t["rov_365d"]["visits"]
        if p["last_visit"] is not None:
            assert p["last_contact"] is not None and p["last_contact"] >= p["last_visit"]
    statuses = [p["status"] for p in phys.values()]
    assert len(statuses) == t["physicians"]
    for tid, li in stats["liaisons"].items():
        mine = [p for p in phys.values() if p["liaison"] == tid]
        assert li["physicians"] == len(mine)
        assert li["referrals_365d"] == sum(p["referrals_365d"] for p in mine)
        assert li["overdue_follow_ups"] <= li["open_follow_ups"] <= t["open_follow_ups"]
        assert li["in_person_90d"] <= li["interactions_90d"]
    assert set(stats["liaisons"]) == {tid for tid, role in desc["team"].items() if role == "liaison"}
    assert sum(pr["physicians"] for pr in stats["practices"].values()) == t["physicians"]
    for prid, pr in stats["practices"].items():
        mine = [phys[d] for d, p in desc["physicians"].items() if p["practice"] == prid]
        assert pr["referrals_365d"] == sum(p["referrals_365d"] for p in mine)
        assert pr["referrals_prev_365d"] == sum(p["referrals_prev_365d"] for p in mine)
    assert t["overdue_follow_ups"] <= t["open_follow_ups"]
    asked = t["referrals_365d"] - t["physician_referrals_365d"]
    assert t["physician_referrals_365d"] == stats["sources_365d"]["physician"]
    rate = stats["source_capture_rate_365d"]
    assert (rate is None) == (asked == 0)
    if rate is not None:
        assert 0 <= rate <= 1
    captured = stats["capture_by_member_365d"]
    assert set(captured) <= set(desc["team"])
    assert sum(c["referrals"] for c in captured.values()) <= asked
    for c in captured.values():
        assert c["referrals"] >= 1 and 0 <= c["unknown"] <= c["referrals"]
    assert sum(stats["declined_reasons_365d"].values()) == f["declined"]
    fm = stats["funnel_matured"]
    assert fm["referred"] >= fm["scheduled"] >= fm["consulted"] >= fm["treated"] >= 0
    # every (visit, person) pair belongs to one physician, at one practice
    for key in ("before", "after"):
        assert sum(p["rov_365d"][key] for p in phys.values()) == t["rov_365d"][key]
        assert sum(pr["rov_365d"][key] for pr in stats["practices"].values()) == t["rov_365d"][key]
    for li in stats["liaisons"].values():
        assert li["tiered_current"] <= li["tiered"] <= li["physicians"]
    # every cost is charged whole to practices (an interaction names a practice or physicians)
    assert sum(pr["spend_ytd_cents"] for pr in stats["practices"].values()) == t["spend_ytd_cents"]
    assert sum(p["spend_ytd_cents"] for p in phys.values()) <= t["spend_ytd_cents"]


PROPERTY_SETTINGS = settings(max_examples=30, deadline=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                    HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(site_descriptions())
def test_property_invariants_in_memory(desc):
    from liaison.stats import compute_stats

    stats = compute_stats(build_site_object(desc), desc["as_of"]).as_dict()
    check_invariants(stats, desc)


@PROPERTY_SETTINGS
@given(site_descriptions())
def test_property_in_memory_matches_spec_oracle(desc):
    from liaison.stats import compute_stats

    assert_same(compute_stats(build_site_object(desc), desc["as_of"]).as_dict(), spec_stats(desc))


@PROPERTY_SETTINGS
@given(site_descriptions())
def test_property_through_the_loader(desc):
    """Files on disk -> the real loader -> statistics: the invariants and the oracle's figures;
    and `stats --json` on the same files (the whole pipeline: load, checks, aggregate) prints
    the oracle's figures as canonical JSON, without errors."""
    from liaison.load import load_site
    from liaison.stats import compute_stats

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_description(root, desc)
        site, problems, _files = load_site(root)
        assert not [p for p in problems if p.severity == "error"], problems
        assert len(site.interactions) == len(desc["interactions"])
        assert len(site.referrals) == len(desc["referrals"])
        stats = compute_stats(site, desc["as_of"]).as_dict()
        check_invariants(stats, desc)
        want = spec_stats(desc)
        assert_same(stats, want)
        run = run_cli("stats", "--json", "--root", tmp, "--as-of", desc["as_of"].isoformat())
        assert run.code == 0, run.stderr
        assert ": error: " not in run.stderr, run.stderr
        assert_same(json.loads(run.stdout), want)
        assert run.stdout.rstrip("\n") == json.dumps(want, sort_keys=True, indent=2)


def _force_worker_processes(mp: pytest.MonkeyPatch) -> None:
    """Make the pipeline share even a tiny site out to three worker processes (it does so
    only above a size threshold, on as many processes as CPUs)."""
    import liaison.pipeline as pipeline

    if not hasattr(pipeline, "PARALLEL_BYTES"):
        pytest.skip("the pipeline has no parallel threshold to force")
    mp.setattr(pipeline, "PARALLEL_BYTES", 0)
    mp.setattr(pipeline, "cpu_count", lambda: 3, raising=False)


def test_sums_added_to_in_parts_are_the_sums_of_the_whole():
    """A process that checks what it read a few chunks at a time (``validate``'s
    ``map_shared``) adds each part's sums to its own (``accumulate(..., into=)``) instead of
    making a set of sums for every physician at each part and merging them: the example's
    referrals and interactions summed in three parts, in the order read, give the example's
    expected figures, as merging three parts' own sums does."""
    from liaison.load import load_site
    from liaison.stats import accumulate, finalize

    site, _problems, _files = load_site(SPEC_EXAMPLE)
    as_of = dt.date(2026, 11, 26)
    refs, ints = list(site.referrals), list(site.interactions)
    parts = [(refs[i::3], ints[i::3]) for i in range(3)]
    running = None
    for rows, records in parts:
        running = accumulate(site, as_of, rows, records, running)
    merged = accumulate(site, as_of, *parts[0])
    for rows, records in parts[1:]:
        merged.merge(accumulate(site, as_of, rows, records))
    want = json.loads(EXPECTED_EXAMPLE.read_text(encoding="utf-8"))
    assert_same(finalize(site, as_of, running).as_dict(), want)
    assert finalize(site, as_of, running).as_dict() == finalize(site, as_of, merged).as_dict()


@PROPERTY_SETTINGS
@given(site_descriptions())
def test_property_split_across_worker_processes(desc):
    """Large sites are read by forked workers whose partial sums are merged; forcing that path
    on a small site, one file per record, must give the oracle's figures."""
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        _force_worker_processes(mp)
        write_description(Path(tmp), desc, spread=True)
        run = run_cli("stats", "--json", "--root", tmp, "--as-of", desc["as_of"].isoformat())
        assert run.code == 0, run.stderr
        assert_same(json.loads(run.stdout), spec_stats(desc))


@pytest.mark.parametrize("order", ["oldest-first", "newest-first"])
def test_worker_processes_merge_earliest_and_latest(tmp_path, order, monkeypatch):
    """The same records, one per file, dealt out to worker processes in two orders: the
    earliest and latest dates must survive the merge whichever worker saw them."""
    _force_worker_processes(monkeypatch)
    ref_ages = [800, 400, 200, 100, 50, 10]
    int_ages = [(400, "lunch"), (40, "visit"), (3, "call")]
    if order == "newest-first":
        ref_ages.reverse()
        int_ages.reverse()
    files = {"data/physicians/doc.yaml": physician("clinic", "A")}
    for i, a in enumerate(ref_ages):
        files[f"data/referrals/r{i}.yaml"] = referral_yaml(ago(a), physician="doc")
    for i, (a, t) in enumerate(int_ages):
        files[f"data/interactions/i{i}.yaml"] = interaction_yaml(ago(a), t, physicians=["doc"])
    data = stats_json(make_site(tmp_path / "s", files))
    # by hand: 90d = ages 10, 50; prev 90d = 100; 365d = 10, 50, 100, 200; prev 365d = 400;
    # first referral at 800 (not new), last at 10 (< 90: active); tier A (30 days): the last
    # in-person contact is the visit at 40, so overdue. The four of the last 365 days are
    # referred (no status), service ablation. The lunch at 400 is the one matured visit: the
    # referral at age 400 is in its 90 days from (ages 311..400), none in the 90 before
    # (ages 401..490).
    assert data["physicians"]["doc"] == {
        "referrals": 6, "referrals_90d": 2, "referrals_prev_90d": 1, "referrals_365d": 4,
        "referrals_prev_365d": 1, "first_referral": ago(800), "last_referral": ago(10),
        "days_since_referral": 10, "status": "active", "declining": False,
        "interactions_365d": 2, "last_contact": ago(3), "last_visit": ago(40),
        "visit_overdue": True, "liaison": None, "potential": None,
        "funnel_365d": {"referred": 4, "scheduled": 0, "consulted": 0, "treated": 0,
                        "declined": 0},
        "services_365d": {"ablation": 4, "sclero": 0},
        "rov_365d": {"visits": 1, "before": 0, "after": 1}, "spend_ytd_cents": 0,
    }
    assert data["practices"]["clinic"]["last_contact"] == ago(3)
    assert (data["totals"]["referrals"], data["totals"]["interactions"]) == (6, 3)
    assert data["months"][0]["month"] == ago(800)[:7]


def test_worker_processes_merge_the_capture_by_member(tmp_path, monkeypatch):
    """capture_by_member_365d summed across worker processes: three referral files, each
    read by a worker of its own, each with one web and one unknown referral taken by desk.
    By hand: 6 referrals asked about, 3 of them unknown, rate round(1 − 3/6, 4) = 0.5 (a merge
    that added a worker's referrals where its unknown belong would give 4 or 5 unknown)."""
    _force_worker_processes(monkeypatch)
    files = {}
    for i, age in enumerate((10, 20, 30)):
        files[f"data/referrals/r{i}.yaml"] = "".join(
            f"- date: {ago(age)}\n  source: {source}\n  service: ablation\n  taken_by: desk\n"
            for source in ("web", "unknown"))
    data = stats_json(make_site(tmp_path / "s", files,
                                team={"lia": "liaison", "desk": "front-desk"}))
    assert data["capture_by_member_365d"] == {"desk": {"referrals": 6, "unknown": 3, "rate": 0.5}}
    assert data["source_capture_rate_365d"] == 0.5


def test_a_physicians_sums_come_back_from_a_worker_as_they_were_sent():
    """A worker sends its sums pickled (each physician's as the tuple of its slots): every
    slot comes back, the dates, the empty ones and the tables alike."""
    import pickle

    from liaison.stats import _DocSums

    sums = _DocSums()
    sums.referrals, sums.r90, sums.p365, sums.spend = 7, 2, 3, 12_500
    sums.first, sums.last_visit = dt.date(2024, 1, 5), dt.date(2026, 3, 1)
    sums.funnel, sums.dated = {"referred": 4, "treated": 1}, {739_000: 2, 739_010: 1}
    back = pickle.loads(pickle.dumps([sums, _DocSums()], protocol=pickle.HIGHEST_PROTOCOL))
    for made, taken in zip([sums, _DocSums()], back):
        assert type(taken) is _DocSums
        assert {n: getattr(taken, n) for n in _DocSums.__slots__} == {
            n: getattr(made, n) for n in _DocSums.__slots__}
    assert back[0].last_visit == dt.date(2026, 3, 1) and back[1].first is None


def test_the_statistics_come_back_from_pickle_as_they_were():
    """The statistics are pickled as each figure's class and values (a build keeps them for
    the next, a process sends them to another): every figure comes back of its class, equal,
    and stats.json made of it is byte-identical (the second worked example)."""
    import pickle

    from liaison.figures import Stats, _Figures
    from liaison.pipeline import check

    stats = check(SPEC_EXAMPLE, dt.date(2026, 11, 26), use_cache=False).stats
    back = pickle.loads(pickle.dumps(stats, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(back) is Stats and back == stats
    assert json.dumps(back.as_dict(), sort_keys=True) == json.dumps(stats.as_dict(), sort_keys=True)

    def figures(value):  # every figure below ``value``, in order
        if isinstance(value, _Figures):
            yield value
            for name in value._names:
                yield from figures(getattr(value, name))
        elif isinstance(value, dict):
            for item in value.values():
                yield from figures(item)
        elif isinstance(value, list):
            for item in value:
                yield from figures(item)

    made, taken = list(figures(stats)), list(figures(back))
    assert len(made) > 30 and [type(f) for f in taken] == [type(f) for f in made]
    assert {type(f).__name__ for f in made} >= {"Stats", "Totals", "Month", "PhysicianStats",
                                                 "PracticeStats", "LiaisonStats", "Rov"}


# =========================================================================== 5. text report


def test_plain_report_mentions_totals_and_liaisons():
    want = json.loads(EXPECTED_EXAMPLE.read_text(encoding="utf-8"))
    run = run_cli("stats", "--root", str(SPEC_EXAMPLE), "--as-of", "2026-11-26")
    assert run.code == 0, run.stderr
    text = run.stdout
    assert "2026-11-26" in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    t = want["totals"]
    for key in ("physicians", "practices", "interactions", "referrals", "referrals_90d",
                "referrals_365d", "open_follow_ups"):
        assert re.search(rf"\b{t[key]}\b", text), f"totals.{key} = {t[key]} not in the report"
    import yaml
    for lid in want["liaisons"]:  # by name, as team/ names them (the id was a record's)
        member = yaml.safe_load((SPEC_EXAMPLE / "data" / "team" / f"{lid}.yaml").read_text(
            encoding="utf-8"))
        assert member["name"] in text.split("\nLiaisons\n")[1]


def test_plain_report_on_a_tiny_site(liaison_site):
    run = run_cli("stats", "--root", str(liaison_site), "--as-of", D.isoformat())
    assert run.code == 0, run.stderr
    text = run.stdout
    # 26 referrals of age >= 0 (2 + 5 + 7 + 11 + 1), 15 of them in 365 days (all but the 11),
    # 5 interactions of age >= 0
    assert re.search(r"\breferrals\b\D{0,20}\b26\b", text, re.I), text
    assert re.search(r"365\D{0,30}\b15\b", text), text
    assert re.search(r"\binteractions\b\D{0,20}\b5\b", text, re.I), text
    lines = text.split("\nLiaisons\n")[1].splitlines()  # liaisons by name ("Member lia2")
    assert any(line.strip().startswith("Member lia ") for line in lines)
    assert any(line.strip().startswith("Member lia2") for line in lines)
    assert not any(line.strip().startswith("Member mgr") for line in lines), "a manager listed as liaison"


def test_stats_json_is_exactly_the_standard_libraries_form(tmp_path):
    """stats.json is written with orjson for speed; its text must be what json.dumps gives."""
    import datetime as _dt
    import json as _json
    from pathlib import Path as _Path

    from liaison.pipeline import check as _check
    from liaison.stats import stats_json

    for root in (_Path(__file__).resolve().parent / "fixtures" / "spec-example-v2",
                 _Path(__file__).resolve().parents[1]):
        stats = _check(root, _dt.date(2026, 11, 26)).stats
        expected = _json.dumps(stats.as_dict(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
        assert stats_json(stats) == expected
    odd = {"b": [1, 0.5, None, True, "é\n\"x\""], "a": {}, "c": [], "d": {"z": 1.0, "y": 0.9444}}
    assert stats_json(odd) == _json.dumps(odd, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


# =========================================================================== 6. the oracle


def description_of_files(root: Path, as_of: dt.date) -> dict:
    """A site root read with PyYAML and csv alone, as a description for ``spec_stats``."""
    import csv
    from decimal import Decimal as Dec

    import yaml

    def day(value):
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)

    def records(folder: str):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in (".yaml", ".yml"):
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
                yield path, data if isinstance(data, list) else [data]

    site = yaml.safe_load((root / "site.yaml").read_text(encoding="utf-8"))
    tiers = {k: v["visit_every_days"] for k, v in site["tiers"].items()} if site.get("tiers") \
        else None
    one = {folder: {p.stem: recs[0] for p, recs in records(f"data/{folder}")}
           for folder in ("practices", "physicians", "team")}
    interactions = [
        {"date": day(r["date"]), "liaison": r["liaison"], "type": r["type"],
         "practice": r.get("practice"), "physicians": r.get("physicians", []),
         "cost": None if r.get("cost") is None else Dec(str(r["cost"])),
         "follow_ups": [{"due": day(f["due"]), "owner": f.get("owner"),
                         "done": day(f["done"]) if f.get("done") else None}
                        for f in r.get("follow_ups", [])]}
        for _p, recs in records("data/interactions") for r in recs]
    rows = [r for _p, recs in records("data/referrals") for r in recs]
    for path in sorted((root / "data/referrals").rglob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows += [{k: v for k, v in r.items() if v != ""} for r in csv.DictReader(fh)]
    referrals = [{"date": day(r["date"]), "source": r["source"], "physician": r.get("physician"),
                  "service": r["service"], "status": r.get("status", "referred"),
                  "count": int(r.get("count", 1)), "taken_by": r.get("taken_by"),
                  "declined_reason": r.get("declined_reason")} for r in rows]
    return {
        "as_of": as_of, "services": [s["key"] for s in site["services"]], "tiers": tiers,
        "thresholds": {"lapsed_after_days": 90, "new_within_days": 90,
                       **site.get("thresholds", {})},
        "team": {t: m["role"] for t, m in one["team"].items()},
        "practices": {p: r.get("liaison") for p, r in one["practices"].items()},
        "physicians": {p: {"practice": r["practice"], "tier": r.get("tier"),
                           "liaison": r.get("liaison"), "potential": r.get("potential")}
                       for p, r in one["physicians"].items()},
        "referrals": referrals, "interactions": interactions,
    }


def test_the_oracle_gives_the_worked_examples_expected_statistics():
    """The oracle of the property tests, on the second edition's worked example read with
    PyYAML and csv alone, gives its independently produced expected-stats-2026-11-26.json:
    two readings of SPEC §4 that agree."""
    desc = description_of_files(SPEC_EXAMPLE, dt.date(2026, 11, 26))
    assert len(desc["referrals"]) == 48 and len(desc["interactions"]) == 20
    assert_same(spec_stats(desc), json.loads(EXPECTED_EXAMPLE.read_text(encoding="utf-8")))
