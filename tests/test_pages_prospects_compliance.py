"""The prospects page, the compliance page and the liaison pages' figures (issue 12, SPEC §6),
read from sites built from the contract's second-edition worked example
(tests/fixtures/spec-example-v2) at the as-of date 2026-11-26.

Expected values are worked out here from the fixture's own files (its physicians, its
interactions' costs, its referral dates) and from the contract's expected statistics
(expected-stats-2026-11-26.json), never from the program's output.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from htmltree import Node, parse, table_rows
from liaison.dates import day_text


REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "tests" / "fixtures" / "spec-example-v2"
AS_OF = "2026-11-26"
D = dt.date.fromisoformat(AS_OF)
EXPECTED = json.loads((EXAMPLE / "expected-stats-2026-11-26.json").read_text(encoding="utf-8"))
def compliance_page(out: Path, as_of: str = AS_OF) -> Node:
    """The compliance page of the worked example built into ``out`` at ``as_of`` (the build
    must succeed)."""
    from conftest import cli

    code, _out, err = cli("build", "--root", str(EXAMPLE), "--out", str(out), "--as-of", as_of)
    assert code == 0, err
    return parse(out / "compliance" / "index.html")


def headers(table: Node) -> list[str]:
    return [th.text() for th in table.all("thead")[0].all("th")]


# ---------------------------------------------------------------------------------------------
# building


def build(root: Path, out: Path) -> Path:
    env = dict(os.environ, LIAISON_CACHE_DIR=str(out.parent / "cache"))
    proc = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "build", "--root", str(root), "--out", str(out),
         "--as-of", AS_OF], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def copy_example(dest: Path) -> Path:
    shutil.copytree(EXAMPLE, dest)
    for p in [dest, *dest.rglob("*")]:
        p.chmod(p.stat().st_mode | 0o700 if p.is_dir() else p.stat().st_mode | 0o600)
    return dest


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    """The worked example, built once."""
    return build(EXAMPLE, tmp_path_factory.mktemp("v2") / "site")


# ---------------------------------------------------------------------------------------------
# the fixture's data, read independently of the program


def _yaml_records(folder: Path) -> list[dict]:
    out = []
    for p in sorted([*folder.rglob("*.yaml"), *folder.rglob("*.yml")]):
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        out.extend(data if isinstance(data, list) else [data])
    return out


def _date(v) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))


def physicians(root: Path = EXAMPLE) -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted((root / "data" / "physicians").iterdir())}


def practices(root: Path = EXAMPLE) -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted((root / "data" / "practices").iterdir())}


def interactions(root: Path = EXAMPLE) -> list[dict]:
    return _yaml_records(root / "data" / "interactions")


def referral_dates(root: Path = EXAMPLE) -> dict[str, list[dt.date]]:
    """Physician -> the dates of their referrals (age ≥ 0)."""
    out: dict[str, list[dt.date]] = {}
    rows = _yaml_records(root / "data" / "referrals")
    for p in sorted((root / "data" / "referrals").rglob("*.csv")):
        with p.open(encoding="utf-8-sig", newline="") as f:
            rows.extend(csv.DictReader(f))
    for r in rows:
        if r.get("physician") and _date(r["date"]) <= D:
            out.setdefault(r["physician"], []).append(_date(r["date"]))
    return out


def status_of(pid: str, root: Path = EXAMPLE) -> str:
    """SPEC §4 status, from the referral dates and site.yaml's thresholds."""
    site = yaml.safe_load((root / "site.yaml").read_text(encoding="utf-8"))
    th = site.get("thresholds", {})
    dates = referral_dates(root).get(pid)
    if not dates:
        return "prospect"
    if (D - min(dates)).days < th.get("new_within_days", 90):
        return "new"
    if (D - max(dates)).days >= th.get("lapsed_after_days", 90):
        return "lapsed"
    return "active"


def cents_2026() -> tuple[dict[str, int], dict[str, int], dict[str, list[tuple]]]:
    """SPEC §4 Spend by hand: each physician's and practice's share of the costs of the
    interactions dated in D's year up to D; each physician's (date, share, cost, n)."""
    docs = physicians()
    by_doc: dict[str, int] = {}
    by_practice: dict[str, int] = {}
    items: dict[str, list[tuple]] = {}
    for r in interactions():
        date = _date(r["date"])
        if "cost" not in r or date > D or date.year != D.year:
            continue
        c = int(Decimal(str(r["cost"])) * 100)
        listed = list(dict.fromkeys(r.get("physicians", [])))
        n = len(listed)
        for i, pid in enumerate(listed):
            share = c // n + (1 if i < c % n else 0)
            by_doc[pid] = by_doc.get(pid, 0) + share
            items.setdefault(pid, []).append((date, share, c, n))
        if r.get("practice"):
            by_practice[r["practice"]] = by_practice.get(r["practice"], 0) + c
        else:
            pracs = list(dict.fromkeys(docs[p]["practice"] for p in listed))
            for i, prac in enumerate(pracs):
                k = len(pracs)
                by_practice[prac] = by_practice.get(prac, 0) + c // k + (1 if i < c % k else 0)
    return by_doc, by_practice, items


def money(c: int) -> str:
    return f"${c // 100:,}.{c % 100:02d}"


# ---------------------------------------------------------------------------------------------
# prospects/


def test_prospects_lists_the_physicians_who_never_referred(example):
    doc = parse(example / "prospects" / "index.html")
    docs = physicians()
    expected = sorted(p for p in docs if status_of(p) == "prospect")
    assert expected == ["james-whitley"]  # his only referral is dated after the as-of date
    table = doc.by_id("prospect-table")
    assert table is not None and "data-table" in table.attrs
    assert headers(table)[:5] == ["#", "Physician", "Potential", "Tier", "Last contact"]
    rows = table_rows(table)
    names = [r[1].text() for r in rows]
    assert names == [f"{docs[p]['name']}, {docs[p]['credentials']}" for p in expected]

    james = dict(zip(headers(table), rows[0]))
    assert james["Potential"].text() == docs["james-whitley"]["potential"]
    assert james["Tier"].text() == docs["james-whitley"]["tier"]
    for place in docs["james-whitley"]["refers_elsewhere"]:
        assert place in james["Refers to today"].text()
    assert james["Specialty"].text() == docs["james-whitley"]["specialty"]
    assert james["Practice"].text() == practices()[docs["james-whitley"]["practice"]]["name"]
    # no interaction lists him (the 2026-11-19 visit names only the practice): never contacted
    assert not any("james-whitley" in r.get("physicians", []) for r in interactions())
    assert "never" in james["Last contact"].text()
    # neither he nor his practice has a liaison
    assert "liaison" not in docs["james-whitley"]
    assert "liaison" not in practices()[docs["james-whitley"]["practice"]]
    assert james["Liaison"].text() == "none"
    # every sortable column sorts by a value: the potential's and the tier's rank
    assert james["Potential"].attrs["data-value"] == "1"
    assert james["Last contact"].attrs["data-value"] == ""


def test_lapsed_referrers_are_a_separate_win_back_table(example):
    doc = parse(example / "prospects" / "index.html")
    docs = physicians()
    lapsed = sorted(p for p in docs if status_of(p) == "lapsed")
    assert lapsed == ["alan-cho"]  # last referral at age 120, lapsed_after_days 120
    table = doc.by_id("win-back-table")
    rows = table_rows(table)
    cells = dict(zip(headers(table), rows[0]))
    assert cells["Physician"].text().startswith(docs["alan-cho"]["name"])
    last = max(referral_dates()["alan-cho"])
    assert cells["Last referral"].attrs["data-value"] == last.isoformat()
    assert f"{(D - last).days} days ago" in cells["Last referral"].text()
    assert cells["Referrals ever"].text() == str(EXPECTED["physicians"]["alan-cho"]["referrals"])
    assert cells["Potential"].text() == docs["alan-cho"]["potential"]
    # its dates read as the site's other tables write theirs ("Fri 28 Aug", the ISO date in
    # the <time> and the sort value), not "2026-08-28" beside "90 days ago"
    for column in ("Last referral", "Last contact"):
        times = cells[column].all("time")
        assert len(times) == 1 and times[0].attrs["datetime"] == cells[column].attrs["data-value"]
        assert not re.search(r"\b20[0-9]{2}-[0-9]{2}", cells[column].text()), cells[column].text()
    assert cells["Last referral"].text().startswith(f"{last:%a} {last.day} {last:%b}")
    # a lapsed physician is not a prospect, and no active or new one is in either table
    prospect_names = [r[1].text() for r in table_rows(doc.by_id("prospect-table"))]
    assert not any(n.startswith(docs["alan-cho"]["name"]) for n in prospect_names)


def _add(root: Path, kind: str, name: str, text: str) -> None:
    (root / "data" / kind / name).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def ranked_site(tmp_path_factory) -> tuple[Path, Path]:
    """The worked example plus prospects that test every step of the ranking, some of them
    lena-brooks's (the example's only liaison)."""
    base = tmp_path_factory.mktemp("ranked")
    root = copy_example(base / "root")
    prac = "french-broad-podiatry"  # its liaison is lena-brooks
    for pid, fields in {
        "hana-aoki": "potential: high\ntier: A\n",
        "ben-ortiz": "potential: high\ntier: B\nrefers_elsewhere: [Valley Vein Center]\n",
        "cleo-dunn": "potential: high\ntier: B\n",
        "dev-patel": "potential: medium\ntier: A\n",
        "eva-ruiz": "tier: A\n",
        "finn-walsh": "potential: high\n",
        "gus-lee": "potential: low\ntier: A\nliaison: owen-price\n",
    }.items():
        name = " ".join(w.capitalize() for w in pid.split("-"))
        _add(root, "physicians", f"{pid}.yaml",
             f"name: {name}\nspecialty: Podiatry\npractice: {prac}\n{fields}")
    # contacts: hana-aoki 6 days ago; cleo-dunn 300 days ago; ben-ortiz never
    _add(root, "interactions", "ranking.yaml",
         "- date: 2026-11-20\n  liaison: lena-brooks\n  type: call\n  physicians: [hana-aoki]\n"
         "  summary: Called Dr. Aoki.\n"
         "- date: 2026-01-30\n  liaison: lena-brooks\n  type: email\n  physicians: [cleo-dunn]\n"
         "  summary: Wrote to Dr. Dunn.\n")
    return root, build(root, base / "site")


def test_prospects_are_ranked_by_potential_tier_and_time_since_contact(ranked_site):
    _root, site = ranked_site
    rows = table_rows(parse(site / "prospects" / "index.html").by_id("prospect-table"))
    names = [r[1].text().split(",")[0] for r in rows]
    # high before medium before low before not rated; within high: tier A, then B (never
    # contacted first: Ben Ortiz and James Whitley by name, then Cleo Dunn, 300 days ago),
    # then no tier
    assert names == ["Hana Aoki", "Ben Ortiz", "James Whitley", "Cleo Dunn", "Finn Walsh",
                     "Dev Patel", "Gus Lee", "Eva Ruiz"]
    assert [r[0].text() for r in rows] == [str(i) for i in range(1, len(rows) + 1)]
    assert [r[2].attrs["data-value"] for r in rows] == ["1", "1", "1", "1", "1", "2", "3", "4"]
    assert "not rated" in rows[-1][2].text()


def _with_ann_young_and_zoe_abbott(tmp_path, kind: str, interactions: str, site_extra: str = ""):
    """The context of the page ``kind`` of a one-physician site (Ida Lone) given two more
    physicians whose first names and last names sort the other way round."""
    from conftest import one_physician_site
    from liaison import pages
    from liaison.pipeline import check

    root = one_physician_site(tmp_path / "site", interactions, site_extra)
    for pid, name in [("ann", "Ann Young"), ("zoe", "Zoe Abbott")]:
        (root / "data" / "physicians" / f"{pid}.yaml").write_text(
            f"name: {name}\nspecialty: Family medicine\npractice: solo\n", encoding="utf-8")
    as_of = dt.date(2026, 12, 5)
    checked = check(root, as_of, keep_records=True)
    assert checked.ok
    view = pages.SiteView(checked.site, checked.stats, as_of)
    return pages.context(view, next(p for p in pages.plan(view) if p.kind == kind))


def test_prospects_in_equal_standing_come_by_last_name(tmp_path):
    """Prospects equal in potential, volume, tier and last contact were ranked by the name as
    written, the first name first ("Ann Young" before "Zoe Abbott"), where the directories
    list them by last name; so was return on visit's ranking."""
    found = _with_ann_young_and_zoe_abbott(tmp_path, "prospects", (
        "- {date: 2026-11-02, liaison: lou, type: call, practice: solo, "
        "summary: Called the office.}\n"))
    assert [r["name"] for r in found["prospects"]] == ["Zoe Abbott", "Ida Lone", "Ann Young"]


def test_physicians_given_the_same_come_by_last_name_on_the_compliance_page(tmp_path):
    """Two physicians given the same amount (one lunch shared) were listed by the name as
    written, "Ann Young" before "Zoe Abbott"; by last name, as every list of people."""
    found = _with_ann_young_and_zoe_abbott(tmp_path, "compliance", (
        "- {date: 2026-11-02, liaison: lou, type: lunch, practice: solo, "
        "physicians: [ann, zoe], cost: 60, summary: Lunch.}\n"),
        "compliance:\n  annual_limit: 100\n")
    assert [r["name"] for r in found["rows"]] == ["Zoe Abbott", "Ann Young"]


def test_call_plans_list_their_high_potential_prospects(ranked_site, example):
    _root, site = ranked_site
    page = parse(site / "team" / "lena-brooks" / "index.html")
    section = next(s for s in page.all("section")
                   if s.all("h2") and s.all("h2")[0].text().startswith("High-potential prospects"))
    items = [li.text() for li in section.all("ul")[0].all("li")]
    # lena-brooks's (through French Broad Podiatry) with potential high, in the ranking's
    # order; not James Whitley (no liaison), Dev Patel (medium), Gus Lee (owen-price's)
    assert [t.split(" (")[0] for t in items] == ["Hana Aoki", "Ben Ortiz", "Cleo Dunn",
                                                 "Finn Walsh"]
    assert all("never referred" in t for t in items)
    assert "refers to Valley Vein Center today" in items[1]
    # the physician's own last contact, said to be theirs: under the practice's name it read
    # "Pinecrest · last contact Wed 28 Oct" below the practice's heading "· last contact Mon
    # 23 Nov" (a call that named another of its physicians), two last contacts of one office
    assert "no contact with them yet" in items[1]
    # (the date as the call plan's other dates read: "Visit planned Thu 3 Dec.", not 2026-11-20)
    assert "last contact with them Fri 20 Nov (6 days ago)" in items[0]
    # the words say that order: Hana Aoki, 6 days ago, comes before Ben Ortiz, never contacted
    # (they said "longest without contact first")
    said = section.all("p")[0].text()
    assert "longest without contact first" not in said
    assert "in the order of the prospects page" in said
    # the call plan itself labels them too
    plan = next(s for s in page.all("section") if s.all("h2")[0].text() == "Call plan")
    assert "high-potential prospect" in plan.text()
    # the worked example's liaison has none: the section says so
    page = parse(example / "team" / "lena-brooks" / "index.html")
    section = next(s for s in page.all("section")
                   if s.all("h2")[0].text().startswith("High-potential prospects"))
    assert "(0)" in section.all("h2")[0].text()
    assert section.all("p", "empty")


def _laurel_park(tmp_path: Path) -> Path:
    """The worked example with Laurel Park Clinic (Lena Brooks's) and its four physicians, none
    visited or rated: Ada Zeller, Bo Young, Cy Xu, Di Walsh."""
    root = copy_example(tmp_path / "root")
    (root / "data/practices/laurel-park-clinic.yaml").write_text(
        "name: Laurel Park Clinic\ncity: Asheville\nstate: NC\nliaison: lena-brooks\n")
    for pid, name in (("ada-zeller", "Ada Zeller"), ("bo-young", "Bo Young"),
                      ("cy-xu", "Cy Xu"), ("di-walsh", "Di Walsh")):
        (root / f"data/physicians/{pid}.yaml").write_text(
            f"name: {name}\nspecialty: Family Medicine\npractice: laurel-park-clinic\n")
    return root


def _laurel_park_plan(root: Path, tmp_path: Path) -> list:
    """The <li> of Laurel Park Clinic's physicians in Lena Brooks's built call plan."""
    site = build(root, tmp_path / "site")
    page = parse(site / "team" / "lena-brooks" / "index.html")
    plan = next(s for s in page.all("section") if s.all("h2")[0].text() == "Call plan")
    heads = plan.all("h3")
    group = next(i for i, h in enumerate(heads) if h.text().startswith("Laurel Park Clinic"))
    return plan.all("ul")[group].all("li")


def test_a_call_plans_physicians_in_equal_need_come_by_last_name(tmp_path):
    """Physicians who need their liaison equally come by last name, as in the directories, not
    by their file names (first name first): a practice of four, none visited or rated."""
    items = _laurel_park_plan(_laurel_park(tmp_path), tmp_path)
    names = [li.all("a")[0].text() for li in items]
    assert names == ["Di Walsh", "Cy Xu", "Bo Young", "Ada Zeller"]


def test_a_call_plans_physicians_in_equal_need_come_by_referrals_then_last_name(tmp_path):
    """Of physicians who need their liaison equally, the one who referred the most in the last
    365 days comes first (a group of 225 showed its top referrer 63rd, folded, by name): Bo
    Young with two, Cy Xu with one, then the others by last name."""
    root = _laurel_park(tmp_path)
    (root / "data/referrals/laurel.csv").write_text(
        "date,source,physician,service,status\n2026-10-10,physician,bo-young,vein-ablation,treated\n"
        "2026-10-11,physician,cy-xu,vein-ablation,treated\n2026-10-12,physician,bo-young,vein-ablation,treated\n")
    items = _laurel_park_plan(root, tmp_path)
    names = [li.all("a")[0].text() for li in items]
    assert names == ["Bo Young", "Cy Xu", "Di Walsh", "Ada Zeller"], names
    # equal need: new referrers and prospects, none overdue, declining or lapsed
    assert not any(w in li.text() for li in items for w in ("overdue", "declining", "lapsed"))
    assert "new referrer" in items[0].text() and "new referrer" in items[1].text()


def test_a_call_plan_folds_a_large_practices_physicians_after_the_first_ten(tmp_path):
    """A group of 250 physicians listed all 225 of its liaison's there in the call plan (about
    6,550 px on a desktop) before the next practice: the ten who need them most show, the
    others fold under one line; a practice of a few is listed whole."""
    root = copy_example(tmp_path / "root")
    (root / "data/practices/laurel-park-clinic.yaml").write_text(
        "name: Laurel Park Clinic\ncity: Asheville\nstate: NC\nliaison: lena-brooks\n")
    for i in range(14):
        tier = "tier: A\n" if i % 2 else ""  # seven with a visit overdue (tier A, never visited)
        (root / f"data/physicians/laurel-{i:02}.yaml").write_text(
            f"name: Pat Laurel{chr(65 + i)}\nspecialty: Family Medicine\npractice: laurel-park-clinic\n"
            + tier)
    site = build(root, tmp_path / "site")
    doc = (site / "team" / "lena-brooks" / "index.html").read_text(encoding="utf-8")
    start = doc.index(">Laurel Park Clinic</a>")
    group = doc[start:doc.index("<h3>", start) if "<h3>" in doc[start:] else doc.index("</section>", start)]
    shown, _, folded = group.partition('<details class="more-plan">')
    assert folded, "no fold"
    assert shown.count("<li>") == 10 and folded.count("<li>") == 4
    assert "4 more physicians at Laurel Park Clinic" in folded
    # the seven overdue first (by last name), then three of the others
    names = re.findall(r'>(Pat Laurel\w)</a>', shown)
    assert names[:7] == [f"Pat Laurel{chr(65 + i)}" for i in range(1, 14, 2)], names
    assert "more-plan" not in doc[:start]  # the example's practices are listed whole


def test_a_practice_without_physicians_is_in_its_liaisons_call_plan(tmp_path):
    """A new office, its practice file written and no physician yet, was in nobody's call plan:
    its liaison had it nowhere to visit."""
    root = copy_example(tmp_path / "root")
    (root / "data/practices/laurel-park-clinic.yaml").write_text(
        "name: Laurel Park Clinic\ncity: Asheville\nstate: NC\nliaison: lena-brooks\n"
        "best_visit_times: Tuesdays after 2 pm\n")
    site = build(root, tmp_path / "site")
    page = parse(site / "team" / "lena-brooks" / "index.html")
    plan = next(s for s in page.all("section") if s.all("h2")[0].text() == "Call plan")
    head = next(h for h in plan.all("h3") if h.text().startswith("Laurel Park Clinic"))
    assert "best: Tuesdays after 2 pm" in head.text()
    assert head.text().startswith("Laurel Park Clinic · Asheville · best")  # (days go by area)
    assert "No physician on record at this practice yet" in plan.text()
    for member in sorted(p.name for p in (site / "team").iterdir() if p.is_dir()):
        if member != "lena-brooks":
            assert "Laurel Park Clinic" not in (site / "team" / member / "index.html").read_text(
                encoding="utf-8"), member


def test_a_call_plan_shows_the_visits_planned_and_those_missed(tmp_path):
    """A visit planned at a practice's last interaction was only in the calendars: the call
    plan said nothing of it, nor of one whose day passed with no contact since. The plan stands
    until the next interaction with the practice (Mountain View's visit of 27 Oct planned one
    for 24 Nov, and the call of 26 Nov took its place)."""
    root = copy_example(tmp_path / "root")
    for pid, name, doc in (("laurel-park-clinic", "Laurel Park Clinic", "ada-zeller"),
                           ("oak-hill-clinic", "Oak Hill Clinic", "bo-young")):
        (root / f"data/practices/{pid}.yaml").write_text(
            f"name: {name}\ncity: Asheville\nstate: NC\nliaison: lena-brooks\n")
        (root / f"data/physicians/{doc}.yaml").write_text(
            f"name: {doc.replace('-', ' ').title()}\nspecialty: Family Medicine\n"
            f"practice: {pid}\n")
    (root / "data/interactions/2026/11/plans.yaml").write_text(
        "- {date: 2026-11-02, type: visit, liaison: lena-brooks, practice: laurel-park-clinic,\n"
        "   summary: Met the front desk., next_visit: 2026-11-16}\n"
        "- {date: 2026-11-20, type: call, liaison: lena-brooks, practice: oak-hill-clinic,\n"
        "   summary: Booked a lunch., next_visit: 2026-12-03}\n")
    site = build(root, tmp_path / "site")
    page = parse(site / "team" / "lena-brooks" / "index.html")
    plan = next(s for s in page.all("section") if s.all("h2")[0].text() == "Call plan")
    heads = [h.text() for h in plan.all("h3")]
    # each practice's last contact reads as its plan does ("Mon 16 Nov"), not "2026-11-02"
    assert any(h.startswith("Laurel Park Clinic") and "last contact Mon 2 Nov" in h for h in heads), heads
    assert not any(re.search(r"\d{4}-\d\d-\d\d", h) for h in heads), heads
    plans = {heads[i].split(" · ")[0].replace(" Log a visit", ""): p.text()
             for i, p in enumerate(_group_plans(plan)) if p is not None}
    assert plans == {
        "Laurel Park Clinic": "planned visit missed It was planned for Mon 16 Nov; "
                              "no contact since.",
        "Oak Hill Clinic": "Visit planned Thu 3 Dec."}
    # a missed plan needs the liaison as a visit overdue does: Laurel Park, whose physician
    # has nothing else against them, comes among the practices of that need, before Oak Hill
    assert heads.index(next(h for h in heads if h.startswith("Laurel Park"))) < \
        heads.index(next(h for h in heads if h.startswith("Oak Hill")))
    said = page.text()
    assert "overdue visits and planned visits missed" in said
    # the practices' briefs say it under their last contact
    notes = {pid: _kpis(parse(site / "practices" / pid / "index.html"))["Last contact"].text()
             for pid in ("laurel-park-clinic", "oak-hill-clinic", "mountain-view-family-medicine")}
    assert notes["laurel-park-clinic"].endswith("24 days ago · planned visit missed Mon 16 Nov")
    assert notes["oak-hill-clinic"].endswith("6 days ago · visit planned Thu 3 Dec")
    assert "planned" not in notes["mountain-view-family-medicine"]


def _group_plans(plan: Node) -> list:
    """Each practice group's planned-visit line of a call plan (None where it has none)."""
    out = []
    for node in plan.children:
        if not isinstance(node, Node):
            continue
        if node.tag == "h3":
            out.append(None)
        elif node.tag == "p" and "plan" in node.classes and out:
            out[-1] = node
    return out


# ---------------------------------------------------------------------------------------------
# liaison pages: tier coverage, visits per week, return on visit


def _kpis(page: Node) -> dict[str, Node]:
    return {k.all("div", "label")[0].text(): k for k in page.all("div", "kpi")}


def test_a_liaison_without_a_matured_visit_has_no_return_on_visit_yet(tmp_path):
    """A new liaison (one visit, 17 days old) read "0 → 0, over 0 visits": a result, where
    there is nothing yet to compare."""
    from conftest import one_physician_site

    root = one_physician_site(tmp_path / "root", "date: 2024-02-12\nliaison: lou\ntype: visit\n"
                                                 "physicians: [ida-lone]\nsummary: First visit\n")
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--root", str(root),
                           "--out", str(tmp_path / "site"), "--as-of", "2024-02-29"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    page = parse(tmp_path / "site" / "team" / "lou" / "index.html")
    rov = _kpis(page)["Return on visit"]
    assert rov.all("div", "value")[0].text() == "\u2014"
    assert "no in-person visit 90 to 454 days old yet" in rov.text()
    assert "\u2192" not in rov.text() and not page.all("p", "explain")
    row = (tmp_path / "site" / "team" / "index.html").read_text(encoding="utf-8")
    assert "0 \u2192 0" not in row and "\u2014<br><small>0 visits" in row


def test_liaison_page_shows_coverage_visits_per_week_and_return_on_visit(example):
    page = parse(example / "team" / "lena-brooks" / "index.html")
    s = EXPECTED["liaisons"]["lena-brooks"]
    kpis = _kpis(page)
    coverage = kpis["Tier coverage"]
    assert coverage.all("div", "value")[0].text() == f"{s['tiered_current']} of {s['tiered']}"
    assert s["tiered"] < 5 and "%" not in coverage.text()  # too few for a percentage
    visits = kpis["Visits per week"]
    assert visits.all("div", "value")[0].text() == f"{s['in_person_90d'] * 7 / 90:.1f}"
    assert "last 90 days" in visits.text()
    rov = s["rov_365d"]
    assert kpis["Return on visit"].all("div", "value")[0].text() == f"{rov['before']} → {rov['after']}"
    explain = page.all("p", "explain")[0].text()
    assert f"{rov['visits']} in-person visits" in explain
    assert f"({rov['before']} in all)" in explain and f"({rov['after']})" in explain


def test_tier_coverage_percentage_from_five_tiered_physicians(ranked_site):
    _root, site = ranked_site
    page = parse(site / "team" / "lena-brooks" / "index.html")
    coverage = _kpis(page)["Tier coverage"]
    value = coverage.all("div", "value")[0].text()
    current, tiered = (int(x) for x in value.split(" of "))
    assert tiered >= 5  # the example's 4 and the added tiered physicians of French Broad
    assert f"{(200 * current + tiered) // (2 * tiered)}% of tiered physicians" in coverage.text()
    team = parse(site / "team" / "index.html")
    cells = [c.text() for c in table_rows(team.all("table")[0])[0]]
    assert cells[0] == "Lena Brooks" and cells[2].startswith(value)


def test_tier_coverage_rounds_half_away_from_zero_as_the_other_percentages(tmp_path):
    """5 of 8 tiered physicians seen on cadence is 62.5%: the tier coverage read 62% (half to
    even) where every other whole percentage of the site (trend badges, funnels, shares)
    reads 63%."""
    from conftest import one_physician_site

    listed = ", ".join(f"doc-{k}" for k in range(5))
    root = one_physician_site(tmp_path / "root", f"date: 2026-11-20\nliaison: lou\ntype: visit\n"
                              f"practice: solo\nphysicians: [{listed}]\nsummary: Met five of them\n")
    (root / "data/practices/solo.yaml").write_text("name: Solo Clinic\nliaison: lou\n",
                                                    encoding="utf-8")
    (root / "data/physicians/ida-lone.yaml").unlink()
    for k in range(8):
        (root / f"data/physicians/doc-{k}.yaml").write_text(
            f"name: Doc Number{k}\nspecialty: Family medicine\npractice: solo\ntier: A\n",
            encoding="utf-8")
    site = build(root, tmp_path / "site")
    coverage = _kpis(parse(site / "team" / "lou" / "index.html"))["Tier coverage"]
    assert coverage.all("div", "value")[0].text() == "5 of 8"
    assert "63% of tiered physicians" in coverage.text()
    assert "5 of 8 (63%)" in parse(site / "team" / "index.html").text()


def test_team_index_shows_each_liaisons_figures(example):
    team = parse(example / "team" / "index.html")
    table = team.all("table")[0]
    assert headers(table)[:5] == ["Name", "Physicians", "Tier coverage", "Visits / week",
                                  "Return on visit"]
    liaisons = [k for k, v in sorted(EXPECTED["liaisons"].items())]
    rows = table_rows(table)
    assert [r[0].text() for r in rows] == ["Lena Brooks"] == [
        yaml.safe_load((EXAMPLE / "data" / "team" / f"{t}.yaml").read_text())["name"]
        for t in liaisons]
    s = EXPECTED["liaisons"]["lena-brooks"]
    assert rows[0][3].text() == f"{s['in_person_90d'] * 7 / 90:.1f}"
    assert rows[0][4].text().startswith(f"{s['rov_365d']['before']} → {s['rov_365d']['after']}")


# ---------------------------------------------------------------------------------------------
# compliance/


def test_compliance_page_lists_spend_against_the_limit(example):
    page = parse(example / "compliance" / "index.html")
    site = yaml.safe_load((EXAMPLE / "site.yaml").read_text(encoding="utf-8"))
    limit = Decimal(str(site["compliance"]["annual_limit"]))
    limit_cents = int(limit * 100)
    head = page.all("div", "page-head")[0].text()
    assert f"${limit:,.2f}" in head and str(D.year) in head
    # "(to Thu 26 Nov)", the as-of date as every page's heading says it
    assert f"(to {D:%a} {D.day} {D:%b})" in head
    assert page.all("div", "page-head")[0].all("time")[0].attrs["datetime"] == D.isoformat()
    by_doc, by_practice, items = cents_2026()
    assert by_doc["ruth-kessler"] > limit_cents  # the example's case
    # the statistics agree with the hand count
    assert by_doc == {k: v["spend_ytd_cents"] for k, v in EXPECTED["physicians"].items()
                      if v["spend_ytd_cents"]}
    near = lambda pid: by_doc[pid] * 100 >= 80 * limit_cents  # noqa: E731
    expected = sorted(by_doc, key=lambda p: (not near(p), -by_doc[p], p))
    docs = physicians()
    spends = page.all("li", "spend")
    assert [li.all("strong")[0].text() for li in spends] == [docs[p]["name"] for p in expected]
    assert expected[0] == "ruth-kessler"
    for li, pid in zip(spends, expected):
        text = li.text()
        assert f"{money(by_doc[pid])} of ${limit:,.2f}" in text
        assert f"{by_doc[pid] * 100 // limit_cents}%" in text
        assert ("over the limit" in text) == (by_doc[pid] > limit_cents)
        assert li.all("svg", "meter"), "a meter per physician"
        listed = li.all("ul", "cost-list")[0].all("li")
        assert len(listed) == len(items[pid])
        for entry, (date, share, cost, n) in zip(listed, sorted(items[pid], reverse=True)):
            t = entry.text()
            # the date as people read it ("Fri 6 Nov"; it read "2026-11-06"), ISO on its <time>
            when = entry.all("time")[0]
            assert when.attrs["datetime"] == date.isoformat() and t.startswith(when.text())
            assert when.text() == day_text(date, date) and money(share) in t
            assert (f"shared by {n}" in t) == (n > 1) and (n == 1 or money(cost) in t)
            assert entry.hrefs()[0] == f"../activity/{date:%Y-%m}/index.html"
    ruth = spends[0]
    assert "over the limit" in ruth.text()
    assert f"{money(by_doc['ruth-kessler'] - limit_cents)} over" in ruth.text()
    # the 2026-12-01 lunch (after the as-of date) is not listed
    assert "2026-12-01" not in ruth.text()
    # practices: every practice given anything, most first
    table = page.by_id("practice-spend-table")
    rows = table_rows(table)
    prac = practices()
    order = sorted(by_practice, key=lambda p: (-by_practice[p], prac[p]["name"]))
    assert [r[0].text() for r in rows] == [prac[p]["name"] for p in order]
    assert [r[1].text() for r in rows] == [money(by_practice[p]) for p in order]
    # the note: the validate warning is the same rule
    assert "liaison validate" in page.text() and "same rule" in page.text()
    # the navigation has the page
    assert "../compliance/index.html" in page.all("nav")[0].hrefs()
    assert "compliance/index.html" in parse(example / "index.html").all("nav")[0].hrefs()


def test_no_compliance_page_without_compliance_in_site_yaml(tmp_path):
    root = copy_example(tmp_path / "root")
    text = (root / "site.yaml").read_text(encoding="utf-8")
    text, n = re.subn(r"(?m)^compliance:\n(?:[ #].*\n)+", "", text)
    assert n == 1 and "compliance" not in text
    (root / "site.yaml").write_text(text, encoding="utf-8")
    site = build(root, tmp_path / "site")
    assert not (site / "compliance").exists()
    for page in site.rglob("*.html"):
        assert "compliance/index.html" not in page.read_text(encoding="utf-8"), page
    assert (site / "prospects" / "index.html").is_file()


FIRST_EDITION = REPO / "tests" / "fixtures" / "spec-example"


def test_lunches_without_a_cost_are_not_nothing_given(tmp_path):
    """A site written for the first edition (no `cost` anywhere) that sets the limit, as an
    upgrading team does first: its lunches of the year are not "nothing given" on the briefs
    and the compliance page, which count them, worked out from the fixture's files."""
    root = tmp_path / "root"
    shutil.copytree(FIRST_EDITION, root)
    with (root / "site.yaml").open("a", encoding="utf-8") as f:
        f.write("compliance:\n  annual_limit: 100\n")
    lunches = [r for r in interactions(root) if r["type"] == "lunch" and "cost" not in r
               and _date(r["date"]) <= D and _date(r["date"]).year == D.year]
    listed = [r for r in lunches if r.get("physicians")]
    assert listed, "the first edition's example has lunches of the as-of year"
    site = build(root, tmp_path / "site")

    def said(n: int) -> str:
        return f"{n} lunch{'es' if n != 1 else ''} of {D.year} record{'s' if n == 1 else ''} no cost"

    page = parse(site / "compliance" / "index.html").text()
    assert said(len(listed)) in page, page
    for pid in physicians(root):
        n = sum(1 for r in lunches if pid in r.get("physicians", []))
        card = parse(site / "physicians" / pid / "index.html").all("section", "spend-card")[0]
        assert (said(n) in card.text()) == bool(n), (pid, card.text())
        assert ("Nothing given this year." in card.text()) == (not n), (pid, card.text())
    for prac in practices(root):
        n = sum(1 for r in lunches if r.get("practice") == prac)
        card = parse(site / "practices" / prac / "index.html").all("section", "spend-card")[0]
        assert (said(n) in card.text()) == bool(n), (prac, card.text())


def test_eighty_percent_of_the_limit_is_the_boundary(tmp_path):
    root = copy_example(tmp_path / "root")
    # limit 100: 80.00 is 80% (listed first), 79.99 is not (79%, listed by spend)
    _add(root, "interactions", "boundary.yaml",
         "- date: 2026-11-02\n  liaison: lena-brooks\n  type: lunch\n  physicians: [james-whitley]\n"
         "  summary: Lunch at 80 percent.\n  cost: 80.00\n"
         "- date: 2026-11-03\n  liaison: lena-brooks\n  type: lunch\n  physicians: [alan-cho]\n"
         "  summary: Lunch just under 80 percent.\n  cost: 79.99\n")
    site = build(root, tmp_path / "site")
    spends = parse(site / "compliance" / "index.html").all("li", "spend")
    names = [li.all("strong")[0].text() for li in spends]
    assert names[:2] == ["Ruth Kessler", "James Whitley"]  # over the limit, then at 80%
    assert names[2] == "Alan Cho"  # more than anyone below 80%, so first of the rest
    james, alan = spends[1], spends[2]
    assert "near" in james.attrs["class"] and "80% or more" in james.text()
    assert "$80.00 of $100.00 · 80%" in james.text()
    assert "near" not in alan.attrs["class"] and "80% or more" not in alan.text()
    assert "$79.99 of $100.00 · 79%" in alan.text()
    assert _kpis(parse(site / "compliance" / "index.html"))["At 80% or more"] \
        .all("div", "value")[0].text() == "2"
    # the briefs' meter says the same: amber from 80% exactly (a mutant starting it above
    # 80% went unnoticed on the briefs: only the compliance page was looked at)
    whitley = (site / "physicians" / "james-whitley" / "index.html").read_text(encoding="utf-8")
    cho = (site / "physicians" / "alan-cho" / "index.html").read_text(encoding="utf-8")
    assert '<span class="badge warn">$20.00 left</span>' in whitley
    assert '<span class="badge active">$20.01 left</span>' in cho


def test_a_long_spend_list_folds_past_those_near_the_limit_and_the_first_below(tmp_path,
                                                                              monkeypatch):
    """Past those at 80% or more and the SPEND_SHOWN who were given the most below it, the
    others fold under one line: at 2,000 physicians 610 entries (741 kB, 60,000 px) came
    before the per-practice table. The numbering goes on in the folded list."""
    from liaison.pages import compliance

    monkeypatch.setattr(compliance, "SPEND_SHOWN", 1)
    page = compliance_page(tmp_path / "site")
    spends = page.all("li", "spend")
    near = [li for li in spends if {"near", "over"} & set(li.classes)]
    assert len(spends) == 4 and len(near) == 1
    folded = page.all("details", "long-list")
    assert len(folded) == 1 and "open" not in folded[0].attrs
    assert folded[0].all("summary")[0].text() == \
        "Show the other 2 physicians given something, by what they were given"
    inner = folded[0].all("li", "spend")
    assert inner == spends[2:]  # the least given, in the order of the list
    assert folded[0].all("ol", "spend-list")[0].attrs["start"] == "3"
    # the per-practice table follows, as before
    assert page.by_id("practice-spend-table") is not None
    monkeypatch.setattr(compliance, "SPEND_SHOWN", 3)
    assert compliance_page(tmp_path / "open").all("details", "long-list") == []


def _places(root: Path) -> dict[tuple[str, str], str]:
    """(date, summary) -> where the interaction is written, read from the files: the file,
    and in a file of several records which one, counted from 1."""
    folder = root / "data" / "interactions"
    out = {}
    for path in sorted(folder.rglob("*.y*ml")):
        rel = path.relative_to(root).as_posix()
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for i, r in enumerate(data if isinstance(data, list) else [data]):
            where = f"{rel}, record {i + 1}" if isinstance(data, list) else rel
            out[(_date(r["date"]).isoformat(), r["summary"])] = where
    return out


def _limit_warnings(root: Path, as_of: str) -> list[str]:
    """validate's warnings of spend over the limit, as it prints them."""
    from conftest import cli

    code, out, err = cli("validate", "--root", str(root), "--as-of", as_of)
    assert code == 0, out + err
    return [line for line in (out + err).splitlines() if "over the annual limit" in line]


def test_each_cost_shows_the_running_total_its_file_and_the_one_that_went_over(example):
    """An auditor's questions of each cost: what was the physician's total after it, which
    record is it, and which one took them over the limit (where validate warns)."""
    limit_cents = int(Decimal(str(yaml.safe_load(
        (EXAMPLE / "site.yaml").read_text(encoding="utf-8"))["compliance"]["annual_limit"])) * 100)
    by_doc, _by_practice, items = cents_2026()
    places = _places(EXAMPLE)
    records = {(_date(r["date"]).isoformat(), r["summary"]) for r in interactions()}
    warnings = _limit_warnings(EXAMPLE, AS_OF)
    assert len(warnings) == 1 and "Ruth Kessler (ruth-kessler)" in warnings[0]
    warned_at = warnings[0].split(": warning: ")[0]
    spends = parse(example / "compliance" / "index.html").all("li", "spend")
    docs = physicians()
    crossed_seen = 0
    for li in spends:
        pid = next(p for p in docs if docs[p]["name"] == li.all("strong")[0].text())
        running, totals = 0, {}
        for date, share, _cost, _n in sorted(items[pid]):
            before, running = running, running + share
            totals[(date, share)] = (money(running), before <= limit_cents < running)
        listed = li.all("ul", "cost-list")[0].all("li")
        assert len(listed) == len(items[pid])
        for entry, (date, share, _cost, _n) in zip(listed, sorted(items[pid], reverse=True)):
            t = entry.text()
            total, crossed = totals[(date, share)]
            assert f"running total {total}" in t, t
            assert ("took them over the limit" in t) == crossed, t
            summary = next(s for d, s in records if d == date.isoformat() and s in t)
            assert entry.all("code", "record-place")[0].text() == places[(date.isoformat(),
                                                                          summary)]
            if crossed:
                crossed_seen += 1
                assert pid == "ruth-kessler" and f"validate warns at {warned_at}" in t, t
    assert crossed_seen == 1 and by_doc["ruth-kessler"] > limit_cents
    assert page_has_no_earlier(example)


def page_has_no_earlier(site: Path) -> bool:
    return parse(site / "compliance" / "index.html").by_id("earlier-overruns") is None


def test_last_years_overrun_stays_on_the_page_in_the_new_year(tmp_path):
    """On 5 January the page shows the new year's spend only; validate still warns of
    December's overrun, and the page lists it (it had vanished with the year)."""
    as_of = f"{D.year + 1}-01-05"
    warnings = _limit_warnings(EXAMPLE, as_of)
    assert len(warnings) == 1 and f"in {D.year} with this interaction" in warnings[0]
    page = compliance_page(tmp_path / "site", as_of)
    section = page.by_id("earlier-overruns")
    assert section is not None, page.text()
    rows = table_rows(page.by_id("earlier-overruns-table"))
    total = re.search(r"has been given (\$[\d,.]+) in", warnings[0])[1]
    assert [[c.text() for c in r] for r in rows] == \
        [[str(D.year), "Ruth Kessler", total, warnings[0].split(": warning: ")[0]]]
    assert rows[0][1].hrefs() == ["../physicians/ruth-kessler/index.html"]
    # this year's figures are this year's alone
    assert "Over the limit in earlier years" in section.text()
    # measured against today's limit (site.yaml holds one; the law's changes every year)
    assert "against the limit site.yaml sets now, $100.00" in section.text()
    assert "over the limit" not in " ".join(li.text() for li in page.all("li", "spend"))


def test_the_new_year_page_says_where_last_years_closing_figures_are(tmp_path):
    """On 1 January the page starts the new year empty: it says what the year just ended
    gave (its total, worked out here from the fixture's files) and how to see its closing
    figures, instead of only "No physician was given anything"."""
    year = D.year
    costs = [int(Decimal(str(r["cost"])) * 100) for r in interactions()
             if "cost" in r and _date(r["date"]).year == year]
    assert costs, "the fixture has costs in the as-of year"
    for as_of in (f"{year + 1}-01-01", f"{year + 1}-03-31"):
        page = compliance_page(tmp_path / as_of, as_of)
        note = page.by_id("year-before")
        assert note is not None, page.text()
        text = note.text()
        assert f"{year}: {money(sum(costs))} given" in text, text
        assert f"--as-of {year}-12-31" in text, text
    # in the as-of year itself, the year before is said only when it gave something
    before = any("cost" in r and _date(r["date"]).year == year - 1 for r in interactions())
    page = parse(build(EXAMPLE, tmp_path / "site") / "compliance" / "index.html")
    assert (page.by_id("year-before") is not None) == before


def test_a_limit_with_a_fraction_of_a_cent_is_written_as_it_is_compared(tmp_path):
    """A limit of more than two decimals is compared exactly; written to the cent it read
    "$100.00 of $100.00 · 99% · $0.00 left" and "$100.01 … over the limit of $100.00 …
    $0.00 over" ($100.005 rounded half to even): the pages and the warning now write it as
    it is, and what is left or over with it."""
    from conftest import cli

    root = copy_example(tmp_path / "root")
    text = (root / "site.yaml").read_text(encoding="utf-8")
    text, n = re.subn(r"(?m)^(  annual_limit:) .*$", r"\1 100.005", text)
    assert n == 1
    (root / "site.yaml").write_text(text, encoding="utf-8")
    by_doc, _by_practice, _items = cents_2026()
    under = next(p for p in sorted(by_doc) if by_doc[p] < 8000)
    gift = 10000 - by_doc[under]  # takes them to exactly $100.00: under the limit by $0.005
    _add(root, "interactions", "to-the-cent.yaml",
         f"date: 2026-11-20\nliaison: lena-brooks\ntype: lunch\nphysicians: [{under}]\n"
         f"summary: Lunch to the cent.\ncost: {money(gift)[1:]}\n")
    code, out, err = cli("validate", "--root", str(root), "--as-of", AS_OF)
    assert code == 0, out + err
    [warning] = [line for line in (out + err).splitlines() if "over the annual limit" in line]
    assert "over the annual limit of $100.005 " in warning, warning
    site = build(root, tmp_path / "site")
    page = parse(site / "compliance" / "index.html")
    assert "the annual limit of $100.005 per physician" in page.all("div", "page-head")[0].text()
    docs = physicians()
    spends = {li.all("strong")[0].text(): li.text() for li in page.all("li", "spend")}
    assert "$100.00 of $100.005 · 99% · $0.005 left" in spends[docs[under]["name"]]
    ruth = by_doc["ruth-kessler"]
    assert f"{money(ruth)} of $100.005" in spends["Ruth Kessler"]
    over_by = Decimal(ruth) / 100 - Decimal("100.005")
    assert f"${over_by:,} over" in spends["Ruth Kessler"], spends["Ruth Kessler"]
    card = parse(site / "physicians" / under / "index.html").all("section", "spend-card")[0]
    assert "$100.005" in card.text() and "$0.005 left" in card.text(), card.text()
    code, out, _err = cli("stats", "--root", str(root), "--as-of", AS_OF)
    assert "of the $100.005 limit" in out


def test_the_ledger_reaching_the_limit_exactly_is_not_over_it(tmp_path):
    """SPEC §3 warns when a physician's spend goes *over* the annual limit ($100.00 in the
    example). James Whitley, given nothing else in 2026, is given $100.00 on 2 November (at
    the limit, not over it) and $10.00 on 3 November (now $110.00: over it, and the one that
    took him over: before it he was at $100.00, not over). compliance.csv's over_limit and
    took_over_limit say so. A lunch of $30.00 listing Marcus Bell twice and Nina Vargas is
    shared by two (SPEC §4 Spend: "each once"), $15.00 each."""
    root = copy_example(tmp_path / "root")
    _add(root, "interactions", "at-the-limit.yaml",
         "- date: 2026-11-02\n  liaison: lena-brooks\n  type: lunch\n  physicians: [james-whitley]\n"
         "  summary: Lunch at the limit.\n  cost: 100.00\n"
         "- date: 2026-11-03\n  liaison: lena-brooks\n  type: lunch\n  physicians: [james-whitley]\n"
         "  summary: Lunch over the limit.\n  cost: 10.00\n"
         "- date: 2026-11-04\n  liaison: lena-brooks\n  type: lunch\n"
         "  physicians: [marcus-bell, marcus-bell, nina-vargas]\n"
         "  summary: Lunch listing one physician twice.\n  cost: 30.00\n")
    site = build(root, tmp_path / "site")
    raw = (site / "exports" / "compliance.csv").read_bytes()
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert [(r["date"], r["share"], r["running_total"], r["over_limit"], r["took_over_limit"])
            for r in rows if r["physician"] == "james-whitley"] == [
        ("2026-11-02", "100.00", "100.00", "false", "false"),
        ("2026-11-03", "10.00", "110.00", "true", "true")]
    assert sorted((r["physician"], r["cost"], r["shared_by"], r["share"]) for r in rows
                  if r["summary"] == "Lunch listing one physician twice.") == [
        ("marcus-bell", "30.00", "2", "15.00"), ("nina-vargas", "30.00", "2", "15.00")]


def test_a_brief_at_the_limit_exactly_is_not_over_it(tmp_path):
    """James Whitley, given $100.00 on 2 November and nothing else in 2026, is at the
    example's limit of $100.00, not over it (SPEC §3: a warning when spend "goes over the
    limit"): his brief's meter says "$0.00 left" in amber, not "over the limit" in red, and
    the compliance page does not mark him over (a mutant making the briefs' "over" start at
    the limit went unnoticed: the tests at the limit read the ledger export only)."""
    root = copy_example(tmp_path / "root")
    _add(root, "interactions", "at-the-limit.yaml",
         "- date: 2026-11-02\n  liaison: lena-brooks\n  type: lunch\n  physicians: [james-whitley]\n"
         "  summary: Lunch at the limit.\n  cost: 100.00\n")
    site = build(root, tmp_path / "site")
    whitley = re.search(r'<section[^>]*aria-labelledby="spend-h".*?</section>', (
        site / "physicians" / "james-whitley" / "index.html").read_text(encoding="utf-8"), re.S)[0]
    assert '<span class="badge warn">$0.00 left</span>' in whitley
    assert "over the limit" not in whitley and 'class="badge overdue"' not in whitley
    spends = parse(site / "compliance" / "index.html").all("li", "spend")
    james = next(li for li in spends if li.all("strong")[0].text() == "James Whitley")
    assert "$100.00 of $100.00 · 100%" in james.text() and "over" not in james.attrs["class"]


def test_the_years_costs_export_is_a_ledger_an_auditor_can_check(example):
    """exports/compliance.csv: each physician's share of each cost of the as-of year, with
    who gave it, the running total, the limit, the one that went over and the record's file:
    the page's figures, for a spreadsheet (no export held the shares or running totals)."""
    limit = Decimal(str(yaml.safe_load(
        (EXAMPLE / "site.yaml").read_text(encoding="utf-8"))["compliance"]["annual_limit"]))
    by_doc, _by_practice, items = cents_2026()
    places = _places(EXAMPLE)
    records = {(_date(r["date"]).isoformat(), r["summary"]): r for r in interactions()}
    docs = physicians()
    raw = (example / "exports" / "compliance.csv").read_bytes()
    assert raw.endswith(b"\r\n") and raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert list(rows[0]) == [
        "year", "date", "physician", "physician_name", "npi", "practice", "type", "liaison",
        "summary", "cost", "shared_by", "share", "running_total", "annual_limit",
        "over_limit", "took_over_limit", "file", "record"]
    assert [r["physician"] for r in rows] == sorted(r["physician"] for r in rows)
    expected = []
    for pid in sorted(items):
        running = 0
        for date, share, cost, n in sorted(items[pid], key=lambda i: i[0]):
            before, running = running, running + share
            expected.append((pid, date.isoformat(), money(share)[1:], money(cost)[1:], str(n),
                             money(running)[1:].replace(",", ""),
                             "true" if running > limit * 100 else "false",
                             "true" if before <= limit * 100 < running else "false"))
    assert [(r["physician"], r["date"], r["share"], r["cost"], r["shared_by"],
             r["running_total"], r["over_limit"], r["took_over_limit"]) for r in rows] == expected
    for r in rows:
        rec = records[(r["date"], r["summary"])]
        assert r["year"] == str(D.year) and r["annual_limit"] == f"{limit}"
        assert r["physician_name"] == docs[r["physician"]]["name"]
        assert r["npi"] == str(docs[r["physician"]].get("npi", ""))
        assert r["practice"] == docs[r["physician"]]["practice"]
        assert (r["type"], r["liaison"]) == (rec["type"], rec["liaison"])
        where = places[(r["date"], r["summary"])]
        assert r["file"] == where.split(", record ")[0]
        assert r["record"] == (where.split(", record ")[1] if ", record " in where else "")
    # the page links it
    page = parse(example / "compliance" / "index.html")
    assert "../exports/compliance.csv" in page.all("div", "page-head")[0].hrefs()
    # downloaded under a name with the as-of date, as the other exports (test_pages_referrals)
    link = [a for a in page.all("div", "page-head")[0].all("a")
            if a.attrs.get("href") == "../exports/compliance.csv"][0]
    assert link.attrs.get("download") == f"compliance-{AS_OF}.csv"


def test_a_cost_that_lists_no_physician_is_shown_as_charged_to_none(tmp_path):
    """A $400 office lunch that lists no physician counts against no physician's limit (SPEC
    §4); the page showed it only inside its practice's total, so the officer could not see
    a cost that escaped every physician's limit. It is now listed with its file."""
    root = copy_example(tmp_path / "root")
    practice = sorted(practices())[0]
    _add(root, "interactions", "office-lunch.yaml",
         f"date: 2026-11-18\nliaison: lena-brooks\ntype: lunch\npractice: {practice}\n"
         "summary: Lunch for the whole office.\ncost: 400\n")
    site = build(root, tmp_path / "site")
    page = parse(site / "compliance" / "index.html")
    section = page.by_id("no-physician-costs")
    assert section is not None, page.text()
    listed = [r for r in interactions(root) if r.get("cost") and not r.get("physicians")
              and _date(r["date"]).year == D.year and _date(r["date"]) <= D]
    total = sum(int(Decimal(str(r["cost"])) * 100) for r in listed)
    assert f"{len(listed)} interaction" in section.text() and money(total) in section.text()
    items = section.all("li")
    assert len(items) == len(listed)
    office = next(li for li in items if "Lunch for the whole office." in li.text())
    assert "$400.00" in office.text() and practices(root)[practice]["name"] in office.text()
    assert "data/interactions/office-lunch.yaml" in office.text()
    # not in any physician's list
    assert "Lunch for the whole office." not in " ".join(
        li.text() for li in page.all("li", "spend"))


def test_a_corrected_cost_says_from_what_to_what_in_the_changes_summary(tmp_path):
    """A cost entered wrong and then fixed: the pull request's summary said only "(`cost`)",
    so the reviewer had to open the diff to see whether the correction moved a physician
    across the limit; it now says the amounts, as the changed limit is said."""
    from conftest import cli

    root = copy_example(tmp_path / "root")

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(root), "-c", "user.name=Test", "-c",
                        "user.email=test@example.com", "-c", "commit.gpgsign=false", *args],
                       check=True, capture_output=True, text=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    lunch = root / "data" / "interactions" / "2026" / "11" / "2026-11-06-french-broad-lunch.yaml"
    before = yaml.safe_load(lunch.read_text(encoding="utf-8"))["cost"]
    text, n = re.subn(r"(?m)^cost: .*$", "cost: 12.00", lunch.read_text(encoding="utf-8"))
    assert n == 1
    lunch.write_text(text, encoding="utf-8")
    code, out, err = cli("changes", "--root", str(root), "--as-of", AS_OF, "HEAD")
    assert code == 0, out + err
    [changed] = [line for line in out.splitlines() if "Lunch with Dr. Kessler" in line]
    assert changed.endswith(f"(`cost`: {money(int(Decimal(str(before)) * 100))} → $12.00)"), \
        changed


def test_stats_names_who_is_over_the_limit_and_how_many_it_leaves_out(monkeypatch):
    """`liaison stats` listed the physicians at 80% or more with their spend alone (one over
    the limit read as one near it) and cut the list at ten without a word."""
    from conftest import cli
    from liaison import stats_report

    limit_cents = int(Decimal(str(yaml.safe_load(
        (EXAMPLE / "site.yaml").read_text(encoding="utf-8"))["compliance"]["annual_limit"])) * 100)
    by_doc, _by_practice, _items = cents_2026()
    docs = physicians()
    near = [p for p in by_doc if by_doc[p] * 100 >= 80 * limit_cents]
    over = [p for p in near if by_doc[p] > limit_cents]
    assert over == ["ruth-kessler"]
    code, out, err = cli("stats", "--root", str(EXAMPLE), "--as-of", AS_OF)
    assert code == 0, err
    assert f"limit: {len(near)}, {len(over)} over it" in out
    for pid in near:
        [line] = [x for x in out.splitlines() if f"{docs[pid]['name']} ({pid})" in x
                  and money(by_doc[pid]) in x]
        assert line.endswith("over the limit") == (pid in over), line
    monkeypatch.setattr(stats_report, "NEAR_LISTED", 0)
    code, out, err = cli("stats", "--root", str(EXAMPLE), "--as-of", AS_OF)
    assert f"… and {len(near)} more (compliance/ lists them)" in out
    assert "(ruth-kessler)" not in out.split(f"Spend in {D.year}")[1].split("Top referrers")[0]


def test_stats_lists_equal_spends_in_the_pages_order(tmp_path):
    """Two physicians given the same near the limit: compliance/ lists them by name, the
    report listed them by id backwards."""
    from conftest import cli

    root = copy_example(tmp_path / "root")
    by_doc, _by_practice, _items = cents_2026()
    docs = physicians()
    two = sorted((p for p in docs if not by_doc.get(p)), key=lambda p: docs[p]["name"])[:2]
    assert len(two) == 2
    for pid in two:
        _add(root, "interactions", f"gift-{pid}.yaml",
             f"date: 2026-11-20\nliaison: lena-brooks\ntype: event\nphysicians: [{pid}]\n"
             "summary: Course seat.\ncost: 90\n")
    site = build(root, tmp_path / "site")
    page = [li.all("strong")[0].text()
            for li in parse(site / "compliance" / "index.html").all("li", "spend")]
    code, out, err = cli("stats", "--root", str(root), "--as-of", AS_OF)
    assert code == 0, err
    listed = [line.split("  ")[-1].rsplit(" (", 1)[0] for line in
              out.split(f"Spend in {D.year}")[1].split("Top referrers")[0].splitlines()[2:]
              if "$" in line]
    named = [n.split("  over the limit")[0] for n in listed]
    assert [n for n in page if n in {docs[p]["name"] for p in two}] == \
        [n for n in named if n in {docs[p]["name"] for p in two}] == \
        sorted(docs[p]["name"] for p in two)


def test_of_two_prospects_contacted_the_longest_without_contact_comes_first(tmp_path):
    """Within a potential and a tier, never contacted first, then the longest since contact:
    James Whitley (high, tier B, never), Cleo Dunn (300 days ago), Ida Reed (25 days ago). A
    mutant putting the most recently contacted first went unnoticed: the ranking test had one
    contacted prospect in each group."""
    root = copy_example(tmp_path / "root")
    for pid in ("cleo-dunn", "ida-reed"):
        name = " ".join(w.capitalize() for w in pid.split("-"))
        _add(root, "physicians", f"{pid}.yaml",
             f"name: {name}\nspecialty: Podiatry\npractice: french-broad-podiatry\n"
             "potential: high\ntier: B\n")
    _add(root, "interactions", "ranking.yaml",
         "- date: 2026-01-30\n  liaison: lena-brooks\n  type: email\n  physicians: [cleo-dunn]\n"
         "  summary: Wrote to Dr. Dunn.\n"
         "- date: 2026-11-01\n  liaison: lena-brooks\n  type: call\n  physicians: [ida-reed]\n"
         "  summary: Called Dr. Reed.\n")
    site = build(root, tmp_path / "site")
    rows = table_rows(parse(site / "prospects" / "index.html").by_id("prospect-table"))
    names = [r[1].text().split(",")[0] for r in rows]
    assert [n for n in names if n in ("James Whitley", "Cleo Dunn", "Ida Reed")] == [
        "James Whitley", "Cleo Dunn", "Ida Reed"], names
