"""Refurbish's own settings, beside what every service reads (`shared.settings`)."""

from pydantic import Field, SecretStr

from shared.settings import ServiceSettings


class RefurbishSettings(ServiceSettings):
    technician_tokens: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Technicians by name → bearer token (JSON): they inspect, grade and repair.",
    )
