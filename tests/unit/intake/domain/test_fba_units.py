"""What Amazon's grading of a returned FBA unit calls for, and which report's word counts."""

from datetime import UTC, datetime, timedelta

import pytest

from services.intake.domain.fba_units import (
    FOLLOW_UPS,
    Outcome,
    disposition_key,
    moves_on,
    note_of,
    outcome_of,
)

RETURNED = "Unit returned to inventory"


@pytest.mark.parametrize(
    ("disposition", "status", "outcome"),
    [
        ("SELLABLE", RETURNED, Outcome.BACK_IN_STOCK),
        ("SELLABLE", "Repackaged successfully", Outcome.BACK_IN_STOCK),
        ("DEFECTIVE", RETURNED, Outcome.REMOVAL),
        ("CUSTOMER_DAMAGED", RETURNED, Outcome.REMOVAL),
        ("DISTRIBUTOR_DAMAGED", RETURNED, Outcome.REMOVAL),  # the seller sent it in damaged
        ("EXPIRED", RETURNED, Outcome.REMOVAL),
        ("Customer Damaged", RETURNED, Outcome.REMOVAL),  # as Seller Central shows it
        ("CARRIER_DAMAGED", RETURNED, Outcome.CLAIM),
        ("DAMAGED", RETURNED, Outcome.CLAIM),
        ("Warehouse Damaged", RETURNED, Outcome.CLAIM),
        ("DAMAGED", "Reimbursed", Outcome.REIMBURSED),
        ("CUSTOMER_DAMAGED", "Reimbursed", Outcome.REIMBURSED),  # paid: Amazon's now
        ("", "Pending", Outcome.PENDING),
        ("  ", "", Outcome.PENDING),
        ("SOMETHING_NEW", RETURNED, Outcome.AGENT),
    ],
)
def test_each_grading_calls_for_its_outcome(disposition, status, outcome):
    assert outcome_of(disposition, status) is outcome


def test_a_condition_code_is_read_however_the_file_spells_it():
    assert disposition_key(" customer-damaged ") == "CUSTOMER_DAMAGED"
    assert disposition_key("Carrier Damaged") == "CARRIER_DAMAGED"


def test_what_each_outcome_does_to_the_removal_order_and_the_claim():
    assert (FOLLOW_UPS[Outcome.REMOVAL].removal, FOLLOW_UPS[Outcome.REMOVAL].claim) == (
        "owe",
        "drop",
    )
    assert (FOLLOW_UPS[Outcome.CLAIM].removal, FOLLOW_UPS[Outcome.CLAIM].claim) == ("drop", "owe")
    assert FOLLOW_UPS[Outcome.REIMBURSED].claim == "settle"
    assert FOLLOW_UPS[Outcome.BACK_IN_STOCK].removal == "drop"
    # Nothing is owed or dropped before Amazon grades the unit, or before an agent decides.
    for waiting in (Outcome.PENDING, Outcome.AGENT):
        assert (FOLLOW_UPS[waiting].removal, FOLLOW_UPS[waiting].claim) == (None, None)
    assert set(FOLLOW_UPS) == set(Outcome)


def test_the_note_says_where_the_unit_is_what_amazon_found_and_what_is_owed():
    note = note_of("PHX7", "DEFECTIVE", RETURNED)
    assert "PHX7" in note and "DEFECTIVE" in note and "removal order" in note
    assert "not graded" in note_of("PHX7", "", "")
    assert "an agent decides" in note_of("PHX7", "ODD", RETURNED)


NOW = datetime(2026, 5, 1, tzinfo=UTC)


def test_the_newest_report_counts_and_an_older_or_the_same_word_changes_nothing():
    assert moves_on(None, "", "", NOW)  # the first word on the unit
    pending = ("", "", NOW)
    assert moves_on(pending, "DEFECTIVE", RETURNED, NOW + timedelta(hours=1))
    assert not moves_on(pending, "", "", NOW + timedelta(hours=1))  # said again
    graded = ("DEFECTIVE", RETURNED, NOW + timedelta(hours=1))
    assert not moves_on(graded, "", "", NOW)  # an older report, applied late
