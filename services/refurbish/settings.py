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
