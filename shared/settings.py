"""Settings: what every service reads (`ServiceSettings`), which each service's own class
(`services/<name>/settings.py`) extends with its variables only. Every value comes from the
environment variable of the same name, upper case, or from `.env`."""

from functools import cached_property
from typing import Any, ClassVar, Literal, Self

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

SERVICE_NAMES = ("intake", "resolution", "fulfillment", "refurbish", "analytics")


class ServiceSettings(BaseSettings):
    """The broker, the database, telemetry, where the services listen, how events are
    consumed and relayed, and whose tokens the routes take."""

    required_secrets: ClassVar[tuple[str, ...]] = ()

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["production", "development"] = Field(
        default="production",
        description="`development` for local runs (`make run`, the tests); in `production` "
        "a start-up that finds an outside API set to a sandbox or emulator logs a warning.",
    )
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        le=1024**3,
        description="The largest request body any route takes (413 before it is read); "
        "routes that take uploads, mail or reports have their own, larger limits.",
    )
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        description="The Kafka-protocol brokers (host:port, comma-separated).",
    )
    kafka_enable_idempotence: bool = Field(
        default=False,
        description="Idempotent producers: on for a real Kafka cluster; the embedded Tansu "
        "broker refuses InitProducerId.",
    )
    kafka_compression_type: Literal["gzip", "none"] = Field(
        default="gzip",
        description="How producers compress their record batches (`gzip` or `none`); the "
        "topics keep what the producer sent (`compression.type=producer`).",
    )
    kafka_linger_ms: int = Field(
        default=1,
        ge=0,
        le=1000,
        description="How long a producer waits for more records to fill a batch before it "
        "sends one: latency on every hop between services for fewer, larger requests. The "
        "relay hands a whole batch of the outbox to the producer at once, which fills its "
        "record batches without waiting.",
    )
    kafka_fetch_max_wait_ms: int = Field(
        default=50,
        ge=1,
        le=10_000,
        description="How long the broker may hold a consumer's fetch while it has nothing "
        "new. The embedded Tansu broker answers a fetch only when this runs out, so each hop "
        "between services waits up to this long for it (200 ms: about 150 ms at p99), and "
        "each idle consumer fetches this often, which costs the broker and the consumer CPU "
        "(at 20 ms the broker spent about 40 ms of CPU per case at 20 cases/s, against 8 at "
        "200 ms): 50 ms is the middle. A Kafka cluster answers as soon as a record comes: "
        "there, set 500 (`base/config.yaml`).",
    )
    kafka_poll_ms: int = Field(
        default=10,
        ge=1,
        le=10_000,
        description="How long a consumer waits for records in hand before it looks again; "
        "after a look that found none, FastStream pauses as long again, so a record that "
        "comes meanwhile waits up to this long on top of its fetch.",
    )
    kafka_max_batch_bytes: int = Field(
        default=256 * 1024,
        ge=16 * 1024,
        le=16 * 1024 * 1024,
        description="The largest record batch a producer sends to one partition at once.",
    )
    consume_events: bool = Field(
        default=True,
        description="Whether this process consumes its service's topics: off for replicas "
        "that only answer HTTP (intake's webhook replicas), which then need no broker to be "
        "ready and leave the consumer group, and its lag, to the processes that consume.",
    )
    database_url: str = Field(
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        description="The PostgreSQL database (any driver in the scheme: asyncpg is used); "
        "each service works in its own schema.",
    )
    database_pool_size: int = Field(
        default=20,
        ge=1,
        le=500,
        description="Connections each process keeps to PostgreSQL for its requests, "
        "handlers and workers (each worker's LISTEN takes one more). Replicas × this must "
        "stay under the server's max_connections.",
    )
    database_pool_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description="How long a request, handler or worker waits for a pooled connection "
        "when every one is taken. A request still waiting then is answered 503 with "
        "Retry-After (a webhook within the 5 s its sender waits, rather than a timeout); "
        "a handler's batch or a worker's round is tried again.",
    )
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None,
        description="Where traces and metrics are exported over OTLP/HTTP (e.g. "
        "`http://collector:4318`); unset: kept in process for the console and the tests.",
    )

    intake_port: int = Field(default=8001, description="Where intake listens.")
    resolution_port: int = Field(default=8002, description="Where resolution listens.")
    fulfillment_port: int = Field(default=8003, description="Where fulfillment listens.")
    refurbish_port: int = Field(default=8004, description="Where refurbish listens.")
    analytics_port: int = Field(default=8005, description="Where analytics listens.")
    host: str = Field(
        default="127.0.0.1",
        description="The host the services listen on; each finds the others there, on their "
        "ports, unless told otherwise.",
    )

    consumer_batch_size: int = Field(
        default=200,
        ge=1,
        description="Events a consumer takes at once and applies in one transaction.",
    )
    consumer_max_attempts: int = Field(
        default=3,
        ge=1,
        description="Tries of an event its handler fails on before it goes to the "
        "dead-letter topic.",
    )
    consumer_handler_delay_ms: int = Field(
        default=0,
        ge=0,
        le=10_000,
        description="A fault drill only (`make chaos`: a slow consumer builds lag): each "
        "event this process's consumer applies waits this long first. 0, the default, in "
        "any real deployment.",
    )
    consumer_session_timeout_ms: int = Field(
        default=10_000,
        ge=1000,
        description="How long the broker waits without a heartbeat before it gives a "
        "consumer's partitions to another member: after a crash (`kill -9`), a restarted "
        "consumer waits about this long to consume again unless CONSUMER_INSTANCE_ID is set. "
        "Kafka refuses less than its `group.min.session.timeout.ms` (6 s by default); the "
        "embedded broker takes 1.5 s, which `make run` uses (docs/operations.md).",
    )
    consumer_heartbeat_interval_ms: int = Field(
        default=3000,
        ge=100,
        description="How often a consumer tells the broker it is alive: a third of "
        "CONSUMER_SESSION_TIMEOUT_MS or less.",
    )
    consumer_instance_id: str | None = Field(
        default=None,
        description="Static group membership (Kafka's `group.instance.id`): a name stable "
        "across restarts and unique per process of a service (a StatefulSet pod's name). A "
        "restarted process takes its partitions back at once, without waiting for the "
        "session of its killed self to expire. Unset: dynamic membership. The embedded "
        "broker accepts it but pauses 3 s on each join and sync: leave it unset there.",
    )
    shutdown_grace_seconds: float = Field(
        default=7.0,
        gt=0,
        le=60,
        description="On SIGTERM, how long a process gives its consumer to apply and commit "
        "the batch in hand, its workers to finish, and its outbox relay the batch it is "
        "publishing, before it closes anyway: what is cut short is taken up again as after a "
        "crash (the inbox applies a redelivered event once).",
    )
    startup_database_wait_seconds: float = Field(
        default=60.0,
        ge=0,
        description="How long a starting process waits for its database to answer before "
        "it gives up and exits.",
    )
    wakeup_coalesce_ms: float = Field(
        default=0,
        ge=0,
        le=1000,
        description="How long the outbox relay and the workers woken by `pg_notify` wait "
        "after a wake-up for the commits close behind, to take them in the same batch. 0: "
        "at once; under load the batches fill anyway with what commits while one is handled.",
    )
    outbox_poll_seconds: float = Field(
        default=0.5,
        gt=0,
        description="How often the outbox relay looks for unpublished events when no "
        "`pg_notify` woke it.",
    )
    outbox_retention_days: float = Field(
        default=7,
        gt=0,
        description="How long a published event stays in its service's outbox, to be "
        "published again if the broker loses it (`make republish`); then it is purged.",
    )
    outbox_purge_seconds: float = Field(
        default=600,
        gt=0,
        description="How often the relay purges the events past OUTBOX_RETENTION_DAYS, in "
        "batches of OUTBOX_PURGE_BATCH.",
    )
    outbox_purge_batch: int = Field(
        default=5000,
        ge=1,
        description="Events purged per statement (each its own short transaction).",
    )
    outbox_broker_check_seconds: float = Field(
        default=5,
        gt=0,
        description="How often the relay compares its topics' ends with where it last "
        "published: a topic recreated or behind (a broker restarted empty, restored from an "
        "old snapshot) has its retained events published again.",
    )
    marketplace_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description="How long any call to an outside API (marketplaces, carriers, another "
        "service) may take.",
    )

    auth_issuer: str | None = Field(
        default=None,
        description="The OpenID Connect issuer whose bearer tokens the routes take (e.g. "
        "`https://sso.example.com/realms/after-sales`); unset outside production: the "
        "project's development issuer (`deploy/dev_issuer.py`) on DEV_ISSUER_PORT.",
    )
    auth_audience: str = Field(
        default="after-sales", description="The audience (`aud`) every token must name."
    )
    auth_jwks_url: str | None = Field(
        default=None, description="The issuer's JWKS; unset: from its discovery document."
    )
    auth_token_url: str | None = Field(
        default=None,
        description="The issuer's token endpoint (the services' client credentials); unset: "
        "from its discovery document.",
    )
    auth_leeway_seconds: float = Field(
        default=30, ge=0, le=600, description="Clock skew allowed on `exp`, `iat` and `nbf`."
    )
    auth_roles_claim: str = Field(
        default="roles",
        description="Where the roles sit in a token, as a dotted path (Keycloak: "
        "`realm_access.roles`).",
    )
    dev_issuer_port: int = Field(
        default=8009, description="Where the development issuer listens (make run)."
    )
    service_client_secrets: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Each service's client secret at the issuer, by service name (JSON): "
        "calls between the services carry client-credentials tokens.",
    )

    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or networks (JSON list, CIDR allowed) of the proxies and load "
        "balancers in front of the services: from them only, the client's address is read "
        "from X-Forwarded-For (for the audit trail and the per-address limit).",
    )
    rate_limit_per_address: str = Field(
        default="20000/minute",
        description="Requests one client address may make to a service, every route counted "
        "(the `limits` notation: `600/minute`, `3/2 seconds`, several joined by `;`); past "
        "it, 429 with Retry-After.",
    )
    rate_limit_per_principal: str = Field(
        default="12000/minute",
        description="Requests one signed-in caller (a token's subject) may make to a service, "
        "from whatever addresses.",
    )
    rate_limit_refused_tokens: str = Field(
        default="100/minute",
        description="Refused bearer tokens (wrong, expired, forged) one client address may "
        "present; past it, its calls with a token are answered 429 until the window frees.",
    )
    redis_url: str | None = Field(
        default=None,
        description="A Redis server (`redis://host:6379/0`, `rediss://` for TLS) where the "
        "rate limits are counted, so that replicas share them; unset: each process counts "
        "its own.",
    )

    @classmethod
    def narrowed(cls, settings: "ServiceSettings | None") -> Self:
        """`settings` as this class: itself when it is one already (a whole stack's settings
        are every service's), its values when it is another, the environment when None."""
        if settings is None:
            return cls()
        if isinstance(settings, cls):
            return settings
        return cls.model_validate(settings.model_dump())

    def kafka_producer_options(self) -> dict[str, Any]:
        """The producer settings of every service, in one place: each record acknowledged by
        every in-sync replica (`acks=all`; with the topics' `min.insync.replicas=2`, a
        record survives the loss of a broker), idempotent writes on a real Kafka cluster
        (no duplicates or reordering on retries), compressed batches filled for a few ms."""
        return {
            "acks": "all",
            "enable_idempotence": self.kafka_enable_idempotence,
            "compression_type": None
            if self.kafka_compression_type == "none"
            else self.kafka_compression_type,
            "linger_ms": self.kafka_linger_ms,
            "max_batch_size": self.kafka_max_batch_bytes,
        }

    def kafka_consumer_options(self) -> dict[str, Any]:
        """The consumer settings of every service, in one place: a batch of at most
        CONSUMER_BATCH_SIZE records, taken as soon as a record is there rather than when a
        fetch or a poll runs out (see KAFKA_FETCH_MAX_WAIT_MS and KAFKA_POLL_MS), and the
        group membership of CONSUMER_SESSION_TIMEOUT_MS and CONSUMER_INSTANCE_ID."""
        return {
            "group_instance_id": self.consumer_instance_id,
            "session_timeout_ms": self.consumer_session_timeout_ms,
            "heartbeat_interval_ms": self.consumer_heartbeat_interval_ms,
            "max_records": self.consumer_batch_size,
            "batch_timeout_ms": self.kafka_poll_ms,
            "fetch_max_wait_ms": self.kafka_fetch_max_wait_ms,
            "auto_offset_reset": "earliest",
        }

    @property
    def issuer_url(self) -> str:
        """The issuer in force: AUTH_ISSUER, or the development issuer outside production."""
        if self.auth_issuer:
            return self.auth_issuer.rstrip("/")
        return f"http://{self.host}:{self.dev_issuer_port}"

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
