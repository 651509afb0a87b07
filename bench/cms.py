"""CMS "Medicare Physician & Other Practitioners" files in their exact layouts, with invented
providers: the "by Provider and Service" file (29 columns, one row per provider, HCPCS code
and place of service) and its "by Provider" companion.

    python bench/cms.py OUT_Prov_Svc.csv --rows 1000000 [--seed 1] [--providers-out OUT_Prov.csv]
    python bench/cms.py --time OUT_Prov_Svc.csv --root SITE [--near-zip 287 ...]

``--time`` runs `import cms-utilization --dry-run` on OUT (and --providers-out when given)
and prints its processor time and peak memory (what /usr/bin/time reports).

Standard library only; the same rows and seed give the same bytes. Values are quoted only
where CSV needs it (a description or the RUCA text holding a comma), CRLF line ends. About 4
providers in 100 bill vein procedures, and a few cardiologists and radiologists the vein
ultrasound (about 3 rows in 100 are of a vein code); providers sit in eight cities, so that
``--near-zip 980`` matches about one in eight.
"""
from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from pathlib import Path
from nppes import npi_with_check_digit, time_import  # bench/nppes.py

SERVICE_HEADER = [
    "Rndrng_NPI", "Rndrng_Prvdr_Last_Org_Name", "Rndrng_Prvdr_First_Name", "Rndrng_Prvdr_MI",
    "Rndrng_Prvdr_Crdntls", "Rndrng_Prvdr_Gndr", "Rndrng_Prvdr_Ent_Cd", "Rndrng_Prvdr_St1",
    "Rndrng_Prvdr_St2", "Rndrng_Prvdr_City", "Rndrng_Prvdr_State_Abrvtn",
    "Rndrng_Prvdr_State_FIPS", "Rndrng_Prvdr_Zip5", "Rndrng_Prvdr_RUCA",
    "Rndrng_Prvdr_RUCA_Desc", "Rndrng_Prvdr_Cntry", "Rndrng_Prvdr_Type",
    "Rndrng_Prvdr_Mdcr_Prtcptg_Ind", "HCPCS_Cd", "HCPCS_Desc", "HCPCS_Drug_Ind",
    "Place_Of_Srvc", "Tot_Benes", "Tot_Srvcs", "Tot_Bene_Day_Srvcs", "Avg_Sbmtd_Chrg",
    "Avg_Mdcr_Alowd_Amt", "Avg_Mdcr_Pymt_Amt", "Avg_Mdcr_Stdzd_Amt",
]
assert len(SERVICE_HEADER) == 29
# The by-Provider file: the provider's columns, the totals, then the drug / medical split and
# the beneficiaries' demographics (the Bene_CC_ chronic-condition columns, which vary by
# release, are abbreviated here: the importer reads columns by name).
PROVIDER_HEADER = SERVICE_HEADER[:18] + [
    "Tot_HCPCS_Cds", "Tot_Benes", "Tot_Srvcs", "Tot_Sbmtd_Chrg", "Tot_Mdcr_Alowd_Amt",
    "Tot_Mdcr_Pymt_Amt", "Tot_Mdcr_Stdzd_Amt", "Drug_Sprsn_Ind", "Drug_Tot_HCPCS_Cds",
    "Drug_Tot_Benes", "Drug_Tot_Srvcs", "Drug_Sbmtd_Chrg", "Drug_Mdcr_Alowd_Amt",
    "Drug_Mdcr_Pymt_Amt", "Drug_Mdcr_Stdzd_Amt", "Med_Sprsn_Ind", "Med_Tot_HCPCS_Cds",
    "Med_Tot_Benes", "Med_Tot_Srvcs", "Med_Sbmtd_Chrg", "Med_Mdcr_Alowd_Amt",
    "Med_Mdcr_Pymt_Amt", "Med_Mdcr_Stdzd_Amt", "Bene_Avg_Age", "Bene_Age_LT_65_Cnt",
    "Bene_Age_65_74_Cnt", "Bene_Age_75_84_Cnt", "Bene_Age_GT_84_Cnt", "Bene_Feml_Cnt",
    "Bene_Male_Cnt", "Bene_Race_Wht_Cnt", "Bene_Race_Black_Cnt", "Bene_Race_API_Cnt",
    "Bene_Race_Hspnc_Cnt", "Bene_Race_NatInd_Cnt", "Bene_Race_Othr_Cnt", "Bene_Dual_Cnt",
    "Bene_Ndual_Cnt", "Bene_CC_PH_Diabetes_V2_Pct", "Bene_CC_PH_HF_NonIHD_V2_Pct",
    "Bene_Avg_Risk_Scre",
]
SERVICE_COLUMN = {name: i for i, name in enumerate(SERVICE_HEADER)}
PROVIDER_COLUMN = {name: i for i, name in enumerate(PROVIDER_HEADER)}


def service_row(values: dict[str, str]) -> list[str]:
    fields = [""] * len(SERVICE_HEADER)
    for name, value in values.items():
        fields[SERVICE_COLUMN[name]] = value
    return fields


def provider_row(values: dict[str, str]) -> list[str]:
    fields = [""] * len(PROVIDER_HEADER)
    for name, value in values.items():
        fields[PROVIDER_COLUMN[name]] = value
    return fields


def writer(fh):
    return csv.writer(fh, lineterminator="\r\n")


_FIRST = ["Alden", "Brisa", "Corvin", "Dalia", "Ezra", "Fenna", "Garrick", "Hallie", "Ivor",
          "Juno", "Kestrel", "Liora", "Marlo", "Nessa", "Orrin", "Pella", "Rowan", "Sable"]
_LAST = ["Abernott", "Brixley", "Caldwyn", "Dunmorrow", "Ellister", "Farringale", "Goldthrap",
         "Haverlock", "Ironwell", "Jessamine", "Kettleby", "Lowendahl", "Marroway", "Nethercott"]
_PLACES = [("NC", "37", "287", "Ashbrook"), ("NC", "37", "288", "Fenwick"),
           ("SC", "45", "296", "Larkspur"), ("TN", "47", "377", "Mossgrove"),
           ("MA", "25", "021", "Quincebury"), ("OR", "41", "972", "Cedarholm"),
           ("TX", "48", "750", "Drycreek"), ("WA", "53", "980", "Alder Falls")]
_TYPES = ["Family Practice", "Internal Medicine", "Podiatry", "Cardiology", "Vascular Surgery",
          "Diagnostic Radiology", "Nurse Practitioner", "Interventional Radiology"]
_OTHER = [("99213", "Established patient office or other outpatient visit, 20-29 minutes"),
          ("99214", "Established patient office or other outpatient visit, 30-39 minutes"),
          ("99203", "New patient office or other outpatient visit, 30-44 minutes"),
          ("36415", "Insertion of needle into vein for collection of blood sample"),
          ("G0439", "Annual wellness visit, includes a personalized prevention plan of service "
                    "(pps), subsequent visit"),
          ("93000", "Routine EKG using at least 12 leads including interpretation and report"),
          ("11721", "Removal of tissue from 6 or more finger or toe nails"),
          ("J1030", "Injection, methylprednisolone acetate, 40 mg")]
_VEIN = [("36475", "Destruction of insufficient vein of arm or leg, accessed through the skin"),
         ("36478", "Destruction of insufficient vein of arm or leg, accessed through the skin "
                   "using laser"),
         ("36482", "Destruction of insufficient vein of arm or leg, accessed through the skin "
                   "using chemical adhesive"),
         ("36471", "Injection of sclerosant into multiple veins of one leg"),
         ("37765", "Removal of varicose veins of leg using stab incisions, 10-20 incisions"),
         ("93970", "Ultrasound scanning of veins of both arms or legs including assessment of "
                   "compression and other maneuvers"),
         ("93971", "Ultrasound scanning of veins of one arm or leg including assessment of "
                   "compression and other maneuvers")]


def generate(out: Path, rows: int, seed: int = 1, providers_out: Path | None = None) -> int:
    """Write ``rows`` service rows (and, with ``providers_out``, one provider row each)."""
    rng = random.Random(seed)
    used: set[str] = set()
    written = 0
    pf = open(providers_out, "w", encoding="utf-8", newline="") if providers_out else None
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = writer(fh)
        w.writerow(SERVICE_HEADER)
        pw = writer(pf) if pf else None
        if pw:
            pw.writerow(PROVIDER_HEADER)
        while written < rows:
            while True:
                npi = npi_with_check_digit(str(rng.randrange(100_000_000, 200_000_000)))
                if npi not in used:
                    used.add(npi)
                    break
            state, fips, zip3, city = rng.choice(_PLACES)
            org = rng.random() < 0.05
            # about 4 providers in 100 bill vein procedures (vascular surgeons, interventional
            # radiologists), and some cardiologists and radiologists the vein ultrasound
            kind = rng.choice(_TYPES[4:5] + _TYPES[7:]) if rng.random() < 0.04 else \
                rng.choice(_TYPES[:4] + _TYPES[5:7])
            who = {"Rndrng_NPI": npi,
                   "Rndrng_Prvdr_Last_Org_Name": (f"{city} Vein Center LLC" if org
                                                  else rng.choice(_LAST)),
                   "Rndrng_Prvdr_First_Name": "" if org else rng.choice(_FIRST),
                   "Rndrng_Prvdr_MI": "" if org else rng.choice(["", "A", "M"]),
                   "Rndrng_Prvdr_Crdntls": "" if org else rng.choice(["M.D.", "MD", "DO",
                                                                       "DPM", "NP"]),
                   "Rndrng_Prvdr_Gndr": "" if org else rng.choice("FM"),
                   "Rndrng_Prvdr_Ent_Cd": "O" if org else "I",
                   "Rndrng_Prvdr_St1": f"{rng.randrange(1, 9999)} Orchard Rd",
                   "Rndrng_Prvdr_City": city, "Rndrng_Prvdr_State_Abrvtn": state,
                   "Rndrng_Prvdr_State_FIPS": fips,
                   "Rndrng_Prvdr_Zip5": f"{zip3}{rng.randrange(0, 100):02d}",
                   "Rndrng_Prvdr_RUCA": "1",
                   "Rndrng_Prvdr_RUCA_Desc": "Metropolitan area core: primary flow within an "
                                             "urbanized area of 50,000 and greater",
                   "Rndrng_Prvdr_Cntry": "US", "Rndrng_Prvdr_Type": kind,
                   "Rndrng_Prvdr_Mdcr_Prtcptg_Ind": "Y"}
            vein = kind in ("Vascular Surgery", "Interventional Radiology")
            duplex = kind in ("Cardiology", "Diagnostic Radiology") and rng.random() < 0.2
            pool = _OTHER + (_VEIN if vein else _VEIN[-2:] if duplex else [])
            total_benes = 0
            for code, desc in rng.sample(pool, rng.randrange(3, len(pool) + 1)):
                for place in ("O", "F") if rng.random() < 0.3 else (rng.choice("OF"),):
                    if written >= rows:
                        break
                    benes = rng.randrange(11, 400)
                    total_benes += benes
                    services = benes + rng.randrange(0, 200)
                    w.writerow(service_row({
                        **who, "HCPCS_Cd": code, "HCPCS_Desc": desc,
                        "HCPCS_Drug_Ind": "Y" if code.startswith("J") else "N",
                        "Place_Of_Srvc": place, "Tot_Benes": str(benes),
                        "Tot_Srvcs": f"{services}.5" if code.startswith("J") else str(services),
                        "Tot_Bene_Day_Srvcs": str(services),
                        "Avg_Sbmtd_Chrg": f"{rng.uniform(50, 900):.2f}",
                        "Avg_Mdcr_Alowd_Amt": f"{rng.uniform(20, 400):.8f}",
                        "Avg_Mdcr_Pymt_Amt": f"{rng.uniform(20, 300):.8f}",
                        "Avg_Mdcr_Stdzd_Amt": f"{rng.uniform(20, 300):.8f}"}))
                    written += 1
            if pw:
                pw.writerow(provider_row({
                    **who, "Tot_HCPCS_Cds": str(rng.randrange(3, 60)),
                    "Tot_Benes": str(total_benes + rng.randrange(0, 500)),
                    "Tot_Srvcs": str(total_benes * 3), "Tot_Sbmtd_Chrg": "123456.00",
                    "Bene_Avg_Age": "73", "Bene_Avg_Risk_Scre": "1.2"}))
    if pf:
        pf.close()
    return written


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--providers-out", type=Path)
    ap.add_argument("--time", action="store_true",
                    help="time `import cms-utilization --dry-run` of OUT on --root (after "
                         "writing it unless it exists)")
    ap.add_argument("--root", type=Path)
    ap.add_argument("--near-zip", action="append", default=[])
    ap.add_argument("--year", type=int, default=2024,
                    help="the data year given to the import (OUT's name has none)")
    a = ap.parse_args()
    if a.time and a.root is None:
        ap.error("--time needs --root (the site root the import runs on)")
    if not a.out.exists():
        t = time.perf_counter()
        n = generate(a.out, a.rows, a.seed, a.providers_out)
        print(f"{a.out}: {n:,} rows, {a.out.stat().st_size / 2**20:,.0f} MiB "
              f"in {time.perf_counter() - t:.1f} s")
    if a.time:
        args = [str(a.out), *([str(a.providers_out)] if a.providers_out else []),
                "--root", str(a.root), "--dry-run", "--year", str(a.year)]
        for z in a.near_zip:
            args += ["--near-zip", z]
        return time_import("cms-utilization", args, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
