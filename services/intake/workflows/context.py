"""What intake's handlers and its delivery workers share while the service runs."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends

from services.intake.adapters.buyer_links import BuyerLinks
from services.intake.adapters.case_views import CaseViews
from services.intake.adapters.mail import MailRelay
from services.intake.adapters.vault import Vault
from services.intake.channels.ebay.public_keys import PublicKeys
from services.intake.channels.marketplace import MarketplaceApis, MarketplaceChannel
from services.intake.channels.registry import BY_NAME
from services.intake.domain.case import Channel
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
    # Messages to buyers: the mail relay they are handed to.
    mail: MailRelay = field(default_factory=lambda: MailRelay(None, 25))
    # The channels that pay refunds and act on returns, by name (tests stand one in).
    channels: Mapping[Channel, MarketplaceChannel] = field(default_factory=lambda: BY_NAME)
    # The buyers' pages: their signed links (None: no BUYER_LINK_SECRET, no pages), and what
    # resolution and fulfillment say of a case (None: the page shows intake's part only).
    buyer_links: BuyerLinks | None = None
    case_views: CaseViews | None = None


CurrentIntake = Annotated[Intake, Depends(context_of)]
