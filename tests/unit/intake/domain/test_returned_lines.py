"""A return's lines of different reasons: one case per reason, keyed stably."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.intake.domain.case import CanonicalCase, Channel, Item, MarketplaceIds, Reason
from services.intake.domain.returned_lines import ReturnedLine, one_case_per_reason
from shared.markets import Currency, Market

KETTLE = Item(sku="KTL-1", title="Kettle", unit_price=Decimal("40"))
MUG = Item(sku="MUG-2", title="Mug", quantity=2, unit_price=Decimal("8"))
LAMP = Item(sku="LMP-3", title="Lamp", unit_price=Decimal("30"))

WHOLE = CanonicalCase(
    channel=Channel.WALMART,
    seller_account="seller-1",
    ids=MarketplaceIds(order_id="o-1", return_id="r-1"),
    market=Market.US,
    currency=Currency.USD,
    items=[KETTLE, MUG, LAMP],
    marketplace_reason="ignored",
    reason=Reason.OTHER,
    buyer_ref="buyer-1",
    requested_at=datetime(2026, 3, 2, tzinfo=UTC),
)


def line(line_id: str, item: Item, code: str, reason: Reason, words: str = "") -> ReturnedLine:
    return ReturnedLine(line_id, item, code, reason, words)


def test_a_return_of_one_reason_is_one_case_under_the_returns_own_key():
    lines = [line("l1", KETTLE, "DEFECTIVE", Reason.DEFECTIVE, "It leaks")]
    [(key, case)] = one_case_per_reason("evt-1", WHOLE, lines)
    assert key == "evt-1"
    assert case.items == [KETTLE]
    assert (case.marketplace_reason, case.reason, case.buyer_words) == (
        "DEFECTIVE",
        Reason.DEFECTIVE,
        "It leaks",
    )


def test_each_reason_opens_its_case_with_its_own_lines_and_words():
    lines = [
        line("l1", KETTLE, "DEFECTIVE", Reason.DEFECTIVE, "It leaks"),
        line("l2", MUG, "COLOR", Reason.STYLE),
        line("l3", LAMP, "DEFECTIVE", Reason.DEFECTIVE, "It leaks"),
    ]
    cases = one_case_per_reason("evt-1", WHOLE, lines)
    assert [key for key, _ in cases] == ["evt-1", "evt-1/l2"]
    defect, colour = (case for _, case in cases)
    assert defect.items == [KETTLE, LAMP] and defect.reason is Reason.DEFECTIVE
    assert colour.items == [MUG] and colour.reason is Reason.STYLE
    assert (colour.marketplace_reason, colour.buyer_words) == ("COLOR", "")
    for case in (defect, colour):  # what the return's lines share stays
        assert (case.ids, case.buyer_ref, case.market) == (WHOLE.ids, "buyer-1", Market.US)


def test_one_reason_in_different_words_is_classified_apart():
    lines = [
        line("l1", KETTLE, "OTHER", Reason.OTHER, "Arrived broken"),
        line("l2", MUG, "OTHER", Reason.OTHER, "I changed my mind"),
    ]
    cases = one_case_per_reason("evt-1", WHOLE, lines)
    assert [(key, case.buyer_words) for key, case in cases] == [
        ("evt-1", "Arrived broken"),
        ("evt-1/l2", "I changed my mind"),
    ]


def test_the_keys_are_the_same_at_every_redelivery():
    lines = [line("l1", KETTLE, "A", Reason.OTHER), line("l2", MUG, "B", Reason.OTHER)]
    assert one_case_per_reason("k", WHOLE, lines) == one_case_per_reason("k", WHOLE, lines)


def test_a_return_without_lines_is_not_a_case():
    with pytest.raises(ValueError, match="at least one line"):
        one_case_per_reason("k", WHOLE, [])
