"""No input produces a traceback: mutated files, hostile YAML, spreadsheet CSV.

Property-based: valid files of the worked example and the sample site are mutated at random
(lines deleted, swapped, duplicated, junk bytes inserted, truncated) and `validate` must end
with exit 0 or 1 and only well-formed diagnostics.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, SPEC_EXAMPLE, run_validate
from liaison import yamlio
from liaison.load import discover
from liaison.models import FILE_KINDS, Interaction

DIAG = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?:error|warning): \S.*$")
EXAMPLE_FILES = sorted(
    p.relative_to(SPEC_EXAMPLE).as_posix()
    for p in SPEC_EXAMPLE.rglob("*")
    if p.is_file() and p.suffix in (".yaml", ".yml", ".csv", ".md") and p.name != "README.md"
)


def _assert_well_formed(root: Path, code: int, stderr: list[str]) -> None:
    assert code in (0, 1), stderr
    if any(line.startswith("Summary: ") for line in stderr):  # many diagnostics: a summary ends them
        cut = next(i for i, line in enumerate(stderr) if line.startswith("Summary: "))
        assert cut > 20, "the summary comes after the diagnostics, when there are more than 20"
        stderr = stderr[:cut]
    for line in stderr:
        if line.startswith(("ok:", "Error:")):
            continue
        m = DIAG.match(line)
        assert m, f"malformed diagnostic: {line!r}"
        target = root / m["path"]
        if target.is_file():
            n_lines = target.read_bytes().count(b"\n") + 1
            assert 1 <= int(m["line"]) <= n_lines, line


def _mutate(data: bytes, op: str, a: int, b: int, junk: bytes) -> bytes:
    lines = data.split(b"\n")
    n = len(lines)
    i, j = a % n, b % n
    if op == "delete":
        del lines[i]
    elif op == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "duplicate":
        lines.insert(j, lines[i])
    elif op == "junk":
        pos = a % (len(data) + 1)
        return data[:pos] + junk + data[pos:]
    elif op == "truncate":
        return data[: a % (len(data) + 1)]
    elif op == "indent":
        lines[i] = b"  " + lines[i]
    elif op == "replace-value":
        if b":" in lines[i]:
            key = lines[i].split(b":", 1)[0]
            lines[i] = key + b": " + junk
    return b"\n".join(lines)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rel=st.sampled_from(EXAMPLE_FILES),
    op=st.sampled_from(["delete", "swap", "duplicate", "junk", "truncate", "indent", "replace-value"]),
    a=st.integers(0, 10_000),
    b=st.integers(0, 10_000),
    junk=st.binary(min_size=1, max_size=12) | st.sampled_from(
        [b"[", b"{", b"&a", b"*a", b"\xff\xfe", b"\x00", b"- ", b": ", b"\t", b"'", b'"', b"!!",
         b"---", b"{{ nope }}", b"{% if %}", b"2026-02-30", b"MRN 123"]),
)
def test_mutated_files_never_crash(example_site, rel, op, a, b, junk):
    path = example_site / rel
    original = path.read_bytes()
    try:
        path.write_bytes(_mutate(original, op, a, b, junk))
        code, _out, err = run_validate(example_site, "--as-of", "2026-11-26")
        _assert_well_formed(example_site, code, err)
    finally:
        path.write_bytes(original)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("bomb.yaml",
         "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
             f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi")),
         "too many YAML aliases"),
        ("deep-flow.yaml", "[" * 100_000 + "]" * 100_000, "nested more than"),
        ("deep-block.yaml", "".join(" " * i + "-\n" for i in range(200)), "nested more than"),
        ("nul-byte.yaml", "date: 2026-01-01\x00\n", "control character"),
        ("junk.yaml", bytes(range(256)) * 4, "not UTF-8"),
        ("multi.yaml", "date: 2026-01-01\n---\ndate: 2026-01-02\n", "YAML syntax error"),
    ],
)
def test_hostile_yaml_fails_fast_with_one_error(example_site, name, content, message):
    path = example_site / "data" / "interactions" / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    start = time.perf_counter()
    code, _out, err = run_validate(example_site, "--as-of", "2026-11-26")
    elapsed = time.perf_counter() - start
    assert code == 1
    hits = [line for line in err if line.startswith(f"data/interactions/{name}:")]
    assert len(hits) == 1 and message in hits[0], err
    _assert_well_formed(example_site, code, err)
    assert elapsed < 20, "hostile input must fail fast"


def test_a_nul_byte_between_records_is_an_error_not_the_end_of_the_file(example_site):
    """The fast parser took a NUL byte for the end of the text: the records after it were
    dropped without a word and validate passed."""
    path = example_site / "data" / "interactions" / "two.yaml"
    path.write_bytes(
        b"- {date: 2026-01-05, liaison: lena-brooks, type: call, practice: french-broad-podiatry,"
        b" summary: First}\n\x00"
        b"- {date: 2026-01-06, liaison: lena-brooks, type: call, practice: french-broad-podiatry,"
        b" summary: Second}\n")
    code, _out, err = run_validate(example_site, "--as-of", "2026-11-26")
    assert code == 1, err
    assert ("data/interactions/two.yaml:2:1: error: the file holds a control character "
            "(#x0000) that YAML does not allow (pasted text can hold such invisible "
            "characters): delete it") in err


def test_a_file_of_many_unknown_fields_is_placed_in_linear_time(example_site):
    """Each problem's place was searched key by key through its mapping: 30,000 unknown
    fields (a 400 KB file) took some 45 s to place, 100,000 some 8 minutes. Ten times the
    fields must cost about ten times the processor time, not a hundred: the test compares
    3,000 fields with 30,000 in one process (linear gave 14-16 x on a slow host), so that
    neither a slow nor a loaded machine fails it, as a limit in seconds did."""
    path = example_site / "data" / "practices" / "wide.yaml"

    def cpu(fields: int) -> tuple[float, list[str]]:
        path.write_text("name: Wide Clinic\n" + "".join(f"k{i}: v\n" for i in range(fields)))
        start = time.process_time()
        code, _out, err = run_validate(example_site, "--as-of", "2026-11-26")
        assert code == (1 if fields else 0), err[:3]
        return time.process_time() - start, err

    cpu(0)  # the rest of the site read once, as every run after it reads it
    base, _ = cpu(0)
    small, _ = cpu(3_000)
    large, err = cpu(30_000)
    assert "data/practices/wide.yaml:2:1: error: k0: unknown field" in err
    assert "data/practices/wide.yaml:30001:1: error: k29999: unknown field" in err
    ratio = (large - base) / max(small - base, 1e-3)
    assert ratio < 40, f"30,000 problems cost {ratio:.0f} x what 3,000 did ({large:.1f} s, {small:.2f} s)"


def test_yaml_over_5_mb_is_refused_unread(example_site):
    path = example_site / "data" / "interactions" / "huge.yaml"
    path.write_bytes(b"# padding\n" * 600_000)  # 6 MB of comments: valid YAML, too large
    code, _out, err = run_validate(example_site, "--as-of", "2026-11-26")
    assert code == 1
    assert "data/interactions/huge.yaml:1:1: error: the file is larger than 5 MB" in err[0] or any(
        line.startswith("data/interactions/huge.yaml:1:1: error: the file is larger than 5 MB")
        for line in err)


def test_large_csv_is_streamed(example_site):
    rows = "".join(f"2026-0{1 + i % 9}-1{i % 10},web,,sclerotherapy,referred\n" for i in range(60_000))
    (example_site / "data" / "referrals" / "big.csv").write_text(
        "date,source,physician,service,status\n" + rows)
    code, _out, err = run_validate(example_site, "--as-of", "2026-11-26")
    assert code == 0, err


# ------------------------------------------------------------------ fast and exact agree


def _yaml_files(root: Path) -> list[str]:
    files = discover(root)
    out = list(files.interactions)
    for rels in files.by_kind.values():
        out += rels
    return out


@pytest.mark.parametrize("root", [SPEC_EXAMPLE, REPO], ids=["spec-example-v2", "sample-site"])
def test_fast_and_exact_paths_give_the_same_records(root):
    """Where the fast parser's data validates, the exact reading gives the same records."""
    checked = 0
    for rel in _yaml_files(root):
        text = yamlio.decode((root / rel).read_bytes())
        exact, _node, problems = yamlio.exact_load(text)
        assert not problems
        try:
            fast = yamlio.fast_load(text)
        except yamlio.NeedExact:
            continue
        kind = rel.split("/")[1]
        model = FILE_KINDS.get(kind, Interaction)
        f_items = fast if isinstance(fast, list) else [fast]
        e_items = exact if isinstance(exact, list) else [exact]
        for f, e in zip(f_items, e_items, strict=True):
            try:
                f_rec = model.model_validate(f)
            except Exception:
                continue  # the loader reads this file exactly: nothing to compare
            assert f_rec == model.model_validate(e), rel
            checked += 1
    assert checked > 10


def test_text_is_kept_as_written(example_site):
    (example_site / "data" / "practices" / "zip-test.yaml").write_text(
        "name: Zip Test Clinic\nzip: 02134\nphone: 5035550100\nstate: NO\ntags: [yes, 2024, 1.50]\n")
    from liaison.load import load_site

    site, problems, _ = load_site(example_site)
    assert not [p for p in problems if p.path.endswith("zip-test.yaml")]
    p = site.practices["zip-test"]
    assert (p.zip, p.phone, p.state, p.tags) == ("02134", "5035550100", "NO", ["yes", "2024", "1.50"])


def test_spreadsheet_csv_with_bom_and_crlf(example_site):
    (example_site / "data" / "referrals" / "export.csv").write_bytes(
        b"\xef\xbb\xbfdate,source,physician,service,status,count\r\n"
        b"2026-11-02,physician,grace-holloway,vein-ablation,treated,2\r\n"
        b"2026-11-03,web,,sclerotherapy,,\r\n")
    from liaison.load import load_site

    site, problems, _ = load_site(example_site)
    rows = [r for r in site.referrals if r.path.endswith("export.csv")]
    assert not [p for p in problems if p.path.endswith("export.csv")]
    assert [(r.date.isoformat(), r.physician, r.status, r.count, r.line) for r in rows] == [
        ("2026-11-02", "grace-holloway", "treated", 2, 2), ("2026-11-03", None, "referred", 1, 3)]


def test_sample_site_is_valid_and_strict_clean():
    code, _out, err = run_validate(REPO, "--as-of", "2026-11-26", "--strict")
    assert code == 0, err


def test_field_reference_in_docs_is_current():
    from liaison.reference import DEFAULT_TARGET, END, START, field_reference

    assert DEFAULT_TARGET.as_posix() == "docs/file-formats.md"
    text = (REPO / DEFAULT_TARGET).read_text(encoding="utf-8")
    generated = text[text.index(START): text.index(END) + len(END)]
    assert generated == field_reference(), \
        "run: python -m liaison.reference --write docs/file-formats.md"


def test_field_reference_gives_defaults_and_least_values():
    # the reference said `thresholds.lapsed_after_days | integer |  |` and nothing of its
    # default (90) or that it is at least 1; `repository.branch` nothing of `main`
    from liaison.reference import field_reference

    rows = {line.split(" | ")[0].strip("| `"): line for line in field_reference().splitlines()
            if line.startswith("| `")}
    assert rows["thresholds.lapsed_after_days"].startswith(
        "| `thresholds.lapsed_after_days` | integer ≥ 1 |  | ")
    assert rows["thresholds.lapsed_after_days"].endswith(" Default: 90. |")
    assert rows["repository.branch"].endswith(" Default: main. |")
    assert rows["tiers.<key>.visit_every_days"].startswith(
        "| `tiers.<key>.visit_every_days` | integer ≥ 1 | yes | ")
    assert rows["count"].startswith("| `count` | integer ≥ 1 |  | ")
    assert rows["renew_every_days"].startswith("| `renew_every_days` | integer ≥ 1 |  | ")
    assert "Default: None" not in field_reference()


def test_a_value_written_as_yaml_null_is_no_value_on_the_exact_path_too(example_site):
    # `zip: 02134` sends the file down the exact path (the fast parser reads a number); there
    # `~`, `null` and nothing at all are YAML's null, no value, as the fast parser reads them:
    # `liaison: ~` is "no liaison", not a team member called '~'
    (example_site / "data" / "practices" / "null-test.yaml").write_text(
        "name: Null Test Clinic\nzip: 02134\nliaison: ~\nwebsite: null\nfax:\ncity: '~'\n")
    from liaison.load import load_site

    site, problems, _ = load_site(example_site)
    assert not [p for p in problems if p.path.endswith("null-test.yaml")], problems
    p = site.practices["null-test"]
    assert (p.zip, p.liaison, p.website, p.fax, p.city) == ("02134", None, None, None, "~")
