"""Refurbish's own settings, beside what every service reads (`shared.settings`)."""

from pydantic import Field, SecretStr

from shared.settings import ServiceSettings


class RefurbishSettings(ServiceSettings):
    # Technicians by name → bearer token (JSON in the environment): they inspect, grade
    # and repair.
    technician_tokens: dict[str, SecretStr] = Field(default_factory=dict)
