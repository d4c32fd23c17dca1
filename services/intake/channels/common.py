"""What every channel's webhook needs: its headers and JSON body read into models, and its
signature and freshness checked.

The readers turn a body or headers into a pydantic model, or into the `ChannelError` to
answer (400 not JSON, 422 naming the field at fault). The signing helpers check HMAC-SHA256
signatures against several secrets: a channel keeps more than one while it rotates them,
and a delivery signed with any of them is genuine. Pure: no I/O.
"""

import base64
import hashlib
import hmac
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from services.intake.domain.case import ChannelError, forged, malformed, stale

Model = TypeVar("Model", bound=BaseModel)

FRESHNESS = timedelta(minutes=5)

Signer = Callable[[str, bytes], str]


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header's value, whatever the case of its name (HTTP header names are case-insensitive)."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def required_header(headers: Mapping[str, str], name: str) -> str:
    """A header every genuine delivery carries: without it, the delivery is not the channel's."""
    value = header(headers, name)
    if not value:
        raise forged(f"missing {name} header")
    return value


def lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    return {key.lower(): value for key, value in headers.items()}


def read_json(model: type[Model], body: bytes) -> Model:
    """The body as `model`: 400 when it is not JSON, 422 naming the first field at fault."""
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        if error.errors()[0]["type"] == "json_invalid":
            raise ChannelError(400, "malformed_json", "the body is not JSON") from error
        raise invalid(error) from error


def read_headers(model: type[Model], headers: Mapping[str, str]) -> Model:
    """The headers as `model`, whose field aliases are the header names in lower case."""
    try:
        return model.model_validate(lower_keys(headers))
    except ValidationError as error:
        raise invalid(error) from error


def invalid(error: ValidationError) -> ChannelError:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    return malformed(f"{field or 'body'}: {first['msg']}", field)


def hmac_sha256_base64(secret: str, message: bytes) -> str:
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def hmac_sha256_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_by_any(signature: str, message: bytes, secrets: Sequence[str], sign: Signer) -> bool:
    # Every secret is tried, even after a match, so the time taken says nothing about which.
    matches = [
        hmac.compare_digest(sign(secret, message).encode(), signature.encode())
        for secret in secrets
    ]
    return any(matches)


def ensure_signed(
    signature: str, message: bytes, secrets: Sequence[str], sign: Signer, channel: str
) -> None:
    if not signed_by_any(signature, message, secrets, sign):
        raise forged(f"the {channel} signature does not match")


def unix_time(value: str, name: str) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (ValueError, OverflowError, OSError) as error:
        raise forged(f"{name} is not a time in unix seconds") from error


def ensure_fresh(sent_at: datetime, now: datetime, window: timedelta = FRESHNESS) -> None:
    """A replayed delivery is refused: its time must be within `window` of now, either way."""
    if abs(now - sent_at) > window:
        raise stale(f"sent at {sent_at.isoformat()}, more than {window} from now")
