"""What `new` knows of the records a site root holds already: the ids of the files the loader's
discovery finds (``liaison.load.discover``, so `new` sees the files `validate` sees), site.yaml's
service keys and tiers. One helper for every lookup: the file a new record would take, the
records it refers to (with a "did you mean" hint), a physician's practice, a taken NPI.
"""
from __future__ import annotations

import difflib
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel

from liaison import yamlio
from liaison.checks import REFERENCES, WHAT
from liaison.errors import LiaisonError
from liaison.models import FILE_KINDS
from liaison.scaffold.fields import BadValue, flags

# The references `validate` checks by hand rather than through checks.REFERENCES: the kinds of
# record (or site.yaml's keys) these fields name.
def references(model: type[BaseModel]) -> dict[str, str]:
    """Field -> the kind of record it names: ``practices``, ``team``, …, or site.yaml's
    ``services`` and ``tiers``."""
    found = {path[0]: kind for path, kind in REFERENCES.get(model, ())
             if len(path) == 1 or path[1:] == ("*",)}
    return found


# The `liaison new` command of each kind of record file a value may name.
_NEW = {"practices": "practice", "physicians": "physician", "team": "member"}


def hint(value: str, options) -> str:
    """" (did you mean 'x'?)": the same id in another case, else a close one, else one that
    starts the same way; "" when none is close."""
    options = sorted(options)
    close = [o for o in options if o.lower() == value.lower()][:1]
    close = close or difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    if not close:
        close = [o for o in options if o.startswith(value) or value.startswith(o)][:1]
    return f" (did you mean '{close[0]}'?)" if close else ""


def _stem(rel: str) -> str:
    return rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]  # the file name is the record id


class Existing:
    """The records of one site root, as far as `new` needs them."""

    def __init__(self, root: Path):
        """``root`` must be a site root (it holds site.yaml), else BadValue on ``--root``."""
        if not root.is_dir():
            raise BadValue(f"'{root}' is not a folder", "--root")
        self.root = root
        if self.files.site is None:
            # typed in a folder of the site (data/physicians/), `liaison init` would make a
            # second site inside the first: the folder above that holds one is said instead
            from liaison.load import where_to_run

            raise BadValue(f"'{root}' is not a site root: it has no site.yaml: "
                           f"{where_to_run(root)}", "--root")

    @cached_property
    def files(self):
        from liaison.load import discover

        return discover(self.root)

    def ids(self, kind: str) -> dict[str, str]:
        """Record id -> its file, for a kind of ``liaison.load.Files`` (practices, physicians,
        team, training, presentations); the first file of an id when two share it."""
        rels = self.files.by_kind[kind] if kind in FILE_KINDS else getattr(self.files, kind)
        found: dict[str, str] = {}
        for rel in rels:
            found.setdefault(_stem(rel), rel)
        return found

    @cached_property
    def config(self):
        """site.yaml's SiteConfig, or None when it cannot be read (validate says why)."""
        from liaison.load import Loader
        from liaison.models import SiteConfig

        rel = self.files.site
        loader = Loader(self.root)
        return loader.records(rel, loader.parse(rel),
                              lambda data: loader.validate(SiteConfig, data or {}, rel))

    def data(self, rel: str):
        """A YAML file's canonical data (text stays text), or None when it cannot be read."""
        try:
            raw = (self.root / rel).read_bytes()
            data, _node, problems = yamlio.exact_load(yamlio.decode(raw))
        except (OSError, yamlio.YamlSyntaxError):
            return None
        return None if problems else data

    # ------------------------------------------------------------------- refusals

    def refuse_taken(self, kind: str, rid: str) -> None:
        """LiaisonError when a record ``rid`` of ``kind`` has a file already."""
        rel = self.ids(kind).get(rid)
        if rel is not None:
            raise LiaisonError(f"{rel} already exists: not overwritten (edit that file, or "
                               "choose another id)")

    def require(self, kind: str, value: str, option: str) -> str | None:
        """The file of the record ``value`` names (None for site.yaml's keys), or
        LiaisonError with a hint. Site.yaml's keys are not checked when it cannot be read."""
        if kind in ("services", "tiers"):
            if self.config is None:
                return None
            known = ([s.key for s in self.config.services] if kind == "services"
                     else list(self.config.tiers))
            if value in known:
                return None
            listed = f"({', '.join(known)}){hint(value, known)}"
            if kind == "services":
                raise LiaisonError(f"{option}: no service '{value}' in site.yaml {listed}")
            raise LiaisonError(f"{option}: '{value}' is not a tier of site.yaml {listed}")
        known = self.ids(kind)
        if value in known:
            return known[value]
        folder = f"data/{kind}" if kind in FILE_KINDS else f"content/{kind}"
        ext = ".yaml" if kind in FILE_KINDS else ".md"
        close = hint(value, known)
        if not close:  # what to do: the id is a file's name, which may not be written yet
            close = (f": check the id (the name of its file in {folder}/)"
                     + (f", or add the {WHAT[kind]} first with `liaison new {_NEW[kind]}`"
                        if kind in _NEW else ""))
        raise LiaisonError(f"{option}: no {WHAT[kind]} '{value}' (no {folder}/{value}{ext})"
                           f"{close}")

    def check_references(self, model: type[BaseModel], values: dict) -> None:
        """Every record the values name must exist (in the model's order of fields)."""
        refers, option = references(model), flags(model)
        for name in model.model_fields:
            if name in values and name in refers:
                value = values[name]
                for one in value if isinstance(value, list) else [value]:
                    self.require(refers[name], one, option[name])

    def records(self, kind: str, holding: str | None = None):
        """(id, file, data) of each record of ``kind`` (a one-record-per-file kind) whose file
        reads as a mapping, by id. ``holding``: only the files whose text holds it (cheap:
        the others are not parsed)."""
        for rid, rel in sorted(self.ids(kind).items()):
            if holding is not None:
                try:
                    raw = (self.root / rel).read_bytes()
                except OSError:
                    continue
                if holding.encode() not in raw:
                    continue
            data = self.data(rel)
            if isinstance(data, dict):
                yield rid, rel, data

    def refuse_taken_npi(self, npi: str) -> None:
        """Two physicians with the same NPI is an error: LiaisonError for a taken NPI."""
        for pid, rel, data in self.records("physicians", holding=npi):
            if str(data.get("npi", "")).strip() == npi:
                raise LiaisonError(f"--npi: NPI {npi} is already physician '{pid}' ({rel})")
