"""Fulfillment's own settings, beside what every service reads (`shared.settings`)."""

from pydantic import Field, SecretStr

from shared.settings import ServiceSettings


class FulfillmentSettings(ServiceSettings):
    warehouse_staff_tokens: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Warehouse staff by name → bearer token (JSON): they work the dispatch "
        "and receiving tasks, and their name goes on every event their work causes.",
    )
    warehouse_webhook_max_attempts: int = Field(
        default=8,
        ge=1,
        description="Attempts at pushing a dispatch task to a warehouse's own system (its "
        "webhook is registered through the API) before the delivery is given up.",
    )
    intake_api_base_url: str | None = Field(
        default=None,
        description="Where fulfillment asks intake for a ship-to address; unset: intake on `HOST`.",
    )
    internal_api_token: SecretStr | None = Field(
        default=None, description="The bearer token intake's narrow lookup wants."
    )
