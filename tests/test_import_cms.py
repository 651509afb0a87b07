"""`import cms-utilization` (issue 14, part 2) on tests/fixtures/cms/: invented providers in
the exact layouts of CMS's "Medicare Physician & Other Practitioners - by Provider and
Service" and "- by Provider" files (written by make.py beside them, one provider per rule),
imported into a copy of the worked example (practices in Asheville and Hendersonville, NC);
the market file's checks in `validate`; what the pages show."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import cli, run_validate
from test_validate import at

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "cms"
SERVICES = FIXTURES / "MUP_PHY_R24_P05_V10_D22_Prov_Svc.csv"
PROVIDERS = FIXTURES / "MUP_PHY_R24_P05_V10_D22_Prov.csv"
MARKET = "data/market/medicare-2022.yaml"
AS_OF = "2026-11-26"
DAY = "1764115200"  # 2025-11-26 00:00 UTC: the import date written

GRACE, JAMES, NINA, RUTH = "1045837261", "1582360479", "1477209534", "1192648057"
ORCHARD, LINDEN, FERRIS = "1300220013", "1300220021", "1300220039"
RALEIGH, OURS, CLINIC = "1300220047", "1300220054", "1300220062"


@pytest.fixture(autouse=True)
def _import_day(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY)


def imported(root: Path, *args: str, files=(SERVICES, PROVIDERS)) -> tuple[int, str, str]:
    return cli("import", "cms-utilization", *map(str, files), "--root", str(root), *args)


def market(root: Path, rel: str = MARKET) -> dict:
    return yaml.safe_load((root / rel).read_text(encoding="utf-8"))


def providers(root: Path) -> dict[str, dict]:
    return {p["npi"]: p for p in market(root)["providers"]}


def codes(p: dict) -> dict[str, tuple[int, int]]:
    return {c["code"]: (c["beneficiaries"], c["services"]) for c in p.get("codes", [])}


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


# ------------------------------------------------------------------------------ the fixtures


def test_the_fixtures_have_the_cms_layouts():
    header = SERVICES.read_bytes().decode("utf-8").split("\r\n", 1)[0].split(",")
    assert header == [
        "Rndrng_NPI", "Rndrng_Prvdr_Last_Org_Name", "Rndrng_Prvdr_First_Name",
        "Rndrng_Prvdr_MI", "Rndrng_Prvdr_Crdntls", "Rndrng_Prvdr_Gndr", "Rndrng_Prvdr_Ent_Cd",
        "Rndrng_Prvdr_St1", "Rndrng_Prvdr_St2", "Rndrng_Prvdr_City",
        "Rndrng_Prvdr_State_Abrvtn", "Rndrng_Prvdr_State_FIPS", "Rndrng_Prvdr_Zip5",
        "Rndrng_Prvdr_RUCA", "Rndrng_Prvdr_RUCA_Desc", "Rndrng_Prvdr_Cntry",
        "Rndrng_Prvdr_Type", "Rndrng_Prvdr_Mdcr_Prtcptg_Ind", "HCPCS_Cd", "HCPCS_Desc",
        "HCPCS_Drug_Ind", "Place_Of_Srvc", "Tot_Benes", "Tot_Srvcs", "Tot_Bene_Day_Srvcs",
        "Avg_Sbmtd_Chrg", "Avg_Mdcr_Alowd_Amt", "Avg_Mdcr_Pymt_Amt", "Avg_Mdcr_Stdzd_Amt"]
    header = PROVIDERS.read_bytes().decode("utf-8").split("\r\n", 1)[0].split(",")
    assert header[:18] == [
        "Rndrng_NPI", "Rndrng_Prvdr_Last_Org_Name", "Rndrng_Prvdr_First_Name",
        "Rndrng_Prvdr_MI", "Rndrng_Prvdr_Crdntls", "Rndrng_Prvdr_Gndr", "Rndrng_Prvdr_Ent_Cd",
        "Rndrng_Prvdr_St1", "Rndrng_Prvdr_St2", "Rndrng_Prvdr_City",
        "Rndrng_Prvdr_State_Abrvtn", "Rndrng_Prvdr_State_FIPS", "Rndrng_Prvdr_Zip5",
        "Rndrng_Prvdr_RUCA", "Rndrng_Prvdr_RUCA_Desc", "Rndrng_Prvdr_Cntry",
        "Rndrng_Prvdr_Type", "Rndrng_Prvdr_Mdcr_Prtcptg_Ind"]
    assert header[18:25] == ["Tot_HCPCS_Cds", "Tot_Benes", "Tot_Srvcs", "Tot_Sbmtd_Chrg",
                             "Tot_Mdcr_Alowd_Amt", "Tot_Mdcr_Pymt_Amt", "Tot_Mdcr_Stdzd_Amt"]


# ------------------------------------------------------------------------------ what is kept


def test_import_keeps_the_site_physicians_and_the_nearby_competition(example_site):
    code, out, err = imported(example_site)
    assert code == 0, err
    assert out == f"wrote {MARKET}\n"
    data = market(example_site)
    assert data["year"] == 2022  # from _D22_ in the file names
    assert data["source"] == SERVICES.name and data["providers_source"] == PROVIDERS.name
    assert data["imported"].isoformat() == "2025-11-26"
    assert data["near_cities"] == ["Asheville, NC", "Hendersonville, NC"]
    assert [c["code"] for c in data["codes"]][:3] == ["36465", "36466", "36470"]  # vein
    found = providers(example_site)
    # the site's physician: office and facility rows of 93970 summed; 99213 not chosen
    assert codes(found[GRACE]) == {"93970": (26, 27)}
    assert found[GRACE]["beneficiaries"] == 640 and found[GRACE]["name"] == "Grace Holloway"
    assert found[GRACE]["credentials"] == "MD"
    # in the file without a chosen code: present, no codes, no total (no by-Provider row)
    assert "codes" not in found[JAMES] and "beneficiaries" not in found[JAMES]
    # only in the by-Provider file: present with the total
    assert found[NINA]["beneficiaries"] == 410 and "codes" not in found[NINA]
    assert RUTH not in found  # in neither file
    # nearby competition: names in capitals as people write them, every chosen code
    assert found[ORCHARD]["name"] == "Pella Orchardson" and found[ORCHARD]["city"] == "Asheville"
    assert codes(found[ORCHARD]) == {"36475": (40, 44), "36476": (15, 20), "37765": (11, 11)}
    assert found[ORCHARD]["beneficiaries"] == 920
    assert codes(found[LINDEN]) == {"36478": (23, 25)}
    assert found[CLINIC]["name"] == "Blue Ridge Vein Imaging LLC" and "credentials" not in found[CLINIC]
    assert OURS in found  # not excluded without --exclude
    # not kept: nearby without a chosen code, elsewhere, an NPI whose check digit fails
    assert FERRIS not in found and RALEIGH not in found
    assert "1300110019" not in found
    assert set(found) == {GRACE, JAMES, NINA, ORCHARD, LINDEN, CLINIC, OURS}
    assert ("14 rows and 5 provider rows: 3 of the site's 5 physicians with an NPI found, "
            "4 nearby providers billing the codes; 8 code rows kept; skipped 1 code row of "
            "providers elsewhere, 0 of excluded NPIs, 1 with an invalid NPI") in err
    # the default codes are a vein practice's: said, for a practice of another specialty
    assert ("the codes were a vein practice's, the default (--procedures vein: 36465, 36466, "
            "36470, 36471, 36473,") in err and ("for another specialty's procedures, give "
            "--procedures sleep, cardiology, orthopedics or each code with --hcpcs CODE") in err, err
    # what it wrote validates
    code, _, lines = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0, lines
    assert not [line for line in lines if "data/market" in line], lines


def test_hcpcs_keeps_only_the_codes_given(example_site):
    code, _, err = imported(example_site, "--hcpcs", "36475", "--hcpcs", "93970")
    assert code == 0, err
    data = market(example_site)
    assert [c["code"] for c in data["codes"]] == ["36475", "93970"]
    found = providers(example_site)
    assert codes(found[ORCHARD]) == {"36475": (40, 44)}
    assert codes(found[GRACE]) == {"93970": (26, 27)}
    assert LINDEN not in found and CLINIC not in found  # 36478, 93971: not chosen
    assert JAMES in found and NINA in found  # the site's physicians stay, codes or not
    assert "a vein practice's, the default" not in err  # codes chosen: no word of the default


def test_procedures_groups_and_bad_values(example_site):
    assert imported(example_site, "--procedures", "vein-ultrasound")[0] == 0
    data = market(example_site)
    assert [c["code"] for c in data["codes"]] == ["93970", "93971"]
    assert set(providers(example_site)) == {GRACE, JAMES, NINA, CLINIC}
    for args, needle in ((["--procedures", "veins"], "'veins' is not one of"),
                         (["--hcpcs", "3647"], "'3647' is not a HCPCS code"),
                         (["--near-zip", "28x"], "not a ZIP code prefix"),
                         (["--exclude", "1300220055"], "not a valid NPI")):
        code, _, err = imported(example_site, *args)
        assert code == 2 and needle in err, (args, err)


def test_other_specialties_have_procedure_groups_with_short_names(example_site, tmp_path):
    """The groups were a vein practice's alone: a sleep center, a cardiology group or an
    orthopedic practice had to find and type each code with --hcpcs, and its codes showed
    CMS's long descriptions on the briefs."""
    from liaison.importers import hcpcs

    for specialty in ("sleep", "cardiology", "orthopedics"):
        assert hcpcs.GROUPS[specialty] and all(c in hcpcs.NAMES for c in hcpcs.GROUPS[specialty])
    assert not set(hcpcs.GROUPS["sleep"]) & set(hcpcs.GROUPS["vein"])
    # a sleep study billed by a nearby physician and a home test by one of the site's
    rows = SERVICES.read_text(encoding="utf-8").splitlines()
    orchard = next(r for r in rows if r.startswith(ORCHARD + ","))
    grace = next(r for r in rows if r.startswith(GRACE + ","))
    sleep = tmp_path / SERVICES.name
    sleep.write_text("\n".join(rows + [
        orchard.replace(",36475,", ",95810,").replace(",40,44,44,", ",31,33,33,"),
        grace.replace(",93970,", ",95806,").replace(",14,15,15,", ",18,18,18,")]) + "\n",
        encoding="utf-8")
    code, _, err = imported(example_site, "--procedures", "sleep", files=(sleep, PROVIDERS))
    assert code == 0, err
    data = market(example_site)
    assert [c["code"] for c in data["codes"]] == list(hcpcs.GROUPS["sleep"])
    # the pages' short name, over the long description CMS writes
    named = {c["code"]: hcpcs.name(c["code"], c.get("name") or "") for c in data["codes"]}
    assert named["95810"] == "In-lab sleep study (polysomnography)"
    found = providers(example_site)
    assert codes(found[ORCHARD]) == {"95810": (31, 33)}
    assert codes(found[GRACE]) == {"95806": (18, 18)}
    assert LINDEN not in found and CLINIC not in found  # vein codes only: not competition
    code, out, _ = cli("import", "cms-utilization", "--help")
    assert "sleep (sleep-study, home-sleep-test)" in " ".join(out.split())


def test_next_years_import_keeps_the_codes_of_the_year_before(example_site, tmp_path):
    """The README's yearly command has no --procedures: a sleep center that imported its
    codes one year got the vein default the next, and its briefs showed vein ablations."""
    from liaison.importers import hcpcs

    code, _, err = imported(example_site, "--procedures", "sleep")
    assert code == 0, err
    year23 = tmp_path / SERVICES.name.replace("_D22_", "_D23_")
    shutil.copyfile(SERVICES, year23)
    code, _, err = imported(example_site, files=(year23,))
    assert code == 0, err
    later = market(example_site, "data/market/medicare-2023.yaml")
    assert [c["code"] for c in later["codes"]] == list(hcpcs.GROUPS["sleep"])
    assert "the codes were those of data/market/medicare-2022.yaml (95800," in err, err
    assert "a vein practice's, the default" not in err
    # codes given win over the year before's
    year24 = tmp_path / SERVICES.name.replace("_D22_", "_D24_")
    shutil.copyfile(SERVICES, year24)
    code, _, err = imported(example_site, "--hcpcs", "36475", files=(year24,))
    assert code == 0, err
    assert [c["code"] for c in market(example_site, "data/market/medicare-2024.yaml")["codes"]] \
        == ["36475"]
    assert "the codes were" not in err
    # and so do procedures given
    year25 = tmp_path / SERVICES.name.replace("_D22_", "_D25_")
    shutil.copyfile(SERVICES, year25)
    code, _, err = imported(example_site, "--procedures", "ablation", files=(year25,))
    assert code == 0, err
    assert [c["code"] for c in market(example_site, "data/market/medicare-2025.yaml")["codes"]] \
        == list(hcpcs.GROUPS["ablation"])
    assert "the codes were" not in err


def test_an_organizations_initials_and_state_stay_in_capitals(example_site, tmp_path):
    """A competitor written in capitals read "Blue Ridge Ent Mri and Ep Center of Nc PLLC":
    the initials of a sleep center's, an orthopedic or a cardiology group's competition and
    the state were title-cased as words."""
    rows = SERVICES.read_text(encoding="utf-8").replace(
        "Blue Ridge Vein Imaging LLC", "BLUE RIDGE ENT MRI AND EP CENTER OF NC PLLC")
    renamed = tmp_path / SERVICES.name
    renamed.write_text(rows, encoding="utf-8")
    code, _, err = imported(example_site, files=(renamed, PROVIDERS))
    assert code == 0, err
    assert providers(example_site)[CLINIC]["name"] == "Blue Ridge ENT MRI and EP Center of NC PLLC"


def test_near_zip_adds_a_place_and_exclude_leaves_our_own_out(example_site):
    code, _, err = imported(example_site, "--near-zip", "276", "--exclude", OURS)
    assert code == 0, err
    data = market(example_site)
    assert data["near_zips"] == ["276"] and data["excluded"] == [OURS]
    found = providers(example_site)
    assert codes(found[RALEIGH]) == {"36475": (61, 70)} and found[RALEIGH]["beneficiaries"] == 300
    assert OURS not in found
    assert "skipped 0 code rows of providers elsewhere, 1 of excluded NPIs" in err


def test_the_file_order_does_not_matter_and_the_service_file_alone_is_enough(example_site):
    code, _, err = imported(example_site, files=(PROVIDERS, SERVICES))
    assert code == 0, err
    both = (example_site / MARKET).read_bytes()
    (example_site / MARKET).unlink()
    assert imported(example_site, files=(SERVICES,))[0] == 0
    alone = providers(example_site)
    assert NINA not in alone  # only the by-Provider file has her
    assert "beneficiaries" not in alone[GRACE] and codes(alone[GRACE]) == {"93970": (26, 27)}
    assert "providers_source" not in market(example_site)
    assert (example_site / MARKET).read_bytes() != both


# ------------------------------------------------------------------------------ the year


def test_the_year_comes_from_the_name_or_from_year(example_site, tmp_path):
    plain = tmp_path / "physician-services.csv"
    shutil.copy(SERVICES, plain)
    code, _, err = imported(example_site, files=(plain,))
    assert code == 1 and "the data year is not in the file name" in err and "--year" in err
    assert not (example_site / "data/market").exists()
    code, out, err = imported(example_site, "--year", "2021", files=(plain,))
    assert code == 0, err
    assert out == "wrote data/market/medicare-2021.yaml\n"
    assert market(example_site, "data/market/medicare-2021.yaml")["year"] == 2021
    # a year that contradicts the name is refused
    code, _, err = imported(example_site, "--year", "2023")
    assert code == 1 and "--year 2023 is not the data year of the file name (2022" in err
    # a new year adds a file beside the others
    assert imported(example_site)[0] == 0
    assert sorted(p.name for p in (example_site / "data/market").iterdir()) == [
        "medicare-2021.yaml", "medicare-2022.yaml"]
    code, _, lines = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0, lines


# ------------------------------------------------------------------------------ layouts and bad files


def test_layout_is_told_by_the_header(example_site, tmp_path):
    code, _, err = imported(example_site, files=(PROVIDERS,))
    assert code == 1 and "give one file of the \"by Provider and Service\" data set" in err
    other = tmp_path / "MUP_PHY_R24_P05_V10_D22_Other.csv"
    other.write_text("NPI,Name\r\n1045837261,Grace\r\n", encoding="utf-8")
    code, _, err = imported(example_site, files=(SERVICES, other))
    assert code == 1
    assert f"{other}:1:1: error: not a CMS Medicare Physician & Other Practitioners file" in err
    assert not (example_site / "data/market").exists()


def _broken(tmp_path: Path, source: Path, edit) -> Path:
    lines = source.read_bytes().decode("utf-8").split("\r\n")
    out = tmp_path / source.name
    out.write_text("\r\n".join(edit(lines)), encoding="utf-8", newline="")
    return out


def test_a_missing_column_is_an_error_at_the_header_and_nothing_is_written(example_site, tmp_path):
    def drop(lines):
        return [",".join(f for i, f in enumerate(line.split(",")) if i != 23) if line else line
                for line in lines[:1]] + lines[1:]
    bad = _broken(tmp_path, SERVICES, drop)
    before = snapshot(example_site)
    code, out, err = imported(example_site, files=(bad,))
    assert code == 1 and out == ""
    assert f"{bad}:1:1: error: not the CMS by Provider and Service layout: no column 'Tot_Srvcs'" in err
    assert "Traceback" not in err
    assert snapshot(example_site) == before


def test_a_file_of_the_header_alone_is_an_error_and_nothing_is_written(example_site, tmp_path):
    # a download that stopped after its header, or an extract filtered down to nothing, would
    # have written a year of no provider: the briefs' newest year, "not in the file" for all
    header = _broken(tmp_path, SERVICES, lambda lines: [lines[0], ""])
    before = snapshot(example_site)
    code, out, err = imported(example_site, files=(header,))
    assert code == 1 and out == ""
    assert f"{header}:1:1: error: only the header, no row: nothing written" in err
    assert "Traceback" not in err
    assert snapshot(example_site) == before
    (tmp_path / "p").mkdir()
    header = _broken(tmp_path / "p", PROVIDERS, lambda lines: [lines[0], ""])
    code, out, err = imported(example_site, files=(SERVICES, header))
    assert code == 1 and f"{header}:1:1: error: only the header, no row: nothing written" in err
    assert snapshot(example_site) == before


def test_a_file_that_holds_none_of_the_site_is_an_error_and_nothing_is_written(example_site,
                                                                            tmp_path):
    # another state's extract: every row elsewhere, none of the site's NPIs. Written, its year
    # would be the newest and every brief would read "not in the file"
    def elsewhere(rows):
        npi, city, state = (rows[0].index(c) for c in
                            ("Rndrng_NPI", "Rndrng_Prvdr_City", "Rndrng_Prvdr_State_Abrvtn"))
        for r in rows[1:]:
            r[npi], r[city], r[state] = "1999999992", "Spokane", "WA"
        return rows
    svc = _rewritten(tmp_path, "x", SERVICES, elsewhere)
    before = snapshot(example_site)
    code, out, err = imported(example_site, files=(svc,))
    assert code == 1 and out == ""
    assert (f"{svc}: none of the site's 5 physicians with an NPI and no provider nearby: "
            "nothing written") in err, err
    assert snapshot(example_site) == before


def test_a_non_number_is_an_error_at_its_line_and_nothing_is_written(example_site, tmp_path):
    def twelve(lines):  # line 3 (the second record): Grace's facility row of 93970
        lines[2] = lines[2].replace(",F,12,12,12,", ",F,twelve,12,12,")
        return lines
    bad = _broken(tmp_path, SERVICES, twelve)
    before = snapshot(example_site)
    code, _, err = imported(example_site, files=(bad,))
    assert code == 1
    # at the cell itself (column 1 said only the row, of some 30 values)
    col = _line(bad, 3).index(",twelve,") + 2
    assert col > 100
    assert f"{bad}:3:{col}: error: Tot_Benes: 'twelve' is not a whole number" in err
    assert snapshot(example_site) == before
    # in the by-Provider file too
    bad = _broken(tmp_path, PROVIDERS, lambda lines: [lines[0], lines[1].replace(",640,", ",6.4e2,"), *lines[2:]])
    code, _, err = imported(example_site, files=(SERVICES, bad))
    col = _line(bad, 2).index(",6.4e2,") + 2
    assert code == 1 and f"{bad}:2:{col}: error: Tot_Benes: '6.4e2' is not a whole number" in err
    assert snapshot(example_site) == before


def test_a_non_number_of_a_nearby_provider_is_an_error_at_its_cell(example_site, tmp_path):
    """A provider nearby (not one of the site's: Orchardson of Asheville, lines 6 to 9) with a
    count that is not a number is the same clear error as a site physician's, at its cell:
    never a traceback."""
    def fifteen(lines):  # line 7: Orchardson's second row (36475, office), Tot_Benes 15
        assert lines[6].startswith(ORCHARD) and ",O,15,20,20," in lines[6]
        lines[6] = lines[6].replace(",O,15,20,20,", ",O,fifteen,20,20,")
        return lines
    bad = _broken(tmp_path, SERVICES, fifteen)
    before = snapshot(example_site)
    code, _, err = imported(example_site, files=(bad,))
    col = _line(bad, 7).index(",fifteen,") + 2
    assert code == 1, err
    assert "Traceback" not in err, err
    assert f"{bad}:7:{col}: error: Tot_Benes: 'fifteen' is not a whole number" in err, err
    assert snapshot(example_site) == before


def _line(path: Path, number: int) -> str:
    return path.read_bytes().decode("utf-8").split("\r\n")[number - 1]


def test_a_bad_value_is_placed_after_quoted_commas_and_line_breaks(example_site, tmp_path):
    """A value's column counts the characters of its own line: a quoted description before it
    may hold commas (which are no separators) and a line break (the value is then on the
    record's second line)."""
    rows = _rewritten(tmp_path, "quoted", SERVICES,
                      lambda rows: _column(_column(rows, "HCPCS_Desc", {1: "Duplex scan,\nboth legs, complete"}),
                                           "Tot_Srvcs", {1: "many"}))
    code, _, err = imported(example_site, files=(rows,))
    text = rows.read_bytes().decode("utf-8")
    record_line = text[:text.index("Duplex scan,")].count("\n") + 1
    second = text.split("\n")[record_line]  # the record's second line: "both legs, complete",…
    assert second.startswith("both legs, complete")
    col = second.index(",many,") + 2
    assert code == 1, err
    assert f"{rows}:{record_line + 1}:{col}: error: Tot_Srvcs: 'many' is not a number" in err, err


def test_a_row_of_another_width_is_an_error_even_when_it_is_skipped(example_site, tmp_path):
    def short(lines):  # line 11: Ferriscourt's row, which no filter keeps
        lines[10] = lines[10].rsplit(",", 2)[0]
        return lines
    bad = _broken(tmp_path, SERVICES, short)
    before = snapshot(example_site)
    code, _, err = imported(example_site, files=(bad,))
    assert code == 1 and f"{bad}:11:1: error: 27 fields where the header has 29" in err
    def unclosed(lines):
        lines[-2] = lines[-2].replace(",Nullwood,", ',"Nullwood,')
        return lines
    bad = _broken(tmp_path, SERVICES, unclosed)
    code, _, err = imported(example_site, files=(bad,))
    assert code == 1 and f"{bad}:15:1: error: a quoted value is never closed" in err
    assert snapshot(example_site) == before


def test_text_that_is_not_utf8_is_an_error_at_its_line(example_site, tmp_path):
    bad = tmp_path / SERVICES.name
    bad.write_bytes(SERVICES.read_bytes().replace(b"Ferriscourt", b"Ferris\xe9court"))
    before = snapshot(example_site)
    code, _, err = imported(example_site, files=(bad,))
    assert code == 1 and f"{bad}:11:1: error: not UTF-8 text" in err and "Traceback" not in err
    assert snapshot(example_site) == before
    # one line in validate's form (it read "Error: FILE:11: …", without a column)
    assert err.strip().splitlines() == [f"{bad}:11:1: error: not UTF-8 text (byte b'\\xe9')"], err


def test_every_value_quoted_and_lf_line_ends_read_the_same(example_site, tmp_path):
    import csv
    import io

    rows = list(csv.reader(io.StringIO(SERVICES.read_bytes().decode("utf-8"))))
    quoted = tmp_path / "quoted" / SERVICES.name
    quoted.parent.mkdir()
    with open(quoted, "w", encoding="utf-8-sig", newline="") as fh:  # a byte-order mark too
        csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    assert imported(example_site, files=(SERVICES,))[0] == 0
    plain = (example_site / MARKET).read_bytes()
    (example_site / MARKET).unlink()
    code, _, err = imported(example_site, files=(quoted,))
    assert code == 0, err
    assert (example_site / MARKET).read_bytes() == plain


def _rewritten(tmp_path: Path, folder: str, source: Path, edit) -> Path:
    """``source`` read as CSV, ``edit(rows)`` written back as CSV in tmp_path/folder."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(source.read_bytes().decode("utf-8"))))
    out = tmp_path / folder / source.name
    out.parent.mkdir(exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(edit(rows))
    return out


def _column(rows, name: str, values: dict[int, str]):
    """``rows`` with the values of column ``name`` of some records (1: the first) replaced."""
    at = rows[0].index(name)
    for n, value in values.items():
        rows[n][at] = value
    return rows


@pytest.mark.parametrize("spell", [str.lower, str.upper, lambda h: h.replace("_", " ")])
def test_column_names_in_another_case_or_spacing_read_the_same(example_site, tmp_path, spell):
    assert imported(example_site)[0] == 0
    plain = (example_site / MARKET).read_bytes()
    (example_site / MARKET).unlink()

    def respelled(rows):
        return [[spell(h) for h in rows[0]], *rows[1:]]
    files = [_rewritten(tmp_path, "spelled", f, respelled) for f in (SERVICES, PROVIDERS)]
    code, _, err = imported(example_site, files=files)
    assert code == 0, err
    assert (example_site / MARKET).read_bytes() == plain


def test_columns_in_another_order_read_the_same(example_site, tmp_path):
    """The NPI not in the first column: the site's physicians (found by NPI) are all there."""
    assert imported(example_site)[0] == 0
    plain = (example_site / MARKET).read_bytes()
    (example_site / MARKET).unlink()

    def swapped(rows):
        return [[r[1], r[0], *r[2:]] for r in rows]
    files = [_rewritten(tmp_path, "swapped", f, swapped) for f in (SERVICES, PROVIDERS)]
    code, _, err = imported(example_site, files=files)
    assert code == 0, err
    assert (example_site / MARKET).read_bytes() == plain


def test_thousands_separators_and_decimals_are_numbers(example_site, tmp_path):
    # records 1 and 2: Grace's office and facility rows of 93970 (14 + 12, 15 + 12)
    svc = _rewritten(tmp_path, "n", SERVICES, lambda rows: _column(
        _column(rows, "Tot_Benes", {1: "1,234", 2: "12.0"}), "Tot_Srvcs", {1: "2,345.5"}))
    prov = _rewritten(tmp_path, "n", PROVIDERS,
                      lambda rows: _column(rows, "Tot_Benes", {1: "1,640"}))
    code, _, err = imported(example_site, files=(svc, prov))
    assert code == 0, err
    grace = providers(example_site)[GRACE]
    assert codes(grace) == {"93970": (1246, 2358)} and grace["beneficiaries"] == 1640
    # a separator in the wrong place is no number
    svc = _rewritten(tmp_path, "bad", SERVICES,
                     lambda rows: _column(rows, "Tot_Benes", {1: "12,34"}))
    (example_site / MARKET).unlink()
    code, _, err = imported(example_site, files=(svc,))
    col = _line(svc, 2).index('"12,34"') + 1
    assert code == 1 and f"{svc}:2:{col}: error: Tot_Benes: '12,34' is not a whole number" in err


def test_a_count_of_any_size_is_written_as_the_file_says(example_site, tmp_path):
    # 30 digits (more than decimal's 28): a traceback before, and services rounded
    big, bigger = "123456789012345678901234567890", "987654321012345678901234567890"
    svc = _rewritten(tmp_path, "n", SERVICES, lambda rows: _column(
        _column(rows, "Tot_Benes", {1: big, 2: "12"}), "Tot_Srvcs", {1: bigger, 2: "12"}))
    code, _, err = imported(example_site, files=(svc,))
    assert code == 0 and "Traceback" not in err, err
    assert codes(providers(example_site)[GRACE]) == {"93970": (int(big) + 12, int(bigger) + 12)}


@pytest.mark.parametrize("written, name", [
    # its legal form kept
    ("BLUE RIDGE VEIN AND LASER OF ASHEVILLE, P.A.", "Blue Ridge Vein and Laser of Asheville, P.A."),
    # a small word is lower case inside the name, never as its first word
    ("THE VEIN CENTER OF ASHEVILLE", "The Vein Center of Asheville"),
])
def test_an_organization_named_in_capitals_is_written_as_people_write_it(example_site, tmp_path,
                                                                          written, name):
    def capitals(rows):
        at = rows[0].index("Rndrng_Prvdr_Last_Org_Name")
        for r in rows[1:]:
            if r[0] == CLINIC:
                r[at] = written
        return rows
    svc = _rewritten(tmp_path, "caps", SERVICES, capitals)
    code, _, err = imported(example_site, files=(svc,))
    assert code == 0, err
    assert providers(example_site)[CLINIC]["name"] == name


@pytest.mark.parametrize("mark", ["*", "", "<11", "#"])
def test_a_count_left_out_is_not_in_the_file_never_an_error_or_a_zero(example_site, tmp_path,
                                                                       mark):
    # Grace's office row of 93970, and her by-Provider total; Orchardson's row of 37765 (her
    # other codes stay); Linden's only row (36478): she is then not kept at all
    def left_out(rows):
        rows = _column(rows, "Tot_Benes", {1: mark})
        at = {(r[0], r[rows[0].index("HCPCS_Cd")]): n for n, r in enumerate(rows)}
        return _column(rows, "Tot_Srvcs", {at[ORCHARD, "37765"]: mark,
                                           at[LINDEN, "36478"]: mark})
    svc = _rewritten(tmp_path, "out", SERVICES, left_out)
    prov = _rewritten(tmp_path, "out", PROVIDERS,
                      lambda rows: _column(rows, "Tot_Benes", {1: mark}))
    code, _, err = imported(example_site, files=(svc, prov))
    assert code == 0, err
    found = providers(example_site)
    assert codes(found[GRACE]) == {"93970": (12, 12)} and "beneficiaries" not in found[GRACE]
    assert codes(found[ORCHARD]) == {"36475": (40, 44), "36476": (15, 20)}
    assert LINDEN not in found
    assert "3 code rows whose count CMS left out ('*', '<11' or empty)" in err


# ------------------------------------------------------------------------------ never overwrite


def test_a_second_run_writes_nothing_even_on_another_day(example_site, monkeypatch):
    assert imported(example_site)[0] == 0
    before = snapshot(example_site)
    code, out, err = imported(example_site)
    assert code == 0 and out == ""
    assert f"{MARKET} holds this import already: nothing to do" in err
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1770000000")  # 2026-02-02
    code, out, err = imported(example_site)
    assert code == 0 and out == "" and "nothing to do" in err
    assert snapshot(example_site) == before


def test_a_file_that_differs_is_never_overwritten(example_site):
    assert imported(example_site)[0] == 0
    path = example_site / MARKET
    edited = path.read_text(encoding="utf-8").replace("beneficiaries: 640", "beneficiaries: 650")
    path.write_text(edited, encoding="utf-8")
    before = snapshot(example_site)
    code, out, err = imported(example_site)
    assert code == 1 and out == ""
    assert f"{MARKET} exists and differs" in err and f"git rm {MARKET}" in err
    assert snapshot(example_site) == before
    # other codes are another import: refused the same way
    code, _, err = imported(example_site, "--hcpcs", "36475")
    assert code == 1 and "exists and differs" in err
    assert snapshot(example_site) == before


def test_dry_run_prints_the_file_and_writes_nothing(example_site):
    before = snapshot(example_site)
    code, out, err = imported(example_site, "--dry-run")
    assert code == 0, err
    assert out.startswith(f"would write {MARKET}:\n# Medicare volumes of data year 2022")
    assert "- {code: \"93970\", beneficiaries: 26, services: 27}" in out
    assert snapshot(example_site) == before
    assert imported(example_site)[0] == 0
    assert (example_site / MARKET).read_text(encoding="utf-8") == out.split("\n", 1)[1]


# ------------------------------------------------------------------------------ validate


def _diagnostics(root: Path) -> list[str]:
    code, _, lines = run_validate(root, "--as-of", AS_OF)
    return [line for line in lines if line.startswith("data/market/")], code


GOOD = """\
year: 2022
dataset: "Medicare Physician & Other Practitioners - by Provider and Service"
source: "MUP_PHY_R24_P05_V10_D22_Prov_Svc.csv"
imported: 2025-11-26
codes:
  - {code: "36475", name: "Radiofrequency ablation, first vein"}
  - {code: "93970"}
providers:
  - npi: "1045837261"
    name: "Grace Holloway"
    beneficiaries: 640
    codes:
      - {code: "93970", beneficiaries: 26, services: 27}
"""


@pytest.mark.parametrize("old, new, spot, needle", [
    ('npi: "1045837261"', 'npi: "1045837262"', '"1045837262"',
     "providers[0].npi: '1045837262' is not a valid NPI: the check digit does not match"),
    ("beneficiaries: 640", "beneficiaries: -4", "-4",
     "providers[0].beneficiaries: -4 is negative: a count is 0 or more"),
    ("services: 27}", "services: lots}", "lots",
     "providers[0].codes[0].services: expected a whole number (0 or more), got the text 'lots'"),
    ('{code: "93970", beneficiaries', '{code: "36478", beneficiaries', '"36478"',
     "providers[0].codes[0].code: '36478' is not one of the file's codes (36475, 93970)"),
    ('{code: "93970"}', '{code: "9397"}', '"9397"', "codes[1].code: '9397' is not a HCPCS code"),
    ("year: 2022", "year: 2021", "2021", "year: 2021 is not the year of the file name (medicare-2022)"),
    ("imported: 2025-11-26", "imported: 2025-11-31", "2025-11-31",
     "imported: '2025-11-31' is not a real calendar day"),
    ('    name: "Grace Holloway"', '    nmae: "Grace Holloway"', "nmae",
     "providers[0].nmae: unknown field (did you mean 'name'?)"),
])
def test_validate_places_each_problem_of_a_market_file(example_site, old, new, spot, needle):
    folder = example_site / "data/market"
    folder.mkdir(parents=True)
    assert GOOD.count(old) == 1
    text = GOOD.replace(old, new)
    (folder / "medicare-2022.yaml").write_text(text, encoding="utf-8")
    found, code = _diagnostics(example_site)
    assert code == 1
    line, col = at(text, spot)
    assert [d for d in found if d.startswith(
        f"data/market/medicare-2022.yaml:{line}:{col}: error: {needle}")], found


def test_validate_accepts_a_good_file_and_refuses_a_misnamed_one(example_site):
    folder = example_site / "data/market"
    folder.mkdir(parents=True)
    (folder / "medicare-2022.yaml").write_text(GOOD, encoding="utf-8")
    (folder / "README.md").write_text("Market data: see docs/file-formats.md\n")
    found, code = _diagnostics(example_site)
    assert code == 0 and found == []
    (folder / "medicare_2021.yaml").write_text(GOOD, encoding="utf-8")
    found, code = _diagnostics(example_site)
    assert code == 1 and found == [
        "data/market/medicare_2021.yaml:1:1: error: file name: a market file is named "
        "medicare-YYYY.yaml (its data year), not 'medicare_2021.yaml'"]



def test_the_documented_example_validates(example_site):
    """docs/file-formats.md shows a market file to read and copy: it must be one that validates.
    Its provider listed the code 93970, which its `codes` did not hold ("'93970' is not one of
    the file's codes (36475)"): the example broke its own rule stated below it."""
    doc = (HERE.parent / "docs" / "file-formats.md").read_text(encoding="utf-8")
    section = doc[doc.index("## 7. Market data"):doc.index("## 8.")]
    example = re.search(r"```yaml\n(.*?)```", section, re.S)[1]
    folder = example_site / "data/market"
    folder.mkdir(parents=True)
    (folder / "medicare-2022.yaml").write_text(example, encoding="utf-8")
    found, code = _diagnostics(example_site)
    assert code == 0 and found == [], found


# ------------------------------------------------------------------------------ the pages


def _text(path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", text.replace("&#39;", "'").replace("&amp;", "&"))


def _build(root: Path) -> Path:
    out = root.parent / "out"
    code, _, err = cli("build", "--root", str(root), "--out", str(out), "--as-of", AS_OF)
    assert code == 0, err
    return out


def test_briefs_show_the_volume_and_never_a_zero_for_a_missing_physician(example_site):
    assert imported(example_site)[0] == 0
    out = _build(example_site)
    grace = _text(out / "physicians/grace-holloway/index.html")
    assert "Medicare volume 2022" in grace
    assert "640 Medicare beneficiaries in 2022" in grace
    assert re.search(r"Duplex scan of extremity veins, both sides \(93970\) 26 27", grace)
    assert "CMS Medicare Part B, fee-for-service, 2022, beneficiaries ≥ 11" in grace
    ruth = _text(out / "physicians/ruth-kessler/index.html")
    assert "Not in CMS's 2022 file: fewer than 11 Medicare beneficiaries" in ruth
    assert not re.search(r"Medicare volume 2022 [^.]*\b0 Medicare", ruth)
    james = _text(out / "physicians/james-whitley/index.html")
    assert "In the 2022 file, with none of the 18 codes for 11 beneficiaries or more" in james
    marcus = _text(out / "physicians/marcus-bell/index.html")
    assert "No NPI on file: add the physician's NPI" in marcus
    practice = _text(out / "practices/mountain-view-family-medicine/index.html")
    assert "640 Medicare beneficiaries in 2022, summed over 1 of 2 physicians" in practice
    assert "No NPI on file, so not matched: Marcus Bell" in practice


def _hendersonville_in_the_market_file(root: Path) -> None:
    """A market file (GOOD) holding both of Hendersonville Women's Health's physicians, each
    billing 36475: Nina Vargas (300 beneficiaries in all; 12 and 14 services for the code) and
    James Whitley (no total; 20 and 21)."""
    folder = root / "data/market"
    folder.mkdir(parents=True)
    (folder / "medicare-2022.yaml").write_text(GOOD.replace(
        'providers:\n', 'providers:\n'
        '  - {npi: "1477209534", name: "Nina Vargas", beneficiaries: 300,\n'
        '     codes: [{code: "36475", beneficiaries: 12, services: 14}]}\n'
        '  - {npi: "1582360479", name: "James Whitley",\n'
        '     codes: [{code: "36475", beneficiaries: 20, services: 21}]}\n'), encoding="utf-8")


def test_a_practice_card_sums_the_totals_of_those_in_the_file_with_one(example_site):
    """A practice's total beneficiaries is summed over its physicians in the file who have a
    total: of Hendersonville's two, both in the file, Nina Vargas with 300 and James Whitley
    with his codes only, it says "300 …, summed over 1 of 2 physicians" (a mutant counting
    every physician found went unnoticed: the tested practices' physicians in the file each
    had a total)."""
    _hendersonville_in_the_market_file(example_site)
    out = _build(example_site)
    practice = _text(out / "practices/hendersonville-womens-health/index.html")
    assert "300 Medicare beneficiaries in 2022, summed over 1 of 2 physicians" in practice, practice


def test_a_briefs_medicare_codes_come_by_beneficiaries_most_first(example_site):
    """A brief's Medicare card lists a physician's codes by their beneficiaries, most first:
    Grace Holloway's 93970 (26) before her 36475 (12), though 36475 is the lower code (a
    mutant listing them by code went unnoticed: the tested physicians' codes came in the same
    order either way)."""
    folder = example_site / "data/market"
    folder.mkdir(parents=True)
    (folder / "medicare-2022.yaml").write_text(GOOD.replace(
        '      - {code: "93970", beneficiaries: 26, services: 27}\n',
        '      - {code: "36475", beneficiaries: 12, services: 13}\n'
        '      - {code: "93970", beneficiaries: 26, services: 27}\n'), encoding="utf-8")
    out = _build(example_site)
    grace = _text(out / "physicians/grace-holloway/index.html")
    assert re.findall(r"\((36475|93970)\) (\d+) (\d+)", grace) == [
        ("93970", "26", "27"), ("36475", "12", "13")], grace


def test_a_practice_card_says_none_is_in_the_file_only_of_physicians_looked_up(example_site):
    # a practice of no physician, or of physicians without an NPI (never looked up), read
    # "None of its physicians is in CMS's 2022 file."
    assert imported(example_site)[0] == 0
    (example_site / "data/practices/no-one.yaml").write_text("name: No One Clinic\n")
    (example_site / "data/practices/no-npi.yaml").write_text("name: No NPI Clinic\n")
    (example_site / "data/physicians/nell-nonpi.yaml").write_text(
        "name: Nell Nonpi\nspecialty: Family Medicine\npractice: no-npi\n")
    (example_site / "data/physicians/nora-notinfile.yaml").write_text(
        "name: Nora Notinfile\nnpi: \"1234567893\"\nspecialty: Family Medicine\npractice: mixed\n")
    (example_site / "data/physicians/ned-nonpi.yaml").write_text(
        "name: Ned Nonpi\nspecialty: Family Medicine\npractice: mixed\n")
    (example_site / "data/practices/mixed.yaml").write_text("name: Mixed Clinic\n")
    out = _build(example_site)
    card = lambda rel: re.search(r"Medicare volume 2022 (.*?) CMS Medicare Part B",
                                 _text(out / rel / "index.html")).group(1).strip()
    assert card("practices/no-one") == "No physician on file."
    assert card("practices/no-npi") == "No NPI on file, so not matched: Nell Nonpi."
    assert card("practices/mixed") == (
        "None of its physicians with an NPI on file is in CMS's 2022 file. Not in the file: "
        "Nora Notinfile. No NPI on file, so not matched: Ned Nonpi.")


def test_a_brief_shows_the_newest_year_and_a_line_for_each_earlier_one(example_site, tmp_path):
    older = tmp_path / "services-2021.csv"
    older.write_bytes(SERVICES.read_bytes().replace(b",O,14,15,15,", b",O,30,31,31,"))
    assert imported(example_site, "--year", "2021", files=(older,))[0] == 0
    assert imported(example_site)[0] == 0
    out = _build(example_site)
    grace = _text(out / "physicians/grace-holloway/index.html")
    assert "Medicare volume 2022" in grace and "Medicare volume 2021" not in grace
    # 30 + 12, no by-Provider file that year; "on the codes" said no more than which codes
    assert "2021: 42 on our procedure codes" in grace
    assert not any("on the codes" in _text(p) for p in out.rglob("*.html"))
    assert "2021: not in the file" in _text(out / "physicians/ruth-kessler/index.html")
    assert "Competition: who bills these procedures nearby" in _text(out / "prospects/index.html")


def test_prospects_show_the_volume_and_the_competition_by_city(example_site):
    assert imported(example_site, "--exclude", OURS)[0] == 0
    out = _build(example_site)
    html = (out / "prospects/index.html").read_text(encoding="utf-8")
    assert '<th data-sort="num" class="num" title="Medicare beneficiaries' in html
    page = _text(out / "prospects/index.html")
    # James Whitley (the prospect) is in the file without a total or a code: not a zero
    assert "James Whitley , DO high in the file, no code for 11 or more" in page, page[:3000]
    comp = page[page.index("Competition: who bills these procedures nearby"):]
    assert comp.startswith("Competition: who bills these procedures nearby (4)")
    assert "3 of them are not among our physicians" in comp
    asheville, hendersonville = comp.index("Asheville, NC ·"), comp.index("Hendersonville, NC ·")
    assert asheville < hendersonville
    section = comp[asheville:hendersonville]
    # most beneficiaries on the codes first; leads marked; our own left out
    assert section.index("Blue Ridge Vein Imaging LLC") < section.index("Pella Orchardson") \
        < section.index("Grace Holloway")
    assert "Pella Orchardson, MD NPI 1300220013 not on file Vascular Surgery 66" in section
    assert "Grace Holloway , MD NPI 1045837261 Family Practice 26" in section  # a link
    assert "Juno Tamsworth" not in comp
    assert "Marlo Lindenthal" in comp[hendersonville:]


def test_prospects_rank_by_volume_after_potential(example_site):
    """Two prospects of the same potential: without market data the tier decides; with it,
    the one with more Medicare beneficiaries comes first."""
    phys = example_site / "data/physicians"
    (phys / "ada-quell.yaml").write_text(
        "name: Ada Quell\nnpi: \"1477209559\"\nspecialty: Family Medicine\n"
        "practice: mountain-view-family-medicine\ntier: C\npotential: high\n", encoding="utf-8")
    james = yaml.safe_load((phys / "james-whitley.yaml").read_text(encoding="utf-8"))
    assert james["potential"] == "high" and james["tier"] == "B"

    def order() -> list[str]:
        page = _text(_build(example_site) / "prospects/index.html")
        never = page[page.index("Never referred"):page.index("Win back")]
        return sorted(("Ada Quell", "James Whitley"), key=never.index)

    assert order() == ["James Whitley", "Ada Quell"]  # tier B before C
    shutil.rmtree(example_site.parent / "out")
    folder = example_site / "data/market"
    folder.mkdir()
    text = GOOD.replace(
        "providers:\n", "providers:\n  - npi: \"1582360479\"\n    name: \"James Whitley\"\n"
        "    beneficiaries: 120\n  - npi: \"1477209559\"\n    name: \"Ada Quell\"\n"
        "    beneficiaries: 900\n")
    (folder / "medicare-2022.yaml").write_text(text, encoding="utf-8")
    assert order() == ["Ada Quell", "James Whitley"]


def test_a_download_of_another_form_says_what_to_do(example_site, tmp_path):
    import io
    import zipfile

    before = snapshot(example_site)
    packed = tmp_path / "MUP_PHY_R24_P05_V10_D22_Prov_Svc.zip"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(SERVICES.name, SERVICES.read_bytes())
    packed.write_bytes(buf.getvalue())
    semi = tmp_path / SERVICES.name
    semi.write_bytes(b"\xef\xbb\xbf" + SERVICES.read_bytes().replace(b",", b";"))
    cut = tmp_path / "MUP_PHY_R24_P05_V10_D22_Prov_Svc_cut.csv"
    cut.write_bytes(SERVICES.read_bytes()[:1500])
    for bad, message in (
            (packed, ":1:1: error: a zip archive (an .xlsx workbook is one too), not a CSV file"),
            (semi, ":1:1: error: the values are separated by semicolons, not commas"),
            (cut, ":4:1: error: 24 fields where the header has 29 (the file ends in this line, without "
                  "a line end: was the download cut short? download it again)")):
        code, out, err = imported(example_site, files=(bad,))
        assert code == 1 and out == "" and "Traceback" not in err
        assert f"{bad}{message}" in err, err
        assert len(err.strip().splitlines()) == 1
    assert snapshot(example_site) == before
    # a row of another width that is not the last line is said as before
    mid = tmp_path / "MUP_PHY_R24_P05_V10_D22_mid.csv"
    lines = SERVICES.read_bytes().split(b"\r\n")
    lines[3] = lines[3].rsplit(b",", 5)[0]
    mid.write_bytes(b"\r\n".join(lines))
    code, _, err = imported(example_site, files=(mid,))
    assert code == 1 and "cut short" not in err and f"{mid}:4:1: error: 24 fields" in err, err


# ------------------------------------------------------------------------------ found by mutants
# (mutants of liaison/importers/cms.py that no test noticed)

def test_the_market_file_lists_providers_by_state_city_and_name_and_their_codes_in_order(
        example_site, tmp_path):
    """The market file (reviewed in a pull request) lists its providers by state, city, then
    name, whatever the order of the CMS file, and each provider's codes in code order: the
    service file's records in reverse order write the same file."""
    assert imported(example_site)[0] == 0
    plain = (example_site / MARKET).read_bytes()
    # all in NC; Asheville: Blue Ridge Vein Imaging LLC, Grace Holloway, Juno Tamsworth, Nina
    # Vargas (by-Provider file only), Pella Orchardson; Hendersonville: James Whitley, Marlo
    # Lindenthal
    assert [p["npi"] for p in market(example_site)["providers"]] == [
        CLINIC, GRACE, OURS, NINA, ORCHARD, JAMES, LINDEN]
    assert [c["code"] for c in providers(example_site)[ORCHARD]["codes"]] == [
        "36475", "36476", "37765"]
    (example_site / MARKET).unlink()
    backwards = _rewritten(tmp_path, "backwards", SERVICES, lambda rows: [rows[0], *rows[:0:-1]])
    code, _, err = imported(example_site, files=(backwards, PROVIDERS))
    assert code == 0, err
    assert (example_site / MARKET).read_bytes() == plain


def test_an_excluded_physician_of_the_site_is_left_out_of_both_files(example_site):
    """`--exclude` leaves nothing of an NPI, even a site physician's: Grace Holloway's three
    code rows are skipped, and her by-Provider total (640) is not written either."""
    code, _, err = imported(example_site, "--exclude", GRACE)
    assert code == 0, err
    assert GRACE not in providers(example_site)
    assert "3 of excluded NPIs" in err, err


def test_a_fraction_of_a_beneficiary_is_an_error_at_its_cell(example_site, tmp_path):
    svc = _rewritten(tmp_path, "half", SERVICES, lambda rows: _column(rows, "Tot_Benes", {1: "14.5"}))
    before = snapshot(example_site)
    code, _, err = imported(example_site, files=(svc,))
    col = _line(svc, 2).index(",14.5,") + 2
    assert code == 1 and f"{svc}:2:{col}: error: Tot_Benes: '14.5' is not a whole number" in err, err
    assert snapshot(example_site) == before


def test_services_summed_to_a_half_are_rounded_half_up(example_site, tmp_path):
    """Grace's office and facility rows of 93970: 14.5 + 12 services = 26.5, written 27 (half
    up, as the site rounds: not 26, the half-even of Python's decimal default)."""
    svc = _rewritten(tmp_path, "n", SERVICES, lambda rows: _column(rows, "Tot_Srvcs", {1: "14.5"}))
    code, _, err = imported(example_site, files=(svc,))
    assert code == 0, err
    assert codes(providers(example_site)[GRACE]) == {"93970": (26, 27)}


def test_a_providers_zip_code_is_written_whole(example_site):
    assert imported(example_site)[0] == 0
    found = providers(example_site)
    assert found[ORCHARD]["zip"] == "28803" and found[LINDEN]["zip"] == "28791"
    assert found[NINA]["zip"] == "28804"  # from the by-Provider file


def test_a_codes_name_in_the_market_file_is_cmss_description(example_site):
    """docs/file-formats.md: a code's `name` is CMS's description when the file has one (the
    pages shorten it with their own table)."""
    assert imported(example_site)[0] == 0
    names = {c["code"]: c.get("name") for c in market(example_site)["codes"]}
    assert names["93970"] == ("Ultrasound scanning of veins of both arms or legs including "
                              "assessment of compression and other maneuvers")


def test_a_providers_middle_initial_is_written(example_site, tmp_path):
    """Rndrng_Prvdr_MI "J" of PELLA ORCHARDSON (in capitals) is "Pella J. Orchardson"."""
    svc = _rewritten(tmp_path, "mi", SERVICES, lambda rows: _column(
        rows, "Rndrng_Prvdr_MI", {n: "J" for n, r in enumerate(rows) if r[0] == ORCHARD}))
    code, _, err = imported(example_site, files=(svc,))
    assert code == 0, err
    assert providers(example_site)[ORCHARD]["name"] == "Pella J. Orchardson"


def test_the_competition_lists_a_provider_near_by_zip_code(example_site):
    """`--near-zip 276` adds Sable Quarrington of Raleigh (27601, 36475: 61 beneficiaries) to
    the market file; prospects/ lists her among the competition too (5 providers, not 4)."""
    assert imported(example_site, "--exclude", OURS, "--near-zip", "276")[0] == 0
    page = _text(_build(example_site) / "prospects/index.html")
    comp = page[page.index("Competition: who bills these procedures nearby"):]
    assert comp.startswith("Competition: who bills these procedures nearby (5)"), comp[:200]
    assert "Sable Quarrington" in comp[comp.index("Raleigh, NC ·"):]


def test_a_practice_card_sums_each_codes_beneficiaries_and_services(example_site):
    """Hendersonville Women's Health's card: 36475 billed by Nina Vargas (12 beneficiaries,
    14 services) and James Whitley (20, 21) is one row of 32 beneficiaries and 35 services."""
    _hendersonville_in_the_market_file(example_site)
    practice = _text(_build(example_site) / "practices/hendersonville-womens-health/index.html")
    assert re.search(r"\(36475\) 32 35 ", practice), practice


def test_a_value_the_market_format_refuses_writes_nothing(example_site, tmp_path):
    """A value CMS wrote that the market file's checks refuse (a control character pasted into
    a first name) stops the import: exit 1, nothing written, said at the line of the CMS file
    the provider was read from (line 6, Orchardson's first row) and naming the file it would
    have written (it named that file alone, without a line to look at). Without the
    by-Provider file the providers are Blue Ridge Vein Imaging, Grace Holloway, Juno Tamsworth
    and Pella Orchardson (Asheville), then James Whitley and Marlo Lindenthal: Orchardson is
    providers[3]."""
    bad = _broken(tmp_path, SERVICES, lambda lines: [
        line.replace("ORCHARDSON,PELLA,", "ORCHARDSON,PELLA\x07,", 1) for line in lines])
    before = snapshot(example_site)
    code, out, err = imported(example_site, files=(bad,))
    assert code == 1 and out == "", err
    assert err.strip().splitlines() == [
        f"{bad}:6:1: error: data/market/medicare-2022.yaml: providers[3].name: holds a control "
        "character (U+0007): remove it; nothing written"], err
    assert snapshot(example_site) == before


def test_two_service_files_or_files_of_two_years_are_refused(example_site, tmp_path):
    """One by-Provider-and-Service file per import (a second was ignored, silently, by a
    mutant), and every file of one data year (a 2023 by-Provider file with 2022 services)."""
    second = tmp_path / "again" / SERVICES.name
    second.parent.mkdir()
    second.write_bytes(SERVICES.read_bytes())
    before = snapshot(example_site)
    code, _, err = imported(example_site, files=(SERVICES, second, PROVIDERS))
    assert code == 1 and "(…_Prov_Svc.csv) and at most one of the \"by Provider\" data set " \
        "(…_Prov.csv); got 2 and 1" in err, err
    later = tmp_path / "MUP_PHY_R25_P05_V10_D23_Prov.csv"
    later.write_bytes(PROVIDERS.read_bytes())
    code, _, err = imported(example_site, files=(SERVICES, later))
    assert code == 1 and ("the files are of different data years: "
                          "MUP_PHY_R24_P05_V10_D22_Prov_Svc.csv (2022), "
                          "MUP_PHY_R25_P05_V10_D23_Prov.csv (2023)") in err, err
    assert snapshot(example_site) == before
