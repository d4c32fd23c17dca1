"""What fulfillment's EasyPost adapters share (`carrier_labels.py`, `carrier_pickups.py`):
the call with the API key, the reading of EasyPost's errors, and addresses as it takes them.

Authentication (docs.easypost.com, Authentication): HTTP basic auth, the API key as the user
name and an empty password, on every call. Errors (docs.easypost.com, Errors): a 4xx or
5xx with `{"error": {"code", "message", "errors": [{"field", "message"}]}}`.

How answers are read (`shared.outbound`): no answer in time, no connection, 408, 425, 429
and 5xx are `Unavailable` (after `retry_after` seconds when EasyPost says); any other
non-2xx (401 a bad key, 402 no funds, 404, 422 an invalid request or a carrier's refusal)
is `Refused` with the status, EasyPost's message (and its first field error) and its code.
The key never appears in an error or a log line.
"""

from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from shared.labels import PostalAddress
from shared.outbound import Refused, Unavailable, answer_to, excerpt, resource_of

SYSTEM = "EasyPost"
Resource = TypeVar("Resource", bound=BaseModel)


class EasyPostApi:
    """EasyPost behind `client`, whose base_url (EasyPost's host, `/v2/...` paths below it)
    and timeout the caller sets."""

    def __init__(self, client: httpx.AsyncClient, api_key: str) -> None:
        if not api_key.strip():
            raise ValueError("EasyPost needs an API key")
        self.client = client
        self._auth = httpx.BasicAuth(api_key, "")

    async def call(
        self,
        model: type[Resource],
        method: str,
        path: str,
        what: str,
        body: dict[str, Any] | None = None,
        unreadable: type[Refused] | type[Unavailable] = Refused,
    ) -> Resource:
        """The answer as `model`, or the shared.outbound error saying whether to retry."""
        request = self.client.build_request(method, path, json=body)
        answer = await answer_to(
            self.client, request, SYSTEM, what, auth=self._auth, reason_of=error_of
        )
        return resource_of(model, answer, SYSTEM, what, unreadable=unreadable)


def error_of(response: httpx.Response) -> tuple[str | None, str]:
    """EasyPost's `error.code` and `error.message` (with its first field's own words),
    else no code and the start of the body."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        error = None
    if not isinstance(error, dict):
        return None, excerpt(response)
    code = error.get("code") if isinstance(error.get("code"), str) else None
    message = error.get("message") if isinstance(error.get("message"), str) else ""
    fields = error.get("errors") if isinstance(error.get("errors"), list) else []
    first = fields[0] if fields else None
    if isinstance(first, dict) and first.get("field"):
        message = f"{message} ({first['field']}: {first.get('message', '')})".strip()
    elif isinstance(first, str):
        message = f"{message} ({first})".strip()
    return code, message.strip() or code or excerpt(response)


def wire_address(address: PostalAddress) -> dict[str, str | None]:
    """An Address as EasyPost takes it. A warehouse's city written "Boston, MA" gives its
    state."""
    city, state = address.city, address.region
    if state is None and ", " in city:
        place, _, region = city.rpartition(", ")
        if region.isalpha() and region.isupper() and len(region) <= 3:
            city, state = place, region
    return {
        "name": address.name,
        "street1": address.line1,
        "street2": address.line2,
        "city": city,
        "state": state,
        "zip": address.postal_code,
        "country": address.country_code,
    }
