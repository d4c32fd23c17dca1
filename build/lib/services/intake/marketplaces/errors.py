"""Why a marketplace API did not give what intake asked for: try again later, or never.

The rule both clients follow: no answer in time, no connection, 408, 429 and 5xx are
`MarketplaceUnavailable`, worth retrying later; any other non-2xx (401, 403, 404...) and
a 2xx whose body is not the documented resource are `MarketplaceRefused`, and retrying
the same call will not help.
"""

from typing import TypeVar

import httpx
from pydantic import BaseModel, ValidationError

Resource = TypeVar("Resource", bound=BaseModel)

TRANSIENT_STATUSES = {408, 429}
EXCERPT_CHARS = 300


class MarketplaceError(Exception):
    """A marketplace call that failed; `status` is the HTTP status when there was one."""

    def __init__(self, marketplace: str, reason: str, status: int | None = None):
        super().__init__(f"{marketplace}: {reason}")
        self.marketplace = marketplace
        self.reason = reason
        self.status = status


class MarketplaceUnavailable(MarketplaceError):
    """Transient: throttled, down or too slow; retry later, after `retry_after` seconds if known."""

    def __init__(
        self,
        marketplace: str,
        reason: str,
        status: int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(marketplace, reason, status)
        self.retry_after = retry_after


class MarketplaceRefused(MarketplaceError):
    """Permanent: credentials, scope, an unknown resource, an unexpected answer; `reason` says."""


async def answer_to(
    client: httpx.AsyncClient, request: httpx.Request, marketplace: str, what: str
) -> httpx.Response:
    """The 2xx answer to `request`, or the error that says whether to retry; `what` names it."""
    try:
        response = await client.send(request)
    except httpx.TimeoutException as error:
        raise MarketplaceUnavailable(marketplace, f"no answer in time for {what}") from error
    except httpx.TransportError as error:
        raise MarketplaceUnavailable(marketplace, f"unreachable for {what}: {error!r}") from error
    ensure_success(response, marketplace, what)
    return response


def ensure_success(response: httpx.Response, marketplace: str, what: str) -> None:
    status = response.status_code
    if response.is_success:
        return
    if status in TRANSIENT_STATUSES or status >= 500:
        raise MarketplaceUnavailable(
            marketplace,
            f"answered {status} for {what}; try again later",
            status,
            retry_after_of(response),
        )
    raise MarketplaceRefused(
        marketplace, f"answered {status} for {what}: {excerpt(response)}", status
    )


def resource_of(
    model: type[Resource], response: httpx.Response, marketplace: str, what: str
) -> Resource:
    """The body as `model`: a body that is not the documented resource will not become one later."""
    try:
        return model.model_validate_json(response.content)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        reason = f"the answer for {what} is not the documented resource: {where}: {first['msg']}"
        raise MarketplaceRefused(marketplace, reason, response.status_code) from error


def retry_after_of(response: httpx.Response) -> float | None:
    """The Retry-After header in seconds; its HTTP-date form is rare enough to ignore."""
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None


def excerpt(response: httpx.Response) -> str:
    return response.text[:EXCERPT_CHARS].strip() or response.reason_phrase
