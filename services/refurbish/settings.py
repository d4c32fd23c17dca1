"""Refurbish's own settings, beside what every service reads (`shared.settings`)."""

from typing import ClassVar

from pydantic import Field, SecretStr

from shared.settings import ServiceSettings


class RefurbishSettings(ServiceSettings):
    required_secrets: ClassVar[tuple[str, ...]] = ("agent_api_token", "technician_tokens")
    technician_tokens: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Technicians by name → bearer token (JSON): they inspect, grade and repair.",
    )
    intake_api_base_url: str | None = Field(
        default=None,
        description="Where refurbish asks intake for the photos the buyer added to a case "
        "(shown to the technician); unset: intake on `HOST`.",
    )
    internal_api_token: SecretStr | None = Field(
        default=None, description="The bearer token intake's photos routes want from refurbish."
    )
