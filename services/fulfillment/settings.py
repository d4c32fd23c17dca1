"""Fulfillment's own settings, beside what every service reads (`shared.settings`)."""

from pydantic import Field, SecretStr

from shared.settings import ServiceSettings


class FulfillmentSettings(ServiceSettings):
    # Warehouse staff by name → bearer token (JSON in the environment): they work the
    # dispatch and receiving tasks.
    warehouse_staff_tokens: dict[str, SecretStr] = Field(default_factory=dict)
    # Attempts at pushing a dispatch task to a warehouse's own system (its webhook is
    # registered through the API) before the delivery is given up.
    warehouse_webhook_max_attempts: int = Field(default=8, ge=1)
    # Where fulfillment asks intake for a ship-to address (None: intake on `host`), and the
    # token intake's narrow lookup wants.
    intake_api_base_url: str | None = None
    internal_api_token: SecretStr | None = None
