"""What a new team runs into in its first hour, found by following the README from `init`.

Each test writes a few files into a copy of the spec example and checks that `validate` names
the real mistake at its own place: text pasted from a web page (a no-break space where YAML
needs a space), a tab in YAML's indentation, a site.yaml with a mistake (not followed by
errors in decks that are right), and the rows of empty cells a spreadsheet leaves in a CSV.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import REPO, run_validate

AS_OF = "2026-11-26"
NBSP = "\u00a0"


def write(root: Path, rel: str, text: str) -> str:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return rel


def errors(root: Path) -> list[str]:
    code, _out, err = run_validate(root, "--as-of", AS_OF)
    found = [line for line in err if ": error: " in line]
    assert (code == 1) == bool(found), err
    return found


def place(text: str, needle: str) -> str:
    i = text.index(needle)
    before = text[:i]
    return f"{before.count(chr(10)) + 1}:{i - (before.rfind(chr(10)) + 1) + 1}"


# --------------------------------------------------------------------------- pasted spaces


@pytest.mark.parametrize("text, needle, where", [
    # after a key's colon, mid-file: libyaml complained at the start of the next line
    (f"name: Pat Doe\nspecialty:{NBSP}Family Medicine\npractice: french-broad-podiatry\n",
     f":{NBSP}", "after ':'"),
    # on the last line: libyaml complained past the end of the file
    (f"name: Pat Doe\npractice: french-broad-podiatry\nspecialty:{NBSP}Family Medicine\n",
     f":{NBSP}", "after ':'"),
    # in a list item's indentation
    (f"name: Pat Doe\npractice: french-broad-podiatry\nspecialty: FM\noffice_days:\n"
     f"  - mon\n{NBSP} - tue\n", f"{NBSP} - tue", "in the indentation"),
])
def test_a_pasted_no_break_space_is_named_at_its_place(example_site, text, needle, where):
    rel = write(example_site, "data/physicians/pat-doe.yaml", text)
    found = errors(example_site)
    line, col = place(text, needle).split(":")
    col = int(col) + (1 if needle.startswith(":") else 0)  # the space, not the colon
    assert len(found) == 1, found
    assert found[0].startswith(f"{rel}:{line}:{col}: error: "), found
    assert "no-break space (U+00A0)" in found[0] and where in found[0], found


def test_a_no_break_space_that_yaml_reads_as_text_is_named_in_the_message(example_site):
    """`- tue` with a no-break space is one text to YAML, not a list item: the type error
    says why, or the author sees a list where the validator says there is none."""
    text = ("name: Pat Doe\npractice: french-broad-podiatry\nspecialty: FM\n"
            f"office_days:\n  -{NBSP}tue\n")
    rel = write(example_site, "data/physicians/pat-doe.yaml", text)
    found = errors(example_site)
    assert len(found) == 1, found
    assert found[0].startswith(f"{rel}:5:3: error: office_days: expected a list"), found
    assert "no-break space (U+00A0) after '-'" in found[0], found


def test_a_no_break_space_inside_a_value_is_fine(example_site):
    write(example_site, "data/physicians/pat-doe.yaml",
          f"name: Pat{NBSP}Doe\nspecialty: FM\npractice: french-broad-podiatry\n")
    assert errors(example_site) == []


# --------------------------------------------------------------------------- tabs


def test_a_tab_in_site_yaml_indentation_is_named(example_site):
    """libyaml says "found character that cannot start any token" for this one."""
    site = example_site / "site.yaml"
    text = site.read_text(encoding="utf-8")
    lines = text.split("\n")
    i = next(k for k, line in enumerate(lines) if line.startswith("  name:"))
    lines[i] = "\t" + lines[i][2:]
    site.write_text("\n".join(lines), encoding="utf-8")
    found = errors(example_site)
    assert found == [f"site.yaml:{i + 1}:1: error: YAML syntax error: a tab in the indentation: "
                     "YAML indents with spaces only (set the editor to insert spaces for the "
                     "Tab key)"], found


# --------------------------------------------------------------------------- site.yaml


DECK = """\
---
title: Working with us
---
# Working with {{ site.practice.name }}

Call {{ site.practice.phone }}.
"""


def test_a_mistake_in_site_yaml_brings_no_errors_in_right_decks(example_site):
    """A newcomer edits site.yaml first; a typo there used to add an error at every deck
    slide that names `site.…` ('dict object' has no attribute 'practice')."""
    write(example_site, "content/presentations/working-with-us.md", DECK)
    assert errors(example_site) == []
    site = example_site / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("services:", "servces:", 1),
                    encoding="utf-8")
    found = errors(example_site)
    assert found and all(line.startswith("site.yaml:") for line in found), found
    # a deck's own mistake is still reported while site.yaml has one
    write(example_site, "content/presentations/working-with-us.md",
          DECK.replace("{{ site.practice.phone }}", "{% if %}"))
    assert any(line.startswith("content/presentations/working-with-us.md:")
               for line in errors(example_site))


# --------------------------------------------------------------------------- CSV


HEADER = "date,source,physician,service,status,count\r\n"


def test_a_row_of_empty_cells_from_a_spreadsheet_is_one_error(example_site):
    """Excel keeps a row whose cells were cleared as `,,,,,`: its required cells are missing
    (an error, as the contract's referral rows require them), said once, at the row, with
    what to do, not once per required cell."""
    rel = write(example_site, "data/referrals/2026-11-sheet.csv",
                "\ufeff" + HEADER + ",,,,,\r\n2026-11-02,web,,sclerotherapy,referred,1\r\n"
                ",,,,,\r\n , ,,,,\r\n\r\n")
    assert [e for e in errors(example_site) if e.startswith(rel)] == [
        f"{rel}:{line}:1: error: every cell of the row is empty (a spreadsheet keeps a row "
        "whose cells were cleared): delete the row" for line in (2, 4, 5)]


# --------------------------------------------------------------------------- the first run


def test_validate_of_a_new_site_counts_in_the_singular(tmp_path):
    """The first command after `init` printed "ok: 1 physicians, 1 practices, 1 interactions"."""
    from conftest import cli

    code, _out, err = cli("init", str(tmp_path / "ours"))
    assert code == 0, err
    code, _out, err = run_validate(tmp_path / "ours")
    assert code == 0, err
    assert err[-1] == "ok: 1 physician, 1 practice, 1 interaction, 5 referral rows", err


def test_init_in_a_clone_says_how_to_start_the_site_there(tmp_path):
    """A team that made its repository on GitHub first runs `init` in the clone: refused (it
    holds .git), and the refusal says what to do instead."""
    from conftest import cli

    clone = tmp_path / "records"
    (clone / ".git").mkdir(parents=True)
    (clone / "README.md").write_text("# Our records\n", encoding="utf-8")
    code, _out, err = cli("init", str(clone))
    assert code == 1
    assert "nothing was written" in err and "cp -Rn ../new-site/. ." in err, err
    assert sorted(p.name for p in clone.iterdir()) == [".git", "README.md"]
    code, _out, err = cli("init", str(tmp_path / "other"))  # not a clone: no such advice
    assert code == 0, err
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("x", encoding="utf-8")
    code, _out, err = cli("init", str(tmp_path / "full"))
    assert code == 1 and "cp -Rn" not in err, err


# --------------------------------------------------------------------------- ids


@pytest.mark.parametrize("written, shaped", [
    ("Maya Lindqvist", "maya-lindqvist"),  # a team member's name where the id goes
    ("Dr. Émile Zola", "emile-zola"),  # a title is no part of an id (a physician's is their name)
    ("Nora_Quill", "nora-quill"),
    # "Last, First", as a spreadsheet's list of people is kept (it was 'lindqvist-maya', no
    # one's id); capitals after the comma are credentials or a name in capitals: left in order
    ("Lindqvist, Maya", "maya-lindqvist"),
    ("Wren, Dr. Tobias", "tobias-wren"),
    ("Tobias Wren, MD", "tobias-wren-md"),
    ("WREN, TOBIAS", "wren-tobias"),
])
def test_a_name_written_for_an_id_is_shown_as_an_id(written, shaped):
    from liaison.models import id_problem

    assert id_problem(written) == (f"'{written}' is not a valid id: use lower-case letters, "
                                   f"digits and single hyphens (like '{shaped}')")


def test_an_interaction_naming_its_liaison_by_name_is_shown_the_id(example_site):
    rel = write(example_site, "data/interactions/2026/11/by-name.yaml",
                "date: 2026-11-05\nliaison: Lena Brooks\ntype: call\n"
                "practice: french-broad-podiatry\nsummary: Called the office.\n")
    assert errors(example_site) == [
        f"{rel}:2:10: error: liaison: 'Lena Brooks' is not a valid id: use lower-case letters, "
        "digits and single hyphens (like 'lena-brooks')"]


def test_the_readme_loop_over_a_sheet_of_physicians_writes_them(example_site, monkeypatch):
    """"Coming from spreadsheets" in the README: its loop over a sheet saved as CSV UTF-8 (a
    byte-order mark, CRLF) writes one physician a row, and a row `new` refuses (an NPI the
    sheet wrote as 1.41654E+09) is said, the others written; the site still validates."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Coming from spreadsheets"):]
    block = section[section.index("python - <<'EOF'\n") + len("python - <<'EOF'\n"):]
    script = textwrap.dedent(block[:block.index("  EOF\n")])
    script = script.replace('["liaison",', '[sys.executable, "-m", "liaison",')
    # headings as a person types them, a column and rows whose cells were cleared (Excel
    # keeps them): the loop read KeyError: 'id' of "ID", and "'' is not a valid id (like
    # 'mountain-view-family')" for each empty row; a refused row did not say its line
    sheet = ("ID, Name ,Specialty,Practice,NPI,\r\n"
             "noor-halvorsen,Noor Halvorsen,Internal Medicine,french-broad-podiatry,1245319599,\r\n"
             "bad-npi,Bea Dunmore,Podiatry,french-broad-podiatry,1.41654E+09,\r\n"
             "idris-pell,Idris Pell,Podiatry,french-broad-podiatry,,\r\n"
             ",,,,,\r\n,,,,,\r\n")
    (example_site / "physicians.csv").write_bytes("\ufeff".encode() + sheet.encode())
    monkeypatch.chdir(example_site)
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    done = subprocess.run([sys.executable, "-c", "import sys\n" + script], cwd=example_site,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    made = example_site / "data" / "physicians"
    assert (made / "noor-halvorsen.yaml").exists() and (made / "idris-pell.yaml").exists()
    assert not (made / "bad-npi.yaml").exists()
    assert "'1.41654E+09' is not an NPI" in done.stderr and "its last digits are lost" in done.stderr
    assert "physicians.csv:3: not written: Bea Dunmore" in done.stdout.splitlines()
    assert "is not a valid id" not in done.stderr
    (example_site / "physicians.csv").unlink()
    assert errors(example_site) == []


def test_a_sleep_center_sets_up_its_talking_points_as_the_readme_says(tmp_path):
    """"A practice of another specialty" in the README: a sleep center's services in site.yaml
    and the README's templates/talking-points.yaml suggest its own services to a
    pulmonologist, and nothing of vein care anywhere in the site."""
    import re

    from conftest import cli

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### A practice of another specialty"):]
    section = section[:section.index("\n### ")]
    mapping = re.findall(r"`((?:pulmonology|dentistry|cardiology): \[[^\]]*\])`", section)
    assert len(mapping) == 3, section
    root = tmp_path / "sleep"
    assert cli("init", str(root))[0] == 0
    site = (root / "site.yaml").read_text(encoding="utf-8")
    services = site[site.index("\nservices:"):site.index("\ntiers:")]
    site = site.replace(services, textwrap.dedent("""
        services:
          - {key: consultation, name: Sleep consultation}
          - {key: sleep-study, name: In-lab sleep study}
          - {key: home-sleep-test, name: Home sleep apnea test}
        """).rstrip("\n"))
    write(root, "site.yaml", site)
    (root / "data/referrals/example-referrals.yaml").unlink()
    robin = (root / "data/physicians/robin-quarrington.yaml").read_text(encoding="utf-8")
    write(root, "data/physicians/odessa-quarley.yaml",
          robin.replace("Robin Quarrington", "Odessa Quarley")
          .replace("specialty: Family Medicine", "specialty: Pulmonology")
          .replace("rquarrington@", "oquarley@"))
    write(root, "templates/talking-points.yaml", "\n".join(mapping) + "\n")
    code, _out, err = run_validate(root)
    assert code == 0, err
    code, _out, err = cli("build", "--root", str(root), "--out", str(tmp_path / "out"))
    assert code == 0, err
    brief = (tmp_path / "out/physicians/odessa-quarley/index.html").read_text(encoding="utf-8")
    assert "Pulmonology fits our In-lab sleep study and Home sleep apnea test" in brief
    family = (tmp_path / "out/physicians/robin-quarrington/index.html").read_text(encoding="utf-8")
    assert "Family Medicine fits our Sleep consultation" in family
    for page in (tmp_path / "out").rglob("*.html"):
        text = page.read_text(encoding="utf-8").lower()
        assert not re.search(r"\bveins?\b|ablation|sclerotherapy|wound", text), page
