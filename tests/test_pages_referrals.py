"""The referrals page, the dashboard's headline and the trend badges (issue 12), read from the
site built from the contract's second-edition worked example (tests/fixtures/spec-example-v2)
at the as-of date 2026-11-26.

Expected values are worked out here from the contract's expected statistics
(expected-stats-2026-11-26.json) and the fixture's own files, never from the program's output.
"""
from __future__ import annotations

import calendar
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from htmltree import NBSP, Node as _Node, parse as _parse, table_rows


class Node(_Node):
    """Text as a person reads it: no chart text, no-break spaces as spaces."""

    def text(self, svg: bool = False) -> str:
        return super().text(svg)


def parse(path: Path) -> Node:
    return _parse(path, Node)


REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "tests" / "fixtures" / "spec-example-v2"
AS_OF = "2026-11-26"
D = dt.date.fromisoformat(AS_OF)
EXPECTED = json.loads((EXAMPLE / "expected-stats-2026-11-26.json").read_text(encoding="utf-8"))
TOTALS = EXPECTED["totals"]
PHYS = EXPECTED["physicians"]
def kpis(page: Node) -> dict[str, Node]:
    """KPI cards by their label."""
    out = {}
    for card in page.all("div", "kpi"):
        label = next(d for d in card.all("div", "label")).text()
        out[label] = card
    return out


# ---------------------------------------------------------------------------------------------
# expected values, from the contract's statistics


def pct(now: int, before: int) -> str:
    """The change in whole per cent, half away from zero, with a true minus sign."""
    diff = now - before
    whole = (200 * abs(diff) + before) // (2 * before)
    if whole == 0:
        return "±0"
    return f"+{whole}%" if diff > 0 else f"\u2212{whole}%"


def badge_text(now: int, before: int, days: int) -> str:
    counts = f"{now} vs {before} · {days} d"
    return f"{pct(now, before)} · {counts}" if before >= 5 else counts


PHYSICIAN_90 = sum(p["referrals_90d"] for p in PHYS.values())
PHYSICIAN_PREV_90 = sum(p["referrals_prev_90d"] for p in PHYS.values())
OTHER_90 = TOTALS["referrals_90d"] - PHYSICIAN_90
OTHER_PREV_90 = TOTALS["referrals_prev_90d"] - PHYSICIAN_PREV_90
PHYSICIAN_365 = TOTALS["physician_referrals_365d"]
PHYSICIAN_PREV_365 = TOTALS["physician_referrals_prev_365d"]
OTHER_365 = TOTALS["referrals_365d"] - PHYSICIAN_365
OTHER_PREV_365 = TOTALS["referrals_prev_365d"] - PHYSICIAN_PREV_365


def names() -> dict[str, str]:
    out = {}
    for kind in ("physicians", "team", "practices"):
        for f in (EXAMPLE / "data" / kind).glob("*.y*ml"):
            out[f.stem] = yaml.safe_load(f.read_text(encoding="utf-8"))["name"]
    return out


NAMES = names()


# ---------------------------------------------------------------------------------------------
# the built site


def build(root: Path, out: Path, as_of: str = AS_OF) -> Path:
    """``root`` built into ``out`` at ``as_of`` (`liaison build`), which must succeed."""
    from liaison.cli import main

    result = CliRunner().invoke(main, ["build", "--root", str(root), "--out", str(out),
                                       "--as-of", as_of])
    assert result.exit_code == 0, result.output
    return out


def build_apart(root: Path, out: Path, as_of: str = AS_OF) -> Path:
    """``root`` built into ``out`` at ``as_of`` by `liaison build` in a process of its own,
    which must succeed."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "liaison", "build", "--root", str(root),
                           "--out", str(out), "--as-of", as_of], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return out


def ida_lone_called(tmp_path: Path, on: str = "2026-11-02") -> Path:
    """A one-physician site (conftest's) whose liaison called Ida Lone on ``on``."""
    from conftest import one_physician_site

    return one_physician_site(tmp_path / "root", f"date: {on}\nliaison: lou\ntype: call\n"
                              "physicians: [ida-lone]\nsummary: Called the office\n")


def referral_csv(root: Path, text: str) -> None:
    """Writes ``text`` (a header and rows) as the site's one referral file, rows.csv."""
    (root / "data/referrals").mkdir()
    (root / "data/referrals/rows.csv").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("referrals") / "site"
    build(EXAMPLE, out)
    return out


@pytest.fixture(scope="module")
def referrals(site: Path) -> Node:
    return parse(site / "referrals" / "index.html")


@pytest.fixture(scope="module")
def dashboard(site: Path) -> Node:
    return parse(site / "index.html")


# ---------------------------------------------------------------------------------------------
# physician referrals and other new patients, apart


def test_export_links_download_under_a_name_with_the_as_of_date(referrals):
    """The exports hold no as-of date: a download of each link is named with it
    (`physicians-2026-11-26.csv`), so two downloads of different days are told apart in the
    Downloads folder and in the spreadsheet's title bar, not `physicians (1).csv`."""
    links = [a for a in referrals.all("a") if a.attrs.get("href", "").endswith(".csv")]
    assert {a.attrs["href"].rsplit("/", 1)[1] for a in links} == {
        "referrals-by-month.csv", "physicians.csv", "practices.csv", "interactions.csv"}
    for a in links:
        stem = a.attrs["href"].rsplit("/", 1)[1][:-len(".csv")]
        assert a.attrs.get("download") == f"{stem}-{AS_OF}.csv", a.attrs


def test_the_example_exercises_both_sides_of_the_percentage_rule():
    """The expected values below need a base under 5 and one of 5 or more."""
    assert OTHER_PREV_365 < 5 <= PHYSICIAN_PREV_365
    assert OTHER_PREV_90 >= 5 and PHYSICIAN_PREV_90 >= 5


@pytest.mark.parametrize("which", ["referrals", "dashboard"])
def test_headline_shows_physician_referrals_and_other_new_patients_apart(which, request):
    page = request.getfixturevalue(which)
    cards = kpis(page)
    expected = {
        "Physician referrals, 90 days": (PHYSICIAN_90, PHYSICIAN_PREV_90, 90),
        "Other new patients, 90 days": (OTHER_90, OTHER_PREV_90, 90),
        "Physician referrals, 365 days": (PHYSICIAN_365, PHYSICIAN_PREV_365, 365),
        "Other new patients, 365 days": (OTHER_365, OTHER_PREV_365, 365),
    }
    for label, (now, before, days) in expected.items():
        card = cards[label]
        assert card.all("div", "value")[0].text() == str(now), label
        badge = card.all("span", "trend")[0]
        assert badge.text() == badge_text(now, before, days), label
    # No headline adds the two together.
    assert not any(label.startswith("Referrals") for label in cards), sorted(cards)


def test_big_counts_read_with_thousands_separators_like_their_badges(tmp_path):
    """A practice with thousands of referrals (the bench's 1,000 physicians: 7,183 physician
    referrals in 365 days) saw "7183" as a card's number over a badge saying "7,183 vs 7,136",
    and "source unknown for 318 of 2077". Every count on the cards reads as the badge does."""
    import shutil

    root = tmp_path / "root"
    shutil.copytree(EXAMPLE, root)
    (root / "data" / "referrals" / "bulk.yaml").write_text(
        "- {date: 2026-11-02, source: physician, physician: grace-holloway, "
        "service: vein-ablation, count: 1200}\n"
        "- {date: 2026-11-03, source: web, service: sclerotherapy, count: 1500}\n",
        encoding="utf-8")
    out = tmp_path / "site"
    build(root, out)
    phys_90, other_365 = PHYSICIAN_90 + 1200, OTHER_365 + 1500
    for rel in ("index.html", "referrals/index.html"):
        cards = kpis(parse(out / rel))
        card = cards["Physician referrals, 90 days"]
        assert card.all("div", "value")[0].text() == f"{phys_90:,}", rel
        assert f"{phys_90:,} vs {PHYSICIAN_PREV_90}" in card.text(), rel
        assert cards["Other new patients, 365 days"].all("div", "value")[0].text() == f"{other_365:,}"
    cards = kpis(parse(out / "referrals" / "index.html"))
    unknown = EXPECTED["sources_365d"]["unknown"]
    assert f"source unknown for {unknown} of {other_365:,} other new patients" in \
        cards["Source captured, 365 days"].text()
    assert f"of {TOTALS['referrals_365d'] + 2700:,})" in \
        parse(out / "referrals" / "index.html").by_id("funnel").text()


def test_a_trend_on_a_base_under_5_shows_counts_only(referrals):
    badge = kpis(referrals)["Other new patients, 365 days"].all("span", "trend")[0]
    assert "%" not in badge.text()
    assert badge.text() == f"{OTHER_365} vs {OTHER_PREV_365} · 365 d"
    assert badge.attrs["title"] == (f"{OTHER_365} other new patients in the last 365 days "
                                    f"against {OTHER_PREV_365} in the 365 days before")


def test_source_capture_counts_only_other_new_patients(referrals):
    card = kpis(referrals)["Source captured, 365 days"]
    rate = EXPECTED["source_capture_rate_365d"]
    assert card.all("div", "value")[0].text() == f"{rate * 100:.1f}%"
    unknown = EXPECTED["sources_365d"]["unknown"]
    assert f"{unknown} of {OTHER_365} other new patients" in card.text()
    # The rate is 1 − unknown / (non-physician referrals): the page's two numbers agree.
    assert round(1 - unknown / OTHER_365, 4) == rate


def test_the_dashboards_capture_rate_shows_its_base(dashboard):
    """The dashboard's card read '88.9% other new patients asked …' with no count: on a
    young site 100.0% of 2 read as a sure thing. It gives the count beside the rate, those
    asked of the other new patients, the referrals page's two numbers seen the other way."""
    card = kpis(dashboard)["Source captured, 365 days"]
    unknown = EXPECTED["sources_365d"]["unknown"]
    rate = EXPECTED["source_capture_rate_365d"]
    assert card.all("div", "value")[0].text() == f"{rate * 100:.1f}%"
    assert (f"{OTHER_365 - unknown} of {OTHER_365} other new patients asked "
            "“how did you hear about us?”") in card.text()


def test_the_month_table_splits_each_month_and_marks_the_unfinished_one(referrals):
    table = referrals.by_id("months").all("table")[0]
    rows = table.all("tbody")[0].all("tr")
    months = list(reversed(EXPECTED["months"]))[:24]
    from liaison.dates import month
    # months as people read them ("November 2026"; the table once read "2026-11")
    assert [" ".join(r.all("td")[0].text().split()[:2]) for r in rows] == \
        [month(m["month"]) for m in months]
    physician_total = 0
    for tr, m in zip(rows, months):
        cells = [td.text() for td in tr.all("td")]
        physician, other, everyone = (int(x) for x in cells[1:4])
        assert physician + other == everyone == m["referrals"], m["month"]
        assert int(cells[6]) == m["treated"] and int(cells[7]) == m["declined"]
        physician_total += physician
    # The example's records start in 2024-12: the 24 months hold every physician referral.
    assert len(EXPECTED["months"]) == 24
    assert physician_total == sum(p["referrals"] for p in PHYS.values())
    # November 2026 is not over at D = 2026-11-26; October is.
    days = calendar.monthrange(D.year, D.month)[1]
    assert "unfinished" in rows[0].classes
    assert "to date" in rows[0].all("td")[0].text()
    assert all("unfinished" not in r.classes for r in rows[1:])
    note = referrals.by_id("months").all("p")[0].text()
    from liaison.dates import day_text
    assert f"{D.day} of {days} days" in note and f"to {day_text(D, D)}," in note
    assert AS_OF not in note  # no ISO date in the words


def test_a_month_that_ends_on_the_as_of_date_is_finished():
    from liaison import pages
    from liaison.pipeline import check

    checked = check(EXAMPLE, dt.date(2026, 11, 30), keep_records=True)
    view = pages.SiteView(checked.site, checked.stats)
    page = next(p for p in pages.plan(view) if p.kind == "referrals")
    table = pages.context(view, page)["months_table"]
    assert table[0]["month"] == "2026-11" and not table[0]["unfinished"]
    checked = check(EXAMPLE, dt.date(2026, 11, 29), keep_records=True)
    view = pages.SiteView(checked.site, checked.stats)
    assert pages.context(view, page)["months_table"][0]["unfinished"]


def test_the_dashboards_chart_says_its_last_month_is_not_over(dashboard):
    """The dashboard's chart marked the as-of month only in its legend ("month to date"):
    printed for a meeting, its short bar and the visits' line falling to it read as a drop,
    where referrals/ says in words that the month is not over. The dashboard says it too,
    and not when the as-of date is the month's last day."""
    from liaison import pages
    from liaison.dates import day_text
    from liaison.pipeline import check

    days = calendar.monthrange(D.year, D.month)[1]
    card = next(s for s in dashboard.all("section") if s.all("svg"))
    assert (f"November 2026 is not over yet (counted to {day_text(D, D)}, {D.day} of {days} "
            "days): its lighter bar is not a drop.") in card.text()
    checked = check(EXAMPLE, dt.date(2026, 11, 30), keep_records=True)
    view = pages.SiteView(checked.site, checked.stats)
    page = next(p for p in pages.plan(view) if p.kind == "dashboard")
    assert pages.context(view, page)["chart_unfinished"] is None


def test_the_month_table_says_when_it_shows_only_the_last_24_months(tmp_path, referrals):
    """The month table and chart show the last 24 months of stats.json's months. When there
    are more (as of 2027-01-10 the example's months run from 2024-12: 26), the page says which
    months it shows and where the others are, instead of dropping 2024-12 silently; with 24
    (the example at 2026-11-26) there is nothing to say."""
    out = tmp_path / "site"
    build(EXAMPLE, out, "2027-01-10")
    section = parse(out / "referrals" / "index.html").by_id("months")
    months = [" ".join(r[0].text().split()[:2]) for r in table_rows(section.all("table")[0])]
    assert months[0] == "January 2027" and months[-1] == "February 2025" and len(months) == 24
    text = section.text()
    assert "The last 24 months, February 2025 to January 2027" in text
    assert "all 26 months from December 2024" in text
    assert "exports/referrals-by-month.csv" in section.hrefs()[-1]
    assert len(EXPECTED["months"]) == 24
    assert "The last 24 months" not in referrals.by_id("months").text()


def test_a_site_of_one_month_says_this_month_not_these_1_months(tmp_path):
    """A new site (records only in the as-of month) charted 1 month: its empty chart said "No
    referral in these 1 months" and both monthly charts were titled "last 24 months"."""
    from conftest import one_physician_site

    root = one_physician_site(tmp_path / "root", "date: 2024-02-12\nliaison: lou\ntype: visit\n"
                                                 "physicians: [ida-lone]\nsummary: First visit\n")
    out = tmp_path / "site"
    build(root, out, "2024-02-29")
    page = (out / "referrals" / "index.html").read_text(encoding="utf-8")
    assert "No referral in this month" in page and "these 1 months" not in page
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "No physician referral in this month" in page and "these 1 months" not in page
    for rel in ("index.html", "referrals/index.html"):
        svg = [el for el in parse(out / rel).all("svg") if "chart-bar" in el.classes][0]
        title = svg.all("title")[0].text()
        assert "last 24 months" not in title and "since 2024-02" in title, (rel, title)


def test_the_monthly_charts_headings_say_the_months_they_show(tmp_path, site, dashboard,
                                                               referrals):
    """The charts were headed "Physician referrals per month" and "Per month": the period
    stood only in the SVG's title, and the axis labels every third month, so a printed
    chart's first bar had no date. The headings now say it: "last 24 months", or on a young
    site "since February 2024"."""
    from conftest import one_physician_site

    for page, heading in ((dashboard, "Physician referrals per month, last 24 months"),
                          (referrals, "Per month, last 24 months")):
        assert heading in [h.text() for h in page.all("h2")]
    root = one_physician_site(tmp_path / "root", "date: 2024-02-12\nliaison: lou\ntype: visit\n"
                                                 "physicians: [ida-lone]\nsummary: First visit\n")
    out = tmp_path / "young"
    build(root, out, "2024-04-29")
    for rel, heading in (("index.html", "Physician referrals per month, since February 2024"),
                         ("referrals/index.html", "Per month, since February 2024")):
        assert heading in [h.text() for h in parse(out / rel).all("h2")], rel


def test_a_chart_of_months_without_a_referral_says_so(tmp_path, site):
    """With no referral in the months the chart shows (a new site, or an as-of date long after
    the last one), its empty frame says why instead of looking broken; with referrals, no word."""
    import shutil

    root = tmp_path / "root"
    shutil.copytree(EXAMPLE, root)
    for f in sorted((root / "data" / "referrals").rglob("*"), reverse=True):
        f.chmod(0o755)
        f.rmdir() if f.is_dir() else f.unlink()
    out = tmp_path / "site"
    build(root, out)
    empty = "No referral in these 24 months"
    assert empty in (out / "referrals" / "index.html").read_text(encoding="utf-8")
    assert empty not in (site / "referrals" / "index.html").read_text(encoding="utf-8")
    # the dashboard's chart of physician referrals too
    empty = "No physician referral in these 24 months"
    assert empty in (out / "index.html").read_text(encoding="utf-8")
    assert empty not in (site / "index.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# outcomes: the matured funnel, declined reasons


def test_matured_funnel_beside_the_365_day_one_with_the_treated_share(referrals):
    section = referrals.by_id("funnel")
    charts = section.all("svg")
    assert len(charts) == 4  # each drawn twice: stacked (for a phone), then side by side
    assert ["chart-stacked" in c.attrs["class"] for c in charts] == [True, False] * 2
    labels = [c.attrs.get("aria-label", "") for c in charts]
    assert "365" in labels[0] == labels[1] and "Matured" in labels[2] == labels[3]
    text = section.text()
    assert "90 days" in text  # why: young referrals have not had time
    matured, recent = EXPECTED["funnel_matured"], EXPECTED["funnel_365d"]
    share = f"{100 * matured['treated'] / matured['referred']:.1f}%"
    assert (f"Treated: {share} of matured referrals ({matured['treated']} of "
            f"{matured['referred']})") in text
    assert f"{100 * recent['treated'] / recent['referred']:.1f}%" in text
    card = kpis(referrals)["Treated, matured referrals"]
    assert card.all("div", "value")[0].text() == share


def test_declined_reasons_include_the_unspecified_ones(referrals):
    section = referrals.by_id("declined")
    svg = section.all("svg")[0]
    reasons = EXPECTED["declined_reasons_365d"]
    labels = {"insurance": "Insurance", "not-a-candidate": "Not a candidate",
              "patient-choice": "Patient's choice", "no-response": "No response",
              "other": "Other", "unspecified": "No reason given"}
    summary = svg.all("title")[0].text()  # the chart's text summary
    for key, label in labels.items():
        assert f"{label} {reasons[key]} (" in summary, key
    # Most frequent first, the referrals without a reason last.
    assert summary.index("No reason given") > max(summary.index(labels[k]) for k in reasons
                                                  if k != "unspecified")
    # The reasons' counts add up to the declined referrals of the last 365 days.
    assert sum(reasons.values()) == EXPECTED["funnel_365d"]["declined"]
    text = section.text()
    assert f"{EXPECTED['funnel_365d']['declined']} declined" in text
    assert f"{reasons['unspecified']} without a reason" in text
    card = kpis(referrals)["Declined, 365 days"]
    assert f"{reasons['unspecified']} with no reason given" in card.text()


def test_sources_read_as_words_with_unknown_saying_nobody_asked(referrals):
    """The sources chart spoke in data keys ("web", "patient", "unknown") beside charts in
    words ("Insurance", "No reason given"); "unknown" means nobody asked (SPEC §2)."""
    svg = referrals.by_id("sources").all("svg")[0]
    summary = svg.all("title")[0].text()
    labels = {"patient": "Patient", "web": "Web", "advertising": "Advertising",
              "insurance": "Insurance", "event": "Event", "other": "Other",
              "unknown": "Unknown (not asked)"}
    for key, label in labels.items():
        assert f"{label} {EXPECTED['sources_365d'][key]} (" in summary, key
    highlighted = [t for t in svg.all("text") if "chart-highlight" in t.classes
                   or t.attrs.get("font-weight") == "600"]
    assert [t.text() for t in highlighted] == ["Unknown (not asked)"]


@pytest.mark.parametrize("ident, heading, caption", [
    ("declined", "Why referrals were declined, last 365 days",
     f"{EXPECTED['funnel_365d']['declined']} declined in the last 365 days"),
    ("sources", "Sources of the other new patients, last 365 days",
     f"{OTHER_365} other new patients in the last 365 days"),
    ("services", "Service lines, last 365 days",
     f"{TOTALS['referrals_365d']} new patients in the last 365 days"),
])
def test_each_breakdown_says_the_period_it_covers(referrals, ident, heading, caption):
    """A manager reading the sources or the service lines must see which period their counts
    cover (the KPI cards above say "90 days" and "365 days"), and, for the service lines, that
    they count every new patient, physician referrals and others."""
    section = referrals.by_id(ident)
    assert section.all("h2")[0].text() == heading
    assert caption in section.text()
    assert sum(EXPECTED["services_365d"].values()) == TOTALS["referrals_365d"]
    assert sum(v for k, v in EXPECTED["sources_365d"].items() if k != "physician") == OTHER_365


# ---------------------------------------------------------------------------------------------
# source capture by front-desk member, beside the training matrix's front-desk column


def _guides() -> dict[str, dict]:
    out = {}
    for f in (EXAMPLE / "content" / "training").glob("*.md"):
        front = f.read_text(encoding="utf-8").split("---")[1]
        out[f.stem] = yaml.safe_load(front)
    return out


def test_capture_by_member_beside_their_front_desk_guides(referrals, site):
    table = referrals.by_id("capture-table")
    # The guides the front desk takes, in the training page's order.
    front_desk = sorted(((gid, g) for gid, g in _guides().items()
                         if g["audience"] in ("front-desk", "all")),
                        key=lambda kv: (kv[1].get("order", 10**9), kv[1]["title"], kv[0]))
    assert front_desk
    heads = [th.text().rstrip(" ↕") for th in table.all("th")]
    assert heads[4:] == [g["title"] for _, g in front_desk]
    capture = EXPECTED["capture_by_member_365d"]
    team = {f.stem: yaml.safe_load(f.read_text(encoding="utf-8"))
            for f in (EXAMPLE / "data" / "team").glob("*.y*ml")}
    listed = set(capture) | {t for t, m in team.items() if m["role"] == "front-desk"}
    # Lowest capture rate first.
    order = sorted(listed, key=lambda t: (capture[t]["rate"], NAMES[t]))
    rows = table_rows(table)
    assert [r[0].all("a")[0].text() for r in rows] == [NAMES[t] for t in order]
    for tid, cells in zip(order, rows):
        c = capture[tid]
        assert int(cells[1].text()) == c["referrals"] and int(cells[2].text()) == c["unknown"]
        assert cells[3].text().startswith(f"{c['rate'] * 100:.1f}%")
        assert cells[3].attrs["data-value"] == f"{c['rate']:.4f}"
        # The training cells are the matrix's own: completed with the date of the training.
        trainings = {t["guide"]: t for t in team[tid]["trainings"]}
        for (gid, _), cell in zip(front_desk, cells[4:]):
            t = trainings[gid]
            assert "completed" in cell.text()
            assert cell.all("time")[0].attrs["datetime"] == str(t["completed"])
    # The same cells as the training page's matrix.
    matrix = parse(site / "training" / "index.html")
    matrix_rows = {tr.all("td")[0].all("a")[0].text(): tr.all("td") for tr in
                   matrix.all("tbody")[0].all("tr")}
    for tid, cells in zip(order, rows):
        assert cells[4].text() == matrix_rows[NAMES[tid]][1].text()
    taken = sum(c["referrals"] for c in capture.values())
    assert f"{OTHER_365 - taken} of them name nobody" in referrals.by_id("capture").text()


def test_a_members_page_shows_their_own_capture_beside_the_practices(site, tmp_path):
    # the front desk looked for their own figure on their page, and found only their trainings;
    # under PERCENT_BASE new patients the share is a count ("100.0% of the 1 new patient …
    # have" said little, and wrongly)
    from liaison.pages.base import PERCENT_BASE

    capture = EXPECTED["capture_by_member_365d"]
    whole = f"{EXPECTED['source_capture_rate_365d'] * 100:.1f}%"
    assert {c["referrals"] >= PERCENT_BASE for c in capture.values()} == {True, False}
    for tid, c in capture.items():
        card = parse(site / "team" / tid / "index.html").by_id("capture")
        text = " ".join(card.text().split())
        patients = "new patient" if c["referrals"] == 1 else "new patients"
        if c["referrals"] >= PERCENT_BASE:
            assert f"{c['rate'] * 100:.1f}% of the {c['referrals']} {patients} they took that no physician sent have their answer" in text
        else:
            verb = "has" if c["referrals"] == 1 else "have"
            assert (f"{c['referrals'] - c['unknown']} of {c['referrals']} {patients} they took "
                    f"that no physician sent {verb} their answer") in text, text
            assert "%" not in text.split("Whole practice")[0]
        assert f"{c['unknown']} {'is' if c['unknown'] == 1 else 'are'} unknown" in text
        assert f"Whole practice: {whole}" in text
    # a front-desk member no row names as taken_by is told what the rows are to hold
    import shutil

    root = tmp_path / "root"
    shutil.copytree(EXAMPLE, root)
    (root / "data" / "team" / "ida-nunez.yaml").write_text(
        "name: Ida Nunez\nrole: front-desk\n", encoding="utf-8")
    out = tmp_path / "site"
    build(root, out)
    text = parse(out / "team" / "ida-nunez" / "index.html").by_id("capture").text()
    assert "names them as taken_by" in text and "ida-nunez" in text
    liaison = parse(out / "team" / "lena-brooks" / "index.html")
    assert liaison.by_id("capture") is not None  # named as taken_by, though a liaison


# ---------------------------------------------------------------------------------------------
# return on visit


def test_return_on_visit_ranks_physicians_by_after_minus_before(referrals):
    table = referrals.by_id("rov-physicians")
    rov = {pid: p["rov_365d"] for pid, p in PHYS.items() if p["rov_365d"]["visits"]}
    assert "james-whitley" not in rov  # never visited in the window: not ranked
    order = sorted(rov, key=lambda p: (-(rov[p]["after"] - rov[p]["before"]),
                                       -rov[p]["visits"], NAMES[p]))
    rows = table_rows(table)
    assert [r[1].all("a")[0].text() for r in rows] == [NAMES[p] for p in order]
    for rank, (pid, cells) in enumerate(zip(order, rows), 1):
        r = rov[pid]
        assert [int(c.text()) for c in (cells[0], cells[3], cells[4], cells[5])] == \
            [rank, r["visits"], r["before"], r["after"]]
        assert cells[6].attrs["data-value"] == str(r["after"] - r["before"])
        assert cells[6].text() == badge_text(r["after"], r["before"], 90)
    text = referrals.by_id("return-on-visit").text()
    assert "90 days before" in text and "90 days" in text and "at least 90 days old" in text


def test_return_on_visit_per_liaison_and_overall(referrals):
    rows = table_rows(referrals.by_id("rov-liaisons"))
    liaisons = EXPECTED["liaisons"]
    assert [r[0].text() for r in rows] == [NAMES[t] for t in sorted(liaisons, key=lambda t: (
        -(liaisons[t]["rov_365d"]["after"] - liaisons[t]["rov_365d"]["before"]), NAMES[t]))]
    for tid, cells in zip(sorted(liaisons), rows):
        r = liaisons[tid]["rov_365d"]
        assert [int(c.text()) for c in cells[1:4]] == [r["visits"], r["before"], r["after"]]
    total = TOTALS["rov_365d"]
    card = kpis(referrals)["Return on visit"]
    assert card.all("div", "value")[0].text() == str(total["after"])
    assert card.all("span", "trend")[0].text() == badge_text(total["after"], total["before"], 90)
    assert f"{total['visits']} matured visits" in card.text()


def test_a_new_liaison_with_no_matured_visit_reads_a_dash_not_0_vs_0(tmp_path):
    """A liaison who joined and took over a practice has no visit 90 days old: their row of
    the by-liaison table read "0 vs 0 · 90 d" (a result: as many referrals after as before),
    where their page and `stats` read "—", "no in-person visit 90 to 454 days old"."""
    import shutil

    root = tmp_path / "root"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("site", ".git"))
    (root / "data/team/jonah-whitfield.yaml").write_text("name: Jonah Whitfield\nrole: liaison\n")
    practice = next(iter(sorted((root / "data/practices").glob("*.yaml"))))
    text = practice.read_text(encoding="utf-8")
    assert "\nliaison: " in text
    practice.write_text("".join(
        "liaison: jonah-whitfield\n" if line.startswith("liaison: ") else line
        for line in text.splitlines(keepends=True)), encoding="utf-8")
    out = tmp_path / "site"
    build(root, out)
    rows = {r[0].text(): r for r in table_rows(parse(out / "referrals/index.html")
                                               .by_id("rov-liaisons"))}
    jonah = rows["Jonah Whitfield"]
    assert jonah[1].text() == "0"
    assert jonah[4].text() == "\u2014"
    assert "no in-person visit 90 to 454 days old" in jonah[4].all("span")[0].attrs["title"]
    assert all(r[4].text() != "\u2014" for name, r in rows.items() if name != "Jonah Whitfield")


def test_return_on_visit_says_what_its_before_is_and_that_a_referral_can_count_twice(referrals):
    """The card read "201 · +46% · 201 vs 138 · 90 d" over "physician referrals in the 90
    days after 50 matured visits": beside the dashboard's cards, where "vs" is the previous
    90 days, 138 read as last quarter's count. The card names it, and the section says that
    a referral within 90 days of two visits counts for each (the sample site as of
    2025-03-05: a physician's 4 referrals of the year were 7 "after" her two visits)."""
    total = TOTALS["rov_365d"]
    card = kpis(referrals)["Return on visit"]
    assert f"against {total['before']} in the 90 days before" in card.text()
    assert "counts once for each" in referrals.by_id("return-on-visit").text()


# ---------------------------------------------------------------------------------------------
# consistent badges


def test_trend_badge_rules():
    from liaison.pages.base import trend

    small = trend(13, 2, 90)
    assert small["text"] == f"13{NBSP}vs{NBSP}2 · 90{NBSP}d" and small["css"] == "up"
    assert small["sort"] == 11 and small["percent"] is None
    assert trend(13, 10, 365)["text"] == f"+30% · 13{NBSP}vs{NBSP}10 · 365{NBSP}d"
    assert trend(2, 5, 90)["text"].startswith("\u221260% · ")  # a base of exactly 5
    assert "%" not in trend(1, 4, 90)["text"] and trend(1, 4, 90)["css"] == "down"
    assert trend(0, 0, 90)["css"] == "flat" and trend(7, 7, 90)["text"].startswith("±0")
    assert trend(1234, 1000, 365)["text"] == f"+23% · 1,234{NBSP}vs{NBSP}1,000 · 365{NBSP}d"
    assert trend(3, 1)["text"] == f"3{NBSP}vs{NBSP}1"  # no window given: none shown


def test_directory_trend_columns_sort_by_the_change_they_show(site):
    page = parse(site / "physicians" / "index.html")
    heads = [th.text().rstrip(" ↕") for th in page.all("th")]
    col = heads.index("Trend")
    for tr in page.all("tbody")[0].all("tr"):
        cells = tr.all("td")
        name = cells[0].all("a")[0].text()
        pid = next(k for k, v in NAMES.items() if v == name and k in PHYS)
        p = PHYS[pid]
        assert cells[col].attrs["data-value"] == str(p["referrals_365d"] - p["referrals_prev_365d"])
        assert cells[col].text() == badge_text(p["referrals_365d"], p["referrals_prev_365d"], 365)
    practices = parse(site / "practices" / "index.html")
    heads = [th.text().rstrip(" ↕") for th in practices.all("th")]
    col = heads.index("Trend")
    for tr in practices.all("tbody")[0].all("tr"):
        cells = tr.all("td")
        pid = next(k for k, v in NAMES.items() if v == cells[0].text())
        s = EXPECTED["practices"][pid]
        assert cells[col].attrs["data-value"] == str(s["referrals_365d"] - s["referrals_prev_365d"])


def test_declining_badges_show_their_counts_and_window(site, dashboard, referrals):
    declining = [pid for pid, p in PHYS.items() if p["declining"]]
    assert declining == ["marcus-bell"]
    p = PHYS["marcus-bell"]
    expected = f"declining · {p['referrals_90d']} vs {p['referrals_prev_90d']} · 90 d"
    for page in (dashboard, referrals, parse(site / "physicians" / "index.html")):
        badges = [b.text() for b in page.all("span", "declining")]
        assert badges == [expected]
    # A lapsed referrer with a drop of the same size is not declining.
    assert PHYS["alan-cho"]["status"] == "lapsed" and not PHYS["alan-cho"]["declining"]


def test_a_long_return_on_visit_ranking_keeps_the_biggest_rises_and_falls():
    """Past ROV_ROWS physicians with a matured visit, the page lists the half with the biggest
    rises and the half with the biggest falls, and says so."""
    from types import SimpleNamespace

    from liaison.figures import Rov
    from liaison.pages import referrals

    n = referrals.ROV_ROWS + 7
    half = referrals.ROV_ROWS // 2
    # Physician i: i visits' worth of referrals after, none before (change +i); one without a
    # matured visit, who is never ranked.
    stats = {f"p{i:03d}": SimpleNamespace(rov_365d=Rov(visits=1, before=0, after=i))
             for i in range(n)}
    stats["never"] = SimpleNamespace(rov_365d=Rov())
    view = SimpleNamespace(
        stats=SimpleNamespace(physicians=stats),
        site=SimpleNamespace(physicians={p: SimpleNamespace(name=p.upper(), practice="x")
                                         for p in stats}, practices={}),
        practice_ref=lambda pid: {"name": pid, "href": f"practices/{pid}/index.html"},
    )
    rows, note = referrals.rov_ranking(view)
    assert len(rows) == referrals.ROV_ROWS
    expected = list(range(n - 1, n - 1 - half, -1)) + list(range(half - 1, -1, -1))
    assert [r["after"] for r in rows] == expected
    assert [r["rank"] for r in rows] == list(range(1, half + 1)) + list(range(n - half + 1, n + 1))
    assert note == f"The {half} biggest rises and the {half} biggest falls of {n} physicians with a matured visit"
    # Up to ROV_ROWS, every one and no note.
    for p in list(stats)[referrals.ROV_ROWS:n]:
        stats[p] = SimpleNamespace(rov_365d=Rov())
    rows, note = referrals.rov_ranking(view)
    assert len(rows) == referrals.ROV_ROWS and note is None


def test_a_long_referrer_list_shows_those_who_referred_most_and_links_the_filtered_directory(
        tmp_path, monkeypatch):
    """Past LIST_ROWS, the new, lapsed and declining lists show the physicians who referred
    the most in the 365 days before (the dashboard's order, so its first 10 are these lists'
    first 10), not the first by file name; the rest are one link away, the directory filtered
    to that status."""
    import subprocess
    import sys

    from liaison.pages import referrals as referrals_page

    root, out = tmp_path / "root", tmp_path / "site"
    made = subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(root),
                           "--physicians", "150"], capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    monkeypatch.setattr(referrals_page, "LIST_ROWS", 3)
    build(root, out)
    stats = json.loads((out / "stats.json").read_text(encoding="utf-8"))["physicians"]
    page = parse(out / "referrals" / "index.html")
    lists = {"new": lambda s: s["status"] == "new", "lapsed": lambda s: s["status"] == "lapsed",
             "declining": lambda s: s["declining"]}
    for ident, pred in lists.items():
        ids = [p for p in stats if pred(stats[p])]
        assert len(ids) > 3, ident  # the generated site has more than the cap of each
        ranked = sorted(ids, key=lambda p: (-stats[p]["referrals_prev_365d"], p))
        section = page.by_id(ident)
        shown = [h for h in section.hrefs() if h.startswith("../physicians/d-")]
        assert shown == [f"../physicians/{p}/index.html" for p in ranked[:3]], ident
        more = section.all("p", "muted")[-1]
        assert more.text() == f"… and {len(ids) - 3} more: filter the directory.", ident
        assert more.hrefs() == [f"../physicians/index.html#physician-table=status%20{ident}"]


def test_a_capture_rate_on_the_half_reads_the_same_everywhere(tmp_path):
    """13 of 16 new patients that no physician sent were asked (3 unknown): 81.25%, which
    the pages wrote 81.2% (the float's tie went to even) while every other share of the site
    rounds halves away from zero; the dashboard, referrals/, training/ and `liaison stats`
    now all read 81.3%."""
    import subprocess
    import sys

    root = ida_lone_called(tmp_path)
    (root / "data/team/kim.yaml").write_text("name: Kim Desk\nrole: front-desk\n", encoding="utf-8")
    referral_csv(root,
        "date,source,physician,service,status,count,taken_by\n"
        "2026-10-01,web,,ablation,referred,13,kim\n"
        "2026-10-01,unknown,,ablation,referred,3,kim\n")
    (root / "content/training").mkdir(parents=True)
    (root / "content/training/phones.md").write_text(
        "---\ntitle: Phones\naudience: front-desk\n---\n# Phones\n", encoding="utf-8")
    out = tmp_path / "site"
    build_apart(root, out)
    assert kpis(parse(out / "index.html"))["Source captured, 365 days"].all(
        "div", "value")[0].text() == "81.3%"
    referrals = parse(out / "referrals" / "index.html")
    assert kpis(referrals)["Source captured, 365 days"].all("div", "value")[0].text() == "81.3%"
    assert "81.2%" not in referrals.text() and "81.3%" in referrals.by_id("capture-table").text()
    for rel in ("training/index.html", "training/phones/index.html"):
        assert "Source capture rate, last 365 days: 81.3%" in parse(out / rel).text(), rel
    report = subprocess.run([sys.executable, "-m", "liaison", "stats", "--root", str(root),
                             "--as-of", "2026-11-26"], capture_output=True, text=True).stdout
    assert "81.3%" in report and "81.2%" not in report


def test_a_treated_share_of_fewer_than_5_referrals_reads_as_counts(tmp_path):
    """A young site's matured funnel held 2 referrals, 1 treated: the card read "50.0%", the
    funnel "2 · 100%" and "1 · 50%", while a brief gives a share only from 5 referrals on
    (PERCENT_BASE) and the trend badges a change only from a base of 5. The page now says
    "1 of 2" where there are fewer than 5, and keeps the percentages from 5 on."""
    root = ida_lone_called(tmp_path)
    referral_csv(root,
        "date,source,physician,service,status,count\n"
        "2026-06-01,physician,ida-lone,ablation,treated,1\n"   # matured: 1 of 2 treated
        "2026-06-01,physician,ida-lone,ablation,referred,1\n"
        "2026-11-01,physician,ida-lone,ablation,treated,2\n"   # the last 365 days: 3 of 5
        "2026-11-01,physician,ida-lone,ablation,scheduled,1\n")
    out = tmp_path / "site"
    build_apart(root, out)
    page = parse(out / "referrals" / "index.html")
    card = kpis(page)["Treated, matured referrals"]
    assert card.all("div", "value")[0].text() == "1 of 2"
    assert "%" not in card.text()
    charts = page.by_id("funnel").all("svg")
    for svg in charts[2:]:  # the matured funnel, stacked and side by side: counts alone
        assert "%" not in svg.text(svg=True), svg.text(svg=True)
        assert "%" not in "".join(t.text() for t in svg.all("title"))
    text = page.by_id("funnel").text()
    assert "Treated: 1 of 2 matured referrals (too few for a percentage)." in text
    # 5 referrals of the last 365 days: their share stays, 3 of 5 treated is 60.0%
    assert "Treated: 60.0% (3 of 5), the youngest still under way." in text
    for svg in charts[:2]:
        assert "3 · 60%" in svg.text(svg=True)


@pytest.mark.parametrize("rows, share", [(1, None), (4, None), (5, "80.0%")])
def test_the_physician_share_of_new_patients_needs_5_of_them(tmp_path, rows, share):
    """"Physician referrals, 365 days" read "50.0% of new patients" for 1 physician
    referral of 2 new patients; the share now shows from 5 new patients on, as the site's
    other shares (PERCENT_BASE)."""
    root = ida_lone_called(tmp_path)
    referral_csv(root,
        "date,source,physician,service,status,count\n"
        f"2026-11-01,physician,ida-lone,ablation,referred,{rows - 1 if rows > 1 else 1}\n"
        + ("2026-11-01,web,,ablation,referred,1\n" if rows > 1 else ""))
    out = tmp_path / "site"
    build_apart(root, out)
    card = kpis(parse(out / "referrals" / "index.html"))["Physician referrals, 365 days"]
    if share is None:
        assert "of new patients" not in card.text() and "%" not in card.text()
    else:
        assert f"{share} of new patients" in card.text()


@pytest.mark.parametrize("first, which", [
    ("2026-09-14", "previous 90 and 365 days"),   # 73 days of records: both periods
    ("2025-06-02", "previous 365 days"),          # 542 days: the 365 before the last 365
    ("2024-11-01", None),                         # 755 days: both periods on record
])
def test_a_comparison_reaching_back_before_the_first_referral_says_so(tmp_path, first, which):
    """A site that began recording referrals in September showed "22 vs 0 · 365 d" in green
    on the dashboard, growth that was only the records starting. Under the figures, the
    dashboard and referrals/ now say from which month referrals are on record and which
    previous periods reach back before it."""
    root = ida_lone_called(tmp_path)
    referral_csv(root,
        "date,source,physician,service,status,count\n"
        f"{first},physician,ida-lone,ablation,referred,3\n"
        "2026-11-20,physician,ida-lone,ablation,referred,2\n")
    out = tmp_path / "site"
    build_apart(root, out)
    day = dt.date.fromisoformat(first)
    for rel in ("index.html", "referrals/index.html"):
        page = parse(out / rel)
        note = page.by_id("unrecorded")
        if which is None:
            assert note is None, rel
            continue
        assert note is not None, rel
        text = note.text()
        assert f"on record from {calendar.month_name[day.month]} {day.year}:" in text, text
        for n in (90, 365):  # the first day of each previous period, as the pages write a day
            begins = D - dt.timedelta(days=2 * n - 1)
            said = (f"the previous {n} days begin {begins.strftime('%a')} {begins.day} "
                    f"{begins.strftime('%b')}{'' if begins.year == D.year else f' {begins.year}'}")
            assert (said in text) == (n == 365 or "90" in which), (said, text)


def test_the_dashboards_referrer_lists_say_how_many_they_leave_out(tmp_path):
    """With 12 lapsed referrers the dashboard's card "Lapsed referrers" listed 10 names under
    a heading without a count, and no line said that 2 more were left out: read alone (on
    paper, say), the practice had 10. The heading gives the count, and a line under a list
    cut short says so and links the referral statistics' full list."""
    root = ida_lone_called(tmp_path)
    ids = ["ida-lone"] + [f"doc-{i:02d}" for i in range(1, 12)]
    for pid in ids[1:]:
        (root / f"data/physicians/{pid}.yaml").write_text(
            f"name: Doc {pid[-2:]} Example\nspecialty: Family medicine\npractice: solo\n",
            encoding="utf-8")
    # 206 days before the as-of date: each of the 12 lapsed
    referral_csv(root,
        "date,source,physician,service,status,count\n"
        + "".join(f"2026-05-04,physician,{pid},ablation,referred,1\n" for pid in ids))
    out = tmp_path / "site"
    build_apart(root, out)
    page = parse(out / "index.html")
    card = next(s for s in page.all("section") if any(
        h.text().startswith("Lapsed referrers") for h in s.all("h2")))
    assert card.all("h2")[0].text() == "Lapsed referrers (12)"
    assert len(card.all("li")) == 10
    assert "10 of 12 shown here: all 12 on the referral statistics." in card.text()
    assert [a.attrs["href"] for a in card.all("a")][-1] == "referrals/index.html#lapsed"


@pytest.mark.parametrize("as_of, said", [
    ("2026-10-15", None),                            # October not over: nothing to say yet
    ("2026-10-31", "if October 2026 is not"),        # October over, without a referral
    ("2026-12-02", "if the 2 months since are not"),  # October and November
])
def test_whole_months_without_a_referral_at_the_end_are_said(tmp_path, as_of, said):
    """The sample site built on 1 January (its records end in November) showed December as a
    month of no referral and the last 90 days at −28%: rows not entered yet read as a
    collapse. Whole months without a referral since the last that had one are said under
    the figures, on the dashboard and referrals/."""
    root = ida_lone_called(tmp_path, "2026-06-02")
    referral_csv(root,
        "date,source,physician,service,status,count\n"
        "2026-06-01,physician,ida-lone,ablation,referred,4\n"
        "2026-09-01,web,,ablation,referred,3\n")
    out = tmp_path / "site"
    build_apart(root, out, as_of)
    for rel in ("index.html", "referrals/index.html"):
        note = parse(out / rel).by_id("none-since")
        if said is None:
            assert note is None, rel
            continue
        text = note.text()
        assert text.startswith("No referral is on record after September 2026: ") and said in text, text
