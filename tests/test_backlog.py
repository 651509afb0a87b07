"""Working through the backlog (issue 13, point 4) and the data-quality page (point 5), in
Python where the logic is: the follow-up groups and their boundaries, the dashboard's share of
them, month links, last-name sort keys, warnings with file:line and edit links."""
from __future__ import annotations

import datetime as dt
import re
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import cli, many_promises
from liaison.names import sort_key
from liaison.pages import follow_ups
from liaison.pages.follow_ups import due_group

SPEC_EXAMPLE = Path(__file__).parent / "fixtures" / "spec-example-v2"
AS_OF = dt.date(2026, 11, 26)


@pytest.mark.parametrize("days, group", [
    (0, "week"),        # due today
    (1, "week"),
    (7, "week"),        # due in 7 days: still within 7 days
    (8, "later"),
    (400, "later"),
    (-1, "recent"),     # due yesterday
    (-29, "recent"),    # 29 days overdue
    (-30, "backlog"),   # 30 days overdue
    (-1100, "backlog"),
])
def test_due_group_boundaries(days, group):
    assert due_group(days) == group


def test_the_groups_headings_say_the_days_they_hold():
    # the first group, due today up to 7 days ahead, was headed "Due this week": on a Saturday
    # it held next Wednesday's follow-ups (the sample's as-of date, Sat 5 Dec, listed Wed 9 Dec)
    heading = dict((key, h) for key, h, _folded in follow_ups.GROUPS)["week"]
    assert due_group(follow_ups.WEEK_DAYS) == "week" and "this week" not in heading.lower()
    assert f"within {follow_ups.WEEK_DAYS} days" in heading


def _view(dues: list[int]):
    """A stand-in SiteView with open follow-ups due ``dues`` days from AS_OF."""
    rows = [(AS_OF + dt.timedelta(days=d), SimpleNamespace(n=i), SimpleNamespace(n=i))
            for i, d in enumerate(sorted(dues))]
    return SimpleNamespace(open_follow_ups=rows, as_of=AS_OF)


def test_each_follow_up_is_in_exactly_one_group():
    dues = [-1100, -30, -29, -1, 0, 7, 8, 30]
    groups = follow_ups.grouped(_view(dues))
    days = {k: [(t[0] - AS_OF).days for t in v] for k, v in groups.items()}
    assert days == {"week": [0, 7], "recent": [-29, -1], "backlog": [-1100, -30], "later": [8, 30]}
    assert sorted(d for v in days.values() for d in v) == sorted(dues)


def build_into(root: Path, out: Path, as_of: dt.date | str = AS_OF) -> Path:
    """``root`` built into ``out`` at ``as_of`` (`liaison build`), which must succeed."""
    code, _out, err = cli("build", "--root", str(root), "--out", str(out), "--as-of", str(as_of))
    assert code == 0, err
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_into(SPEC_EXAMPLE, tmp_path_factory.mktemp("backlog") / "site")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_follow_ups_page_lists_each_open_follow_up_once_in_its_group(built):
    from liaison import pages
    from liaison.pipeline import check

    checked = check(SPEC_EXAMPLE, AS_OF, keep_records=True)
    view = pages.SiteView(checked.site, checked.stats)
    html = (built / "follow-ups" / "index.html").read_text()
    rows = re.findall(r'<tr data-owner="[^"]*" data-practice="[^"]*"><td[^>]* data-value="([0-9-]+)"', html)
    assert len(rows) == len(view.open_follow_ups)  # each once
    sections = re.findall(r'<section class="card" id="(\w+)"(.*?)</section>', html, re.S)
    assert [k for k, _ in sections] == ["week", "recent", "backlog", "later"]
    for key, body in sections:
        for due in re.findall(r'<td[^>]* data-value="([0-9-]+)"', body):
            assert due_group((dt.date.fromisoformat(due) - AS_OF).days) == key
    backlog = dict(sections)["backlog"]
    assert "<details" in backlog  # folded, with its count in the summary
    n = len(re.findall(r"<tr data-owner", backlog))
    if n == 1:  # not "the 1 older follow-up, the least overdue first"
        assert "Show the older follow-up</summary>" in backlog
    else:
        assert n and f"Show the {n} older follow-ups, the least overdue first" in backlog


def test_whoever_owns_a_follow_up_has_a_calendar_of_their_own(built):
    """The front desk's owen-price owns an open follow-up of the example: it was in no calendar
    of his own, and the follow-ups page offered only the liaisons'."""
    head = (built / "follow-ups" / "index.html").read_text(encoding="utf-8")
    head = head[head.index("Calendar:"):head.index("</p>", head.index("Calendar:"))]
    assert re.findall(r'href="\.\./(calendar[^"]*)"', head) == [
        "calendar.ics", "calendar/lena-brooks.ics", "calendar/owen-price.ics"]
    assert b"Follow-up: " in (built / "calendar" / "owen-price.ics").read_bytes()
    member = (built / "team" / "owen-price" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../calendar/owen-price.ics"' in member


def test_the_calendar_links_say_how_to_subscribe(built):
    """A calendar link downloads the file, and a calendar app that opens it imports a copy
    whose events never change (a follow-up done stays, a moved one stays on its old day):
    the follow-ups page and each member's page offered the links and nothing else, and a
    liaison who clicked one was left with a stale copy. Under the links, folded so that the
    filter stays on a phone's first screen, a line says to subscribe instead, and where."""
    from htmltree import parse

    for rel in ("follow-ups/index.html", "team/lena-brooks/index.html",
                "team/owen-price/index.html"):
        page = parse(built / rel)
        helps = page.all("details", "subscribe")
        assert len(helps) == 1 and "open" not in helps[0].attrs, rel
        assert helps[0].all("summary")[0].text() == "How to subscribe, so that it stays up to date"
        text = helps[0].text()
        for said in ("a copy that never changes", "Copy link address",
                     "File › New Calendar Subscription", "Subscribe from web", "From URL",
                     "Add Subscribed Calendar", "cannot reach a site behind a login"):
            assert said in text, (rel, said)
        assert helps[0].hrefs() == []  # it names no calendar: it follows the links
    head = parse(built / "follow-ups" / "index.html").all("div", "page-head")[0]
    assert len(head.all("details", "subscribe")) == 1  # under the links, above the filter


def test_many_calendars_fold_under_their_count_below_the_heading(tmp_path, monkeypatch):
    """Past CALENDARS_INLINE team members, their own calendars fold under one line ("Each
    one's own calendar (50)") instead of filling the first screen with names before the
    filter (50 liaisons at 2,000 physicians were 13 lines on a phone, 250 at 10,000)."""
    from htmltree import parse

    monkeypatch.setattr(follow_ups, "CALENDARS_INLINE", 1)
    out = tmp_path / "site"
    build_into(SPEC_EXAMPLE, out)
    page = parse(out / "follow-ups" / "index.html")
    head = page.all("div", "page-head")[0]
    sub = head.all("p", "sub")[0]
    assert sub.hrefs() == ["../calendar.ics"]
    assert sub.text().endswith("Calendar: calendar.ics (everyone's).")
    folded = head.all("details", "calendars")
    assert len(folded) == 1 and "open" not in folded[0].attrs
    assert folded[0].all("summary")[0].text() == "Each one's own calendar (2)"
    assert folded[0].hrefs() == ["../calendar/lena-brooks.ics", "../calendar/owen-price.ics"]


def test_dashboard_leads_with_this_week_and_the_recently_overdue(built):
    html = (built / "index.html").read_text()
    part = html[html.index("Follow-ups due within 7 days or recently overdue"):]
    part = part[:part.index("</section>")]
    dues = [dt.date.fromisoformat(d) for d in re.findall(r'<td[^>]* data-value="([0-9-]+)"', part)]
    assert dues and all(-30 < (d - AS_OF).days <= 7 for d in dues)
    assert dues == sorted(dues)
    m = re.search(r'href="follow-ups/index.html#backlog">(\d+) follow-ups? overdue by 30 days', part)
    assert m and int(m.group(1)) >= 1


def test_a_dashboard_list_cut_short_says_which_ones_it_shows(tmp_path, monkeypatch):
    """Past WEEK_ROWS, the list under "Follow-ups due within 7 days or recently overdue (45)"
    held 25 rows and said nothing of it until a link below them: at 300 physicians the 25
    were all overdue and none of the 9 due this week showed. It says above the table that it
    lists those due first, and links to them all."""
    from htmltree import parse
    from liaison.pages import dashboard

    monkeypatch.setattr(dashboard, "WEEK_ROWS", 2)
    out = tmp_path / "site"
    build_into(SPEC_EXAMPLE, out)
    html = (out / "index.html").read_text()
    part = html[html.index("Follow-ups due within 7 days or recently overdue"):]
    part = part[:part.index("</section>")]
    count = int(re.match(r"[^(]*\((\d+)\)", _text(part)).group(1))
    assert count > 2
    assert len(re.findall(r'<td[^>]* data-value="([0-9-]+)"', part)) == 2
    before = _text(part[:part.index("<table")])
    assert f"The 2 due first, the longest overdue at the top: all {count} are on the follow-ups page." in before
    assert parse(out / "index.html").all("section", "card")[-1].hrefs().count("follow-ups/index.html") == 2


def test_lists_of_team_members_come_by_last_name(tmp_path):
    """The follow-ups' Owner filter, the calendars named beside it and the activity log's
    Liaison filter listed the team by first name (at 300 physicians: Calia Salroson, Dasaen
    Norette, Jaa Barneson…), where team/, the matrix and every list of people go by last name."""
    from conftest import one_physician_site

    root = one_physician_site(tmp_path / "root", "- {date: 2026-11-20, type: call, liaison: ann, "
                              "practice: solo, summary: Called.,\n"
                              "   follow_ups: [{task: Send pads, due: 2026-11-30, owner: zoe},\n"
                              "                {task: Send notes, due: 2026-11-30, owner: ann}]}\n")
    for tid, name in (("ann", "Ann Young"), ("zoe", "Zoe Abbott")):
        (root / f"data/team/{tid}.yaml").write_text(f"name: {name}\nrole: liaison\n", encoding="utf-8")
    out = tmp_path / "site"
    build_into(root, out)
    page = (out / "follow-ups" / "index.html").read_text(encoding="utf-8")
    owners = re.search(r'data-field="owner".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="[^"]+"[^>]*>([^<]+)</option>', owners) == ["Zoe Abbott", "Ann Young"]
    head = page[:page.index('class="filter')]
    assert re.findall(r'calendar/([a-z]+)\.ics', head) == ["zoe", "lou", "ann"]
    # the activity log's Liaison filter (shown from a few interactions on)
    from liaison import pages
    from liaison.pipeline import check

    checked = check(root, AS_OF, keep_records=True)
    team_options = pages.SiteView(checked.site, checked.stats, AS_OF).filter_options[0]
    assert [o["label"] for _t, o in team_options] == ["Zoe Abbott", "Lou Park", "Ann Young"]


def test_month_pages_link_to_the_months_that_exist(built):
    months = sorted(p.name for p in (built / "activity").iterdir() if p.is_dir())
    assert len(months) >= 3
    for i, month in enumerate(months):
        html = (built / "activity" / month / "index.html").read_text()
        prev = re.findall(r'href="\.\./\.\./activity/([0-9-]+)/index.html" rel="prev"', html)
        nxt = re.findall(r'href="\.\./\.\./activity/([0-9-]+)/index.html" rel="next"', html)
        assert set(prev) == ({months[i - 1]} if i else set()), month
        assert set(nxt) == ({months[i + 1]} if i + 1 < len(months) else set()), month


def test_a_month_page_is_titled_with_the_month_in_words(built):
    """The tab, the history and a bookmark of a month's page name the month as its heading
    does ("Activity in January 2024"), not "Activity in 2024-01"."""
    from liaison.dates import month
    for page in sorted((built / "activity").glob("*/index.html")):
        html = page.read_text()
        words = month(page.parent.name)
        assert f"<title>Activity in {words} · " in html, page.parent.name
        assert f"<h1>Activity in {words}</h1>" in html


def test_dates_read_as_people_read_them_with_the_iso_date_kept(built):
    html = (built / "follow-ups" / "index.html").read_text()
    assert '<time datetime="2026-11-26" title="2026-11-26">Thu 26 Nov</time>' in html
    assert re.search(r'<time datetime="[0-9-]+" title="[0-9-]+">(\d+ (days|weeks) ago|yesterday|today)</time>', html)


@pytest.mark.parametrize("name, key", [
    ("Anil Kapoor", "kapoor anil"), ("Dr. Anil Kapoor", "kapoor anil"),
    ("Anika Lindgren-Obi", "lindgren-obi anika"), ("Ludwig van Beethoven", "van beethoven ludwig"),
    ("Martin Luther King Jr.", "king martin luther"), ("Cher", "cher"),
])
def test_sort_key_is_the_last_name_first(name, key):
    assert sort_key(name) == key


def test_physician_directory_comes_by_last_name(built):
    html = (built / "physicians" / "index.html").read_text()
    keys = re.findall(r'<td[^>]* data-value="([^"]*)"><a href="\.\./physicians/', html)
    assert len(keys) >= 3 and keys == sorted(keys)


# ------------------------------------------------------------------ data quality


def test_data_quality_lists_every_warning_at_its_file_line_and_column(built):
    code, _out, err = cli("validate", "--root", str(SPEC_EXAMPLE), "--as-of", AS_OF.isoformat())
    warnings = [line.split(": warning: ") for line in (err + _out).splitlines() if ": warning: " in line]
    assert warnings
    html = (built / "data-quality" / "index.html").read_text()
    assert f"Warnings ({len(warnings)})" in html
    shown = unescape(re.sub(r"<[^>]+>", "", html))
    for where, message in warnings:
        assert f'<code class="where">{where}</code>' in html
        assert message in shown, message  # the message validate gives, word for word
    assert "/edit/" not in html  # no repository in site.yaml: no edit link


def test_data_quality_folds_a_long_list_under_its_count(tmp_path, monkeypatch):
    """Past LIST_OPEN names a list folds under its count, so that every list's heading shows
    on the first screens (at 2,000 physicians, 141 without an NPI and 204 without a tier were
    345 lines, 9 screens, before the liaisons and contacts lists); a short one stays open."""
    from htmltree import parse

    from liaison.pages import data_quality

    monkeypatch.setattr(data_quality, "LIST_OPEN", 0)
    out = tmp_path / "site"
    build_into(SPEC_EXAMPLE, out)
    page = parse(out / "data-quality" / "index.html")
    sections = {s.all("h2")[0].text(): s for s in page.all("section", "card")}
    for title in ("Physicians without an NPI (1)", "Physicians without a tier (1)",
                  "Physicians without a liaison (1)", "Physicians never contacted (1)",
                  "Practices without a liaison (1)"):
        folded = sections[title].all("details", "long-list")
        assert len(folded) == 1 and "open" not in folded[0].attrs, title
        assert folded[0].all("summary")[0].text() == (
            "Show the practice" if title.startswith("Practices") else "Show the physician"), title
        assert len(folded[0].all("li")) == 1, title
    monkeypatch.setattr(data_quality, "LIST_OPEN", 1)
    build_into(SPEC_EXAMPLE, tmp_path / "open")
    page = parse(tmp_path / "open" / "data-quality" / "index.html")
    assert page.all("details", "long-list") == []
    assert len(page.all("ul", "points")) == 5


@pytest.mark.parametrize("web_url, edit, line", [
    ("https://github.com/acme/records", "https://github.com/acme/records/edit/main/{path}",
     "https://github.com/acme/records/blob/main/{path}?plain=1#L{line}"),
    ("https://gitlab.com/acme/records", "https://gitlab.com/acme/records/-/edit/main/{path}",
     "https://gitlab.com/acme/records/-/blob/main/{path}#L{line}"),
    ("https://codeberg.org/acme/records", "https://codeberg.org/acme/records/_edit/main/{path}",
     "https://codeberg.org/acme/records/src/branch/main/{path}#L{line}"),
])
def test_data_quality_links_each_warning_to_its_file_on_the_host(example_site, tmp_path, web_url, edit, line):
    site_yaml = example_site / "site.yaml"
    site_yaml.write_text(site_yaml.read_text() + f"\nrepository:\n  web_url: {web_url}\n")
    out = tmp_path / "out"
    build_into(example_site, out)
    html = (out / "data-quality" / "index.html").read_text()
    items = re.findall(r'<li><code class="where">([^:<]+):(\d+):(\d+)</code>(.*?)</li>', html)
    assert items
    for path, ln, _col, rest in items:
        assert f'href="{edit.format(path=path)}"' in rest
        assert f'href="{line.format(path=path, line=ln)}"' in rest


def test_an_unknown_host_gets_no_edit_link_and_a_reason(example_site, tmp_path):
    site_yaml = example_site / "site.yaml"
    site_yaml.write_text(site_yaml.read_text() + "\nrepository:\n  web_url: https://code.example.org/acme/records\n")
    out = tmp_path / "out"
    build_into(example_site, out)
    html = (out / "data-quality" / "index.html").read_text()
    assert "/_edit/" not in html and "/edit/" not in html
    assert "not one whose edit pages Liaison knows" in html


# ------------------------------------------------------------------ chart labels


@pytest.mark.parametrize("name", [
    "Peripheral Artery Disease and Critical Limb Ischemia Program",
    "Northfork-Wound Care Center of the Upper Valley Region",
])
def test_a_chart_label_too_long_is_cut_at_a_word_end_with_its_full_text_in_a_title(name):
    from liaison.charts import share_bars

    svg = share_bars([(name, 5), ("Veins", 3)], title="Services")
    m = re.search(r'<text class="chart-label chart-row-label"[^>]*>([^<]*)<title>([^<]*)</title></text>', svg)
    assert m, svg
    shown, full = m.group(1), m.group(2)
    assert full == name and shown.endswith("\u2026")
    stem = shown[:-1]
    assert name.startswith(stem) and not name[len(stem)].isalnum()  # the cut ends a word
    assert '<text class="chart-label chart-row-label"' in svg and ">Veins</text>" in svg  # short: no title


def test_dashboard_with_only_a_backlog_does_not_say_there_is_no_open_follow_up(tmp_path):
    """A year on, every open follow-up is 30 days overdue or more: the week's list is empty
    but the follow-ups are not, so "No open follow-ups." would contradict the card above."""
    out = tmp_path / "site"
    build_into(SPEC_EXAMPLE, out, AS_OF + dt.timedelta(days=365))
    html = (out / "index.html").read_text()
    part = html[html.index("Follow-ups due within 7 days or recently overdue"):]
    part = _text(part[:part.index("</section>")])
    assert re.search(r"\d+ follow-ups? overdue by 30 days or more", part)
    assert "No open follow-ups" not in part
    assert "None due within 7 days or overdue by less than 30 days." in part


def test_data_quality_lists_the_records_whose_liaison_left_the_role(example_site, tmp_path):
    """Lena Brooks left and her team file says `role: other`; the practices and physicians
    that still name her are in no liaison's call plan (team pages make one for liaisons
    only), yet "without a liaison" listed none of them: they named someone."""
    from htmltree import parse

    member = example_site / "data/team/lena-brooks.yaml"
    member.write_text(member.read_text().replace("role: liaison", "role: other"))
    out = tmp_path / "out"
    build_into(example_site, out)
    from liaison.pipeline import check

    site = check(example_site, AS_OF, keep_records=True).site
    named = {p for p, d in site.practices.items() if d.liaison == "lena-brooks"}
    assert named
    page = parse(out / "data-quality" / "index.html")
    sections = {s.all("h2")[0].text().split(" (")[0]: s for s in page.all("section", "card")}
    items = [li.text() for li in sections["Practices without a liaison"].all("li")]
    for pid in named:
        item = next(t for t in items if t.startswith(site.practices[pid].name))
        assert "Lena Brooks is no liaison (other)" in item
    doctors = [li.text() for li in sections["Physicians without a liaison"].all("li")]
    assert any("Lena Brooks is no liaison (other)" in t for t in doctors)


def test_data_quality_says_a_practice_without_liaison_or_physician_may_have_closed(example_site, tmp_path):
    """French Broad Podiatry closed: as the README says, its physicians moved to another
    practice and its `liaison` was removed, its file kept for its visits. "Practices without a
    liaison" then listed it bare, as if it were waiting for one; with no physician left it says
    so, and what to do, while a practice that still has physicians is listed as before."""
    from htmltree import parse

    for doc in ("alan-cho.yml", "ruth-kessler.yaml"):
        path = example_site / "data/physicians" / doc
        path.write_text(path.read_text().replace("practice: french-broad-podiatry",
                                                 "practice: mountain-view-family-medicine"))
    closed = example_site / "data/practices/french-broad-podiatry.yaml"
    closed.write_text(closed.read_text().replace("liaison: lena-brooks\n", ""))
    out = tmp_path / "out"
    build_into(example_site, out)
    page = parse(out / "data-quality" / "index.html")
    sections = {s.all("h2")[0].text().split(" (")[0]: s for s in page.all("section", "card")}
    items = [li.text() for li in sections["Practices without a liaison"].all("li")]
    podiatry = next(t for t in items if t.startswith("French Broad Podiatry"))
    assert "no physician on record" in podiatry and "closed or merged" in podiatry
    womens = next(t for t in items if t.startswith("Hendersonville"))
    assert "no physician" not in womens


def test_dashboard_with_only_follow_ups_due_later_does_not_say_there_is_no_open_follow_up(tmp_path):
    """A new team's first visit promised something for two weeks on: the card above says
    1 open follow-up, the week's list is empty, and "No open follow-ups." contradicted it."""
    from conftest import one_physician_site

    root = one_physician_site(tmp_path / "root", (
        "date: 2026-11-22\nliaison: lou\ntype: visit\npractice: solo\nsummary: First visit.\n"
        "follow_ups:\n  - {task: Bring the referral cards, due: 2026-12-13}\n"))
    out = tmp_path / "site"
    build_into(root, out, "2026-12-05")
    html = (out / "index.html").read_text()
    part = html[html.index("Follow-ups due within 7 days or recently overdue"):]
    part = _text(part[:part.index("</section>")])
    assert "No open follow-ups" not in part
    assert "None due within 7 days or overdue by less than 30 days." in part
    assert "Due later: 1 follow-up due in more than 7 days" in part
    assert 'href="follow-ups/index.html#later"' in html


def test_the_follow_ups_heading_counts_the_overdue_of_both_groups(built):
    """The example at 2026-11-26 has four open follow-ups: one due that day, two 1 and 7 days
    overdue (2026-11-25, 2026-11-19) and one 40 days overdue (2026-10-17, the backlog). The
    heading's overdue count is the three, the folded backlog's included (a mutant counting
    the recently overdue only, "2 overdue", went unnoticed)."""
    html = (built / "follow-ups" / "index.html").read_text(encoding="utf-8")
    sub = _text(html[html.index('<p class="sub">'):html.index("</p>", html.index('<p class="sub">'))])
    assert sub.strip().startswith("4 open, 3 overdue, as of"), sub


def test_the_older_backlog_lists_the_least_overdue_first(tmp_path):
    """The backlog folds under "the least overdue first": two follow-ups 400 and 1,000 days
    overdue are listed 400 first, and the 10 days overdue one is in the recent group (a
    mutant listing the backlog by due date, the oldest first, went unnoticed: the example's
    backlog holds one)."""
    import shutil

    root = tmp_path / "root"
    shutil.copytree(SPEC_EXAMPLE, root)
    due = {"Ancient": -1000, "Old": -400, "Late": -10}
    many_promises(root, AS_OF - dt.timedelta(days=1100),
                  {f"{task} promise": AS_OF + dt.timedelta(days=n) for task, n in due.items()})
    out = build_into(root, tmp_path / "site")
    html = (out / "follow-ups" / "index.html").read_text(encoding="utf-8")
    sections = dict(re.findall(r'<section class="card" id="(\w+)"(.*?)</section>', html, re.S))
    assert re.findall(r"(Ancient|Old|Late) promise", sections["backlog"]) == ["Old", "Ancient"]
    dues = re.findall(r'<td[^>]* data-value="([0-9-]+)"', sections["backlog"])
    assert dues == ["2026-10-17", "2025-10-22", "2024-03-01"]  # 40, 400 and 1,000 days overdue
    assert re.findall(r"(Ancient|Old|Late) promise", sections["recent"]) == ["Late"]


def test_as_many_calendars_as_the_line_holds_are_not_folded(tmp_path, monkeypatch):
    """CALENDARS_INLINE calendars stay on the heading's line; only more fold (the example's
    two, with the limit at two: a mutant folding at the limit went unnoticed)."""
    from htmltree import parse

    monkeypatch.setattr(follow_ups, "CALENDARS_INLINE", 2)
    out = build_into(SPEC_EXAMPLE, tmp_path / "site")
    head = parse(out / "follow-ups" / "index.html").all("div", "page-head")[0]
    assert head.all("details", "calendars") == []
    assert head.all("p", "sub")[0].hrefs() == [
        "../calendar.ics", "../calendar/lena-brooks.ics", "../calendar/owen-price.ics"]


def test_the_dashboards_backlog_line_counts_the_backlog_only(tmp_path):
    """The example's one follow-up 40 days overdue is "1 follow-up overdue by 30 days or
    more" on the dashboard; two more due in 20 and 60 days are due later, not backlog (a
    mutant counting them in it, "3 follow-ups", went unnoticed: the example has none due
    later)."""
    import shutil

    root = tmp_path / "root"
    shutil.copytree(SPEC_EXAMPLE, root)
    (root / "data" / "interactions" / "later.yaml").write_text(
        "- date: 2026-11-20\n  liaison: lena-brooks\n  type: call\n"
        "  practice: mountain-view-family-medicine\n  summary: Planned ahead.\n  follow_ups:\n"
        "    - task: Send the winter schedule\n      due: 2026-12-16\n"
        "    - task: Book the spring lunch\n      due: 2027-01-25\n", encoding="utf-8")
    out = build_into(root, tmp_path / "site")
    html = (out / "index.html").read_text(encoding="utf-8")
    m = re.search(r'href="follow-ups/index.html#backlog">(\d+) follow-ups? overdue by 30 days', html)
    assert m and m.group(1) == "1"
    later = (out / "follow-ups" / "index.html").read_text(encoding="utf-8")
    later = dict(re.findall(r'<section class="card" id="(\w+)"(.*?)</section>', later, re.S))["later"]
    assert re.findall(r'<td[^>]* data-value="([0-9-]+)"', later) == ["2026-12-16", "2027-01-25"]


def test_a_follow_up_row_says_when_it_is_due_and_who_owns_it(built):
    """The example's four open follow-ups at 2026-11-26, as their rows read: due today (not
    overdue), 7, 1 and 40 days overdue, each with its owner's name (the one owned by the
    front desk's Owen Price, logged by Lena Brooks, names him). Mutants marking one due today
    overdue, giving it no "today" badge, or naming the one who logged it went unnoticed."""
    html = (built / "follow-ups" / "index.html").read_text(encoding="utf-8")
    rows = [_text(tr).strip() for tr in re.findall(r"<tr data-owner.*?</tr>", html, re.S)]
    assert [re.sub(r" (Hendersonville|Mountain View).*? (Lena Brooks|Owen Price) ", r" \2 ", r)
            for r in rows] == [
        "Thu 26 Nov today Drop off the holiday schedule Lena Brooks 7 days ago",
        "Thu 19 Nov 7 days overdue Email the scheduling line card Owen Price 2 weeks ago",
        "Wed 25 Nov 1 day overdue Send the ultrasound criteria card Lena Brooks 7 days ago",
        "Sat 17 Oct 40 days overdue Ask the lab about report turnaround Lena Brooks 2 months ago"]
    assert html.count('<span class="badge warn">today</span>') == 1
    assert html.count('<span class="badge overdue">') == 3


def test_the_activity_log_lists_the_newest_first(built):
    """The example's November 2026 up to the as-of date: 26, 23, 19, 12 and 6 November (the
    lunch of 1 December is after it), newest first on the log's first page and on the month's
    page (mutants listing a month's oldest first went unnoticed)."""
    november = ["2026-11-26", "2026-11-23", "2026-11-19", "2026-11-12", "2026-11-06"]
    for rel in ("activity/index.html", "activity/2026-11/index.html"):
        html = (built / rel).read_text(encoding="utf-8")
        assert re.findall(r'<time datetime="([0-9-]+)"', html)[:5] == november, rel
    month = (built / "activity/2026-11/index.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<time datetime="([0-9-]+)"', month)) == 5


def test_the_activity_logs_first_page_lists_the_newest_fifty(tmp_path):
    """With more than 50 interactions (the example's 20 and 45 calls written here, one a day
    back from the day before the as-of date), the log's first page lists the newest 50, no
    more, newest first, and says so ("Latest 50 of 64"); every interaction is still on its
    month's page (a mutant listing 51 went unnoticed: no tested site had more than 50)."""
    import shutil

    root = tmp_path / "root"
    shutil.copytree(SPEC_EXAMPLE, root)
    (root / "data" / "interactions" / "calls.yaml").write_text("".join(
        f"- date: {(AS_OF - dt.timedelta(days=n)).isoformat()}\n  liaison: lena-brooks\n"
        f"  type: call\n  practice: mountain-view-family-medicine\n  summary: Call {n}.\n"
        for n in range(1, 46)), encoding="utf-8")
    out = build_into(root, tmp_path / "site")
    dates = re.compile(r'<li>\s*<div class="meta"><time datetime="([0-9-]+)"')  # a row's date
    every = sorted((d for page in (out / "activity").glob("*/index.html")
                    for d in dates.findall(page.read_text(encoding="utf-8"))), reverse=True)
    assert len(every) == 64  # the example's 19 up to the as-of date and the 45 calls
    html = (out / "activity" / "index.html").read_text(encoding="utf-8")
    assert dates.findall(html) == every[:50]
    assert "Latest 50 of 64</h2>" in html
