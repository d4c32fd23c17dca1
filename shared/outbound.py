"""Calls to outside APIs, and the one way to say why one did not give what was asked.

Every adapter (marketplaces, carriers, the refund API, another service's lookup) raises one
of two errors, whatever the other side is:
- `Unavailable`: no answer in time, no connection, 408, 425, 429 or 5xx: try again later,
  after `retry_after` seconds when the other side said;
- `Refused`: any other non-2xx (401, 403, 404, 422...): the same call will never succeed;
  `reason` carries the other side's own words and `code` its error code when it gave one.
A 2xx whose body is not the documented resource is `Refused` by default; an adapter where
the call may have taken effect anyway (money moved) makes it `Unavailable`, so that only a
retry with the same idempotency key can tell.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import httpx
from pydantic import BaseModel, ValidationError

Resource = TypeVar("Resource", bound=BaseModel)

TRANSIENT_STATUSES = frozenset({408, 425, 429})
EXCERPT_CHARS = 300


class OutboundError(Exception):
    """A call to `system` that failed; `status` is the HTTP status when there was one."""

    def __init__(self, system: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{system}: {reason}")
        self.system = system
        self.reason = reason
        self.status = status


class Unavailable(OutboundError):
    """Transient: throttled, down or too slow; retry later, after `retry_after` s if known."""

    def __init__(
        self,
        system: str,
        reason: str,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(system, reason, status)
        self.retry_after = retry_after


class Refused(OutboundError):
    """Permanent: the other side said no (`reason`, its `code`), or answered nonsense."""

    def __init__(
        self, system: str, reason: str, status: int | None = None, code: str | None = None
    ) -> None:
        super().__init__(system, reason, status)
        self.code = code


ReasonOf = Callable[[httpx.Response], tuple[str | None, str]]


def excerpt(response: httpx.Response) -> str:
    return response.text[:EXCERPT_CHARS].strip() or response.reason_phrase


def plain_reason(response: httpx.Response) -> tuple[str | None, str]:
    """No error code; the start of the body as the reason."""
    return None, excerpt(response)


async def answer_to(
    client: httpx.AsyncClient,
    request: httpx.Request,
    system: str,
    what: str,
    *,
    auth: httpx.Auth | None = None,
    reason_of: ReasonOf = plain_reason,
) -> httpx.Response:
    """The 2xx answer to `request`, or the error that says whether to retry; `what` names
    the call in the error; `reason_of` reads the other side's error body."""
    try:
        response = await client.send(request, auth=auth) if auth else await client.send(request)
    except httpx.TimeoutException as error:
        raise Unavailable(system, f"no answer in time for {what}") from error
    except httpx.TransportError as error:
        raise Unavailable(system, f"unreachable for {what}: {error!r}") from error
    ensure_success(response, system, what, reason_of)
    return response


def ensure_success(
    response: httpx.Response, system: str, what: str, reason_of: ReasonOf = plain_reason
) -> None:
    status = response.status_code
    if response.is_success:
        return
    if status in TRANSIENT_STATUSES or status >= 500:
        _, said = reason_of(response)
        raise Unavailable(
            system,
            f"answered {status} for {what}: {said}; try again later",
            status,
            retry_after_of(response),
        )
    code, reason = reason_of(response)
    raise Refused(system, f"answered {status} for {what}: {reason}", status, code)


def resource_of(
    model: type[Resource],
    response: httpx.Response,
    system: str,
    what: str,
    unreadable: type[Refused] | type[Unavailable] = Refused,
) -> Resource:
    """The body as `model`; otherwise `unreadable` (Refused: a body that is not the
    documented resource will not become one later), naming the first field at fault."""
    try:
        return model.model_validate_json(response.content)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        reason = f"the answer for {what} is not the documented resource: {where}: {first['msg']}"
        raise unreadable(system, reason, response.status_code) from error


def retry_after_of(response: httpx.Response) -> float | None:
    """The Retry-After header in seconds, in either of its forms: seconds or an HTTP date."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return _seconds_until(value)


def _seconds_until(http_date: str) -> float | None:
    try:
        moment = parsedate_to_datetime(http_date)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max((moment - datetime.now(UTC)).total_seconds(), 0.0)
