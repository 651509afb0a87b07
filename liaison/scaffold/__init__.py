"""`new KIND …`: scaffold a record file from arguments.

Each file is written pre-filled with the values given and every other field of its model as a
YAML comment carrying the field's description (the same descriptions as the JSON Schema and
the field reference), so that whoever fills it in sees what each field means. The options of
each kind are read off its model (``fields``): a field added to a model is an option of `new`
and a line of the files it writes, with no change here.

Nothing is ever overwritten: a physician, practice, team member, training guide or deck whose
file exists is refused (exit 1); an interaction or a referral gets the next free name
(``DD-<practice>-2.yaml``, ``-3``, …). Ids and values are checked before anything is written
(BadValue, exit 2), references to other records must exist (exit 1, with a "did you mean"
hint; ``existing``), and the text written is read back through the loader's own parsers and
models (``readback``), so the new file validates and every value comes back as written.

``new referral`` writes one referral row as a new YAML list file: it never appends to an
existing file, so a spreadsheet's CSV export or a hand-kept list is never rewritten.

The modules: ``yamltext`` (the text of a file), ``fields`` (the options, from the models),
``existing`` (lookups of the site's records), ``readback`` (reading back, writing),
``record_files`` and ``content_files`` (what each kind adds). The command line is in
``liaison.cli``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Mapping

from liaison.scaffold import content_files, record_files
from liaison.scaffold.existing import Existing
from liaison.scaffold.fields import BadValue, Kind, Option, check_id, collect, options
from liaison.scaffold.yamltext import render, render_list_item, scalar

__all__ = ["BadValue", "KINDS", "Kind", "Option", "new_file", "options", "render",
           "render_list_item", "scalar"]

KINDS: dict[str, Kind] = {kind.name: kind
                          for kind in (*record_files.KINDS, *content_files.KINDS)}


def new_file(kind: Kind, root: Path, given: Mapping, warn: Callable[[str], None]) -> str:
    """Write a new file of ``kind`` into the site root ``root`` from the values ``given``
    (field -> value as the command line read it; ``id``: the file name); the path written,
    relative to the root. ``warn`` says a warning. BadValue for a wrong value (exit 2),
    LiaisonError when the file cannot be written as asked (exit 1)."""
    site = Existing(root)
    rid = check_id(given["id"], "ID") if kind.takes_id else None
    values = collect(kind, given)
    if given.get("follow_ups"):  # records, from `new interaction`'s questions (no option)
        values["follow_ups"] = list(given["follow_ups"])
    return kind.write(site, rid, values, warn)
