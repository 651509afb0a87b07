"""`new physician|practice|member|interaction|referral`: the YAML record files.

Each writer gets the site root's records (``Existing``), the id given (the file name, or None),
the values collected from the options (``fields.collect``) and ``warn``, a function that says
a warning; it writes the file and returns its path relative to the site root. What each kind
adds to the common steps (refuse a taken id, check references, render, read back, write) is a
rule of its own: a taken NPI, an interaction's or referral's file name, the referral's
source/physician rule.
"""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from liaison.models import Interaction, Physician, Practice, Referral, TeamMember, id_problem
from liaison.scaffold.existing import Existing
from liaison.scaffold.fields import BadValue, Kind
from liaison.scaffold.readback import (
    verify_record, verify_referral, write_free_name, write_new,
)
from liaison.scaffold.yamltext import file_header, render, render_list_item


def _one_record_file(site: Existing, kind: str, model: type[BaseModel], rid: str,
                     values: dict, title: str, command: str, warn=None) -> tuple[str, str]:
    """``data/<kind>/<rid>.yaml`` checked and read back: (its path, its text), not written."""
    site.refuse_taken(kind, rid)
    site.check_references(model, values)
    rel = f"data/{kind}/{rid}.yaml"
    text = render(model, values, file_header(title, command))
    verify_record(site.root, rel, text, model, values, warn)
    return rel, text


def _warn_spreadsheet_values(values: dict, warn, credentials: bool = True) -> None:
    """The warnings `validate` gives a value as a spreadsheet wrote it (a ZIP code or phone
    number written as a number, a name last name first): said at once, not refused, so that
    a loop over a sheet says them at the row, not only later in `validate`."""
    from liaison.checks import phone_spreadsheet_problem, zip_spreadsheet_problem
    from liaison.names import name_order_problem

    for field, rule in (("zip", zip_spreadsheet_problem), ("phone", phone_spreadsheet_problem),
                        ("fax", phone_spreadsheet_problem),
                        ("name", lambda v: name_order_problem(v, credentials))):
        value = values.get(field)
        if isinstance(value, str) and (problem := rule(value.strip())):
            warn(f"warning: --{field}: {problem}")


def physician(site: Existing, rid: str, values: dict, warn) -> str:
    rel, text = _one_record_file(
        site, "physicians", Physician, rid, values,
        f"Physician '{rid}': a referring physician, existing or potential (the id is the file "
        "name).", "physician", warn)
    if "npi" in values:
        site.refuse_taken_npi(values["npi"])
    write_new(site.root, rel, text)
    _warn_spreadsheet_values(values, warn)
    return rel


def practice(site: Existing, rid: str, values: dict, warn) -> str:
    rel, text = _one_record_file(
        site, "practices", Practice, rid, values,
        f"Practice '{rid}': a referring practice (office) (the id is the file name).", "practice",
        warn)
    write_new(site.root, rel, text)
    _warn_spreadsheet_values({k: v for k, v in values.items() if k != "name"}, warn)
    return rel


def member(site: Existing, rid: str, values: dict, warn) -> str:
    rel, text = _one_record_file(
        site, "team", TeamMember, rid, values,
        f"Team member '{rid}': a liaison or staff member of our practice (the id is the file "
        "name).", "member", warn)
    write_new(site.root, rel, text)
    _warn_spreadsheet_values(values, warn, credentials=False)
    return rel


def _today() -> dt.date:
    """The date a record is "after today" from (SOURCE_DATE_EPOCH's, else today)."""
    from liaison.pipeline import resolve_as_of

    try:
        return resolve_as_of(None)
    except ValueError:
        return dt.date.today()


def _warn_if_future(day: dt.date, warn) -> None:
    if day > _today():
        warn(f"warning: --date: dated {day.isoformat()}, after today: left out of the "
             "statistics until then")


def interaction(site: Existing, _rid, values: dict, warn) -> str:
    """``data/interactions/YYYY/MM/DD-<practice>.yaml``, the next free name; without a
    practice, named after the first physician's."""
    practice_id, physicians = values.get("practice"), values.get("physicians", [])
    day = values["date"]
    if practice_id is None and not physicians:
        raise BadValue("give --practice or at least one --physician (or both)")
    site.check_references(Interaction, values)
    at = {}
    for pid in physicians:
        data = site.data(site.ids("physicians")[pid])
        at[pid] = data.get("practice") if isinstance(data, dict) else None
    name = practice_id
    if name is None:
        first = physicians[0]
        name = at.get(first)
        name = name.strip() if isinstance(name, str) and not id_problem(name.strip()) else first
    folder = f"data/interactions/{day:%Y}/{day:%m}"
    header = file_header(f"Interaction of {day.isoformat()}: a visit-log entry (a file under "
                         "data/interactions/ holds one record or a list).", "interaction")
    text = render(Interaction, values, header)
    verify_record(site.root, f"{folder}/{day:%d}-{name}.yaml", text, Interaction, values,
                  warn)
    for pid in physicians:  # warnings of `validate` too: said, but no reason to refuse
        if practice_id is not None and isinstance(at[pid], str) and at[pid].strip() != practice_id:
            warn(f"warning: --physician: physician '{pid}' is at practice "
                 f"'{at[pid].strip()}', not '{practice_id}'")
    _warn_if_future(day, warn)
    return write_free_name(site.root, folder, f"{day:%d}-{name}", text)


def referral(site: Existing, _rid, values: dict, warn) -> str:
    """One row as a new list file ``data/referrals/YYYY/MM/DD-<physician or source>.yaml``
    (the next free name): existing referral files are never changed."""
    source, physician_id, day = values["source"], values.get("physician"), values["date"]
    if source == "physician" and physician_id is None:
        raise BadValue("--source physician needs --physician (which physician referred?)")
    if source != "physician" and physician_id is not None:
        raise BadValue(f"--physician is only allowed with --source physician "
                       f"(the source is {source})")
    site.check_references(Referral, values)
    header = file_header(f"Referral of {day.isoformat()} (a file under data/referrals/ holds "
                         "a list of referrals). No patient information, ever.", "referral")
    text = render_list_item(Referral, values, header)
    stem = f"{day:%d}-{physician_id or source}"
    folder = f"data/referrals/{day:%Y}/{day:%m}"
    verify_referral(site.root, f"{folder}/{stem}.yaml", text, values, warn)
    _warn_if_future(day, warn)
    return write_free_name(site.root, folder, stem, text)


KINDS = (
    Kind("physician", Physician, "A referring physician: data/physicians/ID.yaml.", physician),
    Kind("practice", Practice, "A referring practice (office): data/practices/ID.yaml.",
         practice),
    Kind("member", TeamMember,
         "A liaison or staff member of our practice: data/team/ID.yaml.", member),
    Kind("interaction", Interaction,
         "A visit-log entry: data/interactions/YYYY/MM/DD-<practice>.yaml (never overwritten:\n"
         "the next free name DD-<practice>-2.yaml, -3, … is taken).\n\n"
         "Without --practice, the file is named after the first physician's practice.",
         interaction, takes_id=False,
         short_help="A visit-log entry: data/interactions/YYYY/MM/DD-<practice>.yaml.",
         overrides={"practice": {"help": "The practice (id). Give this or --physician, "
                                         "or both."}}),
    Kind("referral", Referral,
         "A referral record (no patient information, ever): a new file\n"
         "data/referrals/YYYY/MM/DD-<physician or source>.yaml holding a list of one row, never\n"
         "overwritten (the next free name DD-…-2.yaml, -3, … is taken). Existing referral "
         "files,\nYAML or CSV, are never changed: move the row into one of them if you keep "
         "referrals\nby month.",
         referral, takes_id=False,
         short_help="A referral: data/referrals/YYYY/MM/DD-<physician or source>.yaml.",
         overrides={
             "physician": {"help": "The referring physician (id): required when --source is "
                                   "physician, and only then."},
             "service": {"metavar": "KEY"},
             "count": {"note": " Default: 1 (a rolled-up row counts more)."},
         }),
)
