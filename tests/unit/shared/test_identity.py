"""Bearer tokens are taken only from the configured issuer, for our audience, unexpired and
untampered; a policy admits only its roles (`shared/identity.py`), against the tests'
development issuer served over HTTP (its JWKS read as any issuer's)."""

import base64
import json
from types import SimpleNamespace

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from pydantic import SecretStr

from deploy.dev_issuer import DevIssuer
from shared.identity import (
    ClientCredentials,
    Role,
    SellerAdmin,
    SellerReader,
    TokenRefused,
    Verifier,
)
from shared.settings import ServiceSettings
from tests.factories import ISSUER, SERVICE_SECRET, bearer, token_of


@pytest.fixture
def settings(dev_issuer) -> ServiceSettings:
    return ServiceSettings(
        environment="development",
        auth_issuer=dev_issuer,
        auth_leeway_seconds=30,
        service_client_secrets={"intake": SERVICE_SECRET},
    )


@pytest.fixture
def verifier(settings) -> Verifier:
    return Verifier.from_settings(settings)


@pytest.fixture
async def api(settings):
    """A tiny app with one route per policy, as a service wires them."""
    app = FastAPI()
    app.state.service = SimpleNamespace(settings=settings)

    @app.get("/read")
    async def read(caller: SellerReader) -> dict:
        return {"who": caller.name, "sellers": sorted(caller.sellers)}

    @app.put("/settings")
    async def change(caller: SellerAdmin) -> dict:
        return {"who": caller.name}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        yield client


def stranger(url: str = ISSUER.url) -> DevIssuer:
    """An issuer with a key of its own (at `url`: one that claims to be ours)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return DevIssuer(url, ISSUER.audience, key, {})


async def test_a_good_token_gives_its_roles_and_scopes(verifier):
    token = token_of(["agent"], sellers=["A1", "A2"], warehouses=["BOS1"], name="li")
    principal = await verifier.principal(token)
    assert principal.roles == {Role.AGENT}
    assert (principal.name, principal.sellers, principal.warehouses) == (
        "li",
        {"A1", "A2"},
        {"BOS1"},
    )
    assert principal.serves("A1") and not principal.serves("B1")


@pytest.mark.parametrize(
    ("token", "why"),
    [
        (stranger("https://elsewhere.example").mint({"sub": "x"}), "not one of the issuer's"),
        (stranger().mint({"sub": "x"}), "not one of the issuer's"),
        (ISSUER.mint({"sub": "x"}, seconds=-120), "expired"),
        (ISSUER.mint({"sub": "x"}, aud="another-api"), "(?i)audience"),
        (ISSUER.mint({"sub": "x"}, iss="https://elsewhere.example"), "issuer"),
        (ISSUER.mint({"roles": ["agent"]}), "sub"),
        ("not-a-jwt", "not a JWT"),
    ],
    ids=["other issuer", "other key", "expired", "audience", "iss", "no subject", "garbage"],
)
async def test_a_token_not_ours_is_refused(verifier, token, why):
    with pytest.raises(TokenRefused, match=why):
        await verifier.principal(token)


async def test_a_token_just_past_its_expiry_is_within_the_clock_skew(verifier):
    principal = await verifier.principal(ISSUER.mint({"sub": "late"}, seconds=-10))
    assert principal.subject == "late"


async def test_a_tampered_token_is_refused(verifier):
    header, body, signature = token_of(["agent"], sellers=["A1"]).split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims["roles"] = ["platform_admin"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(TokenRefused, match="Signature"):
        await verifier.principal(f"{header}.{forged}.{signature}")


async def test_an_unsigned_or_shared_secret_token_is_refused(verifier):
    none = jwt.encode({"sub": "x", "aud": ISSUER.audience, "iss": ISSUER.url}, None, "none")
    hs = jwt.encode({"sub": "x"}, "a-shared-secret-of-32-bytes-long!", "HS256")
    for token in (none, hs):
        with pytest.raises(TokenRefused, match="not accepted"):
            await verifier.principal(token)


async def test_roles_the_project_does_not_know_give_nothing(verifier):
    token = ISSUER.mint({"sub": "x", "roles": ["agent", "superuser"], "sellers": "A1 A2"})
    principal = await verifier.principal(token)
    assert principal.roles == {Role.AGENT} and principal.sellers == {"A1", "A2"}
    nobody = await verifier.principal(ISSUER.mint({"sub": "y", "roles": ["superuser"]}))
    assert not nobody.roles and not nobody.every_seller and not nobody.serves("A1")


async def test_roles_are_read_where_the_issuer_keeps_them(settings):
    keycloak = Verifier.from_settings(
        settings.model_copy(update={"auth_roles_claim": "realm_access.roles"})
    )
    token = ISSUER.mint({"sub": "x", "realm_access": {"roles": ["operations"]}})
    assert (await keycloak.principal(token)).roles == {Role.OPERATIONS}


async def test_routes_answer_401_without_a_good_token_and_403_without_the_role(api):
    assert (await api.get("/read")).status_code == 401
    assert (await api.get("/read")).headers["www-authenticate"] == "Bearer"
    expired = bearer(ISSUER.mint({"sub": "x", "roles": ["agent"]}, seconds=-600))
    assert (await api.get("/read", headers=expired)).status_code == 401
    staff = bearer(token_of(["warehouse_staff"], warehouses=["BOS1"]))
    refused = await api.get("/read", headers=staff)
    assert refused.status_code == 403 and "agent" in refused.json()["detail"]
    agent = bearer(token_of(["agent"], sellers=["A1"], name="li"))
    assert (await api.get("/read", headers=agent)).json() == {"who": "li", "sellers": ["A1"]}
    assert (await api.put("/settings", headers=agent)).status_code == 403
    admin = bearer(token_of(["seller_admin"], sellers=["A1"]))
    assert (await api.put("/settings", headers=admin)).status_code == 200


async def test_a_service_gets_its_client_credentials_token_and_renews_it(settings, verifier):
    credentials = ClientCredentials(settings, "intake")
    token = await credentials.current()
    principal = await verifier.principal(token)
    assert (principal.subject, principal.roles) == ("intake", {Role.SERVICE})
    assert await credentials.current() == token  # kept while it is good
    assert await credentials.current(renew=True)  # fetched again on demand


async def test_a_wrong_client_secret_is_refused_by_the_issuer(settings):
    wrong = settings.model_copy(
        update={"service_client_secrets": {"intake": SecretStr("not-it-at-all")}}
    )
    with pytest.raises(httpx.HTTPStatusError, match="refused intake's client credentials"):
        await ClientCredentials(wrong, "intake").current()
