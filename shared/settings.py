"""Settings: what every service reads (`ServiceSettings`), which each service's own class
(`services/<name>/settings.py`) extends with its variables only. Every value comes from the
environment variable of the same name, upper case, or from `.env`."""

from functools import cached_property
from typing import Self

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

SERVICE_NAMES = ("intake", "resolution", "fulfillment", "refurbish", "analytics")


class ServiceSettings(BaseSettings):
    """The broker, the database, telemetry, where the services listen, how events are
    consumed and relayed, and the support agents' token."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # On for a real Kafka cluster; the embedded Tansu broker refuses InitProducerId.
    kafka_enable_idempotence: bool = False
    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    otel_exporter_otlp_endpoint: str | None = None

    # Where each service listens: a service finds the others here unless told otherwise.
    intake_port: int = 8001
    resolution_port: int = 8002
    fulfillment_port: int = 8003
    refurbish_port: int = 8004
    analytics_port: int = 8005
    host: str = "127.0.0.1"

    consumer_batch_size: int = Field(default=200, ge=1)
    consumer_max_attempts: int = Field(default=3, ge=1)
    outbox_poll_seconds: float = Field(default=0.5, gt=0)
    # How long any call to an outside API (marketplaces, carriers, another service) may take.
    marketplace_timeout_seconds: float = Field(default=10.0, gt=0)

    # Bearer token of support agents and operators (and the buyer-facing messaging).
    agent_api_token: SecretStr | None = None

    @classmethod
    def narrowed(cls, settings: "ServiceSettings | None") -> Self:
        """`settings` as this class: itself when it is one already (a whole stack's settings
        are every service's), its values when it is another, the environment when None."""
        if settings is None:
            return cls()
        if isinstance(settings, cls):
            return settings
        return cls.model_validate(settings.model_dump())

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
