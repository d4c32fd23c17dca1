"""Resolution's own settings, beside what every service reads (`shared.settings`)."""

from pydantic import Field, SecretStr

from shared.settings import ServiceSettings


class ResolutionSettings(ServiceSettings):
    # Where refunds are paid (the refund API of deploy/sandbox_marketplace.py); None: refunds
    # wait, pending, until one is configured.
    refund_api_base_url: str | None = None
    refund_max_attempts: int = Field(default=10, ge=1)
    # Where a parcel a buyer says never arrived is traced (EasyPost's Tracker API, or
    # deploy/sandbox_marketplace.py); None: no trace, the plan goes on at once.
    tracking_api_base_url: str | None = None
    tracking_api_key: SecretStr | None = None
    # How often lapsed offers and service-level clocks are looked at.
    resolution_sweep_seconds: float = Field(default=5.0, gt=0)
