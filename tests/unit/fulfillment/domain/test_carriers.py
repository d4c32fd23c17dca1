"""Carrier rate cards: zones, ship and delivery dates, prices, refusals, the choice."""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from services.fulfillment.domain.carriers import (
    DEFAULT_RATE_CARDS,
    RATE_CARDS,
    Quote,
    ShippingRefused,
    cheapest_meeting,
    collected_at,
    cutoff_of,
    in_usd_minor,
    load_rate_cards,
    quotes,
    ranked,
    zone_of,
)
from services.fulfillment.domain.routing import promised_by
from services.fulfillment.domain.warehouses import WAREHOUSE_BY_CODE, WAREHOUSES
from shared.markets import Currency, Market

BOSTON = ZoneInfo("America/New_York")
RENO = ZoneInfo("America/Los_Angeles")
A_TUESDAY = datetime(2025, 3, 4, 10, 0, tzinfo=BOSTON)


def at(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone)


@pytest.mark.parametrize(
    ("code", "country", "postal_code", "zone"),
    [
        ("BOS1", Market.US, "02118", "US-2"),
        ("BOS1", Market.US, "30309", "US-4"),
        ("BOS1", Market.US, "60601", "US-6"),
        ("BOS1", Market.US, "94105", "US-8"),
        ("BOS1", Market.US, "99501", "US-9"),  # Anchorage
        ("BOS1", Market.US, None, "US-9"),  # unknown: the farthest zone
        ("RNO1", Market.US, "94105-1234", "US-2"),
        ("RNO1", Market.US, "80202", "US-2"),
        ("RNO1", Market.US, "02118", "US-8"),
        ("RNO1", Market.US, "96813", "US-9"),  # Honolulu
        ("YYZ1", Market.CA, "M5E 1E6", "CA-1"),
        ("YYZ1", Market.CA, "h3a3g4", "CA-2"),
        ("YYZ1", Market.CA, "T2P 1J9", "CA-3"),
        ("YYZ1", Market.CA, "V6B 1A1", "CA-4"),
        ("YYZ1", Market.CA, "X1A 2P7", "CA-5"),
        ("YYZ1", Market.CA, None, "CA-5"),
        ("YYZ1", Market.US, "10001", "NA-X"),
        ("BOS1", Market.CA, "M5E 1E6", "NA-X"),
        ("CVT1", Market.UK, "EH2 2AN", "UK-M"),
        ("CVT1", Market.UK, "B1 1AA", "UK-M"),
        ("CVT1", Market.UK, "IV1 1AA", "UK-HI"),
        ("CVT1", Market.UK, "HS1 2AA", "UK-HI"),
        ("CVT1", Market.UK, "BT1 5GS", "UK-HI"),
        ("CVT1", Market.UK, "ZE1 0AA", "UK-HI"),
        ("CVT1", Market.UK, "PA20 0AA", "UK-HI"),  # Bute
        ("CVT1", Market.UK, "pa200aa", "UK-HI"),
        ("CVT1", Market.UK, "PA2 0AA", "UK-M"),  # Paisley: not PA20
        ("CVT1", Market.UK, None, "UK-HI"),
        ("NUE1", Market.DE, "10117", "DE"),
        ("NUE1", Market.FR, "75004", "EU-1"),
        ("NUE1", Market.NL, "1012 AB", "EU-1"),
        ("NUE1", Market.IT, "20121", "EU-2"),
        ("NUE1", Market.ES, "28013", "EU-2"),
        ("NUE1", Market.IE, "D02 X285", "EU-2"),
    ],
)
def test_zone_by_warehouse_country_and_postcode(code, country, postal_code, zone):
    assert zone_of(WAREHOUSE_BY_CODE[code], country, postal_code) == zone


@pytest.mark.parametrize(
    ("code", "country"),
    [("CVT1", Market.US), ("NUE1", Market.UK), ("CVT1", Market.DE), ("BOS1", Market.FR)],
)
def test_no_carrier_ships_across_regions(code, country):
    with pytest.raises(ShippingRefused, match=f"no carrier ships from {code} to {country}"):
        quotes(WAREHOUSE_BY_CODE[code], country, None, 1000, A_TUESDAY)


@pytest.mark.parametrize(
    ("code", "now", "ships_on"),
    [
        ("BOS1", at(BOSTON, 2025, 3, 7, 14, 59), date(2025, 3, 7)),  # a Friday, before 15:00
        ("BOS1", at(BOSTON, 2025, 3, 7, 15, 1), date(2025, 3, 10)),  # after: Monday
        ("BOS1", at(BOSTON, 2025, 3, 8, 9, 0), date(2025, 3, 10)),  # a Saturday
        ("BOS1", at(BOSTON, 2025, 7, 3, 15, 1), date(2025, 7, 7)),  # Friday is July 4th
        ("BOS1", at(BOSTON, 2025, 7, 3, 14, 59), date(2025, 7, 3)),
        ("RNO1", at(RENO, 2025, 3, 7, 13, 59), date(2025, 3, 7)),  # Reno's own clock
        ("RNO1", at(RENO, 2025, 3, 7, 14, 1), date(2025, 3, 10)),
        ("RNO1", at(BOSTON, 2025, 3, 7, 16, 30), date(2025, 3, 7)),  # 13:30 in Reno
        ("YYZ1", at(BOSTON, 2025, 6, 30, 15, 0), date(2025, 7, 2)),  # Canada Day
        (
            "CVT1",
            at(ZoneInfo("Europe/London"), 2025, 12, 24, 16, 5),
            date(2025, 12, 29),
        ),  # Christmas
        (
            "NUE1",
            at(ZoneInfo("Europe/Berlin"), 2025, 10, 2, 15, 30),
            date(2025, 10, 6),
        ),  # Unity Day
    ],
)
def test_a_parcel_ships_today_only_before_the_warehouse_cutoff_on_a_business_day(
    code, now, ships_on
):
    warehouse = WAREHOUSE_BY_CODE[code]
    offered = quotes(warehouse, warehouse.country, None, 800, now)
    assert {q.ships_on for q in offered} == {ships_on}


@pytest.mark.parametrize(
    ("code", "carrier", "now", "collected"),
    [
        # Boston: FedEx collects at 15:30, USPS at 17:00, the warehouse's own cut-off 15:00.
        ("BOS1", "FedEx", at(BOSTON, 2025, 3, 7, 15, 29), at(BOSTON, 2025, 3, 7, 15, 30)),
        ("BOS1", "FedEx", at(BOSTON, 2025, 3, 7, 15, 30), at(BOSTON, 2025, 3, 10, 15, 30)),
        ("BOS1", "USPS", at(BOSTON, 2025, 3, 7, 15, 30), at(BOSTON, 2025, 3, 7, 17, 0)),
        ("BOS1", "", at(BOSTON, 2025, 3, 7, 15, 1), at(BOSTON, 2025, 3, 10, 15, 0)),
        ("BOS1", "Royal Mail", at(BOSTON, 2025, 3, 7, 14, 0), at(BOSTON, 2025, 3, 7, 15, 0)),
        ("BOS1", "UPS", at(BOSTON, 2025, 7, 3, 16, 31), at(BOSTON, 2025, 7, 7, 16, 30)),
        ("RNO1", "FedEx", at(BOSTON, 2025, 3, 7, 17, 0), at(RENO, 2025, 3, 7, 14, 30)),
        (
            "NUE1",
            "DHL",
            at(ZoneInfo("Europe/Berlin"), 2025, 12, 24, 17, 0),
            at(ZoneInfo("Europe/Berlin"), 2025, 12, 29, 17, 0),
        ),  # Christmas
    ],
)
def test_a_parcel_makes_its_carriers_collection_today_until_its_cutoff_else_the_next_business_day(
    code, carrier, now, collected
):
    assert collected_at(WAREHOUSE_BY_CODE[code], now, carrier) == collected


def test_every_warehouses_carrier_collects_no_earlier_than_the_warehouse_cutoff():
    """A parcel reserved before the warehouse's cut-off can still make its carrier."""
    for warehouse in WAREHOUSES:
        for carrier in warehouse.carriers:
            assert cutoff_of(warehouse, carrier) >= warehouse.cutoff, (warehouse.code, carrier)


def test_delivery_is_counted_in_the_buyers_calendar():
    # Boston ships on 25 June; UPS Standard to Canada takes 4 business days, and
    # 1 July (Canada Day) is no business day in Canada though it is in the US.
    offered = quotes(WAREHOUSE_BY_CODE["BOS1"], Market.CA, None, 800, at(BOSTON, 2025, 6, 25, 9))
    ups = next(q for q in offered if q.service_code == "UPS-STD-US-CA")
    assert (ups.ships_on, ups.delivered_by) == (date(2025, 6, 25), date(2025, 7, 2))


def test_a_quote_carries_its_service_zone_currency_and_dates():
    offered = quotes(WAREHOUSE_BY_CODE["BOS1"], Market.US, "02118", 800, A_TUESDAY)
    ground = next(q for q in offered if q.service_code == "USPS-GA")
    assert ground == Quote(
        carrier="USPS",
        service="USPS Ground Advantage",
        service_code="USPS-GA",
        zone="US-2",
        price_minor=card_price("USPS-GA", "US-2", 907),
        currency=Currency.USD,
        ships_on=date(2025, 3, 4),
        delivered_by=date(2025, 3, 6),
        collects=True,
    )


def card_price(code: str, zone: str, bracket_g: int) -> int:
    service = next(s for s in RATE_CARDS.services if s.code == code)
    return service.prices_minor[zone][service.brackets_g.index(bracket_g)]


@pytest.mark.parametrize(
    ("code", "country", "postal_code"),
    [
        ("BOS1", Market.US, "94105"),
        ("RNO1", Market.US, "02118"),
        ("YYZ1", Market.CA, "V6B 1A1"),
        ("YYZ1", Market.US, "10001"),
        ("CVT1", Market.UK, "IV1 1AA"),
        ("NUE1", Market.ES, "28013"),
    ],
)
def test_a_heavier_parcel_costs_more_on_every_service(code, country, postal_code):
    warehouse = WAREHOUSE_BY_CODE[code]
    light = {
        q.service_code: q.price_minor
        for q in quotes(warehouse, country, postal_code, 400, A_TUESDAY)
    }
    heavy = {
        q.service_code: q.price_minor
        for q in quotes(warehouse, country, postal_code, 1800, A_TUESDAY)
    }
    assert light.keys() == heavy.keys() and light
    assert all(heavy[code] > light[code] for code in light)


def test_every_card_price_rises_with_weight_and_quotes_in_the_warehouse_currency():
    for service in RATE_CARDS.services:
        for zone, row in service.prices_minor.items():
            assert list(row) == sorted(row), (service.code, zone)
    for warehouse in WAREHOUSES:
        offered = quotes(warehouse, warehouse.country, None, 1000, A_TUESDAY)
        assert {q.currency for q in offered} == {warehouse.currency}


def test_each_of_the_seven_carriers_quotes_somewhere():
    carriers = {
        q.carrier
        for warehouse in WAREHOUSES
        for q in quotes(warehouse, warehouse.country, None, 1000, A_TUESDAY)
    }
    assert carriers == {"USPS", "UPS", "FedEx", "DHL", "DPD", "Royal Mail", "Canada Post"}


@pytest.mark.parametrize(
    ("weight_g", "reason"),
    [
        (0, "weight 0 g: must be more than 0"),
        (-250, "weight -250 g: must be more than 0"),
        (70_001, "weight 70001 g: over the 70000 g"),
        (2_000_000, "weight 2000000 g: over the 70000 g"),
    ],
)
def test_absurd_weights_are_refused(weight_g, reason):
    with pytest.raises(ShippingRefused, match=reason):
        quotes(WAREHOUSE_BY_CODE["BOS1"], Market.US, "02118", weight_g, A_TUESDAY)


def test_a_parcel_too_heavy_for_every_service_says_so():
    with pytest.raises(ShippingRefused, match="no service of Royal Mail, DPD, DHL ships 40000 g"):
        quotes(WAREHOUSE_BY_CODE["CVT1"], Market.UK, "EH2 2AN", 40_000, A_TUESDAY)


@pytest.mark.parametrize(
    ("weight_g", "carriers"),
    [
        (30_000, {"USPS", "UPS", "FedEx"}),
        (40_000, {"UPS", "FedEx"}),  # USPS takes 70 lb at most
        (68_039, {"UPS", "FedEx"}),
    ],
)
def test_services_drop_out_above_their_max_weight(weight_g, carriers):
    offered = quotes(WAREHOUSE_BY_CODE["BOS1"], Market.US, "02118", weight_g, A_TUESDAY)
    assert {q.carrier for q in offered} == carriers


def test_a_dearer_faster_service_is_chosen_when_the_cheap_one_misses_the_promise():
    now = at(BOSTON, 2025, 3, 7, 16, 0)  # Friday after the cutoff: ships Monday
    offered = quotes(WAREHOUSE_BY_CODE["BOS1"], Market.US, "94105", 900, now)
    deadline = promised_by(now, Market.US, 5)
    assert deadline == date(2025, 3, 14)
    cheapest = cheapest_meeting(offered, None)
    chosen = cheapest_meeting(offered, deadline)
    assert cheapest.service_code == "USPS-GA" and cheapest.delivered_by == date(2025, 3, 17)
    assert chosen.service_code == "USPS-PM" and chosen.delivered_by == date(2025, 3, 13)
    assert chosen.price_minor > cheapest.price_minor
    assert cheapest_meeting(offered, date(2025, 3, 10)) is None


def quote(price_minor: int, currency: Currency, delivered_by: date, code: str = "X") -> Quote:
    return Quote("C", code, code, "Z", price_minor, currency, date(2025, 3, 3), delivered_by, True)


def test_ties_on_price_go_to_the_earlier_delivery():
    late = quote(1000, Currency.USD, date(2025, 3, 7), "LATE")
    early = quote(1000, Currency.USD, date(2025, 3, 5), "EARLY")
    assert cheapest_meeting([late, early], None) is early
    assert cheapest_meeting([], None) is None


@pytest.mark.parametrize(
    ("cad_minor", "winner"),
    [(1360, Currency.CAD), (1496, Currency.USD)],  # 1360 CAD = 10.00 USD; 1496 = 11.00
)
def test_quotes_in_cad_and_usd_are_compared_in_usd(cad_minor, winner):
    usd = quote(1050, Currency.USD, date(2025, 3, 7))
    cad = quote(cad_minor, Currency.CAD, date(2025, 3, 7))
    assert cheapest_meeting([usd, cad], None).currency is winner
    assert cheapest_meeting([cad, usd], None).currency is winner


@pytest.mark.parametrize(
    ("amount", "currency", "usd"),
    [
        (1000, Currency.USD, 1000),
        (1360, Currency.CAD, 1000),
        (79, Currency.GBP, 100),
        (92, Currency.EUR, 100),
        (100, Currency.CAD, 74),
    ],
)
def test_amounts_are_converted_to_us_cents_at_the_reference_rate(amount, currency, usd):
    assert in_usd_minor(amount, currency) == usd


def test_a_seller_card_file_replaces_the_default(tmp_path):
    data = json.loads(DEFAULT_RATE_CARDS.read_text(encoding="utf-8"))
    ground = next(s for s in data["carriers"]["USPS"] if s["code"] == "USPS-GA")
    ground["prices_minor"]["US-2"] = [99] * len(ground["weight_brackets_g"])
    own = tmp_path / "cards.json"
    own.write_text(json.dumps(data), encoding="utf-8")
    cards = load_rate_cards(own)
    offered = quotes(WAREHOUSE_BY_CODE["BOS1"], Market.US, "02118", 800, A_TUESDAY, cards=cards)
    assert next(q for q in offered if q.service_code == "USPS-GA").price_minor == 99


def test_a_malformed_seller_card_is_refused_with_its_name(tmp_path):
    data = json.loads(DEFAULT_RATE_CARDS.read_text(encoding="utf-8"))
    data["carriers"]["DPD"][0]["prices_minor"]["UK-M"] = [500]
    own = tmp_path / "cards.json"
    own.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="DPD DPD-ND-UK: each zone needs one price"):
        load_rate_cards(own)


def test_the_ranking_starts_with_the_cards_choice_and_keeps_every_quote():
    now = at(BOSTON, 2025, 3, 7, 16, 0)  # ships Monday; the promise is the 14th
    offered = quotes(WAREHOUSE_BY_CODE["BOS1"], Market.US, "94105", 900, now)
    order = ranked(offered, date(2025, 3, 14))
    assert order[0] == cheapest_meeting(offered, date(2025, 3, 14))
    assert sorted(order, key=id) == sorted(offered, key=id)
    meeting = [q for q in order if q.delivered_by <= date(2025, 3, 14)]
    assert order[: len(meeting)] == meeting  # the promise kept first, cheapest first
    prices = [in_usd_minor(q.price_minor, q.currency) for q in meeting]
    assert prices == sorted(prices)
    late = order[len(meeting) :]
    assert [q.delivered_by for q in late] == sorted(q.delivered_by for q in late)


def test_when_no_quote_keeps_the_promise_the_ranking_starts_with_the_fastest():
    slow = quote(500, Currency.USD, date(2025, 3, 9), "SLOW")
    fast = quote(2000, Currency.USD, date(2025, 3, 6), "FAST")
    faster = quote(2500, Currency.USD, date(2025, 3, 5), "FASTER")
    assert ranked([slow, fast, faster], date(2025, 3, 4)) == [faster, fast, slow]
    assert ranked([slow, fast, faster], None) == [slow, fast, faster]
