"""Which of EasyPost's rates the seller's rate cards choose: the cards' ranking walked until
EasyPost rates a service, each one passed over with its reason; weights in ounces."""

from datetime import date
from decimal import Decimal

import pytest

from services.fulfillment.domain.carrier_services import (
    EASYPOST_SERVICES,
    CarrierRate,
    CarrierShipment,
    choice_of_bought,
    choose_rate,
    customs_for,
    inches,
    ounces,
)
from services.fulfillment.domain.carriers import RATE_CARDS, Quote, ShippingRefused
from shared.events import CaseItem
from shared.markets import Currency


def quote(code: str, service: str, carrier: str = "USPS") -> Quote:
    return Quote(
        carrier, service, code, "US-2", 600, Currency.USD, date(2025, 3, 3), date(2025, 3, 6), True
    )


GROUND = quote("USPS-GA", "USPS Ground Advantage")
PRIORITY = quote("USPS-PM", "USPS Priority Mail")
DHL_UK = quote("DHL-UK-48", "DHL Parcel UK 48", "DHL")


def rate(carrier: str, service: str, amount: str = "6.07") -> CarrierRate:
    return CarrierRate(f"rate_{service}", carrier, service, amount, "USD")


def shipment(*rates: CarrierRate, errors: dict[str, str] | None = None) -> CarrierShipment:
    return CarrierShipment("shp_1", "shp-task", Decimal("15.9"), rates, errors or {})


def test_the_cards_first_choice_is_bought_when_easypost_rates_it():
    offered = shipment(rate("USPS", "Priority", "9.10"), rate("USPS", "GroundAdvantage"))
    choice = choose_rate([GROUND, PRIORITY], offered)
    assert (choice.quote, choice.rate.service, choice.passed_over) == (
        GROUND,
        "GroundAdvantage",
        (),
    )


def test_a_service_easypost_does_not_rate_gives_way_to_the_next_the_cards_rank():
    offered = shipment(rate("USPS", "Priority"), errors={"USPS": "GroundAdvantage unavailable"})
    choice = choose_rate([DHL_UK, GROUND, PRIORITY], offered)
    assert choice.quote is PRIORITY
    assert choice.passed_over == (
        "DHL Parcel UK 48: EasyPost sells no such service",
        "USPS Ground Advantage: EasyPost gave no USPS GroundAdvantage rate "
        "(GroundAdvantage unavailable)",
    )


def test_names_are_compared_as_easypost_writes_them_in_any_case():
    choice = choose_rate([GROUND], shipment(rate("usps", "groundadvantage")))
    assert choice.rate.carrier == "usps"


def test_no_rate_for_any_ranked_service_is_a_shipping_refusal_with_every_reason():
    with pytest.raises(ShippingRefused, match="rated none") as refused:
        choose_rate([GROUND, PRIORITY], shipment(rate("UPS", "Ground")))
    assert "USPS Ground Advantage" in str(refused.value)
    assert "USPS Priority Mail" in str(refused.value)


def test_a_shipment_bought_already_stands_for_the_quote_of_its_service():
    bought = CarrierShipment(
        "shp_1", "shp-task", Decimal("1"), (), {}, rate("USPS", "Priority"), "9400", None
    )
    choice = choice_of_bought([GROUND, PRIORITY], bought)
    assert choice is not None and choice.quote is PRIORITY
    assert choice_of_bought([GROUND], bought) is None
    assert choice_of_bought([GROUND], shipment()) is None


@pytest.mark.parametrize(("grams", "oz"), [(450, "15.9"), (1, "0.1"), (28_350, "1000.0")])
def test_weights_go_to_easypost_in_ounces_to_a_tenth(grams, oz):
    assert ounces(grams) == Decimal(oz)


@pytest.mark.parametrize(("mm", "inch"), [(254, "10.0"), (220, "8.7"), (1, "0.1"), (0, "0.1")])
def test_sizes_go_to_easypost_in_inches_to_a_tenth_never_smaller(mm, inch):
    assert inches(mm) == Decimal(inch)


def test_rates_are_read_as_minor_units():
    assert rate("USPS", "Priority", "9.105").amount_minor == 911
    assert rate("USPS", "Priority", "12").amount_minor == 1200


def test_every_service_of_the_cards_but_dhl_parcel_uk_is_one_easypost_sells():
    codes = {service.code for service in RATE_CARDS.services}
    assert set(EASYPOST_SERVICES) == codes - {"DHL-UK-48"}


ITEMS = [CaseItem(sku="SPK-1", quantity=2, unit_price_minor=4999, category="electronics")]


@pytest.mark.parametrize(
    ("origin", "destination", "declared"),
    [
        ("CA", "US", True),
        ("US", "CA", True),
        ("US", "US", False),
        ("DE", "FR", False),
        ("GB", "DE", True),
    ],
)
def test_a_parcel_declares_its_goods_when_it_crosses_a_customs_border(
    origin, destination, declared
):
    customs = customs_for(origin, destination, ITEMS, "USD", returned_goods=False)
    assert (customs is not None) is declared
    if customs:
        (line,) = customs.lines
        assert (line.hs_code, line.quantity, line.unit_value_minor) == ("8518.22", 2, 4999)
        assert (customs.currency, customs.returned_goods) == ("USD", False)
