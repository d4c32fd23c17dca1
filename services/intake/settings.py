"""Intake's own settings, beside what every service reads (`shared.settings`)."""

from pathlib import Path

from pydantic import Field, SecretStr

from shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    webhook_max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # Fernet keys (comma-separated, newest first, for a rotation) that encrypt buyers'
    # personal data and raw deliveries at rest.
    intake_pii_keys: SecretStr | None = None
    # Bearer token of the other services' narrow lookups (a ship-to address).
    internal_api_token: SecretStr | None = None
    # JSON list of seller channel accounts loaded at start-up (secrets included).
    channel_accounts_file: Path | None = None
    delivery_max_attempts: int = Field(default=8, ge=1)
    # Whether this intake process also completes and applies what it accepted. Off for
    # processes that only answer webhooks.
    intake_delivery_worker: bool = True
    shopify_admin_base_url: str | None = None  # None: https://<shop domain>
    walmart_api_base_url: str = "https://marketplace.walmartapis.com"
    ebay_api_base_url: str = "https://api.ebay.com"
    # eBay Marketplace Account Deletion: the verification token and the endpoint URL given to
    # eBay when subscribing, and an application token to read eBay's signing keys.
    ebay_verification_token: SecretStr | None = None
    ebay_deletion_endpoint: str | None = None
    ebay_app_token: SecretStr | None = None
