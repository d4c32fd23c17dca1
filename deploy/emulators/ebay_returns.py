"""The returns the eBay emulator (`ebay.py`) answers for: any return id is a plausible return
of one order line, the same every time (derived from a hash of the id), with a state that
moves as the seller acts on it and as the notifications the emulator signs say.

The resource is the Post-Order API's (GET /post-order/v2/return/{returnId},
https://developer.ebay.com/Devzone/post-order/post-order_v2_return-returnId__get.html):
`summary` (ReturnSummaryType: returnId, orderId, buyerLoginName, sellerLoginName,
currentType, state, status, creationInfo, sellerResponseDue, sellerTotalRefund,
escalationInfo) and `detail` (ReturnDetailType: itemDetail, marketplaceId, refundInfo,
responseHistory). States and statuses are ReturnStateEnum and ReturnStatusEnum values;
reasons ReturnReasonEnum with their SNAD/REMORSE type.

The returned item is one of the listings the emulated seller's inventory serves
(`listings.py`: the demo catalogue's variants, each offered on every site a return comes
from): its `itemId` is the listing id of the variant's offer on the return's site, its
title and price the listing's, so that a case opened from a return resolves to its product
in the catalog an eBay import reads.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from deploy.emulators.buyers import buyer_in
from deploy.emulators.shopify.catalogue import Listed, listed_products


@dataclass(frozen=True)
class Site:
    marketplace_id: str  # X-EBAY-C-MARKETPLACE-ID, detail.marketplaceId
    global_id: str  # a notification's ReturnGlobalId
    site_id: int  # itemDetail.listingSiteId
    currency: str
    rate: Decimal  # per US dollar, for the listing's price
    country: str


SITES: tuple[Site, ...] = (
    *(Site("EBAY_US", "EBAY-US", 0, "USD", Decimal("1"), "US"),) * 5,
    *(Site("EBAY_GB", "EBAY-GB", 3, "GBP", Decimal("0.79"), "GB"),) * 2,
    *(Site("EBAY_DE", "EBAY-DE", 77, "EUR", Decimal("0.92"), "DE"),) * 2,
    Site("EBAY_CA", "EBAY-ENCA", 2, "CAD", Decimal("1.36"), "CA"),
    Site("EBAY_FR", "EBAY-FR", 71, "EUR", Decimal("0.92"), "FR"),
    Site("EBAY_IT", "EBAY-IT", 101, "EUR", Decimal("0.92"), "IT"),
)
SITE_OF_MARKETPLACE = {site.marketplace_id: site for site in SITES}

# (ReturnReasonEnum, its type, the buyer's words)
REASONS: tuple[tuple[str, str, str], ...] = (
    ("DEFECTIVE_ITEM", "SNAD", "It stopped working after two days, it will not turn on."),
    ("ARRIVED_DAMAGED", "SNAD", "The box was crushed and the item arrived cracked."),
    ("NOT_AS_DESCRIBED", "SNAD", "The colour is completely different from the photos."),
    ("MISSING_PARTS", "SNAD", "The charger and the screws were missing from the box."),
    ("ORDERED_DIFFERENT_ITEM", "SNAD", "I received a different model than the one I ordered."),
    ("WRONG_SIZE", "REMORSE", "It is too small for my window, I need a bigger one."),
    ("NO_LONGER_NEED_ITEM", "REMORSE", "I changed my mind, I no longer need it."),
    ("FOUND_BETTER_PRICE", "REMORSE", "I found it cheaper elsewhere."),
)
# A return the emulator meets for the first time is mostly just requested.
FIRST_STATES = ("RETURN_REQUESTED",) * 7 + ("ITEM_READY_TO_SHIP", "ITEM_SHIPPED", "ITEM_DELIVERED")
STATUS_OF_STATE = {
    "RETURN_REQUESTED": "RETURN_REQUESTED",
    "RETURN_REQUEST_TIMEOUT": "RETURN_REQUESTED_TIMEOUT",
    "RMA_PENDING": "WAITING_FOR_RMA",
    "ITEM_READY_TO_SHIP": "READY_FOR_SHIPPING",
    "ITEM_SHIPPED": "ITEM_SHIPPED",
    "ITEM_DELIVERED": "ITEM_DELIVERED",
    "REFUND_TIMEOUT": "ITEM_DELIVERED",
    "LESS_THAN_A_FULL_REFUND_ISSUED": "LESS_THAN_A_FULL_REFUND_ISSUED",
    "RETURN_REJECTED": "RETURN_REJECTED",
    "CLOSED": "CLOSED",
}


def number(seed: str, label: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{label}:{seed}".encode()).digest()[:8], "big")


def digits(seed: str, label: str, count: int) -> str:
    return str(number(seed, label) % 10**count).zfill(count)


def pick(seed: str, label: str, options: tuple) -> Any:
    return options[number(seed, label) % len(options)]


def returnable() -> tuple[Listed, ...]:
    """What buyers return: each product of the catalogue in the variant orders sell."""
    return tuple(variants[0] for _, variants in listed_products())


def listing_id_of(one: Listed, marketplace_id: str) -> str:
    """The listing id of the variant's fixed-price offer on an eBay site (getOffers'
    `listing.listingId`): the same goods on the same site have the same itemId."""
    return f"{(one.variant.variant_id + len(marketplace_id) * 7919) % 10**12:012d}"


def listing_title(one: Listed) -> str:
    """The variant's title as the seller lists it on eBay (its inventory item's)."""
    return f"{one.product.title} ({one.variant.value})"


def price_of(one: Listed, rate: Decimal) -> Decimal:
    """The variant's price on a site whose currency is worth `rate` US dollars' one."""
    return (one.variant.price * rate).quantize(Decimal("0.01"))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def money(value: Decimal, currency: str) -> dict[str, Any]:
    return {"value": float(value), "currency": currency}


@dataclass
class EmulatedReturn:
    """One return: what a hash of its id says, and what happened to it since."""

    return_id: str
    created_at: datetime
    state: str
    seller: str = "emulated_seller"
    escalated: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)
    refund: dict[str, Any] | None = None  # the actual refund, once made

    @classmethod
    def first_seen(cls, return_id: str, now: datetime) -> "EmulatedReturn":
        opened = now - timedelta(hours=1 + number(return_id, "age") % 47)
        opened = opened.replace(microsecond=0)
        found = cls(return_id, opened, pick(return_id, "state", FIRST_STATES))
        found.record("BUYER", "BUYER_CREATE_RETURN", "INITIAL", "RETURN_REQUESTED", opened)
        return found

    @property
    def listed(self) -> Listed:
        return pick(self.return_id, "product", returnable())

    @property
    def listing_id(self) -> str:
        return listing_id_of(self.listed, self.site.marketplace_id)

    @property
    def site(self) -> Site:
        return pick(self.return_id, "site", SITES)

    @property
    def reason(self) -> tuple[str, str, str]:
        return pick(self.return_id, "reason", REASONS)

    @property
    def quantity(self) -> int:
        return 2 if number(self.return_id, "quantity") % 6 == 0 else 1

    @property
    def unit_price(self) -> Decimal:
        return price_of(self.listed, self.site.rate)

    @property
    def refundable(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def status(self) -> str:
        if self.escalated and self.state != "CLOSED":
            return "ESCALATED"
        return STATUS_OF_STATE.get(self.state, self.state)

    @property
    def buyer(self) -> str:
        return f"buyer_{digits(self.return_id, 'buyer', 6)}"

    def record(
        self, author: str, activity: str, from_state: str, to_state: str, at: datetime, **more
    ) -> None:
        step = {
            "author": author,
            "activity": activity,
            "fromState": from_state,
            "toState": to_state,
            "creationDate": {"value": iso(at)},
        }
        self.history.append({**step, **more})

    def move(self, author: str, activity: str, to_state: str, at: datetime, **more) -> None:
        self.record(author, activity, self.state, to_state, at, **more)
        self.state = to_state

    def summary(self) -> dict[str, Any]:
        code, kind, words = self.reason
        site, seed = self.site, self.return_id
        refund_total: dict[str, Any] = {
            "estimatedRefundAmount": money(self.refundable, site.currency)
        }
        if self.refund:
            refund_total["actualRefundAmount"] = self.refund["totalAmount"]
        summary = {
            "returnId": seed,
            "orderId": f"{digits(seed, 'o1', 2)}-{digits(seed, 'o2', 5)}-{digits(seed, 'o3', 5)}",
            "buyerLoginName": self.buyer,
            "sellerLoginName": self.seller,
            "currentType": "MONEY_BACK",
            "state": self.state,
            "status": self.status,
            "creationInfo": {
                "item": {
                    "itemId": self.listing_id,
                    "transactionId": digits(seed, "transaction", 13),
                    "returnQuantity": self.quantity,
                },
                "type": "MONEY_BACK",
                "reason": code,
                "reasonType": kind,
                "comments": {"content": words},
                "creationDate": {"value": iso(self.created_at)},
            },
            "sellerTotalRefund": refund_total,
            "buyerTotalRefund": refund_total,
        }
        if self.state in ("RETURN_REQUESTED", "ITEM_DELIVERED"):
            due = self.created_at + timedelta(days=3)
            summary["sellerResponseDue"] = {
                "activityDue": "SELLER_APPROVE_REQUEST"
                if self.state == "RETURN_REQUESTED"
                else "SELLER_ISSUE_REFUND",
                "respondByDate": {"value": iso(due.replace(hour=6, minute=59, second=59))},
            }
        if self.escalated:
            summary["escalationInfo"] = {"caseId": f"5{digits(seed, 'case', 9)}"}
        return summary

    def buyer_address(self) -> dict[str, Any]:
        """ReturnAddressType: the buyer's default shipping address, where a replacement goes."""
        buyer = buyer_in(self.site.country, self.return_id)
        address = {
            "addressLine1": buyer.line1,
            "city": buyer.city,
            "postalCode": buyer.postal_code,
            "country": buyer.country,
        }
        if buyer.region:
            address["stateOrProvince"] = buyer.region
        return {"name": buyer.name, "address": address}

    def detail(self) -> dict[str, Any]:
        site, seed = self.site, self.return_id
        detail: dict[str, Any] = {
            "itemDetail": {
                "itemId": self.listing_id,
                "transactionId": digits(seed, "transaction", 13),
                "itemTitle": listing_title(self.listed),
                "itemPrice": money(self.unit_price, site.currency),
                "returnQuantity": self.quantity,
                "listingSiteId": site.site_id,
                "transactionDate": {"value": iso(self.created_at - timedelta(days=9))},
            },
            "marketplaceId": site.marketplace_id,
            "buyerLoginName": self.buyer,
            "sellerLoginName": self.seller,
            "buyerAddress": self.buyer_address(),
            "responseHistory": list(self.history),
            "files": [],
        }
        if self.refund:
            detail["refundInfo"] = {
                "actualRefundDetail": {
                    "actualRefund": {
                        "itemizedRefundDetail": self.refund["itemizedRefundDetail"],
                        "totalAmount": self.refund["totalAmount"],
                    },
                    "refundStatus": "SUCCESS",
                    "refundIssuedDate": {"value": self.refund["issuedAt"]},
                }
            }
        return detail
