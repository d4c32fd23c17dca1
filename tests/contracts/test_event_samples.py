"""Golden events: one CloudEvents envelope per event type and schema version it ever had
(`tests/contracts/<type>/v<N>.json`), read by today's contracts in `shared/events.py`.

Events of every version may still sit in a topic (or in analytics' kept events), so a change
to a payload class that today's consumers could not read them with fails here. The current
version's sample is also what the classes publish today, field for field.
"""

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.events import PAYLOAD_TYPES, Envelope

SAMPLES = Path(__file__).parent


def sample_paths() -> list[Path]:
    return sorted(SAMPLES.glob("*/v*.json"))


def version_of(path: Path) -> int:
    return int(path.stem.removeprefix("v"))


def sample(event_type: str, version: int) -> Path:
    return SAMPLES / event_type / f"v{version}.json"


@pytest.mark.parametrize("path", sample_paths(), ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_each_sample_is_read_by_todays_contracts(path):
    event_type, version = path.parent.name, version_of(path)
    envelope = Envelope.model_validate_json(path.read_bytes())
    assert envelope.type == event_type, f"{path} holds a {envelope.type}"
    assert envelope.dataschema == f"urn:aftersales:event:{event_type}:v{version}"
    payload_type = PAYLOAD_TYPES[event_type]
    assert envelope.source == f"/aftersales/{payload_type.owner}"
    assert version <= payload_type.schema_version, f"{path}: no such version yet"
    assert envelope.payload().case_id == envelope.subject


def test_a_v1_grade_is_read_as_the_rubrics_own_without_its_disposition():
    """v2 moved `disposition` to refurbish.disposition_decided and added `computed_grade` and
    `technician`: a v1 event is upcast (`shared.events.UPCASTS`), not dead-lettered."""
    envelope = Envelope.model_validate_json(sample("refurbish.graded", 1).read_bytes())
    graded = envelope.payload()
    assert (graded.grade, graded.computed_grade, graded.technician) == ("C", "C", "")
    assert "disposition" not in graded.model_dump()
    assert graded.notes == envelope.data["notes"]


def test_only_old_versions_are_upcast():
    """A v2 event is read as it is: one carrying a disposition is refused, not upcast."""
    graded = PAYLOAD_TYPES["refurbish.graded"](
        case_id="case-1", inspection_id="insp-1", grade="A", computed_grade="B", technician="ben"
    )
    current = Envelope.wrap(graded)
    assert current.schema_version == 2
    assert current.payload() == graded
    with pytest.raises(ValidationError):
        current.model_copy(update={"data": {**current.data, "disposition": "recycle"}}).payload()


def test_every_version_of_every_event_type_has_a_sample():
    missing = [
        str(sample(event_type, version).relative_to(SAMPLES))
        for event_type, payload_type in PAYLOAD_TYPES.items()
        for version in range(1, payload_type.schema_version + 1)
        if not sample(event_type, version).exists()
    ]
    assert missing == [], f"event versions without a golden sample: {missing}"


def test_samples_name_only_known_event_types():
    unknown = sorted({path.parent.name for path in sample_paths()} - set(PAYLOAD_TYPES))
    assert unknown == [], f"samples of event types shared/events.py does not declare: {unknown}"


@pytest.mark.parametrize("event_type", sorted(PAYLOAD_TYPES))
def test_the_current_version_publishes_what_its_sample_holds(event_type):
    """A field added, renamed or published differently under the same version shows here:
    update the sample, and bump `schema_version` if consumers of the old shape would fail."""
    payload_type = PAYLOAD_TYPES[event_type]
    data = json.loads(sample(event_type, payload_type.schema_version).read_text("utf-8"))["data"]
    assert payload_type.model_validate(data).model_dump(mode="json") == data
