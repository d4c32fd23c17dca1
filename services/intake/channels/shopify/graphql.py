"""Shopify's Admin GraphQL API: one shop's endpoint, and the one way to ask it and read its
answer (https://shopify.dev/docs/api/admin-graphql).

Every call is a POST of `{"query", "variables"}` to
`{https://<shop> | SHOPIFY_ADMIN_BASE_URL}/admin/api/<version>/graphql.json` with the app's
token in `X-Shopify-Access-Token`; a base URL may name the shop as `{shop}`, so that one
server can stand for many shops (the emulator: `http://127.0.0.1:8099/shopify/{shop}`).

What an answer means (https://shopify.dev/docs/api/usage/response-codes):
- an HTTP error status, as `shared.outbound` reads them (401 a revoked or wrong token, 402
  a frozen shop, 403, 404 refused; 429 and 5xx transient);
- a 200 with an `errors` array: refused, except THROTTLED and INTERNAL_SERVER_ERROR, and
  IDEMPOTENCY_CONCURRENT_REQUEST (the same key still running), which are transient. A
  THROTTLED answer's `retry_after` is the time the cost bucket takes to hold the query's
  cost again, from its `extensions.cost` (restore rate, points available and asked for:
  https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits);
- a mutation's `userErrors`: the shop's no to that change (`refused`).
"""

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from shared.outbound import Refused, Unavailable, answer_to, resource_of

SHOPIFY = "Shopify"
API_VERSION = "2026-10"
TRANSIENT_CODES = {"THROTTLED", "INTERNAL_SERVER_ERROR", "IDEMPOTENCY_CONCURRENT_REQUEST"}
PRODUCTION_BASE_URL = "https://{shop}"


class GraphQLModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, frozen=True, populate_by_name=True)


Data = TypeVar("Data", bound=BaseModel)


@dataclass(frozen=True)
class ShopifyAdmin:
    """One shop's Admin API: where it is, and the app's token for it."""

    http: httpx.AsyncClient
    shop_domain: str
    access_token: str
    base_url: str | None = None  # None: the shop's own domain
    api_version: str = API_VERSION

    @property
    def url(self) -> str:
        return graphql_url(self.base_url, self.api_version, self.shop_domain)


def graphql_url(base_url: str | None, api_version: str, shop_domain: str = "") -> str:
    base = (base_url or PRODUCTION_BASE_URL).replace("{shop}", shop_domain)
    return f"{base.rstrip('/')}/admin/api/{api_version}/graphql.json"


class ErrorExtensions(GraphQLModel):
    code: str | None = None


class GraphQLError(GraphQLModel):
    message: str
    extensions: ErrorExtensions | None = None


class ThrottleStatus(GraphQLModel):
    currently_available: float
    restore_rate: float


class Cost(GraphQLModel):
    requested_query_cost: float
    throttle_status: ThrottleStatus


class AnswerExtensions(GraphQLModel):
    cost: Cost | None = None


class Answer(GraphQLModel, Generic[Data]):
    data: Data | None = None
    errors: list[GraphQLError] = []
    extensions: AnswerExtensions | None = None


class UserError(GraphQLModel):
    """A mutation's refusal: `UserError` (field, message) or a typed one with a `code`."""

    field: list[str] | None = None
    message: str
    code: str | None = None


async def ask(
    admin: ShopifyAdmin,
    data: type[Data],
    query: str,
    variables: dict[str, Any],
    what: str,
    unreadable: type[Refused] | type[Unavailable] = Refused,
) -> Data:
    """The answer's `data` as `data`; `unreadable` for a 2xx that is not the documented
    answer (Unavailable where the call may have taken effect: money moved)."""
    request = admin.http.build_request(
        "POST",
        admin.url,
        json={"query": query, "variables": variables},
        headers={"X-Shopify-Access-Token": admin.access_token},
    )
    response = await answer_to(admin.http, request, SHOPIFY, what)
    answer = resource_of(Answer[data], response, SHOPIFY, what, unreadable)
    if answer.errors:
        raise graphql_failure(answer)
    if answer.data is None:
        raise unreadable(SHOPIFY, f"the answer for {what} has neither data nor errors")
    return answer.data


def graphql_failure(answer: Answer) -> Refused | Unavailable:
    codes = {error.extensions.code for error in answer.errors if error.extensions}
    messages = "; ".join(error.message for error in answer.errors)
    if codes & TRANSIENT_CODES:
        return Unavailable(SHOPIFY, messages, retry_after=refill_seconds(answer))
    named = ", ".join(sorted(code for code in codes if code)) or "GraphQL errors"
    return Refused(SHOPIFY, f"{named}: {messages}")


def refill_seconds(answer: Answer) -> float | None:
    """How long the bucket takes to hold the query's cost again, when Shopify says."""
    cost = answer.extensions.cost if answer.extensions else None
    if cost is None or cost.throttle_status.restore_rate <= 0:
        return None
    missing = cost.requested_query_cost - cost.throttle_status.currently_available
    return max(missing, 0) / cost.throttle_status.restore_rate


def refused(user_errors: list[UserError], what: str) -> Refused:
    """The shop's no to a mutation, in its own words; the first code, if typed."""
    said = "; ".join(
        f"{'.'.join(error.field)}: {error.message}" if error.field else error.message
        for error in user_errors
    )
    code = next((error.code for error in user_errors if error.code), None)
    return Refused(SHOPIFY, f"{what} refused: {said}", code=code)


def gid(kind: str, id_or_gid: str) -> str:
    """A numeric id as the global id of a `kind` (Order, Return...); a global id as it is."""
    value = id_or_gid.strip()
    return f"gid://shopify/{kind}/{value}" if value.isdigit() else value


def legacy_id(global_id: str) -> str:
    """The numeric id webhooks use: the last part of gid://shopify/<Type>/<id>."""
    return global_id.rsplit("/", 1)[-1]
