"""A CMS NPPES NPI registry file in its exact layout (the 330 columns of the monthly
"npidata_pfile", every value double-quoted, CRLF line ends), with invented providers.

    python bench/nppes.py OUT.csv --rows 1000000 [--seed 1]
    python bench/nppes.py --time OUT.csv --root SITE [--state NC ...]   # time `import nppes`

Standard library only. The same rows and seed give the same bytes. Rows: ~85% individuals
(entity type 1), the others organizations; ~2% deactivated (a quarter of them reactivated);
states, ZIP codes and taxonomies drawn from small lists so that filters match a known share.
"""
from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from pathlib import Path
from generate import npi_check_digit  # bench/generate.py: the NPI rule, written once

HEADER = [
    "NPI", "Entity Type Code", "Replacement NPI", "Employer Identification Number (EIN)",
    "Provider Organization Name (Legal Business Name)", "Provider Last Name (Legal Name)",
    "Provider First Name", "Provider Middle Name", "Provider Name Prefix Text",
    "Provider Name Suffix Text", "Provider Credential Text", "Provider Other Organization Name",
    "Provider Other Organization Name Type Code", "Provider Other Last Name",
    "Provider Other First Name", "Provider Other Middle Name", "Provider Other Name Prefix Text",
    "Provider Other Name Suffix Text", "Provider Other Credential Text",
    "Provider Other Last Name Type Code", "Provider First Line Business Mailing Address",
    "Provider Second Line Business Mailing Address", "Provider Business Mailing Address City Name",
    "Provider Business Mailing Address State Name",
    "Provider Business Mailing Address Postal Code",
    "Provider Business Mailing Address Country Code (If outside U.S.)",
    "Provider Business Mailing Address Telephone Number",
    "Provider Business Mailing Address Fax Number",
    "Provider First Line Business Practice Location Address",
    "Provider Second Line Business Practice Location Address",
    "Provider Business Practice Location Address City Name",
    "Provider Business Practice Location Address State Name",
    "Provider Business Practice Location Address Postal Code",
    "Provider Business Practice Location Address Country Code (If outside U.S.)",
    "Provider Business Practice Location Address Telephone Number",
    "Provider Business Practice Location Address Fax Number", "Provider Enumeration Date",
    "Last Update Date", "NPI Deactivation Reason Code", "NPI Deactivation Date",
    "NPI Reactivation Date", "Provider Sex Code", "Authorized Official Last Name",
    "Authorized Official First Name", "Authorized Official Middle Name",
    "Authorized Official Title or Position", "Authorized Official Telephone Number",
]
for _i in range(1, 16):
    HEADER += [f"Healthcare Provider Taxonomy Code_{_i}", f"Provider License Number_{_i}",
               f"Provider License Number State Code_{_i}",
               f"Healthcare Provider Primary Taxonomy Switch_{_i}"]
for _i in range(1, 51):
    HEADER += [f"Other Provider Identifier_{_i}", f"Other Provider Identifier Type Code_{_i}",
               f"Other Provider Identifier State_{_i}", f"Other Provider Identifier Issuer_{_i}"]
HEADER += ["Is Sole Proprietor", "Is Organization Subpart", "Parent Organization LBN",
           "Parent Organization TIN", "Authorized Official Name Prefix Text",
           "Authorized Official Name Suffix Text", "Authorized Official Credential Text"]
HEADER += [f"Healthcare Provider Taxonomy Group_{_i}" for _i in range(1, 16)]
HEADER += ["Certification Date"]
assert len(HEADER) == 330
COLUMN = {name: i for i, name in enumerate(HEADER)}


def npi_with_check_digit(nine: str) -> str:
    """Nine digits and their NPI check digit."""
    return nine + str(npi_check_digit(nine))


def quoted(fields: list[str]) -> str:
    """One row as the registry writes it: every value double-quoted, CRLF."""
    return ",".join('"' + f.replace('"', '""') + '"' for f in fields) + "\r\n"


def row(values: dict[str, str]) -> list[str]:
    """A 330-field row with ``values`` (column name -> text) and the rest empty."""
    fields = [""] * len(HEADER)
    for name, value in values.items():
        fields[COLUMN[name]] = value
    return fields


_FIRST = ["ALDEN", "BRISA", "CORVIN", "DALIA", "EZRA", "FENNA", "GARRICK", "HALLIE", "IVOR",
          "JUNO", "KESTREL", "LIORA", "MARLO", "NESSA", "ORRIN", "PELLA", "QUILL", "ROWAN",
          "SABLE", "TAVI", "ULANI", "VESPER", "WYNN", "XANTHE", "YARROW", "ZEPH"]
_LAST = ["ABERNOTT", "BRIXLEY", "CALDWYN", "DUNMORROW", "ELLISTER", "FARRINGALE", "GOLDTHRAP",
         "HAVERLOCK", "IRONWELL", "JESSAMINE", "KETTLEBY", "LOWENDAHL", "MARROWAY", "NETHERCOTT",
         "OAKSHOTT", "PENDRAKE", "QUARRELL", "ROOKWOOD", "SALTMARSH", "THORNBURY", "UPFIELD",
         "VANTREE", "WHISTLEDOWN", "YELVERTON", "ZOLLINGER"]
_STREETS = ["ORCHARD", "MILLRACE", "QUARRY", "LANTERN", "HEMLOCK", "BRAMBLE", "TANNERY",
            "SILO", "FERRY", "CHAPEL"]
_KINDS = ["STREET", "AVENUE", "ROAD", "DRIVE", "HIGHWAY"]
_PLACES = [("NC", "287", "ASHBROOK"), ("NC", "288", "FENWICK"), ("SC", "296", "LARKSPUR"),
           ("TN", "377", "MOSSGROVE"), ("MA", "021", "QUINCEBURY"), ("NJ", "070", "ELDERVALE"),
           ("OR", "972", "CEDARHOLM"), ("TX", "750", "DRYCREEK")]
_TAXONOMIES = [("207Q00000X", "MD"), ("207R00000X", "M.D."), ("213E00000X", "DPM"),
               ("207V00000X", "MD"), ("207RC0000X", "MD, FACC"), ("363LF0000X", "FNP-C"),
               ("2084N0400X", "DO"), ("207RN0300X", "D.O."), ("163WW0000X", "RN, CWCN"),
               ("2086S0129X", "MD")]


def generate(out: Path, rows: int, seed: int = 1) -> int:
    rng = random.Random(seed)
    used: set[str] = set()
    written = 0
    with open(out, "w", encoding="utf-8", newline="") as fh:
        fh.write(quoted(HEADER))
        for n in range(rows):
            while True:
                npi = npi_with_check_digit(str(rng.randrange(100_000_000, 200_000_000)))
                if npi not in used:
                    used.add(npi)
                    break
            state, zip3, city = rng.choice(_PLACES)
            zip9 = f"{zip3}{rng.randrange(0, 100):02d}{rng.randrange(0, 10000):04d}"
            street = (f"{rng.randrange(1, 9999)} {rng.choice(_STREETS)} {rng.choice(_KINDS)}")
            phone = f"{rng.randrange(200, 999)}555{rng.randrange(0, 10000):04d}"
            values = {"NPI": npi, "Provider Enumeration Date": "05/23/2007",
                      "Last Update Date": "07/08/2026",
                      "Provider First Line Business Practice Location Address": street,
                      "Provider Business Practice Location Address City Name": city,
                      "Provider Business Practice Location Address State Name": state,
                      "Provider Business Practice Location Address Postal Code": zip9,
                      "Provider Business Practice Location Address Country Code (If outside U.S.)": "US",
                      "Provider Business Practice Location Address Telephone Number": phone,
                      "Provider First Line Business Mailing Address": street,
                      "Provider Business Mailing Address City Name": city,
                      "Provider Business Mailing Address State Name": state,
                      "Provider Business Mailing Address Postal Code": zip9,
                      "Provider Business Mailing Address Country Code (If outside U.S.)": "US"}
            code, cred = rng.choice(_TAXONOMIES)
            if rng.random() < 0.15:
                values.update({"Entity Type Code": "2",
                               "Provider Organization Name (Legal Business Name)":
                                   f"{city} {rng.choice(_STREETS)} CLINIC LLC",
                               "Healthcare Provider Taxonomy Code_1": "261QM1300X",
                               "Healthcare Provider Primary Taxonomy Switch_1": "Y"})
            else:
                values.update({"Entity Type Code": "1",
                               "Provider Last Name (Legal Name)": rng.choice(_LAST),
                               "Provider First Name": rng.choice(_FIRST),
                               "Provider Middle Name": rng.choice(["", "A", "LEE", "M"]),
                               "Provider Credential Text": cred,
                               "Provider Sex Code": rng.choice("FM"),
                               "Healthcare Provider Taxonomy Code_1": code,
                               "Provider License Number_1": f"L{rng.randrange(10000, 99999)}",
                               "Provider License Number State Code_1": state,
                               "Healthcare Provider Primary Taxonomy Switch_1": "Y",
                               "Is Sole Proprietor": rng.choice("NY")})
                if rng.random() < 0.3:
                    values.update({"Healthcare Provider Taxonomy Code_2": "208D00000X",
                                   "Healthcare Provider Primary Taxonomy Switch_2": "N"})
            if rng.random() < 0.02:
                if rng.random() < 0.25:  # reactivated: the row keeps its data
                    values.update({"NPI Deactivation Date": "03/14/2025",
                                   "NPI Reactivation Date": "09/02/2025"})
                else:  # deactivated: the registry keeps the NPI and the date only
                    values = {"NPI": npi, "NPI Deactivation Date": "03/14/2025"}
            fh.write(quoted(row(values)))
            written += 1
    return written


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time", action="store_true",
                    help="time `import nppes --dry-run` of OUT on --root (after writing it "
                         "unless it exists)")
    ap.add_argument("--root", type=Path)
    ap.add_argument("--state", action="append", default=[])
    a = ap.parse_args()
    if a.time and a.root is None:
        ap.error("--time needs --root (the site root the import runs on)")
    if not a.out.exists():
        t = time.perf_counter()
        n = generate(a.out, a.rows, a.seed)
        print(f"{a.out}: {n:,} rows, {a.out.stat().st_size / 2**20:,.0f} MiB "
              f"in {time.perf_counter() - t:.1f} s")
    if a.time:
        args = [str(a.out), "--root", str(a.root), "--dry-run"]
        for s in a.state:
            args += ["--state", s]
        return time_import("nppes", args, a.out)
    return 0


def time_import(kind: str, args: list[str], rows_file: Path) -> int:
    """Time ``build.py import KIND ARGS`` (``--dry-run``) under /usr/bin/time: print its last two
    lines (what it would write; elapsed, processor time, peak memory) and the rows of
    ``rows_file`` (less its header) read a second; 1 when the import fails."""
    build = Path(__file__).resolve().parent.parent / "build.py"
    cmd = ["/usr/bin/time", "-f", "%e s elapsed, %U s user, %S s system, %M KB peak resident",
           sys.executable, str(build), "import", kind, *args]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        return 1
    print("\n".join(proc.stderr.strip().splitlines()[-2:]))
    rows = sum(1 for _ in open(rows_file, "rb")) - 1
    print(f"{rows:,} rows in {wall:.1f} s: {rows / wall:,.0f} rows a second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
