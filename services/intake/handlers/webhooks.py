"""Marketplace webhooks: verify, check, store, answer. Nothing slow before the answer.

Every channel goes through `receive`: the body (413 past the limit), the seller account
(404 when unknown), the signature (401 when forged or stale), a check of the payload
(400/422 naming the field), then one INSERT deduplicated on the channel's delivery id.
A redelivery is answered 200 like the first delivery; the worker applies it once.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from services.intake.channels.amazon import reports as amazon
from services.intake.channels.ebay import account_deletion as ebay_account_deletion
from services.intake.channels.ebay import notifications as ebay
from services.intake.channels.ebay.notifications import EbayKeys
from services.intake.channels.generic import webhook as generic
from services.intake.channels.shopify import webhook as shopify
from services.intake.channels.walmart import webhook as walmart
from services.intake.domain.case import Channel, ChannelError
from services.intake.domain.opening import case_id_of
from services.intake.handlers.refusals import read_body, refusal
from services.intake.workflows.accounts import Account
from services.intake.workflows.completing import WEBHOOK, webhook_content
from services.intake.workflows.context import CurrentIntake, Intake
from shared.outbound import OutboundError
from shared.service import CurrentService

router = APIRouter(prefix="/webhooks", tags=["marketplace webhooks"])

Headers = Mapping[str, str]


@dataclass(frozen=True)
class Reception:
    """How one channel's webhook is checked before it is stored."""

    channel: Channel
    account_of: Callable[[Headers, bytes], str]
    # Raises ChannelError (401) unless genuine and fresh.
    verify: Callable[[Headers, bytes, Account, datetime, Request], None]
    # The delivery id, once the payload is known to be well formed (raises 400/422).
    delivery_id_of: Callable[[Headers, bytes], str]


def with_secrets(adapter) -> Callable[[Headers, bytes, Account, datetime, Request], None]:
    return lambda headers, body, account, now, _: adapter.verify(
        headers, body, account.secrets, now
    )


def verify_walmart(
    headers: Headers, body: bytes, account: Account, now: datetime, request: Request
):
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    walmart.verify(headers, body, account.secrets, now, path=path, method=request.method)


def verify_ebay(headers: Headers, body: bytes, account: Account, now: datetime, _: Request):
    keysets = [EbayKeys.model_validate(keys) for keys in account.credentials.get("keysets", [])]
    ebay.verify(headers, body, keysets, now)


def shopify_delivery_id(headers: Headers, body: bytes) -> str:
    """A return request is checked now and completed later; any other topic is parsed now."""
    if shopify.order_to_read(headers, body) is None:
        return shopify.parse(headers, body)[0].delivery_id
    return headers["x-shopify-event-id"]  # present: order_to_read read the headers


def walmart_delivery_id(headers: Headers, body: bytes) -> str:
    walmart.return_orders_to_read(body)
    return walmart.read_json(walmart.Event, body).source.event_id


def parsed_delivery_id(adapter) -> Callable[[Headers, bytes], str]:
    return lambda headers, body: adapter.parse(headers, body)[0].delivery_id


RECEPTIONS = {
    Channel.SHOPIFY: Reception(
        Channel.SHOPIFY, shopify.account_of, with_secrets(shopify), shopify_delivery_id
    ),
    Channel.WALMART: Reception(
        Channel.WALMART, walmart.account_of, verify_walmart, walmart_delivery_id
    ),
    Channel.EBAY: Reception(
        Channel.EBAY,
        ebay.account_of,
        verify_ebay,
        lambda headers, body: ebay.delivery_id(ebay.read(body)),
    ),
    Channel.AMAZON: Reception(
        Channel.AMAZON, amazon.account_of, with_secrets(amazon), parsed_delivery_id(amazon)
    ),
    Channel.GENERIC: Reception(
        Channel.GENERIC, generic.account_of, with_secrets(generic), parsed_delivery_id(generic)
    ),
}


async def receive(request: Request, channel: Channel) -> JSONResponse:
    # No FastAPI dependencies on the hot path: solving them costs more than verifying.
    intake: Intake = request.app.state.service.context
    with intake.service.server_span(request, f"/webhooks/{channel.value}") as span:
        answer = await checked_and_stored(request, intake, channel)
        span.set_attribute("http.response.status_code", answer.status_code)
        return answer


async def checked_and_stored(request: Request, intake: Intake, channel: Channel) -> JSONResponse:
    reception = RECEPTIONS[channel]
    service = intake.service
    try:
        body = await read_body(request, service.settings.webhook_max_body_bytes)
        headers = request.headers
        account_key = reception.account_of(headers, body)
        account = await intake.accounts.find(channel, account_key)
        if account is None:
            raise ChannelError(404, "unknown_account", f"no {channel} account {account_key!r}")
        reception.verify(headers, body, account, datetime.now(UTC), request)
        delivery_id = reception.delivery_id_of(headers, body)
    except ChannelError as error:
        return refusal(service, channel.value, error)
    new = await intake.acceptance.accept(
        channel,
        delivery_id,
        account.account,
        WEBHOOK,
        webhook_content(dict(headers), body),
    )
    answer = {"accepted": True, "delivery_id": delivery_id, "duplicate": not new}
    if channel is Channel.GENERIC:  # one delivery, one case: its id is known now
        answer["case_id"] = case_id_of(channel.value, delivery_id)
    return JSONResponse(answer, status_code=202 if new else 200)


@router.post("/shopify", status_code=202, summary="Shopify returns, refunds and customers/redact")
async def shopify_webhook(request: Request) -> JSONResponse:
    return await receive(request, Channel.SHOPIFY)


@router.post("/walmart", status_code=202, summary="Walmart RETURN_CREATED notifications")
async def walmart_webhook(request: Request) -> JSONResponse:
    return await receive(request, Channel.WALMART)


@router.post("/ebay", status_code=202, summary="eBay Platform Notifications for returns (SOAP)")
async def ebay_webhook(request: Request) -> JSONResponse:
    return await receive(request, Channel.EBAY)


@router.post("/amazon", status_code=202, summary="Amazon SP-API notifications via a forwarder")
async def amazon_webhook(request: Request) -> JSONResponse:
    return await receive(request, Channel.AMAZON)


@router.post("/generic", status_code=202, summary="Any other channel: a signed JSON case")
async def generic_webhook(request: Request) -> JSONResponse:
    return await receive(request, Channel.GENERIC)


# eBay Marketplace Account Deletion: eBay first proves the endpoint with a challenge, then
# posts each deleted user, signed with a key it publishes. The notification names no
# seller, so every eBay seller account erases the user from its own cases.


@router.get("/ebay/account-deletion", summary="eBay's endpoint challenge")
async def ebay_deletion_challenge(challenge_code: str, service: CurrentService) -> dict:
    settings = service.settings
    if settings.ebay_verification_token is None or settings.ebay_deletion_endpoint is None:
        raise HTTPException(503, "EBAY_VERIFICATION_TOKEN and EBAY_DELETION_ENDPOINT are not set")
    return ebay_account_deletion.challenge_answer(
        challenge_code,
        settings.ebay_verification_token.get_secret_value(),
        settings.ebay_deletion_endpoint,
    )


@router.post("/ebay/account-deletion", status_code=202, summary="An eBay user was deleted")
async def ebay_account_deleted(request: Request, intake: CurrentIntake) -> JSONResponse:
    with intake.service.server_span(request, "/webhooks/ebay/account-deletion"):
        return await erase_deleted_ebay_user(request, intake)


async def erase_deleted_ebay_user(request: Request, intake: Intake) -> JSONResponse:
    service = intake.service
    settings = service.settings
    if settings.ebay_app_token is None:
        raise HTTPException(503, "EBAY_APP_TOKEN is not set: eBay's signing keys cannot be read")
    try:
        body = await read_body(request, settings.webhook_max_body_bytes)
        key_id = ebay_account_deletion.signature_key_id(request.headers)
        key = await intake.ebay_keys.key(
            intake.http,
            settings.ebay_api_base_url,
            settings.ebay_app_token.get_secret_value(),
            key_id,
        )
        ebay_account_deletion.verify(request.headers, body, key)
        accounts = await intake.accounts.names(Channel.EBAY)
        deliveries = [
            delivery
            for account in accounts
            for delivery in ebay_account_deletion.parse(request.headers, body, account)
        ]
    except ChannelError as error:
        return refusal(service, "ebay", error)
    except OutboundError as error:
        raise HTTPException(503, f"eBay's signing key could not be read: {error}") from error
    new = await intake.acceptance.accept_parsed(deliveries)
    return JSONResponse({"accepted": True, "accounts": len(deliveries), "new": new}, 202)
