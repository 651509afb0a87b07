"""The publishing setup: the GitHub Actions workflow and the pre-commit hooks.

The workflow is linted with actionlint (which runs shellcheck on the `run:` scripts when
shellcheck is on the PATH), read as YAML for what it must do, and its shell scripts are run
here with stand-ins for `python` and `liaison`, so their logic (how Liaison is installed,
which date the build is computed at, where the change summary goes) is tested, not only read.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import tomllib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from liaison.cli import main as cli_main

REPO = Path(__file__).resolve().parents[1]
WORKFLOW = REPO / ".github" / "workflows" / "liaison.yml"
HOOKS = REPO / ".pre-commit-hooks.yaml"
DOCS = REPO / "docs" / "publishing.md"

# The shell GitHub runs a `run:` step with when `shell: bash` is set.
BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]


# ----------------------------------------------------------------------------- helpers


def _load_workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as the boolean true.
    if True in data:
        data["on"] = data.pop(True)
    return data


@pytest.fixture(scope="module")
def workflow() -> dict:
    return _load_workflow()


def _steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def _step(workflow: dict, job: str, name: str) -> dict:
    for step in _steps(workflow, job):
        if step.get("name") == name:
            return step
    raise AssertionError(f"job {job!r} has no step named {name!r}")


def _uses(step: dict) -> str:
    return step.get("uses", "").split("@")[0]


def _job_for(workflow: dict, event: str) -> str:
    """The one job that runs on `event` (judged by the jobs' `if:` on github.event_name)."""
    found = []
    for name, job in workflow["jobs"].items():
        cond = str(job.get("if", ""))
        if "needs" in job:
            continue
        if f"github.event_name == '{event}'" in cond:
            found.append(name)
        elif "github.event_name != 'pull_request'" in cond and event != "pull_request":
            found.append(name)
    assert len(found) == 1, f"expected one job for {event}, found {found}"
    return found[0]


def _actionlint() -> str | None:
    exe = "actionlint.exe" if os.name == "nt" else "actionlint"
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / exe
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("actionlint")


def _stubs(folder: Path, log: Path, liaison_body: str = "") -> dict[str, str]:
    """`python` and `liaison` stand-ins that append their arguments (and SOURCE_DATE_EPOCH) to log."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in (("python", ""), ("liaison", liaison_body)):
        path = folder / name
        path.write_text(textwrap.dedent(f"""\
            #!/usr/bin/env bash
            printf '%s|%s|%s\\n' "{name}" "${{SOURCE_DATE_EPOCH:-}}" "$*" >> "{log}"
            {body}
            """), encoding="utf-8")
        path.chmod(0o755)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "LIAISON_", "RUNNER_")) and k != "SOURCE_DATE_EPOCH"}
    env["PATH"] = f"{folder}{os.pathsep}{env.get('PATH', '')}"
    return env


def _run_step(step: dict, cwd: Path, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    script = step["run"]
    assert "${{" not in script, "expressions belong in env:, not in the script"
    path = tmp_path / "step.sh"
    path.write_text(script, encoding="utf-8")
    return subprocess.run([*BASH, str(path)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=60)


def _calls(log: Path, program: str) -> list[tuple[str, str]]:
    """(SOURCE_DATE_EPOCH, arguments) of each call of `program`."""
    if not log.exists():
        return []
    out = []
    for line in log.read_text(encoding="utf-8").splitlines():
        name, epoch, args = line.split("|", 2)
        if name == program:
            out.append((epoch, args))
    return out


# ----------------------------------------------------------------------------- actionlint


def test_workflow_passes_actionlint():
    exe = _actionlint()
    if exe is None:
        pytest.skip("actionlint is not installed (it comes with the test extra: "
                    "pip install -e '.[test]')")
    workflows = sorted(p.relative_to(REPO).as_posix() for p in WORKFLOW.parent.glob("*.yml"))
    assert len(workflows) >= 2, workflows  # the site's workflow and the tests' matrix
    result = subprocess.run([exe, "-no-color", "-oneline", *workflows],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"actionlint found problems:\n{result.stdout}{result.stderr}"


def test_workflow_scripts_are_valid_bash(workflow):
    for job_name, job in workflow["jobs"].items():
        for step in job["steps"]:
            if "run" not in step:
                continue
            result = subprocess.run(["bash", "-n"], input=step["run"], capture_output=True,
                                    text=True, timeout=30)
            assert result.returncode == 0, f"{job_name} / {step.get('name')}: {result.stderr}"


# ----------------------------------------------------------------------------- shape


def test_triggers(workflow):
    on = workflow["on"]
    assert "pull_request" in on
    assert on["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in on
    assert on["workflow_dispatch"]["inputs"]["as_of"]["required"] is False


def test_permissions_are_minimal(workflow):
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        if name == "deploy":
            assert job["permissions"] == {"pages": "write", "id-token": "write"}
        else:
            assert "permissions" not in job, f"job {name} widens the permissions"


def test_actions_are_pinned_to_major_versions(workflow):
    used = set()
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"actions/[a-z-]+@v\d+", step["uses"]), step["uses"]
                used.add(_uses(step))
    assert used == {"actions/checkout", "actions/setup-python", "actions/upload-artifact",
                    "actions/upload-pages-artifact", "actions/deploy-pages"}


def test_every_job_sets_up_python_311(workflow):
    for name, job in workflow["jobs"].items():
        setups = [s for s in job["steps"] if _uses(s) == "actions/setup-python"]
        if name == "deploy":
            assert not setups
        else:
            assert [s["with"]["python-version"] for s in setups] == ["3.11"]


def test_pull_request_job_validates_with_annotations(workflow):
    job = _job_for(workflow, "pull_request")
    checkout = next(s for s in _steps(workflow, job) if _uses(s) == "actions/checkout")
    assert checkout["with"]["fetch-depth"] == 0
    validate = _step(workflow, job, "Validate")
    assert "validate --format github" in validate["run"]
    assert "liaison" in validate["run"]
    assert "continue-on-error" not in validate and "if" not in validate  # errors fail the job


def test_pull_request_job_writes_the_change_summary(workflow):
    job = _job_for(workflow, "pull_request")
    steps = _steps(workflow, job)
    summary = _step(workflow, job, "Summarize the change")
    assert "liaison changes" in summary["run"]
    assert '"$GITHUB_STEP_SUMMARY"' in summary["run"]
    assert "origin/$GITHUB_BASE_REF" in summary["run"]
    # Shown even when the validation failed; a failure of its own does not fail the job.
    assert "!cancelled()" in summary["if"] or "always()" in summary["if"]
    assert summary["continue-on-error"] is True
    assert steps.index(summary) > steps.index(_step(workflow, job, "Validate"))


def test_build_job_builds_at_the_commit_date_and_uploads(workflow):
    job = _job_for(workflow, "push")
    build = _step(workflow, job, "Build")
    assert 'SOURCE_DATE_EPOCH="$(git log -1 --format=%ct)"' in build["run"]
    assert "export SOURCE_DATE_EPOCH" in build["run"]
    assert "(build --out" in build["run"]
    site_dir = workflow["jobs"][job]["env"]["SITE_DIR"]
    upload = next(s for s in _steps(workflow, job) if _uses(s) == "actions/upload-artifact")
    assert upload["with"]["path"] == site_dir
    assert upload["with"]["if-no-files-found"] == "error"
    steps = _steps(workflow, job)
    assert steps.index(upload) > steps.index(build)


def test_pages_deploy_is_opt_in_and_gated(workflow):
    build_job = _job_for(workflow, "push")
    package = next(s for s in _steps(workflow, build_job)
                   if _uses(s) == "actions/upload-pages-artifact")
    deploy = workflow["jobs"]["deploy"]
    for cond in (package["if"], deploy["if"]):
        assert "vars.LIAISON_PAGES == 'true'" in cond
        assert "github.ref == 'refs/heads/main'" in cond
        assert "github.event.repository.private" in cond
    assert package["with"]["path"] == workflow["jobs"][build_job]["env"]["SITE_DIR"]
    assert deploy["needs"] == build_job
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["concurrency"]["cancel-in-progress"] is False
    assert [_uses(s) for s in deploy["steps"]] == ["actions/deploy-pages"]


def test_documented_variables_are_the_ones_used():
    text = WORKFLOW.read_text(encoding="utf-8")
    used = set(re.findall(r"vars\.([A-Z_]+)", text))
    assert used == {"LIAISON_SPEC", "LIAISON_STRICT", "LIAISON_PAGES"}
    docs = DOCS.read_text(encoding="utf-8")
    for name in used:
        assert f"`{name}`" in docs, f"docs/publishing.md does not describe {name}"


# ----------------------------------------------------------------------------- the scripts, run


def test_documented_self_detection_names_the_distribution(workflow):
    """The page says how the workflow knows it runs in Liaison's own repository: by the
    project name in pyproject.toml, which is the distribution's, liaison-ssg."""
    name = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["name"]
    install = _step(workflow, "build", "Install Liaison")["run"]
    assert f'name *= *"{name}"' in install
    assert f"names the project `{name}`" in " ".join(DOCS.read_text(encoding="utf-8").split())


@pytest.mark.parametrize("job", ["validate", "build"])
def test_install_step_installs_the_checkout_when_it_is_liaison(workflow, job, tmp_path):
    log = tmp_path / "log"
    env = _stubs(tmp_path / "bin", log)
    env["LIAISON_SPEC"] = "liaison==9.9"  # ignored: this repository is Liaison
    result = _run_step(_step(workflow, job, "Install Liaison"), REPO, env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [args for _, args in _calls(log, "python")] == ["-m pip install -e ."]
    assert [args for _, args in _calls(log, "liaison")] == ["--version"]


def test_install_step_installs_liaison_spec_in_a_site_repository(workflow, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "site.yaml").write_text("practice: {name: X}\n", encoding="utf-8")
    log = tmp_path / "log"
    env = _stubs(tmp_path / "bin", log)
    env["LIAISON_SPEC"] = "liaison @ file:///opt/wheels/liaison-0.1.0-py3-none-any.whl"
    result = _run_step(_step(workflow, "validate", "Install Liaison"), site, env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    # The spec is one argument, spaces and all.
    assert [args for _, args in _calls(log, "python")] == [
        "-m pip install liaison @ file:///opt/wheels/liaison-0.1.0-py3-none-any.whl"]


def test_install_step_refuses_without_liaison_spec(workflow, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    log = tmp_path / "log"
    env = _stubs(tmp_path / "bin", log)
    env["LIAISON_SPEC"] = ""  # what an unset repository variable gives
    result = _run_step(_step(workflow, "build", "Install Liaison"), site, env, tmp_path)
    assert result.returncode != 0
    assert "::error" in result.stdout and "LIAISON_SPEC" in result.stdout
    assert _calls(log, "python") == []  # nothing installed by guesswork


@pytest.mark.parametrize("strict, expected", [("", "validate --format github"),
                                              ("true", "validate --format github --strict")])
def test_validate_step_arguments(workflow, tmp_path, strict, expected):
    log = tmp_path / "log"
    env = _stubs(tmp_path / "bin", log)
    env["LIAISON_STRICT"] = strict
    result = _run_step(_step(workflow, "validate", "Validate"), tmp_path, env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert [args for _, args in _calls(log, "liaison")] == [expected]


def test_validate_step_fails_when_liaison_does(workflow, tmp_path):
    env = _stubs(tmp_path / "bin", tmp_path / "log", liaison_body="exit 1")
    result = _run_step(_step(workflow, "validate", "Validate"), tmp_path, env, tmp_path)
    assert result.returncode == 1


def test_summary_step_appends_the_change_summary(workflow, tmp_path):
    log = tmp_path / "log"
    env = _stubs(tmp_path / "bin", log, liaison_body="echo '## What this change does'")
    summary = tmp_path / "summary.md"
    summary.write_text("earlier steps' summary\n", encoding="utf-8")
    env.update(GITHUB_BASE_REF="main", GITHUB_STEP_SUMMARY=str(summary), RUNNER_TEMP=str(tmp_path))
    result = _run_step(_step(workflow, "validate", "Summarize the change"), tmp_path, env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert [args for _, args in _calls(log, "liaison")] == ["changes origin/main HEAD"]
    assert summary.read_text(encoding="utf-8") == "earlier steps' summary\n## What this change does\n"


def test_summary_step_leaves_no_half_summary_on_failure(workflow, tmp_path):
    env = _stubs(tmp_path / "bin", tmp_path / "log",
                 liaison_body="echo '## half a summ'; exit 1")
    summary = tmp_path / "summary.md"
    summary.write_text("", encoding="utf-8")
    env.update(GITHUB_BASE_REF="main", GITHUB_STEP_SUMMARY=str(summary), RUNNER_TEMP=str(tmp_path))
    result = _run_step(_step(workflow, "validate", "Summarize the change"), tmp_path, env, tmp_path)
    assert result.returncode == 1
    assert "::warning" in result.stdout
    assert summary.read_text(encoding="utf-8") == ""


@pytest.fixture
def committed_site(tmp_path) -> tuple[Path, int]:
    """A git repository with one commit at a fixed date; returns it and that date's epoch."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "site.yaml").write_text("practice: {name: X}\n", encoding="utf-8")
    when = "2026-03-04T05:06:07+00:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "x"]):
        subprocess.run(cmd, cwd=repo, env=env, check=True, capture_output=True)
    return repo, 1772600767


@pytest.mark.parametrize("event, as_of, strict, expected", [
    ("push", "", "", "build --out _site"),
    ("push", "", "true", "build --out _site --strict"),
    ("workflow_dispatch", "2026-01-31", "", "build --out _site --as-of 2026-01-31"),
])
def test_build_step_uses_the_commit_date(workflow, committed_site, tmp_path, event, as_of,
                                         strict, expected):
    repo, epoch = committed_site
    log = tmp_path / "log"
    env = _stubs(tmp_path / "bin", log)
    env.update(workflow["jobs"]["build"]["env"] | {"AS_OF": as_of},
               GITHUB_EVENT_NAME=event, LIAISON_STRICT=strict)
    result = _run_step(_step(workflow, "build", "Build"), repo, env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert _calls(log, "liaison") == [(str(epoch), expected)]


def _example_under_git(tmp_path: Path):
    """The worked example copied read-write to tmp_path/"site", and a function that runs git
    there (its output) as a test author; skips where git is not installed."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    site = tmp_path / "site"
    shutil.copytree(REPO / "tests/fixtures/spec-example-v2", site)
    for path in site.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)

    def git(*args) -> str:
        return subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org",
                               "-c", "commit.gpgsign=false", *args], cwd=site, check=True,
                              capture_output=True, text=True).stdout

    return site, git


def valid(root: Path) -> bool:
    """Whether `validate` passes on ``root``."""
    return CliRunner().invoke(cli_main, ["validate", "--root", str(root)]).exit_code == 0


def test_the_required_check_also_requires_branches_up_to_date(tmp_path):
    """Two pull requests that pass alone can break main together: one deletes a practice
    no physician names, the other adds a physician at it. Each check ran on its own merge
    with the base of its day, so with the check required and nothing more both could be
    merged, and the build of main failed where nobody was looking (the page said "Then
    nothing with an error can be merged"). This runs that history, then reads the page."""
    site, git = _example_under_git(tmp_path)
    (site / "data/practices/quarry-road-clinic.yaml").write_text("name: Quarry Road Clinic\n")
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    git("checkout", "-q", "-b", "delete-the-practice")
    git("rm", "-q", "data/practices/quarry-road-clinic.yaml")
    git("commit", "-q", "-m", "A")
    assert valid(site)
    git("checkout", "-q", "-b", "add-a-physician", "main")
    (site / "data/physicians/tamsin-hale.yaml").write_text(
        "name: Tamsin Hale\nspecialty: Family Medicine\npractice: quarry-road-clinic\n")
    git("add", "-A")
    git("commit", "-q", "-m", "B")
    assert valid(site)
    git("checkout", "-q", "main")
    git("merge", "-q", "--no-ff", "-m", "A", "delete-the-practice")
    git("merge", "-q", "--no-ff", "-m", "B", "add-a-physician")
    assert not valid(site)
    docs = " ".join(DOCS.read_text(encoding="utf-8").split())
    assert "Then nothing with an error can be merged." not in docs
    assert "**Require branches to be up to date before merging**" in docs


def test_the_hook_section_says_new_files_must_be_added_to_be_checked(tmp_path):
    """pre-commit stashes what is not staged of the files git tracks, but leaves the files
    it does not track in place: a physician written by `liaison new` and not `git add`ed
    satisfies the hook (validate reads the folder), while the commit (`git commit -a`
    included) names a physician it does not hold, and the pull request's check fails. The
    page said the hooks run `validate` "before a commit leaves a laptop", nothing more."""
    site, git = _example_under_git(tmp_path)
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    (site / "data/physicians/tamsin-hale.yaml").write_text(
        "name: Tamsin Hale\nspecialty: Family Medicine\npractice: french-broad-podiatry\n")
    rows = site / "data/referrals/2026-10-to-11.csv"
    rows.write_text(rows.read_text() + "physician,2026-11-20,tamsin-hale,vein-ablation,referred,,\n")
    assert valid(site)  # what the hook sees
    git("commit", "-q", "-a", "-m", "a referral from a new physician")
    committed = tmp_path / "committed"
    git("worktree", "add", "-q", str(committed), "HEAD")
    assert not valid(committed)  # what the pull request's check sees
    docs = " ".join(DOCS.read_text(encoding="utf-8").split())
    assert "`git add` every new file before committing" in docs


def test_the_documented_schedule_keeps_every_trigger_of_the_workflow(workflow):
    """docs/publishing.md's `on:` block with a schedule, pasted over the workflow's as a
    manager would: it showed `on:` with `schedule:` alone, and so pasted it dropped the
    pull-request check, the build of main and the manual run (or, pasted beside the
    workflow's, made a second `on:` key, which GitHub refuses)."""
    docs = DOCS.read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(\s*on:\n.*?)```", docs, re.S)
    assert block, "docs/publishing.md shows the schedule as an `on:` block"
    shown = yaml.safe_load(textwrap.dedent(block.group(1)))
    shown = shown.get("on", shown.get(True))
    assert shown["schedule"] == [{"cron": "17 11 * * 1-5"}]
    assert {k: v for k, v in shown.items() if k != "schedule"} == workflow["on"]


@pytest.mark.parametrize("as_of, strict, expected", [
    ("", "", "validate --format github"),
    ("2026-01-31", "true", "validate --format github --as-of 2026-01-31 --strict"),
])
def test_a_failed_build_annotates_the_commit(workflow, committed_site, tmp_path, as_of, strict,
                                             expected):
    """A commit pushed to main without a pull request (GitHub's web editor commits there
    directly) was checked only by the build, whose problems were lines of the log: the step
    now runs validate with the same date and strictness for annotations, and fails."""
    repo, epoch = committed_site
    log = tmp_path / "log"
    env = _stubs(tmp_path / "bin", log, liaison_body=textwrap.dedent("""\
        if [ "$1" = build ]; then echo "data/team/x.yaml:1:1: error: boom" >&2; exit 1; fi
        echo "::error file=data/team/x.yaml,line=1,col=1::boom"; exit 1"""))
    env.update(workflow["jobs"]["build"]["env"] | {"AS_OF": as_of},
               GITHUB_EVENT_NAME="push", LIAISON_STRICT=strict)
    result = _run_step(_step(workflow, "build", "Build"), repo, env, tmp_path)
    assert result.returncode == 1
    assert [args for _, args in _calls(log, "liaison")][1:] == [expected]
    assert all(e == str(epoch) for e, _ in _calls(log, "liaison"))
    assert result.stdout.splitlines() == ["::error file=data/team/x.yaml,line=1,col=1::boom"]
    assert result.stderr.splitlines() == ["data/team/x.yaml:1:1: error: boom"]


def test_build_step_on_a_schedule_uses_the_day_of_the_run(workflow, committed_site, tmp_path):
    repo, _ = committed_site
    log = tmp_path / "log"
    env = _stubs(tmp_path / "bin", log)
    env.update(workflow["jobs"]["build"]["env"] | {"AS_OF": ""}, GITHUB_EVENT_NAME="schedule")
    result = _run_step(_step(workflow, "build", "Build"), repo, env, tmp_path)
    assert result.returncode == 0, result.stderr
    [(_, args)] = _calls(log, "liaison")
    assert re.fullmatch(r"build --out _site --as-of \d{4}-\d{2}-\d{2}", args)


# ----------------------------------------------------------------------------- the CLI it relies on


def test_validate_github_format_annotates_and_fails(tmp_path):
    """What the pull-request step relies on: annotations on stdout, exit 1 on errors."""
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "validate", "--root",
                             str(tmp_path), "--format", "github"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("::error file=") for line in lines)


def test_the_sample_site_passes_the_pull_request_check():
    """This repository runs the workflow on its own sample site."""
    result = CliRunner().invoke(cli_main, ["validate", "--root", str(REPO), "--format", "github"])
    assert result.exit_code == 0, result.output
    assert "::error" not in result.output


# ----------------------------------------------------------------------------- pre-commit hooks

# The keys a hook of a .pre-commit-hooks.yaml may have (pre-commit's manifest schema).
HOOK_KEYS = {
    "id", "name", "entry", "language", "alias", "files", "exclude", "types", "types_or",
    "exclude_types", "additional_dependencies", "args", "always_run", "fail_fast",
    "pass_filenames", "description", "language_version", "log_file", "require_serial",
    "stages", "verbose", "minimum_pre_commit_version",
}


@pytest.fixture(scope="module")
def hooks() -> list[dict]:
    data = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def test_hooks_manifest_shape(hooks):
    assert [h["id"] for h in hooks] == ["liaison-validate", "liaison-validate-strict"]
    for hook in hooks:
        assert set(hook) <= HOOK_KEYS, set(hook) - HOOK_KEYS
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
    by_id = {h["id"]: h for h in hooks}
    assert by_id["liaison-validate"]["entry"] == "liaison validate"
    assert by_id["liaison-validate-strict"]["entry"] == "liaison validate --strict"


def test_hook_entries_are_console_scripts(hooks):
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    for hook in hooks:
        command = shlex.split(hook["entry"])[0]
        assert command in scripts, f"{hook['id']}: {command!r} is not in [project.scripts]"


def pre_commit_runs(hook: dict, staged: dict[str, str]) -> bool:
    """Whether pre-commit runs ``hook`` for a commit of ``staged`` (path: git's status letter,
    A, M, R or D). pre-commit matches ``files`` against the staged files but the deleted ones
    (`git diff --staged --name-only --diff-filter=ACMRTUXB`) and skips a hook that matches
    none ("(no files to check)"), unless it is ``always_run``."""
    if hook.get("always_run"):
        return True
    kept = [path for path, status in staged.items() if status != "D"]
    return any(re.search(hook.get("files", ""), path) for path in kept)


# What a commit of a site repository can be: each one can break the site (a file deleted,
# as a practice its physicians still name, leaves their references dangling), so the hook
# checks each. With a `files` filter, a commit that only deleted data was never checked.
COMMITS = [
    {"site.yaml": "M"}, {"data/physicians/alan-cho.yaml": "A"},
    {"data/referrals/2026/q1.csv": "M"}, {"content/training/intake.md": "M"},
    {"templates/practice.html": "A"}, {"templates/assets/style.css": "M"},
    {"data/practices/alder-falls.yaml": "D"},
    {"data/team/sam-ellery.yaml": "D", "README.md": "M"},
    {"content/presentations/intro.md": "D"}, {"templates/practice.html": "D"},
    {"data/physicians/alan-cho-dpm.yaml": "R"},
    {"README.md": "M"}, {".github/workflows/liaison.yml": "M"},
]


@pytest.mark.parametrize("staged", COMMITS)
def test_hooks_run_on_every_commit_a_deletion_too(hooks, staged):
    for hook in hooks:
        assert pre_commit_runs(hook, staged), (hook["id"], staged)


def test_documented_hooks_run_on_the_same_commits(hooks):
    """docs/publishing.md's local hook and its sentence on when the hooks run say what the
    manifest does."""
    docs = DOCS.read_text(encoding="utf-8")
    local = re.search(r"```yaml\n(repos:\n  - repo: local\n.*?)```", docs, re.S)
    assert local, "docs/publishing.md shows a local hook"
    documented = yaml.safe_load(local.group(1))["repos"][0]["hooks"][0]
    for staged in COMMITS:
        assert pre_commit_runs(documented, staged), staged
    for hook in hooks:
        assert documented.get("files") == hook.get("files")
        assert documented.get("always_run") == hook.get("always_run")
    assert "they run on every commit" in " ".join(docs.split())


def test_hook_entries_run_on_the_sample_site(hooks, monkeypatch):
    """Each hook's command line, run as pre-commit runs it: in the repository root."""
    monkeypatch.chdir(REPO)
    for hook in hooks:
        args = shlex.split(hook["entry"])[1:] + hook.get("args", [])
        result = CliRunner().invoke(cli_main, args)
        assert result.exit_code == 0, (hook["id"], result.output)
