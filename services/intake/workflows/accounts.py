"""Seller channel accounts: whose secrets verify a delivery, and which seller it is for.

Accounts are loaded from the JSON file in CHANNEL_ACCOUNTS_FILE at start-up (upserted,
credentials encrypted) and read back through a small cache. A file entry:

    {"channel": "shopify", "account": "acme.myshopify.com", "seller": "acme",
     "default_market": "US", "secrets": ["<app secret>", "<previous secret>"],
     "access_token": "<Admin API token>"}

Every key besides channel, account, seller and default_market is a credential.
"""

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from services.intake.adapters.vault import Vault
from services.intake.domain.account import Account
from services.intake.domain.case import Channel
from services.intake.tables import ChannelAccount

PUBLIC_FIELDS = ("channel", "account", "seller", "default_market")


def read_accounts_file(path: Path) -> list[dict[str, Any]]:
    entries = json.loads(path.read_text())
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a JSON list of channel accounts")
    for number, entry in enumerate(entries, start=1):
        missing = [name for name in ("channel", "account", "seller") if not entry.get(name)]
        if missing:
            raise ValueError(f"{path}: account {number} lacks {', '.join(missing)}")
        Channel(entry["channel"])
    return entries


class Accounts:
    """The registry: a database table, cached in memory per (channel, account)."""

    def __init__(self, engine: AsyncEngine, vault: Vault) -> None:
        self.engine = engine
        self.vault = vault
        self._cache: dict[tuple[str, str], Account] = {}

    async def load(self, entries: list[dict[str, Any]]) -> None:
        table = ChannelAccount.__table__
        async with self.engine.begin() as connection:
            for entry in entries:
                values = {name: entry.get(name) for name in PUBLIC_FIELDS}
                credentials = {k: v for k, v in entry.items() if k not in PUBLIC_FIELDS}
                values["credentials"] = self.vault.seal(credentials)
                statement = insert(table).values(**values)
                await connection.execute(
                    statement.on_conflict_do_update(
                        index_elements=["channel", "account"],
                        set_={
                            k: statement.excluded[k]
                            for k in values
                            if k not in ("channel", "account")
                        },
                    )
                )
        self._cache.clear()

    async def names(self, channel: Channel) -> list[str]:
        """Every account of `channel`, for a delivery that names no seller."""
        table = ChannelAccount.__table__
        async with self.engine.connect() as connection:
            found = await connection.scalars(
                select(table.c.account).where(table.c.channel == channel.value)
            )
            return sorted(found.all())

    async def find(self, channel: Channel, account: str) -> Account | None:
        key = (channel.value, account)
        if key not in self._cache:
            table = ChannelAccount.__table__
            async with self.engine.connect() as connection:
                row = (
                    await connection.execute(
                        select(table).where(table.c.channel == key[0], table.c.account == account)
                    )
                ).first()
            if row is None:
                return None
            self._cache[key] = Account(
                channel=channel,
                account=row.account,
                seller=row.seller,
                default_market=row.default_market,
                credentials=self.vault.open(row.credentials),
            )
        return self._cache[key]
