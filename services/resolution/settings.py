"""Resolution's own settings, beside what every service reads (`shared.settings`)."""

from typing import ClassVar

from pydantic import Field, SecretStr

from shared.settings import ServiceSettings


class ResolutionSettings(ServiceSettings):
    required_secrets: ClassVar[tuple[str, ...]] = ("service_client_secrets",)
    refund_api_base_url: str | None = Field(
        default=None,
        description="Where refunds are paid (`POST /v1/refunds` with an `Idempotency-Key`): "
        "intake, which pays each through the case's marketplace (`make run` points it there); "
        "unset: refunds wait, pending, until one is configured.",
    )
    refund_max_attempts: int = Field(
        default=10,
        ge=1,
        description="Tries of a refund that fails for a passing reason (timeout, 5xx, 429 with "
        "its Retry-After) before it is refused.",
    )
    tracking_api_base_url: str | None = Field(
        default=None,
        description="Where a parcel a buyer says never arrived is traced (EasyPost's Tracker "
        "API, or the emulators in deploy/emulators/); unset: no trace, the plan goes on at once.",
    )
    tracking_api_key: SecretStr | None = Field(default=None, description="The tracking API's key.")
    resolution_poll_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How often the sweeper (lapsed offers, service-level clocks) and the "
        "refund and parcel trace workers look for work when no `pg_notify` woke them and "
        "nothing is due sooner: a safety net only, for a notification lost with its "
        "listening connection.",
    )
