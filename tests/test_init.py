"""`init [DIR]` (liaison.init): a new site root that validates and builds at once, written from
the starter files shipped in the package; never into a folder that holds anything."""
from __future__ import annotations

import datetime as dt
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import run_validate
from liaison import init as init_module
from liaison.cli import main
from liaison.init import STARTER, fill_dates, starter_files, vscode_settings
from liaison.models import SiteConfig, Thresholds, nested_model
from liaison.schema import KINDS, dumps, schemas

REPO = Path(__file__).resolve().parents[1]
EPOCH = "1795651200"  # 2026-11-26 00:00 UTC
TODAY = dt.date(2026, 11, 26)
ENV = {"SOURCE_DATE_EPOCH": EPOCH}

# What the brief of `init` asks for, by path (the schemas: one per record kind).
EXPECTED = {
    "site.yaml",
    "README.md",
    "data/practices/birchwood-family-medicine.yaml",
    "data/physicians/robin-quarrington.yaml",
    "data/team/sam-ellery.yaml",
    "data/interactions/example-visit.yaml",
    "data/referrals/example-referrals.yaml",
    "content/training/how-did-you-hear-about-us.md",
    "content/presentations/introducing-our-practice.md",
    ".vscode/settings.json",
    ".gitignore",
    ".pre-commit-config.yaml",
    ".github/workflows/liaison.yml",
    *(f"schemas/{kind.file}" for kind in KINDS),
}


def invoke(*args: str, env: dict | None = None):
    result = CliRunner().invoke(main, list(args), env={**ENV, **(env or {})})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        raise AssertionError("".join(traceback.format_exception(*result.exc_info)))
    return result


def listing(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` (hidden ones too) with a file's bytes, None for a folder."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            out[os.path.relpath(os.path.join(dirpath, name), root)] = None
        for name in filenames:
            path = os.path.join(dirpath, name)
            out[os.path.relpath(path, root)] = Path(path).read_bytes()
    return out


def files_of(root: Path) -> set[str]:
    return {k for k, v in listing(root).items() if v is not None}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """One site written by `init` (read-only use)."""
    dest = tmp_path_factory.mktemp("init") / "new-site"
    result = invoke("init", str(dest))
    assert result.exit_code == 0, result.output
    return dest


# ------------------------------------------------------------------------ a working site


def test_init_writes_a_site_that_validates_and_builds(tmp_path):
    dest = tmp_path / "clinic"
    result = invoke("init", str(dest))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert files_of(dest) == EXPECTED
    # It prints every file it wrote, and the next steps.
    for rel in EXPECTED:
        assert f"  {rel}\n" in result.stdout
    for step in ("cd ", "liaison validate", "liaison serve", "liaison build", "LIAISON_SPEC"):
        assert step in result.stdout

    checked = invoke("validate", "--root", str(dest))
    assert checked.exit_code == 0, checked.output
    assert "warning" not in checked.stderr and "error" not in checked.stderr, checked.stderr
    assert "1 physician, 1 practice, 1 interaction, 5 referral rows" in checked.stderr

    built = invoke("build", "--root", str(dest))
    assert built.exit_code == 0, built.output
    assert "warning" not in built.stderr and "error" not in built.stderr, built.stderr
    out = dest / "site"
    for page in ("index.html", "physicians/robin-quarrington/index.html",
                 "practices/birchwood-family-medicine/index.html", "team/sam-ellery/index.html",
                 "training/how-did-you-hear-about-us/index.html",
                 "presentations/introducing-our-practice/index.html",
                 "presentations/introducing-our-practice/birchwood-family-medicine/index.html"):
        assert (out / page).is_file(), page
    deck = (out / "presentations/introducing-our-practice/birchwood-family-medicine/"
            "index.html").read_text(encoding="utf-8")
    assert "Birchwood Family Medicine" in deck and "Example Specialty Clinic" in deck
    # Strict too: not one warning.
    assert invoke("validate", "--strict", "--root", str(dest)).exit_code == 0


def test_the_examples_are_recent_on_the_day_of_the_run(site):
    """Dates are relative to the day of `init` (SOURCE_DATE_EPOCH here): nothing is dated
    after it (that would be a warning), the open follow-up is not overdue."""
    visit = yaml.safe_load((site / "data/interactions/example-visit.yaml").read_text())
    assert visit["date"] == TODAY - dt.timedelta(days=14)
    assert visit["follow_ups"][1]["due"] > TODAY and "done" not in visit["follow_ups"][1]
    rows = yaml.safe_load((site / "data/referrals/example-referrals.yaml").read_text())
    assert len(rows) == 5 and all(r["date"] < TODAY for r in rows)
    for path in site.rglob("*"):
        if path.is_file():
            assert "@DATE" not in path.read_text(encoding="utf-8"), path


def test_fill_dates_keeps_comments_aligned():
    text = "a: @DATE-14@   # c\nb: @DATE+7@    # c\nc: @DATE@ x\nd: @DATE-3@\n"
    assert fill_dates(text, dt.date(2026, 1, 20)) == (
        "a: 2026-01-06  # c\nb: 2026-01-27  # c\nc: 2026-01-20 x\nd: 2026-01-17\n")


def test_default_dir_is_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("init")
    assert result.exit_code == 0, result.output
    assert "into the current folder" in result.stdout and "cd " not in result.stdout
    assert files_of(tmp_path) == EXPECTED


def test_missing_parents_are_created(tmp_path):
    dest = tmp_path / "a" / "b" / "site"
    result = invoke("init", str(dest))
    assert result.exit_code == 0, result.output
    assert files_of(dest) == EXPECTED
    assert sorted(os.listdir(tmp_path / "a" / "b")) == ["site"]  # no temporary folder left


def test_an_empty_folder_is_filled_and_keeps_its_mode(tmp_path):
    dest = tmp_path / "empty"
    dest.mkdir(mode=0o750)
    dest.chmod(0o750)
    result = invoke("init", str(dest))
    assert result.exit_code == 0, result.output
    assert files_of(dest) == EXPECTED
    assert not [n for n in os.listdir(dest) if n.startswith(".liaison-init")]
    assert dest.stat().st_mode & 0o777 == 0o750
    assert sorted(os.listdir(tmp_path)) == ["empty"]


def test_a_new_folder_gets_the_usual_permissions(tmp_path):
    dest = tmp_path / "new"
    assert invoke("init", str(dest)).exit_code == 0
    mask = os.umask(0)
    os.umask(mask)
    assert dest.stat().st_mode & 0o777 == 0o777 & ~mask  # not mkdtemp's 0700


# ------------------------------------------------------------------------------ refusals


@pytest.mark.parametrize("content", ["file", "hidden", "folder"])
def test_a_non_empty_folder_is_refused_and_left_alone(tmp_path, content):
    dest = tmp_path / "busy"
    dest.mkdir()
    if content == "file":
        (dest / "notes.txt").write_text("mine\n")
    elif content == "hidden":
        (dest / ".git").mkdir()
        (dest / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    else:
        (dest / "data").mkdir()
    before, around = listing(dest), sorted(os.listdir(tmp_path))
    result = invoke("init", str(dest))
    assert result.exit_code == 1, result.output
    assert "not empty" in result.stderr and "nothing was written" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert listing(dest) == before
    assert sorted(os.listdir(tmp_path)) == around


def test_a_file_is_refused(tmp_path):
    target = tmp_path / "site.txt"
    target.write_text("not a folder\n")
    result = invoke("init", str(target))
    assert result.exit_code == 1, result.output
    assert "not a folder" in result.stderr and "Traceback" not in result.output
    assert target.read_text() == "not a folder\n"
    assert sorted(os.listdir(tmp_path)) == ["site.txt"]


def test_a_path_through_a_file_is_refused(tmp_path):
    (tmp_path / "f").write_text("x")
    result = invoke("init", str(tmp_path / "f" / "site"))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "nothing was written" in result.stderr
    assert sorted(os.listdir(tmp_path)) == ["f"]


def test_a_failure_while_writing_leaves_nothing(tmp_path, monkeypatch):
    import liaison.schema

    def broken(out_dir):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(liaison.schema, "write_schemas", broken)
    dest = tmp_path / "x" / "site"
    result = invoke("init", str(dest))
    assert result.exit_code == 1, result.output
    assert "No space left on device" in result.stderr and "nothing was written" in result.stderr
    assert os.listdir(tmp_path) == []  # neither the site, its temporary folder, nor x/


def test_a_failure_while_moving_into_an_empty_folder_moves_everything_back(tmp_path,
                                                                          monkeypatch):
    dest = tmp_path / "empty"
    dest.mkdir()
    real = init_module._move_no_clobber
    calls = []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 4:
            raise OSError(5, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(init_module, "_move_no_clobber", flaky)
    result = invoke("init", str(dest))
    assert result.exit_code == 1, result.output
    assert "Input/output error" in result.stderr
    assert os.listdir(dest) == []


def test_an_existing_entry_is_never_replaced(tmp_path):
    """Should something appear in the folder while `init` writes, it is kept."""
    dest = tmp_path / "d"
    (dest / "tmp").mkdir(parents=True)
    (dest / "site.yaml").write_text("mine\n")
    with pytest.raises(FileExistsError):
        init_module._move_no_clobber(Path(__file__), dest / "site.yaml")
    assert (dest / "site.yaml").read_text() == "mine\n"


def test_a_bad_source_date_epoch_is_a_usage_error(tmp_path):
    result = invoke("init", str(tmp_path / "s"), env={"SOURCE_DATE_EPOCH": "soon"})
    assert result.exit_code == 2 and "SOURCE_DATE_EPOCH" in result.stderr
    assert os.listdir(tmp_path) == []


# ------------------------------------------------------------------------------ site.yaml


def _fields(model, prefix=""):
    """(dotted name, field info) of every field of a model and of the models inside it."""
    for name, info in model.model_fields.items():
        yield f"{prefix}{name}", name, info
        inner = nested_model(info.annotation)
        if inner is not None:
            yield from _fields(inner, f"{prefix}{name}.")


def test_site_yaml_explains_every_key_of_the_model(site):
    text = (site / "site.yaml").read_text(encoding="utf-8")
    explained: dict[str, list[str]] = {}  # key -> "required"/"optional", in file order
    for m in re.finditer(r"^\s*#\s+([a-z_]+) \((required|optional)\b", text, re.M):
        explained.setdefault(m.group(1), []).append(m.group(2))
    fields = list(_fields(SiteConfig))
    assert len(fields) == 19  # with compliance.annual_limit and repository.web_url, .branch
    for dotted, name, info in fields:  # in model order, which is the file's order too
        assert explained.get(name), f"site.yaml has no comment explaining '{dotted}'"
        said = explained[name].pop(0)
        # `required` as the model says (a tier's visit_every_days is required in each tier).
        assert (said == "required") == info.is_required(), dotted
    assert not any(explained.values()), f"keys explained but not in the model: {explained}"


def test_site_yaml_shows_the_defaults(site):
    text = (site / "site.yaml").read_text(encoding="utf-8")
    config = SiteConfig.model_validate(yaml.safe_load(text))
    defaults = SiteConfig.model_fields
    assert config.tiers == defaults["tiers"].default_factory()
    assert config.thresholds == Thresholds()
    for name, info in Thresholds.model_fields.items():
        assert re.search(rf"#\s+{name} \(optional, default {info.default}\b", text), name
    assert re.search(r"Default when `tiers` is left out: A every 30 days, B every 60, C every "
                     r"120", text)
    assert "placeholder" in text.lower()


def test_the_example_referrals_explain_every_field_and_csv_column(site):
    """The comment of the example referrals lists every field of a referral (the second
    edition's taken_by and declined_reason too, which its own rows use) and a CSV header with
    every column."""
    from liaison.models import Referral

    text = (site / "data/referrals/example-referrals.yaml").read_text(encoding="utf-8")
    explained = re.findall(r"^#\s+([a-z_]+) \(", text, re.M)
    assert explained == list(Referral.model_fields), explained
    header = re.search(r"^#\s+(date,[a-z_,]+)$", text, re.M)
    assert header and set(header.group(1).split(",")) == set(Referral.model_fields), header


def test_example_records_say_they_are_examples(site):
    for rel in EXPECTED:
        if rel.startswith(("data/", "content/")):
            head = (site / rel).read_text(encoding="utf-8").split("\n", 12)
            assert any("EXAMPLE" in line for line in head[:12]), rel


# ------------------------------------------------------ a practice of another specialty

SLEEP_SERVICES = """services:
  - key: in-lab-study
    name: In-lab sleep study
  - key: home-sleep-test
    name: Home sleep apnea test
  - key: cpap-clinic
    name: CPAP clinic
"""


def sleep_center(tmp_path: Path) -> Path:
    """A site started with `init` and made a sleep center's: its own name and services in
    site.yaml (the example referrals, which name the starter's services, deleted)."""
    dest = tmp_path / "sleep"
    assert invoke("init", str(dest)).exit_code == 0
    text = (dest / "site.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^  name: .*$", "  name: Tidewater Sleep & Breathing Center", text, 1)
    text = re.sub(r"(?ms)^services:\n.*?(?=^\S)", SLEEP_SERVICES + "\n", text)
    (dest / "site.yaml").write_text(text, encoding="utf-8")
    (dest / "data/referrals/example-referrals.yaml").unlink()
    return dest


def test_the_starter_belongs_to_no_specialty(site):
    """What `init` writes is for a practice of any specialty: no file names the sample's vein
    and vascular care (its site.yaml was "Example Vein & Vascular" with a "Vascular
    ultrasound" service, which a sleep center or an orthopedic group had to write over)."""
    said = {rel: re.findall(r"(?i)\b(?:vein|veins|venous|vascular|varicose|wound)\b",
                            data.decode("utf-8"))
            for rel, data in listing(site).items() if data is not None}
    assert {rel: words for rel, words in said.items() if words} == {}
    name = yaml.safe_load((site / "site.yaml").read_text(encoding="utf-8"))["practice"]["name"]
    assert name == "Example Specialty Clinic"


def test_talking_points_problems_give_examples_of_the_sites_own_services(tmp_path):
    """The messages of a sleep center's talking-points.yaml show its services, not the
    sample vein clinic's (they said 'e.g. vein-ablation', a key the site does not have)."""
    dest = sleep_center(tmp_path)
    (dest / "templates").mkdir()
    (dest / "templates/talking-points.yaml").write_text(
        "family medicine: home-sleep-test\npulmonology: [cpap-clinic, {x: 1}]\n"
        "cardiology: {a: b}\n", encoding="utf-8")
    code, _out, err = run_validate(dest)
    assert code == 1
    mine = [e for e in err if e.startswith("templates/talking-points.yaml:")]
    assert mine == [
        "templates/talking-points.yaml:1:18: error: 'family medicine' takes a list of service "
        "keys, in brackets: family medicine: [home-sleep-test]",
        "templates/talking-points.yaml:2:28: error: a service key is one word of site.yaml's "
        "services, e.g. in-lab-study",
        "templates/talking-points.yaml:3:13: error: 'cardiology' takes a list of service keys, "
        "in brackets: cardiology: [in-lab-study]",
    ], err
    (dest / "templates/talking-points.yaml").write_text("[cpap-clinic]\n", encoding="utf-8")
    code, _out, err = run_validate(dest)
    assert code == 1 and "templates/talking-points.yaml:1:1: error: talking-points.yaml maps " \
        "specialty keywords to service keys, one a line, e.g. family medicine: [in-lab-study, " \
        "home-sleep-test]" in err, err
    assert not [e for e in err if "vein" in e.lower()], err


def test_a_new_deck_reads_well_for_a_practice_without_a_phone(tmp_path):
    """`new deck` in a site whose site.yaml gives no phone (it is optional): the slide for an
    office that has not referred yet said "One direct scheduling line: None"."""
    dest = sleep_center(tmp_path)
    text = (dest / "site.yaml").read_text(encoding="utf-8")
    (dest / "site.yaml").write_text(re.sub(r"(?m)^  phone: .*\n", "", text), encoding="utf-8")
    assert invoke("new", "deck", "sleep-lunch", "--title", "Better sleep", "--root",
                  str(dest)).exit_code == 0
    built = invoke("build", "--root", str(dest))
    assert built.exit_code == 0, built.output
    deck = (dest / "site/presentations/sleep-lunch/birchwood-family-medicine/index.html"
            ).read_text(encoding="utf-8")
    assert "One direct scheduling line" in deck and "None" not in deck


def test_the_example_deck_thanks_an_office_only_for_referrals_it_sent(tmp_path):
    """The deck `init` writes thanked every office for its count, "sent us 0 referrals in the
    last twelve months. Thank you!" for one that never referred (and "1 referrals")."""
    dest = sleep_center(tmp_path)
    slide = "presentations/introducing-our-practice/birchwood-family-medicine/index.html"
    assert invoke("build", "--root", str(dest)).exit_code == 0
    deck = (dest / "site" / slide).read_text(encoding="utf-8")
    assert "sent us" not in deck and "Thank you" not in deck
    assert "One direct line for referrals" in deck
    assert invoke("new", "referral", "--source", "physician", "--physician",
                  "robin-quarrington", "--service", "cpap-clinic", "--date",
                  TODAY.isoformat(), "--root", str(dest)).exit_code == 0
    assert invoke("build", "--root", str(dest)).exit_code == 0
    deck = (dest / "site" / slide).read_text(encoding="utf-8")
    assert "sent us 1 referral in the last twelve months. Thank you!" in deck
    assert "Dr. Robin Quarrington" in deck


def test_the_files_new_writes_name_no_specialty(tmp_path):
    """Every file `new` writes explains how to quote a value; the example was the sample's
    `name: "Dr. O'Neil: Vein"`, in a sleep center's records too."""
    dest = sleep_center(tmp_path)
    for args in (["practice", "eastbrook-pulmonary", "--name", "Eastbrook Pulmonary"],
                 ["physician", "odessa-quarley", "--name", "Odessa Quarley", "--specialty",
                  "Pulmonology", "--practice", "eastbrook-pulmonary"],
                 ["member", "jo-bell", "--name", "Jo Bell", "--role", "front-desk"],
                 ["interaction", "--type", "call", "--liaison", "sam-ellery", "--practice",
                  "eastbrook-pulmonary", "--summary", "Called the office", "--date",
                  TODAY.isoformat()],
                 ["guide", "mask-fitting", "--title", "Mask fitting", "--audience", "clinical"],
                 ["deck", "sleep-lunch", "--title", "Better sleep"]):
        result = invoke("new", *args, "--root", str(dest))
        assert result.exit_code == 0, result.output
        text = (dest / result.stdout.strip()).read_text(encoding="utf-8")
        assert not re.search(r"(?i)\bveins?\b|vascular", text), (args[0], text)
        assert "Quote text that starts with" in text


def test_the_example_guide_gives_every_source_its_answer(site):
    """The front desk learns from the guide `init` writes which source each answer is: every
    source of a referral has its row (`event` and `other` had none)."""
    from liaison.models import SOURCES

    text = (site / "content/training/how-did-you-hear-about-us.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| [^|]+ \| `([a-z]+)` \|", text, re.M)
    assert sorted(rows) == sorted(SOURCES)


def test_the_sites_readme_says_where_the_logo_colours_and_talking_points_go(site):
    """A practice making the site its own learns from the README `init` writes where its
    logo, colours and specialty talking points go (it named only template overrides)."""
    text = (site / "README.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `templates/`"))
    for name in ("assets/logo.png", "palette.yaml", "talking-points.yaml"):
        assert name in row, name
    # a clinic of another specialty is told the built-in suggestions are not its own
    assert "write your referrers' specialties" in row


# -------------------------------------------------------------- copies of the repository's


def test_schemas_and_editor_settings_are_the_schema_commands(site):
    for name, schema in schemas().items():
        assert (site / "schemas" / name).read_text(encoding="utf-8") == dumps(schema)
    settings = (site / ".vscode/settings.json").read_text(encoding="utf-8")
    assert settings == vscode_settings()
    assert settings == (REPO / ".vscode/settings.json").read_text(encoding="utf-8")
    assert set(json.loads(settings)["yaml.schemas"]) == {
        f"./schemas/{k.file}" for k in KINDS if k.yaml}


def test_the_printed_git_step_makes_the_branch_the_workflow_builds(tmp_path):
    """`git init` names the first branch `master` unless the user's git config says
    otherwise (git 2.39 here), and the workflow builds and publishes pushes to `main` only:
    the printed step left a new site's merges never built."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    dest = tmp_path / "clinic"
    result = invoke("init", str(dest))
    [step] = [line.strip() for line in result.stdout.splitlines()
              if line.strip().startswith("git init")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", HOME=str(tmp_path),
               GIT_AUTHOR_NAME="Maya", GIT_AUTHOR_EMAIL="maya@example.org",
               GIT_COMMITTER_NAME="Maya", GIT_COMMITTER_EMAIL="maya@example.org")
    subprocess.run(["bash", "-ec", step], cwd=dest, env=env, check=True, capture_output=True)
    branch = subprocess.run(["git", "symbolic-ref", "--short", "HEAD"], cwd=dest, env=env,
                            check=True, capture_output=True, text=True).stdout.strip()
    workflow = yaml.safe_load((dest / ".github/workflows/liaison.yml").read_text("utf-8"))
    on = workflow.get("on", workflow.get(True))
    assert on["push"]["branches"] == [branch] == ["main"]
    assert subprocess.run(["git", "status", "--porcelain"], cwd=dest, env=env, check=True,
                          capture_output=True, text=True).stdout == ""


def test_workflow_is_a_copy_of_the_repositorys(site):
    """The same workflow: the same jobs, steps and scripts (compared as YAML, so a change of
    a comment alone does not fail here; copy the file again after one all the same)."""
    ours = (REPO / ".github/workflows/liaison.yml").read_bytes()
    stored = (STARTER / "dot-github/workflows/liaison.yml").read_bytes()
    assert yaml.safe_load(stored) == yaml.safe_load(ours), (
        "liaison/starter/dot-github/workflows/liaison.yml differs from the repository's "
        "workflow: copy it again (cp .github/workflows/liaison.yml "
        "liaison/starter/dot-github/workflows/liaison.yml)")
    assert (site / ".github/workflows/liaison.yml").read_bytes() == stored
    # In a site repository (no Liaison pyproject.toml) it installs LIAISON_SPEC, or stops.
    assert '"$LIAISON_SPEC"' in stored.decode() and "LIAISON_SPEC is not set" in stored.decode()


def test_gitignore_ignores_the_built_site(site, tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    shutil.copytree(site, repo)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "site").mkdir(exist_ok=True)
    (repo / "site" / "index.html").write_text("x")

    def ignored(rel):
        return subprocess.run(["git", "-C", str(repo), "check-ignore", "-q", rel]).returncode == 0

    assert ignored("site/index.html")
    for rel in ("site.yaml", "data/team/sam-ellery.yaml", "content/training/x.md",
                ".github/workflows/liaison.yml", "schemas/site.schema.json",
                "templates/base.html"):
        assert not ignored(rel), rel


def test_pre_commit_config_uses_our_hook(site, monkeypatch):
    config = yaml.safe_load((site / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks_manifest = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    ours = {h["id"]: h for h in hooks_manifest}
    [repo] = config["repos"]
    assert repo["repo"] == "local"
    [hook] = repo["hooks"]
    assert hook["id"] in ours
    assert hook["entry"] == ours[hook["id"]]["entry"]
    assert hook["language"] == "system" and hook["pass_filenames"] is False
    # every commit is checked: pre-commit leaves a deleted file out of those it matches with
    # `files`, so a commit that only deleted a practice its physicians name was not
    assert hook.get("always_run") is True and "files" not in hook
    # The remote form, commented, names a hook of the manifest.
    text = (site / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert re.search(r"^#\s+- id: liaison-validate\b", text, re.M)
    # The entry works where pre-commit runs it: the repository's root.
    monkeypatch.chdir(site)
    args = shlex.split(hook["entry"])
    assert args[0] == "liaison"
    result = invoke(*args[1:])
    assert result.exit_code == 0, result.output


# ------------------------------------------------------------------------------ packaging


def _covered(patterns: list[str], base: Path) -> set[str]:
    """The files that setuptools' package-data globs take (recursive, like setuptools)."""
    found = set()
    for pattern in patterns:
        for path in glob.glob(str(base / pattern), recursive=True):
            if os.path.isfile(path):
                found.add(Path(path).relative_to(base).as_posix())
    return found


def test_package_data_patterns_take_every_starter_file():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["liaison"]
    covered = _covered(patterns, REPO / "liaison")
    stored = {f"starter/{p}" for p in starter_files().values()}
    assert stored and stored <= covered, sorted(stored - covered)
    # No hidden file in starter/: package-data globs skip them (dotfiles are stored dot-NAME).
    assert not [p for p in STARTER.rglob(".*")]


def _build_wheel(tmp_path: Path) -> Path:
    """A wheel of the working tree, built from a copy (the tree itself is left alone): without
    build isolation first, then with it (which fetches setuptools). Skips when neither works
    (no setuptools or wheel here, and no package index)."""
    src = tmp_path / "src"
    src.mkdir()
    for name in os.listdir(REPO):
        if name in ("pyproject.toml", "README.md") or name.startswith(("LICENSE", "COPYING")):
            shutil.copy2(REPO / name, src / name)
    shutil.copytree(REPO / "liaison", src / "liaison",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path / "dist"
    errors = []
    for isolation in (["--no-build-isolation"], []):
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w", str(out),
             *isolation],
            capture_output=True, text=True, timeout=300)
        wheels = list(out.glob("*.whl"))
        if proc.returncode == 0 and wheels:
            return wheels[0]
        errors.append((proc.stdout + proc.stderr)[-400:])
    pytest.skip("cannot build a wheel here (setuptools/wheel missing, no index?): "
                + " | ".join(e.strip().replace("\n", " ") for e in errors))


def test_the_wheel_ships_every_starter_file(tmp_path):
    wheel = _build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [stored for stored in starter_files().values()
               if f"liaison/starter/{stored}" not in names]
    assert not missing, missing
    assert "liaison/init.py" in names and "liaison/schema.py" in names
    # every module of every subpackage (pages, scaffold, pptx, …) and every template
    package = REPO / "liaison"
    shipped = [p.relative_to(REPO).as_posix() for p in sorted(package.rglob("*"))
               if p.is_file() and "__pycache__" not in p.parts
               and (p.suffix in (".py", ".html", ".css", ".js") or p.name == "palette.yaml")]
    assert len(shipped) > 60
    assert [f for f in shipped if f not in names] == []
