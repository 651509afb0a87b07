"""The readable report of `liaison stats` (without --json) on the second edition's worked
example at 2026-11-26. The numbers are read off the example's data (its README lists the
cases) and its expected stats.json, never off this program's output."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parent / "fixtures" / "spec-example-v2"


@pytest.fixture(scope="module")
def report() -> str:
    done, _ = _stats(EXAMPLE, "2026-11-26")
    return re.sub(r" +", " ", re.sub(r"\n {37,}", " ", done.stdout))  # a figure's note in one line


def _called_ida_lone(tmp_path):
    """A one-physician site (conftest's) whose liaison called Ida Lone on 2026-11-02."""
    from conftest import one_physician_site

    return one_physician_site(tmp_path / "root", "date: 2026-11-02\nliaison: lou\ntype: call\n"
                              "physicians: [ida-lone]\nsummary: Called the office\n")


def _run_stats(root, as_of: str) -> subprocess.CompletedProcess:
    """`liaison stats` of ``root`` at ``as_of`` in a process of its own."""
    return subprocess.run([sys.executable, "-m", "liaison", "stats", "--root", str(root),
                           "--as-of", as_of], capture_output=True, text=True)


def _stats(root, as_of: str):
    """`liaison stats` of ``root`` at ``as_of`` (``_run_stats``), which must succeed: the
    process and its text with runs of spaces made one (the columns' padding)."""
    done = _run_stats(root, as_of)
    assert done.returncode == 0, done.stderr
    return done, re.sub(r" +", " ", done.stdout)


def _referral_rows(root, rows: str) -> None:
    """Writes ``rows`` (CSV lines, count last) as the site's one referral file, under its
    header."""
    (root / "data/referrals").mkdir()
    (root / "data/referrals/rows.csv").write_text(
        "date,source,physician,service,status,count\n" + rows, encoding="utf-8")


def _lunch_of_80(tmp_path, limit: str):
    """A one-physician site (conftest's) whose liaison gave Ida Lone's office a lunch of $80
    on 2024-02-29, under an annual limit of ``limit``."""
    from conftest import one_physician_site

    return one_physician_site(tmp_path / "root", "date: 2024-02-29\nliaison: lou\ntype: lunch\n"
                              "physicians: [ida-lone]\nsummary: Lunch for the office\ncost: 80\n",
                              site_extra=f"compliance: {{annual_limit: {limit}}}\n")


def test_spend_names_its_year_for_closing_figures_asked_after_it(report):
    """`stats --as-of` a 31 December, run in the new year for that year's closing figures
    (as compliance/ says to from 1 January), read "Spend this year": the year the report
    counts is named, the as-of date's, and 1 January starts the next one at nothing."""
    _done, closing = _stats(EXAMPLE, "2026-12-31")
    _done, new_year = _stats(EXAMPLE, "2027-01-01")
    assert re.search(r"Spend in 2026 \$[\d,]+\.\d\d", closing), closing
    assert "Spend in 2027 $0.00" in new_year, new_year
    assert "this year" not in closing + new_year


def test_physician_referrals_and_other_new_patients_apart(report):
    # 40 referrals in the last 365 days, 22 from physicians (sources_365d.physician), so 18
    # others; the year before: 10, of which 6 from physicians, so 4 others.
    assert "Referrals, last 365 days 40 (40 vs 10, +300%, previous 365 days)" in report
    assert "from physicians 22 (22 vs 6, +267%, previous 365 days)" in report
    # a base under 5: counts only, no percentage
    assert "other new patients 18 (18 vs 4, previous 365 days)" in report


def test_capture_rate_over_the_referrals_that_were_asked_about(report):
    # 18 non-physician referrals, 2 of them unknown: 1 − 2/18 = 88.9%
    # its window in words, as the other lines' ("(365)" said 365 of what?)
    assert "Source capture, 365 days 88.9%" in report
    # owen-price took 6 non-physician referrals, one of them unknown; lena-brooks one
    assert "Owen Price 83.3% (5 of 6)" in report
    assert "Lena Brooks 100.0% (1 of 1)" in report


def test_outcomes_spend_and_return_on_visit(report):
    # funnel_matured: 29 referred, 14 treated (48%), 4 declined
    assert "Matured referrals 29 (90–454 days old: 48% treated, 4 declined)" in report
    # the reasons in words, as the referral statistics and the briefs name them (the keys of
    # stats.json, "not-a-candidate", "unspecified", read before)
    assert "insurance 1, not a candidate 1, no response 1, no reason given 1" in report
    assert "Return on visit 7 visits" in report
    # 2026 costs: 85.01 + 40.50 + 120 + 30 = 275.51; ruth-kessler's 120.00 is over the 100 limit
    assert "Spend in 2026 $275.51" in report
    assert "at 80% or more of the $100.00 limit: 1" in report
    assert "$120.00 Ruth Kessler (ruth-kessler)" in report
    assert "High-potential prospects (1)\n James Whitley (james-whitley)" in report


def test_a_physician_at_exactly_80_percent_is_counted_as_the_compliance_page_counts(tmp_path):
    """The compliance page lists a physician "at 80% or more"; the report said "over 80%" and
    left out one given exactly 80% of the limit ($80.00 of $100.00): 0 here, 1 there."""
    root = _lunch_of_80(tmp_path, "100")
    done, out = _stats(root, "2024-02-29")
    assert "at 80% or more of the $100.00 limit: 1" in out
    assert "$80.00 Ida Lone (ida-lone)" in out


def test_a_physician_given_exactly_the_limit_is_not_over_it(tmp_path):
    """SPEC §3 warns when a physician's spend "goes over" the annual limit: $100.00 of a
    $100.00 limit is at it, not over it (validate does not warn). The report counts them
    among those at 80% or more, and neither says ", 1 over it" nor marks them over."""
    from conftest import one_physician_site

    root = one_physician_site(tmp_path / "root", "date: 2024-02-29\nliaison: lou\ntype: lunch\n"
                              "physicians: [ida-lone]\nsummary: Lunch for the office\ncost: 100\n",
                              site_extra="compliance: {annual_limit: 100}\n")
    done, out = _stats(root, "2024-02-29")
    assert "at 80% or more of the $100.00 limit: 1\n" in out
    assert "$100.00 Ida Lone (ida-lone)\n" in out
    assert "over" not in out.split("limit:")[1].split("Top referrers")[0]


def test_those_near_the_limit_are_named_most_given_first(tmp_path):
    """README: `stats` names "the ten given the most" of those at 80% or more of the limit,
    as compliance/ lists them: Max Reed given $120.00 before Ida Lone given $90.00 (the
    alphabet and the ids would put Ida first)."""
    from conftest import one_physician_site

    root = one_physician_site(tmp_path / "root", "date: 2024-02-20\nliaison: lou\ntype: lunch\n"
                              "physicians: [ida-lone]\nsummary: Lunch for the office\ncost: 90\n",
                              site_extra="compliance: {annual_limit: 100}\n")
    (root / "data/physicians/max-reed.yaml").write_text(
        "name: Max Reed\nspecialty: Family medicine\npractice: solo\n", encoding="utf-8")
    (root / "data/interactions/second.yaml").write_text(
        "date: 2024-02-21\nliaison: lou\ntype: event\nphysicians: [max-reed]\n"
        "summary: Course seat\ncost: 120\n", encoding="utf-8")
    done, out = _stats(root, "2024-02-29")
    assert ("at 80% or more of the $100.00 limit: 2, 1 over it\n"
            " $120.00 Max Reed (max-reed) over the limit\n"
            " $90.00 Ida Lone (ida-lone)\n") in out


def test_a_limit_of_more_than_two_decimals_is_compared_exactly_as_the_compliance_page(tmp_path):
    """The compliance page compares a physician's spend with the exact limit: $80.00 of a
    limit of $100.004 is 8,000 cents < 80% of 10,000.4, not near it. The report compared
    with the limit cut to whole cents (10,000) and listed the physician: 1 here, 0 there."""
    root = _lunch_of_80(tmp_path, "100.004")
    done, out = _stats(root, "2024-02-29")
    assert "at 80% or more of the $100.004 limit: 0" in out  # written as it is compared
    assert "Ida Lone (ida-lone)" not in out.split("limit:")[1].split("Top referrers")[0]


def test_a_change_reads_as_the_site_badges_read_it(tmp_path):
    """9 physician referrals in the last 90 days against 8 before are +12.5%: the dashboard's
    badge rounds half away from zero ("+13% · 9 vs 8"), the report rounded half to even and
    said +12%; a fall of 1 in 201 is "±0" on the site, and the report said "+0%", a rise."""
    root = _called_ida_lone(tmp_path)
    _referral_rows(root, "2026-11-02,physician,ida-lone,ablation,referred,9\n"
                         "2026-08-01,physician,ida-lone,ablation,referred,8\n"
                         "2026-03-02,physician,ida-lone,ablation,referred,183\n"
                         "2025-03-02,physician,ida-lone,ablation,referred,201\n")
    done, out = _stats(root, "2026-11-26")
    assert "Referrals, last 90 days 9 (9 vs 8, +13%, previous 90 days)" in out
    assert "from physicians 200 (200 vs 201, ±0, previous 365 days)" in out


def test_a_change_from_a_base_of_five_has_its_percentage(tmp_path):
    """A percentage is left out on a base under 5 (too few to mean much), as the site's
    funnel shares are "from 5 referrals on": a base of exactly 5 has one. 6 physician referrals
    in the last 90 days against 5 in the 90 before: (6 − 5) / 5 = +20%."""
    root = _called_ida_lone(tmp_path)
    _referral_rows(root, "2026-11-02,physician,ida-lone,ablation,referred,6\n"
                         "2026-08-01,physician,ida-lone,ablation,referred,5\n")
    done, out = _stats(root, "2026-11-26")
    assert "Referrals, last 90 days 6 (6 vs 5, +20%, previous 90 days)" in out


def test_the_matured_treated_share_rounds_as_the_referral_pages_funnel(tmp_path):
    """1 treated of 8 matured referrals is 12.5%: the funnel chart of referrals/ reads
    "Treated 1 (13%)" (half away from zero), the report said "12% treated" (half to even)."""
    root = _called_ida_lone(tmp_path)
    _referral_rows(root, "2026-06-01,physician,ida-lone,ablation,treated,1\n"
                         "2026-06-01,physician,ida-lone,ablation,referred,7\n")
    done, out = _stats(root, "2026-11-26")
    assert "Matured referrals 8 (90–454 days old: 13% treated, 0 declined)" in out


def test_the_matured_treated_share_of_five_referrals_is_a_percentage(tmp_path):
    """The treated share is a percentage from 5 matured referrals on (the referral page's
    funnel: "fewer read as counts, 1 of 2"): 1 treated of exactly 5 is 20%, not "1 of 5"."""
    root = _called_ida_lone(tmp_path)
    _referral_rows(root, "2026-06-01,physician,ida-lone,ablation,treated,1\n"
                         "2026-06-01,physician,ida-lone,ablation,referred,4\n")
    done, out = _stats(root, "2026-11-26")
    assert "Matured referrals 5 (90–454 days old: 20% treated, 0 declined)" in out


def test_the_liaison_table_names_each_liaison_in_the_team_pages_words(report):
    """The table read 'lena-brooks … 3/4 12/12' under 'ref. 365d', 'open f/u', 'on cadence'
    and 'rov b/a': a record id and abbreviations the manager had to decode. It now names the
    liaison and says tier coverage and return on visit as the team page does, with a key.
    lena-brooks (expected stats): 5 physicians, 22 referrals, 8 contacts of which 5 in
    person, 3 open follow-ups (2 overdue), 3 of 4 tiered on cadence, 12 before and 12 after."""
    table = report.split("\nLiaisons\n")[1]
    header, row = table.splitlines()[:2]
    assert header.split() == ["liaison", "physicians", "referrals", "365d", "contacts", "90d",
                              "in", "person", "follow-ups", "overdue", "tier", "coverage",
                              "return", "on", "visit"]
    assert row.split() == ["Lena", "Brooks", "5", "22", "8", "5", "3", "2", "3", "of", "4",
                           "12", "→", "12"]
    assert "lena-brooks" not in table
    assert "tier coverage: their tiered physicians visited within the tier's cadence" in table


def test_the_liaison_table_lists_them_by_last_name_as_the_team_page(example_site):
    """The table went by record id (t-0003 Calia Salroson, t-0004 Wilion Marsaford, t-0005
    Jaa Barneson…), which beside names reads as no order at all; team/ lists them by last
    name, and so does the report now."""
    root = example_site
    team = root / "data" / "team"
    (team / "a-liaison.yaml").write_text("name: Zoe Young\nrole: liaison\n", encoding="utf-8")
    (team / "z-liaison.yaml").write_text("name: Ada Abbott\nrole: liaison\n", encoding="utf-8")
    done = _run_stats(root, "2026-11-26")
    assert done.returncode == 0, done.stderr
    rows = done.stdout.split("\nLiaisons\n")[1].splitlines()[1:4]
    assert [" ".join(r.split()[:2]) for r in rows] == ["Ada Abbott", "Lena Brooks", "Zoe Young"]


def test_the_liaison_table_says_what_a_hand_over_left_in_no_call_plan(example_site):
    """Lena Brooks leaves (`role: other`) and her practices go to Kim Ruiz, but nina-vargas
    names her in her own file. The table listed Kim alone: that physician was in no row and
    no call plan, with nothing to say so (its physicians summed to one less than before)."""
    from liaison.pipeline import check

    root = example_site
    (root / "data/team/kim-ruiz.yaml").write_text("name: Kim Ruiz\nrole: liaison\n")
    for path in (root / "data/practices").glob("*.yaml"):
        path.write_text(path.read_text().replace("liaison: lena-brooks", "liaison: kim-ruiz"))
    member = root / "data/team/lena-brooks.yaml"
    member.write_text(member.read_text().replace("role: liaison", "role: other"))
    head = check(root, __import__("datetime").date(2026, 11, 26)).stats
    assert head.physicians["nina-vargas"].liaison == "lena-brooks"
    n = head.physicians["nina-vargas"].referrals_365d
    _, text = _stats(root, "2026-11-26")
    table = text.split("\nLiaisons\n")[1]
    assert "Kim Ruiz" in table
    note = " ".join(table.split())
    assert (f"not in the table: 1 physician ({n} referrals 365d) whose liaison is Lena Brooks, "
            "no liaison (other): give each a `liaison:` of who takes over") in note
    assert "data-quality/" in note
    # no such line when every physician has a liaison's row
    _, text = _stats(EXAMPLE, "2026-11-26")
    assert "not in the table" not in text


def test_the_liaison_table_of_a_new_team_shows_no_return_on_visit_of_zero_nor_bare_headers(tmp_path):
    """A liaison with no visit 90 days old read "0 → 0" (a result, where team/ reads —), and
    a site with no liaison yet printed the table's header over nothing."""
    from conftest import one_physician_site

    root = one_physician_site(tmp_path / "site", "date: 2026-11-20\nliaison: lou\ntype: visit\n"
                              "practice: solo\nsummary: First visit.\n")
    done = _run_stats(root, "2026-12-05")
    assert done.returncode == 0, done.stderr
    row = done.stdout.split("\nLiaisons\n")[1].splitlines()[1]
    assert row.split()[:2] == ["Lou", "Park"] and row.split()[-1] == "\u2014", row
    (root / "data/team/lou.yaml").write_text("name: Lou Park\nrole: manager\n", encoding="utf-8")
    done = _run_stats(root, "2026-12-05")
    assert done.returncode == 0, done.stderr
    table = done.stdout.split("\nLiaisons\n")[1]
    assert "physicians" not in table and table.strip().startswith("none"), table


def test_the_report_says_what_the_pages_say_of_a_period_before_the_first_record(report):
    """The example's referrals begin in December 2024, after the 365 days before the last
    365 begin (Wed 27 Nov 2024): the dashboard and referrals/ say so under "+300%", the
    report stated the figure alone, as growth."""
    assert ("Referrals are on record from December 2024: the previous 365 days begin Wed 27 "
            "Nov 2024, before that, so its count may fall short") in report.replace("\n ", " ")


def test_the_report_says_no_referral_is_on_record_after_a_month_as_the_pages_do(tmp_path):
    """Rows entered up to September, read on 5 December: October and November hold none, so
    the last 90 days read as a collapse unless they are not entered yet; the pages say so,
    the report said "0 vs 12" alone. Its lines fit an 80-column terminal."""
    root = _called_ida_lone(tmp_path)
    _referral_rows(root, "2024-09-01,physician,ida-lone,ablation,referred,3\n"
                         "2026-08-01,physician,ida-lone,ablation,referred,6\n"
                         "2026-09-01,physician,ida-lone,ablation,referred,6\n")
    done, out = _stats(root, "2026-12-05")
    assert ("No referral is on record after September 2026: if the 2 months since are not "
            "entered yet, the last 90 days and the chart read lower than they were."
            in out.replace("\n ", " ")), out
    assert "on record from" not in out  # the records cover both previous periods
    lines = done.stdout.splitlines()
    first = next(i for i, line in enumerate(lines) if "No referral" in line)
    assert lines[first].startswith("    No referral")  # under the figures it qualifies
    assert lines[first - 1].lstrip().startswith("other new patients")
    assert all(len(line) <= 80 for line in lines[first:first + 2]), lines[first:first + 2]


def test_a_long_front_desk_name_keeps_the_capture_rates_in_one_column(example_site):
    """A name of 24 characters or more ran into its rate ("Hannah Pruitt-Vandenberghe72.4%")
    and out of the column of the others' rates."""
    root = example_site
    (root / "data/team/owen-price.yaml").write_text(
        (root / "data/team/owen-price.yaml").read_text(encoding="utf-8").replace(
            "Owen Price", "Owen Price-Vandenberghe-Oyelaran"), encoding="utf-8")
    done = _run_stats(root, "2026-11-26")
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.endswith(("(5 of 6)", "(1 of 1)"))]
    assert len(rows) == 2 and re.search(r"Owen Price-Vandenberghe-Oyelaran +83\.3%", rows[1]), rows
    assert len({r.index("%") for r in rows}) == 1, rows  # the rates end in one column


def test_large_counts_are_grouped_in_thousands_as_the_pages_write_them(tmp_path):
    """1234 referrals read "1234 vs 1000" and "Referrals 1234" where the dashboard writes
    "1,234"; a long column of ungrouped digits is hard to read at a glance."""
    root = _called_ida_lone(tmp_path)
    _referral_rows(root, "2026-11-02,physician,ida-lone,ablation,referred,1234\n"
                         "2026-08-01,physician,ida-lone,ablation,treated,1000\n")
    done, out = _stats(root, "2026-11-26")
    assert "referrals 2,234" in out
    assert "Referrals, last 90 days 1,234 (1,234 vs 1,000, +23%, previous 90 days)" in out
    assert "\n 2,234 Ida Lone (ida-lone)" in out  # top referrers
    assert not re.search(r"\d{4}", re.sub(r"\b20\d\d\b", "", out)), out  # years aside


def test_a_young_site_reads_no_outcome_nor_return_on_visit_as_zero_as_the_pages(tmp_path):
    """No referral or visit 90 days old yet: the report read "0 (… 0 of 0 treated, 0
    declined)" and "0 visits …: 0 physician referrals in the 90 days before, 0 in the 90 days
    from", results where referrals/ says "No referral is 90 days old yet." and "—, no
    in-person visit 90 to 454 days old yet"."""
    from conftest import one_physician_site

    root = one_physician_site(tmp_path / "root", "date: 2026-11-02\nliaison: lou\ntype: visit\n"
                              "physicians: [ida-lone]\nsummary: First visit\n")
    _referral_rows(root, "2026-11-10,physician,ida-lone,ablation,treated,2\n")
    done, out = _stats(root, "2026-11-26")
    assert "Matured referrals 0 (no referral is 90 days old yet)" in out
    assert "Return on visit — (no in-person visit 90 to 454 days old yet)" in out
    assert "0 of 0 treated" not in out and "0 visits" not in out


def test_the_report_fits_an_80_column_terminal_but_the_liaison_table(report):
    """Lines of 91 to 200 characters (the capture rate's note, the declined reasons, the return
    on visit, the table's key) ran past an 80-column terminal, which broke them anywhere; they
    go on below their note now, under its opening parenthesis."""
    done = _run_stats(EXAMPLE, "2026-11-26")
    text, table = done.stdout.split("\nLiaisons\n")
    rows = table.splitlines()[:2]  # the header and Lena Brooks's row: a table is not broken
    assert [line for line in text.splitlines() + table.splitlines()[2:] if len(line) > 80] == []
    capture = next(i for i, line in enumerate(text.splitlines()) if "Source capture" in line)
    first, then = text.splitlines()[capture:capture + 2]
    assert then.startswith(" " * (first.index("(") + 1)) and then.strip(), (first, then)
    assert all(len(r) > 80 for r in rows)  # (else the table would need no exception)
    # what the other tests read is the same, in one line
    assert "(referrals not from a physician whose source was asked)" in report


def test_a_group_of_referrers_names_twenty_and_counts_the_rest(tmp_path):
    """README: the new / lapsed / declining referrers are listed "20 named". 21 physicians
    whose first referral is 24 days old are all new: the heading counts 21, 20 are named and
    one more is counted."""
    root = _called_ida_lone(tmp_path)
    ids = [f"doc-{i:02d}" for i in range(1, 22)]
    for pid in ids:
        (root / f"data/physicians/{pid}.yaml").write_text(
            f"name: Dr. Test {pid}\nspecialty: Family medicine\npractice: solo\n",
            encoding="utf-8")
    _referral_rows(root, "".join(f"2026-11-02,physician,{pid},ablation,referred,1\n"
                                 for pid in ids))
    done, out = _stats(root, "2026-11-26")
    group = out.split("New referrers (21)\n")[1].split("\n\n")[0].splitlines()
    assert len([line for line in group if "(doc-" in line]) == 20, group
    assert group[-1] == " … and 1 more", group


def test_high_potential_prospects_and_top_referrers_name_only_those(tmp_path):
    """README: the report lists top referrers and high-potential prospects. Ana Ortiz (high
    potential) referred 3 this year: the one top referrer, and no prospect. Max Reed (high, no
    referral) is the one high-potential prospect; Ben Cole (low, no referral) and Ida Lone (no
    potential, no referral) are neither, and none of the three who referred nothing is a
    "top referrer" of 0."""
    root = _called_ida_lone(tmp_path)
    for pid, name, potential in (("ana-ortiz", "Ana Ortiz", "high"),
                                 ("max-reed", "Max Reed", "high"),
                                 ("ben-cole", "Ben Cole", "low")):
        (root / f"data/physicians/{pid}.yaml").write_text(
            f"name: {name}\nspecialty: Family medicine\npractice: solo\npotential: {potential}\n",
            encoding="utf-8")
    _referral_rows(root, "2026-10-02,physician,ana-ortiz,ablation,referred,3\n")
    done, out = _stats(root, "2026-11-26")
    assert "\nTop referrers (365 days)\n 3 Ana Ortiz (ana-ortiz)\n\n" in out
    assert "\nHigh-potential prospects (1)\n Max Reed (max-reed)\n\n" in out


def test_lapsed_referrers_are_listed_in_the_pages_order_most_referred_the_year_before(tmp_path):
    """The report listed new, lapsed and declining referrers by record id, so that of 850
    lapsed referrers the 20 shown were the first in the alphabet; the dashboard and
    referrals/ list those who referred most in the 365 days before first."""
    root = _called_ida_lone(tmp_path)
    counts = {"abe-first": 1, "zed-most": 9, "mia-middle": 4}
    for pid in counts:
        first, last = pid.split("-")
        (root / f"data/physicians/{pid}.yaml").write_text(
            f"name: {first.title()} {last.title()}\nspecialty: Family medicine\npractice: solo\n",
            encoding="utf-8")
    _referral_rows(root, "".join(f"2025-06-01,physician,{pid},ablation,referred,{n}\n"
                                 for pid, n in counts.items()))
    done = _run_stats(root, "2026-11-26")
    assert done.returncode == 0, done.stderr
    listed = done.stdout.split("\nLapsed referrers (3)\n")[1].split("\n\n")[0].splitlines()
    assert listed == ["  Zed Most (zed-most)", "  Mia Middle (mia-middle)",
                      "  Abe First (abe-first)"]


def test_declining_referrers_are_listed_most_referred_the_year_before_first(tmp_path):
    """README: declining referrers in the dashboard's order, who referred most the year
    before first. Both are active (last referral 24 days old) and declining (4 in the previous
    90 days, 1 in the last 90: 2 × 1 ≤ 4); Max Reed referred 5 in the year before the last
    365 days (400 days ago), Ana Ortiz 1, so Max comes first (the ids would put Ana first)."""
    root = _called_ida_lone(tmp_path)
    for pid, name in (("ana-ortiz", "Ana Ortiz"), ("max-reed", "Max Reed")):
        (root / f"data/physicians/{pid}.yaml").write_text(
            f"name: {name}\nspecialty: Family medicine\npractice: solo\n", encoding="utf-8")
    _referral_rows(root, "".join(f"2025-10-22,physician,{pid},ablation,referred,{before}\n"
                                 f"2026-08-01,physician,{pid},ablation,referred,4\n"
                                 f"2026-11-02,physician,{pid},ablation,referred,1\n"
                                 for pid, before in (("ana-ortiz", 1), ("max-reed", 5))))
    done, out = _stats(root, "2026-11-26")
    assert "\nDeclining referrers (2)\n Max Reed (max-reed)\n Ana Ortiz (ana-ortiz)\n\n" in out


def test_no_capture_rate_reads_as_the_pages_dash(tmp_path):
    """With no referral of the last 365 days that was not a physician's, the report read "n/a"
    where the dashboard and referrals/ read "—"."""
    root = _called_ida_lone(tmp_path)
    done, out = _stats(root, "2026-11-26")
    assert "Source capture, 365 days — (referrals not from a physician" in out
    assert "n/a" not in out
