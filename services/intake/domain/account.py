"""A seller's account on one channel: which seller a delivery is for, and the credentials
its deliveries are verified with (`secrets`) and completed with (API tokens). Pure data and
rules; `workflows/accounts.py` keeps them.

The credentials, sealed at rest as one JSON object:

    {"secrets": ["<newest>", ...],                              verify deliveries
     "retiring": [{"secret": "<older>", "until": "<ISO time>"}], still verify until then
     "access_token": "...", "keysets": [...], ...}               the channel's API credentials

A rotation puts the new secret first and retires the current ones for a grace period (or
drops them at once); a secret whose grace has run out verifies nothing. Secrets and API
credentials are written, never shown: `described` says how many and which, not what.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.intake.domain.case import Channel

SECRETS = "secrets"
RETIRING = "retiring"
# Keys of the credentials that are not the channel's API credentials.
SIGNING = frozenset({SECRETS, RETIRING})


@dataclass(frozen=True)
class Account:
    channel: Channel
    account: str  # the channel's key of the seller: shop domain, eBay user, partner id...
    seller: str
    default_market: str | None
    credentials: dict[str, Any]  # those in force: `in_force`

    @property
    def secrets(self) -> list[str]:
        return list(self.credentials.get(SECRETS, []))


def in_force(
    credentials: Mapping[str, Any], now: datetime
) -> tuple[dict[str, Any], datetime | None]:
    """The credentials a delivery is verified with at `now`: the current secrets followed by
    the retiring ones still in their grace period, and the API credentials; with the moment
    the first of those retiring runs out (None: none is retiring)."""
    retiring = [
        (datetime.fromisoformat(each["until"]), each["secret"])
        for each in credentials.get(RETIRING, [])
    ]
    still = [(until, secret) for until, secret in retiring if until > now]
    in_force_now = {key: value for key, value in credentials.items() if key != RETIRING}
    in_force_now[SECRETS] = [*credentials.get(SECRETS, []), *(secret for _, secret in still)]
    return in_force_now, min((until for until, _ in still), default=None)


def rotated(
    credentials: Mapping[str, Any], new_secret: str, grace: timedelta, now: datetime
) -> dict[str, Any]:
    """`new_secret` first; the current secrets retire after `grace` (dropped at once when it
    is zero); those retiring already keep their own end, and those past it are forgotten."""
    ends = now + grace
    retiring = [
        each
        for each in credentials.get(RETIRING, [])
        if datetime.fromisoformat(each["until"]) > now and each["secret"] != new_secret
    ]
    if grace > timedelta(0):
        retiring += [
            {"secret": secret, "until": ends.isoformat()}
            for secret in credentials.get(SECRETS, [])
            if secret != new_secret
        ]
    return {**credentials, SECRETS: [new_secret], RETIRING: retiring}


def with_api_credentials(
    credentials: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    """The API credentials changed one by one (a None removes one); the secrets unchanged."""
    changed = dict(credentials)
    for name, value in changes.items():
        if value is None:
            changed.pop(name, None)
        else:
            changed[name] = value
    return changed


def described(credentials: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """What may be shown of the credentials: how many secrets, until when the retiring ones
    still verify, the names of the API credentials. Never a value."""
    return {
        "secrets": len(credentials.get(SECRETS, [])),
        "retiring_secrets": sorted(
            until
            for each in credentials.get(RETIRING, [])
            if (until := datetime.fromisoformat(each["until"])) > now
        ),
        "credentials": sorted(name for name in credentials if name not in SIGNING),
    }


def without_credentials(text: str, credentials: Mapping[str, Any]) -> str:
    """`text` (a marketplace's answer, an error) with every credential value in it blanked
    out, in case the other side echoed one back."""
    for value in sorted(_values_of(credentials), key=len, reverse=True):
        text = text.replace(value, "[redacted]")
    return text


def _values_of(credentials: Any) -> set[str]:
    if isinstance(credentials, str):
        return {credentials} if len(credentials) >= 4 else set()
    if isinstance(credentials, Mapping):
        return set().union(*(_values_of(value) for value in credentials.values()))
    if isinstance(credentials, list | tuple):
        return set().union(*(_values_of(value) for value in credentials))
    return set()
