"""Which cases ask the marketplace for the order's parcel, and what makes a parcel (pure)."""

from decimal import Decimal

import pytest

from services.intake.domain.case import CanonicalCase, Channel, Item, MarketplaceIds
from services.intake.domain.order_shipments import first_parcel, parcel_of, wants_shipment
from shared.events import Parcel, Reason, Scenario
from shared.markets import Currency, Market


def case_of(reason: Reason = Reason.OTHER, **more) -> CanonicalCase:
    return CanonicalCase(
        channel=Channel.SHOPIFY,
        seller_account="shop",
        ids=MarketplaceIds(order_id="1001"),
        market=Market.US,
        currency=Currency.USD,
        items=[Item(sku="A", unit_price=Decimal("10"))],
        marketplace_reason="OTHER",
        reason=reason,
        buyer_ref="b",
        **more,
    )


@pytest.mark.parametrize(
    ("case", "scenario", "wanted"),
    [
        (case_of(Reason.NOT_RECEIVED), None, True),
        (case_of(), Scenario.NOT_RECEIVED, True),
        (case_of(Reason.DAMAGED), Scenario.MINOR_DEFECT, False),
        (case_of(Reason.NOT_RECEIVED, parcel=Parcel(carrier="UPS", tracking_number="1Z999")), None,
         False),
        (case_of(Reason.NOT_RECEIVED, fulfilled_by_marketplace=True), None, False),
    ],
)  # fmt: skip
def test_only_a_parcel_not_received_and_not_named_is_asked_for(case, scenario, wanted):
    assert wants_shipment(case, scenario) is wanted


@pytest.mark.parametrize(
    ("carrier", "number", "parcel"),
    [
        ("UPS", "1Z999AA10123456784", Parcel(carrier="UPS", tracking_number="1Z999AA10123456784")),
        (None, " 9400111 ", Parcel(carrier="other", tracking_number="9400111")),
        ("X" * 60, "12345", Parcel(carrier="X" * 40, tracking_number="12345")),
        ("UPS", None, None),
        ("UPS", "123", None),
        ("UPS", "9" * 65, None),
    ],
)
def test_a_parcel_needs_a_usable_tracking_number(carrier, number, parcel):
    assert parcel_of(carrier, number) == parcel


def test_the_first_tracked_shipment_is_the_parcel():
    found = [("UPS", None), ("FedEx", "12"), ("DHL", "00340434161094042557"), ("UPS", "1Z1234")]
    assert first_parcel(found) == Parcel(carrier="DHL", tracking_number="00340434161094042557")
    assert first_parcel([]) is None


def test_the_marketplaces_word_for_the_parcel_is_kept_as_evidence():
    found = [("DHL", "00340434161094042557", " delivered ")]
    assert first_parcel(found) == Parcel(
        carrier="DHL", tracking_number="00340434161094042557", marketplace_status="DELIVERED"
    )
    assert parcel_of("DHL", "00340434161094042557", None).marketplace_status is None
    assert parcel_of("DHL", "00340434161094042557", "").marketplace_status is None
