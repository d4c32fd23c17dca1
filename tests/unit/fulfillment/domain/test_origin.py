"""An origin consolidation's lifecycle: open, then dispatched once with its units."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from services.fulfillment.domain import origin
from services.fulfillment.domain.origin import CONSOLIDATION, ORIGIN_CARRIER, ConsolidationStatus
from shared.events import ReturnedToOrigin
from shared.lifecycle import IllegalTransition

AT = datetime(2025, 3, 4, 15, 0, tzinfo=UTC)
EXPECTED = {("open", "dispatch"): "dispatched", ("dispatched", "dispatch"): "repeat"}


@dataclass
class Consolidation:
    status: str
    consolidation_id: str = "org-BOS1-20250301120000000000"
    warehouse: str = "BOS1"


@dataclass
class Unit:
    rma_id: str
    case_id: str


UNITS = [Unit("RMA-1", "case-1"), Unit("RMA-2", "case-2")]


def test_the_table_has_every_state_and_action_of_the_expected_one():
    assert {s.value for s in ConsolidationStatus} == {state for state, _ in EXPECTED}
    assert CONSOLIDATION.actions == ("dispatch",)


@pytest.mark.parametrize(("state", "action"), list(EXPECTED))
def test_a_consolidation_is_dispatched_once(state, action):
    moved = origin.dispatch(Consolidation(state), UNITS, None, AT)
    if EXPECTED[(state, action)] == "repeat":
        assert moved.state == state and moved.repeated
        return
    assert moved.state == EXPECTED[(state, action)]
    assert [(e.case_id, e.rma_id) for e in moved.events] == [
        ("case-1", "RMA-1"),
        ("case-2", "RMA-2"),
    ]
    assert all(isinstance(e, ReturnedToOrigin) and e.at == AT for e in moved.events)
    assert moved.invoice_number == "CI-20250304-000000" and moved.carrier == ORIGIN_CARRIER
    assert {e.tracking_number for e in moved.events} == {moved.tracking_number}
    assert len(moved.tracking_number) == 20  # DHL's own format


def test_staff_may_give_the_tracking_number():
    moved = origin.dispatch(Consolidation("open"), UNITS, "JD014600006281", AT)
    assert moved.tracking_number == "JD014600006281"


def test_an_empty_consolidation_is_neither_dispatched_nor_declared():
    empty = Consolidation("open")
    with pytest.raises(IllegalTransition, match="holds no units"):
        origin.dispatch(empty, [], None, AT)
    with pytest.raises(IllegalTransition, match="holds no units"):
        origin.check_holds_units(empty, [])


def test_the_invoice_is_printed_once_dispatched():
    origin.check_invoiced(Consolidation("dispatched"))
    with pytest.raises(IllegalTransition, match="is not dispatched yet"):
        origin.check_invoiced(Consolidation("open"))
