"""`new KIND …` (liaison.scaffold): record files scaffolded from arguments, never overwritten."""
from __future__ import annotations

import os
import re
import shutil
import stat
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from liaison import yamlio
from liaison.models import Interaction, Physician, Practice, TeamMember
from liaison.pipeline import check
from liaison.scaffold import new, render, scalar

SPEC_EXAMPLE = Path(__file__).resolve().parent / "fixtures" / "spec-example"
AS_OF = date(2026, 11, 26)
VALID_NPI = "1234567893"  # not used by any physician of the example
ZERO_NPI = "0123456788"  # a valid check digit and a leading zero: must stay text


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A writable copy of the contract's example site."""
    dest = tmp_path / "site"
    shutil.copytree(SPEC_EXAMPLE, dest)
    for dirpath, _dirs, files in os.walk(dest):
        Path(dirpath).chmod(0o755)
        for name in files:
            p = Path(dirpath) / name
            p.chmod(p.stat().st_mode | stat.S_IWUSR | stat.S_IRUSR)
    return dest


def run(root: Path, *args: str, env: dict | None = None):
    result = CliRunner().invoke(new, [*args, "--root", str(root)], env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        raise AssertionError("".join(traceback.format_exception(*result.exc_info)))
    return result


def assert_validates(root: Path, rel: str):
    """The whole site has no error and the new file no diagnostic at all; its record."""
    checked = check(root, AS_OF, use_cache=False, keep_records=True)
    lines = checked.report.lines("text")
    assert not [line for line in lines if line.startswith(rel)], lines
    assert checked.ok, lines
    return checked


def read(root: Path, rel: str):
    data, _node, problems = yamlio.exact_load((root / rel).read_text(encoding="utf-8"))
    assert not problems
    return data


def assert_every_field_shown(text: str, model) -> None:
    """Every field of the model is in the file: given (``field:``) or commented (``# field:``)."""
    for name in model.model_fields:
        assert re.search(rf"^(# )?{name}:", text, re.M), f"{name} missing:\n{text}"


def assert_refused_again(root: Path, rel: str, args: list[str]) -> None:
    before = (root / rel).read_bytes()
    again = run(root, *args)
    assert again.exit_code == 1, again.output
    assert rel in again.stderr and "already exists" in again.stderr
    assert (root / rel).read_bytes() == before
    assert again.stdout == ""


# ------------------------------------------------------------------------------ physician


def test_physician_written_prefilled_and_valid(root):
    args = ["physician", "pat-oneil", "--name", "Dr. O'Neil: Vein", "--specialty",
            "Vascular Surgery", "--practice", "mountain-view-family-medicine",
            "--credentials", "MD", "--npi", VALID_NPI, "--tier", "A",
            "--liaison", "lena-brooks", "--office-day", "tue", "--office-day", "thu",
            "--interest", "wound care, venous", "--tag", "0123", "--tag", "yes"]
    result = run(root, *args)
    rel = "data/physicians/pat-oneil.yaml"
    assert result.exit_code == 0, result.output
    assert result.stdout == rel + "\n"
    text = (root / rel).read_text(encoding="utf-8")
    assert text.startswith("# Physician 'pat-oneil'")
    assert "remove the \"# \"" in text  # how to fill it in
    assert_every_field_shown(text, Physician)
    # the values given, and the other fields commented with their description
    assert re.search(r"^credentials: MD +# MD, DO, DPM, NP, PA, …$", text, re.M)
    assert re.search(r"^# email: +# E-mail address\.$", text, re.M)
    assert re.search(r"^# phone: +# Direct phone number\.$", text, re.M)
    assert re.search(r"^# notes: +# Notes \(Markdown\)\.$", text, re.M)
    # tricky values come back exactly, as text
    assert read(root, rel) == {
        "name": "Dr. O'Neil: Vein", "credentials": "MD", "npi": VALID_NPI,
        "specialty": "Vascular Surgery", "practice": "mountain-view-family-medicine",
        "tier": "A", "liaison": "lena-brooks", "office_days": ["tue", "thu"],
        "interests": ["wound care, venous"], "tags": ["0123", "yes"],
    }
    doc = assert_validates(root, rel).site.physicians["pat-oneil"]
    assert doc.name == "Dr. O'Neil: Vein" and doc.npi == VALID_NPI and doc.tags == ["0123", "yes"]
    assert_refused_again(root, rel, args)


def test_physician_npi_with_leading_zero_stays_text(root):
    result = run(root, "physician", "zed-zero", "--name", "Zed Zero", "--specialty", "Podiatry",
                 "--practice", "french-broad-podiatry", "--npi", ZERO_NPI)
    assert result.exit_code == 0, result.output
    rel = "data/physicians/zed-zero.yaml"
    assert f'npi: "{ZERO_NPI}"' in (root / rel).read_text()
    assert assert_validates(root, rel).site.physicians["zed-zero"].npi == ZERO_NPI


def test_physician_multiline_notes_round_trip(root):
    notes = "Prefers fax referrals.\n\n- lunch for 6\n- **no** Mondays"
    result = run(root, "physician", "ann-lee", "--name", "Ann Lee", "--specialty", "Family Medicine",
                 "--practice", "mountain-view-family-medicine", "--notes", notes)
    assert result.exit_code == 0, result.output
    rel = "data/physicians/ann-lee.yaml"
    assert read(root, rel)["notes"] == notes
    assert assert_validates(root, rel).site.physicians["ann-lee"].notes == notes


def test_physician_existing_yml_stem_is_refused(root):
    before = (root / "data/physicians/alan-cho.yml").read_bytes()
    result = run(root, "physician", "alan-cho", "--name", "Alan Cho", "--specialty", "x",
                 "--practice", "french-broad-podiatry")
    assert result.exit_code == 1
    assert "data/physicians/alan-cho.yml" in result.stderr
    assert not (root / "data/physicians/alan-cho.yaml").exists()
    assert (root / "data/physicians/alan-cho.yml").read_bytes() == before


@pytest.mark.parametrize("bad", ["Dr-Smith", "smith--jones", "smith_jones", "smith-", "x" * 65])
def test_physician_bad_id(root, bad):
    result = run(root, "physician", bad, "--name", "A", "--specialty", "B",
                 "--practice", "french-broad-podiatry")
    assert result.exit_code == 2
    assert "not a valid id" in result.stderr
    assert not list((root / "data/physicians").glob(f"{bad}*"))


def test_physician_unknown_practice_has_hint(root):
    result = run(root, "physician", "new-doc", "--name", "A", "--specialty", "B",
                 "--practice", "mountain-view")
    assert result.exit_code == 1
    assert "no practice 'mountain-view'" in result.stderr
    assert "did you mean 'mountain-view-family-medicine'?" in result.stderr
    assert not (root / "data/physicians/new-doc.yaml").exists()


def test_physician_bad_practice_id_is_a_usage_error(root):
    result = run(root, "physician", "new-doc", "--name", "A", "--specialty", "B",
                 "--practice", "Mountain View")
    assert result.exit_code == 2
    assert "--practice" in result.stderr


def test_physician_unknown_liaison_and_tier(root):
    base = ["physician", "new-doc", "--name", "A", "--specialty", "B",
            "--practice", "french-broad-podiatry"]
    result = run(root, *base, "--liaison", "lena")
    assert result.exit_code == 1
    assert "did you mean 'lena-brooks'?" in result.stderr
    result = run(root, *base, "--tier", "a")
    assert result.exit_code == 1
    assert "not a tier of site.yaml" in result.stderr and "did you mean 'A'?" in result.stderr
    assert not (root / "data/physicians/new-doc.yaml").exists()


def test_physician_bad_values_are_refused(root):
    base = ["physician", "new-doc", "--specialty", "B", "--practice", "french-broad-podiatry"]
    result = run(root, *base, "--name", "A", "--npi", "1234567890")
    assert result.exit_code == 2
    assert "--npi" in result.stderr and "check digit" in result.stderr
    result = run(root, *base, "--name", "   ")
    assert result.exit_code == 2
    assert "--name" in result.stderr and "must not be empty" in result.stderr
    result = run(root, *base, "--name", "A", "--office-day", "monday")
    assert result.exit_code == 2
    assert not (root / "data/physicians/new-doc.yaml").exists()


def test_physician_duplicate_npi_is_refused(root):
    result = run(root, "physician", "new-doc", "--name", "A", "--specialty", "B",
                 "--practice", "french-broad-podiatry", "--npi", "1192648057")  # Ruth Kessler's
    assert result.exit_code == 1
    assert "ruth-kessler" in result.stderr
    assert not (root / "data/physicians/new-doc.yaml").exists()


# ------------------------------------------------------------------------------- practice


def test_practice_written_prefilled_and_valid(root):
    args = ["practice", "blue-valley-pediatrics", "--name", "Blue Valley: Family & Kids #1",
            "--address", "12 Main St, Suite 3", "--city", "Asheville", "--state", "NC",
            "--zip", "02134", "--phone", "8285550199", "--liaison", "lena-brooks",
            "--best-visit-times", "Tue after 2 pm", "--ehr", "athenahealth", "--tag", "null",
            "--tag", "primary-care"]
    result = run(root, *args)
    rel = "data/practices/blue-valley-pediatrics.yaml"
    assert result.exit_code == 0, result.output
    assert result.stdout == rel + "\n"
    text = (root / rel).read_text(encoding="utf-8")
    assert_every_field_shown(text, Practice)
    assert re.search(r"^# fax: +# Fax number\.$", text, re.M)
    # the nested staff list as a commented example, each field with its description
    assert re.search(r"^# staff: +# Office staff\.$", text, re.M)
    assert re.search(r"^#   - name: +# Staff member's name\.$", text, re.M)
    assert re.search(r"^#     role: +# Role in the office", text, re.M)
    data = read(root, rel)
    assert data["name"] == "Blue Valley: Family & Kids #1"
    assert data["zip"] == "02134" and data["phone"] == "8285550199"
    assert data["tags"] == ["null", "primary-care"]
    rec = assert_validates(root, rel).site.practices["blue-valley-pediatrics"]
    assert rec.zip == "02134" and rec.name == "Blue Valley: Family & Kids #1"
    assert_refused_again(root, rel, args)


def test_practice_without_options_but_name(root):
    result = run(root, "practice", "lone-office", "--name", "Lone Office")
    assert result.exit_code == 0, result.output
    assert_validates(root, "data/practices/lone-office.yaml")


def test_practice_bad_id_and_unknown_liaison(root):
    result = run(root, "practice", "Blue Valley", "--name", "x")
    assert result.exit_code == 2 and "not a valid id" in result.stderr
    result = run(root, "practice", "blue-valley", "--name", "x", "--liaison", "owen")
    assert result.exit_code == 1 and "did you mean 'owen-price'?" in result.stderr
    assert not (root / "data/practices/blue-valley.yaml").exists()


# --------------------------------------------------------------------------------- member


def test_member_written_prefilled_and_valid(root):
    args = ["member", "amy-ng", "--name", "Amy Ng", "--role", "liaison",
            "--email", "amy.ng@blueridgevein.example"]
    result = run(root, *args)
    rel = "data/team/amy-ng.yaml"
    assert result.exit_code == 0, result.output
    assert result.stdout == rel + "\n"
    text = (root / rel).read_text(encoding="utf-8")
    assert_every_field_shown(text, TeamMember)
    assert re.search(r"^# trainings: +# Trainings completed\.$", text, re.M)
    assert re.search(r"^#   - guide: +# The training guide \(id\) completed\.$", text, re.M)
    assert re.search(r"^#     completed: +# Date of completion \(YYYY-MM-DD\)\.$", text, re.M)
    assert read(root, rel) == {"name": "Amy Ng", "role": "liaison",
                               "email": "amy.ng@blueridgevein.example"}
    checked = assert_validates(root, rel)
    assert checked.site.team["amy-ng"].role == "liaison"
    assert "amy-ng" in checked.stats["liaisons"]
    assert_refused_again(root, rel, args)


def test_member_bad_role_and_id(root):
    result = run(root, "member", "amy-ng", "--name", "Amy Ng", "--role", "boss")
    assert result.exit_code == 2
    result = run(root, "member", "amy ng", "--name", "Amy Ng", "--role", "other")
    assert result.exit_code == 2 and "not a valid id" in result.stderr
    assert not list((root / "data/team").glob("amy*"))


# ---------------------------------------------------------------------------- interaction


INTERACTION = ["interaction", "--practice", "hendersonville-womens-health",
               "--physician", "james-whitley", "--liaison", "lena-brooks", "--type", "visit",
               "--summary", "Dropped off: criteria cards #2", "--date", "2026-11-20"]


def test_interaction_written_prefilled_and_valid(root):
    args = [*INTERACTION, "--met-with", "Front desk: Ana", "--need", "faster scheduling",
            "--outcome", "positive", "--deck", "venous-basics", "--next-visit", "2026-12-15"]
    result = run(root, *args)
    rel = "data/interactions/2026/11/20-hendersonville-womens-health.yaml"
    assert result.exit_code == 0, result.output
    assert result.stdout == rel + "\n"
    assert result.stderr == ""
    text = (root / rel).read_text(encoding="utf-8")
    assert_every_field_shown(text, Interaction)
    assert re.search(r"^date: 2026-11-20 +# When it happened \(YYYY-MM-DD\)\.$", text, re.M)
    assert re.search(r"^# notes: +# Notes \(Markdown\)\.$", text, re.M)
    assert re.search(r"^# follow_ups: +# Promised follow-ups\.$", text, re.M)
    assert re.search(r"^#   - task: +# What is to be done\.$", text, re.M)
    assert re.search(r"^#     due: +# When it is due \(YYYY-MM-DD\)\.$", text, re.M)
    assert read(root, rel) == {
        "date": date(2026, 11, 20), "liaison": "lena-brooks", "type": "visit",
        "practice": "hendersonville-womens-health", "physicians": ["james-whitley"],
        "met_with": ["Front desk: Ana"], "summary": "Dropped off: criteria cards #2",
        "needs": ["faster scheduling"], "outcome": "positive", "deck": "venous-basics",
        "next_visit": date(2026, 12, 15),
    }
    checked = assert_validates(root, rel)
    assert any(r.summary == "Dropped off: criteria cards #2" for r in checked.site.interactions)


def test_interaction_file_names_are_unique(root):
    first = "data/interactions/2026/11/20-hendersonville-womens-health.yaml"
    assert run(root, *INTERACTION).stdout == first + "\n"
    before = (root / first).read_bytes()
    second = run(root, *INTERACTION[:-4], "--summary", "Second visit", "--date", "2026-11-20")
    assert second.exit_code == 0, second.output
    assert second.stdout == first.replace(".yaml", "-2.yaml") + "\n"
    third = run(root, *INTERACTION)
    assert third.stdout == first.replace(".yaml", "-3.yaml") + "\n"
    assert (root / first).read_bytes() == before
    assert read(root, first.replace(".yaml", "-2.yaml"))["summary"] == "Second visit"
    for rel in (first, first.replace(".yaml", "-2.yaml"), first.replace(".yaml", "-3.yaml")):
        assert_validates(root, rel)


def test_interaction_named_after_the_first_physicians_practice(root):
    result = run(root, "interaction", "--physician", "ruth-kessler", "--physician", "alan-cho",
                 "--liaison", "owen-price", "--type", "call", "--summary", "Called", "--date",
                 "2026-11-02")
    assert result.exit_code == 0, result.output
    rel = "data/interactions/2026/11/02-french-broad-podiatry.yaml"
    assert result.stdout == rel + "\n"
    data = read(root, rel)
    assert "practice" not in data and data["physicians"] == ["ruth-kessler", "alan-cho"]
    assert_validates(root, rel)


def test_interaction_date_defaults_to_source_date_epoch(root):
    epoch = "1795651200"  # 2026-11-26 00:00 UTC
    result = run(root, "interaction", "--practice", "french-broad-podiatry", "--liaison",
                 "lena-brooks", "--type", "lunch", "--summary", "Lunch for 6",
                 env={"SOURCE_DATE_EPOCH": epoch})
    assert result.exit_code == 0, result.output
    rel = "data/interactions/2026/11/26-french-broad-podiatry.yaml"
    assert result.stdout == rel + "\n"
    assert read(root, rel)["date"] == date(2026, 11, 26)
    assert_validates(root, rel)


def test_interaction_refusals(root):
    base = ["--liaison", "lena-brooks", "--type", "visit", "--summary", "x", "--date", "2026-11-20"]
    result = run(root, "interaction", "--practice", "hendersonville", *base)
    assert result.exit_code == 1
    assert "did you mean 'hendersonville-womens-health'?" in result.stderr
    result = run(root, "interaction", "--physician", "nina-varga", *base)
    assert result.exit_code == 1 and "did you mean 'nina-vargas'?" in result.stderr
    result = run(root, "interaction", "--practice", "french-broad-podiatry", "--deck", "venous",
                 *base)
    assert result.exit_code == 1 and "did you mean 'venous-basics'?" in result.stderr
    result = run(root, "interaction", *base)  # neither practice nor physicians
    assert result.exit_code == 2
    result = run(root, "interaction", "--practice", "french-broad-podiatry", *base[:-1],
                 "2026-02-30")
    assert result.exit_code == 2 and "not a real calendar day" in result.stderr
    result = run(root, "interaction", "--practice", "french-broad-podiatry", "--liaison",
                 "lena-brooks", "--type", "visit", "--summary", "Asked: MRN 123456", "--date",
                 "2026-11-20")
    assert result.exit_code == 2 and "patient identifiers" in result.stderr
    assert not (root / "data/interactions/2026/11/20-french-broad-podiatry.yaml").exists()
    assert not (root / "data/interactions/2026/11/20-hendersonville-womens-health.yaml").exists()


def test_interaction_warns_for_a_physician_of_another_practice(root):
    result = run(root, "interaction", "--practice", "french-broad-podiatry", "--physician",
                 "nina-vargas", "--liaison", "lena-brooks", "--type", "event", "--summary",
                 "Screening", "--date", "2026-11-21")
    assert result.exit_code == 0
    assert "warning" in result.stderr and "hendersonville-womens-health" in result.stderr


# ---------------------------------------------------------------------------------- misc


def test_not_a_site_root(tmp_path):
    result = run(tmp_path, "member", "amy-ng", "--name", "Amy Ng", "--role", "liaison")
    assert result.exit_code == 2 and "site.yaml" in result.stderr
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("value", [
    "plain text", "Dr. O'Neil: Vein", "0123", "1e3", "0o17", "yes", "null", "~", "2026-01-01",
    "#tag", "- item", "a #b", "[x]", "{x}", "a, b", "tab\there", "é — …", "'quoted'", '"dq"',
    "@home", "`tick`", "x: y", "% off", "*star", "&amp", "!bang", "?q", "|pipe", ">gt",
])
def test_scalar_round_trips(value):
    for line, expected in ((f"k: {scalar(value)}", value),
                           (f"k: [{scalar(value, in_list=True)}]", [value])):
        data, _n, problems = yamlio.exact_load(line)
        assert data == {"k": expected} and not problems, line


def test_render_shows_every_field():
    text = render(Interaction, {"date": date(2026, 1, 2), "liaison": "a", "type": "call",
                                "practice": "p", "summary": "s"}, ["Header"])
    assert text.startswith("# Header\n")
    assert_every_field_shown(text, Interaction)
    data, _n, _p = yamlio.exact_load(text)
    assert Interaction.model_validate(data).practice == "p"
