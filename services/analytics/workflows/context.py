"""What analytics' routes share while it runs: a client of resolution's API, for the
console's what-if page (`adapters/resolution_api`); a client of each service's API, for the
console's recovery page (`adapters/recovery_api`) and, intake's, for the listing audit
(`adapters/intake_catalog_api`); refurbish's bench photos, asked as analytics itself, for
the evidence packs (`adapters/refurbish_photos`)."""

from dataclasses import dataclass, field
from typing import Annotated

import httpx
from fastapi import Depends

from services.analytics.adapters.refurbish_photos import BenchPhotos
from shared.service import context_of


@dataclass
class Analytics:
    resolution_api: httpx.AsyncClient
    # Each service's API by its name (resolution's is `resolution_api`).
    service_apis: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    # None: refurbish is not reachable, and a pack lists its bench photos as missing.
    bench_photos: BenchPhotos | None = None


CurrentAnalytics = Annotated[Analytics, Depends(context_of)]
