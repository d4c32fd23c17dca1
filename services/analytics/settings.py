"""Analytics' own settings, beside what every service reads (`shared.settings`)."""

from typing import ClassVar

from pydantic import Field, SecretStr

from shared.settings import ServiceSettings


class AnalyticsSettings(ServiceSettings):
    required_secrets: ClassVar[tuple[str, ...]] = ("console_session_secret",)

    faq_gap_sweep_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How often cases are checked for FAQ gaps (reasons and questions no FAQ "
        "entry answers).",
    )
    tracing_ui_trace_url: str | None = Field(
        default=None,
        pattern=r"\{trace_id\}",
        description="Where the operations console links a case's first trace and each "
        "event's trace, `{trace_id}` filled in (Jaeger's UI: "
        "`http://localhost:16686/trace/{trace_id}`; Tempo in Grafana has its own address "
        "form); unset: no trace UI, the console shows no trace links.",
    )
    resolution_api_base_url: str | None = Field(
        default=None,
        description="Where the console's what-if page asks resolution; unset: resolution on "
        "`HOST`.",
    )
    intake_api_base_url: str | None = Field(
        default=None,
        description="Where the listing audit reads the sellers' listings (intake's catalog "
        "API, with the caller's own token) and the console's recovery page asks intake; "
        "unset: intake on `HOST`.",
    )
    faq_page_base_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^/?#]+(/[^?#]*)?$",
        description="Where buyers' browsers reach analytics' public FAQ pages, as the embed "
        "snippets name them (`https://faq.example.com`); unset: the address the caller "
        "reached analytics at.",
    )
    console_session_secret: SecretStr | None = Field(
        default=None,
        description="Signs the console's session cookie (who signed in, their token); "
        "required in production, unset elsewhere: one of the process's own (sessions end "
        "when it restarts).",
    )
    console_session_seconds: int = Field(
        default=8 * 3600,
        ge=60,
        le=7 * 24 * 3600,
        description="How long a console sign-in lasts at most (the token's own expiry ends it "
        "sooner).",
    )
    console_client_id: str = Field(
        default="console",
        description="The console's client id at the issuer (authorization code with PKCE).",
    )
    console_client_secret: SecretStr | None = Field(
        default=None,
        description="The console's client secret, when the issuer has it as a confidential "
        "client; unset: a public client (PKCE only).",
    )
    console_base_url: str | None = Field(
        default=None,
        description="Where people reach the console (e.g. `https://ops.example.com`): its "
        "sign-in's redirect URI is `<this>/console/signed-in`, to be registered at the "
        "issuer; unset: the address the browser used.",
    )
    console_scope: str = Field(
        default="openid", description="The scope the console asks the issuer for."
    )
