"""Shopify (`/shopify`): the Admin GraphQL API of any shop, as intake's Shopify channel
calls it (`services/intake/channels/shopify/`).

    POST /shopify/{shop domain}/admin/api/{version}/graphql.json

SHOPIFY_ADMIN_BASE_URL points at `/shopify/{shop}`: intake puts the account's shop domain
in place of `{shop}`, so one emulator serves every shop, each with its own returns, refunds
and cost bucket. As Shopify answers (https://shopify.dev/docs/api/admin-graphql,
https://shopify.dev/docs/api/usage/response-codes):
- the `X-Shopify-Access-Token` must be an Admin API token (`shpat_`, `shpca_`, `shppa_` or
  `shpua_`): otherwise 401 `{"errors": "[API] Invalid API key or access token ..."}`;
- a body without a `query` is 400 `{"errors": {"query": "Required parameter missing or
  invalid"}}`; an unknown version 404; a document that does not parse or does not fit the
  schema a 200 with `errors` (what the schema holds: `schema.py`);
- every answer carries `extensions.cost`; a query whose requested cost is more than the
  bucket holds is answered `THROTTLED`, without data (2,000 points, 100 restored a second);
- any order id is an order (`orders.py`); a return is known once the emulator is told of it
  (below), as Shopify knows a return once the buyer asked for it;
- every product has variants (`orders.variants_of`): clothing in sizes, the rest in
  colours, one cheaper, one dearer, one dearer than an exchange's usual cap, one sold out;
  the variant orders sell is the product's own SKU;
- every shop lists the demo catalogue (`catalogue.py`) in `products`, paged by cursor, each
  variant with its `inventoryItem` (HS code, origin, weight); Amazon, eBay and Walmart list
  the same catalogue their own way (`deploy/emulators/listings.py`).

For tests and demos, under `/_emulator/shopify`:
- `POST /{shop}/returns`: the shop has this return, given as a returns/* webhook body
  (its status, order and lines); its order then has the lines it names. 201;
- `PUT /{shop}/bucket` `{"currently_available": 0, "restore_rate": 1}`: drain the bucket;
- `GET /refunds`: every refund made, in order (the ledger: shop, order, amount, currency,
  note, idempotency key); `GET /gift-cards`: every gift card made (code, value, note);
  `GET /return-actions`: every approval, decline, cancel, close.
Outages, error statuses and slow answers come from faults.py, as for every system
(`PUT /_emulator/faults/shopify`).
"""

import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Header, Request
from fastapi.responses import JSONResponse
from graphql import GraphQLError, OperationType, execute_sync, get_operation_ast, parse, validate
from pydantic import BaseModel, Field, ValidationError

from deploy.emulators.shopify.nodes import ShopNodes, resolve_field
from deploy.emulators.shopify.schema import SCHEMA, actual_cost, requested_cost
from deploy.emulators.shopify.shops import ReturnPayload, Shops

router = APIRouter(tags=["Shopify Admin API"])
SETTINGS = {"SHOPIFY_ADMIN_BASE_URL": "/shopify/{shop}"}

TOKEN_PREFIXES = ("shpat_", "shpca_", "shppa_", "shpua_")
VERSION = re.compile(r"^(\d{4}-\d{2}|unstable)$")
INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"


def install(app: FastAPI, now: Callable[[], datetime]) -> None:
    app.state.shopify = Shops(now)


class GraphQLRequest(BaseModel):
    query: str = Field(min_length=1)
    variables: dict[str, Any] | None = None
    operation_name: str | None = Field(default=None, alias="operationName")


@router.post("/shopify/{shop}/admin/api/{version}/graphql.json")
async def admin_graphql(
    shop: str,
    version: str,
    request: Request,
    access_token: Annotated[str | None, Header(alias="X-Shopify-Access-Token")] = None,
) -> JSONResponse:
    """One GraphQL document against the shop, answered as Shopify answers it."""
    if not VERSION.match(version):
        return JSONResponse({"errors": "Not Found"}, 404)
    if not access_token or not access_token.startswith(TOKEN_PREFIXES):
        return JSONResponse({"errors": INVALID_TOKEN}, 401)
    try:
        asked = GraphQLRequest.model_validate_json(await request.body())
    except ValidationError:
        return JSONResponse({"errors": {"query": "Required parameter missing or invalid"}}, 400)
    return JSONResponse(answer(request.app.state.shopify, shop, asked))


def answer(shops: Shops, domain: str, asked: GraphQLRequest) -> dict[str, Any]:
    try:
        document = parse(asked.query)
    except GraphQLError as error:
        return {"errors": [error.formatted]}
    invalid = validate(SCHEMA, document)
    if invalid:
        return {"errors": [error.formatted for error in invalid]}
    variables = asked.variables or {}
    bucket = shops.shop(domain).bucket
    requested = requested_cost(document, variables, asked.operation_name)
    if requested > bucket.available:
        return throttled(requested, bucket.status())
    nodes = ShopNodes(shops, domain)
    result = execute_sync(
        SCHEMA,
        document,
        root_value=nodes.root(),
        variable_values=variables,
        operation_name=asked.operation_name,
        field_resolver=resolve_field,
    )
    operation = get_operation_ast(document, asked.operation_name)
    mutation = operation is not None and operation.operation == OperationType.MUTATION
    actual = min(actual_cost(result.data, mutation), requested)
    bucket.take(actual)
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    cost = {"requestedQueryCost": requested, "actualQueryCost": actual}
    body["extensions"] = {"cost": {**cost, "throttleStatus": bucket.status()}}
    return body


def throttled(requested: int, status: dict[str, float]) -> dict[str, Any]:
    return {
        "errors": [
            {
                "message": "Throttled",
                "extensions": {
                    "code": "THROTTLED",
                    "documentation": "https://shopify.dev/api/usage/rate-limits",
                },
            }
        ],
        "extensions": {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": None,
                "throttleStatus": status,
            }
        },
    }


# What tests and demos tell the emulator, and read back from it


class BucketLevel(BaseModel):
    currently_available: float = Field(ge=0)
    restore_rate: float | None = Field(default=None, gt=0)


@router.post("/_emulator/shopify/{shop}/returns", status_code=201, tags=["Shopify ledger"])
async def adopt_return(shop: str, request: Request) -> JSONResponse:
    """The shop has this return (a returns/* webhook body): status, order and lines."""
    try:
        payload = ReturnPayload.model_validate_json(await request.body())
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        return JSONResponse({"detail": f"not a Shopify return: {where}: {first['msg']}"}, 422)
    adopted = request.app.state.shopify.adopt(shop, payload)
    return JSONResponse(
        {
            "return_id": f"gid://shopify/Return/{adopted.return_id}",
            "order_id": adopted.order_id,
            "status": adopted.status,
        },
        201,
    )


@router.put("/_emulator/shopify/{shop}/bucket", status_code=204, tags=["Shopify ledger"])
async def set_bucket(shop: str, level: BucketLevel, request: Request) -> None:
    """Drain (or fill) the shop's cost bucket: the next costly query is THROTTLED."""
    request.app.state.shopify.shop(shop).bucket.set(level.currently_available, level.restore_rate)


@router.get("/_emulator/shopify/refunds", tags=["Shopify ledger"])
async def refunds_made(request: Request) -> dict[str, list]:
    return {"refunds": [refund.ledger_entry() for refund in request.app.state.shopify.refunds]}


@router.get("/_emulator/shopify/gift-cards", tags=["Shopify ledger"])
async def gift_cards(request: Request) -> dict:
    """Every gift card made, in order: shop, id, code, value, note."""
    return {
        "gift_cards": [
            {
                "shop": card.shop,
                "gift_card_id": f"gid://shopify/GiftCard/{card.card_id}",
                "code": card.code,
                "amount": str(card.amount),
                "currency": card.currency,
                "note": card.note,
            }
            for card in request.app.state.shopify.gift_cards
        ]
    }


@router.get("/_emulator/shopify/return-actions", tags=["Shopify ledger"])
async def return_actions(request: Request) -> dict[str, list]:
    return {"actions": list(request.app.state.shopify.return_actions)}
