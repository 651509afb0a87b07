"""The patient-information guard (SPEC §3): what counts as a patient identifier in what people
write, and where it is looked for.

Every text a person wrote is scanned as the text it stands for: every string of every data file
and of site.yaml (after the YAML parser has decoded its escapes), every CSV cell and the Markdown
of training guides and decks (front matter through the YAML path, bodies with ``scan_text``).
A file's bytes first go through a cheap prefilter (``might_hold``: substring tests of the
lower-cased bytes and of their "shape", then the patterns on the rare file that passes); only
the files that pass get their values walked one by one.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache

PATIENT_MESSAGE = "patient identifiers must never be stored in the repository"

SSN = "a US Social Security number"
MRN = "a medical record number"
DOB = "a date of birth"
PLAN = "a health-plan member number"
MBI = "a Medicare Beneficiary Identifier"
ACCOUNT = "an account or chart number"
CONTACT = "a patient's phone number or e-mail address"
NAME = "a patient's name with a date or an age"
INITIALS = "a patient's initials with an age"  # a near form (a warning)
# What a near form's warning shows of a wording that is plainly no patient's (--strict fails
# on the form as written, which is often no patient's: the caterer's account, a physical
# therapist): a word that says what it is
_NO_PATIENTS = {ACCOUNT: "our caterer's account is 55012", INITIALS: "physical therapist J. Okafor",
                NAME: "physical therapist Ana Ruiz"}


def near_advice(kind: str) -> str:
    """The end of a near form's warning: what to do if it is a patient's, and if not."""
    example = _NO_PATIENTS.get(kind, "Jane Roe (office manager)")
    return (f"reword it if it does; if it does not, name what it is (`{example}`): "
            "--strict fails on it as written")

# ---------------------------------------------------------------------------- the patterns
_P = r"[\W_]{0,3}"  # punctuation or spaces between the parts of a phrase ("date-of-birth")
# The dashes and spaces text pasted from a web page or an e-mail holds besides ASCII ones:
# hyphen, non-breaking hyphen, figure dash, en and em dashes, minus sign (``\s`` already
# takes the no-break and thin spaces).
_UDASH = "\u2010-\u2015\u2212"
_SEP = rf"[-.\s{_UDASH}]"
_UDASH_CHARS = tuple("\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
# A separator and the line break after it, where a value wraps: YAML folds "123-45-" and
# "6789" on the next line into "123-45- 6789"; a CSV cell or a guide's line keeps the break.
_WRAP = rf"(?:{_SEP}\s{{0,6}})"
_FILL = r"[\s:#=.\-]{0,5}(?:(?:number|num|nbr|no|id|is|was)(?![a-z])[\s:#=.\-]{0,5}){0,2}"


def _ident(n: int) -> str:
    """An identifier of at least ``n`` letters and digits (dashes between them) holding a digit."""
    return rf"(?=[a-z0-9-]*\d)[a-z0-9](?:-?[a-z0-9]){{{n - 1},}}(?![a-z0-9])"


_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])")
_DATE = (rf"(?:(?<!\d)\d{{1,4}}[/.\-]\d{{1,2}}(?:[/.\-]\d{{1,4}})?(?!\d)"
         rf"|{_MONTH}\.?[\s,]{{0,3}}\d{{1,4}}(?!\d)"
         rf"|(?<!\d)\d{{1,2}}(?:st|nd|rd|th)?[\s,]{{0,3}}(?:of\s+)?{_MONTH})")
# After a date-of-birth keyword only, a date of three parts written with spaces around its
# separators or with typographic dashes ("D.O.B 3 / 4 / 59", "DOB 3–4–1959").
_LOOSE_DATE = (rf"(?<!\d)\d{{1,2}}\s?[/.\-{_UDASH}]\s?\d{{1,2}}\s?[/.\-{_UDASH}]\s?\d{{2,4}}(?!\d)")
# After a date-of-birth keyword only, a date written without separators, as a form's box or
# an EHR's export holds it ("d.o.b 03041956", "DOB 030456", "DOB 19560304").
_PACKED_DATE = r"(?<!\d)\d{6}(?:\d{2})?(?!\d)"
# After "birthday" only, a date with its year ("birthday 3/4/1951", "birthday March 4, 1951"):
# a staff member's birthday is written without one ("Tess's birthday 3/14, bring cupcakes").
_DATED = (rf"(?:{_LOOSE_DATE}|(?<!\d)\d{{4}}[/.\-]\d{{1,2}}[/.\-]\d{{1,2}}(?!\d)"
          rf"|{_MONTH}\.?\s*(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?\d{{4}}(?!\d)"
          rf"|(?<!\d)\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+\d{{2,4}}(?!\d))")
_AGE = (r"(?:(?<![\d/.])\d{1,3}\s*-?\s*(?:y[/.]?\s?o\.?|yrs?|years?[\s-]*old|year-old)(?![a-z])"
        r"|\(\s*\d{1,3}\s*\)"
        r"|(?<![a-z])aged?\s*:?\s*\d{1,3}(?!\d)"
        r"|,\s*\d{1,3}(?:\s*[mf])?\s*(?:,|\)|\.|$))")
_PHONE = rf"(?<!\d)(?:\+?1{_SEP}?)?\(?\d{{3}}\)?{_SEP}?\d{{3}}{_SEP}?\d{{4}}(?!\d)"  # (Unicode dashes too)
_EMAIL = r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+"
_MBI_LETTER = "ac-hjkmnp-rt-y"  # no S, L, O, I, B, Z
# Words that make "patient … <phone>" the office's line, not the patient's own.
_OFFICE = (r"(?:line|lines|desk|office|portal|access|scheduling|schedulers?|services?|center|centre"
           r"|fax|main|hotline|navigators?|coordinators?|relations|experience|intake|billing"
           r"|referrals?|support|help|advocates?|liaisons?|education|care|safety|satisfaction"
           r"|surveys?|clinic|department|dept|registration|financial|transport\w*|reminders?"
           r"|appointments?|calls?|toll|free)(?![a-z])")
# Capitalized words that are no one's name (in "Patient Experience Week 10/5").
_NOT_NAMES = (r"(?:Dr|Doctor|Mr|Mrs|Ms|Nurse|Experience|Portal|Access|Services?|Care|Safety|Week"
              r"|Day|Month|Center|Education|Advisory|Council|Navigator|Relations|Satisfaction"
              r"|Survey|First|Family|Medicine|Health|Clinic|Office|Intake|Scheduling|Coordinator"
              r"|Advocate|Appreciation|Appointment|Monday|Tuesday|Wednesday|Thursday|Friday"
              r"|Saturday|Sunday|January|February|March|April|May|June|July|August|September"
              r"|October|November|December|The|This|That|Our|Their|New|Next|Last|MyChart)(?![a-z])")
# Letters of names: ASCII and the Latin letters of Latin-1 and Latin Extended-A (José Núñez,
# Zoë Łukasik); a name may have one capital inside (McDonald, DeShawn).
_UP = "A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u017f"
_LO = "a-z\u00df-\u00f6\u00f8-\u00ff\u0100-\u017f"
_NAME_WORD = (rf"(?!{_NOT_NAMES})[{_UP}](?:[{_LO}]+(?:[{_UP}][{_LO}]+)?(?:[-'’][{_UP}]?[{_LO}]+)?"
              rf"|['’][{_UP}][{_LO}]+)")
# The particles a last name may start with, in lower case ("Jane van der Berg", "Ana da
# Silva", "Maria de la Cruz"): between a first and a last name, the two capitalized words.
_PARTICLES = r"(?:(?:van|von|der|den|de|del|della|di|da|das|dos|du|la|le|al|el|bin|ibn|ter|ten)\s+){0,3}"
# A name written in capitals, as a chart or an EHR's export writes it ("pt ROE, JANE 67",
# "JANE ROE (patient) 67yo"): two or more capitals with a vowel among them (not DVT, MRN,
# PCP), not a word a note writes in capitals (an acronym, a stressed word: "pt ABI and RFA
# 3/2", "pt NO SHOW 3/2"), nor one of the words above that are no one's name. The acronyms are
# those of the specialties a practice using Liaison may be, not only the sample's vein care:
# sleep medicine ("pt CPAP Compliance report 11/3"), orthopedics ("pt ACL Repair 3/2") and
# dermatology ("pt for MOHS Surgery 3/2") and cardiology ("pt TAVR Consult 3/2") were refused
# as a patient's name.
_NOT_CAPS = (r"(?:ABI|ACA|ACDF|ACL|ADA|AFIB|AGE|AGED|AHI|AK|AKA|ALL|ALWAYS|AM|AN|AND|ANY|APAP|AS"
             r"|ASAP|ASV|AT|ATTN|BIPAP|BPAP|CABG|CALL|CEAP|CME|COPD|CPAP|CSA|DEXA|DME|DO|DOES|DOS|DR"
             r"|ECG|ECHO|ED|EEG|EHR|EKG|EMG|EMR|EOB|EP|ER|EVLA|FAQ|FAX|FOR|FYI|HIPAA|HMO|HSAT|ICD|ICU"
             r"|ID|IN|IPL|IS|IV|IVC|MA|MD|MOHS|MR|MRI|MRS|MS|MUST|NEED|NEEDS|NEVER|NEW|NO|NOT|NOTE"
             r"|NP|NPI|NSTEMI|ODI|OF|OK|OLD|ON|ONLY|OR|ORIF|OSA|OT|OUT|PA|PAD|PCI|PCP|PDF|PLEASE|PM"
             r"|PPO|PUVA|RDI|RE|REM|RFA|RN|RSVP|SO|STAT|STEMI|TAVI|TAVR|TBD|TEE|THA|THE|TKA|TO|TTE"
             r"|UP|US|USA|URGENT|UVB|VEIN|VEINS|VERY|VNUS|WAS|WITH|YEAR|YEARS|YO|YRS)")
_VOWEL = "AEIOUY\u00c0-\u00c6\u00c8-\u00cf\u00d2-\u00d6\u00d8-\u00dd\u0100-\u017f"
_CAPS_WORD = (rf"(?!(?:{_NOT_CAPS}|(?i:{_NOT_NAMES}))(?![{_LO}{_UP}]))(?=[{_UP}'’-]*[{_VOWEL}])"
              rf"[{_UP}](?:[{_UP}]+|['’][{_UP}]{{2,}})(?:[-'’][{_UP}]+)?")
# A name's two words in capitals, or one in capitals and one not ("Jane ROE").
_CAPS_NAME = (rf"(?:{_CAPS_WORD}\s+(?:{_CAPS_WORD}|{_NAME_WORD})|{_NAME_WORD}\s+{_CAPS_WORD})")
_PT = r"(?<![a-z])(?:patient|pt)(?:'s|’s)?(?![a-z])"
# "New patient number: …" is the office's new-patient line, not a patient's own phone; but
# "number" or "callback" between a patient and a phone is no sign of the office's ("pt's
# number is …", "pt wants a callback at …", "new pt called from …").
_PT_CONTACT = (r"(?!(?<=new[\s-])(?:patient|pt)[\s:-]+(?:callback[\s-]+)?(?:number|no|phone|#)"
               r"(?![a-z]))" + _PT)
_GAP = rf"(?:[\s:,;()\-–.#=]++(?!{_OFFICE})[^\s.!?,;:()\-–#=]++){{0,4}}[\s:,;()\-–.#=]++"

# A patient's capitalized first and last name (an error, or with the near forms' wider
# ages a warning, when its sentence also holds a date or an age).
# (or a title and a last name, as "Mrs. Roe (patient) 67" below: "pt Mrs. Roe, 67")
_PT_NAME = (rf"{_PT}{_GAP}(?-i:{_NAME_WORD},?\s+{_PARTICLES}{_NAME_WORD}|{_CAPS_WORD},\s*{_CAPS_WORD}"
            rf"|(?:Mr|Mrs|Ms|Miss)\.?\s+{_NAME_WORD})(?![{_LO}{_UP}])")
# ... in capitals, as a sentence that is not all in capitals writes it (in one that is,
# "PT NEEDS REFERRAL 3/2", two words in capitals are no sign of a name; "ROE, JANE", with its
# comma, is one in any sentence).
_PT_CAPS_NAME = rf"{_PT}{_GAP}(?-i:{_CAPS_NAME})(?![{_LO}{_UP}])"
# ... or with "patient" after it, alone in brackets or between commas ("Jane Roe (patient), 67",
# "Mrs. Roe (patient) 67", "Ana Ruiz, the patient, called 3/2"; not "Ann Lee (patient
# coordinator)").
_PT_AFTER = (rf"\s*(?:\(\s*(?:the\s+)?{_PT}\s*\)"
             rf"|,\s*(?:the\s+|our\s+|a\s+)?{_PT}\s*(?:,|\.|;|$))")
_NAME_PT = (rf"(?<![{_LO}{_UP}])(?-i:{_NAME_WORD}\s+{_PARTICLES}{_NAME_WORD}|(?:Mr|Mrs|Ms|Miss)\.?\s+{_NAME_WORD}"
            rf"|(?:MR|MRS|MS|MISS)\.?\s+{_CAPS_WORD}){_PT_AFTER}")
_CAPS_NAME_PT = rf"(?<![{_LO}{_UP}])(?-i:{_CAPS_NAME}){_PT_AFTER}"
# ... or a patient's name with a bare age right after it ("patient Maria Nunez 67 needs an
# ultrasound", "pt Tom O'Neil 81 in room 12"): a number up to 119 that is no count, time,
# date, phone, room or measure ("pt Jane Roe 3 visits", "pt Jane Roe 2pm"; "67F", a room's
# "12B" or an age with its sex, stays a near form). The age is part of the
# match: the name needs no other date or age in its sentence.
_NOT_AN_AGE = (r"(?:%|percent|referrals?|visits?|calls?|times?|copies|box(?:es)?|packets?"
               r"|brochures?|flyers?|staff|patients?|pts|people|min(?:ute)?s?|hrs?|hours?|days?"
               r"|weeks?|wks?|months?|mos?|[ap]\.?m\.?|o'?clock|units?|sessions?|mg|ml|cc|lbs?"
               r"|kg|miles?|mi|st|nd|rd|th|x|of|digits?|numbers?|steps?)(?![a-z])")
_BARE_AGE = (rf"[\s,]{{1,3}}(?:aged?\s*:?\s*)?(?<![\d/.])(?:1[01]\d|\d{{1,2}})"
             rf"(?![\d%a-z]|[/.:\-{_UDASH}]\d|\s*{_NOT_AN_AGE})")
_PT_NAME_AGE = _PT_NAME + _BARE_AGE
# ... and the same with "patient" after the name ("Jane Roe (patient) 67", "Jane Roe, the
# patient, 67"; "Jane Roe (patient), 67" is caught either way).
_NAME_PT_AGE = _NAME_PT + _BARE_AGE
# ... and, with no "patient" or "pt" at all, a name that holds its patient's age or birth date
# right after it, as a hurried note writes it: a title and a last name with an age ("Mr. Hale
# 58yo", "Mrs. Alvarez 72 yo", "Mr. Hale (58)", "Ms. Kim, 44, no-show"), or a first and last
# name (or "Roe, Jane") with an age written as one ("Jane Roe 67 y/o", "Jane Roe aged 67") or
# a date of the last century
# ("Jane Roe 03/04/1956", "Jane Roe 3/4/56", "Jane Roe March 4, 1956"). Not a physician's
# name ("Dr. Jane Roe 67 y/o"), a bare number ("Mary Smith 12 referrals") nor a visit's date
# ("Mary Smith 12/3", "Mary Smith 12/03/2026", "Mary Smith 12/3/26"; with dots, a 4-digit
# year only: "Epic Hyperspace 2.10.55" is a version).
_EXPLICIT_AGE = (r"(?<![\d/.])(?:1[01]\d|\d{1,2})\s*-?\s*(?:y[/.]?\s?o\.?|yrs?[\s-]+old"
                 r"|years?[\s-]*old|year-old)(?![a-z])|(?<![a-z])aged?\s*:?\s*(?:1[01]\d|\d{1,2})(?![\d/.:-])")
_BIRTH_DATE = (rf"(?<!\d)\d{{1,2}}[/\-{_UDASH}]\d{{1,2}}[/\-{_UDASH}](?:19\d\d|[3-9]\d)(?![\d.])"
               rf"|(?<![\d.])\d{{1,2}}\.\d{{1,2}}\.19\d\d(?![\d.])"
               rf"|{_MONTH}\.?\s*\d{{1,2}}(?:st|nd|rd|th)?,?\s+19\d\d(?!\d)")
_NOT_A_DOCTOR = r"(?<!dr\.\s)(?<!dr\s)(?<!drs\.\s)(?<!doctor\s)(?<!dr\.)"
_NAME_WITH_AGE = (rf"(?<![{_LO}{_UP}.-]){_NOT_A_DOCTOR}(?-i:(?:Mr|Mrs|Ms|Miss)\.?\s+{_NAME_WORD}"
                  rf"|{_NAME_WORD}\s+{_PARTICLES}{_NAME_WORD}|{_NAME_WORD},\s*{_NAME_WORD})(?![{_LO}{_UP}])\s*,?\s*"
                  rf"(?:{_EXPLICIT_AGE}|{_BIRTH_DATE})")
_TITLE_WITH_AGE = (rf"(?<![{_LO}{_UP}.-])(?-i:(?:Mr|Mrs|Ms|Miss)\.?\s+{_NAME_WORD})(?![{_LO}{_UP}])"
                   rf"(?:\s*\(\s*(?:1[01]\d|\d{{1,2}})\s*\)|,\s*(?:1[01]\d|\d{{1,2}})\s*[mf]?\s*(?:,|;|$))")
# The name patterns above that count only in a sentence holding a lower-case letter.
_IN_MIXED_CASE = frozenset((_PT_CAPS_NAME, _CAPS_NAME_PT))
_LOWER = re.compile("[a-z\u00df-\u00f6\u00f8-\u00ff]")
# The name patterns that hold their own age (their sentence needs no other date or age).
_WITH_ITS_AGE = frozenset((_PT_NAME_AGE, _NAME_PT_AGE, _NAME_WITH_AGE, _TITLE_WITH_AGE))


# The first edition's rules below (the keyword, then a digit) took a count or a step for an
# identifier: "the MRN has 8 digits", "name and DOB (step 2)", "confirm the DOB and the
# 10-digit phone". A digit counts unless a word of a count or a step stands between the
# keyword and it, or a counted thing follows it.
_STEP_WORD = (r"(?<![a-z])(?:steps?|fields?|pages?|parts?|rules?|box(?:es)?|lines?|items?|questions?"
              r"|sections?|slides?|and|then|has|have|of)(?![a-z])")
_COUNTED = (r"\d*\s*-?\s*(?:digits?|characters?|chars?|letters?|numbers?|fields?|box(?:es)?|steps?"
            r"|pages?|identifiers?|ids?|lines?|times?|places?|parts?|of)(?![a-z])")


def _kept_digit(n: int) -> str:
    """A digit within ``n`` characters (the first edition's rules), not a count or a step,
    nor one in the next row of a Markdown table ("| 1 | name and DOB |" over "| 2 | … |")."""
    return rf"(?:(?!{_STEP_WORD}|\n[ \t]*\|)[\s\S]){{0,{n}}}?\d(?!{_COUNTED})"


class _Shape(tuple):
    """Hints looked for in a text's shape (letters as a, digits as 0, separators as -)."""


# (kind, substrings of the lower-cased text one of which the pattern needs, pattern)
_KINDS = (
    (SSN, _Shape(tuple(f"000{'-' * i}00{'-' * j}0000" for i in range(1, 8) for j in range(1, 8))),
     rf"(?<!\d)\d{{3}}{_WRAP}\d{{2}}{_WRAP}\d{{4}}(?!\d)"),
    # (nine digits in any grouping: "123 - 45 - 6789", "123/45/6789", "123_45_6789" too)
    (SSN, ("ssn", "ss#", "ss no", "s.s", "s s", "s-s", "s_s", "s/s", "social", "soc"),
     rf"(?<![a-z])(?:s[\W_]?s[\W_]?n(?![a-z])|ss{_P}(?:#|no(?![a-z]))|social{_P}security"
     rf"|soc(?:ial)?\.?{_P}sec(?:urity)?(?![a-z]))"
     rf"[^\d]{{0,20}}?(?<!\d)\d(?:(?:{_WRAP}|[\W_]{{1,3}})?\d){{8}}(?!\d)"),
    (MRN, ("mr", "m.r", "m r", "m/r", "m-r", "m_r", "record"),
     rf"(?<![a-z])(?:m[\W_]?r[\W_]?n(?![a-z])|m[\W_]?r{_P}#|m[\W_]?r{_P}(?:no|num|nbr|number)(?![a-z])"
     rf"|medical{_P}records?(?:{_P}(?:number|num|nbr|no|id|#))?){_FILL}{_ident(4)}"),
    (MRN, ("mrn", "record"),  # the first edition's rule, kept: the keyword, a digit within 10
     rf"(?<![a-z])(?:mrn|medical\s+record\s+(?:number|no\b|#))(?![a-z]){_kept_digit(10)}"),
    (DOB, ("dob", "d.o.b", "d o b", "birth", "born"),
     rf"(?<![a-z])(?:(?:d[\W_]?o[\W_]?b(?![a-z])|date{_P}of{_P}birth|birth{_P}date|{_NOT_A_DOCTOR}born(?![a-z]))"
     rf"[\s\S]{{0,15}}?(?:{_DATE}|{_LOOSE_DATE}|{_PACKED_DATE})|(?<!\d(?:st|nd|rd|th)\s)birthday[\s\S]{{0,15}}?{_DATED})"),
    (DOB, ("dob", "birth"),  # the first edition's rule, kept: the keyword, a digit within 15
     rf"(?<![a-z])(?:dob|date\s+of\s+birth)(?![a-z]){_kept_digit(15)}"),
    (PLAN, ("medicare", "medicaid", "mbi", "member", "subscriber", "policy"),
     rf"(?<![a-z])(?:medicare|medicaid|mbi|member{_P}id|subscriber{_P}id"
     rf"|policy{_P}(?:number|num|nbr|no|id|#))s?{_FILL}(?!{_PHONE}(?![a-z0-9-])){_ident(6)}"),
    # (also printed in its three groups with spaces, 1EG4 TE5 MK73, as read off a card)
    (MBI, _Shape(("0aa00", "-aa00")),
     rf"(?<![a-z0-9])[1-9][{_MBI_LETTER}][{_MBI_LETTER}0-9]\d(?:-\s{{0,6}}|\s)?[{_MBI_LETTER}]"
     rf"[{_MBI_LETTER}0-9]\d(?:-\s{{0,6}}|\s)?[{_MBI_LETTER}]{{2}}\d{{2}}(?![a-z0-9])"),
    # beyond the contract's keywords, as unmistakable: a medical record number after "Med Rec #",
    # a plan number after "member #", "subscriber no", "insurance ID" or "HICN"
    (MRN, ("med",),
     rf"(?<![a-z])med(?:ical)?{_P}rec(?:ord)?s?{_P}(?:#|no(?![a-z])|num(?![a-z])|nbr|number"
     rf"|id(?![a-z])){_FILL}{_ident(4)}"),
    (PLAN, ("member", "subscriber", "insurance", "hicn"),
     rf"(?<![a-z])(?:(?:member|subscriber|insurance)s?{_P}(?:#|no(?![a-z])|num(?![a-z])|nbr"
     rf"|number)|insurance{_P}id|hicn(?![a-z])){_FILL}(?!{_PHONE}(?![a-z0-9-])){_ident(6)}"),
    # ... or one printed in groups with spaces, as a card prints it ("Member ID# XJH 123 456
    # 789"): a group, then two or more groups of digits (not a phone number)
    (PLAN, ("member", "subscriber", "insurance", "policy"),
     rf"(?<![a-z])(?:member|subscriber|insurance|policy){_P}(?:#|(?:id|no|num|nbr|number)(?![a-z]))"
     rf"{_FILL}(?!{_PHONE})(?<![a-z0-9])[a-z0-9]+(?: \d{{2,}}){{2,}}(?![a-z0-9])"),
    # ... and a patient's own number: an identifier of 5 or more after "patient ID", "pt #",
    # "patient no." (a medical record number by another name; not a phone, not the office's
    # "new patient number"), or after "pt acct" or "patient chart" (an account or chart number)
    (MRN, ("patient", "pt"),
     rf"{_PT_CONTACT}{_P}(?:#|(?:id|no|num|nbr|number|identifier)(?![a-z])){_FILL}"
     rf"(?!{_PHONE}(?![a-z0-9-])){_ident(5)}"),
    (ACCOUNT, ("patient", "pt"),
     rf"{_PT}{_P}(?:acct|account|chart)(?![a-z]){_FILL}(?!{_PHONE}(?![a-z0-9-])){_ident(5)}"),
    (ACCOUNT, ("acct", "account", "chart"),
     rf"(?<![a-z])(?:acct|account|chart)s?{_P}(?:#|no(?![a-z])|num(?![a-z])|nbr|number)"
     r"[\s:#=.\-]{0,5}(?:(?:is|was)\s+)?(?=[a-z0-9-]*\d)[a-z0-9]"),
    (CONTACT, ("patient", "pt"),
     rf"{_PT_CONTACT}{_GAP}(?:{_PHONE}|{_EMAIL})"),
    (NAME, ("patient", "pt"),
     _PT_NAME),
    (NAME, ("patient", "pt"),
     _PT_NAME_AGE),
    (NAME, ("yo", "y/o", "y.o", "y o", "yr", "year", "age", "/", "-", ".", "19", *_UDASH_CHARS),
     _NAME_WITH_AGE),
    (NAME, ("mr", "ms", "miss"),
     _TITLE_WITH_AGE),
    (NAME, ("patient", "pt"),
     _NAME_PT),
    (NAME, ("patient", "pt"),
     _NAME_PT_AGE),
    (NAME, ("patient", "pt"),
     _PT_CAPS_NAME),
    (NAME, ("patient", "pt"),
     _CAPS_NAME_PT),
)
_COMPILED = tuple((kind, hints, re.compile(p, re.I)) for kind, hints, p in _KINDS)
_DATE_OR_AGE = re.compile(f"{_DATE}|{_AGE}", re.I)

# Near forms, beyond what the contract lists: warnings, not errors (an error with --strict).
# An account or chart number after a colon or a space alone; a patient's initials ("pt J.D.
# 67yo", "pt J. Doe") or a name with an age written "67F", in a sentence with a date or an age.
_NEAR_AGE = rf"{_AGE}|(?<![\d/.])\d{{1,3}}\s?[mf](?![a-z])"
_INITIALS = rf"[A-Z]\.\s?[A-Z]\.|[A-Z]\.\s?{_NAME_WORD}|[A-Z]{{2}}(?=[\s,]+\d)"
_YEAR = r"(?:19|20)\d\d"
_PERIOD = (rf"(?:(?:fy|cy|q[1-4]|h[12])-?(?:{_YEAR}|\d\d)|{_YEAR}-?(?:q[1-4]|h[12])"
           rf"|{_YEAR}-(?:{_YEAR}|\d\d))")  # a quarter, a half, a fiscal year, a span of years
_NEAR_KINDS = (
    # an account or chart number after a colon or a space alone, as a form's label reads
    # ("Acct: 88123", "chart 004417"): an identifier of 5 or more that holds a digit (not a
    # year: "account 2025 renewal"; nor a period a chart of referrals is named for: "chart
    # Q3-2026", "FY2026", "H1-2026", "2025-26", "2024-2026")
    (ACCOUNT, ("acct", "account", "chart"),
     rf"(?<![a-z])(?:acct|account|chart)(?![a-z])\s*:?\s*(?!{_PERIOD}(?![a-z0-9/.:,-]))"
     rf"(?=[a-z0-9-]*\d)[a-z0-9-]{{5,}}(?![a-z0-9/.:,])"),
    (NAME, ("patient", "pt"),
     _PT_NAME),
    (INITIALS, ("patient", "pt"),
     rf"{_PT}{_GAP}(?-i:{_INITIALS})(?![a-z])"),
)
_NEAR_COMPILED = tuple((kind, hints, re.compile(p, re.I)) for kind, hints, p in _NEAR_KINDS)
_NEAR_DATE_OR_AGE = re.compile(f"{_DATE}|{_NEAR_AGE}", re.I)
_NEAR_AGE_ONLY = re.compile(_NEAR_AGE, re.I)  # initials and a date: a staff member's visit
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n\s*\n")


# How far a name's sentence reaches on each side of it: a list pasted without a full stop is
# one "sentence" of thousands of characters, searched again for each name in it (8 KB of
# "pt Jane Roe called about …" lines took 9 s; 24 KB minutes).
SENTENCE_REACH = 300


def _name_with_date_or_age(text: str, match: re.Match, near=False, mixed=False) -> bool:
    """Whether the sentence that holds a patient's name (at most ``SENTENCE_REACH``
    characters on each side of it) also holds a date or an age (with ``near``: an age written
    "67F" too; ``near`` a pattern: what else it must hold) and, with ``mixed``, a lower-case
    letter (the name's own or another's)."""
    start = max(0, match.start() - SENTENCE_REACH)
    for m in _SENTENCE_END.finditer(text, start, match.start()):
        start = m.end()
    m = _SENTENCE_END.search(text, match.end(), match.end() + SENTENCE_REACH)
    end = m.start() if m else min(len(text), match.end() + SENTENCE_REACH)
    sentence = text[start:match.start()] + " " + text[match.end():end]
    found = near if isinstance(near, re.Pattern) else _NEAR_DATE_OR_AGE if near else _DATE_OR_AGE
    return found.search(sentence) is not None and (not mixed or _LOWER.search(text, start, end) is not None)


def _hits(text: str, low: str, every: bool = False, shapes: bool = True, near: bool = False):
    """(kind, start offset) of the first identifier of each kind in ``text`` (``low``: its
    lower case), or of every one (``every``). Each pattern is tried only around the places
    where one of its hints stands (in a long text, a search from every position would cost
    far more). ``near``: the near forms (warnings) instead."""
    shape = None
    windows = len(text) > 300 and len(low) == len(text)
    for kind, hints, pattern in _NEAR_COMPILED if near else _COMPILED:
        if type(hints) is _Shape:
            if not shapes:
                continue
            if shape is None:
                shape = text.translate(_STR_SHAPE_TABLE)
            where = shape
        else:
            where = low
        if not any(h in where for h in hints):
            continue
        if windows:
            spans = []
            for h in hints:
                pos = where.find(h)
                while pos >= 0:
                    spans.append((max(0, pos - 80), pos + 200))  # (a name may come before its keyword)
                    pos = where.find(h, pos + 1)
            merged = []  # (overlapping windows made one: a match is tried once)
            for a, b in sorted(spans):
                if merged and a <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], b)
                else:
                    merged.append([a, b])
            matches = (m for a, b in merged for m in pattern.finditer(text, a, b))
        else:
            matches = pattern.finditer(text)
        seen = set()
        for m in matches:
            if m.start() in seen:
                continue
            seen.add(m.start())
            if (kind is NAME and pattern.pattern not in _WITH_ITS_AGE and not _name_with_date_or_age(
                    text, m, near, pattern.pattern in _IN_MIXED_CASE)) \
                    or (kind is INITIALS and not _name_with_date_or_age(text, m, _NEAR_AGE_ONLY)):
                continue
            yield kind, m.start()
            if not every:
                break


_CLASS_POSSESSIVE = re.compile(r"(\[(?:\\.|[^\]\\])*\])\+\+")


def _js(pattern: str) -> str:
    """A pattern of Python's ``re`` as JavaScript's RegExp reads it alike: a possessive
    character class (``[…]++``, which JavaScript lacks) as an atomic look-ahead that a named
    group takes whole (``(?=(?<pN>[…]+))\\k<pN>``)."""
    count = iter(range(1_000))

    def atomic(m: re.Match) -> str:
        name = f"p{next(count)}"
        return f"(?=(?<{name}>{m.group(1)}+))\\k<{name}>"

    return _CLASS_POSSESSIVE.sub(atomic, pattern)


@lru_cache(maxsize=1)
def form_rules() -> dict:
    """The contract's patterns, for the logging form (log/data.js; SPEC §6: what the form
    makes passes `validate`): ``rules`` [kind, source, whether a name (its sentence must also
    hold a date or an age; 2: and a ``lower`` letter besides)], each read case-insensitively;
    ``date_or_age`` and ``sentence_end``, what a name's sentence is searched with; ``invisible``, ``wide`` and
    ``digit_zeros``, the characters a text is read without and as ASCII (``as_seen``);
    ``heading_words``, the words of a table's heading read before its cells (``as_tabled``). The near forms (warnings) are
    left out: a warning does not fail `validate`."""
    return {"rules": [[kind, _js(pattern), 2 if pattern in _IN_MIXED_CASE
                       else kind is NAME and pattern not in _WITH_ITS_AGE]
                      for kind, _h, pattern in _KINDS],
            "date_or_age": _js(_DATE_OR_AGE.pattern), "lower": _LOWER.pattern,
            "sentence_end": _js(_SENTENCE_END.pattern), "sentence_reach": SENTENCE_REACH,
            "invisible": f"[{_INVISIBLE}]", "wide": f"[{_WIDE}]", "digit_zeros": list(_DIGIT_ZEROS),
            "heading_words": sorted(_HEADING_WORDS)}


# ---------------------------------------------------------------------------- text as it is seen
# Text pasted from a web page, an e-mail or a word processor may hold characters that show as
# nothing (a zero-width space, joiner or non-joiner, a word joiner, a soft hyphen, a byte-order
# mark) and ASCII in its full-width form (as an East Asian input method types "１２３"): the
# guard reads the text as a reader sees it, "S\u200bSN １２３-４５-６７８９" as "SSN 123-45-6789".
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"
_WIDE = "\uff01-\uff5e"  # the full-width forms of ASCII's "!" to "~"
# The zeros of the other scripts' digits, each followed by its 1 to 9 (Unicode 14's decimal
# digits but ASCII's and the full-width ones above): "SSN ١٢٣-٤٥-٦٧٨٩" (Arabic-Indic) is read
# as "SSN 123-45-6789".
_DIGIT_ZEROS = (
    0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6,
    0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50,
    0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0x104A0,
    0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0,
    0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE,
    0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0)
_DIGITS = "".join(f"{chr(z)}-{chr(z + 9)}" for z in _DIGIT_ZEROS)
_NOT_AS_SEEN = re.compile(f"[{_INVISIBLE}{_WIDE}{_DIGITS}]")
_AS_SEEN_TABLE = {**dict.fromkeys(map(ord, _INVISIBLE)),
                  **{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)},
                  **{z + i: 0x30 + i for z in _DIGIT_ZEROS for i in range(10)}}


def as_seen(text: str) -> str:
    """``text`` without the characters that show as nothing, its full-width ASCII as ASCII
    (the same object when it holds neither: ASCII text is passed at once). Lines stay lines."""
    if text.isascii() or _NOT_AS_SEEN.search(text) is None:
        return text
    return text.translate(_AS_SEEN_TABLE)


def as_rendered(text: str) -> str:
    """``text`` as its Markdown shows it (notes are Markdown): backslash escapes and HTML
    character references read as what they stand for ("123&#45;45\\-6789" as "123-45-6789");
    the same object when it holds neither a backslash nor an ampersand."""
    if "\\" in text or "&" in text:
        return _decoded_markdown(text)
    return text


# A table pasted into a note or a guide (Markdown's pipes, or the tabs of cells copied from a
# spreadsheet or an EHR): a body row holds the values, its heading names them ("| DOB | MRN |"
# above "| 03/04/1951 | 00451234 |"), so each cell is read after its column's heading, as a
# form is ("DOB 03/04/1951 | MRN 00451234", the cells apart by a pipe), one line for one line.
_TABLE_RULE = re.compile(r"\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*")
# The words of a heading that names what its cells hold about a person ("Patient", "Name",
# "DOB", "MRN", "Age", "Member ID"): only such a heading is read before its cells (a "Pt
# handout" column holds titles: "Pt handout Spanish Version" read as a patient's name).
_HEADING_WORDS = frozenset((
    "patient", "patients", "pt", "name", "first", "last", "full", "given", "family", "surname",
    "age", "sex", "dob", "d", "o", "b", "date", "of", "birth", "birthdate", "born", "birthday",
    "mrn", "mr", "medical", "record", "rec", "chart", "acct", "account", "ssn", "social",
    "security", "member", "subscriber", "policy", "insurance", "medicare", "medicaid", "mbi",
    "id", "no", "number", "num", "nbr", "#", "phone", "cell", "mobile", "tel", "email", "e",
    "mail", "contact", "callback"))
_HEADING_WORD = re.compile(r"[a-z]+|#")


def _names_person_data(heading: str) -> bool:
    words = _HEADING_WORD.findall(heading.lower())
    return bool(words) and all(w in _HEADING_WORDS for w in words)


def _cells(line: str, sep: str) -> list[str]:
    if sep == "|":
        line = line.strip()
        line = line[1:] if line.startswith("|") else line
        line = line[:-1] if line.endswith("|") and not line.endswith("\\|") else line
    return line.split(sep)


def as_tabled(text: str) -> str:
    """``text`` with each cell of a table's body row after its column's heading (one that
    names a person's data: ``_HEADING_WORDS``): a Markdown
    table (a heading row, then a row of dashes) or rows of tab-separated cells (a heading row
    of two or more cells, none empty, then rows of as many); the same object when it holds
    neither a pipe nor a tab. Lines stay lines."""
    if "|" not in text and "\t" not in text:
        return text
    lines = text.split("\n")
    heads, sep, i = None, None, 0
    while i < len(lines):
        line = lines[i]
        if heads is not None and sep in line and (sep == "|" or line.count(sep) == len(heads) - 1):
            cells = _cells(line, sep)
            lines[i] = "| " + " | ".join(f"{heads[n].strip()} {c}" if n < len(heads) and c.strip()
                                         and _names_person_data(heads[n]) else c
                                         for n, c in enumerate(cells)) + " |"  # (a tab between two cells' words
            # is no name's space: "Jane Roe<tab>Age 67" is not the name "Roe Age")
            i += 1
            continue
        heads = None
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if "|" in line and "|" in following and _TABLE_RULE.fullmatch(following):
            heads, sep = _cells(line, "|"), "|"
            i += 2  # (the row of dashes)
            continue
        if "\t" in line and following.count("\t") == line.count("\t") \
                and all(c.strip() for c in line.split("\t")):
            heads, sep = line.split("\t"), "\t"
        i += 1
    return "\n".join(lines)


_MEMO: dict[str, list[str]] = {}  # short texts seen (CSV cells, ids, dates repeat by thousands)


_NAME_SEPARATOR = re.compile(r"(?<=[a-z])[-_.](?=[a-z0-9])|(?<=[0-9])[-_.](?=[a-z])", re.I)
_LOWER_WORD = re.compile(r"\b[a-z]+\b")


def path_as_words(rel: str) -> str:
    """A file's path (its extension left out) as words, as a name is written in a note: a
    dash, an underscore or a dot between letters a space, each word of letters capitalized
    ("data/interactions/jane-roe-03-04-1956.yaml" as "Data/Interactions/Jane Roe
    03-04-1956"): a patient's name typed as a file's name is no capitalized name."""
    stem = rel[:len(rel) - len(rel.rpartition(".")[2]) - 1] if "." in rel.rpartition("/")[2] else rel
    return _LOWER_WORD.sub(lambda m: m.group().capitalize(), _NAME_SEPARATOR.sub(" ", stem))


def patient_info(text: str) -> list[str]:
    """The kinds of patient identifier that ``text`` seems to hold (none: an empty list)."""
    if len(text) <= 40:
        kinds = _MEMO.get(text)
        if kinds is not None:
            return kinds[:] if kinds else []
    kinds = []
    seen = as_tabled(as_seen(as_rendered(text)))
    for kind, _ in _hits(seen, seen.lower()):
        if kind not in kinds:
            kinds.append(kind)
    if len(text) <= 40 and len(_MEMO) < 100_000:
        _MEMO[text] = kinds
    return kinds


def hit_lines(text: str, kind: str, near: bool = False) -> list[int]:
    """The lines (from 0, ascending, each once) of ``text`` where an identifier of ``kind``
    starts (``near``: a near form); empty when there is none. Every line, not only the first:
    a note with a patient on line 2 and another on line 9 was said at line 2 alone, and the
    second was found only in the run after the first was fixed."""
    seen = as_tabled(as_seen(as_rendered(text)))
    return sorted({seen.count("\n", 0, start)
                   for k, start in _hits(seen, seen.lower(), every=True, near=near) if k == kind})


def near_info(text: str) -> list[str]:
    """The kinds of patient identifier that ``text`` may hold in a near form (a warning),
    those ``patient_info`` finds aside. Only for the rare text of a file the prefilter let
    through."""
    kinds = []
    seen = as_tabled(as_seen(as_rendered(text)))
    for kind, _ in _hits(seen, seen.lower(), near=True):
        if kind not in kinds:
            kinds.append(kind)
    if kinds:
        found = patient_info(text)
        kinds = [k for k in kinds if k not in found]
    return kinds


# ---------------------------------------------------------------------------- messages
_QUOTED = re.compile(r"'(?:[^'\n]|'(?=[^\W_]))*'")  # (an apostrophe inside a word stays in: O'Brien)
_DIGIT_NOT_INDEX = re.compile(r"\[\d+\]|\d")  # (a list's index in a path stays)
_EMAIL_NAME = re.compile(r"[a-z0-9._%+-]+(?=@[a-z0-9-]+\.)", re.I)
_WORD = re.compile(r"[^\W_]{2,}")  # (a word of a withheld value, as an id suggested from it spells it)


def withheld(message: str) -> str:
    """A diagnostic's ``message`` without the patient identifier it would repeat (a value it
    quotes: "type: 'MRN 00451234' is not one of …", a key in its path): the output of
    `validate` goes into CI logs and pull-request annotations, which keep it as git history
    keeps the file. A quoted value that holds one reads '…'; what still holds one after that
    has its digits (but a list's index, ``[3]``) as # and the name of its e-mail addresses as …. The guard's own error at
    the same place names the kind."""
    # each quoted value read alone, as the guard read it: in the message a word after it can
    # hide what it holds ("'pt Jane Roe, 67' is not …": the age was the value's last word);
    # and with one withheld, a value made of its words (the id it suggests: 'pt-jane-roe-67')
    quoted = [m.group()[1:-1] for m in _QUOTED.finditer(message)]
    hidden = {q for q in quoted if patient_info(q)}
    if hidden:
        words = {w for q in hidden for w in _WORD.findall(q.lower())}
        hidden.update(q for q in quoted if words.intersection(_WORD.findall(q.lower())))
    elif not might_hold(message.encode("utf-8", "surrogateescape")) or not patient_info(message):
        return message
    out = _QUOTED.sub(lambda m: "'…'" if m.group()[1:-1] in hidden else m.group(), message)
    if patient_info(out):
        out = _EMAIL_NAME.sub("…", _DIGIT_NOT_INDEX.sub(
            lambda m: m.group() if m.group()[0] == "[" else "#", as_seen(out)))
    return out


# ---------------------------------------------------------------------------- keys and columns
_KEY_WORDS = ("patient", "birth", "medical_record", "first_name", "last_name", "firstname",
              "lastname")
_KEY_NAMES = frozenset(("mrn", "dob", "ssn", "mr_no", "mr_number", "mr"))
_NOT_A_NAME_PART = re.compile(r"[\W_]+")
# Words of a heading that name a patient's data as a word of their own ("Chart No. of pt",
# "Pt name", "Acct #", "Member ID"): "pt" alone, or a record's or a plan's word with a number's.
_KEY_PATIENT_WORDS = frozenset(("pt", "pts", "mbi", "hicn"))
_KEY_NUMBERED = frozenset(("chart", "acct", "account", "member", "subscriber", "policy", "insurance",
                           "medicare", "medicaid"))
_KEY_NUMBER_WORDS = frozenset(("no", "num", "nbr", "number", "id"))


def patient_key(name: str) -> bool:
    """Whether a YAML key or CSV column names patient data (``patient…``, ``mrn``, ``dob``,
    ``ssn``, ``…birth…``, ``first_name``, ``last_name``; ``pt`` as a word, a chart's, an
    account's or a plan's number: ``Chart No. of pt``, ``Acct #``, ``Member ID``), with or
    without punctuation between or after its letters (``D.O.B.``, ``MRN#``, ``S.S.N.``)."""
    norm = _NOT_A_NAME_PART.sub("_", str(name).strip().lower()).strip("_")
    squeezed = norm.replace("_", "")
    words = set(norm.split("_"))
    if words & _KEY_PATIENT_WORDS or (words & _KEY_NUMBERED and (
            words & _KEY_NUMBER_WORDS or "#" in str(name))):
        return True
    return norm in _KEY_NAMES or squeezed in _KEY_NAMES or any(w in norm for w in _KEY_WORDS) \
        or norm.startswith(("mrn_", "dob_", "ssn_")) or norm.endswith(("_mrn", "_dob", "_ssn"))


# ---------------------------------------------------------------------------- prefilter
# A text's shape: letters as a, digits as 0, separators as - (same length as the text).
_LETTERS = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SHAPE_TABLE = bytes.maketrans(_LETTERS + b"0123456789.- \t\n\r",
                               b"a" * len(_LETTERS) + b"0" * 10 + b"-" * 6)
_STR_SHAPE_TABLE = {i: _SHAPE_TABLE[i] for i in range(128) if _SHAPE_TABLE[i] != i}
_STR_SHAPE_TABLE.update(dict.fromkeys(
    (0xa0, *range(0x2000, 0x200b), 0x202f, 0x205f, 0x3000, *range(0x2010, 0x2016), 0x2212),
    ord("-")))
# The bytes lower-cased, every digit as 0 (one pass): the keywords hold no digit, and the two
# patterns made of digits and letters only are searched for from a literal 0 (fast).
_LOWER_ZERO = bytes.maketrans(_LETTERS[26:] + b"123456789", _LETTERS[:26] + b"0" * 9)
# A separator of the 3-2-4 shape, in UTF-8: an ASCII one, or a no-break, typographic or
# ideographic space, a Unicode dash or the minus sign (as _STR_SHAPE_TABLE reads them).
_SEP_BYTES = (rb"(?:[-. \t\n\r\f\v]|\xc2\xa0|\xe2\x80[\x80-\x8a\x90-\x95\xaf]|\xe2\x81\x9f"
              rb"|\xe3\x80\x80|\xe2\x88\x92)")
# (with up to 6 bytes of white space after a separator: a value that wraps there)
_WRAP_BYTES = _SEP_BYTES + rb"[ \t\n\r\f\v]{0,6}"
_MBI_WRAP_BYTES = rb"[- \t\n\r\f\v]{0,7}"
_SHAPES = (re.compile(rb"000" + _WRAP_BYTES + rb"00" + _WRAP_BYTES + rb"0000"),
           re.compile(rb"0[a-z][a-z0]0" + _MBI_WRAP_BYTES + rb"[a-z][a-z0]0" + _MBI_WRAP_BYTES
                      + rb"[a-z][a-z]00"))
_SPACES = re.compile(r"\s+")
# What ``as_seen`` takes out or reads as ASCII, in UTF-8 (a byte-order mark at a file's start
# is not text: only one after another byte): a file that holds one is scanned as it is seen.
def _utf8_ranges(zeros) -> bytes:
    """The UTF-8 of the digits from each of ``zeros`` to its 9, as alternatives of a bytes
    pattern (a run whose last byte would carry over is split in two)."""
    out = []
    for z in zeros:
        lo, hi = chr(z).encode(), chr(z + 9).encode()
        if lo[:-1] != hi[:-1]:  # (the last byte carries over: the run in two parts)
            out.append(re.escape(lo[:-1]) + b"[" + re.escape(lo[-1:]) + rb"-\xbf]")
            out.append(re.escape(hi[:-1]) + rb"[\x80-" + re.escape(hi[-1:]) + b"]")
        else:
            out.append(re.escape(lo[:-1]) + b"[" + re.escape(lo[-1:]) + b"-" + re.escape(hi[-1:]) + b"]")
    return b"|".join(out)


_NOT_AS_SEEN_BYTES = (rb"\xc2\xad|\xe1\xa0\x8e|\xe2\x80[\x8b-\x8d]|\xe2\x81\xa0"
                      rb"|[\x00-\xff]\xef\xbb\xbf|\xef\xbc[\x81-\xbf]|\xef\xbd[\x80-\x9e]|"
                      + _utf8_ranges(_DIGIT_ZEROS))

# The keywords of the patterns, in the lower-cased bytes, grouped by a letter they hold: a
# pattern that starts with a literal letter is searched for fast (in C, letter by letter),
# far faster than one search per keyword or an alternation of them. Every pattern but the
# two that only digits and letters make (3-2-4 digits, an MBI's shape: see the shape table)
# needs one of these; with white space wherever the patterns allow a line to wrap.
# What a name that holds its own age or birth date (``_NAME_WITH_AGE``, ``_TITLE_WITH_AGE``)
# needs, with no keyword: an age written as one, a date of three parts not in ISO order (an
# ISO date, a YAML date field's, does not pass: "0000-00-00"), a month with a day and a year,
# or a title ("Mrs", "Ms", "Miss"; "Mr" passes as "m" and "r" above). No look-around: RE2
# reads them as they are.
_B_SPACE = rb"[ \t\n\r\f\v]"
_B_DASH = rb"(?:[-/.]|\xe2\x80[\x90-\x95]|\xe2\x88\x92)"
_NAMED_AGE_BYTES = (
    rb"0[- \t\n\r\f\v]{0,12}y(?:[/.]?" + _B_SPACE + rb"{0,8}o|rs?[- \t\n\r\f\v]{1,12}old"
    rb"|ears?[- \t\n\r\f\v]{0,12}old)",
    rb"(?:^|[^0-])0{1,2}" + _B_DASH + rb"0{1,2}" + _B_DASH + rb"00",
    rb"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?" + _B_SPACE
    + rb"{0,8}0{1,2}(?:st|nd|rd|th)?,?" + _B_SPACE + rb"{1,8}0000",
    rb"(?:^|[^a-z])m(?:rs|s|iss)[. \t\n\r\f\v]",
    rb"(?:^|[^a-z])aged?[ \t\n\r\f\v:]{0,12}0",
)
_WORDS = tuple(re.compile(p) for p in (
    rb"p(?:atient(?!s)|t(?![a-z])|olicy)",
    rb"m(?:[\W_]{0,3}r(?![a-mo-z])|edica[ri]|bi|ed(?:ical)?[\W_]{0,6}rec)",
    rb"s(?:[\W_]?s[\W_]?n|s[\W_]{0,3}(?:#|no)|ocial|oc[\W_]{0,4}sec|\.s)",
    rb"c(?:hart|ord|(?<=acc)(?:t|ount)|(?<=insuranc)e[\W_]{0,3}(?:id|#|n[ou])|(?<=hic)n)",
    rb"b(?:irth|orn|(?<=dob)|(?<=d[\W_]o[\W_]b)|(?<=d[\W_]ob)|(?<=do[\W_]b)"
    rb"|(?<=memb)ers?[\W_]{0,3}(?:id|#|n[ou])|(?<=subscrib)ers?[\W_]{0,3}(?:id|#|n[ou]))",
    _NOT_AS_SEEN_BYTES,
    *_NAMED_AGE_BYTES,
))


# The shapes and the keywords above in one pattern for RE2 (google-re2: a DFA that reads the
# bytes once, 0.14 s for the 72 MB of YAML of 10,000 physicians, where the seven searches
# above take 0.5-0.6 s), which has no look-around: each is written out as what it looks at
# ("(?<=acc)(?:t|ount)" after a "c" is "acc(?:t|ount)"; "(?!s)" is "a byte that is not s, or
# the end"). It finds whatever they find (tests/test_guard.py checks it on the corpus and on
# generated bytes); a file it finds nothing in is passed over, and the rare one it finds
# something in goes on to the searches above. Byte for byte (Latin-1), as ``re`` reads bytes:
# ``[\W_]`` is any byte but an ASCII letter or digit.
_W = rb"[^0-9A-Za-z]"
_EVERY_WORD = b"|".join((
    _SHAPES[0].pattern, _SHAPES[1].pattern,
    rb"patient(?:[^s]|\z)", rb"pt(?:[^a-z]|\z)", rb"policy",
    rb"m" + _W + rb"{0,3}r(?:[^a-mo-z]|\z)", rb"medica[ri]", rb"mbi", rb"med(?:ical)?" + _W + rb"{0,6}rec",
    rb"s" + _W + rb"?s" + _W + rb"?n", rb"ss" + _W + rb"{0,3}(?:#|no)", rb"social", rb"soc" + _W + rb"{0,4}sec", rb"s\.s",
    rb"chart", rb"cord", rb"acc(?:t|ount)", rb"insurance" + _W + rb"{0,3}(?:id|#|n[ou])", rb"hicn",
    rb"birth", rb"born", rb"dob", rb"d" + _W + rb"o" + _W + rb"b", rb"d" + _W + rb"ob",
    rb"do" + _W + rb"b", rb"members?" + _W + rb"{0,3}(?:id|#|n[ou])",
    rb"subscribers?" + _W + rb"{0,3}(?:id|#|n[ou])", _NOT_AS_SEEN_BYTES, *_NAMED_AGE_BYTES,
))


def _every_word():
    """``_EVERY_WORD`` compiled by RE2, or None without google-re2 (then every file goes
    through the searches above)."""
    try:
        import re2
    except ImportError:
        return None
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1
    return re2.compile(_EVERY_WORD, options)


_ANY_WORD = _every_word()


# Where a file's value may end with what a pattern needs at the end of its text (the "$" of
# _AGE, _TITLE_WITH_AGE and _PT_AFTER): an age after a comma ("…, 67", "…, 44F") or
# "patient" after one ("3/2: Jane Roe, the patient"), before a quote (a quoted value's end, in
# a line, a flow list or a CSV row), a comment or the line's end.
_AT_LINE_END = re.compile(r",[ \t]*(?:\d{1,3}[ \t]*[mf]?|(?:(?:the|our|a)[ \t]+)?(?:patient|pt))"
                          r"(?=[ \t]*['\"]|[ \t]+#|[ \t\r]*$)", re.M | re.I)


_ENTITY_BYTES = re.compile(rb"&(?:#[0-9]+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.I)


def might_hold(raw: bytes) -> bool:
    """A cheap test of a whole file's bytes: only the few files that pass get their values
    scanned. Substring tests first (fast, in C), then the patterns on the rare hits. A
    backslash (a YAML or Markdown escape may hide anything), an HTML character reference
    (``&#49;``, ``&ndash;``: Markdown shows what it stands for) or a YAML ``!!binary`` tag
    (base64) always passes."""
    if b"\\" in raw or _ENTITY_BYTES.search(raw) is not None or b"binary" in raw:
        return True  # (a YAML `!!binary` value is base64: the text it stands for is read)
    low = raw.translate(_LOWER_ZERO)
    if _ANY_WORD is not None and _ANY_WORD.search(low) is None:
        return False
    ssn, mbi = _SHAPES
    shapes = ssn.search(low) is not None or mbi.search(low) is not None
    if not shapes:  # (a loop, not any() over a generator: this runs for every file)
        for word in _WORDS:
            if word.search(low) is not None:
                break
        else:
            return False
    # a value may wrap over lines (folded by YAML into one space): white space as one space
    decoded = raw.decode("utf-8", "replace")
    text = as_seen(decoded)
    shapes = shapes or text is not decoded  # digits typed full-width may make a shape
    text = lines = as_tabled(text)
    text = _SPACES.sub(" ", text)
    low = text.lower()
    if any(True for _ in _hits(text, low, shapes=shapes)) or any(
            True for _ in _hits(text, low, near=True)):
        return True
    # A few patterns need the end of their value ("Jane Roe (patient), 67", "Ms. Kim, 44"),
    # which in the file is followed by a closing quote, a comment or the next key: the line
    # up to each place that may be such an end is tried alone, that place as the text's end.
    for m in _AT_LINE_END.finditer(lines):
        line = lines[lines.rfind("\n", 0, m.start()) + 1:m.end()]
        if any(True for _ in _hits(line, line.lower())) or any(
                True for _ in _hits(line, line.lower(), near=True)):
            return True
    return False


# ---------------------------------------------------------------------------- scanning
class KeyLoc(tuple):
    """The loc of a mapping's key that holds an identifier (its diagnostic points at the key,
    not at its value)."""


def scan(data, loc: tuple = ()):
    """(loc, kind) for every string of canonical data (keys of mappings included: their loc a
    ``KeyLoc``) that holds an identifier."""
    if isinstance(data, str):
        for kind in patient_info(data):
            yield loc, kind
    elif isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str):
                for kind in patient_info(key):
                    yield KeyLoc(loc + (key,)), kind
            yield from scan(value, loc + (key,))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from scan(item, loc + (i,))


def scan_near(data, loc: tuple = ()):
    """(loc, kind) for every string of canonical data (keys aside) that may hold an
    identifier in a near form (``near_info``: warnings)."""
    if isinstance(data, str):
        for kind in near_info(data):
            yield loc, kind
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from scan_near(value, loc + (key,))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from scan_near(item, loc + (i,))


def yaml_comments(text: str):
    """(offset, text) of each comment of a YAML document (the offset of its ``#``):
    the text between the parser's tokens that starts with ``#``, and the end of a block
    scalar's first line from its ``#`` (``notes: >  # …``: the scalar's token spans it).
    For the rare file the prefilter lets through (libyaml's scanner, whose marks count
    characters as Python's do); none if it cannot be read."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    spans, headers = [], []
    try:
        while loader.check_token():
            token = loader.get_token()
            spans.append((token.start_mark.index, token.end_mark.index))
            if getattr(token, "style", None) in ("|", ">"):  # spans its first line's comment
                headers.append(token.start_mark.index)
    except yaml.YAMLError:
        return []
    finally:
        loader.dispose()
    # (a '#' the scanner left between tokens is a comment wherever it stands: a plain scalar's
    # own, "a#b", is in its token; one right after a quote, a bracket or a comma is YAML's comment)
    out, end = [], 0
    for start, stop in spans + [(len(text), len(text))]:
        gap = text[end:start]
        pos = gap.find("#")
        while pos >= 0:
            stop_line = gap.find("\n", pos)
            stop_line = len(gap) if stop_line < 0 else stop_line
            out.append((end + pos, gap[pos + 1:stop_line]))
            pos = gap.find("#", stop_line)
        end = max(end, stop)
    for start in headers:  # a block scalar's indicator line: "notes: >  # pasted from the EHR"
        stop_line = text.find("\n", start)
        stop_line = len(text) if stop_line < 0 else stop_line
        pos = text.find("#", start, stop_line)
        if pos >= 0:
            out.append((pos, text[pos + 1:stop_line]))
    return sorted(out)


def scan_comments(text: str):
    """(line, column, kind, near, joined) of each comment of a YAML document that holds an
    identifier (``near`` False: an error, as in a value) or a near form (``near`` True: a
    warning): comments are committed with the values. ``joined``: the identifier is in the
    comment's line read whole, not in its value or its comment alone (`notes: acct # 77A`
    is the value 'acct' and the comment '77A' to YAML, and '#' is part of these identifiers'
    wording). The document is read by the scanner only when some line holding a '#' holds
    one (a big file with an identifier in a value is not read a second time)."""
    lines = [line for line in text.split("\n") if "#" in line]
    if not any(patient_info(line) or near_info(line[line.index("#") + 1:]) for line in lines):
        return
    for at, comment in yaml_comments(text):
        start = text.rfind("\n", 0, at) + 1
        line, col = text.count("\n", 0, at) + 1, at - start + 1
        kinds = patient_info(comment)
        for kind in kinds:
            yield line, col, kind, False, False
        for kind in near_info(comment):
            yield line, col, kind, True, False
        before = text[start:at]
        if before.strip():
            alone = set(kinds) | set(patient_info(before))
            for kind in patient_info(before + "#" + comment):
                if kind not in alone:
                    yield line, col, kind, False, True


_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!@|:/])")


def scan_text(text: str, first_line: int = 1, near: bool = False):
    """(line, kind) for every identifier in a Markdown text (a guide's or a deck's body)
    whose first line is the file's line ``first_line``: the line where each hit starts.
    Markdown backslash escapes and HTML character references are read as what they stand
    for. ``near``: the near forms (warnings), at the lines where no identifier of the same
    kind was found."""
    if "\\" in text or "&" in text:
        text = _decoded_markdown(text)
    text = as_tabled(as_seen(text))
    low = text.lower()
    seen = set()
    if near:  # a near form where the same kind was found on the line already adds nothing
        seen = {(first_line + text.count("\n", 0, start), kind)
                for kind, start in _hits(text, low, every=True)}
    for kind, start in _hits(text, low, every=True, near=near):
        hit = (first_line + text.count("\n", 0, start), kind)
        if hit not in seen:
            seen.add(hit)
            yield hit


def _decoded_markdown(text: str) -> str:
    """The text a reader sees, one line for one line."""
    return "\n".join(html.unescape(_MD_ESCAPE.sub(r"\1", line)) for line in text.split("\n"))
