"""Marketplace webhooks: verify, check, store, answer. Nothing slow before the answer.

Every channel of the registry (`channels/registry.py`) gets `POST /webhooks/<channel>`,
and each goes through `checked_and_stored`: the body (413 past the limit), the seller
account and the signature (401 when forged or stale), a check of the payload (400/422
naming the field), then one INSERT deduplicated on the channel, the seller account and the
channel's delivery id. A redelivery is answered 200 like the first delivery, and the
worker applies it once; the redelivery of one that had failed revives it (202, `revived`).

A delivery naming an account that is unknown or disabled is answered exactly as one with a
bad signature (401, the same body): the channel's own verification runs with a secret
nobody holds, so neither the answer nor the work done tells which accounts exist.
"""

import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from services.intake.channels.ebay import account_deletion
from services.intake.channels.marketplace import MarketplaceChannel
from services.intake.channels.registry import CHANNELS
from services.intake.domain.account import Account
from services.intake.domain.case import Channel, ChannelError, forged
from services.intake.handlers.refusals import read_body, refusal
from services.intake.workflows.accepting import WEBHOOK, Outcome, webhook_content
from services.intake.workflows.context import CurrentIntake, Intake
from shared.identity import public
from shared.outbound import OutboundError
from shared.service import CurrentService

log = logging.getLogger(__name__)

router = APIRouter(prefix="/webhooks", tags=["marketplace webhooks"])


def receiver(marketplace: MarketplaceChannel) -> Callable[[Request], Awaitable[JSONResponse]]:
    """The route of one channel's webhook."""
    route = f"/webhooks/{marketplace.channel.value}"

    async def receive(request: Request) -> JSONResponse:
        # No FastAPI dependencies on the hot path: solving them costs more than verifying.
        intake: Intake = request.app.state.service.context
        with intake.service.server_span(request, route) as span:
            answer = await checked_and_stored(request, intake, marketplace)
            span.set_attribute("http.response.status_code", answer.status_code)
            return answer

    return receive


async def checked_and_stored(
    request: Request, intake: Intake, marketplace: MarketplaceChannel
) -> JSONResponse:
    channel = marketplace.channel
    service = intake.service
    try:
        body = await read_body(request, service.settings.webhook_max_body_bytes)
        headers = request.headers
        account_key = marketplace.account_of(headers, body)
        now = datetime.now(UTC)
        account = await intake.accounts.find(channel, account_key)
        if account is None:
            log.info("%s delivery for an unknown or disabled account %r", channel, account_key)
            return refusal(
                service,
                channel.value,
                as_forged(marketplace, headers, body, account_key, now, request),
                counted_as="unknown_account",
            )
        marketplace.verify(headers, body, account, now, request)
        delivery_id = marketplace.delivery_id_of(headers, body)
    except ChannelError as error:
        return refusal(service, channel.value, error)
    outcome = await intake.acceptance.accept(
        channel,
        delivery_id,
        account.account,
        WEBHOOK,
        webhook_content(dict(headers), body),
    )
    answer = {
        "accepted": True,
        "delivery_id": delivery_id,
        "duplicate": outcome is Outcome.DUPLICATE,
    }
    if outcome is Outcome.REVIVED:
        answer["revived"] = True
    if marketplace.answers_case_id:
        answer["case_id"] = await intake.acceptance.case_named(
            channel, account.account, delivery_id, outcome
        )
    return JSONResponse(answer, status_code=202 if outcome.to_apply else 200)


def as_forged(
    marketplace: MarketplaceChannel,
    headers: Mapping[str, str],
    body: bytes,
    account_key: str,
    now: datetime,
    request: Request,
) -> ChannelError:
    """What a bad signature of a known account is answered, for an account that is unknown
    or disabled: the channel's verification, run with a secret nobody holds."""
    nobody = Account(
        channel=marketplace.channel,
        account=account_key,
        seller="",
        default_market=None,
        credentials={"secrets": [secrets.token_hex(32)]},
    )
    try:
        marketplace.verify(headers, body, nobody, now, request)
    except ChannelError as error:
        return error
    return forged(f"the {marketplace.channel} signature does not match")  # cannot happen


for registered in CHANNELS:
    router.add_api_route(
        f"/{registered.channel.value}",
        receiver(registered),
        methods=["POST"],
        status_code=202,
        summary=registered.summary,
        name=f"{registered.channel.value}_webhook",
        dependencies=[public("signed by the marketplace")],
    )


# eBay Marketplace Account Deletion: eBay first proves the endpoint with a challenge, then
# posts each deleted user, signed with a key it publishes. The notification names no
# seller, so every eBay seller account erases the user from its own cases.


@router.get(
    "/ebay/account-deletion",
    summary="eBay's endpoint challenge",
    dependencies=[public("eBay's challenge: a hash of what eBay sent, nothing of ours")],
)
async def ebay_deletion_challenge(challenge_code: str, service: CurrentService) -> dict:
    settings = service.settings
    if settings.ebay_verification_token is None or settings.ebay_deletion_endpoint is None:
        raise HTTPException(503, "EBAY_VERIFICATION_TOKEN and EBAY_DELETION_ENDPOINT are not set")
    return account_deletion.challenge_answer(
        challenge_code,
        settings.ebay_verification_token.get_secret_value(),
        settings.ebay_deletion_endpoint,
    )


@router.post(
    "/ebay/account-deletion",
    status_code=202,
    summary="An eBay user was deleted",
    dependencies=[public("signed by eBay (its published key)")],
)
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
        key_id = account_deletion.signature_key_id(request.headers)
        key = await intake.ebay_keys.key(
            intake.marketplaces.http,
            settings.ebay_api_base_url,
            settings.ebay_app_token.get_secret_value(),
            key_id,
        )
        account_deletion.verify(request.headers, body, key)
        accounts = await intake.accounts.names(Channel.EBAY)
        deliveries = [
            delivery
            for account in accounts
            for delivery in account_deletion.parse(request.headers, body, account)
        ]
    except ChannelError as error:
        return refusal(service, "ebay", error)
    except OutboundError as error:
        raise HTTPException(503, f"eBay's signing key could not be read: {error}") from error
    new = await intake.acceptance.accept_parsed(deliveries)
    return JSONResponse({"accepted": True, "accounts": len(deliveries), "new": new}, 202)
