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
    assert schema_of(document, "KeepDecision")["rationale"]["maxLength"] == choices.RATIONALE_MAX
    assert schema_of(document, "EstimateInput")["respondents"]["maximum"] == licence_forms.MAX_RESPONDENTS
    assert schema_of(document, "EntryInput")["minutes"] == {"type": "integer", "minimum": 1,
                                                            "maximum": choices.MAX_ENTRY_MINUTES}


ENUMS = [
    ("SourceInput", "kind", choices.SOURCE_KINDS),
    ("RequestInput", "frequency", choices.FREQUENCIES),
    ("RequestInput", "obligation", choices.OBLIGATIONS),
    ("EntryInput", "band", choices.BANDS),
    ("RateInput", "band", choices.BANDS),
    ("ReduceFrequencyDecision", "new_frequency", choices.FREQUENCIES),
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


def test_a_decision_is_one_of_its_kinds_each_with_what_it_needs(document):
    body = document["paths"]["/api/v1/requests/{request_id}/decisions"]["post"]["requestBody"]
    kinds = body["content"]["application/json"]["schema"]["oneOf"]
    schemas = document["components"]["schemas"]
    by_kind = {schemas[k["$ref"].rsplit("/", 1)[1]]["properties"]["decision"]["enum"][0]: schemas[k["$ref"].rsplit("/", 1)[1]]
               for k in kinds}
    assert list(by_kind) == list(choices.DECISIONS)
    assert "merge_into" in by_kind["merge"]["required"]
    assert "new_frequency" in by_kind["reduce_frequency"]["required"]
    assert "target_hours_per_entry" in by_kind["simplify"]["required"]
    assert set(by_kind["retire"]["required"]) == {"decision", "rationale", "effective_date"}


def test_plain_text_states_that_control_characters_are_refused(document):
    name = schema_of(document, "SourceInput")["name"]
    assert name["minLength"] == 1 and "\\x00" in name["pattern"]


def test_rules_the_document_cannot_state_are_in_words(document):
    burden = document["paths"]["/api/v1/burden"]["get"]
    assert "`from` after `to`" in burden["description"] and "404" in burden["description"]
    statement = document["paths"]["/api/v1/sources/{source_id}/statement"]["get"]
    assert "without" in statement["description"]
    patch = document["paths"]["/api/v1/entries/{entry_id}"]["patch"]
    assert {"412", "404"} <= set(patch["responses"])


def test_the_documented_length_holds_for_text_as_sent(db, admin_client):
    """Spaces around a name are trimmed when it is saved, but the document's maxLength is for what is sent."""
    name = " " * 10 + "n" * 155 + "\n"
    response = admin_client.post("/api/v1/sources", json={"name": name, "kind": "commissioner"})
    assert response.status_code == 400 and "at most 160 characters" in response.get_json()["errors"]["name"][0]
    assert admin_client.post("/api/v1/sources", json={"name": name.strip(), "kind": "commissioner"}).status_code == 201
