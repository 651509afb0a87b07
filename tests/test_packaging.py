"""What a user installing the package sees: its metadata, its description and its help.

The README is the package's description on the index, so every link in it must lead to a
file of the repository; the command-line help must not cite a document the user does not
have (the file-format reference is docs/file-formats.md).
"""
from __future__ import annotations

import re
import tomllib

import pytest
from click.testing import CliRunner

from conftest import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
SUPPORTED = ["3.11", "3.12", "3.13"]


def test_license_is_an_spdx_expression_with_its_file():
    assert PROJECT["license"] == "MIT", "an SPDX string, not the deprecated table form"
    assert not any(c.startswith("License ::") for c in PROJECT["classifiers"]), \
        "license classifiers are superseded by the SPDX expression"
    for name in PROJECT["license-files"]:
        text = (REPO / name).read_text(encoding="utf-8")
        assert text.startswith("MIT License")
    req = PYPROJECT["build-system"]["requires"]
    assert any(re.fullmatch(r"setuptools>=(\d+)", r) and int(r.split(">=")[1]) >= 77 for r in req), \
        "PEP 639 license metadata needs setuptools 77 or newer"


def test_distribution_name_is_not_the_taken_one():
    assert PROJECT["name"] == "liaison-ssg"
    assert PROJECT["scripts"] == {"liaison": "liaison:main"}


def test_supported_pythons_are_declared_and_tested():
    versions = [c.rsplit(" :: ", 1)[1] for c in PROJECT["classifiers"]
                if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
    assert versions == SUPPORTED
    assert PROJECT["requires-python"] == ">=3.11"
    workflow = (REPO / ".github/workflows/tests.yml").read_text(encoding="utf-8")
    matrix = re.search(r"python-version: \[([^\]]*)\]", workflow).group(1)
    assert [v.strip().strip('"') for v in matrix.split(",")] == SUPPORTED


def test_project_urls_and_classifiers():
    assert set(PROJECT["urls"]) >= {"Homepage", "Source", "Issues"}
    assert all(u.startswith("https://") for u in PROJECT["urls"].values())
    assert "Intended Audience :: Healthcare Industry" in PROJECT["classifiers"]


def _links(markdown: str) -> list[str]:
    # code blocks and code spans are shown as written, never as links
    markdown = re.sub(r"^```.*?^```", "", markdown, flags=re.M | re.S)
    markdown = re.sub(r"`[^`\n]*`", "", markdown)
    inline = re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", markdown)
    refs = re.findall(r"^\[[^\]]+\]:\s*(\S+)", markdown, re.M)
    autolinks = re.findall(r"<(https?://[^>]+)>", markdown)
    bare = re.findall(r"(?<![(<\w])(https?://[^\s)>\]`]+)", markdown)
    return inline + refs + autolinks + bare


def test_no_merge_left_half_done_in_the_documents():
    """A merge's conflict markers left at a line's start in the README or docs/ (one stood
    in the README's deck helpers for three commits): both sides shown to every reader."""
    marker = re.compile(r"^(<{7} |={7}$|>{7} )", re.M)
    documents = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
    assert len(documents) > 3
    for path in documents:
        text = path.read_text(encoding="utf-8")
        found = [text.count("\n", 0, m.start()) + 1 for m in marker.finditer(text)]
        assert not found, f"{path.relative_to(REPO)}: conflict markers at lines {found}"


def test_readme_links_stay_inside_the_repository():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    links = _links(readme)
    assert links, "the README links to its companion documents"
    for link in links:
        assert not re.match(r"[a-z][a-z0-9+.-]*:", link), f"link outside the repository: {link}"
        target = link.split("#", 1)[0]
        if not target:
            continue
        path = (REPO / target).resolve()
        assert path.is_relative_to(REPO), f"link leaves the repository: {link}"
        assert path.exists(), f"README links to a missing file: {link}"


def test_user_documents_cite_no_section_of_the_contract():
    """The README and docs/publishing.md are read by a practice that has no SPEC.md: they
    point to docs/file-formats.md, never to 'SPEC §N' (as --help does, below)."""
    for name in ("README.md", "docs/publishing.md", "docs/file-formats.md"):
        text = (REPO / name).read_text(encoding="utf-8")
        assert not re.search(r"\bSPEC\b", text.replace("LIAISON_SPEC", "")), \
            f"{name} cites the contract's SPEC, which the user does not have"


def _commands(group, prefix=()):
    import click

    for name in group.list_commands(None):
        cmd = group.get_command(None, name)
        yield (*prefix, name)
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))


def test_help_cites_only_documents_the_user_has():
    from liaison.cli import main

    seen = 0
    for path in [(), *_commands(main)]:
        result = CliRunner().invoke(main, [*path, "--help"], terminal_width=200)
        assert result.exit_code == 0, (path, result.output)
        text = result.output
        assert "SPEC" not in text and "shared/" not in text, f"{' '.join(path)} --help: {text}"
        for doc in re.findall(r"\b(?:docs/[\w./-]+|[\w-]+\.md)\b", text):
            assert (REPO / doc).is_file() or (REPO / "docs" / doc).is_file(), \
                f"{' '.join(path)} --help cites {doc}, which the repository does not hold"
        seen += 1
    assert seen >= 8


def test_help_says_the_exit_codes():
    """CI decides on the exit code: `liaison --help` says what each means, as the README's
    "Command line" does (0 with warnings unless --strict, 1 data errors, 2 usage, 130 Ctrl+C)."""
    from liaison.cli import main

    text = " ".join(CliRunner().invoke(main, ["--help"], terminal_width=200).output.split())
    for said in ("Exit codes: 0 success (warnings allowed without --strict)",
                 "1 the data has errors", "2 a usage error", "130 stopped by Ctrl+C"):
        assert said in text, text


def test_build_help_says_which_output_folders_it_refuses():
    """"Replaced atomically" was all `build --help` said of --out: a person choosing a folder
    read it as "anything there is deleted". It says what is refused, as the README does."""
    from liaison.cli import main

    text = " ".join(CliRunner().invoke(main, ["build", "--help"], terminal_width=200).output.split())
    assert "a non-empty folder it did not make is refused" in text, text


def test_serve_help_says_the_date_moves_on():
    """`serve` without --as-of moves on to the new date when the day changes (README); its
    --help said only "default: … today", as a build's does."""
    from liaison.cli import main

    text = " ".join(CliRunner().invoke(main, ["serve", "--help"], terminal_width=200).output.split())
    assert "moving on to the new date when the day changes" in text, text


@pytest.mark.parametrize("disabled", [None, ""])
def test_another_package_s_pydantic_plugin_takes_no_part_in_a_command(tmp_path, disabled):
    """A pydantic plugin installed by another package (an entry point of group "pydantic")
    is not loaded by a command, which checks records by Liaison's rules alone and is spared
    pydantic's scan of every installed distribution; a value the caller gave
    PYDANTIC_DISABLE_PLUGINS is kept (an empty one: plugins load)."""
    import os
    import subprocess
    import sys

    marker = tmp_path / "loaded"
    plugins = tmp_path / "plugins"
    (plugins / "spy_plugin-1.0.dist-info").mkdir(parents=True)
    (plugins / "spy_plugin-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: spy-plugin\nVersion: 1.0\n")
    (plugins / "spy_plugin-1.0.dist-info" / "entry_points.txt").write_text(
        "[pydantic]\nspy = spy_plugin:plugin\n")
    (plugins / "spy_plugin.py").write_text(
        f"open({str(marker)!r}, 'w').close()\n"
        "class _Plugin:\n"
        "    def new_schema_validator(self, *args, **kwargs):\n"
        "        return None, None, None\n"
        "plugin = _Plugin()\n")
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    env["PYTHONPATH"] = os.pathsep.join([str(plugins), env.get("PYTHONPATH", "")])
    if disabled is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = disabled
    done = subprocess.run([sys.executable, str(REPO / "build.py"), "validate", "--root",
                           str(REPO), "--as-of", "2026-11-26"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert marker.exists() == (disabled == "")


# The oldest release of a dependency that Liaison works with, and what the one before it
# lacks (found by building the sample and the tests with each lower bound installed)
OLDEST_THAT_WORKS = {
    # 2.6 does not read PYDANTIC_DISABLE_PLUGINS (another package's plugin took part in
    # every command); 2.7 and 2.8 gave a date's bounds as JSON Schema "minimum"/"maximum"
    # dates (`liaison schema` a TypeError); 2.9 wrote other schemas than the committed ones
    # (an enum beside a const in deck, no propertyNames for the tiers' names)
    "pydantic": ((2, 10), "`liaison schema` writes the committed schemas from 2.10 on"),
}


def test_no_lower_bound_below_the_oldest_release_that_works():
    """`pip install .` into a Python that has a dependency at the lower bound pyproject
    declares keeps that release: the bound is one Liaison works with."""
    declared = {}
    for requirement in PROJECT["dependencies"]:
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)(,<\d+)?", requirement)
        assert m, f"{requirement}: a lower bound (and at most a major version's upper one)"
        declared[m[1].lower()] = tuple(int(x) for x in m[2].split("."))
    for name, (oldest, why) in OLDEST_THAT_WORKS.items():
        assert declared[name] >= oldest, f"{name}>={'.'.join(map(str, oldest))}: {why}"


def _readme_section(title: str) -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index(f"\n## {title}\n")
    end = readme.find("\n## ", start + 1)
    return readme[start:end if end != -1 else None]


def test_the_module_map_names_every_module():
    """"How it is built" maps the package module by module: a module added since (the `.pptx`
    chart, `new interaction`'s questions, the scaffold's YAML writer) was missing from it, so
    a contributor looking for where the native chart is written found no row for it."""
    section = _readme_section("How it is built")
    table = section[:section.index("**Adding a page**")]
    package = REPO / "liaison"
    missing = []
    for path in sorted(package.glob("*.py")):
        if path.stem not in ("__init__", "__main__") and not re.search(
                rf"`(?:liaison/)?{path.stem}\.py`|\b{path.stem}\.py\b", table):
            missing.append(path.name)
    for sub in ("pptx", "scaffold"):  # their rows name each module
        for path in sorted((package / sub).glob("*.py")):
            if path.stem != "__init__" and f"`{path.stem}`" not in table:
                missing.append(f"{sub}/{path.name}")
    assert not missing, f"the README's module map does not name {missing}"


def test_the_readme_says_where_compiled_templates_and_pptx_parts_are_kept():
    """The built-in templates compiled and the `.pptx` parts every deck shares are kept beside
    the package (as Python keeps its compiled modules), the cache folder holding them only where
    the package's folder cannot be written; "How it is built" still put them in the cache
    folder alone (`pptx-base-*.pickle`, `templates-*.d/`), as the Quick start does not."""
    from liaison import render
    from liaison.pptx import package

    section = _readme_section("How it is built")
    start = section.index("`pptx-base-*.pickle`")
    paragraph = section[section.rfind("The parts of a `.pptx`", 0, start):
                        section.index("**Cold and hot interaction files.**")]
    for kept in (package.BESIDE, render.BUILTIN_COMPILED):
        where = kept.relative_to(REPO).as_posix()
        assert f"`{where}/`" in paragraph, (where, paragraph)


def test_the_readme_last_lines_are_those_of_the_worked_example(tmp_path):
    """The README quotes the last lines of `validate` and `build` on the first edition's worked
    example (6 physicians, 44 referral rows, 3 warnings at 2026-11-26); the build's said 37 pages
    and 51 files, the counts of a Liaison before the search and logging pages (39 and 61)."""
    from conftest import cli

    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    said = re.search(r"`ok: (\d+) physicians, …, (\d+) referral rows; (\d+) warnings` and "
                     r"`built (\d+) pages, (\d+) files \((\d+) warnings\) into OUT", readme)
    assert said, "the README quotes the last lines of validate and build"
    example = REPO / "tests" / "fixtures" / "spec-example"
    code, _out, err = cli("validate", "--root", str(example), "--as-of", "2026-11-26")
    assert code == 0, err
    assert (f"ok: {said[1]} physicians, " in err and f", {said[2]} referral rows; "
            f"{said[3]} warnings" in err), err
    code, _out, err = cli("build", "--root", str(example), "--as-of", "2026-11-26",
                          "--out", str(tmp_path / "site"))
    assert code == 0, err
    assert f"built {said[4]} pages, {said[5]} files ({said[6]} warnings) into " in err, err


def test_the_readme_up_to_date_line_is_the_one_printed(tmp_path):
    """A build with nothing to do prints its warnings again and a line the README quotes; with
    warnings that line counts them beside the pages and files (", 3 warnings"), which the
    README's quote did not show."""
    from conftest import cli

    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    quoted = re.search(r"`(up to date: nothing changed since the site in OUT was built [^`]*)`",
                       readme)[1]
    example = REPO / "tests" / "fixtures" / "spec-example"
    out = tmp_path / "site"
    for _ in range(2):
        code, _out, err = cli("build", "--root", str(example), "--as-of", "2026-11-26",
                              "--out", str(out))
        assert code == 0, err
    printed = err.splitlines()[-1].replace(str(out), "OUT")
    shape = re.escape(quoted)
    for number in (r"N", r"M", r"W"):
        shape = shape.replace(number, r"\d+")
    shape = re.sub(r"0\\\.02", r"\\d+\\.\\d\\d", shape)
    shape = shape.replace(r"\[", "(?:").replace(r"\]", ")?")
    assert re.fullmatch(shape, printed), (quoted, printed)


def test_which_python_quotes_the_latest_bench_of_where_it_stands():
    """"Which Python runs Liaison" compares Debian's Python with pyenv's "in the latest, above":
    its figures must be those of the bench "Where it stands" shows. Two benches were added
    above it and the sentence still gave the one before them (0.85 × against 0.89 ×, where the
    table read 0.79 × and 0.87 ×)."""
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    row = re.search(r"\| cold build ≤ 0\.5 × Hugo's time \|[^|]*\|([^|]*)\|", readme)[1]
    pyenv, debian = re.search(r"\*\*([\d.]+) ×\*\* and \*\*([\d.]+) ×\*\* \(medians\)", row).groups()
    said = re.search(r"in the latest, above, ([\d.]+) × against ([\d.]+) ×", readme)
    assert said and said.groups() == (debian, pyenv), (said and said.groups(), debian, pyenv)
    row = re.search(r"\| `validate` ≤ 4 s cold \|[^|]*\|([^|]*)\|", readme)[1]
    pyenv, debian = re.search(r"pyenv's ([\d.–]+) s, Debian's ([\d.–]+) s", row).groups()
    said = re.search(r"([\d.–]+) s against ([\d.–]+) s in the latest\)", readme)
    assert said and said.groups() == (debian, pyenv), (said and said.groups(), debian, pyenv)
