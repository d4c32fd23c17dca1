"""Refurbish's own settings, beside what every service reads (`shared.settings`)."""

from typing import ClassVar

from pydantic import Field, SecretStr

from shared.settings import ServiceSettings


class RefurbishSettings(ServiceSettings):
    required_secrets: ClassVar[tuple[str, ...]] = (
        "service_client_secrets",
        "bench_session_secret",
    )
    intake_api_base_url: str | None = Field(
        default=None,
        description="Where refurbish asks intake for the photos the buyer added to a case "
        "(shown to the technician); unset: intake on `HOST`.",
    )
    bench_session_secret: SecretStr | None = Field(
        default=None,
        description="Signs the technician's bench page's session cookie (who signed in, their "
        "token); required in production, unset elsewhere: one of the process's own (sessions "
        "end when it restarts).",
    )
    bench_session_seconds: int = Field(
        default=10 * 3600,
        ge=60,
        le=7 * 24 * 3600,
        description="How long a sign-in to the bench page lasts at most (a shift; the token's "
        "own expiry ends it sooner).",
    )
    bench_client_id: str = Field(
        default="bench",
        description="The bench page's client id at the issuer (authorization code with PKCE).",
    )
    bench_client_secret: SecretStr | None = Field(
        default=None,
        description="The bench page's client secret, when the issuer has it as a confidential "
        "client; unset: a public client (PKCE only).",
    )
    bench_base_url: str | None = Field(
        default=None,
        description="Where technicians reach the bench page (e.g. `https://bench.example.com`): "
        "its sign-in's redirect URI is `<this>/bench/signed-in`, to be registered at the "
        "issuer; unset: the address the browser used.",
    )
    bench_scope: str = Field(
        default="openid", description="The scope the bench page asks the issuer for."
    )
