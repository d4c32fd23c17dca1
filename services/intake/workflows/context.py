"""What intake's handlers and its delivery workers share while the service runs."""

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends

from services.intake.adapters.vault import Vault
from services.intake.channels.ebay.public_keys import PublicKeys
from services.intake.channels.marketplace import MarketplaceApis
from services.intake.workflows.accepting import Acceptance
from services.intake.workflows.accounts import Accounts
from shared.service import Service, context_of


@dataclass
class Intake:
    service: Service
    vault: Vault
    accounts: Accounts
    acceptance: Acceptance
    marketplaces: MarketplaceApis  # what the channels read the marketplaces' APIs with
    ebay_keys: PublicKeys = field(default_factory=PublicKeys)  # eBay's signing keys, cached


CurrentIntake = Annotated[Intake, Depends(context_of)]
