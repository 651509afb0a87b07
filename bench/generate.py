#!/usr/bin/env python3
"""Generate a large, valid Liaison site root for benchmarks.

    python bench/generate.py OUT_DIR --physicians N [--seed 1] [--as-of 2026-11-26] [--force]

Everything is invented from small syllable lists with ``random.Random(seed)`` and written with
plain string formatting (no YAML library), so the output is byte-identical for a given
(N, seed, as-of) and N = 10,000 takes seconds. Standard library only.

Layout (SPEC §1):

    site.yaml                                  6 services, tiers A/B/C, thresholds
    data/practices/p-00001.yaml …              ceil(N/3) practices
    data/physicians/d-000001.yaml …            N physicians
    data/team/t-0001.yaml …                    max(5, ceil(N/40)) members
    data/interactions/YYYY/MM/<member>.yaml    ~20 interactions per physician, one list file
                                               per team member per month, five years before
                                               the as-of date, none after it
    data/referrals/YYYY-MM.csv                 ~30 referral rows per physician (70% from a
                                               physician), one CSV per month
    content/training/*.md                      3 guides
    content/presentations/working-with-us.md   1 deck, targets: all, Jinja in the slides
    .liaison-bench                             marker: lets --force (and bench/run.py) know
                                               the folder is ours to delete or reuse

The data is meant to raise no error and no warning: every reference resolves, every NPI
passes its check digit, no follow-up is done before its interaction, no record is dated after
the as-of date, and no free text looks like a patient identifier.
"""
from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import re
import shutil
import sys
import time

import random

MARKER = ".liaison-bench"
YEARS = 5
INTERACTIONS_PER_PHYSICIAN = 20
PHYSICIAN_SOURCE_SHARE = 0.70

# --------------------------------------------------------------------------- vocabulary

FIRST_SYL = ["al", "an", "bel", "ca", "da", "el", "fa", "ga", "ha", "i", "ja", "ka", "la",
             "ma", "na", "o", "pa", "ra", "sa", "ta", "u", "va", "wi", "ya", "za"]
MID_SYL = ["", "", "ri", "le", "na", "mi", "ro", "li", "ve", "sa", "ne", "ta"]
FIRST_END = ["a", "en", "el", "is", "on", "ie", "o", "an", "ia", "er", "y", "ah"]
LAST_SYL = ["bar", "cal", "far", "gar", "hal", "kel", "lan", "mar", "nor", "pel", "quin",
            "ros", "sal", "tal", "vel", "wen", "yor", "zel", "ash", "brin", "cor", "del"]
LAST_END = ["son", "ley", "ton", "ford", "man", "wood", "by", "er", "ridge", "well", "ins",
            "ez", "ski", "berg", "ham", "ette"]
CITY_SYL = ["Ash", "Bright", "Cedar", "Clear", "Elm", "Fair", "Glen", "Green", "High", "Lake",
            "Maple", "Mill", "North", "Oak", "Pine", "River", "Rock", "Spring", "Stone",
            "West", "Willow", "Wood"]
CITY_END = ["ville", "ton", " Falls", " Springs", "field", "brook", "dale", " Hills", "port",
            "wood", " Crossing", "burg"]
STATES = ["NC", "SC", "TN", "VA", "GA", "KY", "WV", "OR", "WA", "CO", "MN", "VT"]
STREETS = ["Main Street", "Oak Avenue", "Church Street", "Hospital Drive", "Park Road",
           "College Street", "Medical Parkway", "River Road", "Highland Avenue", "Mill Lane"]

PRACTICE_KINDS = [
    # (practice name suffix, specialty, credentials, tags, weight)
    ("Family Medicine", "Family Medicine", ["MD", "DO", "NP", "PA-C"], ["primary-care"], 30),
    ("Internal Medicine", "Internal Medicine", ["MD", "DO", "NP"], ["primary-care"], 18),
    ("Podiatry", "Podiatry", ["DPM"], ["podiatry", "wound-focus"], 12),
    ("Women's Health", "Obstetrics & Gynecology", ["MD", "DO", "NP"], ["womens-health"], 10),
    ("Heart & Vascular", "Cardiology", ["MD", "DO", "NP"], ["cardiology"], 8),
    ("Wound Center", "Wound Care", ["MD", "DO", "NP"], ["wound-focus"], 7),
    ("Dermatology", "Dermatology", ["MD", "DO", "PA-C"], ["dermatology"], 6),
    ("Urgent Care", "Emergency Medicine", ["MD", "DO", "PA-C", "NP"], ["urgent-care"], 5),
    ("Nephrology", "Nephrology", ["MD", "DO"], ["specialist"], 4),
]
PRACTICE_PREFIX = ["Valley", "Summit", "Riverside", "Lakeside", "Parkway", "Heritage",
                   "Crossroads", "Mountain View", "Harbor", "Meadow", "Pinecrest", "Northside",
                   "Southside", "Eastside", "Westside", "Bluewater", "Redbud", "Laurel"]
PRACTICE_TAGS = ["high-volume", "rural", "teaching", "hospital-owned", "independent",
                 "multi-site", "new-office", "spanish-speaking", "champion", "fax-only"]
EHRS = ["athenahealth", "Epic", "eClinicalWorks", "NextGen", "Cerner", "Practice Fusion"]
VISIT_TIMES = ["Tuesday mornings", "Wednesday after 2 pm", "Thursday lunch",
               "Monday and Friday afternoons", "Before 8:30 am", "Friday mornings",
               "Tuesday and Thursday after 3 pm", "Any weekday at noon"]
STAFF_ROLES = ["office manager", "referral coordinator", "nurse manager", "front desk lead",
               "medical assistant", "scheduler", "practice administrator"]
STAFF_NOTES = ["Schedules all provider lunches.", "Prefers email over phone calls.",
               "Handles every outgoing referral.", "Ask for her by name at the window.",
               "Knows which providers are in on which days.", "Collects our brochures."]
INTERESTS = ["sports medicine", "diabetic foot care", "wound healing", "geriatrics",
             "women's health", "lymphedema", "preventive care", "obesity medicine",
             "limb salvage", "varicose veins", "restless legs", "telehealth", "research"]
PHYSICIAN_TAGS = ["champion", "key-influencer", "new-to-area", "skeptic", "hospital-privileges",
                  "residency-faculty", "bilingual", "board-member"]
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]

SERVICES = [
    ("vein-ablation", "Vein ablation",
     "Radiofrequency and adhesive closure of refluxing leg veins."),
    ("sclerotherapy", "Sclerotherapy", None),
    ("wound-clinic", "Leg wound clinic", "Same-week visits for **non-healing** leg wounds."),
    ("vascular-ultrasound", "Vascular ultrasound",
     "Venous and arterial duplex studies, read within one business day."),
    ("lymphedema-therapy", "Lymphedema therapy", None),
    ("pad-screening", "PAD screening", "Ankle-brachial index and *peripheral artery* screening."),
]
SERVICE_WEIGHTS = [30, 18, 14, 22, 6, 10]

ELSEWHERE = ["Harbor Vascular Surgeons", "the regional wound center", "Summit Vein Institute",
             "the hospital's interventional radiology", "Lakeside Cardiovascular"]
DECLINED_REASONS = ["insurance", "not-a-candidate", "patient-choice", "no-response", "other"]
INTERACTION_TYPES = ["visit", "lunch", "presentation", "event", "call", "email", "other"]
INTERACTION_WEIGHTS = [40, 12, 5, 4, 22, 15, 2]
IN_PERSON = {"visit", "lunch", "presentation", "event"}
SUMMARIES = {
    "visit": ["Dropped off referral pads and the new brochure.",
              "Quick visit with the providers between patients.",
              "Reviewed the referral criteria with the front desk.",
              "Checked in on recent consults and report turnaround.",
              "Introduced our new physician to the office.",
              "Thanked the office for this quarter's referrals."],
    "lunch": ["Provider lunch on when to order a venous duplex.",
              "Staff lunch; walked through the referral process.",
              "Lunch and learn on leg wounds that do not heal."],
    "presentation": ["Presented vein basics to the providers.",
                     "Short talk on lymphedema referrals for the clinical staff."],
    "event": ["Leg-health screening table at the office health fair.",
              "Met the providers at the county medical society dinner."],
    "call": ["Called the referral coordinator about faxed referrals.",
             "Confirmed next month's lunch with the office manager.",
             "Followed up on a scheduling question from the front desk.",
             "Called to offer the direct scheduling line."],
    "email": ["Sent the ultrasound criteria card.",
              "Emailed the holiday schedule and on-call numbers.",
              "Sent the referral form and the wound clinic flyer."],
    "other": ["Mailed a thank-you card to the office.",
              "Left a voicemail for the office manager."],
}
NOTE_LINES = ["The providers asked about **same-week** appointments.",
              "Front desk prefers referrals by *fax*, not the portal.",
              "Office is hiring a new nurse practitioner next month.",
              "- Bring lunch for 8 next time",
              "- Ask about the new satellite office",
              "One provider still orders an *echo* first for leg swelling.",
              "They liked the one-page referral criteria card.",
              "Parking is behind the building; check in at the side door.",
              "Consult letters are arriving late; look into it.",
              "The office manager changes in January."]
NEEDS = ["Faster ultrasound reports", "Same-week wound visits", "Easier referral form",
         "Direct scheduling line", "Consult notes by fax", "Spanish-language brochures",
         "Saturday appointments", "Clear insurance coverage list", "Lunch-hour visits only"]
TASKS = ["Send the referral criteria card", "Drop off more referral pads",
         "Confirm the lunch date", "Ask the lab about report turnaround",
         "Email the scheduling line card", "Send the wound clinic flyer",
         "Introduce the new physician by email", "Schedule a presentation for the providers",
         "Send consult notes to the office", "Check on the fax line"]
OUTCOMES = ["positive", "neutral", "negative"]
OUTCOME_WEIGHTS = [55, 35, 10]

SOURCES_OTHER = ["patient", "web", "advertising", "insurance", "event", "other", "unknown"]
SOURCES_OTHER_WEIGHTS = [25, 25, 10, 15, 5, 5, 15]
STATUSES = ["referred", "scheduled", "consulted", "treated", "declined"]

GUIDES = [
    # (id, title, audience, summary, renew_every_days, body paragraphs)
    ("referral-sources", "Asking \"How did you hear about us?\"", "all",
     "Why every new-patient call records a referral source, and how to pick it.", 365,
     ["Every new patient is asked **how they heard about us**, and the answer is stored as "
      "the referral's source. It is how the liaison team knows which offices to thank.",
      "| The caller says | Source |\n|---|---|\n| \"My doctor sent me\" | physician |\n"
      "| \"A friend told me\" | patient |\n| \"I found you online\" | web |\n"
      "| \"I saw your ad\" | advertising |\n| anything else | other |",
      "Use **unknown** only when nobody asked.",
      "## Never store patient details\n\nA referral record holds a date, a source, a service "
      "and a status, and nothing about the patient."]),
    ("office-visit-playbook", "The office visit playbook", "liaison",
     "How a liaison plans, runs and logs a visit to a referring office.", 730,
     ["## Before you go\n\nRead the practice brief in the car: who is there, when they "
      "last referred, and what they asked for last time.",
      "## While you are there\n\n- Thank them for specific referrals\n- Ask what gets in "
      "the way of referring\n- Leave one piece of paper, not five",
      "## After the visit\n\nLog the visit the same day, with the **needs** the office voiced "
      "and a follow-up for every promise you made."]),
    ("scheduling-referrals", "Scheduling a referred patient", "front-desk",
     "From the referral fax to the first appointment, within two business days.", 365,
     ["Referrals arrive by fax, portal and phone. Each one is logged the day it arrives "
      "with its source and service line.",
      "## Service lines\n\nMatch the referral reason to a service line; ask a clinician when "
      "in doubt rather than guessing.",
      "## Closing the loop\n\nThe referring office gets the consult note within *48 hours* of "
      "the visit. Tell the liaison when an office keeps sending incomplete referrals."]),
]
DECK_ID = "working-with-us"

# --------------------------------------------------------------------------- YAML text

_PLAIN_BLOCK = re.compile(r"^[A-Za-z][A-Za-z0-9 .,;'()/&!?+-]*$")
_PLAIN_FLOW = re.compile(r"^[A-Za-z][A-Za-z0-9 .'()/&!?+-]*$")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "none", "nan", "inf"}


def q(text: str, flow: bool = False) -> str:
    """A YAML scalar for `text`: plain when safe, else double-quoted."""
    pattern = _PLAIN_FLOW if flow else _PLAIN_BLOCK
    if pattern.match(text) and text.lower() not in _RESERVED and not text.endswith(" "):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def flow_list(items) -> str:
    return "[" + ", ".join(q(i, flow=True) for i in items) + "]"


def block_text(text: str, indent: str) -> str:
    """A literal block scalar (`|`) for multi-line Markdown, indented by `indent`."""
    return "|\n" + "".join(indent + line + "\n" if line else "\n"
                           for line in text.split("\n"))


# --------------------------------------------------------------------------- helpers

def npi_check_digit(base9: str) -> int:
    """Luhn check digit over "80840" + the 9 digits (the NPI rule)."""
    total = 0
    # Luhn from the right of the payload; the payload's rightmost digit is doubled.
    for i, ch in enumerate(reversed("80840" + base9)):
        d = ord(ch) - 48
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


_BAD_SUBSTRINGS = ("dob", "mrn", "patient")


class Namer:
    """Invented names from syllables; never spells an identifier keyword (dob, mrn)."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def _clean(self, make):
        while True:
            s = make()
            low = s.lower()
            if not any(b in low for b in _BAD_SUBSTRINGS):
                return s

    def first(self) -> str:
        r = self.rng
        return self._clean(lambda: (r.choice(FIRST_SYL) + r.choice(MID_SYL)
                                    + r.choice(FIRST_END)).capitalize())

    def last(self) -> str:
        r = self.rng
        return self._clean(lambda: (r.choice(LAST_SYL) + r.choice(MID_SYL)
                                    + r.choice(LAST_END)).capitalize())

    def person(self) -> str:
        return f"{self.first()} {self.last()}"

    def city(self) -> str:
        r = self.rng
        return self._clean(lambda: r.choice(CITY_SYL) + r.choice(CITY_END))


class Writer:
    """Writes files under the root and counts files and bytes."""

    def __init__(self, root: str):
        self.root = root
        self.files = 0
        self.bytes = 0
        self._dirs: set[str] = set()

    def write(self, rel: str, text: str) -> None:
        path = os.path.join(self.root, rel)
        d = os.path.dirname(path)
        if d not in self._dirs:
            os.makedirs(d, exist_ok=True)
            self._dirs.add(d)
        data = text.encode("utf-8")
        with open(path, "wb") as f:
            f.write(data)
        self.files += 1
        self.bytes += len(data)


# --------------------------------------------------------------------------- generation

def generate(root: str, n_phys: int, seed: int, as_of: dt.date, edition: int = 2,
             distinct_notes: bool = False) -> dict:
    """A site of the contract's ``edition``: 2 adds the second edition's fields (potential,
    refers_elsewhere, cost, taken_by, declined_reason, compliance) from a random stream of
    their own, so that the first edition's records are the same either way (edition 1 can be
    read by an older version, to time both side by side). The interactions' notes are drawn
    from a pool of lines (a few hundred distinct texts); ``distinct_notes`` ends each with a
    line of its own, as a team's notes are: every other record is the same."""
    rng = random.Random(seed)
    rng2 = random.Random(seed + 7919)  # the second edition's fields only
    v2 = edition >= 2
    names = Namer(rng)
    out = Writer(root)
    end = as_of.toordinal()
    start = end - 365 * YEARS  # first day of the five-year window
    iso_cache: dict[int, str] = {}

    def iso(o: int) -> str:
        s = iso_cache.get(o)
        if s is None:
            s = iso_cache[o] = dt.date.fromordinal(o).isoformat()
        return s

    n_prac = math.ceil(n_phys / 3)
    n_team = max(5, math.ceil(n_phys / 40))
    w_prac = max(5, len(str(n_prac)))
    w_phys = max(6, len(str(n_phys)))
    w_team = max(4, len(str(n_team)))
    domain = "riverbendvein.example"

    # --- site.yaml
    lines = ["# Generated by bench/generate.py: a fictional practice for benchmarks.",
             "practice:",
             "  name: Riverbend Vein & Vascular",
             "  phone: (555) 555-0142",
             "  address: 200 Meridian Street, Suite 4, Riverbend, NC 28801",
             f"  website: https://{domain}",
             "services:"]
    for key, name, desc in SERVICES:
        lines.append(f"  - key: {key}")
        lines.append(f"    name: {q(name)}")
        if desc:
            lines.append(f"    description: {q(desc)}")
    lines += ["tiers:",
              "  A: {visit_every_days: 30}",
              "  B: {visit_every_days: 60}",
              "  C: {visit_every_days: 120}",
              "thresholds:",
              "  lapsed_after_days: 120",
              "  new_within_days: 90",
              ""]
    if v2:
        lines[-1:] = ["compliance:", "  annual_limit: 520",
                      "repository:", "  web_url: https://git.riverbendvein.example/liaison/records",
                      ""]
    out.write("site.yaml", "\n".join(lines))

    # --- team
    n_manager = max(1, n_team // 25)
    n_front = max(1, n_team // 15)
    team = []  # (id, name, role)
    for i in range(1, n_team + 1):
        role = ("manager" if i <= n_manager else
                "front-desk" if i <= n_manager + n_front else "liaison")
        team.append((f"t-{i:0{w_team}d}", names.person(), role))
    liaisons = [t[0] for t in team if t[2] == "liaison"]
    managers = [t[0] for t in team if t[2] == "manager"]
    front_desk = [t[0] for t in team if t[2] == "front-desk"]
    for tid, name, role in team:
        first, last = name.split(" ", 1)
        lines = [f"name: {q(name)}", f"role: {role}",
                 f"email: {first.lower()}.{last.lower()}@{domain}"]
        guides = [g for g in GUIDES if g[2] in ("all", role)]
        done = [g for g in guides if rng.random() < 0.85]
        if done:
            lines.append("trainings:")
            for g in done:
                lines.append(f"  - guide: {g[0]}")
                lines.append(f"    completed: {iso(end - rng.randint(1, 900))}")
                if rng.random() < 0.7:
                    lines.append(f"    score: {rng.randint(60, 100)}")
        lines.append("")
        out.write(f"data/team/{tid}.yaml", "\n".join(lines))

    # --- practices
    kind_weights = [k[4] for k in PRACTICE_KINDS]
    practices = []  # dicts: id, kind, liaison, staff, physicians
    for i in range(1, n_prac + 1):
        pid = f"p-{i:0{w_prac}d}"
        kind = rng.choices(PRACTICE_KINDS, kind_weights)[0]
        city = names.city()
        name = f"{rng.choice(PRACTICE_PREFIX)} {kind[0]}" if rng.random() < 0.5 \
            else f"{names.last()} {kind[0]}"
        if rng.random() < 0.3:
            name = f"{city} {kind[0]}"
        liaison = rng.choice(liaisons)
        staff = [(names.person(), rng.choice(STAFF_ROLES)) for _ in range(rng.randint(2, 4))]
        area = rng.randint(201, 989)
        lines = [f"name: {q(name)}",
                 f"address: {rng.randint(10, 9999)} {rng.choice(STREETS)}",
                 f"city: {q(city)}",
                 f"state: {rng.choice(STATES)}",
                 f'zip: "{rng.randint(1001, 99950):05d}"',
                 f"phone: ({area}) 555-{rng.randint(100, 199):04d}"]
        if rng.random() < 0.4:
            lines.append(f"fax: ({area}) 555-{rng.randint(100, 199):04d}")
        lines.append(f"liaison: {liaison}")
        lines.append(f"best_visit_times: {q(rng.choice(VISIT_TIMES))}")
        if rng.random() < 0.6:
            lines.append(f"ehr: {q(rng.choice(EHRS))}")
        lines.append("staff:")
        for sname, srole in staff:
            lines.append(f"  - name: {q(sname)}")
            lines.append(f"    role: {q(srole)}")
            if rng.random() < 0.3:
                lines.append(f"    notes: {q(rng.choice(STAFF_NOTES))}")
        notes = (f"{rng.choice(['Busy', 'Small', 'Growing', 'Well-run', 'Two-site'])} "
                 f"**{kind[1].lower()}** office in {city}.\n\n"
                 f"- Lunch for {rng.randint(4, 20)}\n"
                 f"- Referrals go out by {rng.choice(['fax', 'the portal', 'phone'])}\n"
                 f"- Best contact: {staff[0][0]} ({staff[0][1]})")
        lines.append("notes: " + block_text(notes, "  ").rstrip("\n"))
        tags = list(kind[3])
        for t in rng.sample(PRACTICE_TAGS, rng.randint(0, 2)):
            if t not in tags:
                tags.append(t)
        lines.append(f"tags: {flow_list(tags)}")
        lines.append("")
        out.write(f"data/practices/{pid}.yaml", "\n".join(lines))
        practices.append({"id": pid, "kind": kind, "liaison": liaison, "staff": staff,
                          "physicians": []})

    # --- physicians: the first n_prac fill one practice each, the rest land at random
    tiers = ["A", "B", "C", None]
    tier_weights = [20, 35, 35, 10]
    used_npis: set[str] = set()
    physicians = []  # (id, practice index, activity)
    for i in range(1, n_phys + 1):
        did = f"d-{i:0{w_phys}d}"
        pi = i - 1 if i <= n_prac else rng.randrange(n_prac)
        prac = practices[pi]
        kind = prac["kind"]
        cred = rng.choice(kind[2])
        name = names.person()
        while True:
            base = f"{rng.choice('12')}{rng.randrange(10**8):08d}"
            if base not in used_npis:
                used_npis.add(base)
                break
        npi = base + str(npi_check_digit(base))
        lines = [f"name: {q(name)}", f"credentials: {cred}"]
        if rng.random() < 0.92:  # a few nurse practitioners without an NPI on file
            lines.append(f'npi: "{npi}"' if rng.random() < 0.5 else f"npi: {npi}")
        lines.append(f"specialty: {q(kind[1])}")
        lines.append(f"practice: {prac['id']}")
        tier = rng.choices(tiers, tier_weights)[0]
        if tier:
            lines.append(f"tier: {tier}")
        if rng.random() < 0.5:
            lines.append(f"email: {name.split(' ')[1].lower()}{i}@office.example")
        days = sorted(rng.sample(range(5), rng.randint(1, 5)))
        lines.append(f"office_days: [{', '.join(WEEKDAYS[d] for d in days)}]")
        if rng.random() < 0.6:
            lines.append(f"interests: {flow_list(rng.sample(INTERESTS, rng.randint(1, 3)))}")
        if rng.random() < 0.5:
            note = rng.choice([
                "Sends most leg-swelling cases for an *echo* first; prefers a direct call "
                "from our surgeons.",
                "Trained with one of our surgeons. Likes **short** consult letters.",
                "Sees many diabetic feet; interested in the *wound clinic*.",
                "New to the area; still building a referral network.",
                "Prefers to refer to the hospital system; ask what would change that.",
            ])
            lines.append("notes: " + block_text(note, "  ").rstrip("\n"))
        if rng.random() < 0.3:
            lines.append(f"tags: {flow_list(rng.sample(PHYSICIAN_TAGS, rng.randint(1, 2)))}")
        if v2 and rng2.random() < 0.7:
            lines.append(f"potential: {rng2.choice(('high', 'medium', 'medium', 'low'))}")
        if v2 and rng2.random() < 0.2:
            lines.append(f"refers_elsewhere: {flow_list(rng2.sample(ELSEWHERE, rng2.randint(1, 2)))}")
        lines.append("")
        out.write(f"data/physicians/{did}.yaml", "\n".join(lines))
        prac["physicians"].append(did)
        # Referral activity: prospect (none), new (recent start), lapsed (stopped), active.
        r = rng.random()
        if r < 0.12:
            activity = ("prospect", 0, start, start)
        elif r < 0.20:
            activity = ("new", max(1, int(rng.gammavariate(2, 1.5))),
                        end - rng.randint(5, 80), end)
        elif r < 0.35:
            activity = ("lapsed", max(1, int(rng.gammavariate(2, 7.5))),
                        start, end - rng.randint(130, 900))
        else:
            activity = ("active", max(1, int(rng.gammavariate(2, 14))),
                        start + rng.randint(0, 365 * 3), end)
        physicians.append((did, pi, activity))

    # --- interactions: ~20 per physician, one list file per team member per month
    type_cum = _cum(INTERACTION_WEIGHTS)
    by_file: dict[tuple[int, int, str], list[tuple[int, str, str]]] = {}
    n_inter = 0
    n_followups = 0
    span = end - start
    for prac in practices:
        docs = prac["physicians"]
        count = max(1, round(INTERACTIONS_PER_PHYSICIAN * len(docs) * rng.uniform(0.5, 1.5)))
        for _ in range(count):
            o = start + rng.randint(0, span)
            itype = INTERACTION_TYPES[_pick(rng, type_cum)]
            logger = prac["liaison"]
            x = rng.random()
            if itype in ("call", "email") and x < 0.10:
                logger = rng.choice(front_desk)
            elif itype in ("event", "lunch", "call") and x < 0.15:
                logger = rng.choice(managers)
            rec = [f"- date: {iso(o)}", f"  liaison: {logger}", f"  type: {itype}",
                   f"  practice: {prac['id']}"]
            if len(docs) >= 2 and rng.random() < 0.35:
                listed = rng.sample(docs, 2)
            elif rng.random() < 0.85:
                listed = [rng.choice(docs)]
            else:
                listed = []  # met the office only
            if listed:
                rec.append(f"  physicians: [{', '.join(listed)}]")
            if itype in IN_PERSON and rng.random() < 0.5:
                met = rng.sample(prac["staff"], rng.randint(1, min(2, len(prac["staff"]))))
                rec.append("  met_with: " + flow_list(f"{s} ({r})" for s, r in met))
            rec.append(f"  summary: {q(rng.choice(SUMMARIES[itype]))}")
            if rng.random() < 0.5:
                picked = rng.sample(NOTE_LINES, rng.randint(2, 3))
                prose = [t for t in picked if not t.startswith("- ")]
                items = [t for t in picked if t.startswith("- ")]
                text = "\n".join(prose + ([""] if prose and items else []) + items)
                if distinct_notes:  # (no draw from rng: the other records stay the same)
                    text += f"\n\nVisit {n_inter + 1:,} of the log."
                rec.append("  notes: " + block_text(text, "    ").rstrip("\n"))
            if rng.random() < 0.3:
                rec.append(f"  needs: {flow_list(rng.sample(NEEDS, rng.randint(1, 2)))}")
            if itype != "email" or rng.random() < 0.3:
                rec.append(f"  outcome: {rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0]}")
            if itype == "presentation" and rng.random() < 0.8:
                rec.append(f"  deck: {DECK_ID}")
            if v2 and itype in ("lunch", "presentation", "event") and rng2.random() < 0.4:
                rec.append(f"  cost: {rng2.randint(1000, 9000) / 100:.2f}")
            if itype in IN_PERSON and rng.random() < 0.3:
                rec.append(f"  next_visit: {iso(o + rng.randint(14, 60))}")
            if rng.random() < 0.35:
                rec.append("  follow_ups:")
                promised = set()
                for _ in range(rng.randint(1, 2)):
                    due = o + rng.randint(2, 30)
                    # the day of the promise in its words, and two tasks of one interaction
                    # told apart (no draw from rng): about 8 % of the older follow-ups stay
                    # open for good, and the same task left open at one practice is a
                    # warning (a promise made twice) a team keeping its list would not have
                    task = rng.choice(TASKS)
                    if task in promised:
                        task = TASKS[(TASKS.index(task) + 1) % len(TASKS)]
                    promised.add(task)
                    rec.append(f"    - task: {q(task + ', promised ' + iso(o))}")
                    rec.append(f"      due: {iso(due)}")
                    if rng.random() < 0.25:
                        rec.append(f"      owner: {rng.choice(liaisons + front_desk)}")
                    p_done = 0.92 if due < end - 14 else 0.4
                    if rng.random() < p_done:
                        done = min(end, o + rng.randint(0, due - o + 10))
                        rec.append(f"      done: {iso(done)}")
                    n_followups += 1
            d = dt.date.fromordinal(o)
            by_file.setdefault((d.year, d.month, logger), []).append(
                (o, prac["id"], "\n".join(rec)))
            n_inter += 1
    for (y, m, who) in sorted(by_file):
        recs = sorted(by_file[(y, m, who)])
        out.write(f"data/interactions/{y:04d}/{m:02d}/{who}.yaml",
                  "\n".join(r[2] for r in recs) + "\n")
    del by_file

    # --- referrals: monthly CSV files
    service_cum = _cum(SERVICE_WEIGHTS)
    source_cum = _cum(SOURCES_OTHER_WEIGHTS)
    by_month: dict[tuple[int, int], list[tuple]] = {}
    n_ref_rows = 0
    n_referrals = 0

    def add_row(o: int, source: str, doc: str) -> None:
        nonlocal n_ref_rows, n_referrals
        age = end - o
        x = rng.random()
        if age < 14:
            status = "referred" if x < 0.6 else "scheduled"
        elif age < 60:
            status = ("referred", "scheduled", "consulted", "treated", "declined")[
                _pick(rng, (20, 50, 80, 92, 100))]
        else:
            status = ("referred", "scheduled", "consulted", "treated", "declined")[
                _pick(rng, (8, 18, 45, 90, 100))]
        if status == "referred" and rng.random() < 0.5:
            status = ""  # empty cell: the default, referred
        x = rng.random()
        count = "" if x < 0.85 else ("2" if x < 0.95 else "3")
        d = dt.date.fromordinal(o)
        taken = reason = ""
        if v2:
            if source != "physician" and front_desk and rng2.random() < 0.8:
                taken = front_desk[rng2.randrange(len(front_desk))]
            if status == "declined" and rng2.random() < 0.8:
                reason = DECLINED_REASONS[rng2.randrange(len(DECLINED_REASONS))]
        by_month.setdefault((d.year, d.month), []).append(
            (o, source, doc, SERVICES[_pick(rng, service_cum)][0], status, count, taken, reason))
        n_ref_rows += 1
        n_referrals += int(count or 1)

    physician_rows = 0
    for did, _pi, (_kind, k, lo, hi) in physicians:
        for _ in range(k):
            add_row(rng.randint(lo, hi), "physician", did)
        physician_rows += k
    other_rows = round(physician_rows * (1 - PHYSICIAN_SOURCE_SHARE) / PHYSICIAN_SOURCE_SHARE)
    for _ in range(other_rows):
        add_row(start + rng.randint(0, span), SOURCES_OTHER[_pick(rng, source_cum)], "")
    for (y, m) in sorted(by_month):
        rows = sorted(by_month[(y, m)])
        if v2:
            text = ["date,source,physician,service,status,count,taken_by,declined_reason"]
            text += [f"{iso(o)},{src},{doc},{svc},{st},{c},{tb},{dr}"
                     for o, src, doc, svc, st, c, tb, dr in rows]
        else:
            text = ["date,source,physician,service,status,count"]
            text += [f"{iso(o)},{src},{doc},{svc},{st},{c}" for o, src, doc, svc, st, c, _t, _r in rows]
        out.write(f"data/referrals/{y:04d}-{m:02d}.csv", "\n".join(text) + "\n")
    by_month.clear()

    # --- content: training guides and one deck
    for order, (gid, title, audience, summary, renew, body) in enumerate(GUIDES, 1):
        text = (f"---\ntitle: {q(title)}\naudience: {audience}\nsummary: {q(summary)}\n"
                f"order: {order}\nrenew_every_days: {renew}\n---\n# {title}\n\n"
                + "\n\n".join(body) + "\n")
        out.write(f"content/training/{gid}.md", text)
    out.write(f"content/presentations/{DECK_ID}.md", DECK)

    out.write(MARKER, marker_text(n_phys, seed, as_of, edition, distinct_notes))
    return {"files": out.files, "bytes": out.bytes, "practices": n_prac,
            "physicians": n_phys, "team": n_team, "interactions": n_inter,
            "follow_ups": n_followups, "referral_rows": n_ref_rows,
            "referrals": n_referrals}


def _cum(weights):
    acc, out = 0, []
    for w in weights:
        acc += w
        out.append(acc)
    return out


def _pick(rng: random.Random, cum) -> int:
    """Index drawn from cumulative weights (faster than rng.choices for one draw)."""
    x = rng.random() * cum[-1]
    for i, c in enumerate(cum):
        if x < c:
            return i
    return len(cum) - 1


DECK = """---
title: Working with Riverbend Vein & Vascular
description: A ten-minute talk for referring offices, customized per practice.
targets: all
---
# Working with {{ site.practice.name }}

{% if practice %}Prepared for {{ practice.name }}{% else %}For our referring offices{% endif %}

Notes: Thank the team for their time; keep it to ten minutes.

---

## What we treat

{% for service in site.services %}
- {{ service.name }}
{% endfor %}

Notes: Ask which of these their patients ask about most.

---

## When to refer

- Aching or swollen legs that limit daily life
- Skin changes at the ankle
- A leg wound that has not healed in four weeks

Notes: Hand out the referral criteria card.

---

## Working together

{% if practice %}{{ practice.name }} sent us {{ stats.referrals_365d }} patients in the last twelve months. Thank you.{% else %}We send a consult summary within 48 hours.{% endif %}

Notes: In a customized deck, thank them by number.
"""


def marker_text(n_phys: int, seed: int, as_of: dt.date, edition: int = 2,
                distinct_notes: bool = False) -> str:
    return (f"generator: liaison bench/generate.py\nphysicians: {n_phys}\nseed: {seed}\n"
            f"as_of: {as_of.isoformat()}\nedition: {edition}\n"
            + ("distinct_notes: true\n" if distinct_notes else ""))


# --------------------------------------------------------------------------- CLI

def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a positive integer: {text!r}")
    return value


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Generate a valid Liaison site root at scale.")
    ap.add_argument("out_dir", metavar="OUT_DIR")
    ap.add_argument("--physicians", type=_positive, required=True, metavar="N")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--as-of", type=_date, default=dt.date(2026, 11, 26), metavar="YYYY-MM-DD")
    ap.add_argument("--edition", type=int, choices=(1, 2), default=2,
                    help="the contract's edition of the records (1: without the second "
                         "edition's fields, readable by older versions; default 2)")
    ap.add_argument("--distinct-notes", action="store_true",
                    help="end each interaction's notes with a line of its own (by default the "
                         "notes are drawn from a pool of lines: a few hundred distinct texts)")
    ap.add_argument("--force", action="store_true",
                    help=f"replace OUT_DIR if it was written by this script (has {MARKER})")
    args = ap.parse_args(argv)

    out_dir = args.out_dir
    if os.path.exists(out_dir):
        if not os.path.isdir(out_dir):
            print(f"generate.py: {out_dir} exists and is not a folder", file=sys.stderr)
            return 1
        if os.listdir(out_dir):
            if not args.force:
                print(f"generate.py: {out_dir} is not empty (use --force to replace a folder "
                      "this script generated)", file=sys.stderr)
                return 1
            if not os.path.isfile(os.path.join(out_dir, MARKER)):
                print(f"generate.py: refusing to delete {out_dir}: it has no {MARKER} marker, "
                      "so this script did not write it", file=sys.stderr)
                return 1
            shutil.rmtree(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    # Mark the folder first, so an interrupted run can still be replaced with --force;
    # the marker is rewritten last, and bench/run.py treats a site as complete only if the
    # marker holds the expected parameters (the partial marker below does not).
    with open(os.path.join(out_dir, MARKER), "w", encoding="utf-8") as f:
        f.write("generator: liaison bench/generate.py\nstatus: incomplete\n")

    t0 = time.perf_counter()
    s = generate(out_dir, args.physicians, args.seed, args.as_of, args.edition,
                 args.distinct_notes)
    secs = time.perf_counter() - t0
    print(f"{out_dir}: {s['files']} files, {s['bytes']:,} bytes "
          f"({s['bytes'] / 2**20:.1f} MiB), records: {s['practices']} practices, "
          f"{s['physicians']} physicians, {s['team']} team, {s['interactions']} interactions "
          f"({s['follow_ups']} follow-ups), {s['referral_rows']} referral rows "
          f"({s['referrals']} referrals), in {secs:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
