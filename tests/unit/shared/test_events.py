import pytest
from pydantic import ValidationError

from shared.events import (
    Envelope,
    UnknownEventType,
)
from tests.factories import case_opened, resolution_decided


def test_envelope_is_cloudevents_with_the_case_as_subject():
    case = case_opened()
    envelope = Envelope.wrap(case)
    assert envelope.specversion == "1.0"
    assert envelope.type == "case.opened"
    assert envelope.source == "/aftersales/intake"
    assert envelope.subject == case.case_id
    assert envelope.dataschema.endswith("case.opened:v4")
    assert envelope.topic == "intake.events"
    assert envelope.time.tzinfo is not None


def test_envelope_round_trips_to_the_typed_payload():
    decided = resolution_decided("SKU-1")
    envelope = Envelope.model_validate_json(Envelope.wrap(decided).model_dump_json())
    assert envelope.payload() == decided
    assert envelope.topic == "resolution.events"


def test_unknown_type_and_mismatched_subject_are_refused():
    envelope = Envelope.wrap(case_opened())
    with pytest.raises(UnknownEventType):
        envelope.model_copy(update={"type": "case.exploded"}).payload()
    with pytest.raises(ValueError, match="subject"):
        envelope.model_copy(update={"subject": "case-other"}).payload()


def test_payload_with_missing_fields_is_refused():
    envelope = Envelope.wrap(case_opened())
    data = {k: v for k, v in envelope.data.items() if k != "items"}
    with pytest.raises(ValidationError):
        envelope.model_copy(update={"data": data}).payload()
