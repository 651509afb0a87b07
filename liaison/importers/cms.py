"""`import cms-utilization FILE…`: Medicare volumes per provider and procedure code, into
``data/market/medicare-YYYY.yaml`` (the format: ``liaison.market``).

The public data set is CMS's "Medicare Physician & Other Practitioners - by Provider and
Service": one CSV per data year (about 10 million rows), file names like
``MUP_PHY_R24_P05_V10_D22_Prov_Svc.csv`` (D22: data year 2022), one row per rendering provider,
HCPCS code and place of service. Its columns, in order (confirmed against the CMS data
dictionary as published code and documentation quote it):

    Rndrng_NPI, Rndrng_Prvdr_Last_Org_Name, Rndrng_Prvdr_First_Name, Rndrng_Prvdr_MI,
    Rndrng_Prvdr_Crdntls, Rndrng_Prvdr_Gndr, Rndrng_Prvdr_Ent_Cd, Rndrng_Prvdr_St1,
    Rndrng_Prvdr_St2, Rndrng_Prvdr_City, Rndrng_Prvdr_State_Abrvtn, Rndrng_Prvdr_State_FIPS,
    Rndrng_Prvdr_Zip5, Rndrng_Prvdr_RUCA, Rndrng_Prvdr_RUCA_Desc, Rndrng_Prvdr_Cntry,
    Rndrng_Prvdr_Type, Rndrng_Prvdr_Mdcr_Prtcptg_Ind, HCPCS_Cd, HCPCS_Desc, HCPCS_Drug_Ind,
    Place_Of_Srvc, Tot_Benes, Tot_Srvcs, Tot_Bene_Day_Srvcs, Avg_Sbmtd_Chrg,
    Avg_Mdcr_Alowd_Amt, Avg_Mdcr_Pymt_Amt, Avg_Mdcr_Stdzd_Amt

Rows of fewer than 11 beneficiaries are suppressed (absent); a count written as left out
(empty, ``*``, ``#``, ``<11``: ``_SUPPRESSED``) is taken as such a row, never as a number. A provider may have two rows for
one code, Place_Of_Srvc F (facility) and O (office): they are summed. The companion "by
Provider" file (``…_Prov.csv``) has one row per provider: the same Rndrng_ columns up to
Rndrng_Prvdr_Mdcr_Prtcptg_Ind, then Tot_HCPCS_Cds, Tot_Benes, Tot_Srvcs, Tot_Sbmtd_Chrg, …
and the Drug_, Med_ and Bene_ columns; its Tot_Benes is the provider's total of Medicare
beneficiaries. Columns are read by name (in any case, with spaces or underscores:
``header_index``), so their order and the others do not matter; each
FILE's layout is recognised from its header (HCPCS_Cd: by Provider and Service; Tot_HCPCS_Cds:
by Provider). One by-Provider-and-Service file is required, a by-Provider file is optional.

What is kept (memory holds only that, never the file):

* every row of the chosen codes of the **site's physicians** (prospects included), found by
  NPI wherever they practise, and each of them present in the file even without such a row
  (their total of beneficiaries, when the by-Provider file is given): "in the file, no code
  above the threshold" is not "not in the file";
* the rows of the chosen codes of **nearby providers** (the competition): a provider whose
  city and state are those of one of the site's practices, or whose ZIP code starts with a
  ``--near-zip`` prefix;
* nothing of ``--exclude`` NPIs (our own clinicians).

Two steps, so that a malformed file writes nothing: read (every row's shape checked, numbers of
kept rows checked), then write one file by exclusive creation. A year's file that exists is
left alone: the same content (import date aside) is "nothing to do"; other content is refused.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import MAX_PREC, ROUND_HALF_UP, Context, Decimal
from pathlib import Path
from typing import Callable, Iterable

from liaison.importers import (
    PROGRESS_EVERY, ImportProblem, cell_place, csv_records, fields_problem, hcpcs,
    header_index, named_groups, not_csv, option_values, undecodable_line,
)
from liaison.importers.nppes import credentials, title_case
from liaison.market import DATASET, FOLDER
from liaison.models import npi_check_digit_ok

NPI = "Rndrng_NPI"
LAST = "Rndrng_Prvdr_Last_Org_Name"
FIRST = "Rndrng_Prvdr_First_Name"
MIDDLE = "Rndrng_Prvdr_MI"
CREDENTIALS = "Rndrng_Prvdr_Crdntls"
ENTITY = "Rndrng_Prvdr_Ent_Cd"
CITY = "Rndrng_Prvdr_City"
STATE = "Rndrng_Prvdr_State_Abrvtn"
ZIP = "Rndrng_Prvdr_Zip5"
TYPE = "Rndrng_Prvdr_Type"
CODE = "HCPCS_Cd"
DESCRIPTION = "HCPCS_Desc"
PLACE = "Place_Of_Srvc"
BENES = "Tot_Benes"
SERVICES = "Tot_Srvcs"
PROVIDER_MARK = "Tot_HCPCS_Cds"  # only the by-Provider file has it

PROVIDER_FIELDS = (NPI, LAST, FIRST, MIDDLE, CREDENTIALS, ENTITY, CITY, STATE, ZIP, TYPE)
SERVICE_COLUMNS = PROVIDER_FIELDS + (CODE, DESCRIPTION, PLACE, BENES, SERVICES)
PROVIDER_COLUMNS = PROVIDER_FIELDS + (PROVIDER_MARK, BENES)
BY_SERVICE, BY_PROVIDER = "by Provider and Service", "by Provider"

_YEAR_IN_NAME = re.compile(r"_D([0-9]{2})_")
_NUMBER = re.compile(r"^[0-9]+(\.[0-9]+)?$")
_GROUPED = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")  # 1,234 (a spreadsheet's)
# A count CMS (or a spreadsheet) leaves out: empty, "*" or "#" (its suppression marks), "<11"
_SUPPRESSED = re.compile(r"^(\*|#|<\s*[0-9]+)?$")


@dataclass(frozen=True)
class Options:
    codes: tuple[str, ...]
    near_zips: tuple[str, ...] = ()
    excluded: frozenset[str] = frozenset()
    year: int | None = None

    @classmethod
    def of(cls, codes: Iterable[str] = (), procedures: Iterable[str] = (),
           near_zips: Iterable[str] = (), excluded: Iterable[str] = (),
           year: int | None = None) -> "Options":
        """Options from command-line values; ValueError names a bad one. Without a code or a
        group, the codes of a vein clinic (``--procedures vein``)."""
        from liaison.market import CODE_RE

        chosen = set(option_values(
            "--hcpcs", codes, CODE_RE, "a HCPCS code (five digits like 36475, a letter and "
            "four digits like G0439, or 0524T)", upper=True))
        procedures = list(procedures)
        if not procedures and not chosen:
            procedures = [hcpcs.DEFAULT_GROUP]
        chosen |= named_groups("--procedures", procedures, hcpcs.GROUPS)
        zips = set(option_values("--near-zip", near_zips, r"[0-9]{1,5}",
                                 "a ZIP code prefix (1 to 5 digits)"))
        npis = set(option_values("--exclude", excluded, r"[0-9]{10}", "a valid NPI",
                                 valid=npi_check_digit_ok))
        if year is not None and not 2000 <= year <= 2099:
            raise ValueError(f"--year: {year} is not a data year (2000 to 2099)")
        return cls(tuple(sorted(chosen)), tuple(sorted(zips)), frozenset(npis), year)


def earlier_codes(root: Path) -> tuple[str, tuple[str, ...]] | None:
    """The codes of the site's newest market file (its path and codes), or None: an import
    without --hcpcs or --procedures keeps them, so that a sleep center's yearly import, run as
    the README writes it, does not switch to the vein default. A file that does not read is
    left to `validate`."""
    import yaml

    from liaison.market import NAME_RE

    years = sorted((p for p in (root / FOLDER).glob("medicare-*.yaml") if NAME_RE.match(p.stem)),
                   key=lambda p: p.stem, reverse=True)
    for path in years:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            codes = tuple(str(c["code"]) for c in data["codes"])
        except (OSError, UnicodeError, yaml.YAMLError, TypeError, KeyError):
            continue
        if codes:
            return f"{FOLDER}/{path.name}", codes
    return None


@dataclass
class Found:
    """One provider as kept: what CMS writes of them, their codes' sums."""

    npi: str
    name: str
    credentials: str
    type: str
    city: str
    state: str
    zip: str
    in_site: bool
    beneficiaries: int | None = None
    codes: dict[str, list] = field(default_factory=dict)  # code -> [beneficiaries, services]
    at: str = ""  # ``file:line`` of the row their name and place were read from


@dataclass
class Counts:
    rows: int = 0           # rows of the by-Provider-and-Service file
    provider_rows: int = 0  # rows of the by-Provider file
    kept_rows: int = 0      # code rows kept (F and O rows counted apart)
    elsewhere: int = 0      # a code row of a provider neither of the site nor nearby
    excluded: int = 0
    bad_npi: int = 0
    suppressed: int = 0     # a code row whose count is left out ("*", "<11", empty)


@dataclass
class Result:
    rel: str
    text: str
    status: str  # "written" | "would write" | "unchanged"
    site_found: int
    site_total: int
    nearby: int
    counts: Counts


# ------------------------------------------------------------------------------ files


def layout(path: Path) -> str:
    """BY_SERVICE or BY_PROVIDER, from the file's header; ImportProblem for another file."""
    header = _header(path)
    if CODE in header:
        return BY_SERVICE
    if PROVIDER_MARK in header:
        return BY_PROVIDER
    raise not_csv(path, str(path)) or ImportProblem(
        f"{path}:1: not a CMS Medicare Physician & Other Practitioners file "
                        f"(by Provider and Service, or by Provider): no column '{CODE}' or "
                        f"'{PROVIDER_MARK}'")


def _header(path: Path) -> dict[str, int]:
    try:
        with open(path, "rb") as fh:
            line = fh.readline().decode("utf-8-sig")
    except OSError as exc:
        raise ImportProblem(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise not_csv(path, str(path)) or ImportProblem(f"{path}:1: not UTF-8 text") from None
    try:
        names = next(csv.reader([line], strict=True), None)
    except csv.Error as exc:
        raise not_csv(path, str(path)) or ImportProblem(
            f"{path}:1: not a readable CSV header: {exc}") from None
    if not names:
        raise ImportProblem(f"{path}:1: empty file: expected the CMS header row")
    return header_index(names, SERVICE_COLUMNS + PROVIDER_COLUMNS)


def data_year(paths: list[Path], given: int | None) -> int:
    """The data year: ``_Dyy_`` in the file names, else ``given`` (``--year``)."""
    named = {}
    for p in paths:
        m = _YEAR_IN_NAME.search(p.name)
        if m:
            named[p.name] = 2000 + int(m.group(1))
    years = set(named.values())
    if len(years) > 1:
        raise ImportProblem("the files are of different data years: " + ", ".join(
            f"{n} ({y})" for n, y in sorted(named.items())))
    if years:
        year = years.pop()
        if given is not None and given != year:
            raise ImportProblem(f"--year {given} is not the data year of the file name "
                                f"({year}, from its _D{year % 100:02d}_)")
        return year
    if given is None:
        raise ImportProblem("the data year is not in the file name (like _D22_ for 2022): "
                            "give it with --year YYYY")
    return given


# ------------------------------------------------------------------------------ reading


def _records(fh, name: str, width: int, wanted, counts: list, at: list, progress):
    """The records after the header as text (a quoted value may span lines), those that
    ``wanted(text, pieces)`` refuses left out (``pieces``: the text split at every comma, a
    cheap look at the values), each record's number of fields checked all the same.
    ``counts[0]``: records read; ``at``: the line the record yielded starts on, its text."""
    commas = width - 1
    for start, text in csv_records(fh, name):
        counts[0] += 1
        if progress is not None and counts[0] % PROGRESS_EVERY == 0:
            progress(counts[0])
        pieces = text.split(",")
        if not wanted(text, pieces):
            # commas outside quotes (a doubled quote inside a value toggles twice): one less
            # than the fields, without parsing the record
            n = len(pieces) - 1 if '"' not in text else \
                sum(part.count(",") for part in text.split('"')[::2])
            if n != commas:
                raise fields_problem(name, name, start, n + 1, width)
            continue
        at[0], at[1] = start, text
        yield text


def _rows(path: Path, columns: tuple[str, ...], wanted, progress, what: str):
    """(index, rows, counter, place): the header's columns, the rows of the records
    ``wanted`` lets through, read as a stream, the record count (in the counter once the
    generator is done), and ``place(column)``, where the current row's value of that column
    stands (``path:line:col``, for an error; ``place()``: the row's ``path:line``)."""
    index = _header(path)
    missing = [c for c in columns if c not in index]
    name = str(path)
    if missing:
        raise ImportProblem(f"{name}:1: not the CMS {what} layout: no column '{missing[0]}'"
                            + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
    width = max(index.values()) + 1
    counter, at = [0], [1, ""]

    def gen():
        with open(path, encoding="utf-8-sig", newline="") as fh:
            try:
                fh.readline()
                for row in csv.reader(_records(fh, name, width, wanted, counter, at, progress),
                                      strict=True):
                    if len(row) != width:
                        raise fields_problem(path, name, at[0], len(row), width)
                    yield row
            except csv.Error as exc:
                raise ImportProblem(f"{name}:{at[0]}: not a readable CSV row: {exc}") from None
            except UnicodeDecodeError as exc:
                raise ImportProblem(f"{name}:{undecodable_line(path)}: not UTF-8 text "
                                    f"(byte {exc.object[exc.start:exc.start + 1]!r})") from None

    def place(column: str | None = None) -> str:
        if column is None:
            return f"{name}:{at[0]}"
        return cell_place(name, at[0], at[1], index[column])

    return index, gen(), counter, place


def _number(text: str, column: str, place, whole: bool) -> Decimal | None:
    """The count of a value; None when it is left out (``_SUPPRESSED``); ImportProblem for
    another text, at ``place(column)``. Thousands separators ("1,234") are allowed."""
    text = text.strip()
    if _SUPPRESSED.match(text):
        return None
    if _GROUPED.match(text):
        text = text.replace(",", "")
    ok = _NUMBER.match(text) is not None
    if ok and whole and Decimal(text) != Decimal(text).to_integral_value():
        ok = False
    if not ok:
        kind = "a whole number" if whole else "a number"
        raise ImportProblem(f"{place(column)}: {column}: '{text}' is not {kind}")
    return Decimal(text)


def _who(row, ix) -> tuple[str, str, str, str, str, str]:
    """(name, credentials, type, city, state, zip) as people write them."""
    last, first, middle = (row[ix[c]].strip() for c in (LAST, FIRST, MIDDLE))
    org = row[ix[ENTITY]].strip().upper() == "O"
    if org or not first:
        name = last
    else:
        name = " ".join(x for x in (first, f"{middle}." if middle else "", last) if x)
    if name.isupper():
        name = title_case(name)
        if org:
            name = _org_words(name)
    city = row[ix[CITY]].strip()
    return (name, credentials(row[ix[CREDENTIALS]]), row[ix[TYPE]].strip(),
            title_case(city) if city.isupper() else city, row[ix[STATE]].strip().upper(),
            row[ix[ZIP]].strip()[:5])


# An organization's name written in capitals (CMS's files of some years), title-cased: its
# legal forms and initials stay in capitals and its small words go to lower case ("VEIN AND
# LASER INSTITUTE OF ASHEVILLE PLLC" is "Vein and Laser Institute of Asheville PLLC", not
# "Vein And Laser Institute Of Asheville Pllc").
# "Center of NC", not "Center of Nc"; and the initials of the specialties a practice using
# Liaison may be, whose competitors are "Ridgeton ENT Associates", "Advanced MRI and
# Orthopedic Center", "Heart and EP Associates", not "Ent", "Mri", "Ep". The state codes that
# are also words or particles (IN, OR, ME, HI, OK, OH, DE, LA, AL) are left out.
_ORG_UPPER = {"LLC", "PLLC", "PC", "PA", "LLP", "LP", "MD", "DO", "USA", "II", "III", "IV",
              "ENT", "MRI", "ASC", "EP", "CT", "GI", "OB", "ER", "ICU", "PET", "ECG", "EKG",
              "EEG", "DME",
              "AK", "AZ", "AR", "CA", "CO", "DC", "FL", "GA", "ID", "IL", "IA", "KS",
              "KY", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
              "NY", "NC", "ND", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
              "WI", "WY"}
_ORG_LOWER = {"And", "Of", "The", "For", "At", "In", "On", "To"}


def _org_words(name: str) -> str:
    words = []
    for n, word in enumerate(name.split(" ")):
        if word.strip(".,").replace(".", "").upper() in _ORG_UPPER:
            word = word.upper()  # "Pllc" -> "PLLC", "P.a." -> "P.A."
        elif n and word in _ORG_LOWER:
            word = word.lower()
        words.append(word)
    return " ".join(words)


def _has_npi(pieces: list[str], npis, first: bool) -> bool:
    """Whether a record's NPI may be one of ``npis``, from its text split at every comma: its
    first piece when the NPI is the first column (CMS's order), else any piece (columns are
    read by name: a file of another order is only slower)."""
    if first:
        return pieces[0].strip('"') in npis
    return any(p.strip().strip('"') in npis for p in pieces)


def _valid_npi(npi: str) -> bool:
    return len(npi) == 10 and npi.isascii() and npi.isdigit() and npi_check_digit_ok(npi)


def read(service_file: Path, provider_file: Path | None, options: Options,
         site_npis: set[str], near_cities: set[str],
         progress: Callable[[int], None] | None = None
         ) -> tuple[dict[str, Found], dict[str, str], Counts]:
    """The providers kept (by NPI), the codes' descriptions as CMS writes them, the counts."""
    counts = Counts()
    codes = set(options.codes)
    found: dict[str, Found] = {}
    described: dict[str, str] = {}
    near_zips = options.near_zips
    # A record may matter when its NPI is a site's NPI or one of its values is a
    # chosen code (plain or quoted): a set lookup per comma-separated piece. A code that
    # happens to stand in another value only costs a full parse.
    needles = frozenset(codes) | {f'"{c}"' for c in codes}

    first = _header(service_file).get(NPI) == 0

    def wanted(text: str, pieces: list[str]) -> bool:
        return _has_npi(pieces, site_npis, first) or not needles.isdisjoint(pieces)

    name = str(service_file)
    ix, rows, counter, place = _rows(service_file, SERVICE_COLUMNS, wanted, progress, BY_SERVICE)
    i_npi, i_code = ix[NPI], ix[CODE]
    i_city, i_state, i_zip = ix[CITY], ix[STATE], ix[ZIP]
    last_npi, last_ok = None, False  # a provider's rows follow each other
    for row in rows:
        npi = row[i_npi].strip()
        if npi != last_npi:
            last_npi, last_ok = npi, _valid_npi(npi)
        if not last_ok:
            counts.bad_npi += 1
            continue
        if npi in options.excluded:
            counts.excluded += 1
            continue
        code = row[i_code].strip().upper()
        ours = npi in site_npis
        if not ours and code not in codes:
            continue
        p = found.get(npi)
        if p is None and not ours:
            city = f"{row[i_city].strip()}, {row[i_state].strip()}".upper()
            if city not in near_cities and not (
                    near_zips and row[i_zip].strip().startswith(near_zips)):
                counts.elsewhere += 1
                continue
        benes = services = None
        if code in codes:
            benes = _number(row[ix[BENES]], BENES, place, whole=True)
            services = _number(row[ix[SERVICES]], SERVICES, place, whole=False)
            if benes is None or services is None:  # no figure: as if the row were not there
                counts.suppressed += 1
                benes = services = None
        if p is None:
            if benes is None and not ours:
                continue
            p = found[npi] = Found(npi, *_who(row, ix), in_site=ours, at=place())
        if benes is not None:
            sums = p.codes.setdefault(code, [0, Decimal(0)])
            sums[0] += int(benes)
            sums[1] = _EXACT.add(sums[1], services)  # (+= rounds to 28 digits)
            counts.kept_rows += 1
            described.setdefault(code, row[ix[DESCRIPTION]].strip())
    counts.rows = counter[0]
    if not counts.rows:
        raise _header_alone(name)

    if provider_file is not None:
        name = str(provider_file)
        npi_first = _header(provider_file).get(NPI) == 0
        ix, rows, counter, place = _rows(provider_file, PROVIDER_COLUMNS,
                                  lambda t, pieces: _has_npi(pieces, site_npis, npi_first)
                                  or _has_npi(pieces, found, npi_first), progress, BY_PROVIDER)
        for row in rows:
            npi = row[ix[NPI]].strip()
            if npi in options.excluded:
                continue
            benes = _number(row[ix[BENES]], BENES, place, whole=True)
            if benes is None:  # not given for this provider
                continue
            benes = int(benes)
            p = found.get(npi)
            if p is None:  # a physician of the site with no row of the chosen codes
                p = found[npi] = Found(npi, *_who(row, ix), in_site=True, at=place())
            p.beneficiaries = benes
        counts.provider_rows = counter[0]
        if not counts.provider_rows:
            raise _header_alone(name)
    return found, described, counts


def _header_alone(name: str) -> ImportProblem:
    """A file of its header alone would write a year of no provider (its briefs "not in the
    file" for everyone): a download cut short, or an extract filtered down to nothing."""
    return ImportProblem(f"{name}:1: only the header, no row: nothing written (a download cut "
                         "short, or an extract that kept no row? download the file again)")


# ------------------------------------------------------------------------------ writing


def _q(text: str) -> str:
    """A YAML scalar in double quotes (JSON's string syntax is YAML's)."""
    return json.dumps(text, ensure_ascii=False)


_EXACT = Context(prec=MAX_PREC)  # sums of services exact, at any size


def _whole(d: Decimal) -> int:
    return int(d.to_integral_value(rounding=ROUND_HALF_UP))  # any size (quantize: 28 digits)


def text(year: int, service_file: str, provider_file: str | None, imported: dt.date,
         options: Options, near_cities: list[str], found: dict[str, Found],
         described: dict[str, str]) -> str:
    """The market file's text (deterministic: providers by state, city, name, NPI)."""
    out = [
        f"# Medicare volumes of data year {year}, written by `liaison import cms-utilization`.",
        "# The build shows them on physician and practice briefs and on prospects/.",
        "# CMS lists a provider's code only when at least 11 beneficiaries had it: a code or a",
        "# provider missing here had fewer, or none (never read that as zero).",
        "# Do not edit: to replace it, delete it and import again (git keeps this one).",
        f"year: {year}",
        f"dataset: {_q(DATASET)}",
        f"source: {_q(service_file)}",
    ]
    if provider_file:
        out.append(f"providers_source: {_q(provider_file)}")
    out.append(f"imported: {imported.isoformat()}")
    out.append("codes:")
    for c in options.codes:
        desc = described.get(c) or hcpcs.NAMES.get(c)
        out.append(f"  - {{code: {_q(c)}" + (f", name: {_q(desc)}" if desc else "") + "}")
    out.append("near_cities: [" + ", ".join(_q(c) for c in near_cities) + "]")
    out.append("near_zips: [" + ", ".join(_q(z) for z in options.near_zips) + "]")
    out.append("excluded: [" + ", ".join(_q(n) for n in sorted(options.excluded)) + "]")
    ordered = sorted(found.values(), key=lambda p: (p.state, p.city.upper(), p.name.upper(),
                                                   p.npi))
    out.append("providers:" if ordered else "providers: []")
    for p in ordered:
        out.append(f"  - npi: {_q(p.npi)}")
        out.append(f"    name: {_q(p.name or p.npi)}")
        for key, value in (("credentials", p.credentials), ("type", p.type),
                           ("city", p.city), ("state", p.state), ("zip", p.zip)):
            if value:
                out.append(f"    {key}: {_q(value)}")
        if p.beneficiaries is not None:
            out.append(f"    beneficiaries: {p.beneficiaries}")
        if p.codes:
            out.append("    codes:")
            for c in sorted(p.codes):
                benes, services = p.codes[c]
                out.append(f"      - {{code: {_q(c)}, beneficiaries: {benes}, "
                           f"services: {_whole(services)}}}")
    return "\n".join(out) + "\n"


_IMPORTED = re.compile(r"^imported: ([0-9]{4}-[0-9]{2}-[0-9]{2})$", re.M)


_PROVIDER_LINE = re.compile(r'^  - npi: "([0-9]+)"$', re.M)  # as ``text`` writes it


def verify(root: Path, rel: str, content: str, found: dict[str, Found]) -> None:
    """The text read back through ``liaison.market``'s own checks; ImportProblem if it does
    not pass (a value CMS wrote that the format does not allow), before anything is written:
    a provider's value at the CMS file's line it was read from, naming the file it would have
    written."""
    from liaison.market import _build
    from liaison.parse import Loader

    loader = Loader(root)
    loader.records(rel, loader.parse(rel, raw=content.encode("utf-8")),
                   lambda d: _build(loader, rel, d))
    errors = [p for p in loader.problems if p.severity != "warning"]  # validate's too
    if errors:
        p = errors[0]
        at = ""
        if p.loc and len(p.loc) > 1 and p.loc[0] == "providers" and isinstance(p.loc[1], int):
            npis = _PROVIDER_LINE.findall(content)
            if p.loc[1] < len(npis) and npis[p.loc[1]] in found:
                at = found[npis[p.loc[1]]].at + ": "
        raise ImportProblem(f"{at}{rel}: {p.message}; nothing written")


def run(root: Path, files: list[Path], options: Options, dry_run: bool = False,
        today: dt.date | None = None, progress: Callable[[int], None] | None = None) -> Result:
    """The whole import: read, write (or not). ``today``: the import date written."""
    from liaison.scaffold.existing import Existing
    from liaison.scaffold.readback import write_new

    by = {BY_SERVICE: [], BY_PROVIDER: []}
    for f in files:
        by[layout(f)].append(f)
    if len(by[BY_SERVICE]) != 1 or len(by[BY_PROVIDER]) > 1:
        raise ImportProblem(
            "give one file of the \"by Provider and Service\" data set (…_Prov_Svc.csv) and at "
            "most one of the \"by Provider\" data set (…_Prov.csv); got "
            f"{len(by[BY_SERVICE])} and {len(by[BY_PROVIDER])}")
    service_file = by[BY_SERVICE][0]
    provider_file = by[BY_PROVIDER][0] if by[BY_PROVIDER] else None
    year = data_year(files, options.year)

    site = Existing(root)
    site_npis = {str(data["npi"]).strip() for _pid, _rel, data in site.records("physicians")
                 if data.get("npi") is not None}
    cities = {}
    for _pid, _rel, data in site.records("practices"):
        city, state = str(data.get("city") or "").strip(), str(data.get("state") or "").strip()
        if city and state:
            cities.setdefault(f"{city}, {state}".upper(), f"{city}, {state.upper()}")
    near_cities = [cities[k] for k in sorted(cities)]

    found, described, counts = read(service_file, provider_file, options, site_npis,
                                    set(cities), progress)
    if not found:  # another state's or data set's file: written, it would be the newest year
        n = len(site_npis)
        raise ImportProblem(
            f"{service_file}: none of the site's {n:,} physician{'' if n == 1 else 's'} with an "
            "NPI and no provider nearby: nothing written (a file of another state, or an "
            "extract of other codes?)")
    content = text(year, service_file.name, provider_file.name if provider_file else None,
                   today or dt.date.today(), options, near_cities, found, described)
    rel = f"{FOLDER}/medicare-{year}.yaml"
    verify(root, rel, content, found)
    site_found = sum(1 for p in found.values() if p.in_site)
    nearby = len(found) - site_found
    result = Result(rel, content, "would write" if dry_run else "written", site_found,
                    len(site_npis), nearby, counts)
    existing = [root / FOLDER / f"medicare-{year}{ext}" for ext in (".yaml", ".yml")]
    for path in existing:
        if not path.exists():
            continue
        old = path.read_bytes().decode("utf-8", errors="replace")
        m = _IMPORTED.search(old)
        same = m is not None and old == _IMPORTED.sub(f"imported: {m.group(1)}", content, 1)
        shown = f"{FOLDER}/{path.name}"
        if same:
            result.rel, result.status = shown, "unchanged"
            return result
        raise ImportProblem(
            f"{shown} exists and differs from what this import would write (edited by hand, "
            "or imported from other files, codes or places): nothing written. To replace it, "
            f"delete it (git rm {shown}) and run the import again; git keeps the old one.")
    if not dry_run:
        write_new(root, rel, content)
    return result
