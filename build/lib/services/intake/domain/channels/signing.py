"""Signature helpers the channel adapters share: HMAC-SHA256, several secrets, freshness.

A channel keeps more than one secret while it rotates them: a delivery signed with
any of them is genuine.
"""

import base64
import hashlib
import hmac
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from services.intake.domain.case import forged, stale

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
