"""The abuse limits on a small app guarded as the services are, its tokens from the tests'
issuer: per address before anything else, per signed-in subject, and refused tokens."""

import asyncio
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI

from services.refurbish.app import SPEC as REFURBISH
from shared import edge, rate_limits
from shared.identity import SellerReader
from shared.rate_limits import storage_uri
from shared.service import create_app
from shared.settings import ServiceSettings
from tests.factories import ISSUER, bearer, token_of

ANA = bearer(token_of(["agent"], name="ana"))
BEN = bearer(token_of(["agent"], name="ben"))
WRONG = bearer("not-a-token")


def limited_app(**limits) -> FastAPI:
    settings = ServiceSettings(auth_issuer=ISSUER.url, **limits)
    app = FastAPI()
    app.state.service = SimpleNamespace(settings=settings)

    @app.get("/open")
    async def open_to_all() -> dict:
        return {"ok": True}

    @app.get("/cases")
    async def cases(caller: SellerReader) -> dict:
        return {"caller": caller.subject}

    edge.guard(app, edge.BodyLimits(1024))
    rate_limits.guard(app, "test", settings)
    return app


def client(app: FastAPI, address: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def assert_throttled(answer: httpx.Response) -> int:
    assert answer.status_code == 429, answer.text
    assert answer.json()["error"] == "too_many_requests"
    assert "try again in" in answer.json()["detail"]
    wait = int(answer.headers["retry-after"])
    assert 1 <= wait <= 60
    return wait


async def test_an_address_past_its_limit_waits_retry_after_then_passes_again():
    app = limited_app(rate_limit_per_address="3/2 seconds")
    async with client(app) as near, client(app, "198.51.100.4") as other:
        assert [(await near.get("/open")).status_code for _ in range(3)] == [200] * 3
        wait = assert_throttled(await near.get("/open"))
        assert "198.51.100.4" not in (await near.get("/open")).text
        assert (await other.get("/open")).status_code == 200  # another address counts apart
        await asyncio.sleep(wait)
        assert (await near.get("/open")).status_code == 200


async def test_the_address_limit_holds_before_authentication(dev_issuer):
    app = limited_app(rate_limit_per_address="2/minute")
    async with client(app) as near:
        assert (await near.get("/cases")).status_code == 401
        assert (await near.get("/cases", headers=ANA)).status_code == 200
        assert_throttled(await near.get("/cases", headers=ANA))


async def test_a_subject_is_counted_whatever_address_it_calls_from(dev_issuer):
    app = limited_app(rate_limit_per_principal="3/minute")
    addresses = ("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4")
    answers = []
    for address in addresses:
        async with client(app, address) as each:
            answers.append(await each.get("/cases", headers=ANA))
    assert [a.status_code for a in answers[:3]] == [200] * 3
    assert_throttled(answers[3])
    assert "by ana" in answers[3].json()["detail"]
    async with client(app, addresses[3]) as same_address:
        assert (await same_address.get("/cases", headers=BEN)).status_code == 200


async def test_wrong_tokens_are_throttled_by_the_default_limits(dev_issuer):
    app = limited_app()
    async with client(app) as guesser, client(app, "198.51.100.4") as other:
        answers = [(await guesser.get("/cases", headers=WRONG)).status_code for _ in range(300)]
        assert answers[0] == 401
        assert answers[-1] == 429
        # Once throttled, a good token from there waits too (guessing goes nowhere) ...
        assert_throttled(await guesser.get("/cases", headers=ANA))
        # ... while other addresses and calls without a token are not held up.
        assert (await other.get("/cases", headers=ANA)).status_code == 200
        assert (await guesser.get("/open")).status_code == 200


async def test_the_refused_token_limit_is_a_setting(dev_issuer):
    app = limited_app(rate_limit_refused_tokens="2/minute")
    async with client(app) as guesser:
        assert [(await guesser.get("/cases", headers=WRONG)).status_code for _ in range(2)] == [
            401,
            401,
        ]
        assert_throttled(await guesser.get("/cases", headers=WRONG))


async def test_a_service_app_counts_every_route_by_address_the_probes_too():
    settings = ServiceSettings(auth_issuer=ISSUER.url, rate_limit_per_address="2/minute")
    app = create_app(REFURBISH, settings)
    async with client(app) as near:
        assert [(await near.get("/healthz")).status_code for _ in range(2)] == [200, 200]
        assert_throttled(await near.get("/healthz"))
        page = await near.get("/healthz", headers={"accept": "text/html"})
        assert page.status_code == 429 and "Too many requests" in page.text
    await app.state.service.engine.dispose()


@pytest.mark.parametrize(
    ("redis_url", "uri"),
    [
        (None, "async+memory://"),
        ("", "async+memory://"),
        ("redis://cache:6379/0", "async+redis://cache:6379/0"),
        (
            "rediss://:secret@cache.example.com:6380",
            "async+rediss://:secret@cache.example.com:6380",
        ),
        ("unix:///run/redis.sock", "async+redis+unix:///run/redis.sock"),
    ],
)
def test_the_counts_are_kept_in_process_or_in_redis(redis_url, uri):
    chosen, options = storage_uri(redis_url)
    assert chosen == uri
    assert options == (
        {} if not redis_url else {"implementation": "redispy", "wrap_exceptions": True}
    )


def test_a_redis_url_of_another_scheme_is_refused():
    with pytest.raises(ValueError, match="REDIS_URL"):
        storage_uri("http://cache:6379")


async def test_unreachable_redis_lets_calls_pass():
    settings = ServiceSettings(redis_url="redis://127.0.0.1:1/0", rate_limit_per_address="1/minute")
    limits = rate_limits.RateLimits.from_settings("test", settings)
    assert await limits.hit(limits.per_address, "address", "192.0.2.1") is None
    assert await limits.hit(limits.per_address, "address", "192.0.2.1") is None
