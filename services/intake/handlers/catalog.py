"""The seller's catalog (`workflows/catalog.py`): listed and read by the sellers' own
people (`SellerReader`, their accounts' products only), imported from a marketplace or
uploaded as CSV by a seller admin (`SellerAdmin`, their own accounts), and kept up to date
by Shopify's products/create and products/update webhooks.

- `GET /catalog/products`: the products of the caller's accounts, each with its variants
  (`?account=`, `?category=`, `?sku=` narrow it);
- `GET /catalog/products/{account}/{product_id}`: one; another seller's answers 404;
- `POST /catalog/imports` `{"channel", "account"}`: reads the account's listings from its
  marketplace, every page, while the request waits; answers what was read. 502 when the
  marketplace refused (its reason), 503 when it is down (the pages read stay);
- `POST /catalog/uploads/{channel}/{account}` (a CSV body, `domain/catalog_csv.py`): all
  or nothing: 422 with every bad row's line and reason, nothing applied;
- `POST /webhooks/shopify/products`: signed as every Shopify webhook (HMAC of the body with
  the app's secret, `channels/shopify/webhook.py`); an unknown shop is answered as a bad
  signature. Applied at once (an upsert: a redelivery changes nothing), with the product's
  localised titles and option values read from the shop's Admin GraphQL API
  (`products_api.product_localised`);
  when the shop cannot be read (or not within `TRANSLATIONS_WAIT_SECONDS`, Shopify waiting
  5 s for the answer), the webhook's own title is kept and the translations stay as the
  last import or webhook read them.
"""

import asyncio
import logging
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import select

from services.intake.channels.common import read_json
from services.intake.channels.registry import BY_NAME
from services.intake.channels.shopify.channel import admin_of
from services.intake.channels.shopify.products_api import (
    PRODUCT_TOPICS,
    HookProduct,
    Localised,
    hook_variants,
    product_localised,
)
from services.intake.domain.account import Account
from services.intake.domain.case import Channel, ChannelError
from services.intake.domain.catalog_csv import CsvRefused, read_catalog
from services.intake.handlers.refusals import read_body, refusal
from services.intake.handlers.webhooks import as_forged
from services.intake.workflows import catalog
from services.intake.workflows.catalog_imports import import_catalog
from services.intake.workflows.context import CurrentIntake, Intake
from shared.identity import SellerAdmin, SellerReader, public
from shared.markets import CURRENCY_OF, Market
from shared.outbound import Refused, Unavailable

log = logging.getLogger(__name__)

router = APIRouter(prefix="/catalog", tags=["seller catalog"])
# Under /webhooks, with the marketplaces' other webhooks: what the edge lets in unsigned-in.
hooks = APIRouter(prefix="/webhooks", tags=["marketplace webhooks"])
PRODUCTS, VARIANTS = catalog.PRODUCTS, catalog.VARIANTS
MOST_CSV_BYTES = 16 * 1024 * 1024
MOST_LISTED = 500
# Shopify waits 5 s for a webhook's answer: the translations are read within this, or left
# (a throttled shop is not waited out here, as an import waits it out).
TRANSLATIONS_WAIT_SECONDS = 3.0


class ImportAsked(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel
    account: str


@router.get("/products", summary="The products of the caller's seller accounts")
async def list_products(
    intake: CurrentIntake,
    caller: SellerReader,
    account: str | None = None,
    category: str | None = None,
    sku: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MOST_LISTED)] = 100,
) -> list[dict[str, Any]]:
    query = select(PRODUCTS).where(caller.sellers_in(PRODUCTS.c.account))
    if account:
        query = query.where(PRODUCTS.c.account == account)
    if category:
        query = query.where(PRODUCTS.c.category == category.lower())
    if sku:
        having = select(VARIANTS.c.product_id).where(
            VARIANTS.c.sku == sku, VARIANTS.c.account == PRODUCTS.c.account
        )
        query = query.where(PRODUCTS.c.product_id.in_(having))
    query = query.order_by(PRODUCTS.c.account, PRODUCTS.c.product_id).limit(limit)
    async with intake.service.transaction() as session:
        products = [dict(row) for row in (await session.execute(query)).mappings()]
        return [await with_variants(session, product) for product in products]


@router.get("/products/{account}/{product_id:path}", summary="One product with its variants")
async def get_product(
    account: str, product_id: str, intake: CurrentIntake, caller: SellerReader
) -> dict[str, Any]:
    if not caller.serves(account):
        raise HTTPException(404, f"no product {product_id} of account {account}")
    async with intake.service.transaction() as session:
        row = (
            (
                await session.execute(
                    select(PRODUCTS).where(
                        PRODUCTS.c.account == account,
                        PRODUCTS.c.product_id == product_id,
                        caller.sellers_in(PRODUCTS.c.account),
                    )
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            raise HTTPException(404, f"no product {product_id} of account {account}")
        return await with_variants(session, dict(row))


async def with_variants(session, product: dict[str, Any]) -> dict[str, Any]:
    rows = await session.execute(
        select(VARIANTS)
        .where(
            VARIANTS.c.account == product["account"],
            VARIANTS.c.product_id == product["product_id"],
        )
        .order_by(VARIANTS.c.sku)
    )
    variants = [
        {k: v for k, v in row.items() if k not in ("account", "seller", "channel", "product_id")}
        for row in rows.mappings()
    ]
    return {**product, "variants": variants}


@router.post("/imports", summary="Import an account's catalog from its marketplace")
async def start_import(
    request: Request, intake: CurrentIntake, caller: SellerAdmin
) -> JSONResponse:
    try:
        asked = read_json(ImportAsked, await read_body(request, 4096))
    except ChannelError as error:
        return refusal(intake.service, "catalog", error)
    found = await intake.accounts.find(asked.channel, asked.account)
    if found is None or not caller.serves(asked.account):
        raise HTTPException(404, f"no {asked.channel} account {asked.account}")
    try:
        imported = await import_catalog(intake, found)
    except Unavailable as error:
        return JSONResponse({"error": "marketplace_unavailable", "detail": str(error)}, 503)
    except Refused as error:
        return JSONResponse({"error": "marketplace_refused", "detail": str(error)}, 502)
    log.info("imported %s variants of %s %s", imported.variants, asked.channel, asked.account)
    return JSONResponse(imported.__dict__)


@router.post("/uploads/{channel}/{account}", summary="Upload an account's catalog as CSV")
async def upload_csv(
    channel: Channel, account: str, request: Request, intake: CurrentIntake, caller: SellerAdmin
) -> JSONResponse:
    if not caller.serves(account):
        raise HTTPException(404, f"no {channel} account {account}")
    try:
        body = await read_body(request, MOST_CSV_BYTES)
        text = body.decode("utf-8-sig")
    except ChannelError as error:
        return refusal(intake.service, "catalog", error)
    except UnicodeDecodeError:
        return JSONResponse({"error": "not_utf8", "detail": "the file is not UTF-8 text"}, 422)
    try:
        variants = read_catalog(text)
    except CsvRefused as refused:
        bad = [{"line": row.line, "reason": row.reason} for row in refused.bad]
        return JSONResponse({"error": "bad_rows", "applied": 0, "bad_rows": bad}, 422)
    async with intake.service.transaction() as session:
        seller = await catalog.seller_of(session, channel.value, account)
        count = await catalog.store(
            session, channel.value, account, seller, variants, datetime.now(UTC)
        )
    return JSONResponse({"applied": count, "products": len({v.product_id for v in variants})})


@hooks.post(
    "/shopify/products",
    summary="Shopify's products/create and products/update",
    dependencies=[public("signed by Shopify")],
)
async def shopify_product_webhook(request: Request) -> JSONResponse:
    intake: Intake = request.app.state.service.context
    shopify = BY_NAME[Channel.SHOPIFY]
    try:
        body = await read_body(request, intake.service.settings.webhook_max_body_bytes)
        headers, now = request.headers, datetime.now(UTC)
        shop = shopify.account_of(headers, body)
        account = await intake.accounts.find(Channel.SHOPIFY, shop)
        if account is None:
            return refusal(
                intake.service,
                "shopify",
                as_forged(shopify, headers, body, shop, now, request),
                counted_as="unknown_account",
            )
        shopify.verify(headers, body, account, now, request)
    except ChannelError as error:
        return refusal(intake.service, "shopify", error)
    topic = headers.get("x-shopify-topic", "")
    if topic not in PRODUCT_TOPICS:
        return JSONResponse({"accepted": False, "ignored": topic}, 200)
    try:
        product = HookProduct.model_validate_json(body)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        return JSONResponse({"error": "invalid_payload", "field": where}, 422)
    localised = await localised_words(intake, account, product)
    async with intake.service.transaction() as session:
        currency = await shop_currency(session, account.account, account.default_market)
        count = await catalog.store(
            session,
            Channel.SHOPIFY.value,
            account.account,
            account.seller,
            hook_variants(product, currency, localised),
            now,
        )
    return JSONResponse({"accepted": True, "variants": count}, 200)


async def localised_words(
    intake: Intake, account: Account, product: HookProduct
) -> Localised | None:
    """The product's titles and option values by language from the shop; None when the
    shop cannot be read now (the webhook is applied all the same, and the next import
    completes it)."""
    try:
        admin = admin_of(account, intake.marketplaces)
        async with asyncio.timeout(TRANSLATIONS_WAIT_SECONDS):
            return await product_localised(admin, product.admin_graphql_api_id, product.title)
    except (Refused, Unavailable, TimeoutError) as error:
        log.warning("product %s: translations not read: %s", product.admin_graphql_api_id, error)
        return None


async def shop_currency(session, shop: str, market: str | None) -> str | None:
    """The currency the shop's prices are in (a webhook does not say): its market's, else
    the one its last import read; None: the webhook's prices are left aside."""
    if market:
        return CURRENCY_OF[Market(market)].value
    prices = await session.scalar(
        select(VARIANTS.c.prices)
        .where(VARIANTS.c.account == shop, VARIANTS.c.prices != {})
        .limit(1)
    )
    return next((price["currency"] for price in (prices or {}).values()), None)
