"""Medicare volumes on the pages (``data/market/``, read by ``liaison.market``): what a
physician's and a practice's brief show, the volume column of ``prospects/`` and the
competition list beside it. Not a page family: helpers of briefs and prospects, computed once
per process (``view.caches``), so that templates only display.

Every figure says its year and the CMS threshold; a physician who is not in the newest file
shows "not in the file" (fewer than 11 beneficiaries for each code, or not billing Medicare),
never a zero; a physician without an NPI cannot be matched and says so.
"""
from __future__ import annotations

from liaison.importers import hcpcs
from liaison.market import CAVEAT, THRESHOLD, YearData
from liaison.pages.base import count, physician_href
from liaison.pages.view import SiteView

SOURCE = "CMS Medicare Part B, fee-for-service"


def _years(view: SiteView) -> list[YearData]:
    return getattr(view.site, "market", None) or []


def _names(year: YearData) -> dict[str, str]:
    return {c.code: hcpcs.name(c.code, c.name or "") for c in year.data.codes}


def _npis(view: SiteView) -> dict[str, str]:
    """NPI -> physician id, once per process."""
    npis = view.caches.get("volume_npis")
    if npis is None:
        npis = view.caches["volume_npis"] = {
            d.npi: pid for pid, d in sorted(view.site.physicians.items()) if d.npi}
    return npis


def _codes(year: YearData, provider) -> list[dict]:
    names = _names(year)
    return [_code_row(v.code, names.get(v.code, v.code), v.beneficiaries, v.services)
            for v in sorted(provider.codes, key=lambda v: (-v.beneficiaries, v.code))]


def _code_row(code: str, name: str, beneficiaries: int, services: int) -> dict:
    return {"code": code, "name": name, "beneficiaries": beneficiaries, "services": services,
            "beneficiaries_text": count(beneficiaries), "services_text": count(services)}


def physician(view: SiteView, pid: str) -> dict | None:
    """A physician brief's Medicare card (None when the site has no market file): the newest
    year in detail, the earlier years in a line each."""
    years = _years(view)
    if not years:
        return None
    d = view.site.physicians[pid]
    latest = years[0]
    out = {"year": latest.year, "source": SOURCE, "caveat": CAVEAT, "npi": bool(d.npi),
           "found": False, "total": None, "total_text": "", "codes": [], "codes_total": 0,
           "earlier": [], "missing": [], "no_npi": [], "summed": "",
           "codes_asked": len(latest.data.codes)}
    if not d.npi:
        out["text"] = "No NPI on file: add the physician's NPI to match the Medicare data."
        return out
    p = latest.by_npi.get(d.npi)
    if p is None:
        out["text"] = (f"Not in CMS's {latest.year} file: fewer than {THRESHOLD} Medicare "
                       "beneficiaries for each of the codes, or none.")
    else:
        out["found"] = True
        out["total"] = p.beneficiaries
        out["total_text"] = count(p.beneficiaries) if p.beneficiaries is not None else ""
        out["codes"] = _codes(latest, p)
        out["codes_total"] = sum(c["beneficiaries"] for c in out["codes"])
        out["text"] = ("" if p.codes else
                       f"In the {latest.year} file, with none of the {len(latest.data.codes)} "
                       f"codes for {THRESHOLD} beneficiaries or more.")
    for y in years[1:]:
        q = y.by_npi.get(d.npi)
        if q is None:
            out["earlier"].append({"year": y.year, "text": "not in the file"})
        else:
            n = sum(v.beneficiaries for v in q.codes)
            parts = []
            if q.beneficiaries is not None:
                parts.append(f"{count(q.beneficiaries)} Medicare beneficiaries")
            parts.append(f"{count(n)} on our procedure codes" if q.codes
                         else "none of our procedure codes")  # ("on the codes": which?)
            out["earlier"].append({"year": y.year, "text": ", ".join(parts)})
    return out


def practice(view: SiteView, pids: list[str]) -> dict | None:
    """A practice brief's Medicare card: the sums over its physicians found in the newest
    file, per code, and who of them is not in it."""
    years = _years(view)
    if not years:
        return None
    latest = years[0]
    names = _names(latest)
    sums: dict[str, list[int]] = {}
    total, with_total, found, missing, no_npi = 0, 0, 0, [], []
    for pid in pids:
        d = view.site.physicians[pid]
        p = latest.by_npi.get(d.npi) if d.npi else None
        if p is None:
            (missing if d.npi else no_npi).append(d.name)
            continue
        found += 1
        if p.beneficiaries is not None:
            total += p.beneficiaries
            with_total += 1
        for v in p.codes:
            s = sums.setdefault(v.code, [0, 0])
            s[0] += v.beneficiaries
            s[1] += v.services
    codes = [_code_row(c, names.get(c, c), s[0], s[1])
             for c, s in sorted(sums.items(), key=lambda kv: (-kv[1][0], kv[0]))]
    n = len(pids)
    # without a code: which of its physicians the file was searched for (an NPI on file), and
    # with what result; those without an NPI were not searched for (the "no NPI" line)
    text = "" if codes else (
        f"None of the {len(latest.data.codes)} codes for {THRESHOLD} beneficiaries or more."
        if found else "No physician on file." if not n
        else f"None of its physicians with an NPI on file is in CMS's {latest.year} file."
        if missing and no_npi else f"None of its physicians is in CMS's {latest.year} file."
        if missing else "")
    return {"year": latest.year, "source": SOURCE, "caveat": CAVEAT, "physicians": n,
            "found": found, "missing": missing, "total": total if with_total else None,
            "total_text": count(total) if with_total else "",
            "summed": f"summed over {with_total} of {n} physician{'s' if n != 1 else ''}",
            "no_npi": no_npi,
            "codes": codes, "codes_total": sum(c["beneficiaries"] for c in codes),
            "text": text, "earlier": []}


def prospect(view: SiteView, pid: str) -> dict | None:
    """The volume of a row of prospects/: its sort value (the physician's Medicare
    beneficiaries, else those of the codes; -1 when not in the file) and its text."""
    years = _years(view)
    if not years:
        return None
    latest = years[0]
    d = view.site.physicians[pid]
    p = latest.by_npi.get(d.npi) if d.npi else None
    if p is None:
        return {"sort": -1, "value": None, "text": "no NPI" if not d.npi else "not in the file",
                "codes_total": 0}
    codes_total = sum(v.beneficiaries for v in p.codes)
    codes_text = f"{count(codes_total)} on our procedure codes" if p.codes else ""
    if p.beneficiaries is not None:
        return {"sort": p.beneficiaries, "value": p.beneficiaries, "codes_total": codes_total,
                "text": f"{count(p.beneficiaries)} beneficiaries", "codes_text": codes_text}
    if p.codes:
        return {"sort": codes_total, "value": codes_total, "codes_total": codes_total,
                "text": codes_text, "codes_text": ""}
    # in the file, no code for 11 beneficiaries or more and no total: not a zero either
    return {"sort": 0, "value": None, "codes_total": 0, "codes_text": "",
            "text": f"in the file, no code for {THRESHOLD} or more"}


def rank_value(view: SiteView, pid: str) -> int:
    """What ranks prospects of one potential by volume (higher first; unknown last)."""
    v = prospect(view, pid)
    return -1 if v is None else v["sort"]


def competition(view: SiteView) -> dict | None:
    """The providers of the newest file who bill the codes where the site's practices are,
    by city (then by their beneficiaries on the codes): those not among the site's physicians
    are leads for `import nppes`."""
    years = _years(view)
    if not years:
        return None
    latest = years[0]
    npis = _npis(view)
    excluded = set(latest.data.excluded)
    cities: dict[str, list[dict]] = {}
    for p in latest.data.providers:
        if not p.codes or p.npi in excluded or not latest.near(p):
            continue
        pid = npis.get(p.npi)
        codes = _codes(latest, p)
        d = view.site.physicians[pid] if pid else None
        row = {"npi": p.npi, "name": d.name if d else p.name,
               "credentials": (d.credentials or "") if d else (p.credentials or ""),
               "type": p.type or "",
               "href": physician_href(pid) if pid else None, "lead": pid is None,
               "beneficiaries": sum(c["beneficiaries"] for c in codes),
               "services": sum(c["services"] for c in codes), "codes": codes,
               "beneficiaries_text": count(sum(c["beneficiaries"] for c in codes)),
               "zip": p.zip or ""}
        cities.setdefault(f"{p.city}, {p.state}" if p.city and p.state else "(no city)",
                          []).append(row)
    groups = []
    for city in sorted(cities, key=str.upper):
        rows = sorted(cities[city], key=lambda r: (-r["beneficiaries"], r["name"], r["npi"]))
        total = sum(r["beneficiaries"] for r in rows)
        groups.append({"city": city, "providers": rows, "beneficiaries": total,
                       "beneficiaries_text": count(total)})
    return {"year": latest.year, "source": SOURCE, "caveat": CAVEAT,
            "codes": [{"code": c, "name": n} for c, n in _names(latest).items()],
            "near": ", ".join(list(latest.data.near_cities)
                              + [f"ZIP {z}…" for z in latest.data.near_zips]) or "nowhere",
            "cities": groups, "providers": sum(len(g["providers"]) for g in groups),
            "leads": sum(1 for g in groups for r in g["providers"] if r["lead"])}
