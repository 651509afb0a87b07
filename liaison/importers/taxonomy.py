"""Healthcare provider taxonomy codes (NUCC, as the NPI registry writes them): the name a
physician file's ``specialty`` takes, and the ``--specialty`` shorthands of `import nppes`.

Named here are the codes of the clinicians who refer to the specialty practices Liaison is
used by, or who compete with them: a vein & vascular practice (the sample's), and a sleep
center, an orthopedic and sports-medicine group or a dermatology practice (whose pulmonologists,
neurologists, dentists or physical therapists were written "Provider taxonomy 207RP1001X", one
file at a time to rename). Another code is written as "Provider taxonomy <code>" for the
liaison to rename.
"""
from __future__ import annotations

NAMES: dict[str, str] = {
    # family and general medicine
    "207Q00000X": "Family Medicine",
    "207QA0505X": "Family Medicine (Adult Medicine)",
    "207QG0300X": "Family Medicine (Geriatric Medicine)",
    "207QS0010X": "Family Medicine (Sports Medicine)",
    "208D00000X": "General Practice",
    "208M00000X": "Hospitalist",
    # internal medicine and its subspecialties
    "207R00000X": "Internal Medicine",
    "207RG0300X": "Internal Medicine (Geriatric Medicine)",
    "207RC0000X": "Cardiovascular Disease",
    "207RI0011X": "Interventional Cardiology",
    "207RC0001X": "Clinical Cardiac Electrophysiology",
    "207RE0101X": "Endocrinology, Diabetes & Metabolism",
    "207RN0300X": "Nephrology",
    "207RH0003X": "Hematology & Oncology",
    "207RI0200X": "Infectious Disease",
    "207RP1001X": "Pulmonary Disease",
    "207RS0012X": "Sleep Medicine",
    "207RR0500X": "Rheumatology",
    "207RX0202X": "Medical Oncology",
    "207K00000X": "Allergy & Immunology",
    # neurology, psychiatry, otolaryngology, dentistry (a sleep center's referrers)
    "2084N0400X": "Neurology",
    "2084P0800X": "Psychiatry",
    "2084S0012X": "Sleep Medicine (Psychiatry & Neurology)",
    "207Y00000X": "Otolaryngology",
    "207YS0012X": "Otolaryngology (Sleep Medicine)",
    "122300000X": "Dentist",
    "1223G0001X": "Dentist (General Practice)",
    # orthopedics, sports medicine and rehabilitation
    "207X00000X": "Orthopaedic Surgery",
    "207XS0114X": "Orthopaedic Surgery (Adult Reconstructive)",
    "207XX0005X": "Orthopaedic Surgery (Sports Medicine)",
    "207XS0106X": "Orthopaedic Surgery (Hand Surgery)",
    "207XS0117X": "Orthopaedic Surgery (Spine)",
    "208100000X": "Physical Medicine & Rehabilitation",
    "225100000X": "Physical Therapist",
    "111N00000X": "Chiropractor",
    "207P00000X": "Emergency Medicine",
    "208000000X": "Pediatrics",
    # women's health
    "207V00000X": "Obstetrics & Gynecology",
    "207VG0400X": "Gynecology",
    "207VX0000X": "Obstetrics",
    "207VM0101X": "Maternal & Fetal Medicine",
    # podiatry
    "213E00000X": "Podiatry",
    "213ES0103X": "Podiatry (Foot & Ankle Surgery)",
    "213ES0131X": "Podiatry (Foot Surgery)",
    "213EP1101X": "Podiatry (Primary Podiatric Medicine)",
    "207XX0004X": "Orthopaedic Surgery (Foot and Ankle)",
    # wound care
    "163WW0000X": "Wound Care Nursing",
    "2083P0011X": "Undersea and Hyperbaric Medicine",
    "207PE0005X": "Undersea and Hyperbaric Medicine (Emergency Medicine)",
    # vascular care (the practice's own field: the competition)
    "202K00000X": "Phlebology",
    "2086S0129X": "Vascular Surgery",
    "2085R0204X": "Vascular & Interventional Radiology",
    "208G00000X": "Thoracic Surgery (Cardiothoracic Vascular Surgery)",
    "2086S0122X": "Plastic and Reconstructive Surgery",
    "207N00000X": "Dermatology",
    "207ND0101X": "Dermatology (Mohs-Micrographic Surgery)",
    "207NS0135X": "Dermatology (Procedural Dermatology)",
    "208600000X": "General Surgery",
    # advanced practice
    "363L00000X": "Nurse Practitioner",
    "363LF0000X": "Nurse Practitioner (Family)",
    "363LA2200X": "Nurse Practitioner (Adult Health)",
    "363LP2300X": "Nurse Practitioner (Primary Care)",
    "363LW0102X": "Nurse Practitioner (Women's Health)",
    "363LX0001X": "Nurse Practitioner (Obstetrics & Gynecology)",
    "363A00000X": "Physician Assistant",
    "363AM0700X": "Physician Assistant (Medical)",
    "363AS0400X": "Physician Assistant (Surgical)",
}

# `--specialty NAME`: the taxonomy codes a vein & vascular practice looks for, then those a
# sleep center, an orthopedic group, a cardiology group or a dermatology practice looks for.
SPECIALTIES: dict[str, tuple[str, ...]] = {
    "family-medicine": ("207Q00000X", "207QA0505X", "207QG0300X", "208D00000X"),
    "internal-medicine": ("207R00000X", "207RG0300X"),
    "primary-care": ("207Q00000X", "207QA0505X", "207QG0300X", "208D00000X", "207R00000X",
                     "207RG0300X", "363LF0000X", "363LA2200X", "363LP2300X"),
    "podiatry": ("213E00000X", "213ES0103X", "213ES0131X", "213EP1101X", "207XX0004X"),
    "obgyn": ("207V00000X", "207VG0400X", "207VX0000X", "363LW0102X", "363LX0001X"),
    "wound-care": ("163WW0000X", "2083P0011X", "207PE0005X"),
    "cardiology": ("207RC0000X", "207RI0011X", "207RC0001X"),
    "nephrology": ("207RN0300X",),
    "endocrinology": ("207RE0101X",),
    "vascular": ("202K00000X", "2086S0129X", "2085R0204X", "208G00000X"),
    "pulmonology": ("207RP1001X",),
    "sleep-medicine": ("207RS0012X", "2084S0012X", "207YS0012X"),
    "neurology": ("2084N0400X",),
    "psychiatry": ("2084P0800X",),
    "otolaryngology": ("207Y00000X", "207YS0012X"),
    "dentistry": ("122300000X", "1223G0001X"),
    "orthopedics": ("207X00000X", "207XS0114X", "207XX0005X", "207XS0106X", "207XS0117X",
                    "207XX0004X"),
    "sports-medicine": ("207QS0010X", "207XX0005X"),
    "rheumatology": ("207RR0500X",),
    "physical-therapy": ("225100000X", "208100000X"),
    "dermatology": ("207N00000X", "207ND0101X", "207NS0135X"),
    "pediatrics": ("208000000X",),
    # who sends an orthopedic group its fractures and a cardiology group its chest pain
    "emergency-medicine": ("207P00000X",),
    "chiropractic": ("111N00000X",),
}


def name(code: str) -> str:
    """The specialty a taxonomy code stands for."""
    return NAMES.get(code, f"Provider taxonomy {code}")
