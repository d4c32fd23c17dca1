"""Refurbish's own settings, beside what every service reads (`shared.settings`)."""

from typing import ClassVar

from pydantic import Field

from shared.settings import ServiceSettings


class RefurbishSettings(ServiceSettings):
    required_secrets: ClassVar[tuple[str, ...]] = ("service_client_secrets",)
    intake_api_base_url: str | None = Field(
        default=None,
        description="Where refurbish asks intake for the photos the buyer added to a case "
        "(shown to the technician); unset: intake on `HOST`.",
    )
