"""An FBA refund against the units that came back (`domain/fba_refunds.py`): the table of
`verdict`, the claim's id and what it asks for."""

from datetime import UTC, datetime, timedelta

import pytest

from services.intake.domain.fba_refunds import (
    RefundState,
    claim_id_of,
    due_at,
    late_note,
    missing,
    verdict,
)

REFUNDED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DUE = due_at(REFUNDED, 45)
BEFORE = DUE - timedelta(seconds=1)
AFTER = DUE + timedelta(days=3)
WAITING, MATCHED, CLAIMED, LATE = RefundState


@pytest.mark.parametrize(
    ("state", "quantity", "units_back", "now", "expected"),
    [
        (WAITING, 1, 1, BEFORE, MATCHED),  # back within the window: nothing owed
        (WAITING, 1, 1, AFTER, MATCHED),  # back before the claim was owed: nothing missing
        (WAITING, 1, 0, REFUNDED, WAITING),  # not back, the window open
        (WAITING, 1, 0, BEFORE, WAITING),
        (WAITING, 1, 0, DUE, CLAIMED),  # the window passed: a claim owed
        (WAITING, 1, 0, AFTER, CLAIMED),
        (WAITING, 2, 1, AFTER, CLAIMED),  # one of two back: a claim for the other
        (WAITING, 2, 2, AFTER, MATCHED),
        (CLAIMED, 1, 0, AFTER, CLAIMED),
        (CLAIMED, 1, 1, AFTER, LATE),  # came back after the claim: the claim says so
        (CLAIMED, 2, 1, AFTER, CLAIMED),
        (MATCHED, 1, 0, AFTER, MATCHED),  # settled refunds stay as they are
        (LATE, 1, 1, AFTER, LATE),
    ],
)
def test_verdict(state, quantity, units_back, now, expected):
    assert verdict(state, quantity, units_back, DUE, now, now) is expected


@pytest.mark.parametrize(
    ("reported_until", "expected"),
    [
        (None, WAITING),  # nothing known of the reports: no claim yet
        (DUE - timedelta(hours=1), WAITING),  # the unit may be in a report not read yet
        (DUE, CLAIMED),
        (AFTER, CLAIMED),
    ],
)
def test_no_claim_before_the_returns_reports_are_read_past_the_due(reported_until, expected):
    assert verdict(WAITING, 1, 0, DUE, AFTER, reported_until) is expected
    assert verdict(WAITING, 1, 1, DUE, AFTER, reported_until) is MATCHED


def test_the_window_is_counted_from_the_refund():
    assert due_at(REFUNDED, 45) == datetime(2026, 4, 15, 12, 0, tzinfo=UTC)
    assert due_at(REFUNDED, 60) - due_at(REFUNDED, 45) == timedelta(days=15)


def test_a_claim_asks_for_the_units_not_back():
    assert (missing(1, 0), missing(3, 1), missing(2, 2), missing(1, 2)) == (1, 2, 0, 0)


def test_one_refund_one_claim_id():
    first = claim_id_of("A1", "113-5000001-0000001", "SKU-1", REFUNDED)
    assert first == claim_id_of("A1", "113-5000001-0000001", "SKU-1", REFUNDED)
    others = {
        claim_id_of("A2", "113-5000001-0000001", "SKU-1", REFUNDED),
        claim_id_of("A1", "113-5000001-0000002", "SKU-1", REFUNDED),
        claim_id_of("A1", "113-5000001-0000001", "SKU-2", REFUNDED),
        claim_id_of("A1", "113-5000001-0000001", "SKU-1", REFUNDED + timedelta(days=1)),
    }
    assert first not in others and len(others) == 4
    assert first.startswith("claim-")


def test_a_late_arrival_names_the_units_and_the_date():
    note = late_note(["LPN1", "LPN2"], datetime(2026, 5, 1, tzinfo=UTC))
    assert "2026-05-01" in note and "LPN1, LPN2" in note and "after the claim" in note
