"""Market data: Medicare volumes by provider and procedure code (``data/market/``).

One file per data year, ``data/market/medicare-YYYY.yaml``, written by
`liaison import cms-utilization` from the CMS data set "Medicare Physician & Other
Practitioners - by Provider and Service" (and, for each provider's total Medicare
beneficiaries, its companion "by Provider"). The format is ours (SPEC §1 leaves files outside
its kinds to us): ``MarketFile`` below, documented in docs/file-formats.md.

The stages meet it in one place each: ``load`` reads and checks every file of the folder
(the pipeline calls it once, with the core records loaded) and keeps the files on
``site.market``, newest year first; the pages read them through ``liaison.pages.volume``.
CMS leaves out every row of fewer than 11 beneficiaries, so a provider or a code that is not
in a file is "fewer than 11, or none", never zero: nothing here fills a missing value.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import BeforeValidator, Field

from liaison.diagnostics import Problem
from liaison.discover import YAML_EXT, regular_files
from liaison.models import (
    DATE_MAX, DATE_MIN, OptText, Record, Text, _npi, describe, parse_date,
)

FOLDER = "data/market"
NAME_RE = re.compile(r"^medicare-([0-9]{4})$")
CODE_RE = re.compile(r"^([0-9]{5}|[A-Z][0-9]{4}|[0-9]{4}[A-Z])$")
YEARS = (2000, 2099)
THRESHOLD = 11  # CMS publishes a provider's row for a code only from this many beneficiaries
DATASET = "Medicare Physician & Other Practitioners - by Provider and Service"
CAVEAT = (f"CMS lists a provider's code only when at least {THRESHOLD} beneficiaries had it: "
          "fewer, or none, is not in the file, so a missing code is not a zero.")


def _count(value):
    """A whole number ≥ 0. The exact YAML path hands over digits as text: they count too."""
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value.strip()):
        value = int(value.strip())
    if type(value) is not int:
        raise ValueError(f"expected a whole number (0 or more), got {describe(value)}")
    if value < 0:
        raise ValueError(f"{value} is negative: a count is 0 or more")
    return value


def _year(value):
    value = _count(value)
    if not YEARS[0] <= value <= YEARS[1]:
        raise ValueError(f"{value} is not a data year ({YEARS[0]} to {YEARS[1]})")
    return value


def _date(value):
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        if not DATE_MIN <= value <= DATE_MAX:
            raise ValueError(f"'{value.isoformat()}' is out of range")
        return value
    if isinstance(value, str):
        return parse_date(value.strip())
    raise ValueError(f"expected a date (YYYY-MM-DD), got {describe(value)}")


def _code(value):
    if type(value) is int:  # an unquoted code of five digits
        value = f"{value:05d}"
    if not isinstance(value, str):
        raise ValueError(f"expected a HCPCS code (like \"36475\"), got {describe(value)}")
    value = value.strip().upper()
    if not CODE_RE.match(value):
        raise ValueError(f"'{value}' is not a HCPCS code: five digits (36475), a letter and "
                         "four digits (G0439), or four digits and a letter (0524T)")
    return value


def _zip_prefix(value):
    if type(value) is int:
        value = str(value)
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{1,5}", value.strip()):
        raise ValueError(f"expected a ZIP code prefix (1 to 5 digits), got {describe(value)}")
    return value.strip()


Count = Annotated[int, BeforeValidator(_count), Field(json_schema_extra={"minimum": 0})]
OptCount = Annotated[int | None, BeforeValidator(lambda v: None if v is None else _count(v))]
Npi = Annotated[str, BeforeValidator(_npi)]
Code = Annotated[str, BeforeValidator(_code)]
Label = OptText


class CodeName(Record):
    code: Code = Field(description="A HCPCS / CPT code the import kept.")
    name: Label = Field(None, description="Its description, as CMS writes it.")


class Volume(Record):
    code: Code = Field(description="A HCPCS / CPT code.")
    beneficiaries: Count = Field(
        description="Medicare beneficiaries who had it from this provider in the year (office "
                    "and facility rows summed).")
    services: Count = Field(description="Services billed (rounded to a whole number).")


class Provider(Record):
    npi: Npi = Field(description="The rendering provider's NPI.")
    name: Text = Field(description="The name, as CMS writes it.")
    credentials: Label = Field(None, description="Credentials, as CMS writes them.")
    type: Label = Field(None, description="CMS's provider type (its specialty).")
    city: Label = Field(None, description="City of the provider's address.")
    state: Label = Field(None, description="State (two letters).")
    zip: Label = Field(None, description="ZIP code (five digits).")
    beneficiaries: OptCount = Field(
        None, description="All the provider's Medicare beneficiaries in the year (the \"by "
                          "Provider\" file); absent when that file was not imported.")
    codes: list[Volume] = Field(default_factory=list,
                                description="The chosen codes the provider billed for at least "
                                            "11 beneficiaries; a code missing had fewer, or none.")


class MarketFile(Record):
    year: Annotated[int, BeforeValidator(_year)] = Field(description="The data year (the claims' year).")
    dataset: Text = Field(description="The CMS data set.")
    source: Text = Field(description="The file imported.")
    providers_source: Label = Field(None, description="The \"by Provider\" file imported, if any.")
    imported: Annotated[dt.date, BeforeValidator(_date)] = Field(description="The day of the import.")
    codes: Annotated[list[CodeName], Field(min_length=1)] = Field(
        description="The procedure codes kept.")
    near_cities: list[Text] = Field(
        default_factory=list, description="\"City, ST\" of the site's practices: nearby.")
    near_zips: list[Annotated[str, BeforeValidator(_zip_prefix)]] = Field(
        default_factory=list, description="ZIP code prefixes counted as nearby.")
    excluded: list[Npi] = Field(default_factory=list,
                                description="NPIs left out (our own clinicians).")
    providers: list[Provider] = Field(default_factory=list,
                                      description="The site's physicians and the nearby "
                                                  "providers billing the codes.")


@dataclass
class YearData:
    """One market file, read and checked: its records by NPI."""

    rel: str
    data: MarketFile
    by_npi: dict[str, Provider] = field(default_factory=dict)

    @property
    def year(self) -> int:
        return self.data.year

    def __post_init__(self):
        self._cities = frozenset(c.upper() for c in self.data.near_cities)
        self._zips = tuple(self.data.near_zips)

    def near(self, p: Provider) -> bool:
        """Whether a provider is where the site's practices are (as the import defined it)."""
        if p.city and p.state and f"{p.city}, {p.state}".upper() in self._cities:
            return True
        return bool(p.zip and self._zips and p.zip.startswith(self._zips))


def load(site, cache=None) -> list[Problem]:
    """Read and check every file of ``data/market/`` into ``site.market`` (newest year first;
    a file with errors is left out); the problems, placed later like any other."""
    from liaison.parse import Loader

    loader = Loader(site.root, cache)
    years: dict[int, str] = {}
    out = []
    for rel in regular_files(site.root, FOLDER, recursive=False):
        name = rel.rsplit("/", 1)[-1]
        if name == "README.md" or not name.lower().endswith(YAML_EXT):
            continue
        stem = name.rsplit(".", 1)[0]
        match = NAME_RE.match(stem)
        if not match:
            loader.error(rel, f"file name: a market file is named medicare-YYYY.yaml (its data "
                              f"year), not '{name}'", line=1, col=1)
            continue
        data = loader.records(rel, loader.parse(rel),
                              lambda d, rel=rel: _build(loader, rel, d))
        if data is None:
            continue
        if data.year != int(match.group(1)):
            loader.error(rel, f"year: {data.year} is not the year of the file name ({stem})",
                         loc=("year",))
            continue
        if data.year in years:
            loader.error(rel, f"year: {years[data.year]} holds {data.year} already",
                         loc=("year",))
            continue
        years[data.year] = rel
        out.append(YearData(rel, data, {p.npi: p for p in data.providers}))
    site.market = sorted(out, key=lambda y: -y.year)
    return loader.problems


def _build(loader, rel: str, data) -> MarketFile | None:
    if data is None or data == {} or data == []:
        loader.error(rel, "the file holds nothing: a market file needs year, source, codes "
                          "and providers")
        return None
    record = loader.validate(MarketFile, data, rel)
    if record is None:
        return None
    codes = {c.code for c in record.codes}
    seen: dict[str, int] = {}
    bad = False
    for i, p in enumerate(record.providers):
        if p.npi in seen:
            loader.error(rel, f"providers[{i}].npi: '{p.npi}' is listed already "
                              f"(providers[{seen[p.npi]}])", loc=("providers", i, "npi"))
            bad = True
        seen.setdefault(p.npi, i)
        taken = set()
        for j, v in enumerate(p.codes):
            where = ("providers", i, "codes", j, "code")
            if v.code not in codes:
                loader.error(rel, f"providers[{i}].codes[{j}].code: '{v.code}' is not one of "
                                  f"the file's codes ({', '.join(sorted(codes))})", loc=where)
                bad = True
            elif v.code in taken:
                loader.error(rel, f"providers[{i}].codes[{j}].code: '{v.code}' is listed "
                                  "twice for this provider", loc=where)
                bad = True
            taken.add(v.code)
    return None if bad else record
