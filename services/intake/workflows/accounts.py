"""Seller channel accounts: whose secrets verify a delivery, and which seller it is for.

Sellers are onboarded through the API (`handlers/accounts.py`): created, updated, their
signing secret rotated, disabled or enabled again; credentials sealed by the vault and
never shown. The JSON file in CHANNEL_ACCOUNTS_FILE bootstraps accounts at start-up (`make
run`, tests): it creates the accounts it names and keeps them up to date until the API
changes one, after which the file leaves that one alone. A file entry:

    {"channel": "shopify", "account": "acme.myshopify.com", "seller": "acme",
     "default_market": "US", "secrets": ["<app secret>", "<previous secret>"],
     "access_token": "<Admin API token>"}

Every key besides channel, account, seller and default_market is a credential.

Each process keeps the accounts it reads (and those it found unknown or disabled) for
ACCOUNT_CACHE_SECONDS at most, never past the end of a retiring secret's grace: a change
made on one replica takes effect on every other within that time, with no restart. The
process that makes a change forgets its copy at once.
"""

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.intake.adapters.vault import Vault
from services.intake.domain.account import (
    Account,
    described,
    in_force,
    rotated,
    with_api_credentials,
)
from services.intake.domain.case import Channel
from services.intake.tables import API_MANAGED, FILE_MANAGED, ChannelAccount
from shared.messaging_tables import utc_now

PUBLIC_FIELDS = ("channel", "account", "seller", "default_market")
# Past this many accounts kept, the expired ones are dropped (unknown accounts count too).
MOST_KEPT = 10_000

Key = tuple[str, str]  # (channel, account)


class AccountExists(Exception):
    """The channel has an account by that name already."""


class NoSuchAccount(Exception):
    """The channel has no account by that name."""


def no_such_account(channel: Channel, account: str) -> NoSuchAccount:
    return NoSuchAccount(f"no {channel} account {account!r}")


def accounts_of_seller(channel: Channel, seller: str) -> Select:
    """The seller's accounts on `channel`, as a subquery: what a read of seller data is
    narrowed to (`... WHERE account IN accounts_of_seller(...)`)."""
    table = ChannelAccount.__table__
    return select(table.c.account).where(table.c.channel == channel.value, table.c.seller == seller)


def narrowed(query: Select, model: Any, channel: Channel, **wanted: str | None) -> Select:
    """`query` of `model`'s rows narrowed to what is `wanted` (None: anything): its
    `seller` (the seller's accounts on `channel`) and any column of the model by name
    (`account`, `case_id`, `state`...)."""
    seller = wanted.pop("seller", None)
    if seller is not None:
        query = query.where(model.account.in_(accounts_of_seller(channel, seller)))
    for name, value in wanted.items():
        if value is not None:
            query = query.where(getattr(model, name) == value)
    return query


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
    """The registry: a database table, kept in memory a short while per (channel, account)."""

    def __init__(
        self,
        engine: AsyncEngine,
        vault: Vault,
        cache_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.vault = vault
        self.cache_seconds = cache_seconds
        self._clock = clock
        self._kept: dict[Key, tuple[float, Account | None]] = {}  # until when, what
        self._reading: dict[Key, asyncio.Future[Account | None]] = {}
        self._changes = 0  # a read that overlapped a change keeps nothing

    # -- what deliveries are verified with ----------------------------------------------

    async def find(self, channel: Channel, account: str) -> Account | None:
        """The enabled account, with the credentials in force now; None when the channel
        has no such account or it is disabled."""
        key = (channel.value, account)
        kept = self._kept.get(key)
        if kept is not None and kept[0] > self._clock():
            return kept[1]
        reading = self._reading.get(key)
        if reading is None:  # one read per account at a time, however many requests wait
            reading = self._reading[key] = asyncio.ensure_future(self._read(channel, account))
            reading.add_done_callback(lambda _: self._reading.pop(key, None))
        return await asyncio.shield(reading)

    async def _read(self, channel: Channel, account: str) -> Account | None:
        changes = self._changes
        async with self.engine.connect() as connection:
            row = await _row(connection, channel, account)
        now = utc_now()
        found, keep_until = None, now + timedelta(seconds=self.cache_seconds)
        if row is not None and row.disabled_at is None:
            found, first_to_retire = self._account_of(row, now)
            if first_to_retire is not None:
                keep_until = min(keep_until, first_to_retire)
        if changes == self._changes and self.cache_seconds > 0:
            self._keep((channel.value, account), found, (keep_until - now).total_seconds())
        return found

    def _keep(self, key: Key, found: Account | None, seconds: float) -> None:
        now = self._clock()
        if len(self._kept) >= MOST_KEPT:
            self._kept = {k: kept for k, kept in self._kept.items() if kept[0] > now}
            if len(self._kept) >= MOST_KEPT:
                self._kept.clear()
        self._kept[key] = (now + seconds, found)

    def forget(self, channel: Channel, account: str) -> None:
        """This process changed the account: read it anew next time."""
        self._changes += 1
        self._kept.pop((channel.value, account), None)

    def _account_of(self, row: Row, now: datetime) -> tuple[Account, datetime | None]:
        credentials, first_to_retire = in_force(self.vault.open(row.credentials), now)
        account = Account(
            channel=Channel(row.channel),
            account=row.account,
            seller=row.seller,
            default_market=row.default_market,
            credentials=credentials,
        )
        return account, first_to_retire

    async def names(self, channel: Channel) -> list[str]:
        """Every account of `channel`, for a delivery that names no seller."""
        table = ChannelAccount.__table__
        async with self.engine.connect() as connection:
            found = await connection.scalars(
                select(table.c.account).where(table.c.channel == channel.value)
            )
            return sorted(found.all())

    async def find_even_disabled(self, channel: Channel, account: str) -> Account:
        """The account as stored now, disabled or not (to check its credentials)."""
        async with self.engine.connect() as connection:
            row = await _row(connection, channel, account)
        if row is None:
            raise no_such_account(channel, account)
        return self._account_of(row, utc_now())[0]

    # -- the bootstrap file ---------------------------------------------------------------

    async def load(self, entries: list[dict[str, Any]]) -> None:
        """Create the file's accounts, and update those the file still keeps up to date."""
        table = ChannelAccount.__table__
        now = utc_now()
        async with self.engine.begin() as connection:
            for entry in entries:
                values = {name: entry.get(name) for name in PUBLIC_FIELDS}
                credentials = {k: v for k, v in entry.items() if k not in PUBLIC_FIELDS}
                values["credentials"] = self.vault.seal(credentials)
                statement = insert(table).values(
                    **values, managed_by=FILE_MANAGED, created_at=now, updated_at=now
                )
                changed = ("seller", "default_market", "credentials", "updated_at")
                await connection.execute(
                    statement.on_conflict_do_update(
                        index_elements=["channel", "account"],
                        set_={name: statement.excluded[name] for name in changed},
                        where=table.c.managed_by == FILE_MANAGED,
                    )
                )
        self._changes += 1
        self._kept.clear()

    # -- onboarding -----------------------------------------------------------------------

    async def create(
        self,
        channel: Channel,
        account: str,
        seller: str,
        default_market: str | None,
        secrets: list[str],
        api_credentials: Mapping[str, Any],
    ) -> dict[str, Any]:
        """A new account, enabled; raises AccountExists when the name is taken."""
        now = utc_now()
        credentials = {**api_credentials, "secrets": secrets, "retiring": []}
        statement = (
            insert(ChannelAccount.__table__)
            .values(
                channel=channel.value,
                account=account,
                seller=seller,
                default_market=default_market,
                credentials=self.vault.seal(credentials),
                managed_by=API_MANAGED,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["channel", "account"])
            .returning(*ChannelAccount.__table__.c)
        )
        async with self.engine.begin() as connection:
            row = (await connection.execute(statement)).first()
        if row is None:
            raise AccountExists(f"{channel} account {account!r} exists already")
        self.forget(channel, account)  # it may be kept as unknown
        return self.public(row, credentials, now)

    async def update(
        self,
        channel: Channel,
        account: str,
        fields: Mapping[str, Any],
        api_credentials: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Change the seller or default market (`fields`) and the API credentials named in
        `api_credentials` (a None removes one); the secrets are rotated, not updated."""
        return await self._change(
            channel,
            account,
            lambda credentials: (
                credentials
                if api_credentials is None
                else with_api_credentials(credentials, api_credentials)
            ),
            dict(fields),
        )

    async def rotate(
        self, channel: Channel, account: str, secret: str, grace: timedelta
    ) -> dict[str, Any]:
        """`secret` verifies from now on; the previous ones for `grace` more (none: at once)."""
        now = utc_now()
        return await self._change(
            channel, account, lambda credentials: rotated(credentials, secret, grace, now), {}
        )

    async def disable(self, channel: Channel, account: str) -> dict[str, Any]:
        """Its deliveries are refused from now on (as a bad signature is)."""
        return await self._change(channel, account, None, {"disabled_at": utc_now()})

    async def enable(self, channel: Channel, account: str) -> dict[str, Any]:
        return await self._change(channel, account, None, {"disabled_at": None})

    async def _change(
        self,
        channel: Channel,
        account: str,
        credentials_of: Callable[[dict[str, Any]], dict[str, Any]] | None,
        values: dict[str, Any],
    ) -> dict[str, Any]:
        table = ChannelAccount.__table__
        now = utc_now()
        async with self.engine.begin() as connection:
            row = await _row(connection, channel, account, lock=True)
            if row is None:
                raise no_such_account(channel, account)
            credentials = self.vault.open(row.credentials)
            if credentials_of is not None:
                credentials = credentials_of(credentials)
                values["credentials"] = self.vault.seal(credentials)
            row = (
                await connection.execute(
                    update(table)
                    .where(table.c.channel == channel.value, table.c.account == account)
                    .values(**values, managed_by=API_MANAGED, updated_at=now)
                    .returning(*table.c)
                )
            ).one()
        self.forget(channel, account)
        return self.public(row, credentials, now)

    async def view(self, channel: Channel, account: str) -> dict[str, Any]:
        async with self.engine.connect() as connection:
            row = await _row(connection, channel, account)
        if row is None:
            raise no_such_account(channel, account)
        return self.public(row, self.vault.open(row.credentials), utc_now())

    async def listing(
        self,
        scope: ColumnElement[bool],
        channel: Channel | None = None,
        seller: str | None = None,
    ) -> list[dict[str, Any]]:
        """The accounts within `scope` (a condition on `account`: the caller's sellers)."""
        table = ChannelAccount.__table__
        query = select(table).where(scope).order_by(table.c.channel, table.c.account)
        if channel is not None:
            query = query.where(table.c.channel == channel.value)
        if seller is not None:
            query = query.where(table.c.seller == seller)
        async with self.engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        now = utc_now()
        return [self.public(row, self.vault.open(row.credentials), now) for row in rows]

    @staticmethod
    def public(row: Row, credentials: Mapping[str, Any], now: datetime) -> dict[str, Any]:
        """What an operator may see of an account: everything but its credentials' values."""
        return {
            "channel": row.channel,
            "account": row.account,
            "seller": row.seller,
            "default_market": row.default_market,
            "enabled": row.disabled_at is None,
            "disabled_at": row.disabled_at,
            "managed_by": row.managed_by,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
            **described(credentials, now),
        }


async def _row(
    connection: AsyncConnection, channel: Channel, account: str, lock: bool = False
) -> Row | None:
    table = ChannelAccount.__table__
    query = select(table).where(table.c.channel == channel.value, table.c.account == account)
    if lock:
        query = query.with_for_update()
    return (await connection.execute(query)).first()
