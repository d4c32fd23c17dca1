"""The one settings object. Every value comes from an environment variable of the same name."""

from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

SERVICE_NAMES = ("intake", "resolution", "fulfillment", "refurbish", "analytics")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # On for a real Kafka cluster; the embedded Tansu broker refuses InitProducerId.
    kafka_enable_idempotence: bool = False
    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    otel_exporter_otlp_endpoint: str | None = None

    intake_port: int = 8001
    resolution_port: int = 8002
    fulfillment_port: int = 8003
    refurbish_port: int = 8004
    analytics_port: int = 8005
    host: str = "127.0.0.1"

    consumer_batch_size: int = Field(default=200, ge=1)
    consumer_max_attempts: int = Field(default=3, ge=1)
    webhook_max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    outbox_poll_seconds: float = Field(default=0.5, gt=0)

    # Intake. Fernet keys (comma-separated, newest first, for a rotation) that encrypt
    # buyers' personal data and raw deliveries at rest.
    intake_pii_keys: SecretStr | None = None
    # Bearer tokens: support agents and the buyer-facing messaging (agent API, replies,
    # ratings), and the other services' narrow lookups (a ship-to address).
    agent_api_token: SecretStr | None = None
    internal_api_token: SecretStr | None = None
    # JSON list of seller channel accounts loaded at start-up (secrets included).
    channel_accounts_file: Path | None = None
    delivery_max_attempts: int = Field(default=8, ge=1)
    # Whether this intake process also completes and applies what it accepted. Off for
    # processes that only answer webhooks, when `python -m services.intake.worker` runs.
    intake_delivery_worker: bool = True
    shopify_admin_base_url: str | None = None  # None: https://<shop domain>
    walmart_api_base_url: str = "https://marketplace.walmartapis.com"
    ebay_api_base_url: str = "https://api.ebay.com"
    marketplace_timeout_seconds: float = Field(default=10.0, gt=0)
    # eBay Marketplace Account Deletion: the verification token and the endpoint URL given to
    # eBay when subscribing, and an application token to read eBay's signing keys.
    ebay_verification_token: SecretStr | None = None
    ebay_deletion_endpoint: str | None = None
    ebay_app_token: SecretStr | None = None

    # Resolution. Where refunds are paid (the refund API of deploy/sandbox_marketplace.py);
    # None: refunds wait, pending, until one is configured.
    refund_api_base_url: str | None = None
    refund_max_attempts: int = Field(default=10, ge=1)
    # Where a parcel a buyer says never arrived is traced (EasyPost's Tracker API, or
    # deploy/sandbox_marketplace.py); None: no trace, the plan goes on at once.
    tracking_api_base_url: str | None = None
    tracking_api_key: SecretStr | None = None
    # How often lapsed offers and service-level clocks are looked at.
    resolution_sweep_seconds: float = Field(default=5.0, gt=0)

    # People by role: name → bearer token (JSON in the environment). Warehouse staff work
    # the dispatch and receiving tasks; technicians inspect, grade and repair.
    warehouse_staff_tokens: dict[str, SecretStr] = Field(default_factory=dict)
    technician_tokens: dict[str, SecretStr] = Field(default_factory=dict)

    # Fulfillment. Attempts at pushing a dispatch task to a warehouse's own system (its
    # webhook is registered through the API) before the delivery is given up.
    warehouse_webhook_max_attempts: int = Field(default=8, ge=1)
    # Where fulfillment asks intake for a ship-to address; None: intake on `host`.
    intake_api_base_url: str | None = None

    # Analytics. How often cases are checked for FAQ gaps (reasons no FAQ entry answers).
    faq_gap_sweep_seconds: float = Field(default=60.0, gt=0)
    # Where the operations console links each event's trace: {trace_id} is filled in
    # (Jaeger's UI by default; Tempo in Grafana, say, has its own address form).
    tracing_ui_trace_url: str = Field(
        default="http://localhost:16686/trace/{trace_id}", pattern=r"\{trace_id\}"
    )
    # Where the console's what-if page asks resolution; None: resolution on `host`.
    resolution_api_base_url: str | None = None

    def port_of(self, service: str) -> int:
        return getattr(self, f"{service}_port")

    def base_url_of(self, service: str) -> str:
        return f"http://{self.host}:{self.port_of(service)}"

    @cached_property
    def async_database_url(self) -> str:
        """DATABASE_URL with the asyncpg driver, whatever scheme the user wrote."""
        return (
            make_url(self.database_url)
            .set(drivername="postgresql+asyncpg")
            .render_as_string(hide_password=False)
        )

    @cached_property
    def plain_database_url(self) -> str:
        """DATABASE_URL as libpq and asyncpg.connect() understand it."""
        return (
            make_url(self.database_url)
            .set(drivername="postgresql")
            .render_as_string(hide_password=False)
        )
