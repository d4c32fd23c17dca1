"""Fulfillment's own settings, beside what every service reads (`shared.settings`)."""

from typing import ClassVar

from pydantic import Field, SecretStr

from shared.settings import ServiceSettings


class FulfillmentSettings(ServiceSettings):
    required_secrets: ClassVar[tuple[str, ...]] = (
        "service_client_secrets",
        "floor_session_secret",
    )
    floor_session_secret: SecretStr | None = Field(
        default=None,
        description="Signs the warehouse floor page's session cookie (who signed in, their "
        "token); required in production, unset elsewhere: one of the process's own (sessions "
        "end when it restarts).",
    )
    floor_session_seconds: int = Field(
        default=10 * 3600,
        ge=60,
        le=7 * 24 * 3600,
        description="How long a sign-in to the warehouse floor page lasts at most (a shift; "
        "the token's own expiry ends it sooner).",
    )
    floor_client_id: str = Field(
        default="floor",
        description="The warehouse floor page's client id at the issuer (authorization code "
        "with PKCE).",
    )
    floor_client_secret: SecretStr | None = Field(
        default=None,
        description="The floor page's client secret, when the issuer has it as a confidential "
        "client; unset: a public client (PKCE only).",
    )
    floor_base_url: str | None = Field(
        default=None,
        description="Where warehouse staff reach the floor page (e.g. "
        "`https://floor.example.com`): its sign-in's redirect URI is "
        "`<this>/floor/signed-in`, to be registered at the issuer; unset: the address the "
        "browser used.",
    )
    floor_scope: str = Field(
        default="openid", description="The scope the warehouse floor page asks the issuer for."
    )
    warehouse_webhook_max_attempts: int = Field(
        default=8,
        ge=1,
        description="Attempts at pushing a dispatch task to a warehouse's own system (its "
        "webhook is registered through the API) before the delivery is given up.",
    )
    warehouse_webhook_private_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts or networks (JSON list: names, addresses, CIDR) a warehouse webhook "
        "may reach though they are not public https addresses (a warehouse system on the same "
        "private network); every other webhook must resolve to public addresses only.",
    )
    intake_api_base_url: str | None = Field(
        default=None,
        description="Where fulfillment asks intake for a ship-to address; unset: intake on `HOST`.",
    )
    easypost_api_base_url: str | None = Field(
        default=None,
        description="Where labels are bought, pickups booked and unused labels voided "
        "(EasyPost's Shipment, Pickup and Refund APIs, `https://api.easypost.com`, or the "
        "emulators in deploy/emulators/); unset: tracking numbers are minted and labels drawn "
        "here, as without a carrier account.",
    )
    easypost_api_key: SecretStr | None = Field(
        default=None, description="The EasyPost API key labels are bought with."
    )
    easypost_timeout_seconds: float = Field(
        default=15.0,
        gt=0,
        description="How long a call to EasyPost may take before it counts as unanswered (a "
        "purchase is then read back before it is tried again).",
    )
    warehouses_drawing_labels: list[str] = Field(
        default_factory=list,
        description="Warehouses that print their own labels (JSON list of codes): their "
        "`GET /tasks/{id}/label.pdf` is drawn here, with the carrier's tracking number, unless "
        "`?label=carrier` asks for the carrier's file (`?label=drawn` draws it anywhere).",
    )
    carrier_label_max_attempts: int = Field(
        default=12,
        ge=1,
        description="Tries at buying a return label while EasyPost or intake's lookup cannot "
        "answer (with a growing pause) before the label is listed as failed with its cause.",
    )

    @property
    def buys_carrier_labels(self) -> bool:
        """Labels, pickups and voids go to EasyPost (its base URL is set)."""
        return bool(self.easypost_api_base_url)
