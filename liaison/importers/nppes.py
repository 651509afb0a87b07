"""`import nppes FILE`: prospects from the CMS NPPES NPI registry (SPEC §5).

The registry's monthly "full replacement" file is one CSV of about 9 million rows and 330
columns, every value double-quoted; a weekly update file and any extract keep its header.
Only the columns below are read, by name (in any case: ``header_index``), so the order of
the columns and the others do not matter; an extract without the OPTIONAL ones reads them as
empty.

The file is read as a stream (Python's csv module, one row at a time; memory holds only
the matching providers), in two steps so that a malformed file writes nothing:

1. ``read``: every row is checked for its shape (as many fields as the header); individual
   providers (entity type 1) whose practice location matches the filters (``--state``,
   ``--zip`` prefixes, ``--taxonomy`` codes or ``--specialty`` shorthands) are kept, except
   a deactivated NPI (unless reactivated since), an NPI whose check digit fails, and an NPI
   the site has already.
2. ``plan`` and ``write``: one practice per practice location (the normalized street
   address and ZIP code, then the phone), reusing a practice of the site at the same address;
   one physician file per provider. Ids are made from names, unique among the site's files
   and each other. Every file is read back through the loader's own models before anything
   is written, and written by exclusive creation: nothing is ever overwritten.

A second run over the same file adds nothing (its NPIs are in the site), so the import can
run every month on the new file.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from liaison.importers import (
    PROGRESS_EVERY, ImportProblem, cell_place, csv_records, fields_problem, header_index,
    named_groups, not_csv, option_values, taxonomy, undecodable_line,
)
from liaison.models import ID_MAX, npi_check_digit_ok, npi_spreadsheet_hint

# The columns read (names as in the registry's header).
NPI = "NPI"
ENTITY = "Entity Type Code"
LAST = "Provider Last Name (Legal Name)"
FIRST = "Provider First Name"
MIDDLE = "Provider Middle Name"
SUFFIX = "Provider Name Suffix Text"
CREDENTIAL = "Provider Credential Text"
ADDRESS_1 = "Provider First Line Business Practice Location Address"
ADDRESS_2 = "Provider Second Line Business Practice Location Address"
CITY = "Provider Business Practice Location Address City Name"
STATE = "Provider Business Practice Location Address State Name"
ZIP = "Provider Business Practice Location Address Postal Code"
PHONE = "Provider Business Practice Location Address Telephone Number"
DEACTIVATED = "NPI Deactivation Date"
REACTIVATED = "NPI Reactivation Date"
TAXONOMY_SLOTS = 15
TAXONOMY = "Healthcare Provider Taxonomy Code_{}"
PRIMARY = "Healthcare Provider Primary Taxonomy Switch_{}"

REQUIRED = (NPI, ENTITY, LAST, FIRST, ADDRESS_1, CITY, STATE, ZIP, DEACTIVATED, REACTIVATED,
            TAXONOMY.format(1))
# Read when the file has them (the registry's file always does; an extract cut to fewer
# columns may not): a missing one reads as empty.
OPTIONAL = (MIDDLE, SUFFIX, CREDENTIAL, ADDRESS_2, PHONE,
            *(TAXONOMY.format(i) for i in range(2, TAXONOMY_SLOTS + 1)),
            *(PRIMARY.format(i) for i in range(1, TAXONOMY_SLOTS + 1)))

TAG = "nppes"


@dataclass(frozen=True)
class Filters:
    states: frozenset[str] = frozenset()
    zips: tuple[str, ...] = ()
    taxonomies: frozenset[str] = frozenset()

    @classmethod
    def of(cls, states: Iterable[str] = (), zips: Iterable[str] = (),
           taxonomies: Iterable[str] = (), specialties: Iterable[str] = ()) -> "Filters":
        """Filters from command-line values; ValueError names a bad one."""
        st = option_values("--state", states, r"[A-Z]{2}",
                           "a two-letter state code (e.g. NC)", upper=True)
        zips = [re.sub(r"^\s*([0-9]{5})-([0-9]{1,4})\s*$", r"\1\2", z) for z in zips]  # ZIP+4
        zp = option_values("--zip", zips, r"[0-9]{1,9}", "a ZIP code prefix (1 to 9 digits)")
        tx = set(option_values("--taxonomy", taxonomies, r"[0-9A-Z]{9}X",
                               "a taxonomy code (10 characters ending in X, e.g. 207Q00000X)",
                               upper=True))
        tx |= named_groups("--specialty", specialties, taxonomy.SPECIALTIES)
        return cls(frozenset(st), tuple(sorted(set(zp))), frozenset(tx))


@dataclass
class Provider:
    """One individual provider of the file, as read (text as the registry writes it)."""
    npi: str
    first: str
    middle: str
    last: str
    suffix: str
    credential: str
    taxonomy: str
    address_1: str
    address_2: str
    city: str
    state: str
    zip: str
    phone: str
    line: int


@dataclass
class Counts:
    rows: int = 0
    organizations: int = 0
    elsewhere: int = 0            # outside the state, ZIP or taxonomy filters
    deactivated: int = 0
    bad_npi: int = 0
    in_site: int = 0
    repeated: int = 0             # an NPI the file lists again (the first row is kept)
    listed: int = 0               # on the skip list (``--skip``)
    kept: int = 0
    # the site's physicians whose NPI the registry deactivated: (their file, NPI, the
    # deactivation date as the registry writes it, the row's line)
    gone: list = field(default_factory=list)


# ------------------------------------------------------------------------------ reading


def read(path: Path, filters: Filters, known_npis: dict[str, str] | set[str],
         progress: Callable[[int], None] | None = None,
         skip: frozenset[str] = frozenset()) -> tuple[list[Provider], Counts]:
    """The providers of ``path`` to import, and what was counted on the way; ImportProblem
    for a file that is not the registry's layout or a row that breaks it. ``known_npis``:
    the site's NPIs (with the file of each, when a dict: a deactivated one is in
    ``Counts.gone``, wherever its row is, since the registry keeps no location for it);
    ``skip``: NPIs never to import (``read_skip_list``)."""
    counts = Counts()
    kept: list[Provider] = []
    seen: set[str] = set()
    name = str(path)
    try:
        fh = open(path, encoding="utf-8-sig", newline="", errors="strict")
    except OSError as exc:
        raise ImportProblem(f"{name}: cannot read: {exc.strerror or exc}") from None
    # the line the current record starts on; let through by its NPI alone; its text
    at = [1, False, ""]
    with fh:
        try:
            header = next(csv.reader([fh.readline()], strict=True), None)
            if not header:
                raise ImportProblem(f"{name}:1: empty file: expected the NPPES header row")
            index = header_index(header, REQUIRED + OPTIONAL)
            missing = [c for c in REQUIRED if c not in index]
            if missing:
                raise not_csv(path, name) or ImportProblem(
                    f"{name}:1: {_which_file(header, index)}: no column '{missing[0]}'"
                    + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
            width = len(header)
            absent = any(c not in index for c in OPTIONAL)
            for c in OPTIONAL:
                index.setdefault(c, width)  # a row gets one empty value at its end for them
            i_npi, i_entity, i_state, i_zip = index[NPI], index[ENTITY], index[STATE], index[ZIP]
            i_deact, i_react = index[DEACTIVATED], index[REACTIVATED]
            slots = [(index[TAXONOMY.format(k)], index[PRIMARY.format(k)])
                     for k in range(1, TAXONOMY_SLOTS + 1) if index[TAXONOMY.format(k)] < width]
            i_tax = [t for t, _p in slots]
            i_prim = [p for _t, p in slots]
            cols = [index[c] for c in (FIRST, MIDDLE, LAST, SUFFIX, CREDENTIAL, ADDRESS_1,
                                       ADDRESS_2, CITY, STATE, ZIP, PHONE)]
            states, zips, wanted = filters.states, filters.zips, filters.taxonomies
            # (a deactivated NPI's row holds the NPI and the date alone: no state or ZIP code
            # for the filters to find it by, so the site's are let through by their NPI)
            ours = known_npis if isinstance(known_npis, dict) and i_npi == 0 else None
            rows = csv.reader(_records(fh, name, width, filters, counts, at, progress, ours),
                              strict=True)

            def place(column: str) -> str:  # where the current row's value stands
                return cell_place(name, at[0], at[2], index[column])

            for row in rows:
                line = at[0]
                if len(row) != width:
                    raise fields_problem(path, name, line, len(row), width)
                if absent:
                    row.append("")
                if row[i_deact] and _deactivated(row[i_deact], row[i_react], place):
                    npi = row[i_npi].strip()
                    if isinstance(known_npis, dict) and npi in known_npis:
                        counts.gone.append((known_npis[npi], npi, row[i_deact].strip(), line))
                    counts.deactivated += 1
                    continue
                if at[1]:  # one of the site's, not deactivated, that the filters skip
                    counts.elsewhere += 1
                    continue
                if row[i_entity] != "1":
                    counts.organizations += 1
                    continue
                if states and row[i_state].strip().upper() not in states:
                    counts.elsewhere += 1
                    continue
                if zips and not row[i_zip].strip().startswith(zips):
                    counts.elsewhere += 1
                    continue
                codes = [row[i].strip().upper() for i in i_tax if row[i]]
                if wanted and not any(c in wanted for c in codes):
                    counts.elsewhere += 1
                    continue
                npi = row[i_npi].strip()
                if not (len(npi) == 10 and npi.isascii() and npi.isdigit()
                        and npi_check_digit_ok(npi)):
                    counts.bad_npi += 1
                    continue
                if npi in known_npis:
                    counts.in_site += 1
                    continue
                if npi in skip:
                    counts.listed += 1
                    continue
                if npi in seen:  # a file listing an NPI twice imports it once
                    counts.repeated += 1
                    continue
                seen.add(npi)
                primary = next((row[t].strip().upper() for t, p in zip(i_tax, i_prim)
                                if row[t] and row[p].strip().upper() == "Y"), None)
                first, middle, last, suffix, cred, a1, a2, city, state, zip_, phone = \
                    (row[i].strip() for i in cols)
                kept.append(Provider(npi, first, middle, last, suffix, cred,
                                     primary or (codes[0] if codes else ""), a1, a2, city,
                                     state.upper(), zip_, phone, line))
        except csv.Error as exc:
            raise not_csv(path, name) or ImportProblem(
                f"{name}:{at[0]}: not a readable CSV row: {exc}") from None
        except UnicodeDecodeError as exc:
            raise not_csv(path, name) or ImportProblem(f"{name}:{undecodable_line(path)}: not UTF-8 "
                                f"text (byte {exc.object[exc.start:exc.start + 1]!r})") from None
    if not counts.rows:  # a download cut after its header: not a month of the registry
        raise ImportProblem(f"{name}:1: only the header, no row: nothing written (a download "
                            "cut short? download the file again)")
    counts.kept = len(kept)
    return kept, counts


# The other files of the NPPES download, told by a column of their own (they hold NPIs too).
# Their second column, after the NPI (the providers' file has "Entity Type Code" there).
_OTHER_FILES = (("provider secondary practice location",
                 "the NPPES file of secondary practice locations"),
                ("provider other organization name", "the NPPES file of other names"),
                ("endpoint type", "the NPPES file of endpoints"))


def _which_file(header: list[str], index: dict) -> str:
    """What a file without the registry's columns is: one of the download's other files
    (said with the one to use), else not an NPPES file."""
    second = " ".join(header[1].lower().split()) if len(header) > 1 else ""
    if NPI in index:
        for start, what in _OTHER_FILES:
            if second.startswith(start):
                return f"{what}, not the providers' (npidata_pfile_….csv)"
    return "not an NPPES NPI registry file"


def _needles(filters: Filters, quoted: bool = True) -> list[tuple[str, ...]]:
    """Texts a row must hold, one of each group, to possibly match the filters: a cheap test
    on the raw line (most rows of a national file are skipped without being split). The
    registry quotes every value (``quoted``); an extract saved by another tool may quote only
    those that need it: its state and ZIP code then follow a comma."""
    groups = []
    if filters.states:
        groups.append(tuple((f'"{s}"' if quoted else f",{s},") for s in sorted(filters.states)))
    if filters.zips:
        groups.append(tuple((f'"{z}' if quoted else f",{z}") for z in filters.zips))
    if filters.taxonomies:
        groups.append(tuple(sorted(filters.taxonomies)))
    return groups


def _records(fh, name: str, width: int, filters: Filters, counts: Counts, at: list,
             progress, ours: dict | None = None) -> Iterable[str]:
    """The file's records after the header, as text (a quoted field may hold a line break:
    a record then spans lines), without those that cannot match the filters (``_needles``).
    Each record's shape is checked even when it is skipped: one quoted field per column, else
    a full split that must give ``width`` fields (and then the needles of unquoted values
    tried too); a record whose first value is an NPI of ``ours`` is yielded all the same.
    ``at[0]``: the line the record yielded starts on; ``at[1]``: whether it was yielded for
    its NPI alone; ``at[2]``: its text."""
    expected_quotes = 2 * width
    needles, plain = _needles(filters), _needles(filters, quoted=False)
    for start, text in csv_records(fh, name):
        counts.rows += 1
        if progress is not None and counts.rows % PROGRESS_EVERY == 0:
            progress(counts.rows)
        if needles and not all(any(n in text for n in group) for group in needles):
            if text.count('"') != expected_quotes:  # not one quoted value per column
                fields = next(csv.reader([text], strict=True))
                if len(fields) != width:
                    raise fields_problem(name, name, start, len(fields), width)
                if all(any(n in text for n in group) for group in plain):
                    at[0], at[2] = start, text
                    yield text
                    continue
            if ours and (text[1:11] if text[:1] == '"' else text[:10]) in ours:
                at[0], at[1], at[2] = start, True, text
                yield text
                at[1] = False
                continue
            counts.elsewhere += 1
            continue
        at[0], at[2] = start, text
        yield text


def _registry_date(text: str, column: str, place) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, "%m/%d/%Y").date()
    except ValueError:
        raise ImportProblem(f"{place(column)}: {column}: '{text}' is not a date of the "
                            "registry (MM/DD/YYYY)") from None


def _deactivated(deactivated: str, reactivated: str, place) -> bool:
    """Whether the row's NPI is deactivated (and not reactivated since); ``place(column)``
    says where a value stands when it is no date."""
    if not deactivated.strip():
        return False
    off = _registry_date(deactivated, DEACTIVATED, place)
    on = _registry_date(reactivated, REACTIVATED, place)
    return on is None or on < off


# ------------------------------------------------------------------------------ text


_SMALL = {"de", "del", "der", "van", "von", "da", "di", "la", "le", "du", "st"}


def title_case(text: str) -> str:
    """A registry name (upper case) as people write it: "MARY-ANN O'NEIL" -> "Mary-Ann
    O'Neil", "MCDONALD" -> "McDonald", "VAN DER BERG" -> "van der Berg" (inside a name)."""
    words = []
    for n, word in enumerate(text.split()):
        low = word.lower()
        if n and low in _SMALL:
            words.append(low)
            continue
        parts = re.split(r"([-'’])", low)
        out = []
        for p in parts:
            if p in "-'’" or not p:
                out.append(p)
            else:  # a letter after an opening quote or bracket is the word's first: '"Toby"'
                lead = re.match(r"\W*", p).end()
                head, p = p[:lead], p[lead:]
                out.append(head + ("Mc" + p[2:].capitalize() if p.startswith("mc") and len(p) > 2
                                   else p.capitalize()))
        words.append("".join(out))
    return " ".join(words)


_DEGREES = {"PHD": "PhD", "MSN": "MSN", "DNP": "DNP"}


def credentials(text: str) -> str:
    """"M.D." -> "MD", "m.d., ph.d." -> "MD, PhD"."""
    parts = [re.sub(r"[^0-9A-Za-z-]", "", p).upper() for p in re.split(r"[,;/]", text)]
    return ", ".join(_DEGREES.get(p, p) for p in parts if p)


def phone(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if len(digits) == 10:
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return text.strip()


def zip_code(text: str) -> str:
    """"287921234" -> "28792-1234"; "02134" stays "02134" (leading zeros are kept)."""
    digits = re.sub(r"\D", "", text)
    if len(digits) == 9:
        return f"{digits[:5]}-{digits[5:]}"
    return digits or text.strip()


_STREET = {"STREET": "ST", "AVENUE": "AVE", "ROAD": "RD", "DRIVE": "DR", "BOULEVARD": "BLVD",
           "HIGHWAY": "HWY", "LANE": "LN", "COURT": "CT", "PLACE": "PL", "PARKWAY": "PKWY",
           "SUITE": "STE", "NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W",
           "BUILDING": "BLDG", "FLOOR": "FL", "CIRCLE": "CIR", "TERRACE": "TER"}


def address_key(street: str, zip_text: str) -> tuple[str, str]:
    """An address as a key that ignores case, punctuation, "#" and common abbreviations:
    "1200 Spartanburg Highway, Suite 4" and "1200 SPARTANBURG HWY STE 4" are one address."""
    words = re.sub(r"[^0-9A-Z ]", " ", street.upper().replace("#", " STE ")).split()
    words = [_STREET.get(w, w) for w in words]
    return " ".join(words), re.sub(r"\D", "", zip_text)[:5]


def slug(text: str) -> str:
    """A name as an id, letters NFKD leaves whole spelled as search reads them: "Łukasz"
    is "lukasz", "Søren" "soren" (not "ukasz", "sren")."""
    from liaison.names import LETTERS  # the letters, one table for search, sorting and ids

    plain = unicodedata.normalize("NFKD", text.lower().translate(str.maketrans(LETTERS)))
    plain = plain.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def unique_id(base: str, taken: set[str], extra: str = "") -> str:
    """``base`` (cut to the id limit) if free, else ``base-extra``, else ``-2``, ``-3``…"""
    base = (base or "record")[:ID_MAX].strip("-")
    candidates = [base] + ([f"{base[:ID_MAX - len(extra) - 1]}-{extra}"] if extra else [])
    for c in candidates:
        if c not in taken:
            taken.add(c)
            return c
    n = 2
    while True:
        tail = f"-{n}"
        c = candidates[-1][:ID_MAX - len(tail)].strip("-") + tail
        if c not in taken:
            taken.add(c)
            return c
        n += 1


# ------------------------------------------------------------------------------ planning


@dataclass
class NewFile:
    rel: str
    kind: str          # "practices" | "physicians"
    values: dict
    line: int          # the file's row it came from (the first one, for a practice)

    @property
    def model(self):
        from liaison.models import Physician, Practice

        return Practice if self.kind == "practices" else Physician


@dataclass
class Plan:
    practices: list[NewFile] = field(default_factory=list)
    physicians: list[NewFile] = field(default_factory=list)
    reused: dict[str, int] = field(default_factory=dict)  # existing practice id -> physicians
    # (new physician's file, the site's physician file of that name without an NPI)
    namesakes: list[tuple[str, str]] = field(default_factory=list)


def plan(providers: list[Provider], existing_practices: dict[str, dict],
         taken_practices: set[str], taken_physicians: set[str]) -> Plan:
    """The files to write: a practice per new practice location, a physician per provider.
    ``existing_practices``: the site's practices (id -> their data) for address matches."""
    out = Plan()
    by_address: dict[tuple[str, str], str] = {}
    for pid, data in sorted(existing_practices.items()):
        street, z = str(data.get("address") or ""), str(data.get("zip") or "")
        if street and z:
            by_address.setdefault(address_key(street, z), pid)
    new_by_key: dict[tuple, str] = {}
    for p in providers:
        street = ", ".join(x for x in (p.address_1, p.address_2) if x)
        key = address_key(street, p.zip)
        practice = by_address.get(key) if key[0] else None
        if practice is not None:
            out.reused[practice] = out.reused.get(practice, 0) + 1
        else:
            full_key = (key, re.sub(r"\D", "", p.phone)) if key[0] else ("npi", p.npi)
            practice = new_by_key.get(full_key)
            if practice is None:
                city = title_case(p.city)
                line_1 = title_case(p.address_1) or "Practice"
                practice = unique_id(slug(f"{line_1} {city}"), taken_practices)
                new_by_key[full_key] = practice
                values = {"name": f"{line_1}, {city}" if city else line_1}
                if street:
                    values["address"] = title_case(street)
                if city:
                    values["city"] = city
                if p.state:
                    values["state"] = p.state
                if p.zip:
                    values["zip"] = zip_code(p.zip)
                if p.phone:
                    values["phone"] = phone(p.phone)
                values["tags"] = [TAG]
                values["notes"] = ("Created by `liaison import nppes` from the NPI registry's "
                                   "practice location of its physicians: give it the office's "
                                   "name.")
                out.practices.append(NewFile(f"data/practices/{practice}.yaml", "practices",
                                             values, p.line))
        first, last = title_case(p.first), title_case(p.last)
        middle = f" {title_case(p.middle)[0]}." if p.middle.strip() else ""
        suffix = f" {p.suffix.strip().title().rstrip('.')}" if p.suffix.strip() else ""
        if suffix.strip() in ("Jr", "Sr"):
            suffix += "."
        name = f"{first}{middle} {last}{suffix}".strip()
        pid = unique_id(slug(f"{first} {last}"), taken_physicians, p.npi[-4:])
        values = {"name": name}
        cred = credentials(p.credential)
        if cred:
            values["credentials"] = cred
        values.update({"npi": p.npi, "specialty": taxonomy.name(p.taxonomy) if p.taxonomy
                       else "Not given in the NPI registry",
                       "practice": practice, "tags": [TAG]})
        out.physicians.append(NewFile(f"data/physicians/{pid}.yaml", "physicians", values,
                                      p.line))
    return out


# ------------------------------------------------------------------------------ writing


def texts(new: Plan, source: str) -> list[tuple[NewFile, str]]:
    """Each new file with its text (practices first: the physicians name them)."""
    from liaison.scaffold.yamltext import render

    out = []
    for f in new.practices + new.physicians:
        header = [f"{f.model.__name__}: {f.values['name']}",
                  f"Imported by `liaison import nppes` from {source}, row {f.line}.",
                  "Fields left as comments are for you to fill in."]
        out.append((f, render(f.model, f.values, header)))
    return out


def verify(root: Path, files: list[tuple[NewFile, str]], source: str) -> None:
    """Each text read back through the loader's parsers and models; ImportProblem when one
    does not validate (a bug of the writer, or a value the registry wrote that the records
    do not allow), before anything is written: at the line of ``source`` (the registry file)
    its provider came from, naming the file it would have written."""
    from liaison.load import Loader

    loader = Loader(root)
    for f, text in files:
        loader.records(f.rel, loader.parse(f.rel, raw=text.encode("utf-8")),
                       lambda data, m=f.model, rel=f.rel: loader.validate(m, data, rel))
        errors = [p for p in loader.problems if p.severity != "warning"]  # validate's too
        if errors:
            p = errors[0]
            raise ImportProblem(f"{source}:{f.line}: {f.rel}: {p.message}; nothing written")


def write(root: Path, files: list[tuple[NewFile, str]]) -> list[str]:
    """Write every file by exclusive creation (never replacing one); the paths written."""
    from liaison.scaffold.readback import write_new

    written = []
    for f, text in files:
        write_new(root, f.rel, text)
        written.append(f.rel)
    return written


def _name_key(name) -> tuple[str, str] | None:
    """A name's first and last words as search reads them, titles and credentials left out:
    "Dr. Teagan McAllister, MD" and "Teagan J. McAllister" are one key."""
    from liaison.search import terms

    words = terms(name) if isinstance(name, str) else ()
    return (words[0], words[-1]) if len(words) > 1 else None


def _npis_in(path: Path) -> set[str]:
    """The NPIs (ten digits) a file's text holds."""
    try:
        raw = path.read_bytes()
    except OSError:
        return set()
    return {m.decode() for m in re.findall(rb"(?<![0-9])[0-9]{10}(?![0-9])", raw)}


_SKIP_WORD = re.compile(r"\S+")


def read_skip_list(path: Path) -> frozenset[str]:
    """The NPIs of a skip list: a text file of NPIs (ten digits), any number a line, with
    ``#`` comments (your own clinicians, the prospects you deleted: no import adds them
    again). ImportProblem at the first word that is not an NPI."""
    name = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ImportProblem(f"{name}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ImportProblem(f"{name}:1: not UTF-8 text: a skip list is NPIs, one a line") from None
    npis = set()
    for number, line in enumerate(text.splitlines(), 1):
        for m in _SKIP_WORD.finditer(line.split("#", 1)[0]):
            word = m.group()
            if not (len(word) == 10 and word.isascii() and word.isdigit()):
                raise ImportProblem(f"{name}:{number}:{m.start() + 1}: '{word[:40]}' is not an "
                                    f"NPI (ten digits){npi_spreadsheet_hint(word)}; a skip list "
                                    "holds NPIs, one a line, and # comments")
            npis.add(word)
    return frozenset(npis)


def run(root: Path, path: Path, filters: Filters, dry_run: bool = False,
        echo: Callable[[str], None] = print, progress: Callable[[int], None] | None = None,
        skip: frozenset[str] = frozenset()):
    """The whole import; the plan and the counts. Prints what it writes (or would).
    ``skip``: NPIs never to import (``read_skip_list``)."""
    from liaison.scaffold.existing import Existing

    site = Existing(root)
    known_npis: dict[str, str] = {}  # NPI -> the physician's file
    without_npi = {}  # the site's physicians without an NPI, by their name's key
    for _pid, rel in sorted(site.ids("physicians").items()):
        data = site.data(rel)
        if isinstance(data, dict):
            if data.get("npi") is not None:
                known_npis.setdefault(str(data["npi"]).strip(), rel)
            elif key := _name_key(data.get("name")):
                without_npi.setdefault(key, rel)
        else:  # a file that does not read (validate says why): its physician is in the site
            for npi in sorted(_npis_in(root / rel)):  # all the same, not to be imported again
                known_npis.setdefault(npi, rel)
    existing = {pid: data for pid, _rel, data in site.records("practices")}
    providers, counts = read(path, filters, known_npis, progress, skip)
    new = plan(providers, existing, set(site.ids("practices")), set(site.ids("physicians")))
    new.namesakes = [(f.rel, without_npi[key]) for f in new.physicians
                     if (key := _name_key(f.values["name"])) in without_npi]
    files = texts(new, path.name)
    verify(root, files, str(path))
    if dry_run:
        for f, _text in files:
            echo(f"would write {f.rel}  ({f.values['name']})")
    else:
        for rel in write(root, files):
            echo(f"wrote {rel}")
    return new, counts
