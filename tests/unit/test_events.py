from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from services.analytics.domain.case_facts import case_rows, facts_from
from services.refurbish.domain.grading import disposition_for
from shared.events import Disposition, Envelope, Grade, UnknownEventType
from tests.factories import case_opened, resolution_decided


def test_envelope_is_cloudevents_with_the_case_as_subject():
    case = case_opened()
    envelope = Envelope.wrap(case)
    assert envelope.specversion == "1.0"
    assert envelope.type == "case.opened"
    assert envelope.source == "/aftersales/intake"
    assert envelope.subject == case.case_id
    assert envelope.dataschema.endswith("case.opened:v3")
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


def test_analytics_reads_market_and_remedy_from_events():
    assert facts_from(case_opened()) == {"marketplace": "amazon", "market": "US", "status": "open"}
    facts = facts_from(resolution_decided("X"))
    assert facts == {"scenario": "functional_fault", "remedy": "part_shipment", "status": "decided"}


def test_each_grade_has_a_disposition():
    assert disposition_for(Grade.A) is Disposition.RELIST_AS_NEW
    assert disposition_for(Grade.D) is Disposition.RECYCLE
    assert {disposition_for(g) for g in Grade} == set(Disposition)


def test_a_batch_folds_into_one_row_per_case_with_the_latest_status():
    opened = case_opened()
    decided = resolution_decided("X").model_copy(update={"case_id": opened.case_id})
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    # decided arrives first in the batch but happened later
    (row,) = case_rows([(decided, t0 + timedelta(seconds=1)), (opened, t0)])
    assert row["market"] == "US" and row["remedy"] == "part_shipment"
    assert row["status"] == "decided"
    assert row["updated_at"] == t0 + timedelta(seconds=1)
    assert row["grade"] is None
