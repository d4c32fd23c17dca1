"""What a marketplace channel is to intake: one object, registered once (`registry.py`).

A webhook is checked before it is answered: the seller account it names (`account_of`),
its signature (`verify`, with that account's secrets) and the id that makes a redelivery
one delivery (`delivery_id_of`, once the payload is known to be well formed). Each raises
the `ChannelError` to answer. After the answer, the delivery worker of the channel's
`lane` completes it: `read_missing` reads from the marketplace's API what the webhook
lacks (a Shopify order, Walmart return orders, an eBay return; absent when the webhook
says everything), and `parse` turns the webhook and what was read into `Delivery`s.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

import httpx
from fastapi import Request

from services.intake.channels.tokens import AccessTokens
from services.intake.domain.account import Account
from services.intake.domain.case import Channel, Delivery
from services.intake.domain.exchange_variants import Variant
from services.intake.domain.marketplace_side import (
    MarketplaceRefund,
    MessageOrder,
    RefundOrder,
    ReturnOrder,
)
from services.intake.settings import IntakeSettings
from shared.events import Parcel

Headers = Mapping[str, str]
Missing = TypeVar("Missing")

# The lane of the channels whose deliveries are complete as they come (no API to read).
AS_SENT = "as sent"


@dataclass(frozen=True)
class MarketplaceApis:
    """How a channel reaches its marketplace's API: intake's HTTP client (its timeout is
    MARKETPLACE_TIMEOUT_SECONDS), the settings that name each API's base URL, and the OAuth
    access tokens of the accounts."""

    http: httpx.AsyncClient
    settings: IntakeSettings
    tokens: AccessTokens = field(default_factory=AccessTokens)


AccountOf = Callable[[Headers, bytes], str]
# Raises ChannelError (401) unless genuine and fresh; the `Request` for what else is signed.
Verify = Callable[[Headers, bytes, Account, datetime, Request], None]
DeliveryIdOf = Callable[[Headers, bytes], str]
ReadMissing = Callable[[Headers, bytes, Account, MarketplaceApis], Awaitable[Missing]]
Parse = Callable[[Headers, bytes, Missing | None], list[Delivery]]
# The other way: what intake asks of the marketplace for a case (`domain/marketplace_side.py`).
# Each raises shared.outbound's Unavailable (try again later) or Refused (the marketplace's no).
PayRefund = Callable[[RefundOrder, Account, MarketplaceApis], Awaitable[MarketplaceRefund]]
# The refund an earlier try of this order made, if any: read before any retry of a try
# whose answer was lost, so that none pays twice.
FindRefund = Callable[[RefundOrder, Account, MarketplaceApis], Awaitable[MarketplaceRefund | None]]
# The seller's variants of an order's line (by the order id and the line's SKU as the case
# names them), which a buyer may take in exchange.
ExchangeVariants = Callable[[str, str, Account, MarketplaceApis], Awaitable[list[Variant]]]
ActOnReturn = Callable[[ReturnOrder, Account, MarketplaceApis], Awaitable[None]]
# A message to the buyer in the marketplace's own messaging (eBay's return conversation).
MessageBuyer = Callable[[MessageOrder, Account, MarketplaceApis], Awaitable[None]]
# The address the marketplace relays e-mail to its buyer through (Amazon's anonymised one).
BuyerRelayAddress = Callable[[str, Account, MarketplaceApis], Awaitable[str]]
# The marketplace's own message type that fits a message, when the order offers one (an
# action of Amazon's Messaging API); None: the message goes the channel's usual way.
MessageAction = Callable[[MessageOrder, Account, MarketplaceApis], Awaitable[str | None]]
# The message sent through that action; no read-back exists (`workers/outgoing_messages.py`).
SendByAction = Callable[[MessageOrder, str, Account, MarketplaceApis], Awaitable[None]]
# The buyer's language of preference as the marketplace knows it, as a language code.
BuyerLanguage = Callable[[MessageOrder, Account, MarketplaceApis], Awaitable[str | None]]
# The parcel the seller shipped the order in, as the marketplace knows it; None: none known.
OrderShipment = Callable[[str, Account, MarketplaceApis], Awaitable[Parcel | None]]
# One cheap call the account's credentials must pass (onboarding checks an account with it).
CheckAccount = Callable[[Account, MarketplaceApis], Awaitable[None]]


@dataclass(frozen=True)
class MarketplaceChannel(Generic[Missing]):
    channel: Channel  # its name: `POST /webhooks/<name>`, its accounts' and deliveries'
    summary: str  # of its webhook route
    # The delivery worker that completes and applies its deliveries: a marketplace API that
    # is slow or down delays only the channels of its own lane.
    lane: str
    account_of: AccountOf
    verify: Verify
    delivery_id_of: DeliveryIdOf
    parse: Parse[Missing]
    read_missing: ReadMissing[Missing] | None = None  # None: the webhook lacks nothing
    # One delivery opens one case, so the webhook's answer can name it.
    answers_case_id: bool = False
    # The marketplace side; None where the marketplace has no such call (or it is not built).
    pay_refund: PayRefund | None = None
    find_refund: FindRefund | None = None
    # Store credit: a gift card in the seller's shop, worth `amount_minor`, under the order's
    # `credit_code`; None where the channel's sellers cannot issue one.
    issue_store_credit: PayRefund | None = None
    find_store_credit: FindRefund | None = None
    act_on_return: ActOnReturn | None = None
    check_account: CheckAccount | None = None
    exchange_variants: ExchangeVariants | None = None
    # How its buyers are written to: in the marketplace (`message_buyer`), by e-mail to the
    # marketplace's relay address of the order's buyer (`buyer_relay_address`), or, with
    # neither, by e-mail to the buyer's own address.
    message_buyer: MessageBuyer | None = None
    buyer_relay_address: BuyerRelayAddress | None = None
    # The marketplace's own message types, tried before the relay (Amazon's Messaging API).
    message_action: MessageAction | None = None
    send_by_action: SendByAction | None = None
    buyer_language: BuyerLanguage | None = None
    # The order's shipment, for a parcel the buyer says never came (`workflows/order_shipments.py`).
    order_shipment: OrderShipment | None = None


def verified_with_secrets(
    verify: Callable[[Headers, bytes, Sequence[str], datetime], None],
) -> Verify:
    """A channel's `verify` of headers and body with the account's secrets alone."""
    return lambda headers, body, account, now, _: verify(headers, body, account.secrets, now)


def parsed_as_sent(
    parse: Callable[[Headers, bytes], list[Delivery]],
) -> Parse[Any]:
    """A channel's `parse` of a webhook that lacks nothing."""
    return lambda headers, body, _: parse(headers, body)


def first_delivery_id(
    parse: Callable[[Headers, bytes], list[Delivery]],
) -> DeliveryIdOf:
    """The id of a webhook parsed whole on arrival: parsing it is checking it."""
    return lambda headers, body: parse(headers, body)[0].delivery_id
