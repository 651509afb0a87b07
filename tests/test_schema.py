"""JSON Schemas of the record kinds (SPEC §5 `schema`): the files editors validate YAML with.

Every YAML file of the sample site and of the spec example validates against its schema, read
the way an editor's YAML language server reads it (YAML 1.2: no dates, `02134` is a number) and
the YAML 1.1 way; invalid documents fail, and the loader's models agree on each of them; the
committed schemas/ are exactly what `schemas()` generates; .vscode/settings.json maps every YAML
kind to an existing schema, with globs that catch the sample files.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from liaison import yamlio
from liaison.content import split_front_matter
from liaison.load import REFERRAL_COLUMNS, check_referral
from liaison.schema import (
    DIALECT, ID_BASE, KINDS, dumps, schemas, vscode_yaml_schemas, write_schemas,
)

REPO = Path(__file__).resolve().parents[1]
SPEC_EXAMPLE = Path(__file__).resolve().parent / "fixtures" / "spec-example-v2"
KIND = {k.file: k for k in KINDS}


# ------------------------------------------------------------------------ reading YAML


class Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2 core schema, as yaml-language-server reads a file by default: booleans are only
    true/false, `02134` is the integer 2134, and there are no dates (they stay text)."""


Yaml12Loader.yaml_implicit_resolvers = {}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"))
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
               r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+.0123456789"))
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


def _int12(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text)


def _float12(loader, node):
    text = loader.construct_scalar(node).lower()
    if text.endswith(".inf"):
        return float(text.replace(".inf", "inf"))
    return float("nan") if text == ".nan" else float(text)


Yaml12Loader.add_constructor("tag:yaml.org,2002:bool",
                             lambda loader, node: loader.construct_scalar(node).lower() == "true")
Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _int12)
Yaml12Loader.add_constructor("tag:yaml.org,2002:float", _float12)


class Yaml11Loader(yaml.SafeLoader):
    """PyYAML's safe loader (YAML 1.1: `yes` is a boolean, `02134` octal), with a timestamp kept
    as the text written: a JSON validator sees a date as YYYY-MM-DD text."""


Yaml11Loader.add_constructor("tag:yaml.org,2002:timestamp",
                             lambda loader, node: loader.construct_scalar(node))


def load_yaml12(text: str):
    return yaml.load(text, Loader=Yaml12Loader)


def load_yaml11(text: str):
    return yaml.load(text, Loader=Yaml11Loader)


READERS = {"yaml1.2": load_yaml12, "yaml1.1": load_yaml11}


def validator(file: str) -> Draft202012Validator:
    return Draft202012Validator(schemas()[file], format_checker=Draft202012Validator.FORMAT_CHECKER)


def problems(file: str, data) -> list[str]:
    """Every error, the nested ones of oneOf/anyOf included, as 'path: message'."""
    out = []

    def walk(errors):
        for err in errors:
            out.append(f"{'/'.join(map(str, err.absolute_path))}: {err.message}")
            walk(err.context or ())

    walk(validator(file).iter_errors(data))
    return out


# ----------------------------------------------------------------------- the site files


def _glob_regex(glob: str) -> re.Pattern:
    """A glob as editors match it: `**/` is any number of folders, `*` stays in one name;
    the pattern may match at any folder depth (yaml-language-server prepends `**/`)."""
    out = ""
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out += r"(?:[^/]+/)*"
            i += 3
        elif glob[i] == "*":
            out += r"[^/]*"
            i += 1
        else:
            out += re.escape(glob[i])
            i += 1
    return re.compile(r"^(?:.*/)?" + out + "$")


def kinds_of(rel: str) -> list[str]:
    """The schema files whose globs match a site file (relative path)."""
    return [k.file for k in KINDS if any(_glob_regex(g).match(rel) for g in k.globs)]


def site_files(root: Path) -> list[tuple[str, str]]:
    """(relative path, schema file) of every YAML record file and Markdown content file."""
    out = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if not path.is_file() or path.name == "README.md":
            continue
        if not (rel in ("site.yaml", "site.yml") or rel.startswith(("data/", "content/"))):
            continue
        if rel.startswith("data/market/"):  # written by `import cms-utilization`, not by hand
            continue
        if not path.name.endswith((".yaml", ".yml", ".md")):
            continue
        kinds = kinds_of(rel)
        assert len(kinds) == 1, f"{rel} matches the globs of {kinds or 'no schema'}"
        out.append((rel, kinds[0]))
    return out


def read_document(path: Path, reader) -> object:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        text = split_front_matter(text).yaml_text
    return reader(text)


ROOTS = {"sample-site": REPO, "spec-example-v2": SPEC_EXAMPLE}


def _cases():
    for name, root in ROOTS.items():
        if not root.is_dir():
            yield pytest.param(name, None, None, marks=pytest.mark.skip(reason=f"no {root}"))
            continue
        for rel, file in site_files(root):
            yield pytest.param(name, rel, file, id=f"{name}:{rel}")


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize(("root", "rel", "file"), list(_cases()))
def test_site_files_validate(root, rel, file, reader):
    data = read_document(ROOTS[root] / rel, READERS[reader])
    assert problems(file, data) == []


@pytest.mark.parametrize("root", sorted(ROOTS))
def test_every_kind_has_sample_files(root):
    if not ROOTS[root].is_dir():
        pytest.skip(f"no {ROOTS[root]}")
    found = {file for _rel, file in site_files(ROOTS[root])}
    assert found == set(KIND)


# --------------------------------------------------------------------- chosen documents


def model_accepts(file: str, text: str) -> bool:
    """Whether the loader's own reading and models accept a document (no cross-file checks)."""
    data, _node, trouble = yamlio.exact_load(text)
    if trouble:
        return False
    kind = KIND[file]
    if kind.shape == "list":  # referrals: checked by load.check_referral
        if not isinstance(data, list) or not data:
            return False
        for item in data:
            if not isinstance(item, dict) or set(item) - set(REFERRAL_COLUMNS):
                return False
            _row, found = check_referral(item.get, lambda name, missing=False: name)
            if found:
                return False
        return True
    records = data if kind.shape == "record-or-list" and isinstance(data, list) else [data]
    if not records or not all(isinstance(r, dict) and r for r in records):
        return False
    try:
        for r in records:
            kind.model.model_validate(r)
    except ValidationError:
        return False
    return True


VISIT = """\
date: 2026-08-05
liaison: lena-brooks
type: visit
practice: french-broad-podiatry
summary: Dropped off the new referral pads.
"""

VALID = [
    ("site.schema.json", "practice: {name: Blue Ridge Vein}\nservices:\n  - {key: veins, name: Vein care}\n"),
    ("site.schema.json", "practice:\n  name: Blue Ridge Vein\n  phone: 8285550100\nservices:\n"
                         "  - key: veins\n    name: Vein care\n    description: '*Varicose* veins'\n"
                         "tiers:\n  A: {visit_every_days: 30}\n  B: {visit_every_days: 90}\n"
                         "thresholds: {lapsed_after_days: 120}\n"),
    # Unquoted numbers in text fields are text to the loader, numbers to an editor.
    ("practice.schema.json", "name: Mountain View\nzip: 02134\nphone: 5035550100\nfax:\n"
                             "staff:\n  - {name: Tess Ramsey, phone: 5035550101}\ntags: [2024, podiatry]\n"),
    ("physician.schema.json", "name: Alan Cho\nnpi: 1329076149\nspecialty: Podiatry\n"
                              "practice: french-broad-podiatry\noffice_days: [mon, thu]\n"),
    ("physician.schema.json", "name: Alan Cho\nnpi: '1329076149'\nspecialty: Podiatry\n"
                              "practice: french-broad-podiatry\ntier: A\nliaison:\n"),
    ("team-member.schema.json", "name: Lena Brooks\nrole: liaison\ntrainings:\n"
                                "  - {guide: phone-skills, completed: 2026-01-15, score: 100}\n"),
    ("interaction.schema.json", VISIT),
    ("interaction.schema.json", VISIT.replace("practice: french-broad-podiatry", "physicians: [alan-cho]")
     + "follow_ups:\n  - {task: Send pads, due: 2026-08-12, done: 2026-08-10, owner: owen-price}\n"
     + "next_visit: 2026-09-01\noutcome: positive\n"),
    # `# cost:` of `liaison new interaction` uncommented and left empty: no cost, as `outcome:`
    ("interaction.schema.json", VISIT + "cost:\n"),
    ("interaction.schema.json", VISIT + "cost: 85.50\n"),
    ("interaction.schema.json", "- " + VISIT.replace("\n", "\n  ").rstrip() + "\n- "
     + VISIT.replace("\n", "\n  ").rstrip().replace("type: visit", "type: call") + "\n"),
    ("referrals.schema.json", "- {date: 2026-08-03, source: physician, physician: alan-cho, service: veins}\n"
                              "- {date: 2026-08-04, source: web, service: veins, status: scheduled, count: 3}\n"
                              "- {date: 2026-08-05, source: unknown, physician: , service: veins, status: }\n"
                              "- {date: 2026-08-06, source: web, service: veins, status: declined, "
                              "declined_reason: insurance}\n"
                              "- {date: 2026-08-07, source: web, service: veins, declined_reason: }\n"),
    ("training-guide.schema.json", "title: Phone skills\naudience: front-desk\norder: 3\n"),
    ("deck.schema.json", "title: Vein care\ntargets: all\n"),
    # a one-line field written as a block keeps its final line break, which the loader strips
    ("interaction.schema.json", VISIT.replace("summary: Dropped off the new referral pads.",
                                              "summary: >\n  Dropped off the new\n  referral pads.")
     + "notes: |\n  Two lines\n  of *Markdown*.\n"),
    ("deck.schema.json", "title: Vein care\ntargets: [french-broad-podiatry]\n"),
    ("deck.schema.json", "title: Vein care\ntargets:\n"),
]

INVALID = [
    # (schema, document, a word the error names, whether the models reject it by themselves)
    ("physician.schema.json", "name: Alan Cho\nspeciality: Podiatry\npractice: french-broad-podiatry\n",
     "speciality", True),
    ("interaction.schema.json", VISIT.replace("type: visit", "type: vist"), "vist", True),
    ("interaction.schema.json", VISIT.replace("2026-08-05", "2026-8-5"), "2026-8-5", True),
    ("interaction.schema.json", VISIT.replace("2026-08-05", "2026-02-30"), "2026-02-30", True),
    # SPEC §2: dates from 1900 to 2099 (a typo of the year, 1026 or 2206, is out of range)
    ("interaction.schema.json", VISIT.replace("2026-08-05", "1899-12-31"), "1899-12-31", True),
    ("interaction.schema.json", VISIT + "next_visit: 2206-09-01\n", "2206-09-01", True),
    ("team-member.schema.json", "name: Lena Brooks\nrole: liaison\ntrainings:\n"
                                "  - {guide: phone-skills, completed: 1026-01-15}\n", "1026-01-15", True),
    ("practice.schema.json", "city: Asheville\nzip: 02134\n", "name", True),
    ("practice.schema.json", "name: '   '\n", "name", True),
    # SPEC §2: a text that is not Markdown is one line; no control characters anywhere
    ("interaction.schema.json", VISIT.replace("summary: Dropped off the new referral pads.",
                                              "summary: |\n  Dropped off the pads.\n  Met Dr. Cho."),
     "summary", True),
    ("practice.schema.json", "name: Mountain View\ncity: \"Alder\\x01Falls\"\n", "city", True),
    ("practice.schema.json", "name: Mountain View\nnotes: \"Lunch \\u202eat noon\"\n", "notes", True),
    ("team-member.schema.json", "name: \"Lena\\nBrooks\"\nrole: liaison\n", "name", True),
    ("practice.schema.json", "name: Mountain View\nliaison: Lena Brooks\n", "Lena Brooks", True),
    ("practice.schema.json", "name: Mountain View\nstaff:\n  - {name: Tess, patient_name: X}\n",
     "patient_name", True),
    ("physician.schema.json", "name: Alan Cho\nnpi: 132907614\nspecialty: Podiatry\n"
                              "practice: french-broad-podiatry\n", "132907614", True),
    ("physician.schema.json", "name: Alan Cho\nspecialty: Podiatry\npractice: french-broad-podiatry\n"
                              "office_days: [monday]\n", "monday", True),
    ("team-member.schema.json", "name: Lena Brooks\nrole: liason\n", "liason", True),
    ("team-member.schema.json", "name: Lena Brooks\nrole: liaison\ntrainings:\n"
                                "  - {guide: phone-skills, completed: 2026-01-15, score: 101}\n", "101", True),
    ("interaction.schema.json", VISIT + "follow_ups:\n  - {task: Call, due: 2026-08-12, owner_id: x}\n",
     "owner_id", True),
    ("interaction.schema.json", "[]\n", "[]", True),
    ("interaction.schema.json", "- " + VISIT.replace("\n", "\n  ").rstrip().replace("visit", "vist") + "\n",
     "vist", True),
    # A rule of `validate` (checks.py), not of the model.
    ("interaction.schema.json", VISIT.replace("practice: french-broad-podiatry\n", ""), "practice", False),
    ("referrals.schema.json", "- {date: 2026-08-03, source: web, physician: alan-cho, service: veins}\n",
     "physician", True),
    ("referrals.schema.json", "- {date: 2026-08-03, source: physician, service: veins}\n", "physician", True),
    # a declined reason only on a declined referral (the status left out is 'referred')
    ("referrals.schema.json", "- {date: 2026-08-03, source: web, service: veins, status: treated, "
                              "declined_reason: insurance}\n", "declined_reason", True),
    ("referrals.schema.json", "- {date: 2026-08-03, source: web, service: veins, "
                              "declined_reason: insurance}\n", "declined_reason", True),
    ("referrals.schema.json", "date: 2026-08-03\nsource: web\nservice: veins\n", "array", True),
    ("referrals.schema.json", "- {date: 2026-08-03, source: web, service: veins, count: 0}\n", "0", True),
    ("site.schema.json", "practice: {name: Blue Ridge Vein}\nservices: []\n", "services", True),
    ("site.schema.json", "practice: {name: Blue Ridge Vein}\nservices:\n  - {key: veins, name: Veins}\n"
                         "tiers:\n  A: {visit_every_days: 0}\n", "0", True),
    # `compliance:` uncommented without its `annual_limit`: not the section left out
    ("site.schema.json", "practice: {name: Blue Ridge Vein}\nservices:\n  - {key: veins, name: Veins}\n"
                         "compliance:\n", "compliance", True),
    ("training-guide.schema.json", "title: Phone skills\n", "audience", True),
    ("deck.schema.json", "title: Vein care\ntargets: some\n", "some", True),
]


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize(("file", "text"), VALID,
                         ids=[f"{f.split('.')[0]}-{i}" for i, (f, _t) in enumerate(VALID)])
def test_valid_documents(file, text, reader):
    assert problems(file, READERS[reader](text)) == []
    assert model_accepts(file, text), "the loader's models refuse a document the schema accepts"


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize(("file", "text", "word", "model_rejects"), INVALID,
                         ids=[f"{c[0].split('.')[0]}-{c[2]}" for c in INVALID])
def test_invalid_documents(file, text, word, model_rejects, reader):
    found = problems(file, READERS[reader](text))
    assert found, "the schema accepts an invalid document"
    assert any(word in p for p in found), found
    if model_rejects:
        assert not model_accepts(file, text), "the schema refuses what the models accept"


# ---------------------------------------------------------------------- the schemas


def _nodes(node, path=""):
    """Every subschema, with its JSON pointer."""
    if not isinstance(node, dict):
        return
    yield path, node
    for key in ("properties", "$defs"):
        for name, sub in (node.get(key) or {}).items():
            yield from _nodes(sub, f"{path}/{key}/{name}")
    for key in ("anyOf", "oneOf", "allOf"):
        for i, sub in enumerate(node.get(key) or ()):
            yield from _nodes(sub, f"{path}/{key}/{i}")
    for key in ("items", "additionalProperties", "propertyNames", "not", "if", "then", "else"):
        yield from _nodes(node.get(key), f"{path}/{key}")


def test_schema_files_and_kinds():
    assert set(schemas()) == {
        "site.schema.json", "practice.schema.json", "physician.schema.json",
        "team-member.schema.json", "interaction.schema.json", "referrals.schema.json",
        "training-guide.schema.json", "deck.schema.json",
    }


@pytest.mark.parametrize("file", sorted(KIND))
def test_schema_is_valid_2020_12(file):
    schema = schemas()[file]
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DIALECT
    assert schema["$id"] == ID_BASE + file
    assert schema["title"] and schema["description"]


@pytest.mark.parametrize("file", sorted(KIND))
def test_records_are_closed_and_described(file):
    for path, node in _nodes(schemas()[file]):
        if node.get("type") == "object":
            if "properties" in node:
                assert node["additionalProperties"] is False, path
                for name, prop in node["properties"].items():
                    assert prop.get("description"), f"{path}/properties/{name} has no description"
            else:  # a map (site.yaml tiers)
                assert isinstance(node["additionalProperties"], dict), path


@pytest.mark.parametrize("file", sorted(KIND))
def test_model_fields_are_all_there(file):
    kind = KIND[file]
    schema = schemas()[file]
    record = schema if kind.shape == "record" else schema["$defs"][kind.model.__name__]
    assert set(record["properties"]) == set(kind.model.model_fields)
    required = {n for n, f in kind.model.model_fields.items() if f.is_required()}
    assert set(record.get("required", ())) == required


def test_dates_ids_and_integers():
    physician = schemas()["physician.schema.json"]["properties"]
    assert physician["npi"]["type"] == ["string", "integer", "null"]
    assert physician["practice"]["pattern"] == "^[a-z0-9]+(-[a-z0-9]+)*$"
    interaction = schemas()["interaction.schema.json"]["$defs"]["Interaction"]["properties"]
    assert interaction["date"]["type"] == "string"
    assert interaction["date"]["format"] == "date"
    date = re.compile(interaction["date"]["pattern"])
    from liaison.models import DATE_MAX, DATE_MIN
    for day in (DATE_MIN, DATE_MAX, DATE_MIN.replace(year=DATE_MIN.year + 50)):
        assert date.match(day.isoformat()), day
    for text in ("1899-12-31", "2100-01-01", "2026-8-5", "２０２６-08-05"):
        assert not date.match(text), text
    referral = schemas()["referrals.schema.json"]["$defs"]["Referral"]["properties"]
    assert "integer" in referral["count"]["type"] and referral["count"]["minimum"] == 1


def test_text_patterns_allow_the_characters_the_models_allow():
    """The one-line and Markdown patterns of the schemas refuse exactly the characters that
    `validate` refuses inside a text (models.text_problem), and not the spaces and line break
    around it, which the loader strips."""
    from liaison.models import text_problem
    from liaison.schema import LINE, MARKDOWN, NOT_BLANK_LINE

    for code in [*range(0x00, 0x2100), *range(0x2600, 0x2800), 0xFEFF, 0x3000]:
        text = f"a{chr(code)}b"
        assert bool(re.search(LINE, text)) == (text_problem(text) is None), hex(code)
        assert bool(re.search(NOT_BLANK_LINE, text)) == (text_problem(text) is None), hex(code)
        assert bool(re.search(MARKDOWN, text)) == (text_problem(text, markdown=True) is None), \
            hex(code)
    for text in ("one line\n", "  padded  ", "\tlead", ""):
        assert re.search(LINE, text), repr(text)
    assert not re.search(NOT_BLANK_LINE, "  \n") and not re.search(NOT_BLANK_LINE, "")


def test_committed_schemas_match_the_models():
    """schemas/ is generated: regenerate with `python build.py schema` after changing a model."""
    expected = {name: dumps(schema) for name, schema in schemas().items()}
    committed = {p.name: p.read_text(encoding="utf-8") for p in (REPO / "schemas").glob("*.json")}
    assert sorted(committed) == sorted(expected)
    for name, text in expected.items():
        assert committed[name] == text, f"schemas/{name} is stale: run `python build.py schema`"


def test_write_schemas_is_deterministic(tmp_path):
    first = write_schemas(tmp_path / "a")
    second = write_schemas(tmp_path / "b")
    assert [p.name for p in first] == sorted(KIND)
    for a, b in zip(first, second):
        raw = a.read_bytes()
        assert raw == b.read_bytes()
        assert raw.endswith(b"}\n") and b"\r" not in raw
        assert raw.decode("utf-8") == json.dumps(json.loads(raw), indent=2, sort_keys=True,
                                                  ensure_ascii=False) + "\n"
    again = write_schemas(tmp_path / "a")  # rewriting an up-to-date folder changes nothing
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in second]


def test_schema_command(tmp_path):
    """`liaison schema --out DIR`; `python -m liaison.schema` runs the same command."""
    from click.testing import CliRunner

    from liaison.cli import main

    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "liaison", "schema", "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(KIND)
    assert proc.stdout.splitlines() == [str(out / name) for name in sorted(KIND)]
    again = CliRunner().invoke(main, ["schema", "--out", str(tmp_path / "again")])
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in (tmp_path / "again").iterdir()) == sorted(KIND)
    module = subprocess.run([sys.executable, "-m", "liaison.schema", "--out", str(tmp_path / "m")],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert module.returncode == 0, module.stderr
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == sorted(KIND)
    bad = subprocess.run([sys.executable, "-m", "liaison.schema", "--bogus"],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "python -m liaison.schema" in bad.stderr


def test_schema_typed_below_the_site_root_is_refused(tmp_path):
    """`liaison schema` typed in the site's data/ wrote data/schemas/ (silently: `validate`
    reads no .json there), while the editor settings read the root's schemas/, left stale:
    without --out, a folder with no site.yaml below a site root is refused, naming the root."""
    root = tmp_path / "site"
    below = root / "data" / "physicians"
    below.mkdir(parents=True)
    (root / "site.yaml").write_text("practice: {name: Blue Ridge Vein}\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "liaison", "schema"], cwd=below,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert not (below / "schemas").exists()
    assert f"the site root is '{root}'" in proc.stderr, proc.stderr
    assert f"--out {root / 'schemas'}" in proc.stderr, proc.stderr
    # in the site root, and with --out anywhere, it writes as before
    at_root = subprocess.run([sys.executable, "-m", "liaison", "schema"], cwd=root,
                             capture_output=True, text=True, timeout=120)
    assert at_root.returncode == 0, at_root.stderr
    assert sorted(p.name for p in (root / "schemas").iterdir()) == sorted(KIND)
    chosen = subprocess.run([sys.executable, "-m", "liaison", "schema", "--out", "here"],
                            cwd=below, capture_output=True, text=True, timeout=120)
    assert chosen.returncode == 0, chosen.stderr
    assert sorted(p.name for p in (below / "here").iterdir()) == sorted(KIND)


# ------------------------------------------------------------------- editor settings


def test_vscode_settings_map_every_yaml_kind():
    settings = json.loads((REPO / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    for schema_path, globs in mapping.items():
        assert schema_path.startswith("./schemas/"), schema_path
        assert (REPO / schema_path).is_file(), f"{schema_path} does not exist"
        assert globs and all(isinstance(g, str) for g in globs)
    named = {Path(p).name for p in mapping}
    assert named == {k.file for k in KINDS if k.yaml}, "every YAML record kind has its schema"
    assert mapping == vscode_yaml_schemas()


def test_readme_modeline_names_a_schema():
    """The README's yaml-language-server comment for other editors: its path, relative to the
    file's folder (as yaml-language-server resolves a modeline), is a schema of that kind."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.findall(r"`# yaml-language-server: \$schema=([^`]+)` in `([^`]+)`", readme)
    assert found, "the README shows no modeline"
    for target, folder in found:
        path = (REPO / folder / target).resolve()
        assert path.is_file(), path
        assert kinds_of(f"{folder.rstrip('/')}/example.yaml") == [path.name]


@pytest.mark.parametrize("root", sorted(ROOTS))
def test_vscode_globs_catch_the_sample_files(root):
    if not ROOTS[root].is_dir():
        pytest.skip(f"no {ROOTS[root]}")
    mapping = json.loads((REPO / ".vscode" / "settings.json").read_text(encoding="utf-8"))["yaml.schemas"]
    for rel, file in site_files(ROOTS[root]):
        if rel.endswith(".md"):
            continue
        matched = [Path(s).name for s, globs in mapping.items()
                   if any(_glob_regex(g).match(rel) for g in globs)]
        assert matched == [file], rel
