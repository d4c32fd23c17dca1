"""Seller onboarding: a seller's channel accounts created, changed, their signing secret
rotated, disabled or enabled again, and their API credentials checked against the
marketplace. `handlers/accounts_cli.py` is the command line over these routes.

Secrets and API credentials are write-only: sealed by the vault as they arrive, never in
an answer or a log line (an answer says how many secrets there are, until when the retiring
ones verify, and the names of the API credentials). A body that does not read is refused
with the field at fault, never with what was sent in it.

Who may call: the platform admin onboards an account (`PlatformAdmin`); the sellers' own
people list and read their accounts (`SellerReader`); a seller admin changes, rotates,
disables, enables and checks their own (`SellerAdmin`). Another seller's account answers
404 as one that does not exist.
"""

import logging
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from services.intake.channels.common import read_json
from services.intake.channels.marketplace import MarketplaceChannel
from services.intake.channels.registry import BY_NAME
from services.intake.domain.account import SIGNING, without_credentials
from services.intake.domain.case import Channel, ChannelError, malformed
from services.intake.handlers.refusals import read_body, refusal
from services.intake.tables import ChannelAccount
from services.intake.workflows.accounts import AccountExists, NoSuchAccount, no_such_account
from services.intake.workflows.context import CurrentIntake, Intake
from shared.identity import PlatformAdmin, Principal, SellerAdmin, SellerReader
from shared.markets import Market
from shared.outbound import Refused, Unavailable

log = logging.getLogger(__name__)

router = APIRouter(prefix="/channel-accounts", tags=["seller onboarding"])

ACCOUNT = ChannelAccount.__table__.c.account
ACCOUNT_NAME = r"^[^/\s]+$"  # it is a path segment of the routes below
LONGEST_GRACE = timedelta(days=30)
# An onboarding body is small; a report or a webhook may be larger.
MOST_BYTES = 64 * 1024


class NewAccount(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel
    account: str = Field(
        min_length=1,
        max_length=255,
        pattern=ACCOUNT_NAME,
        description="the channel's key of the seller: shop domain, eBay user, partner id...",
    )
    seller: str = Field(min_length=1, max_length=200)
    default_market: Market | None = None
    secrets: list[SecretStr] = Field(
        default_factory=list,
        max_length=4,
        description="the secrets its deliveries are signed with, newest first",
    )
    credentials: dict[str, Any] = Field(
        default_factory=dict,
        description="the API credentials its channel needs (access_token, keysets...)",
    )


class AccountChange(BaseModel):
    """Only what is given changes; a credential given as null is removed."""

    model_config = ConfigDict(extra="forbid")

    seller: str | None = Field(default=None, min_length=1, max_length=200)
    default_market: Market | None = None
    credentials: dict[str, Any] | None = None


class Rotation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    secret: SecretStr = Field(description="the new signing secret, verifying from now on")
    grace_seconds: int = Field(
        ge=0,
        le=int(LONGEST_GRACE.total_seconds()),
        description="how long the previous secrets still verify; 0 drops them at once",
    )


async def read_request(request: Request, model: type[BaseModel]) -> Any:
    """The body as `model`, or the ChannelError naming the field at fault."""
    body = await read_body(request, MOST_BYTES)
    return read_json(model, body)


def onboardable(channel: Channel) -> MarketplaceChannel:
    marketplace = BY_NAME.get(channel)
    if marketplace is None:
        raise malformed(f"channel: {channel} has no accounts of its own", "channel")
    return marketplace


def check_api_credentials(credentials: dict[str, Any]) -> None:
    for name in credentials:
        if name in SIGNING:
            raise malformed(
                f"credentials.{name}: secrets are given as `secrets` and rotated",
                f"credentials.{name}",
            )


def refused(intake: Intake, error: ChannelError) -> JSONResponse:
    return refusal(intake.service, "onboarding", error)


def not_found(error: NoSuchAccount) -> HTTPException:
    return HTTPException(404, str(error))


def own(caller: Principal, channel: Channel, account: str) -> None:
    """Another seller's account answers as one that does not exist."""
    if not caller.serves(account):
        raise not_found(no_such_account(channel, account))


def forget_tokens(intake: Intake, channel: Channel, account: str) -> None:
    """OAuth tokens got with the credentials before are not to be used any more."""
    intake.marketplaces.tokens.forget((channel.value, account))


@router.post("", status_code=201, summary="Onboard a seller's channel account")
async def create_account(
    request: Request, intake: CurrentIntake, caller: PlatformAdmin
) -> JSONResponse:
    try:
        new = await read_request(request, NewAccount)
        onboardable(new.channel)
        check_api_credentials(new.credentials)
    except ChannelError as error:
        return refused(intake, error)
    try:
        created = await intake.accounts.create(
            new.channel,
            new.account,
            new.seller,
            new.default_market.value if new.default_market else None,
            [secret.get_secret_value() for secret in new.secrets],
            new.credentials,
        )
    except AccountExists as error:
        raise HTTPException(409, str(error)) from error
    log.info("onboarded %s account %s of seller %s", new.channel, new.account, new.seller)
    return JSONResponse(jsonable_encoder(created), status_code=201)


@router.get("", summary="Channel accounts, without their credentials")
async def list_accounts(
    intake: CurrentIntake,
    caller: SellerReader,
    channel: Channel | None = None,
    seller: Annotated[str | None, Query(min_length=1)] = None,
) -> list[dict[str, Any]]:
    return await intake.accounts.listing(caller.sellers_in(ACCOUNT), channel, seller)


@router.get("/{channel}/{account}", summary="A channel account, without its credentials")
async def get_account(
    channel: Channel, account: str, intake: CurrentIntake, caller: SellerReader
) -> dict[str, Any]:
    own(caller, channel, account)
    try:
        return await intake.accounts.view(channel, account)
    except NoSuchAccount as error:
        raise not_found(error) from error


@router.patch(
    "/{channel}/{account}", summary="Change a channel account's seller, market or API credentials"
)
async def update_account(
    channel: Channel, account: str, request: Request, intake: CurrentIntake, caller: SellerAdmin
) -> JSONResponse:
    own(caller, channel, account)
    try:
        change = await read_request(request, AccountChange)
        if change.credentials is not None:
            check_api_credentials(change.credentials)
    except ChannelError as error:
        return refused(intake, error)
    fields: dict[str, Any] = {}
    if change.seller is not None:
        fields["seller"] = change.seller
    if "default_market" in change.model_fields_set:
        fields["default_market"] = change.default_market.value if change.default_market else None
    try:
        changed = await intake.accounts.update(channel, account, fields, change.credentials)
    except NoSuchAccount as error:
        raise not_found(error) from error
    forget_tokens(intake, channel, account)
    log.info("changed %s account %s: %s", channel, account, ", ".join(change.model_fields_set))
    return JSONResponse(jsonable_encoder(changed))


@router.post("/{channel}/{account}/secrets", summary="Rotate a channel account's signing secret")
async def rotate_secret(
    channel: Channel, account: str, request: Request, intake: CurrentIntake, caller: SellerAdmin
) -> JSONResponse:
    own(caller, channel, account)
    try:
        rotation = await read_request(request, Rotation)
    except ChannelError as error:
        return refused(intake, error)
    grace = timedelta(seconds=rotation.grace_seconds)
    try:
        rotated = await intake.accounts.rotate(
            channel, account, rotation.secret.get_secret_value(), grace
        )
    except NoSuchAccount as error:
        raise not_found(error) from error
    log.info("rotated the secret of %s account %s (grace %s)", channel, account, grace)
    return JSONResponse(jsonable_encoder(rotated))


@router.post("/{channel}/{account}/disable", summary="Refuse a channel account's deliveries")
async def disable_account(
    channel: Channel, account: str, intake: CurrentIntake, caller: SellerAdmin
) -> JSONResponse:
    own(caller, channel, account)
    try:
        disabled = await intake.accounts.disable(channel, account)
    except NoSuchAccount as error:
        raise not_found(error) from error
    forget_tokens(intake, channel, account)
    log.info("disabled %s account %s", channel, account)
    return JSONResponse(jsonable_encoder(disabled))


@router.post("/{channel}/{account}/enable", summary="Accept a disabled account's deliveries again")
async def enable_account(
    channel: Channel, account: str, intake: CurrentIntake, caller: SellerAdmin
) -> JSONResponse:
    own(caller, channel, account)
    try:
        enabled = await intake.accounts.enable(channel, account)
    except NoSuchAccount as error:
        raise not_found(error) from error
    log.info("enabled %s account %s", channel, account)
    return JSONResponse(jsonable_encoder(enabled))


@router.post(
    "/{channel}/{account}/check",
    summary="Check a channel account's API credentials against its marketplace",
)
async def check_account(
    channel: Channel, account: str, intake: CurrentIntake, caller: SellerAdmin
) -> dict[str, Any]:
    """`verified`: true when the marketplace took the credentials, false when it refused
    them (with its reason), null when the channel has no way to check; 503 when the
    marketplace could not be reached."""
    own(caller, channel, account)
    try:
        marketplace = onboardable(channel)
        stored = await intake.accounts.find_even_disabled(channel, account)
    except ChannelError as error:
        raise HTTPException(422, error.detail) from error
    except NoSuchAccount as error:
        raise not_found(error) from error
    answer: dict[str, Any] = {"channel": channel, "account": account}
    if marketplace.check_account is None:
        return {**answer, "verified": None, "detail": f"{channel} has no check of its accounts"}
    try:
        await marketplace.check_account(stored, intake.marketplaces)
    except Unavailable as error:
        detail = without_credentials(str(error), stored.credentials)
        raise HTTPException(503, f"the marketplace could not be reached: {detail}") from error
    except Refused as error:
        detail = without_credentials(str(error), stored.credentials)
        log.info("%s account %s failed its check: %s", channel, account, detail)
        return {**answer, "verified": False, "detail": detail}
    return {**answer, "verified": True, "detail": "the marketplace accepted the credentials"}
