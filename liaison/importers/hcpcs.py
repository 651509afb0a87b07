"""HCPCS procedure codes a vein & vascular practice bills: the ``--procedures`` shorthands of
`import cms-utilization` and the short names the pages show.

Every code here was checked against the CPT descriptors (AMA) as coding references quote them;
a code that is not named here shows the description CMS writes in its file.
"""
from __future__ import annotations

NAMES: dict[str, str] = {
    # endovenous ablation (one code for the first vein, an add-on for each later one)
    "36473": "Mechanochemical ablation, first vein",
    "36474": "Mechanochemical ablation, later veins",
    "36475": "Radiofrequency ablation, first vein",
    "36476": "Radiofrequency ablation, later veins",
    "36478": "Laser ablation, first vein",
    "36479": "Laser ablation, later veins",
    "36482": "Adhesive (cyanoacrylate) ablation, first vein",
    "36483": "Adhesive (cyanoacrylate) ablation, later veins",
    # sclerotherapy
    "36465": "Foam sclerotherapy (non-compounded), one truncal vein",
    "36466": "Foam sclerotherapy (non-compounded), several truncal veins",
    "36470": "Sclerotherapy, one vein",
    "36471": "Sclerotherapy, several veins of one leg",
    # surgery
    "37718": "Ligation and stripping, short saphenous vein",
    "37722": "Ligation and stripping, great saphenous vein",
    "37765": "Stab phlebectomy, 10 to 20 incisions",
    "37766": "Stab phlebectomy, more than 20 incisions",
    # vein ultrasound
    "93970": "Duplex scan of extremity veins, both sides",
    "93971": "Duplex scan of extremity veins, one side or limited",
}

# `--procedures NAME`: groups of codes.
GROUPS: dict[str, tuple[str, ...]] = {
    "ablation": ("36473", "36474", "36475", "36476", "36478", "36479", "36482", "36483"),
    "sclerotherapy": ("36465", "36466", "36470", "36471"),
    "vein-surgery": ("37718", "37722", "37765", "37766"),
    "vein-ultrasound": ("93970", "93971"),
}
GROUPS["vein"] = tuple(sorted({c for codes in GROUPS.values() for c in codes}))
DEFAULT_GROUP = "vein"


def name(code: str, described: str = "") -> str:
    """A code's short name: ours, else the description CMS wrote, else the code."""
    return NAMES.get(code) or described or f"HCPCS {code}"
