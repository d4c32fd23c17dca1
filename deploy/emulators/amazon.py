"""Amazon (`/amazon`, and SQS at `/sqs`): what intake's Amazon channel calls.

Shapes follow Amazon's public references (request and answer bodies, headers, errors):
- Login with Amazon, `POST /amazon/auth/o2/token` (form `grant_type=refresh_token`,
  `refresh_token`, `client_id`, `client_secret`): `{"access_token", "refresh_token",
  "token_type": "bearer", "expires_in": 3600}`; refused `{"error", "error_description"}`
  (400 invalid_request / unsupported_grant_type / invalid_grant for a refresh token
  starting "revoked", 401 invalid_client). "Connecting to the Selling Partner API".
- Every SP-API operation wants `x-amz-access-token` (403 `Unauthorized` otherwise, as
  SP-API answers an expired or revoked token) and answers `x-amzn-RateLimit-Limit` and
  `x-amzn-RequestId`; errors are `{"errors": [{"code", "message", "details"}]}`.
- Sellers API v1 `GET /sellers/v1/marketplaceParticipations`.
- Reports API 2021-06-30 (`reports_2021-06-30.json` of amzn/selling-partner-api-models):
  createReport (202 `{"reportId"}`), getReport (IN_QUEUE, then IN_PROGRESS on the first
  look, DONE with `reportDocumentId` on the second; or FATAL / CANCELLED when a test asks,
  `PUT /_emulator/amazon/reports/outcomes`), getReportDocument (`{"reportDocumentId", "url",
  "compressionAlgorithm": "GZIP"}`); the document itself at that URL, gzipped.
  The two returns reports (GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE,
  GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA) have the columns of Amazon's report pages,
  one return every six hours (on the hour, UTC), deterministic for any window: the same
  slot always gives the same return, in one of the report's marketplaces, so a report of
  several marketplaces mixes markets, currencies and buyers' languages. Some seller-
  fulfilled rows lack their price (read from the order) or are outside Amazon's policy.
- Orders API v0 getOrder / getOrderItems for any well-formed order id: the order's
  marketplace is read from its first three digits (ORDER_PREFIXES; others by hash), "AFN"
  (fulfilled by Amazon) when its middle group starts with 5, its items by hash of the id;
  getOrderAddress (a demo buyer of the order's country) and getOrderBuyerInfo (the buyer's
  anonymised relay address, `…@marketplace.amazon.<tld>`) only with a Restricted Data
  Token for its path, from the Tokens API's createRestrictedDataToken (403 otherwise).
- Messaging API v1 (`messaging.json`): getMessagingActionsForOrder (HAL: `_links.self`,
  `_links.actions` `[{"href", "name"}]`, `_embedded.actions`), GetAttributes (`{"buyer":
  {"locale"}}`, the marketplace's language unless a test sets one), and the two text
  actions intake uses, createUnexpectedProblem and createConfirmDeliveryDetails (`{"text"}`,
  1-2000 characters, no HTML or e-mail address: 400 InvalidInput otherwise; 201 `{}`),
  each with `marketplaceIds` (exactly one). Every order offers confirmDeliveryDetails,
  legalDisclosure, unexpectedProblem and warranty unless a test sets its actions
  (`PUT /_emulator/amazon/messaging/{order}` `{"actions", "locale", "refuse_with",
  "refusals"}`: its next text messages refused with 400 or 429); an action the order does
  not offer is refused (400 InvalidInput). Ledger: `/_emulator/amazon/buyer-messages`.
- Orders API v2026-01-01 getOrder (`orders_2026-01-01.json`): `{"order"}` with
  `packages` (carrier, trackingNumber...) when `includedData=PACKAGES`, for orders the
  seller fulfilled (one parcel each, tracked with the marketplace's usual carrier), its
  `packageStatus` SHIPPED unless a test sets another (`PUT /_emulator/amazon/orders/{order}/
  package-status` `{"status", "detailedStatus"}`, e.g. DELIVERED).
- Feeds API 2021-06-30 (`feeds_2021-06-30.json`) for the seller-fulfilled refunds:
  createFeedDocument (201 `{"feedDocumentId", "url"}`), the content PUT to that URL,
  createFeed (202 `{"feedId"}`), getFeed (IN_QUEUE, IN_PROGRESS, then DONE with
  `resultFeedDocumentId`), getFeeds (by type, status and creation time), getFeedDocument.
  A POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA feed (tab-separated: order-id, order-item-id,
  adjustment-reason-code, currency, item-price-adj, ...) is applied when it is done: each
  record refunds the buyer once, unless it exceeds what is left to refund of the order
  item, names another currency, or an order Amazon fulfilled (FBA: Amazon refunds); the
  processing report lists each record's error. A POST_FLAT_FILE_FBA_CREATE_REMOVAL feed
  (Seller Central's removal request columns: MerchantRemovalOrderID, RemovalDisposition,
  the Address* fields, MerchantSKU, SellableQuantity, UnsellableQuantity...) makes one
  removal order per record, even under an id used before (guarding retries is the
  caller's), unless its disposition, SKU, quantities or address are wrong or the address
  is outside the marketplace's region. A feed is processed on its second look, by getFeed
  or getFeeds (Amazon goes on processing feeds nobody asks about).
  GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA reports list the seller's removal orders
  requested in their window (order-id, order-type, order-status...).
- Finances API v0 listFinancialEventsByOrderId: the refunds applied to an order, as
  `RefundEventList`; listFinancialEvents (`PostedAfter`, `PostedBefore`,
  `MaxResultsPerPage`, paged by `NextToken`): the refunds posted in any window,
  deterministic: the seller-fulfilled refunds applied by feeds, and FBA refunds made up
  from the time alone: each FBA return of the returns report (every six hours) refunded
  twelve hours before its unit comes back (`refunded_fba_returns`), and one FBA order a day, at
  09:00 UTC, refunded whose unit never comes back (`refunded_never_returned`). Their
  marketplaces are those of the seller's latest report request (else amazon.com).
- SQS: moto's SQS server, mounted at `/sqs` (moto in server mode, inside this process):
  the sellers' SP-API notification queues. A test or the demo puts a notification on one
  with `POST /_emulator/amazon/queues/{queue name}` (the body as Amazon sends it); the
  queue is made when missing.

Failure on demand: `faults.py` by first path segment, `amazon` (every SP-API and LWA call)
or `sqs`; and an answer lost after the call took effect (`PUT /_emulator/amazon/lost-answers`
`{"seller", "operation": "createFeed", "times"}`: the feed is made, the caller gets 503;
likewise a message of createUnexpectedProblem or createConfirmDeliveryDetails).
Ledger: `/_emulator/amazon/refunds` (every refund applied, by feed),
`/_emulator/amazon/removal-orders` (every removal order made), `/_emulator/amazon/feeds`,
`/_emulator/amazon/reports`, `/_emulator/amazon/tokens`.
"""

import base64
import gzip
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs

from a2wsgi import WSGIMiddleware
from fastapi import APIRouter, FastAPI, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError

from deploy.emulators.buyers import buyer_in

router = APIRouter(tags=["Amazon SP-API"])
SETTINGS = {
    "AMAZON_SP_API_BASE_URL": "/amazon",
    "AMAZON_LWA_BASE_URL": "/amazon",
    "AMAZON_SQS_ENDPOINT_URL": "/sqs",
}

SQS_ACCOUNT = "123456789012"  # moto's default AWS account
SQS_REGION = "us-east-1"

MARKETPLACES: dict[str, dict[str, str]] = {
    "ATVPDKIKX0DER": {
        "country": "US",
        "currency": "USD",
        "language": "en_US",
        "domain": "www.amazon.com",
        "region": "na",
    },  # noqa: E501
    "A2EUQ1WTGCTBG2": {
        "country": "CA",
        "currency": "CAD",
        "language": "en_CA",
        "domain": "www.amazon.ca",
        "region": "na",
    },  # noqa: E501
    "A1F83G8C2ARO7P": {
        "country": "GB",
        "currency": "GBP",
        "language": "en_GB",
        "domain": "www.amazon.co.uk",
        "region": "eu",
    },  # noqa: E501
    "A1PA6795UKMFR9": {
        "country": "DE",
        "currency": "EUR",
        "language": "de_DE",
        "domain": "www.amazon.de",
        "region": "eu",
    },  # noqa: E501
    "A13V1IB3VIYZZH": {
        "country": "FR",
        "currency": "EUR",
        "language": "fr_FR",
        "domain": "www.amazon.fr",
        "region": "eu",
    },  # noqa: E501
    "APJ6JRA9NG5V4": {
        "country": "IT",
        "currency": "EUR",
        "language": "it_IT",
        "domain": "www.amazon.it",
        "region": "eu",
    },  # noqa: E501
    "A1RKKUPIHCS9HS": {
        "country": "ES",
        "currency": "EUR",
        "language": "es_ES",
        "domain": "www.amazon.es",
        "region": "eu",
    },  # noqa: E501
}
# Where a removal order may ship: within the marketplace's region.
COUNTRIES_OF_REGION = {
    "na": frozenset({"US", "CA", "MX"}),
    "eu": frozenset({"GB", "DE", "FR", "IT", "ES", "NL", "IE", "BE", "PL", "SE", "AT"}),
}
# The emulator's own reading of an order id's first group: which marketplace sold it.
ORDER_PREFIXES = {
    "113": "ATVPDKIKX0DER",
    "702": "A2EUQ1WTGCTBG2",
    "203": "A1F83G8C2ARO7P",
    "304": "A1PA6795UKMFR9",
    "405": "A13V1IB3VIYZZH",
    "406": "APJ6JRA9NG5V4",
    "407": "A1RKKUPIHCS9HS",
}
PREFIX_OF = {marketplace: prefix for prefix, marketplace in ORDER_PREFIXES.items()}
ORDER_ID = re.compile(r"^\d{3}-\d{7}-\d{7}$")
PRICE_FACTOR = {
    "USD": Decimal("1"),
    "CAD": Decimal("1.35"),
    "GBP": Decimal("0.8"),
    "EUR": Decimal("0.92"),
}  # noqa: E501

# What the seller sells (the demo's sample SKUs), with its US price.
CATALOG = (
    (
        "TWS-EB-A3-WHT",
        "B0C8TWSA3W",
        "Wireless Earbuds with Charging Case, Bluetooth 5.3, White",
        "29.99",
    ),  # noqa: E501
    (
        "GAN-CHG-65W-3P",
        "B0B6GAN65W",
        "65W GaN USB-C Fast Charger, 3-Port Foldable Wall Adapter",
        "35.99",
    ),  # noqa: E501
    (
        "BT-SPK-200-BLK",
        "B0BTSPK20B",
        "Portable Bluetooth Speaker 20W, IPX7 Waterproof, Black",
        "49.99",
    ),  # noqa: E501
    (
        "LED-STP-10M-RGB",
        "B09LED10MR",
        "RGB LED Strip Lights 10m with Remote and App Control",
        "19.99",
    ),  # noqa: E501
    (
        "CRT-BLK-5284-GRY",
        "B0CF6T1Y4M",
        "Blackout Curtains 2 Panels, Thermal Insulated, 52x84 inch, Grey",
        "32.99",
    ),  # noqa: E501
    ("LMP-DSK-LED-WCH", "B0DLMPWCH1", "LED Desk Lamp with Wireless Charger, Touch Dimmer", "39.99"),  # noqa: E501
    (
        "BED-MF-QN-4PC",
        "B07BEDMFQN",
        "Microfiber Bed Sheet Set 4-Piece, Queen, Deep Pocket",
        "27.99",
    ),  # noqa: E501
    ("KIT-MSC-SS12", "B08KITMS12", "Stainless Steel Mandoline Slicer with 12 Blades", "22.99"),
)
# Amazon's return reasons, and what a buyer writes with them, in the marketplace's language.
REASONS = (
    ("DEFECTIVE", {
        "en": "Stopped working after two days, it will not turn on any more.",
        "de": "Funktioniert nach zwei Tagen nicht mehr, lässt sich nicht einschalten.",
        "fr": "Ne fonctionne plus après deux jours, impossible de l'allumer.",
        "it": "Ha smesso di funzionare dopo due giorni, non si accende più.",
        "es": "Dejó de funcionar a los dos días, ya no se enciende.",
    }),
    ("NOT_AS_DESCRIBED", {
        "en": "It does not look like the photos, the colour is different.",
        "de": "Sieht nicht aus wie auf den Fotos, die Farbe ist anders.",
        "fr": "Ne ressemble pas aux photos, la couleur est différente.",
        "it": "Non somiglia alle foto, il colore è diverso.",
        "es": "No se parece a las fotos, el color es diferente.",
    }),
    ("UNWANTED_ITEM", {
        "en": "I changed my mind, I no longer need it.",
        "de": "Ich habe es mir anders überlegt, ich brauche es nicht mehr.",
        "fr": "J'ai changé d'avis, je n'en ai plus besoin.",
        "it": "Ho cambiato idea, non mi serve più.",
        "es": "He cambiado de opinión, ya no lo necesito.",
    }),
    ("DAMAGED_BY_CARRIER", {
        "en": "The box arrived crushed and the item is scratched.",
        "de": "Der Karton kam zerdrückt an und der Artikel ist zerkratzt.",
        "fr": "Le carton est arrivé écrasé et l'article est rayé.",
        "it": "La scatola è arrivata schiacciata e l'articolo è graffiato.",
        "es": "La caja llegó aplastada y el artículo está rayado.",
    }),
)  # fmt: skip
DISPOSITIONS = (
    ("SELLABLE", "Unit returned to inventory"),
    ("DEFECTIVE", "Unit returned to inventory"),
    ("CUSTOMER_DAMAGED", "Unit returned to inventory"),
    ("DAMAGED", "Reimbursed"),
    ("CARRIER_DAMAGED", "Unit returned to inventory"),
)
FULFILLMENT_CENTERS = {"na": ("PHX7", "ONT8", "YYZ4"), "eu": ("LTN1", "DTM2", "ORY1", "MXP5")}

SELLER_FULFILLED = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
FBA = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
REMOVAL_DETAIL = "GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA"
REMOVAL_DETAIL_COLUMNS = (
    "request-date", "order-id", "order-type", "service-speed", "order-status",
    "last-updated-date", "sku", "fnsku", "disposition", "requested-quantity",
    "cancelled-quantity", "disposed-quantity", "shipped-quantity", "in-process-quantity",
    "removal-fee", "currency",
)  # fmt: skip
RETURN_EVERY = timedelta(hours=6)
SELLER_FULFILLED_COLUMNS = (
    "Order ID", "Order date", "Return request date", "Return request status", "Amazon RMA ID",
    "Merchant RMA ID", "Label type", "Label cost", "Currency code", "Return carrier",
    "Tracking ID", "Label to be paid by", "A-to-Z Claim", "Is prime", "ASIN", "Merchant SKU",
    "Item Name", "Return quantity", "Return Reason", "In policy", "Return type", "Resolution",
    "Invoice number", "Return delivery date", "Order Amount", "Order quantity",
    "SafeT Action reason", "SafeT claim id", "SafeT claim state", "SafeT claim creation time",
    "SafeT claim reimbursement amount", "Refunded Amount",
)  # fmt: skip
FBA_COLUMNS = (
    "return-date", "order-id", "sku", "asin", "fnsku", "product-name", "quantity",
    "fulfillment-center-id", "detailed-disposition", "reason", "status",
    "license-plate-number", "customer-comments",
)  # fmt: skip
RATE_LIMITS = {"createReport": "0.0167", "getReport": "2.0", "getReportDocument": "0.0167",
               "getOrder": "0.5", "getOrderItems": "0.5", "getMarketplaceParticipations": "0.016",
               "createFeedDocument": "0.5", "createFeed": "0.0083", "getFeed": "2.0",
               "getFeeds": "0.0222", "getFeedDocument": "0.0222",
               "listFinancialEventsByOrderId": "0.5", "listFinancialEvents": "0.5",
               "createRestrictedDataToken": "1.0",
               "getOrderAddress": "0.5", "getOrderBuyerInfo": "0.5",
               "getMessagingActionsForOrder": "1.0", "getAttributes": "1.0",
               "createUnexpectedProblem": "1.0", "createConfirmDeliveryDetails": "1.0"}  # fmt: skip
TOKEN_LIFETIME = timedelta(hours=1)


def install(app: FastAPI, now: Callable[[], datetime]) -> None:
    app.state.amazon = Amazon(now)
    app.mount("/sqs", WSGIMiddleware(sqs_server()))


def sqs_server():
    """moto's SQS, as its server mode serves it (one per process: moto keeps its queues
    in the process)."""
    from moto.server import create_backend_app

    return create_backend_app("sqs")


def digest(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:8], "big")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------ state


@dataclass
class EmulatedReport:
    report_id: str
    seller: str
    report_type: str
    marketplace_ids: list[str]
    start: datetime
    end: datetime
    created: datetime
    outcome: str  # DONE, FATAL or CANCELLED, once processed
    looks: int = 0
    processed_after: int = 2  # looks at it before it is processed

    def resource(self) -> dict[str, Any]:
        if self.looks < self.processed_after:
            status = "IN_QUEUE" if self.looks == 0 else "IN_PROGRESS"
        else:
            status = self.outcome
        resource = {
            "reportId": self.report_id,
            "reportType": self.report_type,
            "marketplaceIds": self.marketplace_ids,
            "dataStartTime": iso(self.start),
            "dataEndTime": iso(self.end),
            "createdTime": iso(self.created),
            "processingStatus": status,
        }
        if status in ("DONE", "FATAL"):
            resource["processingEndTime"] = iso(self.created + timedelta(seconds=30))
            resource["reportDocumentId"] = f"amzn1.spdoc.1.4.na.{self.report_id}"
        return resource


@dataclass
class Amazon:
    """What the emulated Amazon was asked and made, until the process stops."""

    now: Callable[[], datetime]
    tokens: dict[str, tuple[str, datetime]] = field(default_factory=dict)  # token: seller, end
    issued: int = 0
    reports: dict[str, EmulatedReport] = field(default_factory=dict)
    documents: dict[str, tuple[bytes, bool]] = field(default_factory=dict)  # content, gzipped
    # How the next reports end, then DONE: a seller's own (key: its id), else anyone's (key "").
    outcomes: dict[str, list[str]] = field(default_factory=dict)
    processed_after: int = 2  # looks each new report takes to be processed
    feeds: "Feeds" = field(default_factory=lambda: Feeds())
    # Restricted Data Tokens: token: seller, the paths it opens, end
    restricted: dict[str, tuple[str, frozenset[str], datetime]] = field(default_factory=dict)
    # (seller, operation): how many of its next answers are lost after the call took effect.
    lost_answers: dict[tuple[str, str], int] = field(default_factory=dict)
    # The marketplaces of each seller's latest report request (its FBA refunds' too).
    marketplaces: dict[str, list[str]] = field(default_factory=dict)
    # Buyer-Seller Messaging: each order's actions and buyer locale when a test set them
    # (`PUT /_emulator/amazon/messaging/{order}`), and every message made through an action.
    messaging: dict[str, "OrderMessaging"] = field(default_factory=dict)
    # An order's package status as a test set it (getOrder v2026-01-01); SHIPPED otherwise.
    package_status: dict[str, "PackageStatus"] = field(default_factory=dict)
    buyer_messages: list[dict[str, Any]] = field(default_factory=list)

    def answer_lost(self, seller: str, operation: str) -> bool:
        left = self.lost_answers.get((seller, operation), 0)
        if left <= 0:
            return False
        self.lost_answers[(seller, operation)] = left - 1
        return True

    def look_at(self, feed: "EmulatedFeed") -> None:
        """A look at a feed (getFeed, getFeeds): the second one finds it processed."""
        feed.looks += 1
        if feed.looks >= 2 and feed.result_document_id is None:  # processed now, once
            report = self.feeds.apply(feed, self.now())
            feed.result_document_id = f"amzn1.tortuga.4.na.result.{feed.feed_id}"
            self.documents[feed.result_document_id] = (report.encode(), False)

    def issue(self, refresh_token: str) -> str:
        self.issued += 1
        seller = refresh_token.split("|")[-1] if "|" in refresh_token else refresh_token
        token = f"Atza|emulated-{digest(refresh_token, self.issued):016x}"
        self.tokens[token] = (seller, self.now() + TOKEN_LIFETIME)
        return token

    def seller_of(self, token: str | None) -> str | None:
        seller, until = self.tokens.get(token or "", (None, None))
        return seller if until is not None and until > self.now() else None

    def issue_restricted(self, seller: str, paths: frozenset[str]) -> str:
        self.issued += 1
        token = f"Atz.sprdt|emulated-{digest(seller, sorted(paths), self.issued):016x}"
        self.restricted[token] = (seller, paths, self.now() + TOKEN_LIFETIME)
        return token

    def restricted_seller(self, token: str | None, path: str) -> str | None:
        seller, paths, until = self.restricted.get(token or "", (None, frozenset(), None))
        return seller if until is not None and until > self.now() and path in paths else None

    def new_report(self, seller: str, spec: "ReportSpec") -> EmulatedReport:
        report_id = str(50_000_000_000 + len(self.reports) + 1)
        self.marketplaces[seller] = list(spec.marketplaceIds)
        queue = self.outcomes.get(seller) or self.outcomes.get("", [])
        outcome = queue.pop(0) if queue else "DONE"
        report = EmulatedReport(
            report_id, seller, spec.reportType, spec.marketplaceIds, spec.dataStartTime,
            spec.dataEndTime, self.now(), outcome, processed_after=self.processed_after,
        )  # fmt: skip
        self.reports[report_id] = report
        document_id = f"amzn1.spdoc.1.4.na.{report_id}"
        if outcome == "DONE":
            content = (
                removal_detail(self.feeds.removals, report)
                if report.report_type == REMOVAL_DETAIL
                else report_content(seller, report)
            )
            self.documents[document_id] = (gzip.compress(content), True)
        elif outcome == "FATAL":
            error = {"errorDetails": "Report processing failed: an internal error occurred."}
            self.documents[document_id] = (json.dumps(error).encode(), False)
        return report


# ------------------------------------------------------------------ errors and auth


def sp_error(status: int, code: str, message: str, details: str = "", **headers) -> JSONResponse:
    body = {"errors": [{"code": code, "message": message, "details": details}]}
    return JSONResponse(body, status, headers={"x-amzn-RequestId": request_id(), **headers})


def request_id() -> str:
    return f"{digest(datetime.now(UTC).timestamp()):016x}"


def answer(body: Any, operation: str, status: int = 200) -> JSONResponse:
    return JSONResponse(
        body,
        status,
        headers={
            "x-amzn-RateLimit-Limit": RATE_LIMITS[operation],
            "x-amzn-RequestId": request_id(),
        },
    )


def authorised(request: Request, token: str | None) -> str | JSONResponse:
    """The seller the token was issued for, or SP-API's 403."""
    seller = request.app.state.amazon.seller_of(token)
    if seller is None:
        return sp_error(
            403,
            "Unauthorized",
            "Access to requested resource is denied.",
            "The access token you provided is revoked, malformed or invalid.",
        )
    return seller


AccessToken = Annotated[str | None, Header(alias="x-amz-access-token")]


# ------------------------------------------------------------------ Login with Amazon


@router.post("/amazon/auth/o2/token", summary="Login with Amazon: an access token")
async def lwa_token(request: Request) -> JSONResponse:
    """The form is read by hand (application/x-www-form-urlencoded, as LWA takes it)."""
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
    refresh_token = form.get("refresh_token")
    client_id = form.get("client_id", "")
    if form.get("grant_type") != "refresh_token":
        return lwa_error(400, "unsupported_grant_type", "The grant type is not supported.")
    if not (refresh_token and client_id and form.get("client_secret")):
        return lwa_error(400, "invalid_request", "A required parameter is missing.")
    if not client_id.startswith("amzn1.application-oa2-client."):
        return lwa_error(401, "invalid_client", "Client authentication failed")
    if refresh_token.startswith("revoked"):
        return lwa_error(
            400, "invalid_grant", "The request has an invalid grant parameter : refresh_token"
        )
    token = request.app.state.amazon.issue(refresh_token)
    return JSONResponse(
        {
            "access_token": token,
            "refresh_token": refresh_token,
            "token_type": "bearer",
            "expires_in": int(TOKEN_LIFETIME.total_seconds()),
        }
    )


def lwa_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error_description": description, "error": error}, status)


# ------------------------------------------------------------------ Sellers API


@router.get("/amazon/sellers/v1/marketplaceParticipations")
async def marketplace_participations(request: Request, token: AccessToken = None) -> JSONResponse:
    seller = authorised(request, token)
    if isinstance(seller, JSONResponse):
        return seller
    payload = [
        {
            "marketplace": {
                "id": marketplace,
                "name": facts["domain"].removeprefix("www.").capitalize(),
                "countryCode": facts["country"],
                "defaultCurrencyCode": facts["currency"],
                "defaultLanguageCode": facts["language"],
                "domainName": facts["domain"],
            },
            "participation": {"isParticipating": True, "hasSuspendedListings": False},
            "storeName": f"Store of {seller}",
        }
        for marketplace, facts in MARKETPLACES.items()
    ]
    return answer({"payload": payload}, "getMarketplaceParticipations")


# ------------------------------------------------------------------ Reports API


class ReportSpec(BaseModel):
    reportType: str = Field(min_length=1)
    marketplaceIds: list[str] = Field(min_length=1, max_length=25)
    dataStartTime: datetime
    dataEndTime: datetime


@router.post("/amazon/reports/2021-06-30/reports")
async def create_report(request: Request, token: AccessToken = None) -> JSONResponse:
    seller = authorised(request, token)
    if isinstance(seller, JSONResponse):
        return seller
    try:
        spec = ReportSpec.model_validate_json(await request.body())
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        return sp_error(400, "InvalidInput", f"{where}: {first['msg']}")
    unknown = [m for m in spec.marketplaceIds if m not in MARKETPLACES]
    if unknown:
        return sp_error(400, "InvalidInput", f"Invalid marketplaceIds: {', '.join(unknown)}")
    if spec.reportType not in (SELLER_FULFILLED, FBA, REMOVAL_DETAIL):
        return sp_error(400, "InvalidInput", f"Invalid reportType {spec.reportType}")
    if spec.dataStartTime.tzinfo is None or spec.dataEndTime.tzinfo is None:
        return sp_error(400, "InvalidInput", "dataStartTime and dataEndTime need a time zone")
    if spec.dataStartTime >= spec.dataEndTime:
        return sp_error(400, "InvalidInput", "dataStartTime must be before dataEndTime")
    report = request.app.state.amazon.new_report(seller, spec)
    return answer({"reportId": report.report_id}, "createReport", 202)


@router.get("/amazon/reports/2021-06-30/reports/{report_id}")
async def get_report(report_id: str, request: Request, token: AccessToken = None) -> JSONResponse:
    seller = authorised(request, token)
    if isinstance(seller, JSONResponse):
        return seller
    report = request.app.state.amazon.reports.get(report_id)
    if report is None or report.seller != seller:
        return sp_error(404, "NotFound", f"Report {report_id} not found")
    resource = report.resource()
    report.looks += 1
    return answer(resource, "getReport")


@router.get("/amazon/reports/2021-06-30/documents/{document_id}")
async def get_report_document(
    document_id: str, request: Request, token: AccessToken = None
) -> JSONResponse:
    seller = authorised(request, token)
    if isinstance(seller, JSONResponse):
        return seller
    known = request.app.state.amazon.documents.get(document_id)
    if known is None:
        return sp_error(404, "NotFound", f"Report document {document_id} not found")
    document = {"reportDocumentId": document_id, "url": document_url(request, document_id)}
    if known[1]:
        document["compressionAlgorithm"] = "GZIP"
    return answer(document, "getReportDocument")


def document_url(request: Request, document_id: str) -> str:
    """The presigned download link, as S3 would give it (no SP-API token wanted)."""
    return f"{str(request.base_url).rstrip('/')}/amazon/_documents/{document_id}?X-Amz-Expires=300"


@router.get("/amazon/_documents/{document_id}", summary="A document, at its presigned URL")
async def download_document(document_id: str, request: Request) -> Response:
    known = request.app.state.amazon.documents.get(document_id)
    if known is None:
        return Response("<Error><Code>NoSuchKey</Code></Error>", 404, media_type="application/xml")
    return Response(known[0], media_type="application/octet-stream")


class ReportOutcomes(BaseModel):
    outcomes: list[Literal["DONE", "FATAL", "CANCELLED"]] = Field(default=[], max_length=100)
    processed_after: int = Field(default=2, ge=1, le=10_000)
    seller: str = Field(default="", max_length=64)  # only this seller's reports; "" any


@router.put("/_emulator/amazon/reports/outcomes", status_code=204, tags=["emulator"])
async def set_report_outcomes(outcomes: ReportOutcomes, request: Request) -> None:
    """How the next reports end ("DONE", "FATAL", "CANCELLED"), in order, DONE after; and
    how many looks each new report takes to be processed (slow reports). With `seller`, only
    that seller's reports end so, and other sellers' polls cannot take them."""
    amazon = request.app.state.amazon
    amazon.outcomes[outcomes.seller] = list(outcomes.outcomes)
    amazon.processed_after = outcomes.processed_after


@router.get("/_emulator/amazon/reports", tags=["emulator"])
async def reports_made(request: Request) -> dict:
    return {"reports": [report.resource() for report in request.app.state.amazon.reports.values()]}


@router.get("/_emulator/amazon/tokens", tags=["emulator"])
async def tokens_issued(request: Request) -> dict:
    return {"issued": request.app.state.amazon.issued}


@router.delete("/_emulator/amazon/tokens", status_code=204, tags=["emulator"])
async def revoke_tokens(request: Request) -> None:
    """Every access token issued so far stops working (as a rotated app secret does)."""
    request.app.state.amazon.tokens.clear()


# ------------------------------------------------------------------ the reports' rows


def slots(start: datetime, end: datetime, offset: timedelta) -> list[datetime]:
    """The return times in [start, end]: every RETURN_EVERY, shifted by `offset`."""
    epoch = datetime(2020, 1, 1, tzinfo=UTC)
    first = epoch + offset + RETURN_EVERY * -(-(start - epoch - offset) // RETURN_EVERY)
    moments = []
    while first <= end:
        moments.append(first)
        first += RETURN_EVERY
    return moments


@dataclass(frozen=True)
class Slot:
    """One return of a report: everything about it follows from the seller and its time."""

    seller: str
    kind: str
    at: datetime
    marketplace: str

    @property
    def seed(self) -> int:
        return digest(self.seller, self.kind, self.at.isoformat())

    @property
    def order_id(self) -> str:
        middle = f"{5 if self.kind == FBA else 1}{self.seed % 10**6:06d}"
        return f"{PREFIX_OF[self.marketplace]}-{middle}-{(self.seed // 10**6) % 10**7:07d}"


def report_content(seller: str, report: EmulatedReport) -> bytes:
    fba = report.report_type == FBA
    moments = slots(report.start, report.end, timedelta(hours=3 if fba else 0))
    rows = []
    for at in moments:
        marketplace = report.marketplace_ids[
            digest(seller, at.isoformat()) % len(report.marketplace_ids)
        ]
        slot = Slot(seller, report.report_type, at, marketplace)
        rows += fba_rows(slot) if fba else seller_fulfilled_rows(slot)
    columns = FBA_COLUMNS if fba else SELLER_FULFILLED_COLUMNS
    lines = ["\t".join(columns), *("\t".join(row) for row in rows)]
    return ("\n".join(lines) + "\n").encode()


def removal_detail(removals: list[dict[str, Any]], report: EmulatedReport) -> bytes:
    """The seller's removal orders requested in the report's window, one row per order and
    SKU, as the removal order detail report has them (each still in process)."""
    rows = []
    for order in removals:
        requested = datetime.fromisoformat(order["requested"])
        if order["seller"] != report.seller or not report.start <= requested <= report.end:
            continue
        quantity = order["sellable_quantity"] + order["unsellable_quantity"]
        disposition = "Unsellable" if order["unsellable_quantity"] else "Sellable"
        currency = MARKETPLACES[order["marketplace_id"]]["currency"]
        rows.append(
            (order["requested"], order["order_id"], order["order_type"], "Standard", "Pending",
             order["requested"], order["sku"], "", disposition, str(quantity), "0", "0", "0",
             str(quantity), "", currency)
        )  # fmt: skip
    lines = ["\t".join(REMOVAL_DETAIL_COLUMNS), *("\t".join(row) for row in rows)]
    return ("\n".join(lines) + "\n").encode()


def seller_fulfilled_rows(slot: Slot) -> list[list[str]]:
    facts = MARKETPLACES[slot.marketplace]
    items = order_items(slot.order_id)
    reason, _ = REASONS[slot.seed % len(REASONS)]
    rma = f"D{slot.seed % 16**8:08X}RRMA"
    outside_policy = slot.seed % 7 == 3
    price_missing = slot.seed % 5 == 1
    # Some buyers asked Amazon to step in (A-to-Z Claim = Y); on some returns the seller
    # filed a SAFE-T claim, listed in the trailing SafeT columns.
    a_to_z = slot.seed % 11 == 4
    safe_t = slot.seed % 13 == 6
    rows = []
    for item in items[: 1 + slot.seed % 2]:
        amount = "" if price_missing else str(item["price"] * item["quantity"])
        row = [
            slot.order_id, (slot.at - timedelta(days=6)).strftime("%d-%b-%Y"),
            slot.at.strftime("%d-%b-%Y"), "Approved", rma, "", "AmazonPrePaidLabel", "4.14",
            facts["currency"], "UPS", f"1Z999AA1{slot.seed % 10**10:010d}", "Seller",
            "Y" if a_to_z else "N", "N", item["asin"], item["sku"], item["title"], "1",
            f"CR-{reason}", "N" if outside_policy else "Y", "C-Returns", "StandardRefund", "",
            "", amount, str(item["quantity"]),
        ]  # fmt: skip
        if safe_t:
            row += [
                "Buyer returned a damaged item", f"SAFET{slot.seed % 10**8:08d}", "Pending",
                slot.at.strftime("%d-%b-%Y"), "", "",
            ]  # fmt: skip
        rows.append(row)
    return rows


def fba_rows(slot: Slot) -> list[list[str]]:
    facts = MARKETPLACES[slot.marketplace]
    item = order_items(slot.order_id)[0]
    reason, words = REASONS[slot.seed % len(REASONS)]
    disposition, status = DISPOSITIONS[(slot.seed // 7) % len(DISPOSITIONS)]
    centers = FULFILLMENT_CENTERS[facts["region"]]
    comment = words[facts["language"][:2]] if slot.seed % 3 else ""
    return [
        [
            iso(slot.at).replace("Z", "+00:00"), slot.order_id, item["sku"], item["asin"],
            f"X00{slot.seed % 10**7:07d}", item["title"], "1", centers[slot.seed % len(centers)],
            disposition, reason, status, f"LPNRR{slot.seed % 10**9:09d}", comment,
        ]
    ]  # fmt: skip


# ------------------------------------------------------------------ Orders API


def marketplace_of_order(order_id: str) -> str:
    prefix = order_id[:3]
    if prefix in ORDER_PREFIXES:
        return ORDER_PREFIXES[prefix]
    return sorted(MARKETPLACES)[digest(order_id) % len(MARKETPLACES)]


def order_items(order_id: str) -> list[dict[str, Any]]:
    """The order's items: one or two of the catalogue, by hash of the id."""
    currency = MARKETPLACES[marketplace_of_order(order_id)]["currency"]
    seed = digest("items", order_id)
    picked = [CATALOG[seed % len(CATALOG)]]
    if seed % 4 == 0:
        picked.append(CATALOG[(seed // 8) % len(CATALOG)])
    items = []
    for index, (sku, asin, title, us_price) in enumerate(dict.fromkeys(picked)):
        price = (Decimal(us_price) * PRICE_FACTOR[currency]).quantize(Decimal("1")) - Decimal(
            "0.01"
        )
        items.append(
            {
                "sku": sku,
                "asin": asin,
                "title": title,
                "quantity": 1 + (seed // 16 + index) % 2,
                "price": price,
                "currency": currency,
                "order_item_id": f"{digest('item', order_id, sku) % 10**14:014d}",
            }
        )
    return items


def order_of(order_id: str) -> dict[str, Any]:
    marketplace = marketplace_of_order(order_id)
    items = order_items(order_id)
    currency = MARKETPLACES[marketplace]["currency"]
    total = sum(item["price"] * item["quantity"] for item in items)
    purchased = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=digest(order_id) % 400_000)
    fulfilled_by_amazon = order_id[4] == "5"
    return {
        "AmazonOrderId": order_id,
        "PurchaseDate": iso(purchased),
        "LastUpdateDate": iso(purchased + timedelta(days=3)),
        "OrderStatus": "Shipped",
        "FulfillmentChannel": "AFN" if fulfilled_by_amazon else "MFN",
        "SalesChannel": f"Amazon.{MARKETPLACES[marketplace]['domain'].split('amazon.')[-1]}",
        "OrderTotal": {"CurrencyCode": currency, "Amount": str(total)},
        "NumberOfItemsShipped": sum(item["quantity"] for item in items),
        "NumberOfItemsUnshipped": 0,
        "MarketplaceId": marketplace,
        "OrderType": "StandardOrder",
        "IsPrime": digest("prime", order_id) % 2 == 0,
    }


@router.get("/amazon/orders/v0/orders/{order_id}")
async def get_order(order_id: str, request: Request, token: AccessToken = None) -> JSONResponse:
    seller = authorised(request, token)
    if isinstance(seller, JSONResponse):
        return seller
    if not ORDER_ID.match(order_id):
        return sp_error(400, "InvalidInput", f"Invalid Input: {order_id} is not an order id")
    return answer({"payload": order_of(order_id)}, "getOrder")


PACKAGE_CARRIERS = {"US": "USPS", "CA": "Canada Post", "GB": "Royal Mail", "DE": "DHL",
                    "FR": "Colissimo", "IT": "Poste Italiane", "ES": "Correos"}  # fmt: skip


@router.get("/amazon/orders/2026-01-01/orders/{order_id}")
async def get_order_2026(
    order_id: str,
    request: Request,
    token: AccessToken = None,
    included: Annotated[list[str] | None, Query(alias="includedData")] = None,
) -> JSONResponse:
    """Orders API v2026-01-01 getOrder: the order, with its packages when asked
    (`includedData=PACKAGES`); an order Amazon fulfilled has none (FBM only)."""
    seller = authorised(request, token)
    if isinstance(seller, JSONResponse):
        return seller
    if not ORDER_ID.match(order_id):
        return sp_error(400, "InvalidInput", f"Invalid Input: {order_id} is not an order id")
    old = order_of(order_id)
    order: dict[str, Any] = {
        "orderId": order_id,
        "createdTime": old["PurchaseDate"],
        "lastUpdatedTime": old["LastUpdateDate"],
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": old["MarketplaceId"]},
        "orderItems": [
            {"orderItemId": item["order_item_id"], "quantityOrdered": item["quantity"]}
            for item in order_items(order_id)
        ],
    }
    if "PACKAGES" in (included or []) and old["FulfillmentChannel"] == "MFN":
        status = request.app.state.amazon.package_status.get(order_id, PackageStatus())
        country = MARKETPLACES[old["MarketplaceId"]]["country"]
        number = f"{digest('package', order_id) % 10**20:020d}"
        shipped = datetime.fromisoformat(old["PurchaseDate"].replace("Z", "+00:00"))
        order["packages"] = [
            {
                "packageReferenceId": "1",
                "createdTime": old["PurchaseDate"],
                "packageStatus": status.model_dump(exclude_none=True),
                "carrier": PACKAGE_CARRIERS.get(country, "UPS"),
                "shipTime": iso(shipped + timedelta(days=1)),
                "shippingService": "Standard",
                "trackingNumber": number,
            }
        ]
    return answer({"order": order}, "getOrder")


class PackageStatus(BaseModel):
    """Orders API v2026-01-01 PackageStatus: `status` (e.g. SHIPPED, IN_TRANSIT, DELIVERED)
    and an optional `detailedStatus`."""

    status: str = Field(default="SHIPPED", min_length=1, max_length=40)
    detailedStatus: str | None = Field(default=None, max_length=80)


@router.put(
    "/_emulator/amazon/orders/{order_id}/package-status", status_code=204, tags=["emulator"]
)
async def set_package_status(order_id: str, status: PackageStatus, request: Request) -> None:
    """The status getOrder gives the order's package from now on."""
    request.app.state.amazon.package_status[order_id] = status


@router.get("/amazon/orders/v0/orders/{order_id}/orderItems")
async def get_order_items(
    order_id: str, request: Request, token: AccessToken = None
) -> JSONResponse:
    seller = authorised(request, token)
    if isinstance(seller, JSONResponse):
        return seller
    if not ORDER_ID.match(order_id):
        return sp_error(400, "InvalidInput", f"Invalid Input: {order_id} is not an order id")
    items = [
        {
            "ASIN": item["asin"],
            "SellerSKU": item["sku"],
            "OrderItemId": item["order_item_id"],
            "Title": item["title"],
            "QuantityOrdered": item["quantity"],
            "QuantityShipped": item["quantity"],
            "ItemPrice": {
                "CurrencyCode": item["currency"],
                "Amount": str(item["price"] * item["quantity"]),
            },
        }
        for item in order_items(order_id)
    ]
    payload = {"AmazonOrderId": order_id, "OrderItems": items}
    return answer({"payload": payload}, "getOrderItems")


class RestrictedResource(BaseModel):
    method: Literal["GET", "PUT", "POST", "DELETE"]
    path: str = Field(min_length=1)
    dataElements: list[str] | None = None


class RestrictedDataTokenRequest(BaseModel):
    restrictedResources: list[RestrictedResource] = Field(min_length=1, max_length=50)
    targetApplication: str | None = None


@router.post("/amazon/tokens/2021-03-01/restrictedDataToken")
async def create_restricted_data_token(request: Request, token: AccessToken = None) -> JSONResponse:
    """Tokens API: an RDT for the GET paths named (the restricted operations emulated are
    getOrderAddress and getOrderBuyerInfo)."""
    seller = authorised(request, token)
    if isinstance(seller, JSONResponse):
        return seller
    try:
        asked = RestrictedDataTokenRequest.model_validate_json(await request.body())
    except ValidationError as error:
        return invalid(error)
    paths = frozenset(r.path for r in asked.restrictedResources if r.method == "GET")
    rdt = request.app.state.amazon.issue_restricted(seller, paths)
    expires = int(TOKEN_LIFETIME.total_seconds())
    return answer({"restrictedDataToken": rdt, "expiresIn": expires}, "createRestrictedDataToken")


@router.get("/amazon/orders/v0/orders/{order_id}/buyerInfo")
async def get_order_buyer_info(
    order_id: str, request: Request, token: AccessToken = None
) -> JSONResponse:
    """Restricted, like the address: the buyer's anonymised relay address (Buyer-Seller
    Messaging) at the order's marketplace, `<16 letters>@marketplace.amazon.<tld>`."""
    path = f"/orders/v0/orders/{order_id}/buyerInfo"
    if request.app.state.amazon.restricted_seller(token, path) is None:
        return sp_error(
            403,
            "Unauthorized",
            "Access to requested resource is denied.",
            "A Restricted Data Token for this resource is required.",
        )
    if not ORDER_ID.match(order_id):
        return sp_error(400, "InvalidInput", f"Invalid Input: {order_id} is not an order id")
    return answer({"payload": buyer_info(order_id)}, "getOrderBuyerInfo")


def buyer_info(order_id: str) -> dict[str, Any]:
    facts = MARKETPLACES[marketplace_of_order(order_id)]
    tld = facts["domain"].split("amazon.")[-1]
    letters = "".join(
        "abcdefghijklmnopqrstuvwxyz0123456789"[digest("relay", order_id, i) % 36] for i in range(16)
    )
    buyer = buyer_in(facts["country"], order_id)
    return {
        "AmazonOrderId": order_id,
        "BuyerEmail": f"{letters}@marketplace.amazon.{tld}",
        "BuyerName": buyer.name,
    }


@router.get("/amazon/orders/v0/orders/{order_id}/address")
async def get_order_address(
    order_id: str, request: Request, token: AccessToken = None
) -> JSONResponse:
    """Restricted: only a Restricted Data Token for this very path opens it."""
    path = f"/orders/v0/orders/{order_id}/address"
    if request.app.state.amazon.restricted_seller(token, path) is None:
        return sp_error(
            403,
            "Unauthorized",
            "Access to requested resource is denied.",
            "A Restricted Data Token for this resource is required.",
        )
    if not ORDER_ID.match(order_id):
        return sp_error(400, "InvalidInput", f"Invalid Input: {order_id} is not an order id")
    country = MARKETPLACES[marketplace_of_order(order_id)]["country"]
    buyer = buyer_in(country, order_id)
    address = {
        "Name": buyer.name,
        "AddressLine1": buyer.line1,
        "City": buyer.city,
        "PostalCode": buyer.postal_code,
        "CountryCode": buyer.country,
        "Phone": f"+1 555 {digest('phone', order_id) % 10**7:07d}",
    }
    if buyer.region:
        address["StateOrRegion"] = buyer.region
    payload = {"AmazonOrderId": order_id, "ShippingAddress": address}
    return answer({"payload": payload}, "getOrderAddress")


# ------------------------------------------------------------------ SQS notifications


@router.post("/_emulator/amazon/queues/{queue_name}", status_code=201, tags=["emulator"])
async def put_on_queue(queue_name: str, request: Request) -> dict:
    """Put a notification on an SQS queue (made when missing), as Amazon does."""
    from moto.sqs.models import sqs_backends

    body = (await request.body()).decode()
    backend = sqs_backends[SQS_ACCOUNT][SQS_REGION]
    if queue_name not in backend.queues:
        backend.create_queue(queue_name)
    message = backend.send_message(queue_name, body)
    return {"MessageId": message.id, "QueueName": queue_name}


@router.get("/_emulator/amazon/queues/{queue_name}", tags=["emulator"])
async def queue_depth(queue_name: str) -> dict:
    """How many messages the queue holds (visible or in flight)."""
    from moto.sqs.models import sqs_backends

    queue = sqs_backends[SQS_ACCOUNT][SQS_REGION].queues.get(queue_name)
    if queue is None:
        return {"QueueName": queue_name, "messages": 0}
    return {"QueueName": queue_name, "messages": len(queue._messages)}


# ------------------------------------------------------------------ Feeds and Finances


PAYMENT_ADJUSTMENT = "POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA"
REMOVAL = "POST_FLAT_FILE_FBA_CREATE_REMOVAL"
FEED_TYPES = (PAYMENT_ADJUSTMENT, REMOVAL)
# The processing report's columns after the record number, by feed type.
RECORD_KEYS = {
    PAYMENT_ADJUSTMENT: ("order-id", "order-item-id"),
    REMOVAL: ("merchantremovalorderid", "merchantsku"),
}
REMOVAL_ID = re.compile(r"^[A-Za-z0-9_-]{1,50}$")
ADJUSTMENT_REASONS = frozenset(
    {"NoInventory", "CustomerReturn", "GeneralAdjustment", "CouldNotShip", "DifferentItem",
     "Abandoned", "CustomerCancel", "PriceError", "ProductOutofStock",
     "CustomerAddressIncorrect", "Exchange", "Other", "CarrierCreditDecision",
     "RiskAssessmentInformationNotValid", "CarrierCoverageFailure", "TransactionRecord"}
)  # fmt: skip
MONEY = re.compile(r"^-?\d+(\.\d{1,2})?$")


@dataclass
class EmulatedFeed:
    feed_id: str
    seller: str
    feed_type: str
    marketplace_ids: list[str]
    input_document_id: str
    created: datetime
    looks: int = 0
    result_document_id: str | None = None

    def resource(self) -> dict[str, Any]:
        status = ("IN_QUEUE", "IN_PROGRESS")[self.looks] if self.looks < 2 else "DONE"
        resource = {
            "feedId": self.feed_id,
            "feedType": self.feed_type,
            "marketplaceIds": self.marketplace_ids,
            "createdTime": iso(self.created),
            "processingStatus": status,
        }
        if status == "DONE":
            resource["processingStartTime"] = iso(self.created + timedelta(seconds=5))
            resource["processingEndTime"] = iso(self.created + timedelta(seconds=40))
            resource["resultFeedDocumentId"] = self.result_document_id
        return resource


@dataclass
class Feeds:
    """The feed documents made, the feeds submitted and the refunds they applied."""

    uploads: dict[str, dict[str, Any]] = field(default_factory=dict)  # by feed document id
    feeds: dict[str, EmulatedFeed] = field(default_factory=dict)
    refunds: list[dict[str, Any]] = field(default_factory=list)  # the ledger
    removals: list[dict[str, Any]] = field(default_factory=list)  # removal orders made

    def refunded(self, order_id: str, order_item_id: str) -> Decimal:
        return sum(
            (Decimal(r["amount"]) for r in self.refunds
             if r["order_id"] == order_id and r["order_item_id"] == order_item_id),
            Decimal(0),
        )  # fmt: skip

    def apply(self, feed: EmulatedFeed, now: datetime) -> str:
        """Apply the feed's records; its processing report."""
        content = self.uploads[feed.input_document_id].get("content") or b""
        lines = content.decode("utf-8", errors="replace").splitlines()
        columns = [c.strip().lower() for c in (lines[0].split("\t") if lines else [])]
        apply_record = self.refund if feed.feed_type == PAYMENT_ADJUSTMENT else self.remove
        keys = RECORD_KEYS[feed.feed_type]
        errors: list[tuple[str, ...]] = []
        records = [line for line in lines[1:] if line.strip()]
        for number, line in enumerate(records, start=1):
            row = dict(zip(columns, (v.strip() for v in line.split("\t")), strict=False))
            error = apply_record(feed, row, now)
            if error is not None:
                errors.append((str(number), *(row.get(key, "") for key in keys), *error))
        header = "\t".join(("original-record-number", *keys, "error-code", "error-type",
                            "error-message"))  # fmt: skip
        report = [
            "Feed Processing Summary:",
            f"\tNumber of records processed\t\t{len(records)}",
            f"\tNumber of records successful\t\t{len(records) - len(errors)}",
            "",
            header,
            *("\t".join((n, a, b, code, "Error", message)) for n, a, b, code, message in errors),
        ]
        return "\n".join(report) + "\n"

    def remove(
        self, feed: EmulatedFeed, row: dict[str, str], now: datetime
    ) -> tuple[str, str] | None:
        """One removal order record: the order made (every record makes one, even under an
        id used before: what makes a removal order twice is the caller's retry); its (error
        code, message) when refused."""
        order_id = row.get("merchantremovalorderid") or f"RMVAMZ{len(self.removals) + 1:08d}"
        if not REMOVAL_ID.match(order_id):
            return "25001", "MerchantRemovalOrderID: letters, digits, - and _ only, 50 at most."
        disposition = row.get("removaldisposition", "")
        if disposition not in ("Return", "Disposal"):
            return "25002", "RemovalDisposition must be Return or Disposal."
        if not row.get("merchantsku"):
            return "25003", "MerchantSKU is required."
        quantities = (
            row.get("sellablequantity", "0") or "0",
            row.get("unsellablequantity", "0") or "0",
        )
        if not all(q.isdigit() for q in quantities) or not sum(map(int, quantities)):
            return "25004", "SellableQuantity and UnsellableQuantity: whole numbers, not both 0."
        region = MARKETPLACES[feed.marketplace_ids[0]]["region"]
        address = {
            name: row.get(name.lower(), "")
            for name in ("AddressName", "AddressFieldOne", "AddressFieldTwo",
                         "AddressFieldThree", "AddressCity", "AddressCountryCode",
                         "AddressStateOrRegion", "AddressPostalCode", "ContactPhoneNumber")
        }  # fmt: skip
        if disposition == "Return":
            required = ("AddressName", "AddressFieldOne", "AddressCity", "AddressCountryCode",
                        "AddressPostalCode")  # fmt: skip
            missing = [name for name in required if not address[name]]
            if missing:
                return "25005", f"A Return needs an address: {', '.join(missing)} missing."
            if address["AddressCountryCode"] not in COUNTRIES_OF_REGION[region]:
                return "25006", (
                    f"AddressCountryCode {address['AddressCountryCode']} is outside the "
                    "marketplace's region: a removal order ships within it."
                )
        self.removals.append(
            {
                "order_id": order_id,
                "seller": feed.seller,
                "feed_id": feed.feed_id,
                "marketplace_id": feed.marketplace_ids[0],
                "order_type": disposition,
                "sku": row["merchantsku"],
                "sellable_quantity": int(quantities[0]),
                "unsellable_quantity": int(quantities[1]),
                "address": address if disposition == "Return" else None,
                "notes": row.get("shippingnotes", ""),
                "requested": iso(now),
            }
        )
        return None

    def refund(
        self, feed: EmulatedFeed, row: dict[str, str], now: datetime
    ) -> tuple[str, str] | None:
        """One record applied; its (error code, message) when refused."""
        order_id = row.get("order-id", "")
        if not ORDER_ID.match(order_id):
            return "18009", f"The order ID {order_id!r} was not found."
        order = order_of(order_id)
        if order["FulfillmentChannel"] == "AFN":
            return "18021", "This order was fulfilled by Amazon: Amazon refunds its buyers."
        items = {item["order_item_id"]: item for item in order_items(order_id)}
        item = items.get(row.get("order-item-id", ""))
        if item is None:
            return "18011", "The order item ID does not belong to this order."
        if row.get("adjustment-reason-code") not in ADJUSTMENT_REASONS:
            return "18004", "The adjustment-reason-code is not a valid value."
        if row.get("currency") != item["currency"]:
            return "18032", f"The currency must be the order's, {item['currency']}."
        amount_text = row.get("item-price-adj", "")
        if not MONEY.match(amount_text) or Decimal(amount_text) <= 0:
            return "18003", "item-price-adj must be a positive amount."
        amount = Decimal(amount_text)
        left = item["price"] * item["quantity"] - self.refunded(order_id, item["order_item_id"])
        if amount > left:
            return "18028", f"The adjustment exceeds the amount that can be refunded ({left})."
        self.refunds.append(
            {
                "refund_id": f"AMZR-{len(self.refunds) + 1:06d}",
                "feed_id": feed.feed_id,
                "seller": feed.seller,
                "order_id": order_id,
                "order_item_id": item["order_item_id"],
                "sku": item["sku"],
                "amount": str(amount),
                "currency": item["currency"],
                "reason": row["adjustment-reason-code"],
                "posted": iso(now),
            }
        )
        return None


def feeds_of(request: Request) -> Feeds:
    return request.app.state.amazon.feeds


class FeedDocumentSpec(BaseModel):
    contentType: str = Field(min_length=1)


class FeedSpec(BaseModel):
    feedType: str = Field(min_length=1)
    marketplaceIds: list[str] = Field(min_length=1, max_length=25)
    inputFeedDocumentId: str = Field(min_length=1)
    feedOptions: dict[str, str] | None = None


def invalid(error: ValidationError) -> JSONResponse:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "body"
    return sp_error(400, "InvalidInput", f"{where}: {first['msg']}")


@router.post("/amazon/feeds/2021-06-30/documents")
async def create_feed_document(request: Request, token: AccessToken = None) -> JSONResponse:
    seller = authorised(request, token)
    if isinstance(seller, JSONResponse):
        return seller
    try:
        spec = FeedDocumentSpec.model_validate_json(await request.body())
    except ValidationError as error:
        return invalid(error)
    feeds = feeds_of(request)
    document_id = f"amzn1.tortuga.4.na.{len(feeds.uploads) + 1:08d}"
    feeds.uploads[document_id] = {"seller": seller, "content_type": spec.contentType}
    url = f"{str(request.base_url).rstrip('/')}/amazon/_uploads/{document_id}?X-Amz-Expires=300"
    return answer({"feedDocumentId": document_id, "url": url}, "createFeedDocument", 201)


@router.put("/amazon/_uploads/{document_id}", summary="A feed document, at its presigned URL")
async def upload_feed_document(document_id: str, request: Request) -> Response:
    upload = feeds_of(request).uploads.get(document_id)
    if upload is None:
        return Response(
            "<Error><Code>NoSuchUpload</Code></Error>", 404, media_type="application/xml"
        )
    if request.headers.get("content-type", "") != upload["content_type"]:
        message = "<Error><Code>SignatureDoesNotMatch</Code><Message>Content-Type differs from the one signed</Message></Error>"  # noqa: E501
        return Response(message, 403, media_type="application/xml")
    upload["content"] = await request.body()
    return Response(status_code=200)


@router.post("/amazon/feeds/2021-06-30/feeds")
async def create_feed(request: Request, token: AccessToken = None) -> JSONResponse:
    seller = authorised(request, token)
    if isinstance(seller, JSONResponse):
        return seller
    try:
        spec = FeedSpec.model_validate_json(await request.body())
    except ValidationError as error:
        return invalid(error)
    feeds = feeds_of(request)
    upload = feeds.uploads.get(spec.inputFeedDocumentId)
    if spec.feedType not in FEED_TYPES:
        return sp_error(400, "InvalidInput", f"Invalid feedType {spec.feedType}")
    if upload is None or upload["seller"] != seller or "content" not in upload:
        return sp_error(
            400, "InvalidInput", "The inputFeedDocumentId was not found or not uploaded"
        )
    unknown = [m for m in spec.marketplaceIds if m not in MARKETPLACES]
    if unknown:
        return sp_error(400, "InvalidInput", f"Invalid marketplaceIds: {', '.join(unknown)}")
    feed_id = str(60_000_000_000 + len(feeds.feeds) + 1)
    amazon = request.app.state.amazon
    feeds.feeds[feed_id] = EmulatedFeed(
        feed_id, seller, spec.feedType, spec.marketplaceIds, spec.inputFeedDocumentId, amazon.now()
    )
    if amazon.answer_lost(seller, "createFeed"):  # made, but the caller never hears of it
        return sp_error(503, "ServiceUnavailable", "Service temporarily unavailable")
    return answer({"feedId": feed_id}, "createFeed", 202)


@router.get("/amazon/feeds/2021-06-30/feeds/{feed_id}")
async def get_feed(feed_id: str, request: Request, token: AccessToken = None) -> JSONResponse:
    seller = authorised(request, token)
    if isinstance(seller, JSONResponse):
        return seller
    amazon = request.app.state.amazon
    feed = amazon.feeds.feeds.get(feed_id)
    if feed is None or feed.seller != seller:
        return sp_error(404, "NotFound", f"Feed {feed_id} not found")
    amazon.look_at(feed)
    return answer(feed.resource(), "getFeed")


@router.get("/amazon/feeds/2021-06-30/feeds")
async def get_feeds(
    request: Request,
    token: AccessToken = None,
    feedTypes: str | None = None,  # noqa: N803 - Amazon's query names
    processingStatuses: str | None = None,  # noqa: N803
    createdSince: datetime | None = None,  # noqa: N803
    pageSize: Annotated[int, Query(ge=1, le=100)] = 10,  # noqa: N803
) -> JSONResponse:
    seller = authorised(request, token)
    if isinstance(seller, JSONResponse):
        return seller
    if feedTypes is None:
        return sp_error(400, "InvalidInput", "feedTypes is required")
    types = set(feedTypes.split(","))
    statuses = set(processingStatuses.split(",")) if processingStatuses else None
    amazon = request.app.state.amazon
    since = createdSince or amazon.now() - timedelta(days=90)
    listed = [
        feed
        for feed in amazon.feeds.feeds.values()
        if feed.seller == seller and feed.feed_type in types and feed.created >= since
    ]
    for feed in listed:  # Amazon goes on processing feeds nobody asks about one by one
        amazon.look_at(feed)
    found = [feed.resource() for feed in listed]
    found = [f for f in found if statuses is None or f["processingStatus"] in statuses]
    return answer({"feeds": found[-pageSize:]}, "getFeeds")


@router.get("/amazon/feeds/2021-06-30/documents/{document_id}")
async def get_feed_document(
    document_id: str, request: Request, token: AccessToken = None
) -> JSONResponse:
    seller = authorised(request, token)
    if isinstance(seller, JSONResponse):
        return seller
    if document_id not in request.app.state.amazon.documents:
        return sp_error(404, "NotFound", f"Feed document {document_id} not found")
    document = {"feedDocumentId": document_id, "url": document_url(request, document_id)}
    return answer(document, "getFeedDocument")


# An FBA unit comes back this long after its buyer was refunded.
REFUNDED_BEFORE_RETURN = timedelta(hours=12)
NEVER_RETURNED_EVERY = timedelta(days=1)
NEVER_RETURNED_AT = timedelta(hours=9)
LOST = "FBA refunded, never returned"


def fba_slot(seller: str, at: datetime, marketplaces: list[str], kind: str = FBA) -> Slot:
    marketplace = marketplaces[digest(seller, at.isoformat()) % len(marketplaces)]
    return Slot(seller, kind, at, marketplace)


def refund_event(slot: Slot, order_id: str, posted: datetime) -> dict[str, Any]:
    item = order_items(order_id)[0]
    return {
        "AmazonOrderId": order_id,
        "MarketplaceName": MARKETPLACES[slot.marketplace]["domain"].split("www.")[-1].capitalize(),
        "PostedDate": iso(posted),
        "ShipmentItemAdjustmentList": [
            {
                "SellerSKU": item["sku"],
                "OrderAdjustmentItemId": f"{digest('adjustment', order_id) % 10**14:014d}",
                "QuantityShipped": 1,
                "ItemChargeAdjustmentList": [
                    {
                        "ChargeType": "Principal",
                        "ChargeAmount": {
                            "CurrencyCode": item["currency"],
                            "CurrencyAmount": -float(item["price"]),
                        },
                    }
                ],
            }
        ],
    }


def refunded_fba_returns(
    seller: str, start: datetime, end: datetime, marketplaces: list[str]
) -> list[dict[str, Any]]:
    """The refunds of the FBA returns of the returns report: each posted twelve hours
    before its unit's return date (the same order and SKU as its report row)."""
    events = []
    window = (start + REFUNDED_BEFORE_RETURN, end + REFUNDED_BEFORE_RETURN)
    for at in slots(*window, timedelta(hours=3)):
        if at >= window[1]:
            continue
        slot = fba_slot(seller, at, marketplaces)
        events.append(refund_event(slot, slot.order_id, at - REFUNDED_BEFORE_RETURN))
    return events


def never_returned_order(seller: str, at: datetime, marketplaces: list[str]) -> str:
    """An FBA order (its middle group starts with 5) no returns report ever names."""
    slot = fba_slot(seller, at, marketplaces, LOST)
    return f"{slot.order_id[:4]}5{slot.order_id[5:]}"


def refunded_never_returned(
    seller: str, start: datetime, end: datetime, marketplaces: list[str]
) -> list[dict[str, Any]]:
    epoch = datetime(2020, 1, 1, tzinfo=UTC)
    first = (
        epoch
        + NEVER_RETURNED_AT
        + NEVER_RETURNED_EVERY * -(-(start - epoch - NEVER_RETURNED_AT) // NEVER_RETURNED_EVERY)
    )
    events = []
    while first < end:
        slot = fba_slot(seller, first, marketplaces, LOST)
        events.append(refund_event(slot, never_returned_order(seller, first, marketplaces), first))
        first += NEVER_RETURNED_EVERY
    return events


def seller_fulfilled_refunds(
    refunds: list[dict[str, Any]], seller: str, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """The refunds the seller's payment adjustment feeds applied in the window, one event
    per feed and order."""
    by_feed: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for refund in refunds:
        posted = datetime.fromisoformat(refund["posted"].replace("Z", "+00:00"))
        if refund["seller"] == seller and start <= posted < end:
            by_feed.setdefault((refund["feed_id"], refund["order_id"]), []).append(refund)
    return [order_refund_event(order_id, group) for (_, order_id), group in by_feed.items()]


def order_refund_event(order_id: str, refunds: list[dict[str, Any]]) -> dict[str, Any]:
    marketplace = MARKETPLACES[marketplace_of_order(order_id)]["domain"].split("www.")[-1]
    return {
        "AmazonOrderId": order_id,
        "MarketplaceName": marketplace.capitalize(),
        "PostedDate": refunds[0]["posted"],
        "ShipmentItemAdjustmentList": [
            {
                "SellerSKU": refund["sku"],
                "OrderAdjustmentItemId": refund["refund_id"],
                "QuantityShipped": 1,
                "ItemChargeAdjustmentList": [
                    {
                        "ChargeType": "Principal",
                        "ChargeAmount": {
                            "CurrencyCode": refund["currency"],
                            "CurrencyAmount": -float(refund["amount"]),
                        },
                    }
                ],
            }
            for refund in refunds
        ],
    }


def page_token(start: datetime, end: datetime, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{iso(start)}|{iso(end)}|{offset}".encode()).decode()


def from_page_token(token: str) -> tuple[datetime, datetime, int] | None:
    try:
        start, end, offset = base64.urlsafe_b64decode(token.encode()).decode().split("|")
        return datetime.fromisoformat(start), datetime.fromisoformat(end), int(offset)
    except ValueError:
        return None


@router.get("/amazon/finances/v0/financialEvents")
async def list_financial_events(
    request: Request,
    token: AccessToken = None,
    PostedAfter: datetime | None = None,  # noqa: N803 (Amazon's names)
    PostedBefore: datetime | None = None,  # noqa: N803
    MaxResultsPerPage: Annotated[int, Query(ge=1, le=100)] = 100,  # noqa: N803
    NextToken: str | None = None,  # noqa: N803
) -> JSONResponse:
    """The refunds posted in [PostedAfter, PostedBefore) (before: two minutes ago when not
    given, as Amazon), oldest first, MaxResultsPerPage a page."""
    seller = authorised(request, token)
    if isinstance(seller, JSONResponse):
        return seller
    amazon = request.app.state.amazon
    offset = 0
    if NextToken is not None:
        read = from_page_token(NextToken)
        if read is None:
            return sp_error(400, "InvalidInput", "Invalid NextToken")
        PostedAfter, PostedBefore, offset = read
    if PostedAfter is None:
        return sp_error(400, "InvalidInput", "PostedAfter or NextToken is required")
    end = PostedBefore or amazon.now() - timedelta(minutes=2)
    if PostedAfter.tzinfo is None or end.tzinfo is None or PostedAfter >= end:
        return sp_error(400, "InvalidInput", "PostedAfter must be before PostedBefore, zoned")
    marketplaces = amazon.marketplaces.get(seller) or ["ATVPDKIKX0DER"]
    events = (
        refunded_fba_returns(seller, PostedAfter, end, marketplaces)
        + refunded_never_returned(seller, PostedAfter, end, marketplaces)
        + seller_fulfilled_refunds(amazon.feeds.refunds, seller, PostedAfter, end)
    )
    events.sort(key=lambda event: (event["PostedDate"], event["AmazonOrderId"]))
    page = events[offset : offset + MaxResultsPerPage]
    payload: dict[str, Any] = {"FinancialEvents": {"RefundEventList": page}}
    if offset + MaxResultsPerPage < len(events):
        payload["NextToken"] = page_token(PostedAfter, end, offset + MaxResultsPerPage)
    return answer({"payload": payload}, "listFinancialEvents")


@router.get("/amazon/finances/v0/orders/{order_id}/financialEvents")
async def order_financial_events(
    order_id: str, request: Request, token: AccessToken = None
) -> JSONResponse:
    """The refunds applied to the order, one RefundEvent per feed that applied any."""
    seller = authorised(request, token)
    if isinstance(seller, JSONResponse):
        return seller
    by_feed: dict[str, list[dict[str, Any]]] = {}
    for refund in feeds_of(request).refunds:
        if refund["order_id"] == order_id and refund["seller"] == seller:
            by_feed.setdefault(refund["feed_id"], []).append(refund)
    events = [order_refund_event(order_id, refunds) for refunds in by_feed.values()]
    payload = {"FinancialEvents": {"RefundEventList": events}}
    return answer({"payload": payload}, "listFinancialEventsByOrderId")


@router.get("/_emulator/amazon/refunds", tags=["emulator"])
async def refunds_applied(request: Request) -> dict:
    """Every refund the payment-adjustment feeds applied: what the sellers paid back."""
    return {"refunds": feeds_of(request).refunds}


@router.get("/_emulator/amazon/feeds", tags=["emulator"])
async def feeds_submitted(request: Request) -> dict:
    return {"feeds": [feed.resource() for feed in feeds_of(request).feeds.values()]}


@router.get("/_emulator/amazon/removal-orders", tags=["emulator"])
async def removal_orders_made(request: Request) -> dict:
    """Every removal order the removal feeds made: what Amazon ships to the sellers."""
    return {"removal_orders": feeds_of(request).removals}


class LostAnswers(BaseModel):
    seller: str = Field(min_length=1)
    operation: Literal["createFeed", "createUnexpectedProblem", "createConfirmDeliveryDetails"] = (
        "createFeed"
    )
    times: int = Field(default=1, ge=0, le=100)


@router.put("/_emulator/amazon/lost-answers", status_code=204, tags=["emulator"])
async def lose_answers(lost: LostAnswers, request: Request) -> None:
    """The seller's next `times` calls of `operation` take effect, and answer 503: what a
    caller whose answer was lost (a timeout, a crash before its commit) is left with."""
    request.app.state.amazon.lost_answers[(lost.seller, lost.operation)] = lost.times


# ------------------------------------------------------------------ Messaging API v1

MESSAGING_ACTIONS = ("confirmDeliveryDetails", "legalDisclosure", "unexpectedProblem", "warranty")
TEXT_ACTIONS = {
    "unexpectedProblem": "createUnexpectedProblem",
    "confirmDeliveryDetails": "createConfirmDeliveryDetails",
}
EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
HTML_IN_TEXT = re.compile(r"</?[a-zA-Z][^>]*>")


class OrderMessaging(BaseModel):
    actions: list[str] = Field(default_factory=lambda: list(MESSAGING_ACTIONS))
    locale: str | None = None
    # The next `refusals` text messages of the order are refused with this status before
    # anything is made: 400 (Amazon's InvalidInput, e.g. of the text) or 429 (QuotaExceeded).
    refuse_with: Literal[400, 429] | None = None
    refusals: int = Field(default=0, ge=0, le=100)


class MessageText(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


def messaging_of(request: Request, order_id: str) -> OrderMessaging:
    return request.app.state.amazon.messaging.get(order_id) or OrderMessaging()


def messaging_refusal(
    request: Request, token: str | None, order_id: str, marketplace_ids: list[str] | None
) -> str | JSONResponse:
    """The seller, or the answer refusing the call (token, order id, one marketplace)."""
    seller = authorised(request, token)
    if isinstance(seller, JSONResponse):
        return seller
    if not ORDER_ID.match(order_id):
        return sp_error(400, "InvalidInput", "Invalid Input", f"{order_id} is not an order id")
    if not marketplace_ids or len(marketplace_ids) != 1 or marketplace_ids[0] not in MARKETPLACES:
        return sp_error(400, "InvalidInput", "Invalid Input", "name exactly one marketplaceIds")
    return seller


MarketplaceIds = Annotated[list[str] | None, Query(alias="marketplaceIds")]


@router.get("/amazon/messaging/v1/orders/{order_id}")
async def get_messaging_actions_for_order(
    order_id: str,
    request: Request,
    marketplace_ids: MarketplaceIds = None,
    token: AccessToken = None,
) -> JSONResponse:
    seller = messaging_refusal(request, token, order_id, marketplace_ids)
    if isinstance(seller, JSONResponse):
        return seller
    query = f"?marketplaceIds={marketplace_ids[0]}"
    base = f"/messaging/v1/orders/{order_id}"
    names = messaging_of(request, order_id).actions
    links = [{"href": f"{base}/messages/{name}{query}", "name": name} for name in names]
    links.append({"href": f"{base}/attributes{query}", "name": "attributes"})
    embedded = [
        {
            "_links": {
                "self": link,
                "schema": {"href": link["href"].split("?")[0] + "/schema", "name": link["name"]},
            }
        }
        for link in links
    ]
    body = {
        "_links": {"self": {"href": base + query}, "actions": links},
        "_embedded": {"actions": embedded},
    }
    return answer(body, "getMessagingActionsForOrder")


@router.get("/amazon/messaging/v1/orders/{order_id}/attributes")
async def get_attributes(
    order_id: str,
    request: Request,
    marketplace_ids: MarketplaceIds = None,
    token: AccessToken = None,
) -> JSONResponse:
    seller = messaging_refusal(request, token, order_id, marketplace_ids)
    if isinstance(seller, JSONResponse):
        return seller
    locale = messaging_of(request, order_id).locale
    if locale is None:
        locale = MARKETPLACES[marketplace_ids[0]]["language"].replace("_", "-")
    return answer({"buyer": {"locale": locale}}, "getAttributes")


@router.post("/amazon/messaging/v1/orders/{order_id}/messages/{action}", status_code=201)
async def create_text_message(
    order_id: str,
    action: str,
    request: Request,
    marketplace_ids: MarketplaceIds = None,
    token: AccessToken = None,
) -> JSONResponse:
    """createUnexpectedProblem and createConfirmDeliveryDetails: a text to the buyer."""
    seller = messaging_refusal(request, token, order_id, marketplace_ids)
    if isinstance(seller, JSONResponse):
        return seller
    operation = TEXT_ACTIONS.get(action)
    if operation is None:
        return sp_error(404, "NotFound", "Resource not found", f"no text message {action}")
    try:
        text = MessageText.model_validate_json(await request.body()).text
    except ValidationError as error:
        return sp_error(400, "InvalidInput", "Invalid Input", str(error.errors()[0]["msg"]))
    if EMAIL_IN_TEXT.search(text) or HTML_IN_TEXT.search(text):
        return sp_error(400, "InvalidInput", "Invalid Input", "no HTML or e-mail addresses")
    setup = messaging_of(request, order_id)
    if action not in setup.actions:
        return sp_error(400, "InvalidInput", "Invalid Input", f"{action} is not available")
    if setup.refuse_with is not None and setup.refusals > 0:
        setup.refusals -= 1
        if setup.refuse_with == 429:
            return sp_error(
                429, "QuotaExceeded", "You exceeded your quota for the requested resource."
            )
        return sp_error(400, "InvalidInput", "Invalid Input", "the message was not accepted")
    amazon = request.app.state.amazon
    amazon.buyer_messages.append(
        {
            "seller": seller,
            "order_id": order_id,
            "marketplace_id": marketplace_ids[0],
            "action": action,
            "text": text,
            "at": iso(amazon.now()),
        }
    )
    if amazon.answer_lost(seller, operation):  # made, but the caller never hears of it
        return sp_error(503, "ServiceUnavailable", "Service temporarily unavailable")
    return answer({}, operation, 201)


@router.put("/_emulator/amazon/messaging/{order_id}", status_code=204, tags=["emulator"])
async def set_order_messaging(order_id: str, setup: OrderMessaging, request: Request) -> None:
    """The actions an order offers and its buyer's locale, from now on."""
    request.app.state.amazon.messaging[order_id] = setup


@router.get("/_emulator/amazon/buyer-messages", tags=["emulator"])
async def buyer_messages(request: Request, order_id: str | None = None) -> dict:
    """Every message made through a Messaging API action (of one order when asked)."""
    made = request.app.state.amazon.buyer_messages
    return {"messages": [m for m in made if order_id in (None, m["order_id"])]}
