"""What the pages say, read on the repository's sample site (as of 2026-12-04, the day the
reviewer read it): counts and nouns agree, the search help's examples find someone, the lists
say what they leave out, the links lead where their words say."""
from __future__ import annotations

import html as html_lib
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from conftest import REPO, build_sample_site
from liaison import wording
from liaison.content import MarkdownRenderer
from liaison.names import sort_key
from liaison.pages.rows import GENERIC_EXAMPLES, search_examples

AS_OF = "2026-12-04"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_sample_site(tmp_path_factory.mktemp("wording"), AS_OF)


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def text(html: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(html: str, start: str, end: str) -> str:
    i = html.index(start)
    return html[i:html.index(end, i)]


# ------------------------------------------------------------------ 1. plurals

def test_no_page_says_one_of_a_plural(site):
    bad = re.compile(r"(?<![\d.,])\b1 (days|referrals|physician referrals|visits|slides|"
                     r"interactions|follow-ups|physicians|practices)\b")
    for path in site.rglob("*.html"):
        page = path.read_text(encoding="utf-8")
        for words in (text(page), " ".join(re.findall(r'title="([^"]*)"', page))):
            found = bad.search(words)
            assert not found, f"{path.relative_to(site)}: …{words[max(0, found.start() - 60):found.end()]}"
    # the badge of a follow-up due tomorrow says so, as the dates do ("in 1 day" before)
    dashboard = read(site, "index.html")
    assert '<span class="badge warn">tomorrow</span>' in dashboard
    assert not any("in 1 day<" in p.read_text(encoding="utf-8") for p in site.rglob("*.html"))


def test_the_shared_plural_is_a_filter_of_the_page_templates(tmp_path):
    from liaison.render import make_env

    env = make_env(tmp_path)
    assert env.from_string('{{ 1|plural("day") }}, {{ 2|plural("older follow-up") }}, '
                           '{{ 1234|plural("visit") }}').render() == \
        "1 day, 2 older follow-ups, 1,234 visits"


def test_a_role_reads_as_words_not_as_the_records_value(site):
    # a team member's role and a guide's audience showed as the record's value, "front-desk",
    # under a name, in the team's table, on a training badge and in the search results, where
    # the guide beside it reads "Front desk phone skills"
    role = re.compile(r"front-desk(?! (member|training))")
    pages = ["team/index.html", "team/casey-morrow/index.html", "training/index.html",
             "training/front-desk-phone-skills/index.html", "referrals/index.html"]
    for rel in pages:
        words = text(read(site, rel))
        found = role.search(words)
        assert not found, f"{rel}: …{words[max(0, found.start() - 60):found.end() + 20]}"
        assert "front desk" in words, rel
    assert "front desk\\ncasey.morrow@" in read(site, "search/index.js")


def test_a_declined_reason_has_one_name_on_every_page(site):
    # the referral statistics said "Patient's choice", a brief "patient choice" and `liaison
    # stats` "patient-choice" (and "unspecified" for "no reason given")
    chart = text(section(read(site, "referrals/index.html"), 'id="declined"', "</section>"))
    named = {label.lower() for label in wording.DECLINED_LABELS.values() if label in chart}
    assert "patient's choice" in named and "no reason given" in named, chart
    briefs = [text(p.read_text(encoding="utf-8")) for p in (site / "practices").glob("*/index.html")]
    said = [m.group(1) for b in briefs
            for m in re.finditer(r"Declined in the last 365 days: ([^.]*)\.", b)]
    assert said
    for line in said:
        for item in line.split(", "):
            assert item.rsplit(" ", 1)[0] in named, line


def test_a_brief_does_not_say_no_visit_beside_a_chart_of_visits(site):
    # Talia Vukovic's brief said "No in-person visit on record" above a chart marking three
    # visits to her office (which listed no physician): the point is about visits with her
    seen = 0
    for path in sorted((site / "physicians").glob("*/index.html")):
        words = text(path.read_text(encoding="utf-8"))
        marked = re.search(r"(\d+) in-person visits? marked", words)
        if re.search(r"No in-person visit (with them )?on record", words) and marked:
            seen += 1
            assert "No in-person visit with them on record" in words, path.parent.name
            assert "No in-person visit on record" not in words, path.parent.name
            assert "Last visit — never with them" in words, path.parent.name
    assert seen, "the sample has a physician visited only at the office"


# ------------------------------------------------------------------ 2. search examples

def _first_physician():
    docs = [yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in (REPO / "data" / "physicians").glob("*.yaml")]
    docs = [d for d in docs if len(sort_key(d["name"]).split()[0]) >= 5
            and sort_key(d["name"]).split()[0].isalpha()]
    return min(docs, key=lambda d: sort_key(d["name"]))


def test_search_examples_come_from_the_site(site):
    first = _first_physician()
    last = sort_key(first["name"]).split()[0]
    practice = yaml.safe_load((REPO / "data" / "practices" / f"{first['practice']}.yaml")
                              .read_text(encoding="utf-8"))
    physicians, search = read(site, "physicians/index.html"), read(site, "search/index.html")
    for page in (physicians, search):
        assert "kapor" not in page and "kapoor" not in page and "portland" not in page
    typo = re.search(r"a typo forgiven: “(\w+) ([^”]+)”", physicians)
    assert typo, "the directory's hint names no example"
    word, city = typo.groups()
    # one letter short of the first physician's last name (one typo is forgiven), with their city
    assert len(word) == len(last) - 1 and any(last[:i] + last[i + 1:] == word for i in range(len(last)))
    assert city == practice["city"].lower()
    assert f"“{word}” finds {first['name']}" in search


def test_search_examples_fall_back_to_generic_ones_on_an_empty_site():
    view = SimpleNamespace(caches={}, site=SimpleNamespace(physicians={}, practices={}))
    examples = search_examples(view)
    assert (examples["typo"], examples["city"], examples["specialty"], examples["tier"]) == \
        (GENERIC_EXAMPLES["typo"], "portland", "cardiology", "a")


# ------------------------------------------------------------------ 3. lists of names

def test_a_slide_lists_names_with_commas(site):
    deck = read(site, "presentations/vein-care-overview/riverbend-internal-medicine/index.html")
    assert "Dr. Gideon Marchetti, Dr. Priyanka Desrosiers and Winona Castellanos, NP" in deck
    assert "Marchetti; " not in deck
    assert wording.prose_list(["A, NP", "B"]) == "A, NP and B"


# ------------------------------------------------------------------ 4. activity

def test_activity_says_it_lists_the_latest_of_all(site):
    page = read(site, "activity/index.html")
    words = text(page)
    assert "Every interaction the team logged, newest first" not in words
    found = re.search(r"The latest (\d+) of the (\d+) interactions the team logged", words)
    assert found
    latest, total = map(int, found.groups())
    listed = section(page, 'data-filter-scope="activity"', 'id="months-h"').count('<li>\n  <div class="meta">')
    months = section(page, 'id="months-h"', "</table>")
    counts = [int(n) for n in re.findall(r'</a></td><td class="num">(\d+)</td>', months)]
    assert latest == listed < total == sum(counts)
    assert f"Latest {latest} of {total}" in words
    assert re.search(r'starting with <a href="\.\./activity/\d{4}-\d\d/index.html">', page)


# ------------------------------------------------------------------ 5. calendars

def test_each_members_page_links_their_calendar(site):
    team = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in (REPO / "data" / "team").glob("*.yaml")}
    follow_ups = read(site, "follow-ups/index.html")
    assert 'href="../calendar.ics"' in follow_ups
    owners = set(re.findall(r'<tr data-owner="([^"]*)"', follow_ups))
    liaisons = others = 0
    for tid, member in team.items():
        page = read(site, f"team/{tid}/index.html")
        assert f'href="../../calendar/{tid}.ics"' in page and (site / "calendar" / f"{tid}.ics").is_file()
        listed = f'href="../calendar/{tid}.ics">{member["name"]}</a>' in follow_ups
        # the follow-ups page links each liaison's calendar and that of each owner it lists
        assert listed == (member["role"] == "liaison" or tid in owners), tid
        liaisons += member["role"] == "liaison"
        others += member["role"] != "liaison"
    assert liaisons >= 2 and others >= 1


# ------------------------------------------------------------------ 6. alerts

def test_the_practices_list_counts_the_alerts_of_each_brief(site):
    listing = read(site, "practices/index.html")
    rows = re.findall(r'<a href="\.\./practices/([a-z0-9-]+)/index.html">[^<]*</a></td>.*?'
                      r'data-label="Alerts">(.*?)</td>', listing, re.S)
    seen = 0
    for pid, cell in rows:
        brief = read(site, f"practices/{pid}/index.html")
        alert = re.search(r"<strong>(\d+) alerts?:</strong>", brief)
        assert int(text(cell)) == (int(alert.group(1)) if alert else 0), pid
        seen += 1
    assert seen >= 5
    # a practice whose only alert is an overdue visit or a new referrer counted none before
    assert "visit overdue" in text(listing)


# ------------------------------------------------------------------ 8. return on visit by liaison

def test_return_on_visit_by_liaison_adds_up_to_the_total(site):
    page = read(site, "referrals/index.html")
    table = section(page, 'id="rov-liaisons"', "</table>")
    body = section(table, "<tbody>", "</tbody>")
    foot = section(table, "<tfoot>", "</tfoot>")

    def figures(rows: str) -> list[tuple[int, int, int]]:
        return [tuple(map(int, m)) for m in re.findall(
            r'<td class="num">(\d+)</td><td class="num wide-only">(\d+)</td>'
            r'<td class="num wide-only">(\d+)</td>', rows)]

    liaisons, (others, total) = figures(body), figures(foot)
    assert "Other team members" in foot and "All matured visits" in foot
    assert others[0] >= 1  # the manager's visit
    assert [sum(col) for col in zip(*liaisons, others)] == list(total)
    kpi = re.search(r"physician referrals in the 90 days after (\d+) matured visits", text(page))
    assert kpi and int(kpi.group(1)) == total[0]


# ------------------------------------------------------------------ 10. dashboard links

def test_dashboard_opens_the_overdue_lists_filtered(site):
    dashboard = read(site, "index.html")
    link = re.search(r'<a href="physicians/index.html#physician-table=status%20overdue">'
                     r"(\d+) physicians? overdue for a visit</a>", dashboard)
    assert link
    directory = read(site, "physicians/index.html")
    assert 'data-filter="physician-table"' in directory
    statuses = re.findall(r'data-label="Status"[^>]*>(.*?)</td>', directory)
    assert sum("visit overdue" in s for s in statuses) == int(link.group(1))
    assert re.search(r'<a href="follow-ups/index.html#follow-ups=due%20overdue">\d+ overdue '
                     r"follow-ups?</a>", dashboard)


# ------------------------------------------------------------------ 11. task lists

def test_a_guide_checklist_shows_boxes(site):
    guide = read(site, "training/front-desk-phone-skills/index.html")
    assert "<li>\u2610 Greeting with your name, every call</li>" in guide
    assert "[ ]" not in text(guide)


def test_task_boxes_are_text_and_the_sanitizer_still_strips_scripts():
    md = MarkdownRenderer()
    html, _toc = md.document("- [ ] call\n- [x] done\n- [ ] <script>alert(1)</script>\n"
                             "\n`<li>[ ] code`\n")
    assert "<li>\u2610 call</li>" in html and "<li>\u2611 done</li>" in html
    assert "<script" not in html and "<input" not in html
    assert "&lt;li&gt;[ ] code" in html  # code is left as written
    note = str(md.note("- [ ] call\n- [x] done\n\n<input type=\"text\" onfocus=\"x()\">"))
    assert "<li>\u2610 call</li>" in note and "<li>\u2611 done</li>" in note
    assert "<input" not in note and "onfocus" not in note
