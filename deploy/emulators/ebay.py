"""eBay (`/ebay`): OAuth, the Post-Order API's returns, the Notification API's public keys, and
signed notifications on demand. Never production.

What it follows, and serves the way eBay documents it:
- OAuth token endpoint, POST /identity/v1/oauth2/token (form-encoded, Basic client id and
  secret): `grant_type=refresh_token` ("Using a refresh token to update a User access
  token", https://developer.ebay.com/api-docs/static/oauth-refresh-token-request.html) and
  `client_credentials` (application tokens); `{"access_token", "expires_in", "token_type"}`,
  errors `{"error", "error_description"}`: invalid_client (401), invalid_grant (400: a
  refresh token revoked, or first used by another app), invalid_request,
  unsupported_grant_type. Access tokens live 7200 s unless a test says otherwise.
- Post-Order API (https://developer.ebay.com/Devzone/post-order/index.html), with
  `Authorization: IAF <user token>` (or Bearer) and X-EBAY-C-MARKETPLACE-ID:
  GET /post-order/v2/return/{returnId} (fieldgroups FULL: `detail` only; SUMMARY: `summary`
  only), GET /post-order/v2/return/search, POST .../{returnId}/issue_refund,
  POST .../{returnId}/decide (APPROVE, DECLINE), POST .../{returnId}/mark_as_received,
  POST .../{returnId}/send_message (`{"message": {"content", "language"}}`: the seller's
  message joins the return's `responseHistory` as SELLER_SEND_MESSAGE, its text in `notes`).
  Any return id is a return (`ebay_returns.py`); an action its state does not allow is a
  400 with the Post-Order `error` list, and so is a seller's DECLINE of a return opened as
  not as described (reasonType SNAD): eBay's Money Back Guarantee lets a seller decline
  only a remorse return. A refund issued on a return closes it (CLOSED in full,
  LESS_THAN_A_FULL_REFUND_ISSUED for less). A token that is missing, unknown or expired gets
  eBay's 401 (`errors`: 1002 missing, 1003 not a token type, 1001 invalid).
- Sell Fulfillment API getShippingFulfillments, GET /sell/fulfillment/v1/order/{orderId}/
  shipping_fulfillment with a user token (`Bearer`): `{"fulfillments": [{"fulfillmentId",
  "shipmentTrackingNumber", "shippingCarrierCode", "shippedDate", "lineItems"}], "total",
  "warnings": []}`; every order id of eBay's form (`NN-NNNNN-NNNNN`) was shipped in one
  parcel, tracked, unless a test sets its fulfillments (PUT /_emulator/ebay/orders/{orderId}/
  fulfillments `{"fulfillments"}`); another id is the Fulfillment API's 404.
- Notification API getPublicKey, GET /commerce/notification/v1/public_key/{public_key_id}
  with an application token: `{"key", "algorithm": "ECDSA", "digest": "SHA1"}`, the key
  armoured on one line as eBay gives it; each key id has its own key.

Under /_emulator/ebay (not eBay's; faults do not touch it):
- GET refunds, GET decisions, GET messages (?return_id=): the ledger of what sellers asked
  eBay for;
- GET tokens: how many access tokens were minted, by grant;
- PUT oauth `{"access_token_seconds"}`, POST oauth/expire (every token issued so far runs
  out now), POST oauth/revoke `{"refresh_token"}`, POST oauth/user-tokens `{"token"}` (a
  standing user token, as a seller may paste one);
- GET/PUT returns/{returnId} (`{"state", "escalated"}`): a return as the emulator holds it;
- POST returns/{returnId}/messages `{"text"}`: the buyer writes to the seller on the return,
  as eBay's return page (or send_message on the buyer's behalf) does: a BUYER_SEND_MESSAGE
  step with the text in its `notes`, in the return's `detail.responseHistory`;
- POST notifications `{"event", "return_id", "recipient", "keyset", "buyer"?}`: the SOAP
  Platform Notification eBay would send for a return event (ReturnCreated, ReturnShipped,
  ...), signed as eBay signs (NotificationSignature = Base64(MD5(Timestamp + DevID + AppID +
  CertID))) with the application keyset given; the return moves to the event's state first,
  so that reading it confirms the notification;
- POST account-deletion `{"username", "kid"?}`: a MARKETPLACE_ACCOUNT_DELETION notification
  signed (SHA1withECDSA, X-EBAY-SIGNATURE) with the private half of getPublicKey's key.

Not checked: whose return a token may read (eBay answers 404 for another seller's), and
the digital signatures eBay asks of EU and UK sellers' refunds.
"""

import base64
import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import parse_qs

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import APIRouter, FastAPI, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from deploy.emulators.ebay_returns import EmulatedReturn, iso, money

EMULATED_APP_TOKEN = "v^1.1#i^1#f^0#p^1#I^3#r^0#t^emulated-application-token"
TOKEN_SECONDS = 7200
SEARCH_LIMIT = 200
FORM = "application/x-www-form-urlencoded"

router = APIRouter(tags=["eBay"])
SETTINGS = {"EBAY_API_BASE_URL": "/ebay", "EBAY_APP_TOKEN": EMULATED_APP_TOKEN}

# The state a notification's event leaves the return in (None: as it is), and who did what
# (ReturnUserRoleEnum, ActivityOptionEnum) in the return's history.
STATE_OF_EVENT: dict[str, str | None] = {
    "ReturnCreated": None,
    "ReturnWaitingForSellerInfo": "RMA_PENDING",
    "ReturnSellerInfoOverdue": "RETURN_REQUEST_TIMEOUT",
    "ReturnShipped": "ITEM_SHIPPED",
    "ReturnDelivered": "ITEM_DELIVERED",
    "ReturnRefundOverdue": "REFUND_TIMEOUT",
    "ReturnEscalated": None,
    "ReturnClosed": "CLOSED",
}
ACTIVITY_OF_EVENT: dict[str, tuple[str, str]] = {
    "ReturnWaitingForSellerInfo": ("SYSTEM", "REMINDER_FOR_RMA"),
    "ReturnSellerInfoOverdue": ("SYSTEM", "TIME_OUT_FOR_RMA"),
    "ReturnShipped": ("SYSTEM", "NOTIFIED_SHIPPED"),
    "ReturnDelivered": ("SYSTEM", "NOTIFIED_DELIVERED"),
    "ReturnRefundOverdue": ("SYSTEM", "TIME_OUT_FOR_REFUND"),
    "ReturnEscalated": ("BUYER", "BUYER_ESCALATE"),
    "ReturnClosed": ("BUYER", "BUYER_CLOSE_RETURN"),
}
SELLER_TURN = "MY_RESPONSE_DUE"
BUYER_TURN = "OTHER_PARTY_RESPONSE_DUE"
REQUESTED = frozenset({"RETURN_REQUESTED", "RETURN_REQUEST_TIMEOUT", "INITIAL"})
SETTLED = frozenset({"CLOSED", "RETURN_REJECTED", "LESS_THAN_A_FULL_REFUND_ISSUED"})
DECISIONS = frozenset(
    {
        "ACCEPT_PARTIAL_REFUND",
        "APPROVE",
        "DECLINE",
        "DECLINE_PARTIAL_REFUND",
        "OFFER_PARTIAL_REFUND",
        "OFFER_RETURN",
        "PROVIDE_RMA",
    }
)


@dataclass
class Grant:
    grant_type: str
    client_id: str
    expires_at: datetime
    user: bool


@dataclass
class Ebay:
    """What the emulated eBay holds: tokens, returns, and what sellers asked of it."""

    now: Callable[[], datetime]
    token_seconds: int = TOKEN_SECONDS
    tokens: dict[str, Grant] = field(default_factory=dict)
    standing: set[str] = field(default_factory=set)  # user tokens given as is
    refresh_clients: dict[str, str] = field(default_factory=dict)  # refresh token → its app
    revoked: set[str] = field(default_factory=set)
    returns: dict[str, EmulatedReturn] = field(default_factory=dict)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)  # sellers' to buyers, in order
    # Each order's shipping fulfillments when a test set them (else one, from the order id).
    fulfillments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def mint(self, grant_type: str, client_id: str, user: bool) -> tuple[str, int]:
        token = f"v^1.1#i^1#p^3#r^{int(user)}#I^3#f^0#t^{secrets.token_urlsafe(32)}"
        expires = self.now() + timedelta(seconds=self.token_seconds)
        self.tokens[token] = Grant(grant_type, client_id, expires, user)
        return token, self.token_seconds

    def valid(self, token: str, user: bool) -> bool:
        if user and token in self.standing:
            return True
        grant = self.tokens.get(token)
        return grant is not None and grant.user == user and self.now() < grant.expires_at

    def expire_all(self) -> None:
        for grant in self.tokens.values():
            grant.expires_at = min(grant.expires_at, self.now())

    def the_return(self, return_id: str) -> EmulatedReturn:
        if return_id not in self.returns:
            self.returns[return_id] = EmulatedReturn.first_seen(return_id, self.now())
        return self.returns[return_id]


def install(app: FastAPI, now: Callable[[], datetime]) -> None:
    app.state.ebay = Ebay(now)


def ebay_of(request: Request) -> Ebay:
    return request.app.state.ebay


# ------------------------------------------------------------------------------ OAuth


def oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status)


def basic_client(authorization: str | None) -> str | None:
    """The client id of a Basic header with a non-empty id and secret; None otherwise."""
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return client_id if client_id and secret else None


@router.post("/ebay/identity/v1/oauth2/token", summary="eBay OAuth: mint an access token")
async def mint_token(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> JSONResponse:
    ebay = ebay_of(request)
    client_id = basic_client(authorization)
    if client_id is None:
        return oauth_error(401, "invalid_client", "client authentication failed")
    form = form_of(request.headers.get("content-type", ""), await request.body())
    grant_type = form.get("grant_type", "")
    if grant_type == "client_credentials":
        token, seconds = ebay.mint(grant_type, client_id, user=False)
        return token_answer(token, seconds, "Application Access Token")
    if grant_type != "refresh_token":
        return oauth_error(
            400,
            "unsupported_grant_type",
            "grant type in request is not supported by the authorization server",
        )
    refresh_token = form.get("refresh_token", "")
    if not refresh_token:
        return oauth_error(
            400, "invalid_request", "request is missing a required parameter or malformed"
        )
    bound_to = ebay.refresh_clients.setdefault(refresh_token, client_id)
    if refresh_token in ebay.revoked or bound_to != client_id:
        return oauth_error(
            400,
            "invalid_grant",
            "the provided authorization refresh token is invalid or was issued to another client",
        )
    token, seconds = ebay.mint(grant_type, client_id, user=True)
    return token_answer(token, seconds, "User Access Token")


def form_of(content_type: str, body: bytes) -> dict[str, str]:
    """The form eBay's token endpoint takes (application/x-www-form-urlencoded); else none."""
    if content_type.split(";")[0].strip().lower() != FORM:
        return {}
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}


def token_answer(token: str, seconds: int, kind: str) -> JSONResponse:
    return JSONResponse({"access_token": token, "expires_in": seconds, "token_type": kind})


def token_refusal(authorization: str | None, ebay: Ebay, user: bool) -> JSONResponse | None:
    """eBay's 401 for a request whose token it does not take; None when it takes it."""
    if not authorization:
        return rest_errors(
            401,
            1002,
            "Missing access token",
            "Access token is missing in the Authorization HTTP request header.",
        )
    scheme, _, token = authorization.partition(" ")
    kinds = ("iaf", "bearer", "token") if user else ("bearer",)
    if scheme.lower() not in kinds or not token:
        message = "Token type in the Authorization header is invalid"
        return rest_errors(401, 1003, message, message)
    if not ebay.valid(token.strip(), user):
        return rest_errors(
            401,
            1001,
            "Invalid access token",
            "Invalid access token. Check the value of the Authorization HTTP request header.",
        )
    return None


def rest_errors(status: int, error_id: int, message: str, long_message: str) -> JSONResponse:
    error = {
        "errorId": error_id,
        "domain": "OAuth",
        "category": "REQUEST",
        "message": message,
        "longMessage": long_message,
    }
    return JSONResponse({"errors": [error]}, status)


def post_order_error(status: int, error_id: int, message: str) -> JSONResponse:
    """The Post-Order API's error list (its `error` field, ErrorMessage)."""
    error = {
        "errorId": error_id,
        "domain": "returnErrorDomain",
        "severity": "ERROR",
        "category": "REQUEST",
        "message": message,
    }
    return JSONResponse({"error": [error]}, status)


# -------------------------------------------------------------------------- Post-Order


def refused_call(request: Request, authorization: str | None, marketplace: str | None):
    """The answer to a Post-Order call eBay would not take (token, marketplace), or None."""
    refusal = token_refusal(authorization, ebay_of(request), user=True)
    if refusal is not None:
        return refusal
    if not marketplace:
        return post_order_error(400, 1200, "The X-EBAY-C-MARKETPLACE-ID header is required.")
    return None


Auth = Annotated[str | None, Header()]
Marketplace = Annotated[str | None, Header(alias="X-EBAY-C-MARKETPLACE-ID")]


@router.get("/ebay/post-order/v2/return/search", summary="Post-Order: search returns")
async def search_returns(
    request: Request,
    authorization: Auth = None,
    marketplace: Marketplace = None,
    limit: Annotated[int, Query(ge=1, le=SEARCH_LIMIT)] = 25,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JSONResponse:
    refusal = refused_call(request, authorization, marketplace)
    if refusal is not None:
        return refusal
    held = list(ebay_of(request).returns.values())
    page = held[offset : offset + limit]
    pages = -(-len(held) // limit)
    return JSONResponse(
        {
            "members": [found.summary() for found in page],
            "paginationOutput": {
                "limit": limit,
                "offset": offset,
                "totalEntries": len(held),
                "totalPages": pages,
            },
            "total": len(held),
        }
    )


@router.get("/ebay/post-order/v2/return/{return_id}", summary="Post-Order: get a return")
async def get_return(
    return_id: str,
    request: Request,
    authorization: Auth = None,
    marketplace: Marketplace = None,
    fieldgroups: str = "FULL",
) -> JSONResponse:
    refusal = refused_call(request, authorization, marketplace)
    if refusal is not None:
        return refusal
    found = ebay_of(request).the_return(return_id)
    if fieldgroups.upper() == "SUMMARY":
        return JSONResponse({"summary": found.summary()})
    return JSONResponse({"detail": found.detail()})


class Wire(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class Amount(Wire):
    value: Decimal = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class Text(Wire):
    content: str = ""


class ItemizedRefund(Wire):
    refund_amount: Amount = Field(alias="refundAmount")
    refund_fee_type: str = Field(alias="refundFeeType")


class RefundDetail(Wire):
    itemized_refund_detail: list[ItemizedRefund] = Field(alias="itemizedRefundDetail", min_length=1)
    total_amount: Amount = Field(alias="totalAmount")


class IssueRefund(Wire):
    comments: Text | None = None
    refund_detail: RefundDetail = Field(alias="refundDetail")


class Decide(Wire):
    decision: str
    comments: Text | None = None


class MessageText(Wire):
    content: str = Field(min_length=1, max_length=2000)
    language: str | None = None


class SendMessage(Wire):
    message: MessageText


class MarkReceived(Wire):
    comments: Text | None = None


async def body_of(request: Request, model: type[BaseModel]) -> BaseModel | JSONResponse:
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        return post_order_error(400, 1100, f"Invalid request: {where}: {first['msg']}")


@router.post("/ebay/post-order/v2/return/{return_id}/issue_refund", summary="Post-Order: refund")
async def issue_refund(
    return_id: str, request: Request, authorization: Auth = None, marketplace: Marketplace = None
) -> JSONResponse:
    ebay = ebay_of(request)
    refusal = refused_call(request, authorization, marketplace)
    if refusal is not None:
        return refusal
    asked = await body_of(request, IssueRefund)
    if isinstance(asked, JSONResponse):
        return asked
    found = ebay.the_return(return_id)
    total = asked.refund_detail.total_amount
    problem = refund_problem(found, total, asked.refund_detail)
    if problem:
        return post_order_error(400, 1601, problem)
    now = ebay.now()
    ref = f"5{uuid.uuid4().int % 10**11:011d}"
    found.refund = {
        "totalAmount": money(total.value, total.currency),
        "itemizedRefundDetail": [
            {
                "refundAmount": money(i.refund_amount.value, i.refund_amount.currency),
                "refundFeeType": i.refund_fee_type,
            }
            for i in asked.refund_detail.itemized_refund_detail
        ],
        "issuedAt": iso(now),
    }
    full = total.value >= found.refundable
    found.move(
        "SELLER",
        "SELLER_ISSUE_REFUND",
        "CLOSED" if full else "LESS_THAN_A_FULL_REFUND_ISSUED",
        now,
        attributes={"moneyMovementRef": {"idref": ref}},
        notes=asked.comments.content if asked.comments else "",
    )
    ebay.refunds.append(
        {
            "return_id": return_id,
            "refund_ref": ref,
            "amount": money(total.value, total.currency),
            "comment": asked.comments.content if asked.comments else "",
            "at": iso(now),
        }
    )
    return JSONResponse({"refundStatus": "SUCCESS"})


def refund_problem(found: EmulatedReturn, total: Amount, detail: RefundDetail) -> str | None:
    currency = found.site.currency
    if found.refund is not None:
        return f"A refund was already issued for return {found.return_id}."
    if found.state in SETTLED:
        return f"Return {found.return_id} is {found.state}: it cannot be refunded."
    if total.currency != currency or any(
        i.refund_amount.currency != currency for i in detail.itemized_refund_detail
    ):
        return f"The refund must be in {currency}, the currency of the purchase."
    if sum(i.refund_amount.value for i in detail.itemized_refund_detail) != total.value:
        return "The itemized refund amounts do not add up to the total amount."
    if total.value > found.refundable:
        return f"The refund exceeds the {found.refundable} {currency} paid for the item."
    return None


@router.post("/ebay/post-order/v2/return/{return_id}/decide", summary="Post-Order: decide")
async def decide(
    return_id: str, request: Request, authorization: Auth = None, marketplace: Marketplace = None
) -> JSONResponse:
    ebay = ebay_of(request)
    refusal = refused_call(request, authorization, marketplace)
    if refusal is not None:
        return refusal
    asked = await body_of(request, Decide)
    if isinstance(asked, JSONResponse):
        return asked
    decision = asked.decision.upper()
    if decision not in DECISIONS:
        return post_order_error(400, 1100, f"Invalid request: decision: {asked.decision!r}")
    if decision not in ("APPROVE", "DECLINE"):
        return post_order_error(400, 1701, f"The emulator does not make {decision} decisions.")
    found = ebay.the_return(return_id)
    if found.state not in REQUESTED:
        message = f"Return {return_id} is {found.state}: it cannot be decided ({decision})."
        return post_order_error(400, 1702, message)
    code, kind, _ = found.reason
    if decision == "DECLINE" and kind == "SNAD":
        message = (
            f"Return {return_id} was opened as not as described ({code}): the seller cannot "
            "decline it. Approve it, or refund the buyer."
        )
        return post_order_error(400, 1704, message)
    approve = decision == "APPROVE"
    activity = "SELLER_APPROVE_REQUEST" if approve else "SELLER_DECLINE_REQUEST"
    found.move(
        "SELLER", activity, "ITEM_READY_TO_SHIP" if approve else "RETURN_REJECTED", ebay.now()
    )
    ebay.decisions.append({"return_id": return_id, "decision": decision, "at": iso(ebay.now())})
    return JSONResponse({})


@router.post(
    "/ebay/post-order/v2/return/{return_id}/mark_as_received",
    summary="Post-Order: mark the return received",
)
async def mark_as_received(
    return_id: str, request: Request, authorization: Auth = None, marketplace: Marketplace = None
) -> JSONResponse:
    ebay = ebay_of(request)
    refusal = refused_call(request, authorization, marketplace)
    if refusal is not None:
        return refusal
    asked = await body_of(request, MarkReceived)
    if isinstance(asked, JSONResponse):
        return asked
    found = ebay.the_return(return_id)
    if found.state in SETTLED or found.state in ("ITEM_DELIVERED", "REFUND_TIMEOUT"):
        message = f"Return {return_id} is {found.state}: it cannot be marked received."
        return post_order_error(400, 1703, message)
    found.move("SELLER", "SELLER_MARK_AS_RECEIVED", "ITEM_DELIVERED", ebay.now())
    ebay.decisions.append(
        {"return_id": return_id, "decision": "MARK_AS_RECEIVED", "at": iso(ebay.now())}
    )
    return JSONResponse({})


@router.post(
    "/ebay/post-order/v2/return/{return_id}/send_message",
    summary="Post-Order: send a message to the buyer of a return",
)
async def send_message(
    return_id: str, request: Request, authorization: Auth = None, marketplace: Marketplace = None
) -> JSONResponse:
    """The message joins the return's history (SELLER_SEND_MESSAGE, its text in `notes`),
    as eBay shows the return's conversation; the state does not change."""
    ebay = ebay_of(request)
    refusal = refused_call(request, authorization, marketplace)
    if refusal is not None:
        return refusal
    asked = await body_of(request, SendMessage)
    if isinstance(asked, JSONResponse):
        return asked
    found = ebay.the_return(return_id)
    found.record(
        "SELLER",
        "SELLER_SEND_MESSAGE",
        found.state,
        found.state,
        ebay.now(),
        notes=asked.message.content,
    )
    ebay.messages.append(
        {
            "return_id": return_id,
            "content": asked.message.content,
            "language": asked.message.language,
            "at": iso(ebay.now()),
        }
    )
    return JSONResponse({})


# ------------------------------------------------------------ Notification API: public keys


def signing_key(key_id: str) -> ec.EllipticCurvePrivateKey:
    """The emulated eBay's private key for `key_id`: the same key for the same id."""
    secret = int.from_bytes(hashlib.sha256(f"ebay-key:{key_id}".encode()).digest(), "big")
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # P-256's
    return ec.derive_private_key(secret % (order - 1) + 1, ec.SECP256R1())


def public_key_as_ebay_gives_it(key_id: str) -> str:
    der = (
        signing_key(key_id)
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return f"-----BEGIN PUBLIC KEY-----{base64.b64encode(der).decode()}-----END PUBLIC KEY-----"


@router.get(
    "/ebay/commerce/notification/v1/public_key/{public_key_id}",
    summary="Notification API: getPublicKey",
)
async def get_public_key(
    public_key_id: str, request: Request, authorization: Auth = None
) -> JSONResponse:
    refusal = app_token_refusal(request, authorization)
    if refusal is not None:
        return refusal
    key = public_key_as_ebay_gives_it(public_key_id)
    return JSONResponse({"key": key, "algorithm": "ECDSA", "digest": "SHA1"})


def app_token_refusal(request: Request, authorization: str | None) -> JSONResponse | None:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip() == EMULATED_APP_TOKEN:
        return None
    return token_refusal(authorization, ebay_of(request), user=False)


# -------------------------------------------------------- the emulator's own: /_emulator/ebay


class TokenLife(BaseModel):
    access_token_seconds: int = Field(ge=1, le=86_400)


class RefreshToken(BaseModel):
    refresh_token: str = Field(min_length=1)


class StandingToken(BaseModel):
    token: str = Field(min_length=1)


class ReturnChange(BaseModel):
    state: str | None = Field(default=None, pattern=r"^[A-Z_]+$")
    escalated: bool | None = None


class BuyerMessage(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


class Keyset(BaseModel):
    dev_id: str = Field(min_length=1)
    app_id: str = Field(min_length=1)
    cert_id: str = Field(min_length=1)


class NotificationOrder(BaseModel):
    event: str
    return_id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$")
    recipient: str = Field(min_length=1)
    keyset: Keyset
    buyer: str | None = None


class DeletionOrder(BaseModel):
    username: str = Field(min_length=1)
    kid: str = Field(default="emulated-key-1", pattern=r"^[A-Za-z0-9._-]{1,128}$")


@router.get("/_emulator/ebay/refunds", summary="Refunds sellers issued, in order")
async def refunds_issued(request: Request) -> dict:
    return {"refunds": ebay_of(request).refunds}


@router.get("/_emulator/ebay/decisions", summary="Approvals, declines and receipts, in order")
async def decisions_made(request: Request) -> dict:
    return {"decisions": ebay_of(request).decisions}


@router.get("/_emulator/ebay/messages", summary="Sellers' messages to buyers, in order")
async def messages_sent(request: Request, return_id: str | None = None) -> dict:
    sent = ebay_of(request).messages
    return {"messages": [m for m in sent if return_id is None or m["return_id"] == return_id]}


@router.get("/_emulator/ebay/tokens", summary="Access tokens minted, by grant type")
async def tokens_minted(request: Request) -> dict:
    minted: dict[str, int] = {}
    for grant in ebay_of(request).tokens.values():
        minted[grant.grant_type] = minted.get(grant.grant_type, 0) + 1
    return {"minted": minted}


@router.put("/_emulator/ebay/oauth", status_code=204, summary="How long new tokens live")
async def set_token_life(life: TokenLife, request: Request) -> None:
    ebay_of(request).token_seconds = life.access_token_seconds


@router.post("/_emulator/ebay/oauth/expire", status_code=204, summary="Every token runs out")
async def expire_tokens(request: Request) -> None:
    ebay_of(request).expire_all()


@router.post("/_emulator/ebay/oauth/revoke", status_code=204, summary="Revoke a refresh token")
async def revoke(given: RefreshToken, request: Request) -> None:
    ebay_of(request).revoked.add(given.refresh_token)


@router.post("/_emulator/ebay/oauth/user-tokens", status_code=204, summary="A standing token")
async def stand(given: StandingToken, request: Request) -> None:
    ebay_of(request).standing.add(given.token)


@router.get("/_emulator/ebay/returns/{return_id}", summary="A return as the emulator holds it")
async def held_return(return_id: str, request: Request) -> dict:
    found = ebay_of(request).the_return(return_id)
    return {"summary": found.summary(), "detail": found.detail()}


@router.put("/_emulator/ebay/returns/{return_id}", summary="Move a return (tests, demos)")
async def move_return(return_id: str, change: ReturnChange, request: Request) -> dict:
    ebay = ebay_of(request)
    found = ebay.the_return(return_id)
    if change.state:
        found.move("SYSTEM", "OTHER", change.state, ebay.now(), notes="set by the emulator")
    if change.escalated is not None:
        found.escalated = change.escalated
    return {"summary": found.summary(), "detail": found.detail()}


@router.post("/_emulator/ebay/returns/{return_id}/messages", summary="The buyer writes")
async def buyer_writes(return_id: str, message: BuyerMessage, request: Request) -> dict:
    ebay = ebay_of(request)
    found = ebay.the_return(return_id)
    found.record(
        "BUYER", "BUYER_SEND_MESSAGE", found.state, found.state, ebay.now(), notes=message.text
    )
    return {"summary": found.summary(), "detail": found.detail()}


@router.post("/_emulator/ebay/notifications", summary="A signed Platform Notification")
async def notification(order: NotificationOrder, request: Request) -> JSONResponse:
    if order.event not in STATE_OF_EVENT:
        known = ", ".join(STATE_OF_EVENT)
        return JSONResponse({"detail": f"event: one of {known}"}, 422)
    ebay = ebay_of(request)
    found = ebay.the_return(order.return_id)
    found.seller = order.recipient
    now = ebay.now()
    moved_to = STATE_OF_EVENT[order.event]
    if order.event in ACTIVITY_OF_EVENT:
        author, activity = ACTIVITY_OF_EVENT[order.event]
        found.move(author, activity, moved_to or found.state, now)
    if order.event == "ReturnEscalated":
        found.escalated = True
    body = soap_notification(order, found, now)
    return JSONResponse({"body": body, "content_type": "text/xml; charset=utf-8"})


def soap_notification(order: NotificationOrder, found: EmulatedReturn, now: datetime) -> str:
    """The notification as eBay posts it: its Timestamp signed with the app's keyset."""
    timestamp = (
        now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    )
    keys = order.keyset
    signed = f"{timestamp}{keys.dev_id}{keys.app_id}{keys.cert_id}".encode()
    signature = base64.b64encode(hashlib.md5(signed).digest()).decode()
    turn = BUYER_TURN if order.event in ("ReturnShipped", "ReturnEscalated") else SELLER_TURN
    status = "CLOSED" if order.event == "ReturnClosed" else turn
    fields = {
        "Timestamp": timestamp,
        "NotificationEventName": order.event,
        "RecipientUserID": order.recipient,
        "ReturnId": found.return_id,
        "CreationDate": iso(found.created_at),
        "OtherPartyId": order.buyer or found.buyer,
        "OtherPartyRole": "BUYER",
        "ReturnStatus": status,
        "ReturnGlobalId": found.site.global_id,
    }
    lines = "\n".join(f"      <{name}>{xml_text(value)}</{name}>" for name, value in fields.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        "  <soapenv:Header>\n"
        '    <ebl:RequesterCredentials soapenv:mustUnderstand="0" '
        'xmlns:ns="urn:ebay:apis:eBLBaseComponents" xmlns:ebl="urn:ebay:apis:eBLBaseComponents">\n'
        '      <ebl:NotificationSignature xmlns:ebl="urn:ebay:apis:eBLBaseComponents">'
        f"{signature}</ebl:NotificationSignature>\n"
        "    </ebl:RequesterCredentials>\n"
        "  </soapenv:Header>\n"
        "  <soapenv:Body>\n"
        "    <NotificationEvent>\n"
        f"{lines}\n"
        "    </NotificationEvent>\n"
        "  </soapenv:Body>\n"
        "</soapenv:Envelope>\n"
    )


def xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@router.post("/_emulator/ebay/account-deletion", summary="A signed account deletion")
async def account_deletion(order: DeletionOrder, request: Request) -> dict:
    now = ebay_of(request).now()
    body = json.dumps(
        {
            "metadata": {
                "topic": "MARKETPLACE_ACCOUNT_DELETION",
                "schemaVersion": "1.0",
                "deprecated": False,
            },
            "notification": {
                "notificationId": str(uuid.uuid4()),
                "eventDate": iso(now),
                "publishDate": iso(now),
                "publishAttemptCount": 1,
                "data": {
                    "username": order.username,
                    "userId": hashlib.sha256(order.username.encode()).hexdigest()[:11],
                    "eiasToken": base64.b64encode(order.username.encode()).decode(),
                },
            },
        },
        separators=(",", ":"),
    )
    signature = signing_key(order.kid).sign(body.encode(), ec.ECDSA(hashes.SHA1()))
    claims = {
        "alg": "ecdsa",
        "kid": order.kid,
        "signature": base64.b64encode(signature).decode(),
        "digest": "SHA1",
    }
    header = base64.b64encode(json.dumps(claims).encode()).decode()
    return {
        "body": body,
        "headers": {"X-EBAY-SIGNATURE": header, "Content-Type": "application/json"},
    }


# ------------------------------------------------------------------ Sell Fulfillment API

EBAY_ORDER_ID = re.compile(r"^\d{2}-\d{5}-\d{5}$")
EBAY_CARRIERS = ("USPS", "UPS", "FedEx", "RoyalMail", "DHL")


def fulfillments_of(ebay: Ebay, order_id: str) -> list[dict[str, Any]]:
    if order_id in ebay.fulfillments:
        return ebay.fulfillments[order_id]
    seed = int(hashlib.sha256(f"fulfillment:{order_id}".encode()).hexdigest(), 16)
    number = str(seed % 10**20).zfill(20)
    return [
        {
            "fulfillmentId": number,
            "shipmentTrackingNumber": number,
            "shippingCarrierCode": EBAY_CARRIERS[seed % len(EBAY_CARRIERS)],
            "shippedDate": iso(ebay.now() - timedelta(days=10)),
            "lineItems": [{"lineItemId": str(seed % 10**12)}],
        }
    ]


@router.get(
    "/ebay/sell/fulfillment/v1/order/{order_id}/shipping_fulfillment",
    summary="Fulfillment: an order's shipping fulfillments",
)
async def get_shipping_fulfillments(
    order_id: str, request: Request, authorization: Auth = None
) -> JSONResponse:
    refusal = token_refusal(authorization, ebay_of(request), user=True)
    if refusal is not None:
        return refusal
    if not EBAY_ORDER_ID.match(order_id):
        error = {"errorId": 32100, "domain": "API_FULFILLMENT", "category": "REQUEST",
                 "message": "Invalid order ID: " + order_id}  # fmt: skip
        return JSONResponse({"errors": [error]}, 404)
    found = fulfillments_of(ebay_of(request), order_id)
    return JSONResponse({"fulfillments": found, "total": len(found), "warnings": []})


class OrderFulfillments(BaseModel):
    fulfillments: list[dict[str, Any]]


@router.put("/_emulator/ebay/orders/{order_id}/fulfillments", status_code=204)
async def set_fulfillments(order_id: str, given: OrderFulfillments, request: Request) -> None:
    """The order's shipping fulfillments from now on (tests: none, or untracked ones)."""
    ebay_of(request).fulfillments[order_id] = given.fulfillments
