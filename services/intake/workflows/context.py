"""What intake's handlers and its delivery worker share while the service runs."""

from dataclasses import dataclass, field
from typing import Annotated

import httpx
from fastapi import Depends

from services.intake.adapters.vault import Vault
from services.intake.channels.ebay.public_keys import PublicKeys
from services.intake.workflows.accepting import Acceptance
from services.intake.workflows.accounts import Accounts
from shared.service import CurrentService, Service


@dataclass
class Intake:
    service: Service
    vault: Vault
    accounts: Accounts
    http: httpx.AsyncClient  # to marketplace APIs
    acceptance: Acceptance
    ebay_keys: PublicKeys = field(default_factory=PublicKeys)  # eBay's signing keys, cached


async def intake_of(service: CurrentService) -> Intake:
    return service.context


CurrentIntake = Annotated[Intake, Depends(intake_of)]
