"""The served OpenAPI document is generated from the schemas, and its limits are the models' and choices'."""
from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from tracker.licences import forms as licence_forms
from tracker.models.burden import Rate
from tracker.models.catalogue import Request, Source
from tracker.models.licences import Estimate, LicenceDecision
from tracker.shared import choices


@pytest.fixture
def document(api_for, make_user, team):
    response = api_for(make_user("manager", [team])).get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def schema_of(document, name):
    return document["components"]["schemas"][name]["properties"]


# (schema, field) -> the column whose length the document must state
COLUMN_LENGTHS = [
    ("SourceInput", "name", Source.__table__.c.name),
    ("RequestInput", "title", Request.__table__.c.title),
    ("EstimateInput", "reference", Estimate.__table__.c.reference),
    ("EstimateInput", "legal_basis", Estimate.__table__.c.legal_basis),
    ("EstimateInput", "answered_by", Estimate.__table__.c.answered_by),
    ("LicenceInput", "reference", LicenceDecision.__table__.c.reference),
    ("RateInput", "note", Rate.__table__.c.note),
]


@pytest.mark.parametrize("schema, field, column", COLUMN_LENGTHS, ids=[f"{s}.{f}" for s, f, _ in COLUMN_LENGTHS])
def test_max_lengths_are_the_columns(document, schema, field, column):
    assert schema_of(document, schema)[field]["maxLength"] == column.type.length


def test_text_kept_as_text_columns_states_the_shared_limit(document):
    assert schema_of(document, "EntryInput")["notes"]["maxLength"] == choices.LONG_TEXT_MAX
    assert schema_of(document, "RequestInput")["description"]["maxLength"] == choices.LONG_TEXT_MAX
    assert schema_of(document, "DecisionInput")["rationale"]["maxLength"] == choices.RATIONALE_MAX
    assert schema_of(document, "EstimateInput")["respondents"]["maximum"] == licence_forms.MAX_RESPONDENTS
    assert schema_of(document, "EntryInput")["minutes"] == {"type": "integer", "minimum": 1,
                                                            "maximum": choices.MAX_ENTRY_MINUTES}


ENUMS = [
    ("SourceInput", "kind", choices.SOURCE_KINDS),
    ("RequestInput", "frequency", choices.FREQUENCIES),
    ("RequestInput", "obligation", choices.OBLIGATIONS),
    ("EntryInput", "band", choices.BANDS),
    ("RateInput", "band", choices.BANDS),
    ("DecisionInput", "decision", choices.DECISIONS),
    ("DecisionInput", "new_frequency", choices.FREQUENCIES),
    ("LicenceInput", "action", choices.LICENCE_ACTIONS),
    ("EstimateInput", "basis", choices.ESTIMATE_BASES),
    ("Team", "sector", choices.SECTORS),
    ("Request", "status", choices.REQUEST_STATUSES),
    ("Decision", "status", choices.DECISION_STATUSES),
    ("LicenceDecision", "licence_status", choices.LICENCE_STATUSES),
]


@pytest.mark.parametrize("schema, field, values", ENUMS, ids=[f"{s}.{f}" for s, f, _ in ENUMS])
def test_enums_are_the_choices(document, schema, field, values):
    assert schema_of(document, schema)[field]["enum"] == list(values)


def test_a_nullable_choice_says_null_too(document):
    sector = schema_of(document, "EstimateInput")["sector"]
    assert sector["enum"] == [*choices.SECTORS, None] and "null" in sector["type"]


def test_an_answer_is_a_word_or_true_or_false(document):
    answer = schema_of(document, "EntryInput")["used"]
    assert answer["oneOf"] == [{"type": "string", "enum": list(choices.ANSWERS)}, {"type": "boolean"}]


def test_the_document_is_valid_openapi_3_1(document):
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_the_models_size_their_columns_from_the_one_constant():
    assert Source.__table__.c.name.type.length == choices.SOURCE_NAME_MAX
    assert Request.__table__.c.title.type.length == choices.REQUEST_TITLE_MAX
