"""What every call to Walmart's Marketplace API shares: its hosts, the headers it requires and
how its answers say no.

Headers (https://developer.walmart.com/us-marketplace/docs/authentication-authorization):
`WM_SEC.ACCESS_TOKEN` (a token of the Token API, `token_api.py`), `WM_QOS.CORRELATION_ID`
(a new GUID per call, to trace it with Walmart) and `WM_SVC.NAME`.

Errors (https://developer.walmart.com/us-marketplace/docs/error-codes): once the gateway
is reached, a JSON body `{"errors": [{"code", "field", "description" or "message",
"info", "severity", "category", "causes"}]}` (the gateway's own answers say `"error"`);
without the gateway only a status (503). 401 is a token missing, expired or revoked; 429
(REQUEST_THRESHOLD_VIOLATED) is throttling (https://developer.walmart.com/us-marketplace/docs/
throttling): Walmart documents no Retry-After, so the caller's backoff decides when to try
again unless one is sent. Statuses are read as `shared.outbound` reads them; `reason_of`
gives the code and words of the body.
"""

from uuid import uuid4

import httpx
from pydantic import BaseModel, ValidationError

from shared.outbound import excerpt

WALMART = "Walmart"
PRODUCTION = "https://marketplace.walmartapis.com"
SANDBOX = "https://sandbox.walmartapis.com"
SERVICE_NAME = "Walmart Marketplace"


def walmart_headers(access_token: str | None = None) -> dict[str, str]:
    """The headers of one call: a fresh correlation id each time."""
    headers = {
        "WM_QOS.CORRELATION_ID": str(uuid4()),
        "WM_SVC.NAME": SERVICE_NAME,
        "Accept": "application/json",
    }
    if access_token is not None:
        headers["WM_SEC.ACCESS_TOKEN"] = access_token
    return headers


def url(base_url: str, path: str) -> str:
    return f"{base_url.rstrip('/')}{path}"


class Error(BaseModel):
    code: str | None = None
    field: str | None = None
    description: str | None = None
    message: str | None = None
    info: str | None = None


class Errors(BaseModel):
    errors: list[Error] = []
    error: list[Error] = []


def reason_of(response: httpx.Response) -> tuple[str | None, str]:
    """Walmart's error code and its words, else the start of the body."""
    try:
        said = Errors.model_validate_json(response.content)
    except ValidationError:
        return None, excerpt(response)
    first = next(iter(said.errors or said.error), None)
    if first is None:
        return None, excerpt(response)
    words = first.description or first.message or first.info or first.code or ""
    where = f" ({first.field})" if first.field else ""
    return first.code, f"{first.code}: {words}{where}" if first.code else words
