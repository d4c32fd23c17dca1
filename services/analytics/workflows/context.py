"""What analytics' routes share while it runs: a client of resolution's API, for the
console's what-if page (`adapters/resolution_api`), and one of intake's, for the listing
audit (`adapters/intake_catalog_api`)."""

from dataclasses import dataclass
from typing import Annotated

import httpx
from fastapi import Depends

from shared.service import context_of


@dataclass
class Analytics:
    resolution_api: httpx.AsyncClient
    intake_api: httpx.AsyncClient | None = None


CurrentAnalytics = Annotated[Analytics, Depends(context_of)]
