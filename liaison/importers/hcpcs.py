"""HCPCS procedure codes of the specialties a practice using Liaison may be: the
``--procedures`` shorthands of `import cms-utilization` and the short names the pages show.
The vein & vascular practice's codes are the default (the sample site's); a sleep center, a
cardiology group and an orthopedic practice have groups of their own.

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
    # sleep medicine: attended studies in the lab, home sleep apnea tests
    "95810": "In-lab sleep study (polysomnography)",
    "95811": "In-lab sleep study with CPAP titration",
    "95805": "Multiple sleep latency or maintenance of wakefulness test",
    "95806": "Home sleep apnea test (airflow and effort)",
    "95800": "Home sleep apnea test (with sleep time)",
    "95801": "Home sleep apnea test (minimum channels)",
    "G0399": "Home sleep test, type III portable monitor",
    # cardiology: echocardiography, stress testing, rhythm
    "93306": "Echocardiogram (transthoracic), complete with Doppler",
    "93350": "Stress echocardiogram",
    "93351": "Stress echocardiogram with the stress test supervised",
    "93015": "Cardiovascular stress test, complete",
    "78452": "Nuclear stress test (SPECT), multiple studies",
    "93224": "Holter monitor up to 48 hours, complete",
    "93656": "Atrial fibrillation ablation (pulmonary vein isolation)",
    "93880": "Duplex scan of neck arteries (carotid), both sides",
    # orthopedics: joint replacement, arthroscopy, injections
    "27447": "Total knee replacement",
    "27130": "Total hip replacement",
    "23472": "Total shoulder replacement",
    "29881": "Knee arthroscopy with meniscectomy",
    "29827": "Shoulder arthroscopy with rotator cuff repair",
    "20610": "Injection or aspiration of a major joint",
    "20611": "Injection or aspiration of a major joint, ultrasound-guided",
}

# `--procedures NAME`: groups of codes.
GROUPS: dict[str, tuple[str, ...]] = {
    "ablation": ("36473", "36474", "36475", "36476", "36478", "36479", "36482", "36483"),
    "sclerotherapy": ("36465", "36466", "36470", "36471"),
    "vein-surgery": ("37718", "37722", "37765", "37766"),
    "vein-ultrasound": ("93970", "93971"),
}
DEFAULT_GROUP = "vein"
GROUPS.update({
    "sleep-study": ("95805", "95810", "95811"),
    "home-sleep-test": ("95800", "95801", "95806", "G0399"),
    "echo": ("93306", "93350", "93351"),
    "stress-test": ("78452", "93015", "93350", "93351"),
    "heart-rhythm": ("93224", "93656"),
    "joint-replacement": ("23472", "27130", "27447"),
    "arthroscopy": ("29827", "29881"),
    "joint-injection": ("20610", "20611"),
})
# a specialty's every code, as `vein` is the vein practice's
SPECIALTIES: dict[str, tuple[str, ...]] = {
    "vein": ("ablation", "sclerotherapy", "vein-surgery", "vein-ultrasound"),
    "sleep": ("sleep-study", "home-sleep-test"),
    "cardiology": ("echo", "stress-test", "heart-rhythm", "93880"),
    "orthopedics": ("joint-replacement", "arthroscopy", "joint-injection"),
}
for _specialty, _parts in SPECIALTIES.items():
    GROUPS[_specialty] = tuple(sorted({c for part in _parts for c in GROUPS.get(part, (part,))}))


def name(code: str, described: str = "") -> str:
    """A code's short name: ours, else the description CMS wrote, else the code."""
    return NAMES.get(code) or described or f"HCPCS {code}"
