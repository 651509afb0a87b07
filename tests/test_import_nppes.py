"""`import nppes FILE` (SPEC §5) on tests/fixtures/nppes/npidata_sample.csv: invented providers
in the exact layout of the CMS NPPES monthly file (330 quoted columns; written by make.py
beside it, one row per rule), imported into a copy of the worked example."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import cli, run_validate

HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "fixtures" / "nppes" / "npidata_sample.csv"
AS_OF = "2026-11-26"


def imported(root: Path, *args: str) -> tuple[int, str, str]:
    return cli("import", "nppes", str(SAMPLE), "--root", str(root), *args)


def files(root: Path, kind: str) -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted((root / "data" / kind).iterdir())}


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_the_fixture_has_the_registry_layout():
    header = SAMPLE.read_bytes().decode("utf-8").split("\r\n", 1)[0]
    names = header.split('","')
    assert len(names) == 330 and names[0] == '"NPI' and names[-1] == 'Certification Date"'
    assert "Healthcare Provider Primary Taxonomy Switch_15" in names
    assert "Provider Business Practice Location Address Postal Code" in names


def test_import_in_a_state_adds_the_expected_prospects(example_site):
    before_phys, before_prac = files(example_site, "physicians"), files(example_site, "practices")
    code, out, err = imported(example_site, "--state", "NC")
    assert code == 0, err
    phys, prac = files(example_site, "physicians"), files(example_site, "practices")
    new = {k: v for k, v in phys.items() if k not in before_phys}
    assert sorted(new) == ["bram-o-halloran-pike", "cassius-dellarosa", "odalys-fernworth",
                           "perrin-ashgrove", "teagan-mcallister", "willa-strandquist"]
    # names in title case, credentials cleaned, the specialty from the primary taxonomy
    assert new["bram-o-halloran-pike"]["name"] == "Bram O'Halloran-Pike Jr."
    assert new["bram-o-halloran-pike"]["credentials"] == "MD, PhD"
    assert new["teagan-mcallister"]["name"] == "Teagan J. McAllister"
    assert new["odalys-fernworth"]["specialty"] == "Podiatry"
    assert new["odalys-fernworth"]["credentials"] == "DPM"
    assert new["willa-strandquist"]["specialty"] == "Obstetrics & Gynecology"  # slot 2 is primary
    assert new["perrin-ashgrove"]["credentials"] == "RN, CWCN"
    for d in new.values():
        assert d["tags"] == ["nppes"] and len(str(d["npi"])) == 10
        assert "potential" not in d  # the liaison qualifies them
    # the practice at Mountain View's address is reused; the suite written two ways is one
    assert new["odalys-fernworth"]["practice"] == "mountain-view-family-medicine"
    assert new["teagan-mcallister"]["practice"] == new["bram-o-halloran-pike"]["practice"] \
        == "77-lantern-hill-road-weaverville"
    added = {k: v for k, v in prac.items() if k not in before_prac}
    assert sorted(added) == ["14-tannery-street-canton", "21-silo-drive-marshall",
                             "77-lantern-hill-road-weaverville", "9-bramble-way-brevard"]
    lantern = added["77-lantern-hill-road-weaverville"]
    assert lantern["address"] == "77 Lantern Hill Road, Suite 200"
    assert lantern["city"] == "Weaverville" and lantern["state"] == "NC"
    assert lantern["zip"] == "28787-1000" and lantern["phone"] == "828-555-0190"
    assert prac["mountain-view-family-medicine"] == before_prac["mountain-view-family-medicine"]
    # what it wrote, on stdout; the tally on stderr
    assert out.splitlines() == [f"wrote data/practices/{p}.yaml" for p in
                                ("77-lantern-hill-road-weaverville", "9-bramble-way-brevard",
                                 "14-tannery-street-canton", "21-silo-drive-marshall")] + \
        [f"wrote data/physicians/{p}.yaml" for p in
         ("odalys-fernworth", "teagan-mcallister", "bram-o-halloran-pike", "willa-strandquist",
          "perrin-ashgrove", "cassius-dellarosa")]
    # (the deactivated row has no location left: outside a state filter)
    assert ("12 rows: added 6 physicians and 4 practices (1 at 1 practice of the site); "
            "skipped 1 already in the site, 0 deactivated, 1 with an invalid NPI, 3 outside "
            "the filters, 1 organization") in err
    # every file it wrote validates; the prospects page lists the new physicians
    code, _, lines = run_validate(example_site, "--as-of", AS_OF)
    assert code == 0, lines
    assert not [line for line in lines if any(f"/{k}." in line for k in new)], lines
    out_dir = example_site.parent / "out"
    code, _, err = cli("build", "--root", str(example_site), "--out", str(out_dir),
                       "--as-of", AS_OF)
    assert code == 0, err
    prospects = (out_dir / "prospects" / "index.html").read_text(encoding="utf-8")
    for d in new.values():
        assert d["name"].replace("'", "&#39;") in prospects


def test_a_second_run_writes_nothing(example_site):
    assert imported(example_site, "--state", "NC")[0] == 0
    before = snapshot(example_site)
    code, out, err = imported(example_site, "--state", "NC")
    assert code == 0 and out == ""
    assert "added 0 physicians and 0 practices" in err and "skipped 7 already in the site" in err
    assert snapshot(example_site) == before


def test_dry_run_prints_and_writes_nothing(example_site):
    before = snapshot(example_site)
    code, out, err = imported(example_site, "--dry-run", "--zip", "021")
    assert code == 0, err
    assert out.splitlines() == [
        "would write data/practices/5-chapel-place-quincebury.yaml  (5 Chapel Place, Quincebury)",
        "would write data/physicians/imogen-vanderholt.yaml  (Imogen Vanderholt)"]
    assert "would add 1 physician and 1 practice" in err
    assert snapshot(example_site) == before


def test_zip_codes_keep_their_leading_zeros(example_site):
    assert imported(example_site, "--zip", "021")[0] == 0
    text = (example_site / "data/practices/5-chapel-place-quincebury.yaml").read_text()
    assert 'zip: 02138-0004' in text or 'zip: "02138-0004"' in text
    assert yaml.safe_load(text)["zip"] == "02138-0004"
    assert run_validate(example_site, "--as-of", AS_OF)[0] == 0


@pytest.mark.parametrize("args, expected", [
    (("--specialty", "podiatry"), ["odalys-fernworth"]),
    (("--taxonomy", "207V00000X"), ["willa-strandquist"]),  # any slot, not only the primary
    (("--taxonomy", "208D00000X"), ["willa-strandquist"]),
    (("--specialty", "wound-care", "--specialty", "obgyn"),
     ["perrin-ashgrove", "willa-strandquist"]),
    (("--state", "SC"), ["luna-castello"]),
    (("--state", "nc", "--zip", "2878"), ["bram-o-halloran-pike", "teagan-mcallister"]),
    (("--zip", "28712", "--zip", "28716"), ["perrin-ashgrove", "willa-strandquist"]),
    (("--zip", "02138-0004"), ["imogen-vanderholt"]),  # a ZIP+4 as people write it
    (("--zip", "28787-1000"), ["teagan-mcallister"]),  # all nine digits: not Bram's 28787
])
def test_filters(example_site, args, expected):
    before = set(files(example_site, "physicians"))
    code, _, err = imported(example_site, *args)
    assert code == 0, err
    assert sorted(set(files(example_site, "physicians")) - before) == expected


def test_without_filters_every_individual_provider_not_yet_in_the_site(example_site):
    before = set(files(example_site, "physicians"))
    code, _, err = imported(example_site)
    assert code == 0
    assert len(set(files(example_site, "physicians")) - before) == 8  # 12 - org, deactivated, bad, known
    assert ("skipped 1 already in the site, 1 deactivated, 1 with an invalid NPI, 0 outside "
            "the filters, 1 organization") in err
    assert run_validate(example_site, "--as-of", AS_OF)[0] == 0


def test_ids_never_collide_with_existing_files(example_site):
    # a physician file named like an imported provider: the import takes another id
    taken = example_site / "data/physicians/odalys-fernworth.yaml"
    taken.write_text("name: Odalys Fernworth\nspecialty: Dermatology\n"
                     "practice: french-broad-podiatry\n", encoding="utf-8")
    (example_site / "data/practices/9-bramble-way-brevard.yaml").write_text(
        "name: Bramble Way Pediatrics\ncity: Brevard\n", encoding="utf-8")
    kept = taken.read_bytes()
    assert imported(example_site, "--state", "NC")[0] == 0
    assert taken.read_bytes() == kept
    phys = files(example_site, "physicians")
    # the last four digits of the NPI tell the two apart
    assert str(phys["odalys-fernworth-0016"]["npi"]) == "1300110016"
    assert phys["willa-strandquist"]["practice"] == "9-bramble-way-brevard-2"
    assert run_validate(example_site, "--as-of", AS_OF)[0] == 0


def test_a_namesake_without_an_npi_is_said_as_perhaps_the_same_person(example_site):
    # the office's physician on file without an NPI, and the registry's provider of that name:
    # both kept (nothing overwritten), and the tally says to check them
    kept = example_site / "data/physicians/dr-teagan-mcallister.yaml"
    kept.write_text("name: Dr. Teagan McAllister, MD\nspecialty: Family Medicine\n"
                    "practice: french-broad-podiatry\n", encoding="utf-8")
    before = kept.read_bytes()
    code, _out, err = imported(example_site, "--state", "NC")
    assert code == 0, err
    assert kept.read_bytes() == before
    assert "teagan-mcallister" in files(example_site, "physicians")
    assert ("check 1 new physician named like one of the site without an NPI (perhaps the same "
            "person: give that file the NPI and delete the new one): "
            "data/physicians/teagan-mcallister.yaml and data/physicians/dr-teagan-mcallister.yaml"
            ) in err
    # none: nothing said
    code, _out, err = imported(example_site, "--state", "NC")
    assert code == 0 and "check" not in err


def _rewritten(tmp_path: Path, edit, quoting=None) -> Path:
    """The sample read as CSV, ``edit(rows)`` written back (every value quoted unless told)."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(SAMPLE.read_bytes().decode("utf-8"))))
    out = tmp_path / "npidata_extract.csv"
    with open(out, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, quoting=csv.QUOTE_ALL if quoting is None else quoting,
                   lineterminator="\r\n").writerows(edit(rows))
    return out


@pytest.mark.parametrize("args", [("--state", "NC"), ("--zip", "287"), ("--state", "NC", "--zip", "2878")])
def test_an_extract_quoted_only_where_needed_reads_the_same(example_site, tmp_path, args):
    """An extract saved by another tool quotes only the values that need it: the state and
    ZIP filters find its rows all the same (they found none)."""
    import csv

    extract = _rewritten(tmp_path, lambda rows: rows, quoting=csv.QUOTE_MINIMAL)
    code, out, err = imported(example_site, "--dry-run", *args)
    assert code == 0, err
    code, out2, err2 = cli("import", "nppes", str(extract), "--root", str(example_site),
                           "--dry-run", *args)
    assert code == 0, err2
    assert out2 == out and out2 and err2 == err


def test_an_extract_without_the_optional_columns_or_in_another_case(example_site, tmp_path):
    """Middle name, suffix, credentials, second address line, phone, taxonomy slots 2-15 and
    the primary switches may be missing (an extract cut to fewer columns): empty; the column
    names may be written in another case."""
    optional = {"Provider Middle Name", "Provider Name Suffix Text", "Provider Credential Text",
                "Provider Second Line Business Practice Location Address",
                "Provider Business Practice Location Address Telephone Number"}

    def cut(rows):
        keep = [i for i, h in enumerate(rows[0]) if h not in optional
                and not ("Taxonomy" in h and h.endswith(tuple(f"_{k}" for k in range(2, 16))))
                and "Primary Taxonomy Switch" not in h]
        return [[h.lower() for h in (rows[0][i] for i in keep)]] + \
            [[r[i] for i in keep] for r in rows[1:]]
    extract = _rewritten(tmp_path, cut)
    before = set(files(example_site, "physicians"))
    code, _, err = cli("import", "nppes", str(extract), "--root", str(example_site),
                       "--state", "NC")
    assert code == 0, err
    new = {k: v for k, v in files(example_site, "physicians").items() if k not in before}
    assert len(new) == 6
    assert new["bram-o-halloran-pike"]["name"] == "Bram O'Halloran-Pike"  # no suffix
    assert "credentials" not in new["bram-o-halloran-pike"]
    assert new["willa-strandquist"]["specialty"] == "General Practice"  # slot 1: no switch
    assert run_validate(example_site, "--as-of", AS_OF)[0] == 0
    # a column the import cannot do without is still an error
    extract = _rewritten(tmp_path, lambda rows: [[h.replace("NPI Reactivation", "NPI Re")
                                                  for h in rows[0]], *rows[1:]])
    code, _, err = cli("import", "nppes", str(extract), "--root", str(example_site))
    assert code == 1 and "no column 'NPI Reactivation Date'" in err


def test_an_npi_listed_twice_is_imported_once_and_said(example_site, tmp_path):
    extract = _rewritten(tmp_path, lambda rows: rows + [rows[2]])
    before = set(files(example_site, "physicians"))
    code, out, err = cli("import", "nppes", str(extract), "--root", str(example_site),
                         "--state", "NC")
    assert code == 0, err
    assert len(set(files(example_site, "physicians")) - before) == 6
    assert "skipped 1 already in the site, 1 listed again in the file, 0 deactivated" in err


def test_the_summary_line_groups_large_counts_as_its_row_count(example_site, tmp_path):
    """An NPI listed 1,200 times more read "12,… rows: … 1200 listed again in the file": the
    row count was grouped, the rest of the line not."""
    extract = _rewritten(tmp_path, lambda rows: rows + [rows[2]] * 1200)
    code, _out, err = cli("import", "nppes", str(extract), "--root", str(example_site),
                          "--state", "NC", "--dry-run")
    assert code == 0, err
    assert "1,212 rows: would add " in err and " 1,200 listed again in the file, " in err, err


@pytest.mark.parametrize("mangle, message", [
    (lambda t: t.replace('"NPI",', '"NPX",', 1), "1:1: error: not an NPPES NPI registry file: no column 'NPI'"),
    (lambda t: t.replace('"TEAGAN"', '"TEAGAN","extra"', 1),
     "error: 331 fields where the header has 330"),
    (lambda t: t.replace('"02/17/2026"', '"2026-02-17"', 1),
     "error: NPI Deactivation Date: '2026-02-17' is not a date of the registry (MM/DD/YYYY)"),
    (lambda t: "", "1:1: error: empty file: expected the NPPES header row"),
    (lambda t: t.split("\r\n")[0] + "\r\n", "1:1: error: only the header, no row: nothing written"),
    # the download's other files (secondary locations, other names, endpoints) hold NPIs too
    (lambda t: '"NPI","Provider Secondary Practice Location Address- Address Line 1"\r\n'
     '"1300110018","1 MAIN ST"\r\n',
     "1:1: error: the NPPES file of secondary practice locations, not the providers' "
     "(npidata_pfile_….csv): no column 'Entity Type Code'"),
    (lambda t: t.replace('"WILLA"', '"WILLA', 1), "a quoted value is never closed"),
    (lambda t: t.replace('"LUNA"', '"LUNA","x"', 1), ":7:1: error: 331 fields where the header has 330"),
])
def test_a_malformed_file_is_a_clear_error_and_writes_nothing(example_site, tmp_path, mangle,
                                                              message):
    text = SAMPLE.read_bytes().decode("utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(mangle(text).encode("utf-8"))
    assert bad.read_bytes() != SAMPLE.read_bytes()
    before = snapshot(example_site)
    code, out, err = cli("import", "nppes", str(bad), "--root", str(example_site))
    assert code == 1 and out == ""
    assert f"{bad}" in err and message in err
    assert "Traceback" not in err
    assert snapshot(example_site) == before


def test_a_bad_date_is_placed_at_its_cell(example_site, tmp_path):
    """A date the registry does not write is said at its own cell (line and column), not at
    column 1 of a record of 330 values."""
    text = SAMPLE.read_bytes().decode("utf-8").replace('"02/17/2026"', '"2026-02-17"', 1)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(text.encode("utf-8"))
    lines = text.split("\r\n")
    number = next(n for n, line in enumerate(lines, start=1) if '"2026-02-17"' in line)
    col = lines[number - 1].index('"2026-02-17"') + 1
    assert col > 1
    code, _, err = cli("import", "nppes", str(bad), "--root", str(example_site))
    assert code == 1
    assert err.strip().splitlines() == [
        f"{bad}:{number}:{col}: error: NPI Deactivation Date: '2026-02-17' is not a date of the "
        "registry (MM/DD/YYYY)"], err


def test_a_file_that_is_not_utf8(example_site, tmp_path):
    bad = tmp_path / "latin.csv"
    bad.write_bytes(SAMPLE.read_bytes().replace(b"WEAVERVILLE", b"WEAVERVILL\xc9", 1))
    before = snapshot(example_site)
    code, _, err = cli("import", "nppes", str(bad), "--root", str(example_site))
    assert code == 1 and "not UTF-8 text" in err
    assert snapshot(example_site) == before
    # at its line, in validate's form (it read "Error: latin.csv: not UTF-8 text after line 1")
    line = SAMPLE.read_bytes()[:SAMPLE.read_bytes().index(b"WEAVERVILLE")].count(b"\n") + 1
    assert err.strip().splitlines() == [f"{bad}:{line}:1: error: not UTF-8 text (byte b'\\xc9')"], err


@pytest.mark.parametrize("args, hint", [
    (("--state", "North Carolina"), "not a two-letter state code"),
    (("--zip", "28a"), "not a ZIP code prefix"),
    (("--taxonomy", "207Q"), "not a taxonomy code"),
    (("--specialty", "astrology"), "--specialty: 'astrology' is not one of"),
])
def test_bad_options_are_usage_errors(example_site, args, hint):
    code, _, err = imported(example_site, *args)
    assert code == 2 and hint in err


def test_a_missing_file_or_root(example_site, tmp_path):
    code, _, err = cli("import", "nppes", str(tmp_path / "none.csv"), "--root", str(example_site))
    assert code == 2 and "is not a file" in err
    code, _, err = cli("import", "nppes", str(SAMPLE), "--root", str(tmp_path))
    assert code == 2 and "site.yaml" in err


def test_names_and_values_as_people_write_them():
    from liaison.importers import nppes

    assert nppes.title_case("MARY-ANN O'NEIL") == "Mary-Ann O'Neil"
    assert nppes.title_case("LUDWIG VAN DER BERG") == "Ludwig van der Berg"
    assert nppes.title_case("MCDONALD") == "McDonald"
    assert nppes.title_case('QUILL "TOBY"') == 'Quill "Toby"'
    assert nppes.title_case("ANNA (NAN) MCBRIDE") == "Anna (Nan) McBride"
    assert nppes.slug("Renée D'Anjou-Łukasz") == "renee-d-anjou-lukasz"
    assert nppes.slug("SØREN STRAßE") == "soren-strasse"
    assert nppes.credentials("m.d., ph.d.") == "MD, PhD"
    assert nppes.credentials("D.O.") == "DO"
    assert nppes.phone("18285550100") == "828-555-0100"
    assert nppes.zip_code("021380004") == "02138-0004" and nppes.zip_code("02138") == "02138"
    assert nppes.address_key("1200 Spartanburg Highway, Suite 4", "28792") == \
        nppes.address_key("1200 SPARTANBURG HWY STE 4", "287921234")
    assert nppes.address_key("12 Main St #4", "28792") == nppes.address_key("12 MAIN STREET STE 4", "28792")
    taken = {"jo-doe"}
    assert nppes.unique_id("jo-doe", taken, "1234") == "jo-doe-1234"
    assert nppes.unique_id("jo-doe", taken, "1234") == "jo-doe-1234-2"
    assert len(nppes.unique_id("x" * 80, set())) == 64


def test_a_line_break_inside_a_quoted_value(example_site, tmp_path):
    text = SAMPLE.read_bytes().decode("utf-8").replace('"9 BRAMBLE WAY"', '"9 BRAMBLE\nWAY"', 1)
    odd = tmp_path / "odd.csv"
    odd.write_bytes(text.encode("utf-8"))
    code, _, err = cli("import", "nppes", str(odd), "--root", str(example_site), "--state", "NC")
    assert code == 0, err
    assert (example_site / "data/practices/9-bramble-way-brevard.yaml").is_file()


def test_a_malformed_row_is_found_even_where_a_filter_skips_it(example_site, tmp_path):
    text = SAMPLE.read_bytes().decode("utf-8").replace('"LUNA"', '"LUNA","x"', 1)  # SC
    bad = tmp_path / "bad.csv"
    bad.write_bytes(text.encode("utf-8"))
    before = snapshot(example_site)
    code, _, err = cli("import", "nppes", str(bad), "--root", str(example_site), "--state", "NC")
    assert code == 1 and f"{bad}:7:1: error: 331 fields where the header has 330" in err
    assert snapshot(example_site) == before


def test_the_writers_fast_path_for_plain_text_reads_back_with_both_parsers():
    """yamltext.scalar writes plain, without a round trip, the text its pattern allows (names,
    addresses of an import): every such text must read back as itself with PyYAML and the
    fast YAML 1.2 parser, in a mapping and in a flow list."""
    from hypothesis import given, settings, strategies as st

    from liaison import yamlio
    from liaison.scaffold import yamltext

    for text in ("828-555-0190", "02138-0004", "12", "0012",
                 "1-2-3-4", "007"):
        for in_list in (False, True):
            written = yamltext.scalar(text, in_list)
            probe = f"k: [{written}]" if in_list else f"k: {written}"
            expected = {"k": [text] if in_list else text}
            assert yaml.safe_load(probe) == expected, written
            if yamlio.yaml_rs is not None:
                assert yamlio.yaml_rs.loads(probe) == expected, written

    words = st.sampled_from(["Yes", "no", "ON", "null", "True", "y", "N", "1e3", "0x1F", "12",
                             "2026-01-02", "Mc", "O'Neil", "&", "-", ",", ".", "(a)", "a/b",
                             "Ste", "nan", "inf", "Main", "x"])

    @settings(max_examples=400, deadline=None)
    @given(st.lists(words, min_size=1, max_size=4), st.booleans())
    def check(parts, in_list):
        text = " ".join(parts)
        if not yamltext._plainly_text(text, in_list):
            return
        probe = f"k: [{text}]" if in_list else f"k: {text}"
        expected = {"k": [text] if in_list else text}
        assert yaml.safe_load(probe) == expected
        if yamlio.yaml_rs is not None:
            assert yamlio.yaml_rs.loads(probe) == expected
        assert yamltext.scalar(text, in_list) == text

    check()


def test_a_warning_of_the_guard_does_not_stop_the_import(example_site, tmp_path):
    """A registry value with a near form of a patient identifier (a warning of `validate`,
    not an error) is imported; validate then warns about it."""
    text = SAMPLE.read_bytes().decode("utf-8").replace('"9 BRAMBLE WAY"',
                                                        '"9 BRAMBLE WAY, ACCT 44712"', 1)
    odd = tmp_path / "odd.csv"
    odd.write_bytes(text.encode("utf-8"))
    code, _, err = cli("import", "nppes", str(odd), "--root", str(example_site), "--state", "NC")
    assert code == 0, err
    written = [p for p in (example_site / "data/practices").iterdir()
               if "acct 44712" in p.read_text(encoding="utf-8").lower()]
    assert len(written) == 1


def _zipped(data: bytes) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("npidata_pfile_20260202-20260208.csv", data)
    return buf.getvalue()


@pytest.mark.parametrize("make, message", [
    (_zipped, ":1:1: error: a zip archive (an .xlsx workbook is one too), not a CSV file: give the "
              "CSV file itself"),
    (lambda b: b.replace(b'","', b'";"'), ":1:1: error: the values are separated by semicolons, not "
                                          "commas"),
    (lambda b: b.rstrip(b"\r\n")[:b.rstrip(b"\r\n").rindex(b'","') + 1],
     "fields where the header has 330 (the file ends in this line, without a line end: was "
     "the download cut short? download it again)"),
])
def test_a_download_of_another_form_says_what_to_do(example_site, tmp_path, make, message):
    bad = tmp_path / "npidata.csv"
    bad.write_bytes(make(SAMPLE.read_bytes()))
    before = snapshot(example_site)
    code, out, err = cli("import", "nppes", str(bad), "--root", str(example_site))
    assert code == 1 and out == "" and "Traceback" not in err
    assert f"{bad}" in err and message in err, err
    assert len(err.strip().splitlines()) == 1
    assert snapshot(example_site) == before


def test_a_physician_file_that_does_not_read_still_holds_its_npi(example_site):
    """A site's physician file with a YAML mistake: its NPI is in the site all the same, so
    the import does not add that physician a second time (validate says what is wrong)."""
    broken = example_site / "data/physicians/alan-cho.yml"
    assert "1329076149" in broken.read_text(encoding="utf-8")  # Grace Holloway's row's NPI
    broken.write_text(broken.read_text(encoding="utf-8") + "notes: [never closed\n",
                      encoding="utf-8")
    before = set(files_named(example_site))
    code, out, err = imported(example_site, "--state", "NC")
    assert code == 0, err
    assert "grace-holloway" not in out and "skipped 1 already in the site" in err
    assert len(set(files_named(example_site)) - before) == 6


def files_named(root: Path) -> list[str]:
    return [p.stem for p in (root / "data" / "physicians").iterdir()]


def test_a_site_physician_whose_npi_was_deactivated_is_named(example_site, tmp_path):
    """The registry's row of a deactivated NPI holds the NPI and the date alone (no state, no
    ZIP code): it was counted "outside the filters", and a referring physician who retired or
    moved away went unnoticed. Named now, their file left as it is; one reactivated since is
    not named."""
    def edit(rows):
        header = rows[0]
        blank = [""] * len(header)
        gone, back = list(blank), list(blank)
        gone[header.index("NPI")] = "1329076149"
        gone[header.index("NPI Deactivation Date")] = "03/02/2026"
        back[header.index("NPI")] = "1192648057"
        back[header.index("NPI Deactivation Date")] = "01/05/2025"
        back[header.index("NPI Reactivation Date")] = "06/30/2025"
        return rows + [gone, back]

    path = _rewritten(tmp_path, edit)
    before = snapshot(example_site)
    code, _out, err = cli("import", "nppes", str(path), "--root", str(example_site),
                          "--state", "NC")
    assert code == 0, err
    rel = next(str(p.relative_to(example_site)) for p in
               (example_site / "data" / "physicians").iterdir()
               if "1329076149" in p.read_text(encoding="utf-8"))
    assert (f"1 physician of the site has an NPI the registry deactivated (retired, moved away "
            f"or deceased? ask their office, then update the file; delete it only if no visit or "
            f"referral names it, since those are their history): {rel} "
            f"(NPI 1329076149, deactivated 03/02/2026; {path}:14)") in err
    assert "1192648057" not in err
    assert "1 deactivated, 1 with an invalid NPI, 4 outside the filters" in err
    after = snapshot(example_site)
    assert {k: v for k, v in after.items() if k in before} == before


def test_a_skip_list_keeps_npis_out_for_good(example_site, tmp_path):
    """A prospect the team deleted came back with every monthly import, and so did the
    clinic's own clinicians under `--specialty vascular`: `--skip LIST` names NPIs never to
    import (one a line, # comments); a word that is no NPI is an error at its line and
    column, before anything is read or written."""
    listed = tmp_path / "skip.txt"
    listed.write_text("# our own clinicians\n1300110016  # Odalys Fernworth\n\n"
                      "1300110057 1300110073\n", encoding="utf-8")
    before = set(files(example_site, "physicians"))
    code, out, err = cli("import", "nppes", str(SAMPLE), "--root", str(example_site),
                         "--state", "NC", "--skip", str(listed))
    assert code == 0, err
    new = set(files(example_site, "physicians")) - before
    assert sorted(new) == ["bram-o-halloran-pike", "cassius-dellarosa", "teagan-mcallister",
                           "willa-strandquist"]
    assert "skipped 1 already in the site, 2 on the skip list, 0 deactivated" in err
    # (1300110073 is in Massachusetts: outside the filters first)
    bad = tmp_path / "bad.txt"
    bad.write_text("1300110016\n  1300-110-024  # with dashes\n", encoding="utf-8")
    snap = snapshot(example_site)
    code, out, err = cli("import", "nppes", str(SAMPLE), "--root", str(example_site),
                         "--skip", str(bad))
    assert code == 1 and out == ""
    assert err.strip() == (f"{bad}:2:3: error: '1300-110-024' is not an NPI (ten digits); a "
                           "skip list holds NPIs, one a line, and # comments")
    assert snapshot(example_site) == snap
    # a column of NPIs pasted from a spreadsheet: a number it rounded, or wrote with decimals,
    # is said as such (it was only "not an NPI (ten digits)")
    bad.write_text("1300110016\n1.30011E+09\n", encoding="utf-8")
    code, out, err = cli("import", "nppes", str(SAMPLE), "--root", str(example_site),
                         "--skip", str(bad))
    assert code == 1 and "'1.30011E+09' is not an NPI (ten digits) (a spreadsheet showed it so" \
        in err and "its last digits are lost" in err, err
    bad.write_text("1300110016.0\n", encoding="utf-8")
    code, out, err = cli("import", "nppes", str(SAMPLE), "--root", str(example_site),
                         "--skip", str(bad))
    assert code == 1 and "(write 1300110016: a spreadsheet writes a number so" in err, err
    assert snapshot(example_site) == snap
    # a skip list that is not there: a usage error naming the option, nothing read or written
    code, out, err = cli("import", "nppes", str(SAMPLE), "--root", str(example_site),
                         "--skip", str(tmp_path / "no-such.txt"))
    assert code == 2 and out == "", err
    assert f"Invalid value for '--skip': '{tmp_path / 'no-such.txt'}' is not a file" in err, err
    assert snapshot(example_site) == snap


_SHORT_HEADER = ["NPI", "Entity Type Code", "Provider Last Name (Legal Name)", "Provider First Name",
                 "Provider First Line Business Practice Location Address",
                 "Provider Business Practice Location Address City Name",
                 "Provider Business Practice Location Address State Name",
                 "Provider Business Practice Location Address Postal Code",
                 "NPI Deactivation Date", "NPI Reactivation Date",
                 "Healthcare Provider Taxonomy Code_1"]


def _short_extract(path: Path, rows: list[list[str]]) -> Path:
    """An extract of the registry's layout cut to the columns the import reads, every value
    quoted and lines ended with CRLF, as the registry writes them."""
    path.write_text("\r\n".join(",".join(f'"{v}"' for v in r) for r in [_SHORT_HEADER, *rows])
                    + "\r\n", encoding="utf-8")
    return path


def test_a_sleep_centers_referrers_are_named_by_their_specialty(tmp_path):
    """The shorthands and specialty names of other specialties than vein care: a sleep
    center's pulmonologists, dentists and neurologists were "Provider taxonomy 207RP1001X",
    to rename one file at a time, and `--specialty pulmonology` was no shorthand."""
    root = tmp_path / "sleep"
    assert cli("init", str(root))[0] == 0
    rows = [["1000000012", "1", "QUARLEY", "ODESSA", "9 Tern Way", "HARLOW POINT", "ME", "04999",
             "", "", "207RP1001X"],
            ["1000000020", "1", "VANTREESE", "MILO", "9 Tern Way", "HARLOW POINT", "ME", "04999",
             "", "", "1223G0001X"],
            ["1000000038", "1", "ESKELAND", "RUNA", "9 Tern Way", "HARLOW POINT", "ME", "04999",
             "", "", "2084N0400X"]]
    extract = _short_extract(tmp_path / "extract.csv", rows)
    code, _out, err = cli("import", "nppes", str(extract), "--root", str(root),
                          "--specialty", "pulmonology", "--specialty", "dentistry")
    assert code == 0, err
    new = {k: v for k, v in files(root, "physicians").items() if "nppes" in v.get("tags", [])}
    assert {k: v["specialty"] for k, v in new.items()} == {
        "odessa-quarley": "Pulmonary Disease", "milo-vantreese": "Dentist (General Practice)"}
    code, _out, err = cli("import", "nppes", str(extract), "--root", str(root),
                          "--specialty", "neurology")
    assert code == 0, err
    assert files(root, "physicians")["runa-eskeland"]["specialty"] == "Neurology"
    assert run_validate(root)[0] == 0


def test_an_orthopedic_or_cardiology_groups_referrers_have_shorthands(tmp_path):
    """Emergency physicians (who send fractures to an orthopedic group and chest pain to a
    cardiology group) and chiropractors had no --specialty shorthand, and a chiropractor was
    written "Provider taxonomy 111N00000X"."""
    root = tmp_path / "ortho"
    assert cli("init", str(root))[0] == 0
    rows = [["1000000012", "1", "TREMAYNE", "ISOLDE", "4 Quarry Rd", "HARLOW POINT", "ME",
             "04999", "", "", "207P00000X"],
            ["1000000020", "1", "BRANSCOMB", "ALVAR", "4 Quarry Rd", "HARLOW POINT", "ME",
             "04999", "", "", "111N00000X"],
            ["1000000038", "1", "ESKELAND", "RUNA", "4 Quarry Rd", "HARLOW POINT", "ME", "04999",
             "", "", "2084N0400X"]]
    extract = _short_extract(tmp_path / "extract.csv", rows)
    code, _out, err = cli("import", "nppes", str(extract), "--root", str(root),
                          "--specialty", "emergency-medicine", "--specialty", "chiropractic")
    assert code == 0, err
    new = {k: v for k, v in files(root, "physicians").items() if "nppes" in v.get("tags", [])}
    assert {k: v["specialty"] for k, v in new.items()} == {
        "isolde-tremayne": "Emergency Medicine", "alvar-branscomb": "Chiropractor"}
    assert run_validate(root)[0] == 0
    code, out, _err = cli("import", "nppes", "--help")
    assert "emergency-medicine" in out and "chiropractic" in out


# ------------------------------------------------------------------------------ found by mutants
# (tests/test_import_nppes.py: mutants of liaison/importers/nppes.py that no test noticed)

def _person(header: list[str], npi: str, first: str, last: str, values: dict) -> list[str]:
    """A registry row of an invented individual provider (the fixture's layout, 330 columns):
    the NPI, the names and ``values`` by column name, the rest empty."""
    row = [""] * len(header)
    for column, value in {"NPI": npi, "Entity Type Code": "1",
                          "Provider Last Name (Legal Name)": last,
                          "Provider First Name": first, **values}.items():
        row[header.index(column)] = value
    return row


def _located(street, city, state, zip9, phone, code, **extra) -> dict:
    return {"Provider First Line Business Practice Location Address": street,
            "Provider Business Practice Location Address City Name": city,
            "Provider Business Practice Location Address State Name": state,
            "Provider Business Practice Location Address Postal Code": zip9,
            "Provider Business Practice Location Address Telephone Number": phone,
            "Healthcare Provider Taxonomy Code_1": code,
            "Healthcare Provider Primary Taxonomy Switch_1": "Y", **extra}


def test_an_npi_deactivated_again_after_its_reactivation_is_not_imported(example_site, tmp_path):
    """Deactivated 03/02/2026 after a reactivation of 06/30/2025: deactivated (the rule is
    "unless reactivated since", and it was not); the fixture's Cassius Dellarosa, reactivated
    after his deactivation, is imported."""
    def edit(rows):
        return rows + [_person(rows[0], "1300110206", "ROWAN", "HADLEY", _located(
            "5 ORCHARD ROW", "ASHEVILLE", "NC", "288010005", "8285550161", "207Q00000X",
            **{"NPI Deactivation Date": "03/02/2026", "NPI Reactivation Date": "06/30/2025"}))]
    path = _rewritten(tmp_path, edit)
    before = set(files(example_site, "physicians"))
    code, _, err = cli("import", "nppes", str(path), "--root", str(example_site), "--state", "NC")
    assert code == 0, err
    new = set(files(example_site, "physicians")) - before
    assert "rowan-hadley" not in new and "cassius-dellarosa" in new
    assert "13 rows: added 6 physicians" in err and " 1 deactivated, " in err, err


def test_the_filters_read_the_practice_location_not_the_mailing_address(example_site, tmp_path):
    """A provider who practises in Larkspur, SC (29601) and gets mail in Weaverville, NC
    (28787) is outside `--state NC` and `--zip 2878`, and inside `--state SC`."""
    mailing = {"Provider First Line Business Mailing Address": "PO BOX 12",
               "Provider Business Mailing Address City Name": "WEAVERVILLE",
               "Provider Business Mailing Address State Name": "NC",
               "Provider Business Mailing Address Postal Code": "287871000"}

    def edit(rows):
        return rows + [_person(rows[0], "1300110214", "NOOR", "ELLINGHAM", _located(
            "300 FERRY STREET", "LARKSPUR", "SC", "296010001", "8645550177", "207Q00000X",
            **mailing))]
    path = _rewritten(tmp_path, edit)

    def would_add(*args):
        code, out, err = cli("import", "nppes", str(path), "--root", str(example_site),
                             "--dry-run", *args)
        assert code == 0, err
        return sorted(line.split()[2].rsplit("/", 1)[1][:-5] for line in out.splitlines()
                      if line.startswith("would write data/physicians/"))
    assert "noor-ellingham" not in would_add("--state", "NC")
    assert would_add("--zip", "2878") == ["bram-o-halloran-pike", "teagan-mcallister"]
    assert would_add("--state", "SC") == ["luna-castello", "noor-ellingham"]


def test_a_taxonomy_filter_reads_the_15_slots_not_the_taxonomy_groups(example_site, tmp_path):
    """`--taxonomy` matches a code in one of the provider's 15 taxonomy slots; the same code
    in a "Healthcare Provider Taxonomy Group" column (the group the provider belongs to) is
    not the provider's taxonomy."""
    def edit(rows):
        return rows + [_person(rows[0], "1300110222", "IRIS", "PELLWORTH", _located(
            "12 DOGWOOD COURT", "ARDEN", "NC", "287040012", "8285550122", "207R00000X",
            **{"Healthcare Provider Taxonomy Group_1": "193200000X MULTI-SPECIALTY GROUP"}))]
    path = _rewritten(tmp_path, edit)
    before = set(files(example_site, "physicians"))
    code, _, err = cli("import", "nppes", str(path), "--root", str(example_site), "--dry-run",
                       "--taxonomy", "193200000X")
    assert code == 0, err
    assert "would add 0 physicians" in err, err
    code, out, err = cli("import", "nppes", str(path), "--root", str(example_site),
                         "--taxonomy", "207R00000X")
    assert code == 0, err
    # internal medicine: Imogen Vanderholt (MA), Cassius Dellarosa and Iris Pellworth
    assert sorted(set(files(example_site, "physicians")) - before) == [
        "cassius-dellarosa", "imogen-vanderholt", "iris-pellworth"]


def test_a_file_with_a_byte_order_mark_reads_the_same(example_site, tmp_path):
    """An extract saved by a spreadsheet as "CSV UTF-8" begins with a byte-order mark: its
    first column is still "NPI"."""
    marked = tmp_path / "npidata_extract.csv"
    marked.write_bytes(b"\xef\xbb\xbf" + SAMPLE.read_bytes())
    code, out, err = imported(example_site, "--dry-run", "--state", "NC")
    assert code == 0, err
    code, out2, err2 = cli("import", "nppes", str(marked), "--root", str(example_site),
                           "--dry-run", "--state", "NC")
    assert code == 0, err2
    assert out2 == out and len(out.splitlines()) == 10 and err2 == err


def test_a_value_the_records_refuse_writes_nothing(example_site, tmp_path):
    """A registry value that `validate` refuses as an error (here an address that reads as a
    medical record number) stops the import before anything is written, said at its line of
    the registry file (it read "Error: data/practices/….yaml (from row 5): …", without the
    file to look in)."""
    text = SAMPLE.read_bytes().decode("utf-8").replace('"9 BRAMBLE WAY"',
                                                        '"9 BRAMBLE WAY, MRN 4471233"', 1)
    odd = tmp_path / "odd.csv"
    odd.write_bytes(text.encode("utf-8"))
    before = snapshot(example_site)
    code, out, err = cli("import", "nppes", str(odd), "--root", str(example_site),
                         "--state", "NC")
    assert code == 1 and out == "", err
    # at the registry file's line of the provider, as validate writes a problem, with the
    # file it would have written
    assert err.strip().splitlines() == [
        f"{odd}:5:1: error: data/practices/9-bramble-way-mrn-4471233-brevard.yaml: name: looks "
        "like a medical record number: patient identifiers must never be stored in the "
        "repository; nothing written"], err
    assert snapshot(example_site) == before


def test_providers_at_one_address_with_another_phone_are_another_practice(example_site,
                                                                        tmp_path):
    """Practices are told by their address, then their phone: a third provider at 77 Lantern
    Hill Road, Suite 200 (Teagan McAllister's and Bram O'Halloran-Pike's, phone 828-555-0190)
    with the phone 828-555-0999 is a practice of their own, the id taken: "-2"."""
    def edit(rows):
        return rows + [_person(rows[0], "1300110230", "HOLLIS", "VANTREE", _located(
            "77 LANTERN HILL ROAD", "WEAVERVILLE", "NC", "287871000", "8285550999",
            "207Q00000X",
            **{"Provider Second Line Business Practice Location Address": "SUITE 200"}))]
    path = _rewritten(tmp_path, edit)
    code, _, err = cli("import", "nppes", str(path), "--root", str(example_site), "--state", "NC")
    assert code == 0, err
    phys, prac = files(example_site, "physicians"), files(example_site, "practices")
    assert phys["teagan-mcallister"]["practice"] == phys["bram-o-halloran-pike"]["practice"] \
        == "77-lantern-hill-road-weaverville"
    assert phys["hollis-vantree"]["practice"] == "77-lantern-hill-road-weaverville-2"
    assert prac["77-lantern-hill-road-weaverville"]["phone"] == "828-555-0190"
    assert prac["77-lantern-hill-road-weaverville-2"]["phone"] == "828-555-0999"
    assert "added 7 physicians and 5 practices" in err, err


def test_each_file_says_the_registry_line_it_came_from(example_site):
    """The comment at the top of a written file names the file's line of the provider (the
    header is line 1): Willa Strandquist is the fourth provider, line 5; her practice, 9
    Bramble Way, comes from the same line."""
    assert imported(example_site, "--state", "NC")[0] == 0
    for rel in ("data/physicians/willa-strandquist.yaml", "data/practices/9-bramble-way-brevard.yaml"):
        text = (example_site / rel).read_text(encoding="utf-8")
        assert "Imported by `liaison import nppes` from npidata_sample.csv, row 5." in text, text


def test_blank_lines_are_skipped(example_site, tmp_path):
    """A blank line between the records and one at the end (as an editor leaves them) are no
    records: the file reads as the sample does."""
    text = SAMPLE.read_bytes().decode("utf-8")
    first_row_end = text.index("\r\n", text.index("\r\n") + 2) + 2
    blank = tmp_path / "npidata_extract.csv"
    blank.write_bytes((text[:first_row_end] + "\r\n" + text[first_row_end:] + "\r\n").encode("utf-8"))
    code, out, err = imported(example_site, "--dry-run")
    assert code == 0, err
    code, out2, err2 = cli("import", "nppes", str(blank), "--root", str(example_site), "--dry-run")
    assert code == 0, err2
    assert out2 == out and len(out.splitlines()) == 14  # 8 physicians, 6 practices


def test_a_bad_row_above_the_last_line_is_not_said_as_a_cut_download(example_site, tmp_path):
    """A file whose last line has no line end, with a row of 331 fields on line 7 (Luna
    Castello's): that row's error, not "was the download cut short?" (said of the last line
    only)."""
    text = SAMPLE.read_bytes().decode("utf-8").rstrip("\r\n").replace('"LUNA"', '"LUNA","x"', 1)
    bad = tmp_path / "npidata_extract.csv"
    bad.write_bytes(text.encode("utf-8"))
    code, _, err = cli("import", "nppes", str(bad), "--root", str(example_site))
    assert code == 1 and err.strip().splitlines() == [
        f"{bad}:7:1: error: 331 fields where the header has 330"], err
