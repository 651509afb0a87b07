"""`changes BASE [HEAD]`: the Markdown summary of what a change does to the data.

Every test builds its own git repository in tmp_path from the contract's worked example
(SPEC §4 second edition, tests/fixtures/spec-example-v2, as-of 2026-11-26), whose statistics
are known (its expected-stats-2026-11-26.json): referrals_90d 16, referrals_365d 40 (22 of
them from physicians), open/overdue follow-ups 4/3, in_person_90d 5, source capture rate
0.8889 (2 unknown of the 18 non-physician referrals). Its data files hold 48 referral rows
(34 in through-2026-09.yaml, 11 and 3 in the CSV files) standing for 51 referrals (the monthly
CSV's rows of 3 and 2; one of them dated after 2026-11-26), and 20 interactions.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from liaison.changes import summarize
from liaison.errors import LiaisonError

from conftest import REPO, SPEC_EXAMPLE, _make_writable

AS_OF = dt.date(2026, 11, 26)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.com",
         "-c", "commit.gpgsign=false", *args],
        check=True, capture_output=True, text=True,
    ).stdout


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def new_repo(tmp_path: Path, sub: str = "") -> tuple[Path, Path]:
    """(repository, site root) holding the example site plus an unreferenced team member,
    committed once."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    site = repo / sub if sub else repo
    shutil.copytree(SPEC_EXAMPLE, site, dirs_exist_ok=True)
    _make_writable(site)
    write(site / "data/team/sam-ortiz.yaml", "name: Sam Ortiz\nrole: clinical\n")
    commit_all(repo, "base")
    return repo, site


def first_edition_repo(tmp_path: Path, message: str) -> Path:
    """A repository (it is the site root) holding the first edition's worked example
    (tests/fixtures/spec-example) as it is, committed once with ``message``."""
    repo = tmp_path / "repo"
    shutil.copytree(REPO / "tests" / "fixtures" / "spec-example", repo)
    _make_writable(repo)
    git(repo, "init", "-q")
    commit_all(repo, message)
    return repo


def last_commit(repo: Path, message: str) -> str:
    """Commits what the test changed (with ``message``) and gives the summary of that commit
    (HEAD~1 to HEAD)."""
    commit_all(repo, message)
    return summarize(repo, "HEAD~1", "HEAD", AS_OF)


PHYSICIAN = """\
name: Priya Natarajan
credentials: MD
specialty: Vascular Medicine
practice: mountain-view-family-medicine
"""

INTERACTIONS = """\
- date: 2026-11-20
  liaison: lena-brooks
  type: visit
  practice: mountain-view-family-medicine
  physicians: [marcus-bell]
  summary: Follow-up visit with Dr. Bell about ultrasound reports.
- date: 2026-11-24
  liaison: owen-price
  type: call
  practice: french-broad-podiatry
  summary: Called to confirm the fax number.
  follow_ups:
    - task: Send the new fax cover sheet
      due: 2026-11-25
"""

# Ages at 2026-11-26: 6 (2 referrals), 56, and 543 (in the previous 365 days only).
REFERRALS = """\
date,source,physician,service,status,count
2026-11-20,physician,james-whitley,vein-ablation,scheduled,2
2026-10-01,unknown,,sclerotherapy,,
2025-06-01,web,,vein-ablation,treated,
"""


def make_change(site: Path) -> None:
    write(site / "data/physicians/priya-natarajan.yaml", PHYSICIAN)
    practice = site / "data/practices/hendersonville-womens-health.yaml"
    practice.write_text(practice.read_text().replace(
        "name: Hendersonville Women's Health", "name: Hendersonville Women's Health Center"))
    (site / "data/team/sam-ortiz.yaml").unlink()
    write(site / "data/interactions/2026/11/added.yaml", INTERACTIONS)
    write(site / "data/referrals/added.csv", REFERRALS)


def section(text: str, title: str) -> str:
    """The text of one '### title' section."""
    start = text.index(f"### {title}\n")
    end = text.find("\n### ", start + 1)
    return text[start:] if end < 0 else text[start:end]


COUNTED = "date,source,physician,service,status,count"


def referrals_edited(tmp_path: Path, before: str, after: str,
                     head: str = COUNTED + ",taken_by", name: str = "edited.csv") -> str:
    """The "Records" section of a change to one referral file of the example: its rows
    ``before`` (committed) become ``after``, under the header ``head``."""
    repo, site = new_repo(tmp_path)
    rows = site / "data/referrals" / name
    write(rows, f"{head}\n{before}")
    commit_all(repo, "before")
    write(rows, f"{head}\n{after}")
    return section(last_commit(repo, "after"), "Records")


def bullets(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("- ")]


def table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]


# --------------------------------------------------------------------------- two commits


def test_summary_lists_exactly_the_changes_and_the_moved_statistics(tmp_path):
    repo, site = new_repo(tmp_path)
    base = git(repo, "rev-parse", "HEAD").strip()
    make_change(site)
    head = commit_all(repo, "head")

    text = summarize(repo, base, head, AS_OF)

    assert text.splitlines()[0] == (
        f"## Liaison: data changes from `{base}` to `{head}`")
    records = section(text, "Records")
    assert bullets(records) == [
        "- Changed: `hendersonville-womens-health` Hendersonville Women's Health → "
        "Hendersonville Women's Health Center (`name`)",
        "- Added: `priya-natarajan` Priya Natarajan — at Mountain View Family Medicine, "
        "liaison Lena Brooks, no tier",
        "- Removed: `sam-ortiz` Sam Ortiz",
        "- 2026-11-20 — Lena Brooks — visit at Mountain View Family Medicine — Follow-up visit with "
        "Dr. Bell about ultrasound reports.",
        "- 2026-11-24 — Owen Price — call at French Broad Podiatry — Called to confirm the fax number.",
    ]
    assert "**Practices**: 1 changed" in records
    assert "**Physicians**: 1 added" in records
    assert "**Team members**: 1 removed" in records
    assert "**Interactions**: 2 added (20 → 22 records)" in records
    # 48 rows standing for 51 referrals before; 3 rows and 4 referrals added.
    assert ("**Referrals**: 3 rows added, 0 removed (48 → 51 rows); referrals +4 / -0 (51 → 55)"
            in records)
    # the second edition's taken_by and declined_reason: none on the added rows
    assert table_rows(records) == [
        "| date | source | physician | service | status | taken by | declined reason | change |",
        "| 2025-06-01 | web | — | vein-ablation | treated | — | — | +1 |",
        "| 2026-10-01 | unknown | — | sclerotherapy | referred | — | — | +1 |",
        "| 2026-11-20 | physician | james-whitley | vein-ablation | scheduled | — | — | +2 |",
    ]
    assert "Training guides" not in records and "Presentation decks" not in records
    assert "Site settings" not in records

    stats = section(text, "Statistics")
    assert table_rows(stats) == [
        "| statistic | before | after | change |",
        # +2 and +1 within 90 days; the 2025-06-01 row is older than 365 days.
        "| Referrals, last 90 days | 16 | 19 | +3 |",
        "| Referrals, last 365 days | 40 | 43 | +3 |",
        # james-whitley's 2 (2026-11-20)
        "| Physician referrals, last 365 days | 22 | 24 | +2 |",
        # the 2026-11-24 call's follow-up is open and was due before 2026-11-26
        "| Open follow-ups | 4 | 5 | +1 |",
        "| Overdue follow-ups | 3 | 4 | +1 |",
        # the 2026-11-20 visit
        "| In-person interactions, last 90 days | 5 | 6 | +1 |",
        # over the non-physician referrals: 1 − 2/18 = 0.8889 → 1 − 3/19 = 0.8421, with one
        # decimal as the site's pages write the rate (88.9%), the change too (−4.68 → −4.7)
        "| Source capture rate, 365 days | 88.9% | 84.2% | -4.7 pts |",
        "| physician | what | before | after |",
        # first referral 6 days old (< new_within_days 60)
        "| James Whitley (`james-whitley`) | status | prospect | new |",
        # tier B: last visit was 61 days old, now 6
        "| Marcus Bell (`marcus-bell`) | visit overdue | yes | no |",
        "| liaison | what | before | after |",
        # priya-natarajan, at her practice (james-whitley's practice has no liaison)
        "| Lena Brooks (`lena-brooks`) | physicians | 5 | 6 |",
    ]

    validation = section(text, "Validation")
    # the example's four warnings (its README), in base and head alike: counted, not listed
    # again as if this change had brought them
    assert "The head passes: **0 errors, 4 warnings** (base: 0 errors, 4 warnings)." in validation
    assert validation.count("warning:") == 0 and "```" not in validation
    assert ("4 of the base's problems still there (not listed again: `validate` lists them)."
            in validation)


def test_validation_lists_only_the_problems_the_change_brings(tmp_path):
    # every pull request's summary listed the base's warnings again, as if it had caused
    # them; a problem fixed went unsaid
    repo, site = new_repo(tmp_path)
    lunch = site / "data/interactions/2026/11/2026-11-06-french-broad-lunch.yaml"
    lunch.write_text(lunch.read_text().replace("cost: 120 ", "cost: 12  "))
    doc = site / "data/physicians/marcus-bell.yaml"
    doc.write_text(doc.read_text().replace("mountain-view-family-medicine",
                                           "french-broad-podiatry"))
    validation = section(last_commit(repo, "move and cost"), "Validation")
    block = validation.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    assert block and all("'marcus-bell' is at practice 'french-broad-podiatry'" in line
                         for line in block)
    assert f"New in the head: {len(block)} problem" in validation
    assert "over the annual limit" not in validation
    assert ("3 of the base's problems still there (not listed again: `validate` lists them); "
            "1 of the base's fixed." in validation)


def test_large_counts_are_grouped_in_thousands_as_the_pages_write_them(tmp_path):
    """A month's tally of 1,200 referrals entered as one row read "+1200 / -0 (51 → 1251)"
    and "| 16 | 1216 | +1200 |" in the pull-request comment, where every page writes 1,216."""
    repo, site = new_repo(tmp_path)
    base = git(repo, "rev-parse", "HEAD").strip()
    write(site / "data/referrals/tally.csv", "date,source,physician,service,status,count\n"
          "2026-11-20,physician,james-whitley,vein-ablation,referred,1200\n")
    head = commit_all(repo, "head")

    text = summarize(repo, base, head, AS_OF)
    records = section(text, "Records")
    assert ("**Referrals**: 1 row added, 0 removed (48 → 49 rows); referrals +1,200 / -0 "
            "(51 → 1,251)") in records
    assert table_rows(records)[-1].endswith("| referred | — | — | +1,200 |")
    stats = table_rows(section(text, "Statistics"))
    assert "| Referrals, last 90 days | 16 | 1,216 | +1,200 |" in stats
    assert "| Referrals, last 365 days | 40 | 1,240 | +1,200 |" in stats


def test_summary_is_deterministic_and_reads_nothing_but_git(tmp_path):
    repo, site = new_repo(tmp_path)
    make_change(site)
    commit_all(repo, "head")
    status = git(repo, "status", "--porcelain")
    first = summarize(repo, "HEAD~1", "HEAD", AS_OF)
    assert summarize(repo, "HEAD~1", "HEAD", AS_OF) == first
    assert git(repo, "status", "--porcelain") == status == ""
    # short names of revisions show the commit they resolve to
    short = git(repo, "rev-parse", "--short=7", "HEAD").strip()
    assert f"to `HEAD` ({short})" in first.splitlines()[0]


def test_summary_takes_the_as_of_date_as_check_does(tmp_path):
    """From Python: the as-of date as a "YYYY-MM-DD" string gives the summary a date gives
    (it was an AttributeError on str.isoformat once the records were checked)."""
    repo, site = new_repo(tmp_path)
    make_change(site)
    commit_all(repo, "head")
    assert summarize(str(repo), "HEAD~1", "HEAD", AS_OF.isoformat()) == summarize(
        repo, "HEAD~1", "HEAD", AS_OF)


def test_no_change(tmp_path):
    repo, _site = new_repo(tmp_path)
    text = summarize(repo, "HEAD", "HEAD", AS_OF)
    assert "No records changed." in text
    assert "No total moved." in text


def test_moving_records_between_files_is_not_a_change(tmp_path):
    repo, site = new_repo(tmp_path)
    # One interaction file merged into another; a rolled-up row of 3 split into 3 rows.
    moved = site / "data/interactions/2026/11/2026-11-23-vargas-email.yaml"
    target = site / "data/interactions/2026/q3.yml"
    target.write_text(target.read_text() + "\n- " + moved.read_text().replace("\n", "\n  "))
    moved.unlink()
    monthly = site / "data/referrals/web-and-ads-monthly-2026.csv"
    monthly.write_text(monthly.read_text().replace(
        "2026-08-01,web,,vein-ablation,consulted,3\n",
        "2026-08-01,web,,vein-ablation,consulted,1\n" * 3))
    text = last_commit(repo, "regroup")
    records = section(text, "Records")
    assert "Interactions" not in records
    assert ("**Referrals**: 3 rows added, 1 removed (48 → 50 rows); referrals +0 / -0 (51 → 51)"
            in records)
    assert "The rows were regrouped" in records
    assert "No total moved." in text


def test_a_renamed_record_file_is_one_rename_not_an_addition_and_a_removal(tmp_path):
    # A physician's file renamed, with its references, and their phone added in the same
    # change (the NPI pairs them); a team member's file renamed as it was (equal records).
    repo, site = new_repo(tmp_path)
    old = site / "data/physicians/alan-cho.yml"
    (site / "data/physicians/alan-cho-dpm.yaml").write_text(
        old.read_text() + "phone: 828-555-0142\n")
    old.unlink()
    for rel in ("data/referrals/through-2026-09.yaml", "data/interactions/before-2026.yaml",
                "data/interactions/2026/q3.yml"):
        path = site / rel
        path.write_text(path.read_text().replace("alan-cho", "alan-cho-dpm"))
    (site / "data/team/sam-ortiz.yaml").rename(site / "data/team/samuel-ortiz.yaml")
    write(site / "data/team/ines-ruiz.yaml", "name: Ines Ruiz\nrole: clinical\n")
    (site / "content/presentations/venous-basics.md").rename(
        site / "content/presentations/vein-basics.md")
    records = section(last_commit(repo, "rename"), "Records")
    assert "**Physicians**: 1 renamed\n" in records
    assert "- Renamed: `alan-cho` → `alan-cho-dpm` Alan Cho (`phone`)" in records
    assert "**Team members**: 1 added, 1 renamed\n" in records
    assert "- Renamed: `sam-ortiz` → `samuel-ortiz` Sam Ortiz" in records.splitlines()
    assert "- Added: `ines-ruiz` Ines Ruiz" in records
    assert "**Presentation decks**: 1 renamed\n" in records
    assert [b for b in bullets(records) if "vein-basics" in b] == [
        "- Renamed: `venous-basics` → `vein-basics` Venous disease basics"]
    assert "- Removed:" not in records


def test_a_record_added_under_a_name_already_on_file_is_pointed_out(tmp_path):
    # two people added the same physician in two branches under two ids (no NPI to pair
    # them): the summary said "Added: `ruth-kessler-dpm` Ruth Kessler" and nothing else, and
    # the physician's visits and referrals were split between two briefs from then on
    repo, site = new_repo(tmp_path)
    write(site / "data/physicians/ruth-kessler-dpm.yaml",
          "name: ruth  Kessler\nspecialty: Podiatry\npractice: french-broad-podiatry\n")
    write(site / "data/practices/fb-podiatry.yaml", "name: French Broad Podiatry\n")
    write(site / "data/physicians/priya-natarajan.yaml", PHYSICIAN)
    records = section(last_commit(repo, "twice"), "Records")
    assert bullets(records) == [
        "- Added: `fb-podiatry` French Broad Podiatry — no liaison — the name of "
        "`french-broad-podiatry` too: the same practice added twice?",
        "- Added: `priya-natarajan` Priya Natarajan — at Mountain View Family Medicine, "
        "liaison Lena Brooks, no tier",
        "- Added: `ruth-kessler-dpm` ruth Kessler — at French Broad Podiatry, liaison Lena "
        "Brooks, no tier — the name of `ruth-kessler` too: the same physician added twice?"]



def test_physicians_handed_to_a_team_member_who_is_no_liaison_are_shown(tmp_path):
    # a hand-over to the wrong id (the front desk, a clinician): the table showed the old
    # liaison's physicians falling and no one gaining them, the statistics counting liaisons
    # only
    repo, site = new_repo(tmp_path)
    path = site / "data/practices/french-broad-podiatry.yaml"
    path.write_text(path.read_text().replace("liaison: lena-brooks", "liaison: sam-ortiz"))
    rows = table_rows(section(last_commit(repo, "hand-over"), "Statistics"))
    lena = {r.split(" | ")[1]: r.rstrip(" |").split(" | ")[2:4] for r in rows
            if "`lena-brooks`" in r}
    sam = [r for r in rows if "`sam-ortiz`" in r]
    lost = int(lena["physicians"][0]) - int(lena["physicians"][1])
    assert lost == 2  # Ruth Kessler and Alan Cho
    assert sam[0] == (f"| Sam Ortiz (`sam-ortiz`) | physicians | 0 | {lost} "
                      "(not a liaison: role clinical) |")
    given = int(lena["referrals, 365 days"][0]) - int(lena["referrals, 365 days"][1])
    assert sam[1:] == [f"| Sam Ortiz (`sam-ortiz`) | referrals, 365 days | 0 | {given} "
                       "(not a liaison: role clinical) |"]


def test_physicians_taken_back_from_a_team_member_who_is_no_liaison_are_shown(tmp_path):
    # the base gave Priya Natarajan to Sam Ortiz (clinical, no liaison); the head gives her
    # to Lena Brooks: Sam's one physician going is shown too
    repo, site = new_repo(tmp_path)
    priya = site / "data/physicians/priya-natarajan.yaml"
    write(priya, PHYSICIAN + "liaison: sam-ortiz\n")
    commit_all(repo, "priya, sam's")
    write(priya, PHYSICIAN + "liaison: lena-brooks\n")
    rows = table_rows(section(last_commit(repo, "priya, lena's"), "Statistics"))
    assert "| Sam Ortiz (`sam-ortiz`) | physicians | 1 | 0 (not a liaison: role clinical) |" in rows


def test_a_changed_follow_up_is_named_by_its_task_with_what_became_of_it(tmp_path):
    # "(`follow_ups`)" alone: the reviewer could not tell which follow-up was marked done,
    # or whether one was dropped rather than done
    repo, site = new_repo(tmp_path)
    path = site / "data/interactions/2026/11/2026-11-19-hendersonville-visit.yaml"
    path.write_text(path.read_text()
                    .replace("  - task: Drop off the holiday schedule\n    due: 2026-11-26\n", "")
                    .replace("    due: 2026-11-25\n", "    due: 2026-12-02\n    owner: owen-price\n")
                    .replace("    done: 2026-11-21\n", "")
                    + "  - task: Send the *new* brochure\n    due: 2026-12-03\n")
    records = section(last_commit(repo, "follow-ups"), "Records")
    assert bullets(records) == [
        "- 2026-11-19 — Lena Brooks — visit at Hendersonville Women's Health — Met the office "
        "staff; Dr. Whitley was out. (`follow_ups`: “Send the ultrasound criteria card” due "
        "2026-11-25 → 2026-12-02, owner none → `owen-price`; “Confirm a lunch date” reopened; "
        "“Send the \\*new\\* brochure” added (due 2026-12-03); “Drop off the holiday schedule” "
        "removed)"]


def test_a_name_with_a_bar_stays_in_its_table_cell(tmp_path):
    repo, site = new_repo(tmp_path)
    marcus = site / "data/physicians/marcus-bell.yaml"
    marcus.write_text(marcus.read_text().replace("name: Marcus Bell", "name: Marcus Bell | Vein"))
    commit_all(repo, "a bar")
    write(site / "data/interactions/2026/11/added.yaml", INTERACTIONS)
    stats = section(last_commit(repo, "visited"), "Statistics")
    # tier B: his last visit was 61 days old, now 6
    assert "| Marcus Bell \\| Vein (`marcus-bell`) | visit overdue | yes | no |" in table_rows(stats)


def test_a_training_completed_says_which_guide_when_and_the_score(tmp_path):
    # "Changed: `lena-brooks` Lena Brooks (`trainings`)": which training, and when, was left
    # to the diff
    repo, site = new_repo(tmp_path)
    lena = site / "data/team/lena-brooks.yaml"
    lena.write_text(lena.read_text().replace("completed: 2026-02-10\n    score: 92",
                                             "completed: 2026-11-20\n    score: 88"))
    owen = site / "data/team/owen-price.yaml"
    owen.write_text(owen.read_text().replace(
        '  - {guide: referral-source-basics, completed: "2026-03-02"}\n',
        '  - {guide: referral-source-basics, completed: "2026-03-02"}\n'
        '  - {guide: referral-source-basics, completed: "2026-11-21", score: 75}\n'))
    records = section(last_commit(repo, "trainings"), "Records")
    assert bullets(records) == [
        "- Changed: `lena-brooks` Lena Brooks (`trainings`: `referral-source-basics` completed "
        "2026-02-10 → 2026-11-20, score 92 → 88)",
        "- Changed: `owen-price` Owen Price (`trainings`: `referral-source-basics` completed "
        "2026-11-21, score 75)"]


def test_a_training_taken_out_says_which_and_of_when(tmp_path):
    repo, site = new_repo(tmp_path)
    owen = site / "data/team/owen-price.yaml"
    owen.write_text("name: Owen Price\nrole: front-desk\n")
    records = section(last_commit(repo, "no training"), "Records")
    assert bullets(records) == [
        "- Changed: `owen-price` Owen Price (`trainings`: `referral-source-basics` of "
        "2026-03-02 removed)"]


def test_an_added_physician_says_where_who_and_tier_and_a_practice_its_liaison(tmp_path):
    # a pull request adding a physician read "Added: `priya-natarajan` Priya Natarajan": the
    # reviewer approves them for a practice, a liaison and a visit cadence, which the name
    # alone left to the diff; a new practice with its physicians the same
    repo, site = new_repo(tmp_path)
    write(site / "data/practices/blue-ridge-vascular.yaml",
          "name: Blue Ridge Vascular\nliaison: owen-price\n")
    write(site / "data/physicians/odile-park.yaml",
          "name: Odile Park\nspecialty: Vascular Surgery\npractice: blue-ridge-vascular\n"
          "tier: A\n")
    write(site / "data/physicians/tomas-reyes.yaml",
          "name: Tomas Reyes\nspecialty: Family Medicine\n"
          "practice: hendersonville-womens-health\ntier: C\n")
    records = section(last_commit(repo, "new practice and physicians"), "Records")
    assert bullets(records) == [
        "- Added: `blue-ridge-vascular` Blue Ridge Vascular — liaison Owen Price",
        "- Added: `odile-park` Odile Park — at Blue Ridge Vascular, liaison Owen Price, tier `A`",
        # (Hendersonville has no liaison: said, not left out)
        "- Added: `tomas-reyes` Tomas Reyes — at Hendersonville Women's Health, no liaison, "
        "tier `C`"]

    # a tier key is code, as a changed one shows it: not escaped for Markdown inside it
    cfg = site / "site.yaml"
    cfg.write_text(cfg.read_text().replace(
        "thresholds:", "tiers:\n  A_plus: {visit_every_days: 14}\nthresholds:"))
    write(site / "data/physicians/odile-park.yaml",
          "name: Odile Park\nspecialty: Vascular Surgery\npractice: blue-ridge-vascular\n"
          "tier: A_plus\n")
    commit_all(repo, "a tier of our own")
    assert "tier `A_plus`" in summarize(repo, "HEAD~2", "HEAD", AS_OF)


def test_a_name_written_on_a_mac_is_the_same_name(tmp_path):
    # "Zoë" typed on Windows is one character; pasted on a Mac from a file's name or a PDF it
    # is 'e' and an accent (NFD): the two read alike and were two names to the summary
    repo, site = new_repo(tmp_path)
    write(site / "data/physicians/zoe-ng.yaml",
          "name: Zo\u00eb Ng\nspecialty: Podiatry\npractice: french-broad-podiatry\n")
    write(site / "data/physicians/zoe-ng-md.yaml",
          "name: Zoe\u0308 Ng\nspecialty: Podiatry\npractice: french-broad-podiatry\n")
    records = section(last_commit(repo, "twice"), "Records")
    assert [b.split(" — ", 2)[2] for b in bullets(records)] == [
        "the name of `zoe-ng-md` too: the same physician added twice?",
        "the name of `zoe-ng` too: the same physician added twice?"]


def test_line_ends_changed_alone_change_no_record(tmp_path):
    # every file saved again on Windows (CRLF, a byte-order mark), or checked in so with
    # core.autocrlf off: the guides and decks were "Changed", with the same pages built
    repo, site = new_repo(tmp_path)
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.suffix in (".yaml", ".yml", ".csv", ".md") and \
                ".git" not in path.parts:
            path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    summary = last_commit(repo, "crlf")
    assert "Changed" not in summary and "No records changed." in section(summary, "Records")

def test_texts_the_patient_guard_flags_are_not_repeated_in_the_summary(tmp_path):
    # validate never quotes a value that looks like a patient identifier (CI keeps its
    # output), but the summary, which CI appends to the job summary kept with the run,
    # printed "Added: `jane-roe` Jane Roe DOB 03/04/1959" and the interaction's summary
    repo, site = new_repo(tmp_path)
    phi = ["DOB 03/04/1959", "123-45-6789", "67yo"]
    write(site / "data/physicians/jane-roe.yaml",
          "name: Jane Roe DOB 03/04/1959\nspecialty: Family Medicine\n"
          "practice: french-broad-podiatry\n")
    write(site / "data/interactions/2026/11/phi.yaml",
          "date: 2026-11-20\nliaison: lena-brooks\ntype: call\npractice: french-broad-podiatry\n"
          "summary: Called about pt Jane Roe 67yo\n")
    practice = site / "data/practices/french-broad-podiatry.yaml"
    practice.write_text(practice.read_text().replace(
        "name: French Broad Podiatry", "name: French Broad Podiatry SSN 123-45-6789"))
    csv = site / "data/referrals/2026-10-to-11.csv"
    csv.write_text(csv.read_text() + "web,2026-11-03,,sclerotherapy,consulted,,\n"
                   "web,2026-11-04,,mrn-12345678,referred,,\n")
    text = last_commit(repo, "phi")
    for value in phi + ["mrn-12345678"]:
        assert value not in text, value
    withheld = "_(not shown: its file may hold patient information)_"
    records = section(text, "Records")
    assert (f"- Added: `jane-roe` {withheld} — at {withheld}, liaison Lena Brooks, no tier"
            in bullets(records))
    assert f"- Changed: `french-broad-podiatry` {withheld} (`name`)" in bullets(records)
    # (the practice's name too: its file is flagged)
    assert f"- 2026-11-20 — Lena Brooks — call at {withheld} — {withheld}" in bullets(records)
    # the flagged referral file has errors: its rows are not compared, so none is shown
    assert "are not compared: `data/referrals/2026-10-to-11.csv`" in records
    assert "| date | source |" not in records
    # the validation names each place without the value, as validate does
    assert "data/physicians/jane-roe.yaml:1:7: error: name: looks like a date of birth" in text
    # the change that takes them out again: the base's texts are not shown either
    (site / "data/physicians/jane-roe.yaml").unlink()
    (site / "data/interactions/2026/11/phi.yaml").unlink()
    practice.write_text(practice.read_text().replace(" SSN 123-45-6789", ""))
    text = last_commit(repo, "no phi")
    for value in phi:
        assert value not in text, value
    records = section(text, "Records")
    assert f"- Removed: `jane-roe` {withheld}" in bullets(records)
    assert f"- Changed: `french-broad-podiatry` {withheld} (`name`)" in bullets(records)


def test_referrals_of_a_file_the_guard_warns_of_are_counted_by_month_only(tmp_path):
    # a near form in a comment is a warning: the file is read and compared, but its rows are
    # not listed one by one, only the referrals added and removed each month
    repo, site = new_repo(tmp_path)
    write(site / "data/referrals/flagged.yaml",
          "# chart 004417 asked for a callback\n"
          "- {date: 2026-09-05, source: web, service: vein-ablation, count: 2}\n"
          "- {date: 2026-10-07, source: web, service: sclerotherapy}\n")
    text = last_commit(repo, "flagged")
    assert "data/referrals/flagged.yaml:1:" in section(text, "Validation")
    records = section(text, "Records")
    assert ("**Referrals**: 2 rows added, 0 removed (48 → 50 rows); referrals +3 / -0 "
            "(51 → 54)" in records), records
    assert table_rows(records) == ["| month | added | removed |", "| 2026-09 | +2 | -0 |",
                                   "| 2026-10 | +1 | -0 |"]


def test_a_name_the_guard_warns_of_in_the_base_alone_is_not_shown(tmp_path):
    # a near form in the base's name (a warning: the record is read): the change that takes
    # it out must not repeat it, whether the record keeps its id (its file now .yml, which
    # the guard did not flag) or is renamed
    repo, site = new_repo(tmp_path)
    grace = site / "data/physicians/grace-holloway.yaml"
    good = grace.read_text()
    grace.write_text(good.replace("name: Grace Holloway", "name: Grace Holloway chart 004417"))
    assert "may hold" in section(last_commit(repo, "flagged"), "Validation")
    withheld = "_(not shown: its file may hold patient information)_"
    grace.unlink()
    write(site / "data/physicians/grace-holloway.yml", good)
    text = last_commit(repo, "cleaned")
    assert "004417" not in text
    assert bullets(section(text, "Records")) == [f"- Changed: `grace-holloway` {withheld} (`name`)"]
    git(repo, "mv", "data/physicians/grace-holloway.yml", "data/physicians/grace-holloway-md.yml")
    commit_all(repo, "renamed")
    text = summarize(repo, "HEAD~2", "HEAD", AS_OF)
    assert "004417" not in text
    assert bullets(section(text, "Records")) == [
        f"- Renamed: `grace-holloway` → `grace-holloway-md` {withheld} (`name`)"]


def test_a_liaison_whose_file_the_guard_warns_of_is_not_named_by_their_visits(tmp_path):
    repo, site = new_repo(tmp_path)
    lena = site / "data/team/lena-brooks.yaml"
    lena.write_text(lena.read_text().replace("name: Lena Brooks", "name: Lena Brooks chart 004417"))
    commit_all(repo, "flagged")
    write(site / "data/interactions/2026/11/added.yaml", INTERACTIONS)
    records = section(last_commit(repo, "a visit"), "Records")
    withheld = "_(not shown: its file may hold patient information)_"
    assert "004417" not in records
    assert (f"- 2026-11-20 — {withheld} — visit at Mountain View Family Medicine — Follow-up "
            "visit with Dr. Bell about ultrasound reports." in bullets(records)), records


def test_edited_interaction_is_shown_as_changed(tmp_path):
    repo, site = new_repo(tmp_path)
    path = site / "data/interactions/2026/11/2026-11-19-hendersonville-visit.yaml"
    path.write_text(path.read_text().replace(
        "    due: 2026-11-25\n", "    due: 2026-11-25\n    done: 2026-11-25\n"))
    text = last_commit(repo, "done")
    records = section(text, "Records")
    assert "**Interactions**: 1 changed (20 → 20 records)" in records
    assert bullets(records) == [
        "- 2026-11-19 — Lena Brooks — visit at Hendersonville Women's Health — Met the office staff; "
        "Dr. Whitley was out. (`follow_ups`: “Send the ultrasound criteria card” done "
        "2026-11-25)"]
    assert table_rows(section(text, "Statistics"))[1:] == [
        "| Open follow-ups | 4 | 3 | -1 |",
        "| Overdue follow-ups | 3 | 2 | -1 |",
        "| liaison | what | before | after |",
        "| Lena Brooks (`lena-brooks`) | open follow-ups | 3 | 2 |",
        "| Lena Brooks (`lena-brooks`) | overdue follow-ups | 2 | 1 |",
    ]


SAME_DAY = """\
- date: 2026-11-10
  liaison: lena-brooks
  type: visit
  practice: french-broad-podiatry
  summary: Visit to French Broad.{a}
- date: 2026-11-10
  liaison: lena-brooks
  type: visit
  practice: mountain-view-family-medicine
  summary: Visit to Mountain View.{b}
- date: 2026-11-10
  liaison: lena-brooks
  type: {c_type}
  practice: french-broad-podiatry
  summary: {c_summary}
"""


def test_interactions_of_one_day_and_liaison_are_paired_by_type_and_in_order(tmp_path):
    # two visits of one day, each given a follow-up, are each changed in its own way (not
    # paired with the other's visit); a call replaced by an email is another interaction
    repo, site = new_repo(tmp_path)
    pairs = site / "data/interactions/2026/11/same-day.yaml"
    write(pairs, SAME_DAY.format(a="", b="", c_type="call", c_summary="Called the office."))
    commit_all(repo, "three of one day")
    due = "\n  follow_ups:\n    - task: {}\n      due: 2026-11-30"
    write(pairs, SAME_DAY.format(a=due.format("Send the podiatry card"),
                                 b=due.format("Send the family medicine card"),
                                 c_type="email", c_summary="Emailed the office."))

    records = section(last_commit(repo, "edited"), "Records")

    assert "**Interactions**: 1 added, 2 changed, 1 removed (23 → 23 records)" in records
    assert bullets(records) == [
        "- 2026-11-10 — Lena Brooks — email at French Broad Podiatry — Emailed the office.",
        "- 2026-11-10 — Lena Brooks — visit at French Broad Podiatry — Visit to French Broad. "
        "(`follow_ups`: “Send the podiatry card” added (due 2026-11-30))",
        "- 2026-11-10 — Lena Brooks — visit at Mountain View Family Medicine — Visit to Mountain "
        "View. (`follow_ups`: “Send the family medicine card” added (due 2026-11-30))",
        "- 2026-11-10 — Lena Brooks — call at French Broad Podiatry — Called the office.",
    ]


def test_a_follow_up_whose_task_changed_in_capitals_alone_is_the_same_one(tmp_path):
    repo, site = new_repo(tmp_path)
    path = site / "data/interactions/2026/11/2026-11-19-hendersonville-visit.yaml"
    text = path.read_text()
    assert text.count("Send the ultrasound criteria card") == 1
    path.write_text(text.replace("Send the ultrasound criteria card",
                                 "Send the Ultrasound Criteria card").replace(
        "    due: 2026-11-25\n", "    due: 2026-11-25\n    done: 2026-11-24\n"))
    records = section(last_commit(repo, "done"), "Records")
    assert bullets(records)[0].endswith(
        "(`follow_ups`: “Send the Ultrasound Criteria card” done 2026-11-24)"), records


def test_interactions_added_are_listed_by_date_liaison_and_summary(tmp_path):
    repo, site = new_repo(tmp_path)
    write(site / "data/interactions/2026/11/two.yaml",
          "- {date: 2026-11-10, liaison: lena-brooks, type: call, practice: french-broad-podiatry,"
          " summary: Booked the lunch.}\n"
          "- {date: 2026-11-10, liaison: lena-brooks, type: visit, practice: french-broad-podiatry,"
          " summary: Asked about the fax.}\n")
    records = section(last_commit(repo, "two"), "Records")
    assert [b.split(" — ")[3] for b in bullets(records)] == ["Asked about the fax.",
                                                             "Booked the lunch."]


def test_guides_decks_and_settings(tmp_path):
    repo, site = new_repo(tmp_path)
    write(site / "content/training/phone-basics.md",
          "---\ntitle: Phone basics\naudience: front-desk\n---\nAnswer by the third ring.\n")
    deck = site / "content/presentations/venous-basics.md"
    deck.write_text(deck.read_text().replace("keep it to ten minutes", "keep it short"))
    config = site / "site.yaml"
    config.write_text(config.read_text().replace("lapsed_after_days: 120", "lapsed_after_days: 150"))
    records = section(last_commit(repo, "content"), "Records")
    assert bullets(records) == [
        "- thresholds: lapsed_after_days 120 → 150",
        "- Added: `phone-basics` Phone basics",
        "- Changed: `venous-basics` Venous disease basics",
    ]
    assert "**Training guides**: 1 added" in records
    assert "**Presentation decks**: 1 changed" in records


def test_services_and_tiers_changed_in_the_settings_say_which_and_from_what(tmp_path):
    repo, site = new_repo(tmp_path)
    config = site / "site.yaml"
    text = config.read_text(encoding="utf-8")
    edited = text.replace("    name: Sclerotherapy\n", "    name: Sclerotherapy (spider veins)\n")
    edited = edited.replace("services:\n", "services:\n  - key: compression-therapy\n"
                                           "    name: Compression therapy\n")
    edited += ("tiers:\n  A: {visit_every_days: 21}\n  B: {visit_every_days: 60}\n"
               "  C: {visit_every_days: 120}\n  D: {visit_every_days: 180}\n")
    config.write_text(edited, encoding="utf-8")
    # the defaults before (A 30, B 60, C 120): A moved, D added
    assert bullets(section(last_commit(repo, "settings"), "Records")) == [
        "- services added: `compression-therapy`",
        "- services changed: `sclerotherapy`",
        "- tiers (visit every … days): A 30 → 21, D — → 180",
    ]
    config.write_text(text, encoding="utf-8")
    assert bullets(section(last_commit(repo, "settings back"), "Records")) == [
        "- services changed: `sclerotherapy`",
        "- services removed: `compression-therapy`",
        "- tiers (visit every … days): A 21 → 30, D 180 → —",
    ]


def test_settings_with_errors_in_the_head_and_fixed_again(tmp_path):
    repo, site = new_repo(tmp_path)
    config = site / "site.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + "favorite: golf\n", encoding="utf-8")
    assert ("**Site settings** (`site.yaml`): has errors in the head\n"
            in section(last_commit(repo, "a typo"), "Records"))
    config.write_text(text, encoding="utf-8")
    assert ("**Site settings** (`site.yaml`): was fixed (it had errors in the base)\n"
            in section(last_commit(repo, "fixed"), "Records"))


def test_a_guide_whose_text_or_title_changed_is_changed(tmp_path):
    repo, site = new_repo(tmp_path)
    guide = site / "content/training/referral-source-basics.md"
    text = guide.read_text(encoding="utf-8")
    guide.write_text(text + "\nAsk before the insurance questions.\n", encoding="utf-8")
    # the body alone
    assert bullets(section(last_commit(repo, "a line"), "Records")) == [
        '- Changed: `referral-source-basics` Asking "How did you hear about us?"']
    guide.write_text(guide.read_text(encoding="utf-8").replace(
        'title: Asking "How did you hear about us?"', "title: Asking the referral source"),
        encoding="utf-8")
    assert bullets(section(last_commit(repo, "retitled"), "Records")) == [
        '- Changed: `referral-source-basics` Asking "How did you hear about us?" → '
        "Asking the referral source"]


def test_an_optional_setting_added_or_removed(tmp_path):
    """`compliance` or `repository` added to site.yaml (a site of the first edition upgraded)
    or taken out: said so, where the summary raised an AttributeError on the missing side."""
    repo, site = new_repo(tmp_path)
    config = site / "site.yaml"
    text = config.read_text(encoding="utf-8")
    without, n = re.subn(r"(?m)^compliance:\n(?:[ #].*\n)+", "", text)
    assert n == 1
    config.write_text(without, encoding="utf-8")
    commit_all(repo, "no compliance")
    config.write_text(text + "repository: {web_url: 'https://git.example.org/records'}\n",
                      encoding="utf-8")
    commit_all(repo, "compliance and repository")

    removed = bullets(section(summarize(repo, "HEAD~2", "HEAD~1", AS_OF), "Records"))
    assert removed == ["- compliance: removed"]
    added = bullets(section(summarize(repo, "HEAD~1", "HEAD", AS_OF), "Records"))
    assert added == ["- compliance: added", "- repository: added"]
    limit = re.search(r"(?m)^  annual_limit: (\S+)", text).group(1)
    config.write_text(config.read_text(encoding="utf-8").replace(
        f"annual_limit: {limit}", "annual_limit: 525.50"), encoding="utf-8")
    changed = bullets(section(last_commit(repo, "the new year's limit"), "Records"))
    assert changed == [f"- compliance: annual_limit ${Decimal(limit):,.2f} → $525.50"]


def test_referral_rows_that_only_gain_taken_by_or_declined_reason_are_said_so(tmp_path):
    """A first-edition site annotating its referrals (the second edition's taken_by and
    declined_reason) shows each annotated row as one removed and one added: the summary says
    how many of them are the same referrals, paired by everything else."""
    repo = first_edition_repo(tmp_path, "first edition")
    rows = repo / "data/referrals/through-2026-09.yaml"
    lines = rows.read_text(encoding="utf-8").splitlines(keepends=True)
    annotated = 0
    for i, line in enumerate(lines):
        if "status: declined}" in line:
            lines[i] = line.replace("status: declined}", "status: declined, declined_reason: other}")
            annotated += 1
        elif "source: web" in line and "taken_by" not in line:
            lines[i] = line.replace("}", ", taken_by: owen-price}", 1)
            annotated += 1
    assert annotated >= 3
    lines.append("- {date: 2026-09-28, source: web, service: sclerotherapy, taken_by: owen-price}\n")
    rows.write_text("".join(lines), encoding="utf-8")
    records = section(last_commit(repo, "second edition"), "Records")
    assert (f"**Referrals**: {annotated + 1} rows added, {annotated} removed" in records), records
    assert (f"Of these, {annotated} referrals removed and added again are the same ones with "
            "`taken_by` or `declined_reason` added or changed." in records), records


def test_a_referral_row_annotated_and_grown_says_one_referral_annotated(tmp_path):
    # a row of one referral given taken_by and a count of 3: one referral annotated, two
    # added (not three annotated)
    records = referrals_edited(tmp_path, "2026-09-04,web,,vein-ablation,referred,1,\n",
                               "2026-09-04,web,,vein-ablation,referred,3,owen-price\n")

    assert ("**Referrals**: 1 row added, 1 removed (49 → 49 rows); referrals +3 / -1 "
            "(52 → 54)" in records), records
    assert ("Of these, 1 referral removed and added again is the same one with `taken_by` or "
            "`declined_reason` added or changed." in records), records


def test_a_referral_annotated_beside_one_added_is_no_status_move(tmp_path):
    # one referral given taken_by, and another of the same day added as scheduled: the
    # annotated one is not also read as moved from referred to scheduled
    records = referrals_edited(tmp_path, "2026-09-04,web,,vein-ablation,referred,1,\n",
                               "2026-09-04,web,,vein-ablation,referred,1,owen-price\n"
                               "2026-09-04,web,,vein-ablation,scheduled,1,\n")

    assert ("**Referrals**: 2 rows added, 1 removed (49 → 50 rows); referrals +2 / -1 "
            "(52 → 53)" in records), records
    assert ("Of these, 1 referral removed and added again is the same one with `taken_by` or "
            "`declined_reason` added or changed." in records), records
    assert "`status` changed" not in records, records


def test_referrals_of_twelve_months_show_every_month_and_no_more(tmp_path):
    # more than ten changed rows: counted by month, and twelve months are shown whole
    repo, site = new_repo(tmp_path)
    months = [f"{2025 + (m > 12)}-{(m - 1) % 12 + 1:02d}" for m in range(12, 24)]
    write(site / "data/referrals/year.csv", "date,source,physician,service,status,count\n"
          + "".join(f"{m}-15,web,,sclerotherapy,referred,1\n" for m in months))
    records = section(last_commit(repo, "a year"), "Records")
    assert months[0] == "2025-12" and months[-1] == "2026-11"
    assert table_rows(records) == ["| month | added | removed |"] + [
        f"| {m} | +1 | -0 |" for m in months]


def test_a_referral_file_with_errors_in_both_revisions_is_named_once(tmp_path):
    records = referrals_edited(tmp_path, "2026-09-04,web,,vein-ablaton,\n",
                               "2026-09-04,web,,vein-ablaton,\n2026-09-05,web,,vein-ablation,\n",
                               head="date,source,physician,service,status", name="typo.csv")
    assert ("Referral rows of a file with errors in the head are not compared: "
            "`data/referrals/typo.csv`" in records), records
    assert "errors in the base" not in records, records


def test_a_removed_interaction_naming_a_physician_alone_says_where_they_were(tmp_path):
    # the place of a removed visit that names only a physician is the base's: the head may
    # have removed the physician too
    repo, site = new_repo(tmp_path)
    write(site / "data/physicians/priya-natarajan.yaml", PHYSICIAN)
    visit = site / "data/interactions/2026/11/priya.yaml"
    write(visit, "date: 2026-11-12\nliaison: lena-brooks\ntype: visit\n"
                 "physicians: [priya-natarajan]\nsummary: Met Dr. Natarajan.\n")
    commit_all(repo, "priya")
    visit.unlink()
    (site / "data/physicians/priya-natarajan.yaml").unlink()
    records = section(last_commit(repo, "priya gone"), "Records")
    assert ("- 2026-11-12 — Lena Brooks — visit at Mountain View Family Medicine — Met Dr. "
            "Natarajan." in bullets(records)), records


def test_a_row_of_two_referrals_annotated_says_two_referrals(tmp_path):
    records = referrals_edited(tmp_path, "2026-09-04,web,,vein-ablation,referred,2,\n",
                               "2026-09-04,web,,vein-ablation,referred,2,owen-price\n")
    assert ("Of these, 2 referrals removed and added again are the same ones with `taken_by` "
            "or `declined_reason` added or changed." in records), records


def test_referral_rows_whose_status_moved_on_are_said_so(tmp_path):
    """The coordinator's daily edit, a referral marked scheduled, consulted or declined: each
    row reads as one removed and one added; the summary says how many are the same referrals
    with their status changed, from what to what (the statistics' totals do not move, so
    nothing else said it). A referral deleted and another added are not paired."""
    repo = first_edition_repo(tmp_path, "base")
    rows = repo / "data/referrals/through-2026-09.yaml"
    text = rows.read_text(encoding="utf-8")
    moves = {
        "{date: 2026-05-30, source: insurance, service: vascular-ultrasound, status: scheduled}":
            "{date: 2026-05-30, source: insurance, service: vascular-ultrasound, status: treated}",
        "{date: 2026-03-21, source: unknown, service: vein-ablation, status: consulted}":
            "{date: 2026-03-21, source: unknown, service: vein-ablation, status: declined,"
            " declined_reason: patient-choice}",
        # not a move: another referral (another service) in place of this one
        "{date: 2025-04-05, source: patient, service: vein-ablation, status: consulted}":
            "{date: 2025-04-05, source: patient, service: sclerotherapy, status: treated}",
    }
    for was, now in moves.items():
        assert text.count(was) == 1, was
        text = text.replace(was, now)
    rows.write_text(text, encoding="utf-8")
    records = section(last_commit(repo, "statuses"), "Records")
    assert "**Referrals**: 3 rows added, 3 removed" in records, records
    assert ("Of these, 2 referrals removed and added again are the same ones with their "
            "`status` changed: scheduled → treated 1, consulted → declined 1." in records), records


def test_identical_referral_rows_rolled_up_into_one_count_as_the_rows_they_were(tmp_path):
    # two identical rows of one referral each, written as one row of 2: two rows removed, one
    # added, the same referrals
    records = referrals_edited(tmp_path, "2026-09-03,web,,vein-ablation,referred,1\n"
                                         "2026-09-03,web,,vein-ablation,referred,1\n",
                               "2026-09-03,web,,vein-ablation,referred,2\n", head=COUNTED)

    assert ("**Referrals**: 1 row added, 2 removed (50 → 49 rows); referrals +0 / -0 "
            "(53 → 53)" in records), records
    assert "The rows were regrouped; the referrals they stand for are the same." in records


def test_rolled_up_referrals_whose_statuses_moved_pair_the_earliest_stages_first(tmp_path):
    """Two referrals of one day at two stages both moved on, and a day's row of one referral
    become two (one moved on, one added): each referral lost pairs with one gained, the
    earliest stage first, never with more referrals than it stands for."""
    records = referrals_edited(tmp_path, "2026-09-01,web,,vein-ablation,referred,1\n"
                                         "2026-09-01,web,,vein-ablation,scheduled,1\n"
                                         "2026-09-02,web,,sclerotherapy,referred,1\n",
                               "2026-09-01,web,,vein-ablation,consulted,1\n"
                               "2026-09-01,web,,vein-ablation,treated,1\n"
                               "2026-09-02,web,,sclerotherapy,scheduled,2\n", head=COUNTED)

    # 48 + 3 rows standing for 51 + 3 referrals; 4 referrals gained, 3 lost
    assert ("**Referrals**: 3 rows added, 3 removed (51 → 51 rows); referrals +4 / -3 "
            "(54 → 55)" in records), records
    # 2026-09-01: referred → consulted and scheduled → treated (not scheduled → consulted and
    # referred → treated); 2026-09-02: one of the two scheduled is the referral referred
    assert ("Of these, 3 referrals removed and added again are the same ones with their "
            "`status` changed: referred → scheduled 1, referred → consulted 1, "
            "scheduled → treated 1.\n" in records), records


# --------------------------------------------------------------------------- the working tree


def test_working_tree_comparison_reads_uncommitted_edits(tmp_path):
    repo, site = new_repo(tmp_path)
    physician = site / "data/physicians/grace-holloway.yaml"
    edited = physician.read_text().replace("specialty: Family Medicine",
                                           "specialty: Internal Medicine")
    physician.write_text(edited)
    head_before = git(repo, "rev-parse", "HEAD")
    status = git(repo, "status", "--porcelain")

    text = summarize(repo, "HEAD", None, AS_OF)

    assert text.splitlines()[0] == "## Liaison: data changes from `HEAD` " \
        f"({head_before[:7]}) to the working tree"
    assert bullets(section(text, "Records")) == [
        "- Changed: `grace-holloway` Grace Holloway (`specialty`)"]
    assert "No total moved." in text
    # the working tree and the repository are left as they were
    assert physician.read_text() == edited
    assert git(repo, "rev-parse", "HEAD") == head_before
    assert git(repo, "status", "--porcelain") == status


def test_site_root_in_a_subfolder(tmp_path):
    repo, site = new_repo(tmp_path, sub="records")
    write(repo / "README.md", "not part of the site\n")
    make_change(site)
    commit_all(repo, "head")

    from_top = summarize(repo, "HEAD~1", "HEAD", AS_OF, root="records")
    from_inside = summarize(site, "HEAD~1", "HEAD", AS_OF)
    assert from_top.replace("site root `records`, ", "") == from_inside.replace(
        "site root `records`, ", "")
    assert "_site root `records`, statistics as of 2026-11-26_" in from_top
    assert "`priya-natarajan` Priya Natarajan" in from_top
    # and against the working tree
    assert "`priya-natarajan`" in summarize(repo, "HEAD~1", None, AS_OF, root="records")


# --------------------------------------------------------------------------- errors


def test_unknown_revision(tmp_path):
    repo, _site = new_repo(tmp_path)
    with pytest.raises(LiaisonError, match=r"unknown revision 'no-such-branch': bad revision "
                                           r"'no-such-branch'"):
        summarize(repo, "no-such-branch", None, AS_OF)
    with pytest.raises(LiaisonError, match="unknown revision 'HEAD~5'"):
        summarize(repo, "HEAD", "HEAD~5", AS_OF)
    with pytest.raises(LiaisonError, match="is not a revision"):
        summarize(repo, "--output=x", None, AS_OF)


def test_a_revision_missing_from_a_shallow_clone_or_an_empty_repository_says_why(tmp_path):
    # git says "bad revision" alike for a typo, a shallow clone that never fetched the base
    # (`git clone --depth 1`, a CI checkout without fetch-depth: 0) and a site not committed
    # yet: the message sent the reviewer looking for a typo
    repo, site = new_repo(tmp_path)
    write(site / "data/physicians/priya-natarajan.yaml", PHYSICIAN)
    commit_all(repo, "head")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", repo.as_uri(), str(shallow)],
                   check=True, capture_output=True)
    with pytest.raises(LiaisonError, match=r"unknown revision 'HEAD~1': .*this clone is "
                                           r"shallow.*git fetch --unshallow"):
        summarize(shallow, "HEAD~1", None, AS_OF)
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    shutil.copytree(SPEC_EXAMPLE, empty, dirs_exist_ok=True)
    with pytest.raises(LiaisonError, match=r"unknown revision 'main': .*no commit yet"):
        summarize(empty, "main", None, AS_OF)
    # a typo in a full clone: git's message alone
    with pytest.raises(LiaisonError, match=r"'no-such-branch'$"):
        summarize(repo, "no-such-branch", None, AS_OF)


def test_not_a_git_repository(tmp_path):
    plain = tmp_path / "plain"
    shutil.copytree(SPEC_EXAMPLE, plain)
    _make_writable(plain)
    with pytest.raises(LiaisonError, match="is not a git repository: not a git repository"):
        summarize(plain, "HEAD", None, AS_OF)
    with pytest.raises(LiaisonError, match="is not a folder"):
        summarize(tmp_path / "missing", "HEAD", None, AS_OF)


def test_no_site_at_a_revision(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    write(repo / "README.md", "before the site existed\n")
    first = commit_all(repo, "first")
    shutil.copytree(SPEC_EXAMPLE, repo, dirs_exist_ok=True)
    _make_writable(repo)
    commit_all(repo, "site")

    with pytest.raises(LiaisonError, match=f"no site.yaml in the repository's top folder at "
                                           f"revision '{first}'"):
        summarize(repo, first, "HEAD", AS_OF)
    with pytest.raises(LiaisonError, match="no site root 'nowhere' at revision 'HEAD'"):
        summarize(repo, "HEAD", "HEAD", AS_OF, root="nowhere")
    with pytest.raises(LiaisonError, match="not inside the git repository"):
        summarize(repo, "HEAD", None, AS_OF, root=str(tmp_path))


def test_a_site_whose_settings_file_is_site_yml_is_read_at_both_revisions(tmp_path):
    # SPEC §1 takes site.yml as well as site.yaml: the export must not ask for site.yaml
    repo, site = new_repo(tmp_path)
    (site / "site.yaml").rename(site / "site.yml")
    commit_all(repo, "settings as site.yml")
    write(site / "data/physicians/priya-natarajan.yaml", PHYSICIAN)
    commit_all(repo, "head")

    text = summarize(repo, "HEAD~1", "HEAD", AS_OF)
    assert "- Added: `priya-natarajan` Priya Natarajan" in text
    assert "Site settings" not in text


def test_a_typo_on_an_unborn_branch_is_not_said_to_be_an_empty_repository(tmp_path):
    # an orphan branch just made (`git checkout --orphan`): HEAD names no commit yet, but the
    # repository has commits; a mistyped revision is a typo, not "no commit yet"
    repo, _site = new_repo(tmp_path)
    git(repo, "checkout", "-q", "--orphan", "fresh")
    with pytest.raises(LiaisonError, match=r"unknown revision 'no-such-branch'") as raised:
        summarize(repo, "no-such-branch", None, AS_OF)
    assert "no commit yet" not in str(raised.value)


@pytest.mark.parametrize("archive, message", [
    # git archive itself fails (a disk full, a broken object): git's message, not tar's
    ('echo "fatal: simulated failure" >&2; exit 128',
     r"git archive of 'HEAD' failed: simulated failure$"),
    # it exits 0 but what it wrote is no tar archive
    ("echo not a tar archive; exit 0", r"cannot unpack revision 'HEAD': "),
], ids=["git-fails", "not-a-tar"])
def test_a_revision_that_cannot_be_exported_is_an_error(tmp_path, monkeypatch, archive, message):
    repo, _site = new_repo(tmp_path)
    real = shutil.which("git")
    fake = tmp_path / "bin" / "git"
    write(fake, f'#!/bin/sh\nfor a in "$@"; do [ "$a" = archive ] && {{ {archive}; }}; done\n'
                f'exec "{real}" "$@"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{Path(real).parent}")
    with pytest.raises(LiaisonError, match=message):
        summarize(repo, "HEAD", None, AS_OF)


def test_a_repository_reached_through_a_symbolic_link_is_read(tmp_path):
    # git names the repository by its real path; the site root given through a link is the
    # same folder
    repo, site = new_repo(tmp_path)
    write(site / "data/physicians/priya-natarajan.yaml", PHYSICIAN)
    commit_all(repo, "head")
    link = tmp_path / "link"
    link.symlink_to(repo, target_is_directory=True)
    assert "- Added: `priya-natarajan` Priya Natarajan" in summarize(link, "HEAD~1", "HEAD", AS_OF)


def test_a_command_typed_in_a_folder_of_the_site_names_the_site_root(tmp_path):
    """`liaison changes HEAD` typed in the site's data/ said "no site.yaml in 'data' at
    revision 'HEAD'"; it names the site root above, as validate and build do."""
    repo, site = new_repo(tmp_path)
    with pytest.raises(LiaisonError, match=f"the site root is '{site.resolve()}', which holds "
                                           "one: run the command there"):
        summarize(site / "data", "HEAD", None, AS_OF)


def test_head_with_a_validation_error_still_gets_a_summary(tmp_path):
    repo, site = new_repo(tmp_path)
    write(site / "data/interactions/2026/11/bad.yaml",
          "date: 2026-11-25\nliaison: lena-brooks\ntype: visit\npractice: nowhere-clinic\n"
          "summary: A visit to an unknown practice.\n")
    physician = site / "data/physicians/marcus-bell.yaml"
    physician.write_text(physician.read_text().replace("tier: B", "tier: B\nfavorite: golf"))

    text = summarize(repo, "HEAD", None, AS_OF)

    assert "The statistics could not be computed: the head has 2 errors." in text
    validation = section(text, "Validation")
    assert "The head fails: **2 errors, 4 warnings** (base: 0 errors, 4 warnings)." in validation
    block = validation.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    # errors first, then the warnings
    assert block[0].startswith("data/interactions/2026/11/bad.yaml:4:11: error: practice:")
    assert "nowhere-clinic" in block[0]
    assert block[1] == "data/physicians/marcus-bell.yaml:6:1: error: favorite: unknown field"
    # (the base's four warnings are not listed again)
    assert [line.split(": ")[1] for line in block] == ["error"] * 2
    assert "New in the head: 2 problems." in validation
    # the physician's file has errors: it is not reported as removed
    records = section(text, "Records")
    assert "- Not compared: `marcus-bell` Marcus Bell" in records
    assert "Removed" not in records
    assert "The head has errors" in records


def test_a_record_whose_file_is_fixed_in_the_head_is_changed_not_added(tmp_path):
    # the base holds Marcus Bell's file with an error (no record is read from it): the head's
    # fix brings his record back, the same physician, not one added
    repo, site = new_repo(tmp_path)
    physician = site / "data/physicians/marcus-bell.yaml"
    good = physician.read_text()
    physician.write_text(good.replace("tier: B", "tier: B\nfavorite: golf"))
    commit_all(repo, "a typo")
    physician.write_text(good)

    records = section(last_commit(repo, "fixed"), "Records")

    assert "**Physicians**: 1 changed\n" in records
    assert bullets(records) == [
        "- Changed: `marcus-bell` Marcus Bell (the base version had errors)"]
    # the base's statistics would lack him: none are compared
    assert ("The statistics could not be computed: the base has 1 error.\n"
            in section(summarize(repo, "HEAD~1", "HEAD", AS_OF), "Statistics"))


def test_new_errors_are_listed_before_new_warnings(tmp_path):
    repo, site = new_repo(tmp_path)
    # a warning (a near form) in one file, an error (an unknown field) in another
    write(site / "data/interactions/2026/11/acct.yaml",
          "date: 2026-11-25\nliaison: lena-brooks\ntype: call\npractice: french-broad-podiatry\n"
          "summary: Asked for chart 004417 to be faxed.\n")
    physician = site / "data/physicians/marcus-bell.yaml"
    physician.write_text(physician.read_text().replace("tier: B", "tier: B\nfavorite: golf"))
    validation = section(summarize(repo, "HEAD", None, AS_OF), "Validation")
    block = validation.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    assert [line.split(": ")[1] for line in block] == ["error", "warning"], block


def test_a_problem_quoting_backticks_does_not_close_its_block(tmp_path):
    repo, site = new_repo(tmp_path)
    physician = site / "data/physicians/marcus-bell.yaml"
    physician.write_text(physician.read_text().replace("tier: B", "tier: B\n'```': golf"))
    validation = section(summarize(repo, "HEAD", None, AS_OF), "Validation")
    assert "\n````text\ndata/physicians/marcus-bell.yaml:6:1: error: ```: unknown field" in validation
    assert validation.count("````") == 2, validation


# The first lunch of the example's q3.yml, as the summary lists it: the visit lunch_typo spoils.
LUNCH_OF_THE_TYPO = ("- 2026-08-23 — Lena Brooks — lunch at Mountain View Family Medicine — "
                     "Provider lunch on when to order a venous duplex.")


def lunch_typo(site: Path) -> tuple[Path, str]:
    """Writes 'type: lnch' for the first lunch of the example's q3.yml (an error: its file
    cannot be compared); gives the file and its text before."""
    q3 = site / "data/interactions/2026/q3.yml"
    good = q3.read_text()
    q3.write_text(good.replace("  type: lunch", "  type: lnch", 1))
    return q3, good


def not_compared(records: str, why: str) -> list[str]:
    """The interactions the Records section lists as not compared, because their file ``why``
    ("has errors in the head", "had errors in the base")."""
    shown = records.split(f"Not compared (its file {why}):\n\n", 1)[1]
    return bullets(shown.split("\n\n", 1)[0])


def test_interactions_of_a_file_with_errors_in_the_head_are_not_compared(tmp_path):
    # a typo in a visit ('type: lnch') listed it as "Removed:", as if the pull request
    # deleted it; a physician whose file has errors was "Not compared" already
    repo, site = new_repo(tmp_path)
    lunch_typo(site)
    write(site / "data/interactions/2026/11/added.yaml", INTERACTIONS)
    text = summarize(repo, "HEAD", None, AS_OF)
    records = section(text, "Records")
    assert "**Interactions**: 2 added, 1 not compared (errors in the head) (20 → 21 records)" \
        in records
    assert "Removed" not in records
    assert not_compared(records, "has errors in the head") == [LUNCH_OF_THE_TYPO]


def test_interactions_of_a_file_fixed_in_the_head_are_not_added(tmp_path):
    # the pull request that fixes a typo ('type: lnch') in the base listed the visit as
    # "Added:", as if it logged a new one
    repo, site = new_repo(tmp_path)
    q3, good = lunch_typo(site)
    commit_all(repo, "a typo")
    q3.write_text(good)
    records = section(summarize(repo, "HEAD", None, AS_OF), "Records")
    assert "**Interactions**: 1 not compared (errors in the base) (19 → 20 records)" in records
    assert "Added" not in records
    assert not_compared(records, "had errors in the base") == [LUNCH_OF_THE_TYPO]


def test_referral_rows_of_a_file_with_errors_in_the_head_are_not_compared(tmp_path):
    # a typo in one row of a referral CSV ('treatd') showed the row as removed, "-1", as if
    # the pull request took a referral away
    repo, site = new_repo(tmp_path)
    csv = site / "data/referrals/2026-10-to-11.csv"
    text = csv.read_text()
    assert text.count(",scheduled,") >= 1
    csv.write_text(text.replace(",scheduled,", ",scheduld,", 1))
    records = section(summarize(repo, "HEAD", None, AS_OF), "Records")
    assert "**Referrals**" not in records and "| -1 |" not in records, records
    assert ("Referral rows of a file with errors in the head are not compared: "
            "`data/referrals/2026-10-to-11.csv`") in records
    # and the pull request that fixes the typo: not a referral added, "+1"
    commit_all(repo, "a typo")
    csv.write_text(text)
    records = section(summarize(repo, "HEAD", None, AS_OF), "Records")
    assert "**Referrals**" not in records and "| +1 |" not in records, records
    assert ("Referral rows of a file with errors in the base are not compared: "
            "`data/referrals/2026-10-to-11.csv`") in records


def daily_calls(n: int) -> str:
    """``n`` calls of Lena Brooks to French Broad Podiatry, one a day from 2026-10-01, as one
    file's list ("Call number 1." …)."""
    return "".join(
        f"- date: {dt.date(2026, 10, 1) + dt.timedelta(days=i)}\n  liaison: lena-brooks\n"
        f"  type: call\n  practice: french-broad-podiatry\n  summary: Call number {i + 1}.\n"
        for i in range(n))


def test_long_lists_are_capped(tmp_path):
    repo, site = new_repo(tmp_path)
    # 25 calls (one per day, 2026-10-01 …) and 15 referral rows over 15 months.
    write(site / "data/interactions/calls.yaml", daily_calls(25))
    rows = "".join(f"{2025 + (8 + i) // 12}-{(8 + i) % 12 + 1:02d}-15,patient,,vein-ablation,\n"
                   for i in range(15))
    write(site / "data/referrals/patients.csv", "date,source,physician,service,status\n" + rows)
    # and one interaction removed
    (site / "data/interactions/2026/11/2026-11-26-mountain-view-call.yaml").unlink()
    records = section(last_commit(repo, "many"), "Records")
    assert "**Interactions**: 25 added, 1 removed (20 → 44 records)" in records
    added = records.split("Added:\n", 1)[1].split("Removed:\n", 1)[0]
    assert bullets(added)[0] == "- 2026-10-01 — Lena Brooks — call at French Broad Podiatry — Call number 1."
    assert bullets(added)[19] == "- 2026-10-20 — Lena Brooks — call at French Broad Podiatry — Call number 20."
    assert bullets(added)[20] == "- … and 5 more"
    assert len(bullets(added)) == 21
    removed = records.split("Removed:\n", 1)[1]
    assert bullets(removed)[0] == (
        "- 2026-11-26 — Lena Brooks — call at Mountain View Family Medicine — Confirmed next week's "
        "lunch with the office manager.")
    # more than 10 changed referral keys: by month, 12 months shown (2025-09 … 2026-08)
    months = table_rows(records)
    assert months[0] == "| month | added | removed |"
    assert months[1] == "| 2025-09 | +1 | -0 |"
    assert months[12] == "| 2026-08 | +1 | -0 |"
    assert months[13] == "| … and 3 more months | | |"
    assert len(months) == 14


def test_lists_exactly_at_their_caps_are_shown_whole(tmp_path):
    """20 added interactions are all listed (no "… and 0 more"); 10 changed referral keys are
    a table of rows; 13 months of changes are 12 months and "… and 1 more month"."""
    repo, site = new_repo(tmp_path)
    write(site / "data/interactions/calls.yaml", daily_calls(20))
    rows = "".join(f"2026-{m:02d}-15,patient,,vein-ablation,\n" for m in range(1, 11))
    write(site / "data/referrals/patients.csv", "date,source,physician,service,status\n" + rows)
    records = section(last_commit(repo, "at the caps"), "Records")
    added = records.split("Added:\n", 1)[1]
    listed = [b for b in bullets(added) if " — Lena Brooks — call at French Broad Podiatry — Call number " in b]
    assert len(listed) == 20 and not [b for b in bullets(records) if b.startswith("- … and")]
    table = table_rows(records)
    assert table[0].startswith("| date | source |") and len(table) == 11
    assert table[1] == "| 2026-01-15 | patient | — | vein-ablation | referred | — | — | +1 |"

    write(site / "data/referrals/more.csv", "date,source,physician,service,status\n"
          + "".join(f"2025-{m:02d}-15,patient,,vein-ablation,\n" for m in range(1, 13))
          + "2026-11-15,web,,vein-ablation,\n")
    months = table_rows(section(last_commit(repo, "13 months"), "Records"))
    assert months[0] == "| month | added | removed |"
    assert months[1] == "| 2025-01 | +1 | -0 |" and months[12] == "| 2025-12 | +1 | -0 |"
    assert months[13] == "| … and 1 more month | | |" and len(months) == 14


def test_twenty_physicians_whose_status_moved_are_all_shown(tmp_path):
    # twenty physicians with no referral (prospects) each get their first: twenty rows of
    # prospect → new, shown whole (no "… and 0 more")
    repo, site = new_repo(tmp_path)
    for i in range(20):
        write(site / f"data/physicians/doc-{i:02d}.yaml",
              f"name: Doc {i:02d}\nspecialty: Podiatry\npractice: french-broad-podiatry\n")
    commit_all(repo, "twenty prospects")
    write(site / "data/referrals/firsts.csv", "date,source,physician,service,status\n" + "".join(
        f"2026-11-20,physician,doc-{i:02d},vein-ablation,\n" for i in range(20)))
    rows = table_rows(section(last_commit(repo, "their firsts"), "Statistics"))
    moved = [r for r in rows if "(`doc-" in r]
    assert moved == [f"| Doc {i:02d} (`doc-{i:02d}`) | status | prospect | new |" for i in range(20)]
    assert not [r for r in rows if r.startswith("| … and")]


def test_a_broken_template_override_at_head_shows_in_the_validation(tmp_path):
    from liaison.changes import summarize

    repo, site = new_repo(tmp_path)
    write(site / "templates/practice.html", '{% extends "base.html" %}\n{% block content %}{% if %}{% endblock %}\n')
    head = commit_all(repo, "a broken override")
    text = summarize(repo, "HEAD~1", head, dt.date(2026, 11, 26))
    assert "templates/practice.html:2:1: error: template error:" in text


def test_a_move_or_a_hand_over_says_from_what_to_what(tmp_path):
    # A physician who moved, a practice handed to another liaison, a tier and a role changed:
    # "(`practice`)" alone made the manager open the diff to see where they went.
    repo, site = new_repo(tmp_path)
    path = site / "data/physicians/marcus-bell.yaml"
    path.write_text(path.read_text().replace(
        "practice: mountain-view-family-medicine\ntier: B\n",
        "practice: french-broad-podiatry\nliaison: owen-price\n")
        .replace("an echo first", "an echo first, since his move too"))
    path = site / "data/practices/french-broad-podiatry.yaml"
    path.write_text(path.read_text().replace("liaison: lena-brooks\n", "liaison: owen-price\n"))
    path = site / "data/team/owen-price.yaml"
    path.write_text(path.read_text().replace("role: front-desk", "role: liaison"))
    records = section(last_commit(repo, "moves"), "Records")
    assert bullets(records) == [
        "- Changed: `french-broad-podiatry` French Broad Podiatry "
        "(`liaison`: `lena-brooks` → `owen-price`)",
        "- Changed: `marcus-bell` Marcus Bell (`practice`: `mountain-view-family-medicine` → "
        "`french-broad-podiatry`, `tier`: `B` → none, `liaison`: none → `owen-price`, `notes`)",
        "- Changed: `owen-price` Owen Price (`role`: front-desk → liaison)",
    ]


def kim_takes_over_from_lena(site: Path, *kinds: str) -> None:
    """Kim Ruiz joins as a liaison and takes Lena Brooks's place in each file of ``kinds``
    (practices, physicians) that names her as its liaison."""
    write(site / "data/team/kim-ruiz.yaml", "name: Kim Ruiz\nrole: liaison\n")
    for kind in kinds:
        for path in (site / "data" / kind).glob("*.y*ml"):
            path.write_text(path.read_text().replace("liaison: lena-brooks\n",
                                                     "liaison: kim-ruiz\n"))


def lena_leaves_the_role(site: Path) -> None:
    path = site / "data/team/lena-brooks.yaml"
    path.write_text(path.read_text().replace("role: liaison", "role: other"))


def liaison_cells(rows: list[str]) -> set[tuple[str, ...]]:
    """The cells of each row of the liaisons' table (``rows`` from ``table_rows``, its
    header first)."""
    return {tuple(c.strip() for c in r.strip("|").split("|")) for r in rows[1:]}


def test_a_hand_over_shows_in_the_liaisons_figures(tmp_path):
    # Lena Brooks leaves: her practice goes to a new liaison, and so does her open follow-up.
    # The totals do not move, so "No total moved." was all the statistics said of it.
    repo, site = new_repo(tmp_path)
    kim_takes_over_from_lena(site, "practices")
    path = site / "data/interactions/2026/11/2026-11-19-hendersonville-visit.yaml"
    path.write_text(path.read_text().replace(
        "    due: 2026-11-25\n", "    due: 2026-11-25\n    owner: kim-ruiz\n"))
    text = last_commit(repo, "hand-over")
    stats = section(text, "Statistics")
    assert "No total moved." in stats
    rows = table_rows(stats)
    assert rows[0] == "| liaison | what | before | after |"
    got = liaison_cells(rows)
    from liaison.pipeline import check
    lena = check(SPEC_EXAMPLE, AS_OF, keep_records=True).stats.liaisons["lena-brooks"]
    assert lena.physicians > 0 and lena.open_follow_ups > 0
    # nina-vargas names lena-brooks herself (her practice has no liaison): the one the
    # hand-over forgot, which the table shows as Lena Brooks keeping one physician
    assert ("Lena Brooks (`lena-brooks`)", "physicians", str(lena.physicians), "1") in got
    assert ("Kim Ruiz (`kim-ruiz`)", "physicians", "—", str(lena.physicians - 1)) in got
    assert ("Kim Ruiz (`kim-ruiz`)", "open follow-ups", "—", "1") in got
    assert ("Lena Brooks (`lena-brooks`)", "open follow-ups", str(lena.open_follow_ups),
            str(lena.open_follow_ups - 1)) in got


def test_a_liaison_who_left_the_role_still_owning_follow_ups_shows_them(tmp_path):
    # Lena Brooks leaves as the README says: her practices and physicians go to Kim Ruiz and
    # her file says `role: other`, but her open follow-ups were forgotten. The table said
    # "open follow-ups | 1 | —", which reads as done or handed over: they are still hers.
    repo, site = new_repo(tmp_path)
    kim_takes_over_from_lena(site, "practices", "physicians")
    lena_leaves_the_role(site)
    commit_all(repo, "lena left")

    from liaison.pipeline import check
    lena = check(SPEC_EXAMPLE, AS_OF, keep_records=True).stats.liaisons["lena-brooks"]
    assert lena.open_follow_ups > 0
    rows = table_rows(section(summarize(repo, "HEAD~1", "HEAD", AS_OF), "Statistics"))
    got = liaison_cells(rows)
    mine = {r[1]: r[3] for r in got if r[0] == "Lena Brooks (`lena-brooks`)"}
    assert mine["physicians"] == "—"  # none left: she is in no call plan
    assert mine["open follow-ups"].startswith(f"{lena.open_follow_ups} ")
    assert "no liaison now" in mine["open follow-ups"] and "`owner:`" in mine["open follow-ups"]
    assert ("Kim Ruiz (`kim-ruiz`)", "open follow-ups", "—", "0") not in got


def test_a_liaison_who_left_the_role_still_named_by_a_physician_shows_them(tmp_path):
    # Lena Brooks leaves: her practices go to Kim Ruiz and her file says `role: other`, but
    # nina-vargas names her in her own file. The table said "physicians | 3 | —", read as
    # none left, while that physician and her referrals were in no call plan any more.
    repo, site = new_repo(tmp_path)
    kim_takes_over_from_lena(site, "practices")
    lena_leaves_the_role(site)
    commit_all(repo, "lena left")

    # nina-vargas alone names her; her 3 referrals of 365 days are the worked example's
    # (expected-stats-2026-11-26.json: physicians.nina-vargas.referrals_365d)
    rows = table_rows(section(summarize(repo, "HEAD~1", "HEAD", AS_OF), "Statistics"))
    got = liaison_cells(rows)
    mine = {r[1]: r[3] for r in got if r[0] == "Lena Brooks (`lena-brooks`)"}
    assert mine["physicians"].startswith("1 (no liaison now: ")
    assert "`liaison:`" in mine["physicians"]
    assert mine["referrals, 365 days"].startswith("3 ")


def test_a_liaison_who_left_still_named_by_a_physician_of_no_referrals_shows_zero(tmp_path):
    # the one physician still naming Lena Brooks after she left has no referral: her
    # referrals read 0 from that physician, not "—" (as if she had no physician left)
    repo, site = new_repo(tmp_path)
    write(site / "data/physicians/priya-natarajan.yaml", PHYSICIAN + "liaison: lena-brooks\n")
    commit_all(repo, "priya, lena's")
    kim_takes_over_from_lena(site, "practices")
    nina = site / "data/physicians/nina-vargas.yaml"
    nina.write_text(nina.read_text().replace("liaison: lena-brooks\n", "liaison: kim-ruiz\n"))
    lena_leaves_the_role(site)
    rows = table_rows(section(last_commit(repo, "lena left"), "Statistics"))
    mine = {r[1]: r[3] for r in liaison_cells(rows) if r[0] == "Lena Brooks (`lena-brooks`)"}
    assert mine["physicians"].startswith("1 (no liaison now: ")
    assert mine["referrals, 365 days"] == "0 (no liaison now: from the physicians above)"


def test_a_deleted_record_that_others_name_gets_its_likely_cause(tmp_path):
    # A pull request deletes a liaison who left: 30 visits name her. The summary showed ten
    # "unknown team member" lines and "… and N more", never what happened or what to do,
    # which validate says after its lines.
    repo, site = new_repo(tmp_path)
    (site / "data/team/lena-brooks.yaml").unlink()
    write(site / "data/interactions/2026/lena.yaml", "".join(
        f'- date: "2026-06-0{i % 9 + 1}"\n  liaison: lena-brooks\n  type: call\n'
        f"  practice: french-broad-podiatry\n  summary: Call number {i}.\n" for i in range(30)))
    validation = section(last_commit(repo, "lena left"), "Validation")
    assert "The head fails" in validation
    cause = next(line for line in validation.splitlines() if line.startswith("> "))
    assert cause.startswith("> Most likely cause: team member 'lena-brooks' is named ")
    assert "data/team/lena-brooks.yaml does not exist" in cause
    assert "bring the file back" in cause


def test_likely_causes_follow_more_problems_than_validate_summarizes_not_as_many(tmp_path):
    # as validate: a summary after more than 20 problems (the base's 4 warnings and 16 or 17
    # visits by a team member no file holds)
    repo, site = new_repo(tmp_path)
    calls = site / "data/interactions/2026/nobody.yaml"

    def write_calls(n: int) -> None:
        write(calls, "".join(
            f'- date: "2026-06-{i + 1:02d}"\n  liaison: nobody\n  type: call\n'
            f"  practice: french-broad-podiatry\n  summary: Call number {i}.\n" for i in range(n)))

    write_calls(16)
    validation = section(last_commit(repo, "16"), "Validation")
    assert "**16 errors, 4 warnings**" in validation
    # the first ten of the 16 new problems listed, the other six counted
    block = validation.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    assert len(block) == 10 and all("nobody" in line for line in block)
    assert "… and 6 more (run `validate` to see them all)" in validation
    assert not [line for line in validation.splitlines() if line.startswith("> ")]
    write_calls(17)
    validation = section(summarize(repo, "HEAD", None, AS_OF), "Validation")
    assert "**17 errors, 4 warnings**" in validation
    assert [line for line in validation.splitlines() if line.startswith("> ")]
    # eleven new problems: ten listed, the eleventh counted
    write_calls(11)
    validation = section(summarize(repo, "HEAD~1", None, AS_OF), "Validation")
    assert "New in the head: 11 problems." in validation
    assert "… and 1 more (run `validate` to see them all)" in validation


def test_a_physician_who_moved_takes_their_referrals_to_the_new_practice_and_says_so(tmp_path):
    # SPEC §4: a practice's referrals are its physicians'. Moving a physician moves every one
    # of their referrals to the new practice's figures, which no total shows: the manager
    # who moved her saw "No total moved."
    # Grace Holloway has the worked example's most referrals of 365 days: 7
    # (expected-stats-2026-11-26.json: physicians.grace-holloway.referrals_365d)
    repo, site = new_repo(tmp_path)
    path = site / "data/physicians/grace-holloway.yaml"
    path.write_text(path.read_text().replace("practice: mountain-view-family-medicine",
                                             "practice: french-broad-podiatry"))
    stats = section(last_commit(repo, "moved"), "Statistics")
    assert ("| Grace Holloway (`grace-holloway`) | practice, with their 7 referrals of 365 days "
            "| Mountain View Family Medicine | French Broad Podiatry |") in table_rows(stats)


def test_a_physician_who_moved_and_got_referrals_at_once_takes_the_heads_referrals(tmp_path):
    # James Whitley has no referral in the base; the change moves him and records his first
    # two: he takes those two to the new practice
    repo, site = new_repo(tmp_path)
    path = site / "data/physicians/james-whitley.yaml"
    path.write_text(path.read_text().replace("practice: hendersonville-womens-health",
                                             "practice: french-broad-podiatry"))
    write(site / "data/referrals/whitley.csv", "date,source,physician,service,status,count\n"
                                               "2026-11-20,physician,james-whitley,vein-ablation,scheduled,2\n")
    stats = section(last_commit(repo, "moved, first referrals"), "Statistics")
    assert ("| James Whitley (`james-whitley`) | practice, with their 2 referrals of 365 days "
            "| Hendersonville Women's Health | French Broad Podiatry |") in table_rows(stats)


def test_a_practice_whose_physicians_moved_away_shows_the_return_on_visit_it_takes(tmp_path):
    # SPEC §4: the people of a practice-only visit are the physicians at that practice now.
    # Moving every physician out of a practice rewrites the return on its past visits, which
    # the summary never showed (return on visit was not among its totals).
    repo, site = new_repo(tmp_path)
    from liaison.pipeline import check
    base = check(SPEC_EXAMPLE, AS_OF, keep_records=True)
    rov = base.stats.totals.rov_365d
    for path in (site / "data/physicians").glob("*.y*ml"):
        path.write_text(path.read_text().replace("practice: mountain-view-family-medicine",
                                                 "practice: french-broad-podiatry"))
    commit_all(repo, "moved")
    head = check(site, AS_OF, keep_records=True).stats.totals.rov_365d
    assert head != rov
    stats = section(summarize(repo, "HEAD~1", "HEAD", AS_OF), "Statistics")
    row = next(r for r in table_rows(stats) if r.startswith("| Return on visit"))
    assert row == (f"| Return on visit, matured visits | {rov.visits} visits: {rov.before} → "
                   f"{rov.after} | {head.visits} visits: {head.before} → {head.after} | "
                   f"visits {head.visits - rov.visits:+d}, before {head.before - rov.before:+d}, "
                   f"after {head.after - rov.after:+d} |")


def test_a_figures_change_reads_as_the_difference_of_each_part():
    """The statistics table's change column: spend that did not move is +$0.00 (never
    -$0.00), and return on visit's three parts each against their own old value."""
    from liaison.changes import _fmt_change
    from liaison.figures import Rov

    assert _fmt_change("spend_ytd_cents", 12345, 12345) == "+$0.00"
    assert _fmt_change("spend_ytd_cents", 12345, 12000) == "-$3.45"
    assert _fmt_change("rov_365d", Rov(visits=3, before=10, after=4),
                       Rov(visits=5, before=12, after=9)) == "visits +2, before +2, after +5"
    # a rate's change, with one decimal, a half away from zero as the rates themselves
    # (80.0% → 81.3% for 0.8 → 0.8125): 1.25 points read +1.3, not +1.2
    assert _fmt_change("source_capture_rate_365d", 0.8, 0.8125) == "+1.3 pts"
    assert _fmt_change("source_capture_rate_365d", 0.8125, 0.8) == "-1.3 pts"
