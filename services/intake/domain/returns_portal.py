"""The returns portal of a seller's own shop, in rules: what a buyer may type, when an order
is theirs, which of its lines are still theirs to return, how often one may try. Pure: the
portal's handler (`handlers/returns_portal.py`) reads the order through the channel.

An order is the buyer's when its number and its e-mail or shipping postcode are exactly
the buyer's (case and blanks aside); a wrong number and a wrong e-mail get the same answer.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from services.intake.domain.case import BuyerContact
from shared.events import Reason
from shared.markets import Currency, Market

ORDER_NUMBER = re.compile(r"#?([A-Za-z0-9][A-Za-z0-9-]{0,31})")
LONGEST_CONTACT = 254  # an e-mail address's longest
LONGEST_WORDS = 2000
LARGEST_QUANTITY = 999
KEY = re.compile(r"[A-Za-z0-9-]{16,64}")
# The reasons a buyer picks from; "other" when none fits.
REASONS = tuple(reason.value for reason in Reason if reason is not Reason.NOT_RECEIVED)


class BadForm(ValueError):
    """What the form got wrong: the portal's sentence key."""


@dataclass(frozen=True)
class OrderLine:
    line_id: str
    sku: str
    title: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class PortalOrder:
    """An order as the channel gives it, with what the buyer must know of it."""

    order_id: str
    name: str
    market: Market
    currency: Currency
    buyer_ref: str
    buyer: BuyerContact | None
    lines: tuple[OrderLine, ...]

    def belongs_to(self, email_or_postcode: str) -> bool:
        given = folded(email_or_postcode)
        email = self.buyer.email if self.buyer else None
        address = self.buyer.address if self.buyer else None
        postcode = address.postal_code if address else ""
        return bool(given) and given in {folded(email or ""), folded(postcode)} - {""}


def folded(text: str) -> str:
    """The text as compared: no blanks anywhere, case aside."""
    return "".join(text.split()).casefold()


def order_number_of(typed: str | None) -> str:
    """The order number as typed, without its "#"; BadForm for anything no order has."""
    found = ORDER_NUMBER.fullmatch((typed or "").strip())
    if found is None:
        raise BadForm("bad_number")
    return found.group(1)


def contact_of(typed: str | None) -> str:
    text = (typed or "").strip()
    if not text or len(text) > LONGEST_CONTACT or not text.isprintable():
        raise BadForm("bad_contact")
    return text


def key_of(typed: str | None) -> str:
    """The form's idempotency key: the same form sent twice opens one case."""
    if typed is None or KEY.fullmatch(typed) is None:
        raise BadForm("bad_form")
    return typed


def open_lines(order: PortalOrder, claimed: Mapping[str, int]) -> list[tuple[OrderLine, int]]:
    """Each line with how many of it no case claims yet (cases name lines by SKU)."""
    left = dict(claimed)
    result = []
    for line in order.lines:
        taken = min(left.get(line.sku, 0), line.quantity)
        left[line.sku] = left.get(line.sku, 0) - taken
        result.append((line, line.quantity - taken))
    return result


def chosen(
    fields: Mapping[str, str], lines: list[tuple[OrderLine, int]]
) -> list[tuple[OrderLine, int]]:
    """The lines and quantities the buyer returns (`qty-<n>` for the n-th line); BadForm
    for a quantity that is not a number, more than is left, or nothing at all."""
    picked = []
    for index, (line, left) in enumerate(lines):
        typed = (fields.get(f"qty-{index}") or "0").strip()
        if not (typed.isascii() and typed.isdigit()) or len(typed) > 3:
            raise BadForm("bad_quantity")
        quantity = int(typed)
        if quantity > left:
            raise BadForm("already_claimed" if quantity <= line.quantity else "bad_quantity")
        if quantity:
            picked.append((line, quantity))
    if not picked:
        raise BadForm("pick_an_item")
    return picked


def reason_of(typed: str | None) -> str:
    if typed not in REASONS:
        raise BadForm("pick_a_reason")
    return typed


def words_of(typed: str | None) -> str:
    text = (typed or "").replace("\x00", "").strip()
    if len(text) > LONGEST_WORDS:
        raise BadForm("words_too_long")
    return text
