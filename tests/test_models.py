"""The record models as the one source of the rules (liaison.models, liaison.fields).

Every text field says whether it is free text (the patient guard scans it) or not; every id
that names another record says which kind (the reference checks); the referral rows of CSV
and YAML files follow the ``Referral`` model, read once into columns, and agree with it.
"""
from __future__ import annotations

import datetime as dt
import typing
from typing import Annotated

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from liaison import checks, guard, models
from liaison.fields import Ref, references
from liaison.models import RECORD_MODELS, Record, Referral, Text
from liaison.records import ReferralRow
from liaison.referral_rows import COLUMN, REFERRAL_COLUMNS, check_referral


# ----------------------------------------------------------------- the guard


def test_every_string_is_scanned_free_text_or_not():
    """SPEC §3, second edition: every string value, whether its field is free text or not."""
    hits = list(guard.scan({"staff": [{"name": "Bo", "notes": "MRN 448812"}],
                            "phone": "MRN 448812"}))
    assert hits == [(("staff", 0, "notes"), "a medical record number"),
                    (("phone",), "a medical record number")]


# ------------------------------------------------------------------------ references


def test_references_are_read_from_the_models():
    assert checks.REFERENCES[models.Interaction] == (
        (("liaison",), "team"), (("practice",), "practices"), (("physicians", "*"), "physicians"),
        (("deck",), "presentations"), (("follow_ups", "*", "owner"), "team"),
    )
    assert checks.REFERENCES[models.Physician] == (
        (("practice",), "practices"), (("tier",), "tiers"), (("liaison",), "team"))
    assert checks.REFERENCES[models.TeamMember] == ((("trainings", "*", "guide"), "training"),)
    # SPEC §2 second edition: taken_by names a team member
    assert checks.REFERENCES[models.Referral] == (
        (("physician",), "physicians"), (("service",), "services"), (("taken_by",), "team"))
    assert checks.REFERENCES[models.DeckMeta] == ((("targets", "*"), "practices"),)
    assert {kind for refs in checks.REFERENCES.values() for _p, kind in refs} <= set(checks.WHAT)


def test_a_reference_inside_a_mapping_is_refused():
    """The reference checks walk fields and lists only: a Ref under a mapping's key or value
    would never be checked, so reading the model's references refuses it."""

    class ByKey(Record):
        owners: dict[Annotated[models.Id, Ref("team")], Text]

    class ByValue(Record):
        owners: dict[Text, Annotated[models.Id, Ref("team")]]

    for model in (ByKey, ByValue):
        with pytest.raises(TypeError, match="no Ref inside a mapping"):
            references(model)


def _id_fields(model, prefix=()):
    for name, info in model.model_fields.items():
        if any(getattr(m, "pattern", None) == models.ID_RE.pattern
               for m in _flat_metadata(info.annotation) + list(info.metadata)):
            yield model.__name__, name
        nested = models.nested_model(info.annotation)
        if nested is not None:
            yield from _id_fields(nested)


def _flat_metadata(annotation) -> list:
    out = []
    if typing.get_origin(annotation) is typing.Annotated:
        out += list(typing.get_args(annotation)[1:])
    for arg in typing.get_args(annotation):
        out += _flat_metadata(arg)
    return out


def test_every_id_field_names_its_kind():
    """An id field is a reference (Ref marker: checked against the records) unless it is the
    key a record is named by."""
    own_keys = {("Service", "key")}
    refs = {(m.__name__, path[0]) for m in RECORD_MODELS for path, _kind in references(m)}
    refs |= {(n.__name__, path[0]) for n in (models.FollowUp, models.Training)
             for path, _kind in references(n)}
    for where in {f for m in RECORD_MODELS for f in _id_fields(m)}:
        assert where in refs or where in own_keys, f"{where}: an id without Ref(kind)"


def test_ref_markers_leave_schema_and_validation_alone():
    class Thing(Record):
        owner: Annotated[models.Id, Ref("team")]

    assert Thing(owner="a-b").owner == "a-b"
    with pytest.raises(ValidationError):
        Thing(owner="A B")


# ---------------------------------------------------------------------- referral rows


def test_row_columns_are_the_model_fields():
    # SPEC §2: the eight columns of a referral, the second edition's taken_by and
    # declined_reason after the first edition's six
    assert REFERRAL_COLUMNS == tuple(Referral.model_fields) == ReferralRow._fields[:8]
    assert REFERRAL_COLUMNS[6:] == ("taken_by", "declined_reason")
    assert COLUMN["source"].options == models.SOURCES
    assert COLUMN["status"].options == models.STATUSES and COLUMN["status"].default == "referred"
    assert COLUMN["count"].default == 1 and COLUMN["count"].minimum == 1
    assert COLUMN["declined_reason"].options == models.DECLINED_REASONS
    assert [c.name for c in COLUMN.values() if c.required] == ["date", "source", "service"]


_SOURCES = st.sampled_from(models.SOURCES + ("Web", "phys", ""))
_IDS = st.sampled_from(["alan-cho", "vein-ablation", "Alan", "a--b", "x" * 70, ""])
_ROWS = st.fixed_dictionaries({}, optional={
    "date": st.one_of(st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)), st.just(5)),
    "source": _SOURCES,
    "physician": _IDS,
    "service": _IDS,
    "status": st.sampled_from(models.STATUSES + ("bogus", "")),
    "count": st.one_of(st.integers(-2, 5), st.just(True)),
    "taken_by": _IDS,
    "declined_reason": st.sampled_from(models.DECLINED_REASONS + ("bogus", "")),
})


@settings(max_examples=400, deadline=None)
@given(_ROWS)
def test_rows_agree_with_the_model(row):
    """On the data the YAML loader hands over (dates as dates, counts as numbers, text without
    surrounding blanks), a row is accepted exactly when the model accepts it, with the same
    values. (Rows also read blank cells as absent and text dates and counts from CSV.)"""
    canonical = {k: v for k, v in row.items() if v != ""}
    values, problems = check_referral(row.get, lambda name, missing=False: name)
    try:
        record = Referral.model_validate(canonical)
    except ValidationError:
        assert values is None and problems
    else:
        assert problems == [] and values == tuple(record.model_dump().values())


def test_the_physician_rule_is_the_models():
    with pytest.raises(ValidationError, match="required when source is physician"):
        Referral.model_validate({"date": dt.date(2026, 1, 1), "source": "physician",
                                 "service": "veins"})
    with pytest.raises(ValidationError, match="only allowed when source is physician"):
        Referral.model_validate({"date": dt.date(2026, 1, 1), "source": "web",
                                 "physician": "alan-cho", "service": "veins"})


def test_the_declined_reason_rule_is_the_models():
    """SPEC §2: declined_reason is allowed only when status is declined."""
    base = {"date": dt.date(2026, 1, 1), "source": "web", "service": "veins"}
    with pytest.raises(ValidationError, match="only allowed when status is declined"):
        Referral.model_validate({**base, "declined_reason": "insurance"})  # status: referred
    with pytest.raises(ValidationError, match="only allowed when status is declined"):
        Referral.model_validate({**base, "status": "treated", "declined_reason": "other"})
    ok = Referral.model_validate({**base, "status": "declined", "declined_reason": "other"})
    assert ok.declined_reason == "other" and ok.taken_by is None
    assert Referral.model_validate({**base, "status": "declined"}).declined_reason is None


def test_the_exact_yaml_reader_types_exactly_the_date_and_integer_fields_of_the_models():
    """yamlio types plain scalars by key name (DATE_KEYS, INT_KEYS) when it reads a file the
    exact way: a date or integer field added to a model must be added there too."""
    import datetime as dt

    from liaison import models, yamlio
    from liaison.fields import _parts, walk_fields

    dates, ints = set(), set()
    for model in (models.SiteConfig, models.Practice, models.Physician, models.TeamMember,
                  models.Interaction, models.Referral, models.GuideMeta, models.DeckMeta):
        for path, annotation, _marks in walk_fields(model):
            name = [p for p in path if p not in ("*", "<key>", "<value>")][-1]
            for part in _parts(annotation):
                if part is dt.date:
                    dates.add(name)
                elif part is int:
                    ints.add(name)
    assert dates == set(yamlio.DATE_KEYS)
    assert ints == set(yamlio.INT_KEYS)


# ------------------------------------------------------------------------------ pickling


def test_a_record_unpickles_as_it_was():
    """Records are kept between builds as pickles (liaison.snapshot) in their own compact
    form (``Record.__reduce__``): the record that comes back has the same values, the same
    fields set (what ``model_dump(exclude_unset=True)`` shows), its nested records, and
    values of its own."""
    import pickle

    record = models.Interaction.model_validate({
        "date": dt.date(2026, 3, 4), "liaison": "t-ana", "type": "visit",
        "physicians": ["d-lee"], "summary": "Brought lunch for the front desk",
        "follow_ups": [{"task": "Send the new referral pad", "due": dt.date(2026, 3, 11)}]})
    back = pickle.loads(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(back) is models.Interaction and back == record and back is not record
    assert back.model_fields_set == record.model_fields_set == {
        "date", "liaison", "type", "physicians", "summary", "follow_ups"}
    assert back.model_dump(exclude_unset=True) == record.model_dump(exclude_unset=True)
    assert type(back.follow_ups[0]) is models.FollowUp
    assert back.follow_ups[0].model_fields_set == {"task", "due"}
    assert back.__pydantic_extra__ is None and back.__pydantic_private__ is None
    assert back.__dict__ is not record.__dict__  # its own values
    # which fields were set is one set per combination (models._shape): a pickle of many
    # records holds it once, and a record read back is a value, not changed afterwards
    again = pickle.loads(pickle.dumps([record, record.model_copy()]))
    assert again[0].__pydantic_fields_set__ is again[1].__pydantic_fields_set__
    with pytest.raises(TypeError):
        again[0].summary = "Changed afterwards"
    assert again[1].model_fields_set == record.model_fields_set
    assert record.summary == "Brought lunch for the front desk"
    record.summary = "A record just read can still be changed"  # its fields set is its own
    assert "summary" in record.model_fields_set


def test_a_slot_pydantic_does_not_declare_is_set_as_any_attribute():
    """A record read back sets pydantic's slots through their descriptors
    (``models._slot_setter``); a slot that pydantic's ``BaseModel`` does not declare (another
    version of pydantic, say) is set by ``object.__setattr__`` instead, to the same effect."""
    from pydantic import BaseModel

    assert models._SET_FIELDS_SET.__self__ is BaseModel.__dict__["__pydantic_fields_set__"]

    class Plain:
        pass

    plain = Plain()
    models._slot_setter("__not_declared__")(plain, 5)
    assert plain.__not_declared__ == 5
