"""`new KIND …`: scaffold a record file from arguments (SPEC §1, §2, §5).

Each file is written pre-filled with the values given and every other field of its model as a
YAML comment carrying the field's description (the same descriptions as the JSON Schema and
the README's field reference), so that whoever fills it in sees what each field means.

Nothing is ever overwritten: a physician, practice, team member, training guide or deck whose
file exists is refused (exit 1); an interaction or a referral gets the next free name
(``DD-<practice>-2.yaml``, ``-3``, …). Ids and values are checked before anything is written
(exit 2), references to other records must exist (exit 1, with a "did you mean" hint), and the
text written is read back through the loader's own parsers and models, so the new file
validates and every value comes back as written.

``new referral`` writes one referral row (``--count`` for rolled-up rows) as a new YAML list
file ``data/referrals/YYYY/MM/DD-<physician or source>.yaml``: it never appends to an existing
file, so a spreadsheet's CSV export or a hand-kept list is never rewritten. ``new guide`` and
``new deck`` write Markdown with front matter (each front-matter field commented like a record
file) and a skeleton body to fill in.

The command group ``new`` is attached to the main CLI with ``main.add_command(new)``.
"""
from __future__ import annotations

import datetime as dt
import difflib
import typing
from pathlib import Path

import click
import yaml
from pydantic import BaseModel

from liaison import yamlio
from liaison.diagnostics import format_loc
from liaison.errors import LiaisonError
from liaison.models import (
    AUDIENCES, DAYS, INTERACTION_TYPES, OUTCOMES, ROLES, SOURCES, STATUSES, DeckMeta, GuideMeta,
    Interaction, Physician, Practice, Referral, TeamMember, id_problem, parse_date,
)

YAML_EXT = (".yaml", ".yml")
_INF = float("inf")
COMMENT_COLUMN = 34  # descriptions line up here unless the value is longer

ROOT_OPTION = click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), default=".",
    show_default=True, help="The site root (holds site.yaml, data/, content/).",
)

# Which option sets each field (for messages about a value): field -> option.
OPTION_OF = {
    "physicians": "--physician", "tags": "--tag", "interests": "--interest",
    "office_days": "--office-day", "met_with": "--met-with", "needs": "--need",
}

HOW_TO_FILL = (
    'To fill in a field, remove the "# " in front of it and write the value after the colon;',
    "fields left as comments stay empty (delete them if you like). Quote text that starts with",
    "a special character or holds \": \" or \" #\", e.g. name: \"Dr. O'Neil: Vein\".",
    "Dates are written YYYY-MM-DD. Check the file with `liaison validate`.",
)


# ------------------------------------------------------------------------------ writing YAML


def _reads_back(line: str, value) -> bool:
    """Whether ``line`` (``k: …``) reads back as ``{"k": value}`` with both of the loader's
    parsers (PyYAML, and the YAML 1.2 fast parser, which types 1e3 or 0o17 as numbers)."""
    try:
        if yaml.safe_load(line) != {"k": value}:
            return False
        # the loader's fast parser too, when it is in use
        return yamlio.yaml_rs is None or yamlio.yaml_rs.loads(line) == {"k": value}
    except Exception:
        return False


def _double_quoted(text: str) -> str:
    return yaml.safe_dump(text, default_style='"', allow_unicode=True, width=_INF).strip()


def scalar(value, in_list: bool = False) -> str:
    """One value as YAML that reads back as exactly that value: plain when that is safe,
    else double-quoted (on one line). Dates are written plain (YYYY-MM-DD)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if type(value) is int:  # a count, an order, a number of days
        return str(value)
    text = str(value)
    if in_list:
        plain = yaml.safe_dump([text], default_flow_style=True, allow_unicode=True,
                               width=_INF).strip()[1:-1]
        probe = f"k: [{plain}]"
        expected = [text]
    else:
        plain = yaml.safe_dump({"k": text}, allow_unicode=True, width=_INF).strip()[3:]
        probe = f"k: {plain}"
        expected = text
    if "\n" not in plain and plain[:1] not in ("'", '"') and _reads_back(probe, expected):
        return plain
    return _double_quoted(text)


def _block(text: str) -> list[str] | None:
    """A multi-line text as the lines of a literal block (``|-``), or None when a literal
    block cannot hold it exactly (then it is written double-quoted)."""
    lines = text.split("\n")
    if text != text.strip() or lines[0][:1] in (" ", "\t"):
        return None
    if any(not ch.isprintable() and ch != "\t" for ch in text.replace("\n", "")):
        return None
    if any(line.rstrip(" \t") != line for line in lines):
        return None  # trailing blanks are invisible in a file: keep them quoted instead
    return [("  " + line) if line else "" for line in lines]


def _shape(annotation) -> tuple[str, type[BaseModel] | None]:
    """('nested', Model) for a list of records, ('list', None) for a list of values,
    ('date', None) for a date, ('scalar', None) otherwise."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin is list:
        item = args[0] if args else None
        if isinstance(item, type) and issubclass(item, BaseModel):
            return "nested", item
        return "list", None
    if annotation is dt.date or dt.date in args:
        return "date", None
    for arg in args:
        if typing.get_origin(arg) is list:
            return _shape(arg)
    return "scalar", None


def _describe(info, shape: str) -> str:
    desc = (info.description or "").strip()
    if shape == "date" and "YYYY-MM-DD" not in desc:
        desc = desc[:-1] + " (YYYY-MM-DD)." if desc.endswith(".") else f"{desc} (YYYY-MM-DD)"
    return desc


def render(model: type[BaseModel], values: dict, header: list[str]) -> str:
    """The text of a record file: the header as comments, then every field of ``model`` in
    order, with its value from ``values`` or commented out, each with its description."""
    rows: list[tuple[str, str]] = []  # (left part, description); description "" = none
    for name, info in model.model_fields.items():
        shape, nested = _shape(info.annotation)
        desc = _describe(info, shape)
        if name in values:
            value = values[name]
            if shape == "list" and isinstance(value, (list, tuple)):
                items = ", ".join(scalar(v, in_list=True) for v in value)
                rows.append((f"{name}: [{items}]", desc))
            elif isinstance(value, str) and "\n" in value and (block := _block(value)):
                rows.append((f"# {desc}", ""))
                rows.append((f"{name}: |-", ""))
                rows.extend((line, "") for line in block)
            else:
                rows.append((f"{name}: {scalar(value)}", desc))
        elif shape == "nested":
            rows.append((f"# {name}:", desc))
            first = True
            for sub, sub_info in nested.model_fields.items():
                sub_shape, _ = _shape(sub_info.annotation)
                lead = "#   - " if first else "#     "
                need = "" if sub_info.is_required() else " Optional."
                rows.append((f"{lead}{sub}:", _describe(sub_info, sub_shape) + need))
                first = False
        elif shape == "list":
            rows.append((f"# {name}: []", desc))
        else:
            rows.append((f"# {name}:", desc))
    width = max([len(left) for left, d in rows if d and len(left) < COMMENT_COLUMN] or [0]) + 2
    out = [f"# {h}".rstrip() for h in header]
    out.append("")
    for left, desc in rows:
        if not desc:
            out.append(left)
        else:
            pad = width - len(left) if len(left) < width else 2
            out.append(f"{left}{' ' * pad}# {desc}")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------ checks


def _site_root(root: Path) -> Path:
    if not root.is_dir():
        raise click.BadParameter(f"'{root}' is not a folder", param_hint="'--root'")
    if not any((root / name).is_file() for name in ("site.yaml", "site.yml")):
        raise click.BadParameter(
            f"'{root}' is not a site root: it has no site.yaml (start a new site with "
            "`liaison init`)", param_hint="'--root'")
    return root


def _check_id(value: str, hint: str) -> str:
    value = value.strip()
    problem = id_problem(value)
    if problem:
        raise click.BadParameter(problem, param_hint=hint)
    return value


def _ids(root: Path, folder: str, exts=YAML_EXT) -> dict[str, Path]:
    """The record ids with a file in ``folder``, and their files."""
    base = root / folder
    if not base.is_dir():
        return {}
    found = {}
    for p in sorted(base.iterdir()):
        if p.is_file() and p.name.lower().endswith(exts) and not p.name.startswith("."):
            found.setdefault(p.name[: -len(p.suffix)], p)
    return found


def _hint(value: str, options) -> str:
    options = sorted(options)
    close = [o for o in options if o.lower() == value.lower()][:1]
    close = close or difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    if not close:
        close = [o for o in options if o.startswith(value) or value.startswith(o)][:1]
    return f" (did you mean '{close[0]}'?)" if close else ""


def _require(root: Path, folder: str, value: str, what: str, option: str,
             exts=YAML_EXT) -> Path:
    """The file of the record ``value`` refers to, or LiaisonError with a hint."""
    known = _ids(root, folder, exts)
    if value in known:
        return known[value]
    raise LiaisonError(
        f"{option}: no {what} '{value}' (no {folder}/{value}{exts[0]}){_hint(value, known)}")


def _read(path: Path):
    """A YAML file's canonical data (text stays text), or None when it cannot be read."""
    try:
        data, _node, problems = yamlio.exact_load(yamlio.decode(path.read_bytes()))
    except (OSError, yamlio.YamlSyntaxError):
        return None
    return None if problems else data


def _config(root: Path):
    """site.yaml's SiteConfig, or None when it cannot be read (validate says why)."""
    from liaison.load import Loader
    from liaison.models import SiteConfig

    for name in ("site.yaml", "site.yml"):
        if (root / name).is_file():
            loader = Loader(root)
            return loader.records(name, loader.parse(name),
                                  lambda data: loader.validate(SiteConfig, data or {}, name))
    return None


def _tiers(root: Path) -> list[str] | None:
    """The tier keys of site.yaml, or None when it cannot be read (validate says why)."""
    config = _config(root)
    return None if config is None else list(config.tiers)


def _existing_target(root: Path, folder: str, rid: str, exts=YAML_EXT) -> None:
    for ext in exts:
        path = root / folder / f"{rid}{ext}"
        if path.exists():
            raise LiaisonError(
                f"{path.relative_to(root).as_posix()} already exists: not overwritten "
                f"(edit that file, or choose another id)")


def _option(field: str) -> str:
    return OPTION_OF.get(field, "--" + field.replace("_", "-"))


def verify(root: Path, rel: str, text: str, model: type[BaseModel], values: dict):
    """Read ``text`` back the way `validate` reads the file (fast parser, exact parser, model,
    patient-information guard). A value problem -> BadParameter/UsageError (exit 2); text that
    does not read back as the values given -> LiaisonError."""
    from liaison.load import Loader

    loader = Loader(root)
    record = loader.records(rel, loader.parse(rel, raw=text.encode("utf-8")),
                            lambda data: loader.validate(model, data, rel))
    problems = []
    for p in loader.problems:
        loc = p.loc or ()
        msg = p.message
        if len(loc) == 1 and msg.startswith(f"{format_loc(loc)}: "):
            msg = msg[len(format_loc(loc)) + 2:]
        problems.append((_option(str(loc[0])) if loc else None, msg))
    if len(problems) == 1 and problems[0][0]:
        raise click.BadParameter(problems[0][1], param_hint=f"'{problems[0][0]}'")
    if problems:
        raise click.UsageError("\n".join(f"{opt or 'value'}: {msg}" for opt, msg in problems))
    try:
        expected = model.model_validate(values)
    except Exception:  # pragma: no cover - the file validated, so the values do
        expected = None
    if record is None or record != expected:  # pragma: no cover - a bug of the writer
        raise LiaisonError(f"{rel}: the values do not read back as given; nothing written")
    return record


def _write(root: Path, rel: str, text: str) -> None:
    """Create ``rel`` (never replacing a file: exclusive creation), or LiaisonError."""
    path = root / rel
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8", newline="\n") as fh:
            try:
                fh.write(text)
            except OSError:
                fh.close()
                path.unlink(missing_ok=True)
                raise
    except FileExistsError:
        raise LiaisonError(f"{rel} already exists: not overwritten") from None
    except OSError as exc:
        raise LiaisonError(f"cannot write {rel}: {exc.strerror or exc}") from None


def _put(values: dict, field: str, value) -> None:
    """Set an optional value; empty text and empty lists count as not given."""
    if value is None:
        return
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return
    if isinstance(value, (list, tuple)):
        value = [v.strip() for v in value if v.strip()]
        if not value:
            return
        value = list(dict.fromkeys(value))  # a value given twice is listed once
    values[field] = value


def _date(value: str | None, hint: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_date(value.strip())
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=hint) from None


def _help(model: type[BaseModel], field: str, extra: str = "") -> str:
    return (model.model_fields[field].description or "") + extra


def _header(title: str, command: str) -> list[str]:
    return [title, f"Written by `liaison new {command}`.", "", *HOW_TO_FILL]


def _finish(root: Path, rel: str, model, values: dict, header: list[str]) -> None:
    text = render(model, values, header)
    verify(root, rel, text, model, values)
    _write(root, rel, text)
    click.echo(rel)


# ------------------------------------------------------------------------------ commands


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def new() -> None:
    """Scaffold a record file from arguments (it never overwrites a file).

    The file holds the values given and every other field as a comment with its
    description. Prints the path written, relative to the site root.
    """


@new.command()
@click.argument("id")
@click.option("--name", required=True, help=_help(Physician, "name"))
@click.option("--specialty", required=True, help=_help(Physician, "specialty"))
@click.option("--practice", required=True, metavar="ID", help=_help(Physician, "practice"))
@click.option("--credentials", help=_help(Physician, "credentials"))
@click.option("--npi", help=_help(Physician, "npi"))
@click.option("--tier", help=_help(Physician, "tier"))
@click.option("--liaison", metavar="ID", help=_help(Physician, "liaison"))
@click.option("--email", help=_help(Physician, "email"))
@click.option("--phone", help=_help(Physician, "phone"))
@click.option("--office-day", "office_days", multiple=True, type=click.Choice(DAYS),
              help=_help(Physician, "office_days", " Repeatable."))
@click.option("--interest", "interests", multiple=True,
              help=_help(Physician, "interests", " Repeatable."))
@click.option("--tag", "tags", multiple=True, help=_help(Physician, "tags", " Repeatable."))
@click.option("--notes", help=_help(Physician, "notes"))
@ROOT_OPTION
def physician(id, name, specialty, practice, credentials, npi, tier, liaison, email, phone,
              office_days, interests, tags, notes, root) -> None:
    """A referring physician: data/physicians/ID.yaml."""
    root = _site_root(root)
    rid = _check_id(id, "'ID'")
    practice = _check_id(practice, "'--practice'")
    liaison = _check_id(liaison, "'--liaison'") if liaison is not None else None
    _existing_target(root, "data/physicians", rid)
    _require(root, "data/practices", practice, "practice", "--practice")
    if liaison is not None:
        _require(root, "data/team", liaison, "team member", "--liaison")
    values: dict = {"name": name.strip(), "specialty": specialty.strip(), "practice": practice}
    for field, value in (("credentials", credentials), ("npi", npi), ("tier", tier),
                         ("liaison", liaison), ("email", email), ("phone", phone),
                         ("office_days", office_days), ("interests", interests),
                         ("tags", tags), ("notes", notes)):
        _put(values, field, value)
    if "tier" in values:
        tiers = _tiers(root)
        if tiers is not None and values["tier"] not in tiers:
            raise LiaisonError(f"--tier: '{values['tier']}' is not a tier of site.yaml "
                               f"({', '.join(tiers)}){_hint(values['tier'], tiers)}")
    rel = f"data/physicians/{rid}.yaml"
    text = render(Physician, values, _header(
        f"Physician '{rid}': a referring physician, existing or potential (the id is the file name).",
        "physician"))
    verify(root, rel, text, Physician, values)
    if "npi" in values:
        _unique_npi(root, values["npi"])
    _write(root, rel, text)
    click.echo(rel)


def _unique_npi(root: Path, npi: str) -> None:
    """Two physicians with the same NPI is an error (SPEC §2): refuse a taken NPI."""
    for pid, path in _ids(root, "data/physicians").items():
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        if npi.encode() not in raw:  # cheap: only files holding the digits are parsed
            continue
        data = _read(path)
        if isinstance(data, dict) and str(data.get("npi", "")).strip() == npi:
            raise LiaisonError(f"--npi: NPI {npi} is already physician '{pid}' "
                               f"({path.relative_to(root).as_posix()})")


@new.command()
@click.argument("id")
@click.option("--name", required=True, help=_help(Practice, "name"))
@click.option("--address", help=_help(Practice, "address"))
@click.option("--city", help=_help(Practice, "city"))
@click.option("--state", help=_help(Practice, "state"))
@click.option("--zip", "zip_", help=_help(Practice, "zip"))
@click.option("--phone", help=_help(Practice, "phone"))
@click.option("--fax", help=_help(Practice, "fax"))
@click.option("--website", help=_help(Practice, "website"))
@click.option("--liaison", metavar="ID", help=_help(Practice, "liaison"))
@click.option("--best-visit-times", help=_help(Practice, "best_visit_times"))
@click.option("--ehr", help=_help(Practice, "ehr"))
@click.option("--tag", "tags", multiple=True, help=_help(Practice, "tags", " Repeatable."))
@click.option("--notes", help=_help(Practice, "notes"))
@ROOT_OPTION
def practice(id, name, address, city, state, zip_, phone, fax, website, liaison,
             best_visit_times, ehr, tags, notes, root) -> None:
    """A referring practice (office): data/practices/ID.yaml."""
    root = _site_root(root)
    rid = _check_id(id, "'ID'")
    liaison = _check_id(liaison, "'--liaison'") if liaison is not None else None
    _existing_target(root, "data/practices", rid)
    if liaison is not None:
        _require(root, "data/team", liaison, "team member", "--liaison")
    values: dict = {"name": name.strip()}
    for field, value in (("address", address), ("city", city), ("state", state),
                         ("zip", zip_), ("phone", phone), ("fax", fax), ("website", website),
                         ("liaison", liaison), ("best_visit_times", best_visit_times),
                         ("ehr", ehr), ("tags", tags), ("notes", notes)):
        _put(values, field, value)
    _finish(root, f"data/practices/{rid}.yaml", Practice, values, _header(
        f"Practice '{rid}': a referring practice (office) (the id is the file name).",
        "practice"))


@new.command()
@click.argument("id")
@click.option("--name", required=True, help=_help(TeamMember, "name"))
@click.option("--role", required=True, type=click.Choice(ROLES), help=_help(TeamMember, "role"))
@click.option("--email", help=_help(TeamMember, "email"))
@ROOT_OPTION
def member(id, name, role, email, root) -> None:
    """A liaison or staff member of our practice: data/team/ID.yaml."""
    root = _site_root(root)
    rid = _check_id(id, "'ID'")
    _existing_target(root, "data/team", rid)
    values: dict = {"name": name.strip(), "role": role}
    _put(values, "email", email)
    _finish(root, f"data/team/{rid}.yaml", TeamMember, values, _header(
        f"Team member '{rid}': a liaison or staff member of our practice "
        "(the id is the file name).", "member"))


@new.command(short_help="A visit-log entry: data/interactions/YYYY/MM/DD-<practice>.yaml.")
@click.option("--practice", metavar="ID",
              help="The practice (id). Give this or --physician, or both.")
@click.option("--physician", "physicians", multiple=True, metavar="ID",
              help=_help(Interaction, "physicians", " Repeatable."))
@click.option("--liaison", required=True, metavar="ID", help=_help(Interaction, "liaison"))
@click.option("--type", "type_", required=True, type=click.Choice(INTERACTION_TYPES),
              help=_help(Interaction, "type"))
@click.option("--summary", required=True, help=_help(Interaction, "summary"))
@click.option("--date", metavar="YYYY-MM-DD",
              help="When it happened (default: SOURCE_DATE_EPOCH's date, else today).")
@click.option("--met-with", "met_with", multiple=True,
              help=_help(Interaction, "met_with", " Repeatable."))
@click.option("--need", "needs", multiple=True, help=_help(Interaction, "needs", " Repeatable."))
@click.option("--outcome", type=click.Choice(OUTCOMES), help=_help(Interaction, "outcome"))
@click.option("--deck", metavar="ID", help=_help(Interaction, "deck"))
@click.option("--next-visit", metavar="YYYY-MM-DD", help=_help(Interaction, "next_visit"))
@click.option("--notes", help=_help(Interaction, "notes"))
@ROOT_OPTION
def interaction(practice, physicians, liaison, type_, summary, date, met_with, needs, outcome,
                deck, next_visit, notes, root) -> None:
    """A visit-log entry: data/interactions/YYYY/MM/DD-<practice>.yaml (never overwritten:
    the next free name DD-<practice>-2.yaml, -3, … is taken).

    Without --practice, the file is named after the first physician's practice.
    """
    from liaison.pipeline import resolve_as_of

    root = _site_root(root)
    practice = _check_id(practice, "'--practice'") if practice is not None else None
    physicians = list(dict.fromkeys(_check_id(p, "'--physician'") for p in physicians))
    liaison = _check_id(liaison, "'--liaison'")
    deck = _check_id(deck, "'--deck'") if deck is not None else None
    if practice is None and not physicians:
        raise click.UsageError("give --practice or at least one --physician (or both)")
    if date is not None:
        day = _date(date, "'--date'")
    else:
        try:
            day = resolve_as_of(None)
        except ValueError as exc:
            raise click.UsageError(f"{exc}; give --date") from None
    next_day = _date(next_visit, "'--next-visit'")

    _require(root, "data/team", liaison, "team member", "--liaison")
    if practice is not None:
        _require(root, "data/practices", practice, "practice", "--practice")
    at = {}
    for pid in physicians:
        data = _read(_require(root, "data/physicians", pid, "physician", "--physician"))
        at[pid] = data.get("practice") if isinstance(data, dict) else None
    if deck is not None:
        _require(root, "content/presentations", deck, "presentation deck", "--deck", (".md",))

    values: dict = {"date": day, "liaison": liaison, "type": type_}
    _put(values, "practice", practice)
    _put(values, "physicians", physicians)
    _put(values, "met_with", met_with)
    values["summary"] = summary.strip()
    for field, value in (("notes", notes), ("needs", needs), ("outcome", outcome),
                         ("deck", deck), ("next_visit", next_day)):
        _put(values, field, value)

    first = physicians[0] if physicians else None
    name = practice
    if name is None:
        name = at.get(first)
        name = name.strip() if isinstance(name, str) and not id_problem(name.strip()) else first
    folder = f"data/interactions/{day:%Y}/{day:%m}"
    header = _header(f"Interaction of {day.isoformat()}: a visit-log entry (a file under "
                     "data/interactions/ holds one record or a list).", "interaction")
    text = render(Interaction, values, header)
    verify(root, f"{folder}/{day:%d}-{name}.yaml", text, Interaction, values)
    for pid in physicians:  # warnings of `validate` too: said, but no reason to refuse
        if practice is not None and isinstance(at[pid], str) and at[pid].strip() != practice:
            click.echo(f"warning: --physician: physician '{pid}' is at practice "
                       f"'{at[pid].strip()}', not '{practice}'", err=True)
    if day > _today():
        click.echo(f"warning: --date: dated {day.isoformat()}, after today: left out of the "
                   "statistics until then", err=True)
    for n in range(1, 10_000):
        stem = f"{day:%d}-{name}" + (f"-{n}" if n > 1 else "")
        if any((root / folder / f"{stem}{ext}").exists() for ext in YAML_EXT):
            continue
        rel = f"{folder}/{stem}.yaml"
        try:
            _write(root, rel, text)
        except LiaisonError:
            if (root / rel).exists():  # created meanwhile by someone else: take the next name
                continue
            raise
        click.echo(rel)
        return
    raise LiaisonError(f"{folder}: no free file name for {day:%d}-{name}")  # pragma: no cover


def _today() -> dt.date:
    from liaison.pipeline import resolve_as_of

    try:
        return resolve_as_of(None)
    except ValueError:
        return dt.date.today()


# ------------------------------------------------------------------------------ referral


def _problem_lines(problems) -> list[tuple[str | None, str]]:
    """Loader problems -> (option, message without its location) pairs. A location may start
    with the index of a record in a list (a referral file's ``[0]``)."""
    out = []
    for p in problems:
        loc = tuple(p.loc or ())
        msg = p.message
        for shown in (loc, loc[:1]):
            where = format_loc(shown)
            if where and msg.startswith((f"{where}: ", f"{where}.")):
                msg = msg[len(where) + (2 if msg[len(where)] == ":" else 1):]
                break
        field = next((str(part) for part in loc if isinstance(part, str)), None)
        if field is not None and msg.startswith(f"{field}: "):
            msg = msg[len(field) + 2:]
        out.append((_option(field) if field else None, msg))
    return out


def _raise_problems(problems) -> None:
    """A value problem -> BadParameter (one) or UsageError (several): exit 2."""
    lines = _problem_lines(problems)
    if len(lines) == 1 and lines[0][0]:
        raise click.BadParameter(lines[0][1], param_hint=f"'{lines[0][0]}'")
    if lines:
        raise click.UsageError("\n".join(f"{opt or 'value'}: {msg}" for opt, msg in lines))


def render_list_item(model: type[BaseModel], values: dict, header: list[str]) -> str:
    """A file holding a list of one record: ``render``'s text with the fields as its item."""
    head, _blank, body = render(model, values, header).partition("\n\n")
    lines = body.rstrip("\n").split("\n")
    return "\n".join([head, "", "- " + lines[0], *("  " + line for line in lines[1:])]) + "\n"


def _free_name(root: Path, folder: str, stem: str, ext: str, text: str) -> str:
    """Write ``text`` at ``folder/stem.ext``, else ``stem-2``, ``-3``, …: the path written."""
    for n in range(1, 10_000):
        name = stem + (f"-{n}" if n > 1 else "")
        if any((root / folder / f"{name}{e}").exists() for e in (ext, *YAML_EXT)):
            continue
        rel = f"{folder}/{name}{ext}"
        try:
            _write(root, rel, text)
        except LiaisonError:
            if (root / rel).exists():  # created meanwhile by someone else: take the next name
                continue
            raise
        return rel
    raise LiaisonError(f"{folder}: no free file name for {stem}")  # pragma: no cover


@new.command(short_help="A referral: data/referrals/YYYY/MM/DD-<physician or source>.yaml.")
@click.option("--date", metavar="YYYY-MM-DD",
              help="When the referral arrived (default: SOURCE_DATE_EPOCH's date, else today).")
@click.option("--source", required=True, type=click.Choice(SOURCES),
              help=_help(Referral, "source", " 'unknown': nobody asked."))
@click.option("--physician", metavar="ID",
              help="The referring physician (id): required when --source is physician, and "
                   "only then.")
@click.option("--service", required=True, metavar="KEY", help=_help(Referral, "service"))
@click.option("--status", type=click.Choice(STATUSES),
              help=_help(Referral, "status", " Default: referred."))
@click.option("--count", type=click.IntRange(min=1),
              help=_help(Referral, "count", " Default: 1 (a rolled-up row counts more)."))
@ROOT_OPTION
def referral(date, source, physician, service, status, count, root) -> None:
    """A referral record (no patient information, ever): a new file
    data/referrals/YYYY/MM/DD-<physician or source>.yaml holding a list of one row, never
    overwritten (the next free name DD-…-2.yaml, -3, … is taken). Existing referral files,
    YAML or CSV, are never changed: move the row into one of them if you keep referrals
    by month.
    """
    root = _site_root(root)
    physician = _check_id(physician, "'--physician'") if physician is not None else None
    service = _check_id(service, "'--service'")
    if source == "physician" and physician is None:
        raise click.UsageError("--source physician needs --physician (which physician referred?)")
    if source != "physician" and physician is not None:
        raise click.UsageError(f"--physician is only allowed with --source physician "
                               f"(the source is {source})")
    if date is not None:
        day = _date(date, "'--date'")
    else:
        try:
            day = _today_or_epoch()
        except ValueError as exc:
            raise click.UsageError(f"{exc}; give --date") from None

    config = _config(root)
    if config is not None:
        services = [s.key for s in config.services]
        if service not in services:
            raise LiaisonError(f"--service: no service '{service}' in site.yaml "
                               f"({', '.join(services)}){_hint(service, services)}")
    if physician is not None:
        _require(root, "data/physicians", physician, "physician", "--physician")

    values: dict = {"date": day, "source": source}
    _put(values, "physician", physician)
    values["service"] = service
    _put(values, "status", status)
    _put(values, "count", count)
    header = _header(f"Referral of {day.isoformat()} (a file under data/referrals/ holds a "
                     "list of referrals). No patient information, ever.", "referral")
    text = render_list_item(Referral, values, header)
    stem = f"{day:%d}-{physician or source}"
    folder = f"data/referrals/{day:%Y}/{day:%m}"
    _verify_referral(root, f"{folder}/{stem}.yaml", text, values)
    if day > _today():
        click.echo(f"warning: --date: dated {day.isoformat()}, after today: left out of the "
                   "statistics until then", err=True)
    click.echo(_free_name(root, folder, stem, ".yaml", text))


def _today_or_epoch() -> dt.date:
    from liaison.pipeline import resolve_as_of

    return resolve_as_of(None)


def _verify_referral(root: Path, rel: str, text: str, values: dict) -> None:
    """Read the referral file back the way `validate` reads it (the loader's own rules)."""
    from liaison.load import Loader, _referral_yaml

    loader = Loader(root)
    rows = loader.records(rel, loader.parse(rel, raw=text.encode("utf-8")),
                          lambda data: _referral_yaml(loader, rel, data))
    _raise_problems(loader.problems)
    expected = (values["date"], values["source"], values.get("physician"), values["service"],
                values.get("status", "referred"), values.get("count", 1))
    if not rows or len(rows) != 1 or tuple(rows[0][:6]) != expected:  # pragma: no cover
        raise LiaisonError(f"{rel}: the values do not read back as given; nothing written")


# ------------------------------------------------------------------------- guide and deck


def _front_matter(model, values: dict, header: list[str], body: str) -> str:
    return "---\n" + render(model, values, header) + "---\n" + body


def _verify_markdown(root: Path, rel: str, text: str, model, values: dict):
    """Read a guide or deck back the way `validate` reads it (front matter through the
    loader's parsers, models and patient-information guard; a deck's slide templates
    compiled); its Guide or Deck."""
    import tempfile

    from liaison.load import Loader, _load_markdown

    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="liaison-new-") as tmp:
        path = Path(tmp) / rel
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        loader = Loader(Path(tmp))
        _load_markdown(loader, rel, model, out)
    _raise_problems([p for p in loader.problems if p.loc])
    if loader.problems:  # pragma: no cover - a problem of the writer, not of a value
        raise LiaisonError(f"{rel}: does not read back: {loader.problems[0].message}; "
                           "nothing written")
    doc = next(iter(out.values()), None)
    if doc is None or doc.meta != model.model_validate(values):  # pragma: no cover
        raise LiaisonError(f"{rel}: the values do not read back as given; nothing written")
    if model is DeckMeta:
        from liaison.decks import compile_deck, make_env

        _compiled, errors = compile_deck(make_env(), doc)
        if errors:  # pragma: no cover - the skeleton is ours; a title is kept out of Jinja
            raise LiaisonError(f"{rel}:{errors[0].line}: {errors[0]}; nothing written")
    return doc


def _markdown_text(value: str) -> str:
    """A one-line text as literal slide text: Jinja syntax in it is not run."""
    if any(mark in value for mark in ("{{", "{%", "{#", "}}", "%}", "#}")):
        if "endraw" not in value:
            return "{% raw %}" + value + "{% endraw %}"
        return "{{ site.practice.name }}"
    return value


GUIDE_BODY = """\
# {title}

One or two sentences: what this guide teaches, and why it matters to the reader.

## Before you start

- What the reader needs to know or have at hand.

## Step by step

1. The first thing to do.
2. The next one.

| When | Do |
|---|---|
| A situation the reader meets | What to do then |

!!! note "Remember"
    The one point to keep, in an indented block under an admonition.

## Check yourself

1. A question the reader can answer after this guide.
"""

DECK_BODY = """\
# {title}

{{% if practice %}}Prepared for the team of **{{{{ practice.name }}}}**{{% else %}}For referring offices{{% endif %}}

Notes: Speaker notes: what to say on this slide (shown in the notes pane, not on the slide).

---

## Working together

{{% if practice %}}
**{{{{ practice.name }}}}** sent us {{{{ stats.referrals_365d }}}} referrals in the last twelve months. Thank you!

{{% for p in physicians %}}
- {{{{ p.name }}}}
{{% endfor %}}
{{% else %}}
- How to refer a patient to {{{{ site.practice.name }}}}
- What the referring office hears back from us, and when
{{% endif %}}

Notes: In the generic deck `practice` and `stats` are none and `physicians` is empty: keep
what names them inside {{% if practice %}} … {{% endif %}}.
"""


@new.command(short_help="A training guide: content/training/<ID>.md.")
@click.argument("id")
@click.option("--title", required=True, help=_help(GuideMeta, "title"))
@click.option("--audience", required=True, type=click.Choice(AUDIENCES),
              help=_help(GuideMeta, "audience"))
@click.option("--summary", help=_help(GuideMeta, "summary"))
@click.option("--order", type=int, help=_help(GuideMeta, "order"))
@click.option("--renew-every-days", type=click.IntRange(min=1),
              help=_help(GuideMeta, "renew_every_days"))
@ROOT_OPTION
def guide(id, title, audience, summary, order, renew_every_days, root) -> None:
    """A training guide: content/training/<ID>.md (front matter and a skeleton to fill in)."""
    root = _site_root(root)
    rid = _check_id(id, "'ID'")
    _existing_target(root, "content/training", rid, (".md",))
    values: dict = {"title": title.strip(), "audience": audience}
    for field, value in (("summary", summary), ("order", order),
                         ("renew_every_days", renew_every_days)):
        _put(values, field, value)
    rel = f"content/training/{rid}.md"
    header = [f"Training guide '{rid}' (the id is the file name). Written by "
              "`liaison new guide`.",
              "The front matter is between the two lines ---; the guide follows, in Markdown",
              "(tables and admonitions too). Team members' `trainings` name it by its id.",
              "", *HOW_TO_FILL]
    body = GUIDE_BODY.format(title=values["title"])
    text = _front_matter(GuideMeta, values, header, body)
    _verify_markdown(root, rel, text, GuideMeta, values)
    _write(root, rel, text)
    click.echo(rel)


@new.command(short_help="A presentation deck: content/presentations/<ID>.md.")
@click.argument("id")
@click.option("--title", required=True, help=_help(DeckMeta, "title"))
@click.option("--description", help=_help(DeckMeta, "description"))
@click.option("--target", "targets", multiple=True, metavar="PRACTICE",
              help="A practice (id) that gets a copy of the deck customized for it. "
                   "Repeatable; default: all practices.")
@ROOT_OPTION
def deck(id, title, description, targets, root) -> None:
    """A presentation deck: content/presentations/<ID>.md (front matter and two example
    slides: the generic deck and each target practice's customized one)."""
    root = _site_root(root)
    rid = _check_id(id, "'ID'")
    targets = list(dict.fromkeys(_check_id(t, "'--target'") for t in targets))
    _existing_target(root, "content/presentations", rid, (".md",))
    for pid in targets:
        _require(root, "data/practices", pid, "practice", "--target")
    values: dict = {"title": title.strip()}
    _put(values, "description", description)
    values["targets"] = targets or "all"
    rel = f"content/presentations/{rid}.md"
    header = [f"Presentation deck '{rid}' (the id is the file name). Written by "
              "`liaison new deck`.",
              "The front matter is between the two lines ---; then come the slides, separated",
              "by lines holding only ---. A paragraph starting \"Notes:\" and what follows it",
              "are the speaker notes. Slides are templates: {{ site.practice.name }} is our",
              "practice; in a customized deck `practice`, `physicians` and `stats` are the",
              "target practice's. Interactions name the deck shown by its id.",
              "", *HOW_TO_FILL]
    body = DECK_BODY.format(title=_markdown_text(values["title"]))
    text = _front_matter(DeckMeta, values, header, body)
    _verify_markdown(root, rel, text, DeckMeta, values)
    _write(root, rel, text)
    click.echo(rel)
