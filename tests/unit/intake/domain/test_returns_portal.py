from decimal import Decimal

import pytest

from services.intake.domain.case import Address, BuyerContact
from services.intake.domain.portal_words import REASON_WORDS, WORDS
from services.intake.domain.returns_portal import (
    REASONS,
    BadForm,
    OrderLine,
    PortalOrder,
    chosen,
    open_lines,
    order_number_of,
)
from shared.markets import Currency, Market

MUG = OrderLine("1", "MUG-1", "Mug", 2, Decimal("9.50"))
LAMP = OrderLine("2", "LAMP-1", "Lamp", 1, Decimal("40"))
ORDER = PortalOrder(
    order_id="1001",
    name="#1001",
    market=Market.DE,
    currency=Currency.EUR,
    buyer_ref="c-1",
    buyer=BuyerContact(
        email="Anna.Schmidt@example.com",
        address=Address(line1="Weg 1", city="Berlin", postal_code="10115", country="DE"),
    ),
    lines=(MUG, LAMP),
)


@pytest.mark.parametrize(
    "given", ["anna.schmidt@example.com", " ANNA.SCHMIDT@EXAMPLE.COM", "10 115"]
)
def test_an_order_is_the_buyers_by_its_email_or_postcode_exactly(given):
    assert ORDER.belongs_to(given)


@pytest.mark.parametrize("given", ["", "anna.schmidt@example", "1011", "10115x", "Berlin"])
def test_anything_else_is_not_the_buyers(given):
    assert not ORDER.belongs_to(given)


def test_an_order_without_postcode_is_not_matched_by_an_empty_one():
    no_postcode = ORDER.buyer.model_copy(update={"address": None, "email": None})
    order = PortalOrder(**{**ORDER.__dict__, "buyer": no_postcode})
    assert not order.belongs_to(" ")


@pytest.mark.parametrize("typed,number", [("#1001", "1001"), (" 1001 ", "1001"), ("SO-7", "SO-7")])
def test_an_order_number_is_read_without_its_hash(typed, number):
    assert order_number_of(typed) == number


@pytest.mark.parametrize("typed", [None, "", "#", "10\x0001", "1" * 33, "١٠٠١", "a b"])
def test_an_order_number_no_order_has_is_refused(typed):
    with pytest.raises(BadForm, match="bad_number"):
        order_number_of(typed)


def test_lines_claimed_by_cases_are_not_offered_again():
    assert open_lines(ORDER, {"MUG-1": 1, "LAMP-1": 3}) == [(MUG, 1), (LAMP, 0)]


def test_a_claimed_line_is_refused_and_a_quantity_must_be_a_small_number():
    lines = open_lines(ORDER, {"LAMP-1": 1})
    assert chosen({"qty-0": "2"}, lines) == [(MUG, 2)]
    with pytest.raises(BadForm, match="already_claimed"):
        chosen({"qty-1": "1"}, lines)
    for bad in ("3", "-1", "1.5", "9" * 40, "²"):
        with pytest.raises(BadForm, match="bad_quantity"):
            chosen({"qty-0": bad}, lines)
    with pytest.raises(BadForm, match="pick_an_item"):
        chosen({}, lines)


def test_every_sentence_and_reason_is_in_five_languages():
    assert set(REASONS) <= set(REASON_WORDS)
    for words in [*WORDS.values(), *REASON_WORDS.values()]:
        assert set(words) == {"en", "de", "fr", "es", "it"} and all(words.values())
