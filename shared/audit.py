"""The audit trail: every change a signed-in caller makes, and every read of a buyer's
personal data, as one row of `audit.entries` — who (subject, name, roles), what (method,
route template, status), which case, when, and from where — and the platform admins' look
at it, `GET /audit`, on every service.

The trail sits in its own schema, apart from the business tables (`shared/audit_migrations/`),
and is append-only: a trigger refuses UPDATE, DELETE and TRUNCATE whoever asks, and the
role that migrates keeps only INSERT and SELECT on it. A row is written once the answer has
gone out (its status known), in one INSERT; a failure to write it is logged, the answer
stands.

Which reads are of personal data is said on the route:
`@router.get(..., dependencies=[personal_data("ship-to address")])`.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    SmallInteger,
    Text,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import Field, SQLModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.clients import TrustedProxies
from shared.identity import PlatformAdmin, Policy, Principal
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)

SCHEMA = "audit"
CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class AuditEntry(SQLModel, table=True):
    """One call kept in the trail."""

    __tablename__ = "entries"
    __table_args__ = (
        Index("entries_by_case", "case_id", "at"),
        Index("entries_by_subject", "subject", "at"),
        Index("entries_by_service", "service", "at"),
        {"schema": SCHEMA},
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    service: str = Field(sa_column=Column(Text, nullable=False))
    subject: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    name: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    roles: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(Text), nullable=False))
    method: str = Field(sa_column=Column(Text, nullable=False))
    route: str = Field(sa_column=Column(Text, nullable=False))
    status: int = Field(sa_column=Column(SmallInteger, nullable=False))
    # The case the route names (`case_id`), else the thing it names (an RMA, a shipment).
    case_id: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    path_params: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False)
    )
    # What personal data the route reads ("ship-to address"); None for a change.
    personal_data: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    client_address: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


ENTRIES = AuditEntry.__table__


# ---------------------------------------------------------------- what the routes declare


@dataclass(frozen=True)
class PersonalData:
    """The mark of a route that reads a buyer's personal data, and what it reads."""

    what: str

    def __call__(self) -> Any:
        async def reads_personal_data() -> None:
            return None

        reads_personal_data.personal_data = self  # type: ignore[attr-defined]
        return reads_personal_data


def personal_data(what: str) -> Any:
    """`dependencies=[personal_data("ship-to address")]`: every call is kept in the trail."""
    return Depends(PersonalData(what)())


def calls_of(dependant: Dependant) -> Iterator[Any]:
    for each in dependant.dependencies:
        yield each.call
        yield from calls_of(each)


@dataclass(frozen=True)
class Kept:
    """What the trail keeps of a route's calls."""

    guarded: bool  # a policy other than public: its changes are kept
    personal_data: str | None

    @classmethod
    def of(cls, route: APIRoute) -> "Kept":
        calls = list(calls_of(route.dependant))
        guarded = any(isinstance(getattr(c, "policy", None), Policy) for c in calls)
        marks = [c.personal_data.what for c in calls if hasattr(c, "personal_data")]
        return cls(guarded, marks[0] if marks else None)

    def keeps(self, method: str) -> bool:
        return self.personal_data is not None or (self.guarded and method in CHANGES)


def case_of(params: dict[str, Any]) -> str | None:
    """The case a call is about: its `case_id`, else the first id the route names."""
    if "case_id" in params:
        return str(params["case_id"])
    ids = [value for name, value in params.items() if name == "id" or name.endswith("_id")]
    found = ids or list(params.values())
    return str(found[0]) if found else None


# ------------------------------------------------------------------- writing the trail


class AuditTrail:
    """ASGI middleware, innermost: after a kept route has answered, its row."""

    def __init__(
        self, app: ASGIApp, service: str, engine: AsyncEngine, proxies: TrustedProxies
    ) -> None:
        self.app = app
        self.service = service
        self.engine = engine
        self.proxies = proxies
        self.routes: dict[int, Kept] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def answering(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, answering)
        finally:
            route = scope.get("route")
            if isinstance(route, APIRoute):
                kept = self.routes.get(id(route))
                if kept is None:
                    kept = self.routes[id(route)] = Kept.of(route)
                if kept.keeps(scope["method"]):
                    await self.record(scope, route, kept, status)

    async def record(self, scope: Scope, route: APIRoute, kept: Kept, status: int) -> None:
        principal: Principal | None = (scope.get("state") or {}).get("principal")
        params = {name: str(value) for name, value in (scope.get("path_params") or {}).items()}
        row = {
            "at": datetime.now(UTC),
            "service": self.service,
            "subject": principal.subject if principal else None,
            "name": principal.name if principal else None,
            "roles": sorted(principal.roles) if principal else [],
            "method": scope["method"],
            "route": route.path,
            "status": status,
            "case_id": case_of(params),
            "path_params": params,
            "personal_data": kept.personal_data,
            "client_address": self.proxies.client_of(scope),
        }
        try:
            async with self.engine.begin() as connection:
                await connection.execute(insert(ENTRIES), row)
        except Exception:
            log.exception("the audit trail could not keep %s %s", scope["method"], route.path)


def guard(app: FastAPI, service: str, engine: AsyncEngine, settings: ServiceSettings) -> None:
    """Keep the app's calls in the trail (add it before the other middleware: it must see
    the route chosen) and answer `GET /audit`."""
    app.add_middleware(
        AuditTrail,
        service=service,
        engine=engine,
        proxies=TrustedProxies.of(settings.trusted_proxies),
    )
    app.state.audit = (service, engine)
    app.include_router(router)


# ------------------------------------------------------------------- reading the trail

router = APIRouter(tags=["audit"])


class AuditEntryView(BaseModel):
    at: datetime
    service: str
    subject: str | None
    name: str | None
    roles: list[str]
    method: str
    route: str
    status: int
    case_id: str | None
    path_params: dict[str, str]
    personal_data: str | None
    client_address: str | None


def in_utc(moment: datetime, name: str) -> datetime:
    """A bound of the query in UTC (a time without a zone is taken as UTC)."""
    try:
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:
        raise HTTPException(422, f"{name} is out of range") from None


@router.get(
    "/audit",
    summary="The service's audit trail, newest first",
    description="Platform admins only. Changes made and personal data read on this service: "
    "by case (or the resource a route names), by caller's subject, within [since, until).",
    dependencies=[personal_data("audit trail")],
)
async def audit_trail(
    request: Request,
    caller: PlatformAdmin,
    case_id: str | None = None,
    subject: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEntryView]:
    service, engine = request.app.state.audit
    query = select(ENTRIES).where(ENTRIES.c.service == service)
    if case_id is not None:
        query = query.where(ENTRIES.c.case_id == case_id)
    if subject is not None:
        query = query.where(ENTRIES.c.subject == subject)
    if since is not None:
        query = query.where(ENTRIES.c.at >= in_utc(since, "since"))
    if until is not None:
        query = query.where(ENTRIES.c.at < in_utc(until, "until"))
    query = query.order_by(ENTRIES.c.at.desc(), ENTRIES.c.id.desc()).limit(limit)
    async with engine.connect() as connection:
        rows = (await connection.execute(query)).mappings().all()
    return [AuditEntryView.model_validate(dict(row)) for row in rows]
