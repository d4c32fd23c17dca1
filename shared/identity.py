"""Who is calling: OAuth 2 / OpenID Connect bearer tokens, verified against the issuer's
published keys, and what each role may reach.

Any standard identity provider works by configuration (`AUTH_ISSUER`, `AUTH_AUDIENCE`, and
where the roles sit in its tokens: `AUTH_ROLES_CLAIM`); `make run` and the tests use the
project's development issuer (`deploy/dev_issuer.py`). A token is an RS256 or ES256 JWT
whose issuer, audience, expiry and signature are checked (with `AUTH_LEEWAY_SECONDS` of
clock skew), by PyJWT against the issuer's JWKS, fetched once and again when a token names
a key it has not seen.

A token's claims say what the caller serves: `roles`, and the `sellers` (seller accounts),
`warehouses` and `repair_shops` it is scoped to. A platform admin reaches every seller; a
service (client credentials) reaches the narrow internal lookups only.

Every route declares its policy with one of the dependencies at the bottom (`Public` for
the signed webhooks, the buyer's signed links and the probes); `tests/architecture`
walks every route and fails on one without.
"""

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import ColumnElement, true

from shared import rate_limits
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)

ALGORITHMS = ["RS256", "ES256"]
KEYS_REFRESH_SECONDS = 300.0  # how long fetched keys are trusted before the JWKS is read again
UNKNOWN_KEY_PAUSE = 30.0  # an unknown kid refetches the JWKS at most this often


class Role(StrEnum):
    PLATFORM_ADMIN = "platform_admin"  # onboarding, audit; every seller
    SELLER_ADMIN = "seller_admin"  # their sellers: policy, accounts, knowledge
    AGENT = "agent"  # their sellers' cases
    OPERATIONS = "operations"  # read across the sellers assigned
    WAREHOUSE_STAFF = "warehouse_staff"  # their warehouses' tasks
    TECHNICIAN = "technician"  # their repair shops' benches
    SERVICE = "service"  # another service of the stack: the narrow lookups


@dataclass(frozen=True)
class Principal:
    """The verified caller."""

    subject: str
    name: str
    roles: frozenset[Role]
    sellers: frozenset[str] = frozenset()
    warehouses: frozenset[str] = frozenset()
    repair_shops: frozenset[str] = frozenset()
    claims: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def every_seller(self) -> bool:
        return Role.PLATFORM_ADMIN in self.roles or Role.SERVICE in self.roles

    def serves(self, seller: str | None) -> bool:
        return self.every_seller or (seller is not None and seller in self.sellers)

    def sellers_in(self, column: Any) -> ColumnElement[bool]:
        """The SQL condition that keeps a query to the caller's sellers."""
        return true() if self.every_seller else column.in_(sorted(self.sellers))

    def works_at(self, warehouse: str | None) -> bool:
        return warehouse is not None and warehouse in self.warehouses

    def repairs_at(self, shop: str | None) -> bool:
        return shop is not None and shop in self.repair_shops

    def seller_or_404(self, seller: str | None, what: str = "resource") -> None:
        """Another seller's thing answers as one that does not exist."""
        if not self.serves(seller):
            raise HTTPException(404, f"no such {what}")


class TokenRefused(Exception):
    pass


@dataclass
class IssuerKeys:
    """The issuer's signing keys (its JWKS), fetched when needed."""

    issuer: str
    jwks_url: str | None = None
    timeout: float = 5.0
    _keys: dict[str, jwt.PyJWK] = field(default_factory=dict)
    _fetched_at: float = 0.0
    _tried_at: float = float("-inf")
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def key_for(self, kid: str | None) -> jwt.PyJWK:
        if self._wants_fetch(kid):
            async with self._lock:
                if self._wants_fetch(kid):  # not fetched meanwhile by another request
                    await self._fetch()
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        if kid not in self._keys:
            raise TokenRefused(f"the token's key {kid!r} is not one of the issuer's")
        return self._keys[kid]

    def _wants_fetch(self, kid: str | None) -> bool:
        """No keys yet; or they are old, or lack `kid`, and the issuer was not asked within
        UNKNOWN_KEY_PAUSE (an issuer that is down is not asked on every request)."""
        now = time.monotonic()
        if not self._keys:
            return True
        wanted = now - self._fetched_at >= KEYS_REFRESH_SECONDS or kid not in self._keys
        return wanted and now - self._tried_at > UNKNOWN_KEY_PAUSE

    async def _fetch(self) -> None:
        self._tried_at = time.monotonic()
        async with httpx.AsyncClient(timeout=self.timeout) as http:
            try:
                url = self.jwks_url or await jwks_url_of(http, self.issuer)
                answer = await http.get(url)
                answer.raise_for_status()
                found = jwt.PyJWKSet.from_dict(answer.json())
            except (httpx.HTTPError, ValueError, jwt.PyJWTError) as error:
                if self._keys:  # keep what we had: the issuer may be back soon
                    log.warning("the issuer's keys could not be read again: %s", error)
                    return
                raise TokenRefused(f"the issuer's keys cannot be read: {error}") from error
        self._keys = {key.key_id or "": key for key in found.keys}
        self._fetched_at = time.monotonic()


async def discovery_of(http: httpx.AsyncClient, issuer: str) -> dict[str, Any]:
    answer = await http.get(f"{issuer.rstrip('/')}/.well-known/openid-configuration")
    answer.raise_for_status()
    return answer.json()


async def jwks_url_of(http: httpx.AsyncClient, issuer: str) -> str:
    return (await discovery_of(http, issuer))["jwks_uri"]


def claim_at(claims: dict[str, Any], path: str) -> Any:
    """A claim by dotted path (Keycloak keeps roles at `realm_access.roles`)."""
    value: Any = claims
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def names(value: Any) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, list):
        return frozenset(str(v) for v in value)
    return frozenset()


@dataclass
class Verifier:
    """Checks bearer tokens for one audience, against one issuer."""

    issuer: str
    audience: str
    leeway: float
    roles_claim: str
    keys: IssuerKeys

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> "Verifier":
        issuer = settings.issuer_url
        return cls(
            issuer,
            settings.auth_audience,
            settings.auth_leeway_seconds,
            settings.auth_roles_claim,
            IssuerKeys(issuer, settings.auth_jwks_url),
        )

    async def principal(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise TokenRefused(f"not a JWT: {error}") from error
        if header.get("alg") not in ALGORITHMS:
            raise TokenRefused(f"tokens signed with {header.get('alg')!r} are not accepted")
        key = await self.keys.key_for(header.get("kid"))
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise TokenRefused(str(error)) from error
        roles = frozenset(Role(r) for r in names(claim_at(claims, self.roles_claim)) if r in ROLES)
        return Principal(
            subject=claims["sub"],
            name=str(claims.get("name") or claims.get("preferred_username") or claims["sub"]),
            roles=roles,
            sellers=names(claims.get("sellers")),
            warehouses=names(claims.get("warehouses")),
            repair_shops=names(claims.get("repair_shops")),
            claims=claims,
        )


ROLES = frozenset(r.value for r in Role)
bearer = HTTPBearer(auto_error=False)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def verifier_of(request: Request) -> Verifier:
    service = request.app.state.service
    verifier = getattr(service, "verifier", None)
    if verifier is None:
        verifier = service.verifier = Verifier.from_settings(service.settings)
    return verifier


# Where a browser's session (the console, signed in) keeps its token, for routes that
# take one: `services/analytics/handlers/sign_in.py` puts it there.
SESSION_TOKEN = "access_token"


async def authenticated(request: Request, given: Credentials) -> Principal:
    """The caller, from the bearer token (or a signed-in browser session's); 401 without."""
    token = given.credentials if given is not None else session_token(request)
    if not token:
        raise HTTPException(
            401, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    await rate_limits.token_presented(request)
    try:
        principal = await verifier_of(request).principal(token)
    except TokenRefused as error:
        await rate_limits.token_refused(request)
        raise HTTPException(
            401,
            f"the token is refused: {error}",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from error
    request.state.principal = principal
    await rate_limits.principal_called(request, principal.subject)
    return principal


def session_token(request: Request) -> str | None:
    if "session" not in request.scope:
        return None
    return request.session.get(SESSION_TOKEN)


@dataclass(frozen=True)
class Policy:
    """Who may call a route: any of `roles`; `name` says what it guards."""

    name: str
    roles: frozenset[Role]

    def __call__(self) -> Callable[..., Any]:
        async def allowed(principal: Annotated[Principal, Depends(authenticated)]) -> Principal:
            if not principal.roles & self.roles:
                wanted = ", ".join(sorted(self.roles))
                raise HTTPException(403, f"this needs one of the roles: {wanted}")
            return principal

        allowed.policy = self  # type: ignore[attr-defined]  # read by the route walk
        return allowed


def policy(name: str, roles: Iterable[Role]) -> Any:
    return Depends(Policy(name, frozenset(roles))())


@dataclass(frozen=True)
class PublicRoute:
    """A route open without a token, and why it is safe (its own signature, a probe)."""

    why: str

    def __call__(self) -> Callable[..., Any]:
        async def public() -> None:
            return None

        public.policy = self  # type: ignore[attr-defined]
        return public


def public(why: str) -> Any:
    return Depends(PublicRoute(why)())


R = Role
# Seller data: read by the sellers' own people and the operations team assigned to them.
SellerReader = Annotated[
    Principal,
    policy("seller data, read", (R.SELLER_ADMIN, R.AGENT, R.OPERATIONS, R.PLATFORM_ADMIN)),
]
# Seller data, changed: cases, replies, retries.
SellerAgent = Annotated[
    Principal, policy("seller data, worked", (R.SELLER_ADMIN, R.AGENT, R.PLATFORM_ADMIN))
]
# What the seller decides: policies, knowledge, channel accounts' secrets, the sales feed.
SellerAdmin = Annotated[Principal, policy("seller settings", (R.SELLER_ADMIN, R.PLATFORM_ADMIN))]
# The platform itself: onboarding, every seller's dead letters, the audit trail.
PlatformAdmin = Annotated[Principal, policy("platform", (R.PLATFORM_ADMIN,))]
WarehouseStaff = Annotated[Principal, policy("warehouse work", (R.WAREHOUSE_STAFF,))]
Technician = Annotated[Principal, policy("repair bench", (R.TECHNICIAN,))]
# Another service of the stack: the narrow internal lookups only.
ServiceCall = Annotated[Principal, policy("service lookup", (R.SERVICE,))]
# The buyer's page asks for a case's own pictures or label as a service; agents see them too.
SellerAgentOrService = Annotated[
    Principal,
    policy(
        "seller data or service lookup",
        (R.SELLER_ADMIN, R.AGENT, R.OPERATIONS, R.PLATFORM_ADMIN, R.SERVICE),
    ),
]


# ------------------------------------------------------------ calls to the other services


class ClientCredentials(httpx.Auth):
    """httpx auth that carries the service's own client-credentials token: fetched from the
    issuer's token endpoint (OAuth 2, RFC 6749 section 4.4) the first time, again shortly
    before it runs out, and once more when an answer is 401."""

    def __init__(self, settings: ServiceSettings, client_id: str) -> None:
        secret = settings.service_client_secrets.get(client_id)
        self.client_id = client_id
        self.secret = secret.get_secret_value() if secret else ""
        self.issuer = settings.issuer_url
        self.token_url = settings.auth_token_url
        self.timeout = settings.marketplace_timeout_seconds
        self.token: str | None = None
        self.until = 0.0
        self.lock = asyncio.Lock()

    async def async_auth_flow(self, request: httpx.Request):
        request.headers["Authorization"] = f"Bearer {await self.current()}"
        response = yield request
        if response.status_code == 401:
            request.headers["Authorization"] = f"Bearer {await self.current(renew=True)}"
            yield request

    async def current(self, renew: bool = False) -> str:
        async with self.lock:
            if renew or self.token is None or time.monotonic() > self.until:
                self.token, seconds = await self.fetch()
                self.until = time.monotonic() + max(seconds - 60, seconds / 2)
            return self.token

    async def fetch(self) -> tuple[str, float]:
        async with httpx.AsyncClient(timeout=self.timeout) as http:
            url = self.token_url or (await discovery_of(http, self.issuer))["token_endpoint"]
            answer = await http.post(
                url,
                data={"grant_type": "client_credentials"},
                auth=(self.client_id, self.secret),
            )
        if answer.status_code != 200:
            raise httpx.HTTPStatusError(
                f"the issuer refused {self.client_id}'s client credentials: {answer.text[:200]}",
                request=answer.request,
                response=answer,
            )
        body = answer.json()
        return body["access_token"], float(body.get("expires_in", 300))


def service_client(settings: ServiceSettings, service: str, **http: Any) -> httpx.AsyncClient:
    """A client for calls to another service, as `service` (its client secret from
    SERVICE_CLIENT_SECRETS; the token endpoint from AUTH_TOKEN_URL or the issuer's discovery
    document); `http` goes to httpx (base_url, timeout...)."""
    return httpx.AsyncClient(auth=ClientCredentials(settings, service), **http)
