"""`new KIND …` (liaison.scaffold, its command line in liaison.cli): record files scaffolded
from arguments, never overwritten; the options read off the record models."""
from __future__ import annotations

import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from liaison import yamlio
from liaison.models import Interaction, Physician, Practice, TeamMember
from liaison.pipeline import check
from liaison.cli import new
from liaison.scaffold import render, scalar

AS_OF = date(2026, 11, 26)
VALID_NPI = "1234567893"  # not used by any physician of the example
ZERO_NPI = "0123456788"  # a valid check digit and a leading zero: must stay text


@pytest.fixture
def root(example_site: Path) -> Path:
    """A writable copy of the contract's example site (conftest's example_site)."""
    return example_site


def run(root: Path, *args: str, env: dict | None = None):
    result = CliRunner().invoke(new, [*args, "--root", str(root)], env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        raise AssertionError("".join(traceback.format_exception(*result.exc_info)))
    return result


def written(root: Path, rel: str, *args: str):
    """Runs ``new`` with ``args``, which must succeed and print the path ``rel`` of the file
    it wrote, alone; the result and the file's text."""
    result = run(root, *args)
    assert result.exit_code == 0, result.output
    assert result.stdout == rel + "\n"
    return result, (root / rel).read_text(encoding="utf-8")


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
    rel = "data/physicians/pat-oneil.yaml"
    result, text = written(root, rel, *args)
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


def test_an_unknown_id_with_no_close_one_says_what_to_do(root):
    # it was "--practice: no practice 'nowhere' (no data/practices/nowhere.yaml)", and no more
    result = run(root, "physician", "new-doc", "--name", "A", "--specialty", "B",
                 "--practice", "zzzz-nowhere")
    assert result.exit_code == 1
    assert ("--practice: no practice 'zzzz-nowhere' (no data/practices/zzzz-nowhere.yaml): check "
            "the id (the name of its file in data/practices/), or add the practice first with "
            "`liaison new practice`") in result.stderr
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
    rel = "data/practices/blue-valley-pediatrics.yaml"
    result, text = written(root, rel, *args)
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
    rel = "data/team/amy-ng.yaml"
    result, text = written(root, rel, *args)
    assert_every_field_shown(text, TeamMember)
    assert re.search(r"^# trainings: +# Trainings completed\.$", text, re.M)
    assert re.search(r"^#   - guide: +# The training guide \(id\) completed\.$", text, re.M)
    assert re.search(r"^#     completed: +# Date of completion \(YYYY-MM-DD\)\.$", text, re.M)
    assert read(root, rel) == {"name": "Amy Ng", "role": "liaison",
                               "email": "amy.ng@blueridgevein.example"}
    checked = assert_validates(root, rel)
    assert checked.site.team["amy-ng"].role == "liaison"
    assert "amy-ng" in checked.stats.liaisons
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
    rel = "data/interactions/2026/11/20-hendersonville-womens-health.yaml"
    result, text = written(root, rel, *args)
    assert result.stderr == ""
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
    assert "Invalid value for '--date': '2026-02-30' is not a real calendar day" \
        in result.stderr, result.stderr  # the option named
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


# ------------------------------------------------------------------------------- referral

from liaison.models import DeckMeta, GuideMeta, Referral  # noqa: E402

REFERRAL = ["referral", "--source", "physician", "--physician", "james-whitley",
            "--service", "vein-ablation", "--date", "2026-11-20"]


def assert_every_item_field_shown(text: str, model) -> None:
    """Every field of the model is in the list item: given or commented."""
    for name in model.model_fields:
        assert re.search(rf"^(- |  )(# )?{name}:", text, re.M), f"{name} missing:\n{text}"


def test_referral_written_prefilled_and_valid(root):
    rel = "data/referrals/2026/11/20-james-whitley.yaml"
    result, text = written(root, rel, *REFERRAL, "--status", "treated", "--count", "3")
    assert result.stderr == ""
    assert text.startswith("# Referral of 2026-11-20") and "No patient information" in text
    assert_every_item_field_shown(text, Referral)
    assert re.search(r"^- date: 2026-11-20 +# When the referral arrived \(YYYY-MM-DD\)\.$",
                     text, re.M)
    assert re.search(r"^  count: 3 +# How many identical referrals\.$", text, re.M)
    assert read(root, rel) == [{"date": date(2026, 11, 20), "source": "physician",
                                "physician": "james-whitley", "service": "vein-ablation",
                                "status": "treated", "count": 3}]
    checked = assert_validates(root, rel)
    [row] = [r for r in checked.site.referrals if r.path == rel]
    assert (row.physician, row.status, row.count) == ("james-whitley", "treated", 3)


def test_referral_never_overwrites_a_file(root):
    first = "data/referrals/2026/11/20-james-whitley.yaml"
    assert run(root, *REFERRAL).stdout == first + "\n"
    before = (root / first).read_bytes()
    second = run(root, *REFERRAL, "--status", "scheduled")
    assert second.exit_code == 0, second.output
    assert second.stdout == first.replace(".yaml", "-2.yaml") + "\n"
    assert (root / first).read_bytes() == before
    assert read(root, first.replace(".yaml", "-2.yaml"))[0]["status"] == "scheduled"
    assert_validates(root, first.replace(".yaml", "-2.yaml"))


def test_referral_of_another_source_with_defaults(root):
    result = run(root, "referral", "--source", "web", "--service", "sclerotherapy",
                 env={"SOURCE_DATE_EPOCH": "1795651200"})  # 2026-11-26
    rel = "data/referrals/2026/11/26-web.yaml"
    assert result.exit_code == 0, result.output
    assert result.stdout == rel + "\n"
    text = (root / rel).read_text(encoding="utf-8")
    assert re.search(r"^  # physician: ", text, re.M)  # explained, left out
    assert re.search(r"^  # status: ", text, re.M) and re.search(r"^  # count: ", text, re.M)
    assert read(root, rel) == [{"date": date(2026, 11, 26), "source": "web",
                                "service": "sclerotherapy"}]
    checked = assert_validates(root, rel)
    [row] = [r for r in checked.site.referrals if r.path == rel]
    assert (row.physician, row.status, row.count) == (None, "referred", 1)


def test_referral_refusals(root):
    base = ["--service", "vein-ablation", "--date", "2026-11-20"]
    result = run(root, "referral", "--source", "physician", "--physician", "james-whitly", *base)
    assert result.exit_code == 1 and "did you mean 'james-whitley'?" in result.stderr
    result = run(root, "referral", "--source", "web", "--service", "ablation",
                 "--date", "2026-11-20")
    assert result.exit_code == 1
    assert "no service 'ablation'" in result.stderr and "vein-ablation" in result.stderr
    result = run(root, "referral", "--source", "physician", *base)
    assert result.exit_code == 2 and "--physician" in result.stderr
    result = run(root, "referral", "--source", "web", "--physician", "james-whitley", *base)
    assert result.exit_code == 2 and "only allowed" in result.stderr
    result = run(root, "referral", "--source", "friend", *base)
    assert result.exit_code == 2
    result = run(root, "referral", "--source", "web", "--count", "0", *base)
    assert result.exit_code == 2
    result = run(root, "referral", "--source", "web", "--service", "vein-ablation", "--date",
                 "2026-02-30")
    assert result.exit_code == 2 and "not a real calendar day" in result.stderr
    result = run(root, "referral", "--source", "web", "--service", "Vein Ablation",
                 "--date", "2026-11-20")
    assert result.exit_code == 2 and "not a valid id" in result.stderr
    assert not (root / "data/referrals/2026").exists()


# ----------------------------------------------------------------- SPEC second edition


def test_second_edition_fields_are_scaffolded_and_valid(root):
    result = run(root, "physician", "pat-new", "--name", "Pat New", "--specialty", "Podiatry",
                 "--practice", "french-broad-podiatry", "--potential", "high",
                 "--refers-elsewhere", "Mission Wound Center", "--refers-elsewhere", "Duke")
    assert result.exit_code == 0, result.output
    rel = "data/physicians/pat-new.yaml"
    assert read(root, rel)["potential"] == "high"
    assert read(root, rel)["refers_elsewhere"] == ["Mission Wound Center", "Duke"]
    assert_validates(root, rel)

    # a lunch for ruth-kessler and alan-cho (in that order) at 85.01
    result = run(root, "interaction", "--practice", "french-broad-podiatry", "--physician",
                 "ruth-kessler", "--physician", "alan-cho", "--liaison", "lena-brooks", "--type",
                 "lunch", "--summary", "Lunch for the podiatrists", "--date", "2026-11-20",
                 "--cost", "85.01")
    assert result.exit_code == 0, result.output
    rel = result.stdout.strip()
    assert re.search(r"^cost: 85\.01 +# USD given", (root / rel).read_text(), re.M)
    checked = assert_validates(root, rel)
    spend = {pid: s.spend_ytd_cents for pid, s in checked.stats.physicians.items()}
    # 8501 cents: 4251 to ruth-kessler (listed first), 4250 to alan-cho; ruth had 120.00
    # (the 2026-11-06 lunch), the practice 120.00 + 40.50 (the screening event there)
    assert (spend["ruth-kessler"], spend["alan-cho"]) == (12000 + 4251, 4250)
    assert checked.stats.practices["french-broad-podiatry"].spend_ytd_cents == 12000 + 4050 + 8501

    result = run(root, "referral", "--source", "unknown", "--service", "sclerotherapy",
                 "--date", "2026-11-20", "--status", "declined", "--declined-reason",
                 "no-response", "--taken-by", "owen-price")
    assert result.exit_code == 0, result.output
    rel = result.stdout.strip()
    checked = assert_validates(root, rel)
    [row] = [r for r in checked.site.referrals if r.path == rel]
    assert (row.status, row.declined_reason, row.taken_by) == ("declined", "no-response",
                                                               "owen-price")


def test_second_edition_refusals(root):
    base = ["interaction", "--practice", "french-broad-podiatry", "--liaison", "lena-brooks",
            "--type", "lunch", "--summary", "Lunch", "--date", "2026-11-20"]
    for cost, words in (("85.015", "more than two decimals"), ("-3", "negative"),
                        ("lunch", "not an amount")):
        result = run(root, *base, "--cost", cost)
        assert result.exit_code == 2 and words in result.stderr, result.output
    ref = ["referral", "--source", "web", "--service", "sclerotherapy", "--date", "2026-11-20"]
    result = run(root, *ref, "--status", "consulted", "--declined-reason", "insurance")
    assert result.exit_code == 2 and "only allowed when status is declined" in result.stderr
    result = run(root, *ref, "--declined-reason", "maybe")
    assert result.exit_code == 2
    result = run(root, *ref, "--taken-by", "owen-prise")
    assert result.exit_code == 1 and "did you mean 'owen-price'?" in result.stderr
    result = run(root, "physician", "pat-new", "--name", "Pat New", "--specialty", "Podiatry",
                 "--practice", "french-broad-podiatry", "--potential", "huge")
    assert result.exit_code == 2
    assert not (root / "data/interactions/2026/11/20-french-broad-podiatry.yaml").exists()
    assert not (root / "data/referrals/2026").exists()
    assert not (root / "data/physicians/pat-new.yaml").exists()


def test_referral_in_the_future_warns(root):
    result = run(root, "referral", "--source", "event", "--service", "wound-clinic", "--date",
                 "2099-01-02", env={"SOURCE_DATE_EPOCH": "1795651200"})
    assert result.exit_code == 0, result.output
    assert "warning" in result.stderr and "after today" in result.stderr


# ---------------------------------------------------------------------------------- guide


GUIDE = ["guide", "compression-basics", "--title", "Compression: the {{ basics }}",
         "--audience", "front-desk", "--summary", "Which stockings, and when.", "--order", "2",
         "--renew-every-days", "365"]


def test_guide_written_prefilled_and_valid(root):
    rel = "content/training/compression-basics.md"
    result, text = written(root, rel, *GUIDE)
    assert text.startswith("---\n# Training guide 'compression-basics'")
    assert_every_field_shown(text, GuideMeta)
    assert re.search(r"^order: 2 +# Position in the training index\.$", text, re.M)
    assert "\n---\n# Compression: the {{ basics }}\n" in text  # the body: a skeleton
    assert '!!! note "Remember"' in text and "| When | Do |" in text
    checked = assert_validates(root, rel)
    doc = checked.site.guides["compression-basics"]
    assert doc.meta == GuideMeta(title="Compression: the {{ basics }}", audience="front-desk",
                                 summary="Which stockings, and when.", order=2,
                                 renew_every_days=365)
    assert_refused_again(root, rel, GUIDE)


def test_guide_refusals(root):
    existing = root / "content/training/referral-source-basics.md"
    before = existing.read_bytes()
    result = run(root, "guide", "referral-source-basics", "--title", "x", "--audience", "all")
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert existing.read_bytes() == before
    result = run(root, "guide", "g", "--title", "x", "--audience", "everyone")
    assert result.exit_code == 2
    result = run(root, "guide", "G 1", "--title", "x", "--audience", "all")
    assert result.exit_code == 2 and "not a valid id" in result.stderr
    result = run(root, "guide", "g", "--title", "   ", "--audience", "all")
    assert result.exit_code == 2 and "--title" in result.stderr
    result = run(root, "guide", "g", "--title", "x", "--audience", "all", "--summary",
                 "Ask for the DOB 01/02/1960")
    assert result.exit_code == 2 and "patient identifiers" in result.stderr
    result = run(root, "guide", "g", "--title", "x", "--audience", "all",
                 "--renew-every-days", "0")
    assert result.exit_code == 2
    assert not (root / "content/training/g.md").exists()


# ----------------------------------------------------------------------------------- deck


def test_deck_written_prefilled_and_valid(root):
    args = ["deck", "wound-referrals", "--title", "Leg wounds: {{ when }} to refer",
            "--description", "For primary care", "--target", "mountain-view-family-medicine",
            "--target", "french-broad-podiatry"]
    rel = "content/presentations/wound-referrals.md"
    result, text = written(root, rel, *args)
    assert_every_field_shown(text, DeckMeta)
    assert "targets: [mountain-view-family-medicine, french-broad-podiatry]" in text
    # Two slides; practice.name only inside {% if practice … %}; the title is not run as Jinja.
    body = text.split("\n---\n", 1)[1]
    slides = [s for s in body.split("\n---\n") if s.strip()]
    assert len(slides) == 2
    assert "{% raw %}Leg wounds: {{ when }} to refer{% endraw %}" in slides[0]
    for slide in slides:
        assert "{{ practice.name }}" in slide and "{% if practice" in slide
        assert slide.index("{% if practice") < slide.index("{{ practice.name }}")
        assert "Notes:" in slide
    checked = assert_validates(root, rel)  # validate renders every deck for every target
    doc = checked.site.decks["wound-referrals"]
    assert doc.meta.targets == ["mountain-view-family-medicine", "french-broad-podiatry"]
    assert len(doc.slides) == 2
    assert_refused_again(root, rel, args)


def test_deck_for_all_practices_renders(root, tmp_path):
    result = run(root, "deck", "intro", "--title", "Introducing us")
    rel = "content/presentations/intro.md"
    assert result.exit_code == 0, result.output
    assert re.search(r"^targets: all +# ", (root / rel).read_text(encoding="utf-8"), re.M)
    assert_validates(root, rel)
    from liaison.cli import main

    out = tmp_path / "out"
    built = CliRunner().invoke(main, ["build", "--root", str(root), "--out", str(out),
                                      "--as-of", AS_OF.isoformat()])
    assert built.exit_code == 0, built.output
    generic = (out / "presentations/intro/index.html").read_text(encoding="utf-8")
    custom = (out / "presentations/intro/french-broad-podiatry/index.html").read_text(
        encoding="utf-8")
    assert "For referring offices" in generic and "Prepared for the team" not in generic
    assert "Prepared for the team of" in custom and "French Broad" in custom


def test_deck_refusals(root):
    result = run(root, "deck", "d", "--title", "x", "--target", "mountain-view")
    assert result.exit_code == 1
    assert "did you mean 'mountain-view-family-medicine'?" in result.stderr
    existing = root / "content/presentations/venous-basics.md"
    before = existing.read_bytes()
    result = run(root, "deck", "venous-basics", "--title", "x")
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert existing.read_bytes() == before
    result = run(root, "deck", "d", "--title", "x", "--target", "Mountain View")
    assert result.exit_code == 2
    assert not (root / "content/presentations/d.md").exists()


@pytest.mark.parametrize("args", [
    ["referral", "--source", "web", "--service", "x", "--date", "2026-11-20"],
    ["guide", "g", "--title", "t", "--audience", "all"],
    ["deck", "d", "--title", "t"],
])
def test_new_kinds_need_a_site_root_and_suggest_init(tmp_path, args):
    result = run(tmp_path, *args)
    assert result.exit_code == 2
    assert "site.yaml" in result.stderr and "liaison init" in result.stderr
    assert os.listdir(tmp_path) == []


def test_a_misspelt_choice_gets_the_hint_validate_gives(root):
    # `--type vist` listed the choices only, where validate says "(did you mean 'visit'?)"
    result = run(root, "interaction", "--practice", "french-broad-podiatry", "--liaison",
                 "lena-brooks", "--type", "vist", "--summary", "Dropped off cards")
    assert result.exit_code == 2
    assert ("Invalid value for '--type': 'vist' is not one of 'visit', 'lunch', "
            "'presentation', 'event', 'call', 'email', 'other' (did you mean 'visit'?)"
            ) in result.stderr, result.stderr
    # the last choice is hinted too; a value like none keeps click's sentence, its full stop
    for typed, end in [("othr", " (did you mean 'other'?)"), ("qqqqq", ".")]:
        result = run(root, "interaction", "--practice", "french-broad-podiatry", "--liaison",
                     "lena-brooks", "--type", typed, "--summary", "Dropped off cards")
        assert result.exit_code == 2
        assert result.stderr.rstrip("\n").endswith(f"'call', 'email', 'other'{end}"), result.stderr
    assert not (root / "data/interactions/2026").exists() or not any(
        p.name.endswith("french-broad-podiatry.yaml") and "cards" in p.read_text()
        for p in (root / "data/interactions").rglob("*.yaml"))


def test_new_in_a_folder_of_the_site_names_the_site_root_not_init(root):
    # `liaison new physician …` typed in data/physicians/ said "start a new site with
    # `liaison init`": done so, a second site would have been made inside the first
    inside = root / "data" / "physicians"
    before = sorted(os.listdir(inside))
    result = run(inside, "physician", "zed-ames", "--name", "Zed Ames", "--specialty", "X",
                 "--practice", "french-broad-podiatry")
    assert result.exit_code == 2
    assert (f"'{inside}' is not a site root: it has no site.yaml: the site root is '{root}', "
            f"which holds one: run the command there, or give --root {root}") in result.stderr
    assert "liaison init" not in result.stderr
    assert sorted(os.listdir(inside)) == before


# ------------------------------------------------------------------ options from the models

from typing import Literal  # noqa: E402

from pydantic import Field  # noqa: E402

from liaison.models import OptText, TextList, nested_model  # noqa: E402
from liaison.scaffold import KINDS, Kind, options  # noqa: E402
from liaison.scaffold.existing import Existing  # noqa: E402


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_field_is_an_option_or_an_example(name):
    """Each field of the model is an option of `new KIND`, but a list of records (written as a
    commented example); the command has exactly those options, the ID and --root (and
    `new interaction` --interactive: its questions)."""
    kind = KINDS[name]
    fields = {option.field for option in options(kind)}
    for field, info in kind.model.model_fields.items():
        assert field in fields or nested_model(info.annotation), field
    command = new.get_command(None, name)
    assert [p.name for p in command.params] == (
        ["id"] * kind.takes_id + [o.field for o in options(kind)]
        + ["interactive"] * (name == "interaction") + ["root"])


class _Extended(Practice):
    parking: OptText = Field(None, description="Where to park.")
    languages: TextList = Field(description="Languages spoken at the front desk.")
    size: Literal["small", "large"] | None = Field(None, description="How big the office is.")


def test_a_field_added_to_a_model_is_an_option_and_a_line():
    """What a new field of a model takes to appear in `new`: nothing but the field."""
    from liaison.cli import _new_command
    from liaison.scaffold.fields import collect

    kind = Kind("extended", _Extended, "A practice with more fields.", write=None)
    by_flag = {o.flag: o for o in options(kind)}
    assert by_flag["--parking"].help == "Where to park."
    assert by_flag["--language"].multiple and by_flag["--language"].field == "languages"
    assert by_flag["--size"].choices == ("small", "large")
    help_text = CliRunner().invoke(_new_command(kind), ["--help"], terminal_width=200).output
    assert re.search(r"^  --parking TEXT +Where to park\.$", help_text, re.M), help_text
    assert re.search(r"^  --language TEXT +Languages spoken at the front desk\. Repeatable\.$",
                     help_text, re.M), help_text
    assert "--size [small|large]" in help_text
    values = collect(kind, {"name": " Annex ", "parking": "Lot B", "languages": ("es", "es")})
    assert values == {"name": "Annex", "parking": "Lot B", "languages": ["es"]}
    text = render(_Extended, values, ["Header"])
    assert re.search(r"^parking: Lot B +# Where to park\.$", text, re.M)
    assert re.search(r"^# size: +# How big the office is\.$", text, re.M)


def test_lookups_are_the_files_validate_sees(root):
    """Ids come from the loader's discovery: hidden files and README.md are no record, a file
    with an upper-case extension is one (so its id is taken)."""
    from liaison.load import discover

    (root / "content/presentations/.draft.md").write_text("---\ntitle: x\n---\n")
    (root / "content/presentations/README.md").write_text("notes\n")
    shutil.copy(root / "data/practices/french-broad-podiatry.yaml",
                root / "data/practices/odd-one.YAML")
    site = Existing(root)
    files = discover(root)
    for kind, rels in (("presentations", files.presentations), ("training", files.training),
                       *files.by_kind.items()):
        assert sorted(site.ids(kind).values()) == sorted(rels), kind
    result = run(root, "interaction", "--practice", "french-broad-podiatry", "--deck", "draft",
                 "--liaison", "lena-brooks", "--type", "visit", "--summary", "x",
                 "--date", "2026-11-20")
    assert result.exit_code == 1 and "no presentation deck 'draft'" in result.stderr
    result = run(root, "practice", "odd-one", "--name", "Odd One")
    assert result.exit_code == 1 and "data/practices/odd-one.YAML already exists" in result.stderr
    assert not (root / "data/practices/odd-one.yaml").exists()


def test_a_value_as_a_spreadsheet_wrote_it_is_said_and_written(root):
    """A ZIP code or phone number a sheet wrote as a number, a name last name first or with
    credentials after it (warnings of `validate`): a loop over a sheet wrote them with exit 0
    and no word, to be found only in a later `validate`; now said at the row, file written."""
    result = run(root, "practice", "harbor-view", "--name", "Harbor View", "--zip", "2134",
                 "--fax", "3605550112.0")
    assert result.exit_code == 0, result.output
    assert "warning: --zip: '2134' is not a ZIP code (5 digits): its leading zeros lost?" \
        in result.stderr
    assert "warning: --fax: '3605550112.0' is not a phone number: write '3605550112'" \
        in result.stderr
    assert (root / "data/practices/harbor-view.yaml").exists()
    result = run(root, "physician", "ana-ruiz", "--name", "Ana Ruiz, MD", "--specialty",
                 "Pediatrics", "--practice", "harbor-view", "--phone", "3.60555E+09")
    assert result.exit_code == 0, result.output
    assert "warning: --name: 'Ana Ruiz, MD' holds credentials after the name" in result.stderr
    assert "warning: --phone: '3.60555E+09' is not a phone number: its digits are lost" \
        in result.stderr
    assert (root / "data/physicians/ana-ruiz.yaml").exists()


def test_a_near_form_of_the_guard_is_said_and_written(root):
    """A near form of a patient identifier (a warning of `validate`, beyond the contract's
    list) is said as a warning about its option; the file is written, as validate passes it.
    An identifier the contract lists is still refused."""
    base = ["--practice", "french-broad-podiatry", "--liaison", "lena-brooks", "--type", "call",
            "--date", "2026-11-20"]
    result = run(root, "interaction", *base, "--summary", "Call",
                 "--need", "Front desk read out Acct: 88123")
    assert result.exit_code == 0, result.output
    assert "warning: --need: needs[0]: may hold an account or chart number" in result.stderr
    assert (root / "data/interactions/2026/11/20-french-broad-podiatry.yaml").exists()
    result = run(root, "guide", "intake-example", "--title", "Calling back pt J.D. 67yo",
                 "--audience", "all")
    assert result.exit_code == 0, result.output
    assert "warning: --title: may hold a patient's initials" in result.stderr
    result = run(root, "interaction", *base, "--summary", "Med Rec # 0012345, MRN 0012345")
    assert result.exit_code == 2 and "patient identifiers" in result.stderr


def test_an_interrupted_write_leaves_no_part_of_the_file(tmp_path, monkeypatch):
    from liaison.scaffold import readback

    def stopped(fh, text):
        fh.write(text[:10])
        fh.flush()
        raise KeyboardInterrupt

    monkeypatch.setattr(readback, "_write", stopped)
    with pytest.raises(KeyboardInterrupt):
        readback.write_new(tmp_path, "data/practices/half.yaml", "name: Half Written\n" * 5)
    assert not (tmp_path / "data" / "practices" / "half.yaml").exists()


def test_every_choice_is_named_in_its_fields_comment():
    # a new file's comment on a field is its description: "# status: Furthest stage reached."
    # named none of the five stages (nor source its eight answers) where outcome's comment,
    # type's and declined_reason's list theirs: uncommented, the field gave no hint what to write
    from typing import get_args, get_origin

    def choices(annotation) -> tuple:
        if get_origin(annotation) is Literal:
            return get_args(annotation)
        return tuple(c for a in get_args(annotation) for c in choices(a))

    for kind in KINDS.values():
        for name, f in kind.model.model_fields.items():
            options = choices(f.annotation)
            if options and name != "audience":  # (a guide's: front matter, not a record file)
                said = f.description or ""
                if f"{options[0]}…{options[-1]}" in said:  # a range: office days' "mon…sun"
                    continue
                missing = [o for o in options if o not in said]
                assert not missing, (kind.name, name, said)
