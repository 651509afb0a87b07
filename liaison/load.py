"""Load stage: the files of a site root -> records, each knowing where it came from.

Each file is read once. YAML goes through the fast parser (cached by content hash, see
``cache``); the exact parser with line and column runs only for files that have a problem,
when their diagnostics are placed (``place``). Problems of every file are gathered; none
stops the load.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from pydantic import BaseModel, TypeAdapter, ValidationError

from liaison import guard, yamlio
from liaison.guard import PATIENT_MESSAGE
from liaison.cache import ParseCache
from liaison.content import Deck, FrontMatterError, Guide, split_front_matter, split_slides
from liaison.diagnostics import Diagnostic, Loc, Problem, did_you_mean, format_loc
from liaison.models import (
    FILE_KINDS, SOURCES, STATUSES, DeckMeta, GuideMeta, Interaction, Referral, SiteConfig,
    describe, id_problem, nested_model, parse_date,
)
from liaison.records import ReferralRow, Site

YAML_EXT = (".yaml", ".yml")
REFERRAL_COLUMNS = ("date", "source", "physician", "service", "status", "count")
REQUIRED_COLUMNS = frozenset(REFERRAL_COLUMNS) - {"count"}
_PATIENT_COLUMN_WORDS = (
    "patient", "mrn", "dob", "ssn", "birth", "medical_record", "first_name", "last_name",
    "full_name", "insurance_id", "member_id", "diagnosis",
)
_PATIENT_COLUMN_NAMES = frozenset(("name", "sex", "gender", "age", "address", "phone", "email"))


@dataclass
class Files:
    """The files of a site root, by kind, as sorted '/'-separated paths relative to it."""

    site: str | None = None
    by_kind: dict[str, list[str]] = field(default_factory=dict)
    interactions: list[str] = field(default_factory=list)
    referrals: list[str] = field(default_factory=list)
    training: list[str] = field(default_factory=list)
    presentations: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)  # of interaction and referral files


def discover(root: Path) -> Files:
    files = Files()
    for name in ("site.yaml", "site.yml"):
        if (root / name).is_file():
            files.site = name
            break
    for kind in FILE_KINDS:
        files.by_kind[kind] = _list(root, f"data/{kind}", YAML_EXT, recursive=False)
    files.interactions = _list(root, "data/interactions", YAML_EXT, True, files.sizes)
    files.referrals = _list(root, "data/referrals", YAML_EXT + (".csv",), True, files.sizes)
    files.training = _list(root, "content/training", (".md",), recursive=False)
    files.presentations = _list(root, "content/presentations", (".md",), recursive=False)
    return files


def _list(root: Path, sub: str, exts: tuple[str, ...], recursive: bool,
          sizes: dict[str, int] | None = None) -> list[str]:
    """The wanted files below ``sub`` (one scandir pass: no extra stat per file), with their
    sizes into ``sizes`` when given (the workers' shares are balanced by size)."""
    out: list[str] = []
    folders = [sub]
    while folders:
        folder = folders.pop()
        try:
            entries = list(os.scandir(os.path.join(root, folder)))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                if recursive:
                    folders.append(f"{folder}/{entry.name}")
            elif entry.is_file() and _wanted(entry.name, exts):
                rel = f"{folder}/{entry.name}"
                out.append(rel)
                if sizes is not None:
                    sizes[rel] = entry.stat().st_size
    return sorted(out)


def _wanted(name: str, exts: tuple[str, ...]) -> bool:
    return name.lower().endswith(exts) and name != "README.md" and not name.startswith(".")


# --------------------------------------------------------------------------- YAML files


@dataclass(frozen=True)
class Partial:
    """A record that failed validation, kept so that the references it does make can still be
    checked in the same run."""

    model: type
    path: str
    prefix: Loc
    data: dict
    bad: frozenset  # locations that already have a problem


@dataclass
class Parsed:
    """A YAML file's data, and whether it came from the exact path already."""

    data: object
    exact: bool
    raw: bytes
    line_offset: int = 0


class Loader:
    """Reads the files of one site root; gathers problems."""

    def __init__(self, root: Path, cache: ParseCache | None = None):
        self.root = root
        self._root = str(root)
        self.cache = cache
        self.problems: list[Problem] = []
        self.partials: list[Partial] = []

    def error(self, path: str, message: str, **kw) -> None:
        self.problems.append(Problem(path, message, **kw))

    def read_bytes(self, rel: str) -> bytes | None:
        """A file's bytes, at most the YAML size limit plus one (thousands of small files:
        plain os calls, no buffered file objects or path objects)."""
        try:
            fd = os.open(os.path.join(self._root, rel), os.O_RDONLY)
            try:
                want = min(os.fstat(fd).st_size, yamlio.MAX_YAML_BYTES) + 1
                chunks = []
                while want > 0:
                    chunk = os.read(fd, want)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    want -= len(chunk)
                return b"".join(chunks)
            finally:
                os.close(fd)
        except OSError as exc:
            self.error(rel, f"cannot read the file: {exc.strerror or exc}")
            return None

    def parse(self, rel: str, raw: bytes | None = None, line_offset: int = 0) -> Parsed | None:
        """A YAML file's data (fast path first, cached), or None after recording a problem."""
        if raw is None:
            raw = self.read_bytes(rel)
            if raw is None:
                return None
            if len(raw) > yamlio.MAX_YAML_BYTES:
                self.error(rel, "the file is larger than 5 MB: split it into several files")
                return None
        # Only the exact path's results are cached: the fast parser reads a file faster than
        # the cache could be loaded (measured: 73 MB of pickled data took longer than parsing).
        # With nothing cached there is nothing to look up: no file is hashed.
        key = self.cache.key(raw) if self.cache and self.cache.old else None
        if key is not None:
            hit = self.cache.get(key)
            if hit is not ParseCache.MISS:
                return Parsed(hit[1], hit[0], raw, line_offset)
        try:
            text = yamlio.decode(raw)
        except yamlio.YamlSyntaxError as exc:
            self.error(rel, exc.message, line=exc.line + line_offset, col=exc.col)
            return None
        try:
            return Parsed(yamlio.fast_load(text), False, raw, line_offset)
        except yamlio.NeedExact:
            parsed = self.exact(rel, Parsed(None, False, raw, line_offset))
        if parsed is not None and self.cache is not None:
            self.cache.put(key or self.cache.key(raw), (True, parsed.data))
        return parsed

    def exact(self, rel: str, parsed: Parsed) -> Parsed | None:
        """The same file through the exact path, or None after recording its problems."""
        offset = parsed.line_offset
        try:
            data, _node, problems = yamlio.exact_load(yamlio.decode(parsed.raw))
        except yamlio.YamlSyntaxError as exc:
            self.error(rel, exc.message, line=exc.line + offset, col=exc.col)
            return None
        for loc, message, key_node in problems:
            self.error(rel, f"{format_loc(loc)}: {message}" if loc else message,
                       line=key_node.start_mark.line + 1 + offset,
                       col=key_node.start_mark.column + 1)
        if problems:
            return None
        return Parsed(data, True, parsed.raw, offset)

    def records(self, rel: str, parsed: Parsed | None, build):
        """``build(data)`` -> result, recording problems. If the fast path's data has problems,
        the file is read again exactly and only that reading's problems count; the guard then
        scans the free text of the data that was kept."""
        if parsed is None:
            return None
        mark = len(self.problems)
        result = build(parsed.data)
        if len(self.problems) > mark and not parsed.exact:
            del self.problems[mark:]
            exact = self.exact(rel, parsed)
            if exact is None:
                return None
            parsed = exact
            result = build(parsed.data)
            if self.cache is not None:
                self.cache.put(self.cache.key(parsed.raw), (True, parsed.data))
        if guard.might_hold(parsed.raw):
            for loc, kind in guard.scan(parsed.data):
                self.error(rel, f"{format_loc(loc)}: looks like {kind}: {PATIENT_MESSAGE}", loc=loc)
        return result

    # ---------------------------------------------------------------- model validation

    def validate(self, model: type[BaseModel], data, rel: str, prefix: Loc = ()):
        """A model instance, or None after recording each of its problems."""
        if not isinstance(data, dict):
            self.error(
                rel, _with_path(prefix, f"expected a mapping of fields, got {describe(data)}"),
                loc=prefix,
            )
            return None
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            bad = set()
            for err in exc.errors(include_url=False, include_context=True, include_input=True):
                problem = _pydantic_problem(rel, prefix, model, err)
                self.problems.append(problem)
                bad.add(problem.loc)
            self.partials.append(Partial(model, rel, prefix, data, frozenset(bad)))
            return None


_FAILED = object()


def _with_path(loc: Loc, message: str) -> str:
    path = format_loc(loc)
    return f"{path}: {message}" if path else message


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class that holds the field at ``loc`` (for 'did you mean' hints)."""
    cur = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        info = cur.model_fields.get(part)
        if info is None:
            return None
        nested = nested_model(info.annotation)
        if nested is None:
            return None
        cur = nested
    return cur


def _pydantic_problem(rel: str, prefix: Loc, model, err) -> Problem:
    # The models have no unions other than "X | None", so every part of the location is a
    # key or an index of the data.
    loc = tuple(p for p in err["loc"] if isinstance(p, (int, str)))
    full = prefix + loc
    kind = err["type"]
    if kind == "extra_forbidden" and loc:
        name = str(loc[-1])
        if name.lower().startswith("patient"):
            return Problem(rel, _with_path(full, f"a key beginning with 'patient': {PATIENT_MESSAGE}"),
                           loc=full, at="key")
        holder = _model_at(model, loc)
        hint = did_you_mean(name, holder.model_fields) if holder is not None else ""
        return Problem(rel, _with_path(full, f"unknown field{hint}"), loc=full, at="key")
    if kind == "missing":
        return Problem(rel, _with_path(full, "required field is missing"), loc=full)
    msg = _message(kind, err)
    return Problem(rel, _with_path(full, msg), loc=full)


def _message(kind: str, err: dict) -> str:
    """A pydantic error -> the message a person fixing the file needs."""
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "value_error":
        return str(ctx["error"]) if "error" in ctx else err["msg"].removeprefix("Value error, ")
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        if not isinstance(value, str):
            return f"expected one of {expected}, got {describe(value)}"
        options = [o.strip(" '") for o in expected.replace(" or ", ", ").split(",")]
        return f"'{value}' is not one of {expected}{did_you_mean(value, options)}"
    if kind.startswith("date"):
        if isinstance(value, str):
            try:
                parse_date(value.strip())
            except ValueError as exc:
                return str(exc)
        return f"expected a date (YYYY-MM-DD), got {describe(value)}"
    if kind in ("string_pattern_mismatch", "string_too_long") and isinstance(value, str):
        return id_problem(value) or err["msg"]
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_type":
        return f"expected text, got {describe(value)}"
    if kind.startswith("int"):
        return f"expected a whole number, got {describe(value)}"
    if kind == "list_type":
        return f"expected a list, got {describe(value)}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping of fields, got {describe(value)}"
    if kind == "too_short":
        return "must not be empty"
    if kind in ("greater_than_equal", "less_than_equal"):
        return err["msg"].replace("Input should be", "must be") + f", got {value!r}"
    return err["msg"]


# --------------------------------------------------------------------------- the load


def load_site(root: Path, cache: ParseCache | None = None) -> tuple[Site, list[Problem], Files]:
    """Read every file of the site root once: (records, problems, the files found)."""
    site, loader, files = load_core(root, cache)
    bulk = load_bulk(Loader(root, cache), files.interactions + files.referrals)
    attach(site, bulk)
    return site, loader.problems + bulk.problems, files


def load_core(root: Path, cache: ParseCache | None = None,
              files: Files | None = None) -> tuple[Site, Loader, Files]:
    """site.yaml, practices, physicians, team, guides and decks: the records every other
    file refers to. Interaction and referral files are left to ``load_bulk``."""
    files = files or discover(root)
    loader = Loader(root, cache)
    site = Site(root=root)

    if files.site is None:
        loader.error("site.yaml", "missing site.yaml: every site root needs one (our practice and its service lines)")
    else:
        site.config_path = rel = files.site

        def build_config(data):
            if data is None:
                loader.error(rel, "the file holds nothing: site.yaml needs practice and services")
                return None
            return loader.validate(SiteConfig, data, rel)

        site.config = loader.records(rel, loader.parse(rel), build_config)

    for kind, model in FILE_KINDS.items():
        target = getattr(site, kind)
        rels = _unique_stems(loader, files.by_kind[kind])
        site.known[kind] = {_stem(rel) for rel in rels}
        for rel in rels:

            def build_one(data, rel=rel, model=model):
                if data is None or data == {} or data == []:
                    loader.error(rel, "the file holds no record")
                    return None
                return loader.validate(model, data, rel)

            rec = loader.records(rel, loader.parse(rel), build_one)
            if rec is not None:
                target[_stem(rel)] = rec
                site.src[id(rec)] = (rel, ())

    for kind, rels, meta, target in (
        ("training", files.training, GuideMeta, site.guides),
        ("presentations", files.presentations, DeckMeta, site.decks),
    ):
        rels = _unique_stems(loader, rels)
        site.known[kind] = {_stem(rel) for rel in rels}
        for rel in rels:
            _load_markdown(loader, rel, meta, target)
    site.partials = loader.partials
    return site, loader, files


def core_only(site: Site) -> Site:
    """What workers checking interactions and referrals need of the core records: the
    records and ids, not their source positions (those stay with the parent)."""
    return Site(root=site.root, config_path=site.config_path, config=site.config,
                practices=site.practices, physicians=site.physicians, team=site.team,
                known=site.known)


@dataclass
class Bulk:
    """What ``load_bulk`` read from some interaction and referral files."""

    interactions: list[tuple[object, tuple[str, Loc]]]  # (record, (path, prefix)), by date
    referrals: list[ReferralRow]
    problems: list[Problem]
    partials: list[Partial]


def load_bulk(loader: Loader, rels: list[str]) -> Bulk:
    """Interaction and referral files (any subset, so that workers can share them out). They
    need no other record to be read: references are checked later (checks.check_bulk)."""
    interactions = []
    referrals: list[ReferralRow] = []
    for rel in rels:
        if rel.startswith("data/interactions/"):
            for prefix, rec in _load_list(loader, rel, Interaction):
                interactions.append((rec.date, rec, (rel, prefix)))
        elif rel.lower().endswith(".csv"):
            _load_referral_csv(loader, rel, referrals)
        else:
            referrals += loader.records(rel, loader.parse(rel),
                                        lambda data, rel=rel: _referral_yaml(loader, rel, data)) or []
    interactions.sort(key=itemgetter(0))  # stable: files and records are in order already
    return Bulk([(rec, src) for _d, rec, src in interactions], referrals, loader.problems,
                loader.partials)


def attach(site: Site, bulk: Bulk) -> None:
    """Make the bulk records part of the site."""
    for rec, src in bulk.interactions:
        site.interactions.append(rec)
        site.src[id(rec)] = src
    site.referrals = bulk.referrals
    site.bulk_partials = bulk.partials


def _stem(rel: str) -> str | None:
    return rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def _unique_stems(loader: Loader, rels: list[str]) -> list[str]:
    """The files whose stem is a valid, not yet seen id; problems for the others."""
    seen: dict[str, str] = {}
    out = []
    for rel in rels:
        stem = _stem(rel)
        problem = id_problem(stem)
        if problem:
            loader.error(rel, f"file name: {problem} (the file name is the record id)")
            continue
        if stem in seen:
            loader.error(rel, f"duplicate id '{stem}': {seen[stem]} has the same name")
            continue
        seen[stem] = rel
        out.append(rel)
    return out


def _records(loader: Loader, rel: str, data) -> list[tuple[Loc, object]]:
    """A record file's records with their location prefix: one mapping or a list of them."""
    if data is None or data == [] or data == {}:
        loader.error(rel, "the file holds no record")
        return []
    if isinstance(data, dict):
        return [((), data)]
    if isinstance(data, list):
        return [((i,), item) for i, item in enumerate(data)]
    loader.error(rel, f"expected a record (a mapping) or a list of records, got {describe(data)}")
    return []


@lru_cache(maxsize=None)
def _list_adapter(model) -> TypeAdapter:
    return TypeAdapter(list[model])


def _load_list(loader: Loader, rel: str, model) -> list[tuple[Loc, object]]:
    def build(data):
        if isinstance(data, list) and data and all(type(x) is dict for x in data):
            try:  # one call for the whole file; on any problem, record by record below
                return [((i,), rec) for i, rec in enumerate(_list_adapter(model).validate_python(data))]
            except ValidationError:
                pass
        out = []
        for prefix, item in _records(loader, rel, data):
            rec = loader.validate(model, item, rel, prefix)
            if rec is not None:
                out.append((prefix, rec))
        return out

    return loader.records(rel, loader.parse(rel), build) or []


def _load_markdown(loader: Loader, rel: str, meta_model, out: dict) -> None:
    raw = loader.read_bytes(rel)
    if raw is None:
        return
    try:
        text = yamlio.decode(raw)
        fm = split_front_matter(text)
    except yamlio.YamlSyntaxError as exc:
        loader.error(rel, exc.message, line=exc.line, col=exc.col)
        return
    except FrontMatterError as exc:
        loader.error(rel, exc.message, line=exc.line, col=exc.col)
        return

    def build(data):
        if not isinstance(data, dict):
            loader.error(rel, "front matter: expected fields like 'title: …'", line=2, col=1)
            return None
        return loader.validate(meta_model, data, rel)

    parsed = loader.parse(rel, fm.yaml_text.encode("utf-8"), line_offset=fm.line_offset)
    meta = loader.records(rel, parsed, build)
    if meta is None:
        return
    rid = _stem(rel)
    if meta_model is GuideMeta:
        out[rid] = Guide(rid, rel, meta, fm.body, fm.body_line)
    else:
        out[rid] = Deck(rid, rel, meta, split_slides(fm.body, fm.body_line))


# --------------------------------------------------------------------------- referrals

_REFERRAL_FIELDS = tuple(Referral.model_fields)
_SOURCES = frozenset(SOURCES)
_STATUSES = frozenset(STATUSES)


def check_referral(get, loc_of) -> tuple[ReferralRow | None, list[tuple[object, str]]]:
    """Validate one referral's cells. ``get(name)`` gives a cell's text or None; ``loc_of``
    turns a field name into the location to report. Returns the row fields and problems."""
    problems: list[tuple[object, str]] = []

    def need(name):
        value = get(name)
        if value is None or not str(value).strip():
            problems.append((loc_of(name, missing=True), f"{name}: required field is missing"))
            return None
        if not isinstance(value, str):
            problems.append((loc_of(name), f"{name}: expected text, got {describe(value)}"))
            return None
        return value.strip()

    date = get("date")
    if type(date) is dt.date:
        pass
    elif date is None or date == "":
        problems.append((loc_of("date", missing=True), "date: required field is missing"))
    elif not isinstance(date, str):
        problems.append((loc_of("date"), f"date: expected a date (YYYY-MM-DD), got {describe(date)}"))
        date = None
    else:
        try:
            date = parse_date(date.strip())
        except ValueError as exc:
            problems.append((loc_of("date"), f"date: {exc}"))
            date = None
    source = need("source")
    if source is not None and source not in _SOURCES:
        problems.append((loc_of("source"), f"source: {_not_one_of(source, SOURCES)}"))
        source = None
    service = need("service")
    if service is not None and id_problem(service):
        problems.append((loc_of("service"), f"service: {id_problem(service)}"))
    physician = get("physician")
    if isinstance(physician, str):
        physician = physician.strip() or None
    elif physician is not None:
        problems.append((loc_of("physician"), f"physician: expected an id, got {describe(physician)}"))
        physician = None
    if physician is not None and id_problem(physician):
        problems.append((loc_of("physician"), f"physician: {id_problem(physician)}"))
    if source == "physician" and physician is None and not any(
        m.startswith("physician:") for _, m in problems
    ):
        problems.append(
            (loc_of("physician", missing=True),
             "physician: required when source is physician (which physician referred?)")
        )
    elif source is not None and source != "physician" and physician is not None:
        problems.append(
            (loc_of("physician"),
             f"physician: only allowed when source is physician (source is {source})")
        )
    status = get("status")
    if status is None or (isinstance(status, str) and not status.strip()):
        status = "referred"
    elif not isinstance(status, str) or status.strip() not in _STATUSES:
        problems.append((loc_of("status"), f"status: {_not_one_of(status, STATUSES)}"))
    else:
        status = status.strip()
    count = get("count")
    if count is None or (isinstance(count, str) and not count.strip()):
        count = 1
    elif type(count) is int and count >= 1:
        pass
    else:
        text = str(count).strip()
        if not text.lstrip("+").isdigit() or int(text) < 1:
            problems.append((loc_of("count"), f"count: expected a whole number ≥ 1, got '{text}'"))
            count = 1
        else:
            count = int(text)
    if problems:
        return None, problems
    return (date, source, physician, service, status, count), problems


def _not_one_of(value, options) -> str:
    return f"'{value}' is not one of {', '.join(options)}{did_you_mean(value, options)}"


def _referral_yaml(loader: Loader, rel: str, data) -> list[ReferralRow]:
    if isinstance(data, dict):
        loader.error(rel, "expected a list of referral records (each starting with '- ')")
        return []
    out = []
    for prefix, item in _records(loader, rel, data):
        if not isinstance(item, dict):
            loader.error(rel, _with_path(prefix, f"expected a referral record, got {describe(item)}"),
                         loc=prefix)
            continue
        bad_keys = False
        for key in item:
            if key not in _REFERRAL_FIELDS:
                bad_keys = True
                name = str(key)
                if name.lower().startswith("patient"):
                    msg = f"a key beginning with 'patient': {PATIENT_MESSAGE}"
                else:
                    msg = "unknown field" + did_you_mean(name, _REFERRAL_FIELDS)
                loader.error(rel, _with_path(prefix + (name,), msg), loc=prefix + (name,), at="key")

        def loc_of(name, missing=False, prefix=prefix, item=item):
            return prefix if (missing and name not in item) else prefix + (name,)

        row, problems = check_referral(item.get, loc_of)
        for loc, message in problems:
            loader.error(rel, f"{format_loc(prefix)}.{message}" if prefix else message, loc=loc)
        if row is not None and not bad_keys:
            out.append(ReferralRow(*row, rel, None, prefix))
    return out


def _patient_column(name: str) -> bool:
    norm = name.strip().lower().replace(" ", "_").replace("-", "_")
    return norm in _PATIENT_COLUMN_NAMES or any(w in norm for w in _PATIENT_COLUMN_WORDS)


# Memo tables of the CSV fast path: cell text -> value, filled with values found valid.
_DATES: dict[str, dt.date] = {}
_COUNTS: dict[str, int] = {"": 1}
_IDS: set[str] = set()


def _remember(date: str, *ids_and_count: str) -> None:
    """Learn the valid cells of a row that missed the fast path, for the rows after it."""
    if date not in _DATES and len(date) == 10:
        try:
            _DATES[date] = parse_date(date)
        except ValueError:
            pass
    *ids, count = ids_and_count
    for value in ids:
        if value and id_problem(value) is None:
            _IDS.add(value)
    if count.isdigit() and int(count) >= 1 and len(_COUNTS) < 10_000:
        _COUNTS[count] = int(count)


def _load_referral_csv(loader: Loader, rel: str, out: list) -> None:
    try:
        fh = open(loader.root / rel, encoding="utf-8-sig", newline="")
    except OSError as exc:
        loader.error(rel, f"cannot read the file: {exc.strerror or exc}")
        return
    with fh:
        reader = csv.reader(fh)
        prev_line = 0
        header: list[str] | None = None
        index: dict[str, int] = {}
        rows = 0
        try:
            for cells in reader:
                line = prev_line + 1
                prev_line = reader.line_num
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue
                if header is None:
                    header = [c.strip() for c in cells]
                    if not _check_header(loader, rel, line, header):
                        return
                    index = {name: i for i, name in enumerate(header)}
                    i_date, i_src, i_doc, i_svc, i_status = (
                        index["date"], index["source"], index["physician"], index["service"],
                        index["status"])
                    i_count = index.get("count")
                    width = len(header)
                    continue
                rows += 1
                if len(cells) != width:
                    loader.error(rel, f"expected {width} cells (as in the header), found {len(cells)}",
                                 line=line, col=1)
                    continue
                # Fast path for the common, clean row: memoized dates, ids and counts.
                date = _DATES.get(cells[i_date])
                source, doc, svc = cells[i_src], cells[i_doc], cells[i_svc]
                status = cells[i_status] or "referred"
                count = _COUNTS.get(cells[i_count]) if i_count is not None else 1
                if (date is not None and count is not None and source in _SOURCES
                        and status in _STATUSES and svc in _IDS
                        and ((doc in _IDS) if source == "physician" else doc == "")):
                    out.append(ReferralRow(date, source, doc or None, svc, status, count, rel, line, None))
                    continue
                _remember(cells[i_date], svc, doc, cells[i_count] if i_count is not None else "")

                def get(name, cells=cells):
                    i = index.get(name)
                    return None if i is None else cells[i]

                row, problems = check_referral(get, lambda name, missing=False: None)
                for _loc, message in problems:
                    loader.error(rel, message, line=line, col=1)
                if row is not None:
                    out.append(ReferralRow(*row, rel, line, None))
        except UnicodeDecodeError:
            loader.error(rel, "the file is not UTF-8 text; export it as CSV UTF-8",
                         line=prev_line + 1, col=1)
            return
        except csv.Error as exc:
            loader.error(rel, f"CSV syntax error: {exc}", line=reader.line_num or 1, col=1)
            return
        if header is None or rows == 0:
            loader.error(rel, "the file holds no record (a header row and at least one referral)")


def _check_header(loader: Loader, rel: str, line: int, header: list[str]) -> bool:
    ok = True
    seen = set()
    for col_name in header:
        if col_name in seen:
            loader.error(rel, f"column '{col_name}' appears twice in the header", line=line, col=1)
            ok = False
        seen.add(col_name)
        if col_name not in REFERRAL_COLUMNS:
            ok = False
            if _patient_column(col_name):
                loader.error(rel, f"column '{col_name}' looks like patient data: {PATIENT_MESSAGE}; "
                             "remove the column", line=line, col=1)
            else:
                hint = did_you_mean(col_name, REFERRAL_COLUMNS)
                loader.error(rel, f"unknown column '{col_name}'{hint}; the columns are "
                             f"{', '.join(REFERRAL_COLUMNS)}", line=line, col=1)
    missing = [c for c in REFERRAL_COLUMNS if c in REQUIRED_COLUMNS and c not in seen]
    if missing:
        loader.error(rel, f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                     "in the header row", line=line, col=1)
        ok = False
    return ok


# --------------------------------------------------------------------------- placing


def place(root: Path, problems: list[Problem]) -> list[Diagnostic]:
    """Problems -> diagnostics with line and column. Files are parsed with marks only here,
    once each, and only those that have a problem located by a path."""
    nodes: dict[str, tuple[object, int]] = {}
    out = []
    for p in problems:
        if p.line is not None:
            line, col = p.line, p.col or 1
        elif p.loc is None:
            line, col = 1, 1
        else:
            if p.path not in nodes:
                nodes[p.path] = _marked_tree(root, p.path)
            node, offset = nodes[p.path]
            line, col = yamlio.locate(node, p.loc, p.at)
            line += offset
        message = " ".join(p.message.split())  # one diagnostic, one line
        out.append(Diagnostic(p.path, line, col, p.severity, message))
    return sorted(set(out))


def _marked_tree(root: Path, rel: str):
    try:
        text = yamlio.decode((root / rel).read_bytes())
        offset = 0
        if rel.endswith(".md"):
            fm = split_front_matter(text)
            text, offset = fm.yaml_text, fm.line_offset
        return yamlio.compose(text), offset
    except Exception:  # the problem was found in this file; a second failure only loses its place
        return None, 0
