"""`ebay_public_keys` against a local fake of eBay's Notification API (pytest-httpserver)."""

import threading

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from services.intake.channels.ebay import public_keys as ebay_public_keys
from shared.outbound import Refused, Unavailable

KID = "9936261a-7d7b-4621-a0f1-96ccb428af49"
PATH = f"/commerce/notification/v1/public_key/{KID}"
APP_TOKEN = "v^1.1#i^1#p^1#r^0#I^3#f^0#t^H4sIAAAAAAAAAOVYa2wUVRTe7fZBKQWMhFeILA"
CLIENT_TIMEOUT = 1.0


@pytest.fixture(scope="module")
def public_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def as_ebay_gives_it(pem: str) -> str:
    """getPublicKey's `key`: the armoured PEM on one line."""
    return "".join(pem.strip().splitlines())


def answer(httpserver: HTTPServer, pem: str, key_id: str = KID) -> None:
    httpserver.expect_request(
        f"/commerce/notification/v1/public_key/{key_id}", method="GET"
    ).respond_with_json({"key": as_ebay_gives_it(pem), "algorithm": "ECDSA", "digest": "SHA1"})


@pytest.fixture
async def client():
    async with httpx.AsyncClient(timeout=CLIENT_TIMEOUT) as client:
        yield client


async def read(client: httpx.AsyncClient, httpserver: HTTPServer, key_id: str = KID) -> str:
    return await ebay_public_keys.read_public_key(
        client, httpserver.url_for("/"), APP_TOKEN, key_id
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# A successful read


async def test_the_key_is_read_with_the_app_token_as_a_standard_pem(client, httpserver, public_pem):
    answer(httpserver, public_pem)
    assert await read(client, httpserver) == public_pem
    [(request, _)] = httpserver.log
    assert request.path == PATH
    assert request.headers["Authorization"] == f"Bearer {APP_TOKEN}"


async def test_a_bare_key_is_given_its_armour(client, httpserver, public_pem):
    bare = "".join(public_pem.strip().splitlines()[1:-1])
    httpserver.expect_request(PATH).respond_with_json({"key": bare, "algorithm": "ECDSA"})
    assert await read(client, httpserver) == public_pem


async def test_the_key_id_is_one_segment_of_the_path(httpserver, public_pem):
    leaving: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        leaving.append(request)

    httpserver.expect_request("/commerce/notification/v1/public_key/a/b").respond_with_json(
        {"key": as_ebay_gives_it(public_pem)}
    )
    async with httpx.AsyncClient(event_hooks={"request": [record]}) as client:
        await read(client, httpserver, "a/b")
    [request] = leaving
    assert request.url.raw_path == b"/commerce/notification/v1/public_key/a%2Fb"


# The cache


async def test_a_key_read_once_is_not_asked_again_within_the_hour(client, httpserver, public_pem):
    answer(httpserver, public_pem)
    keys = ebay_public_keys.PublicKeys()
    base_url = httpserver.url_for("/")
    first = await keys.key(client, base_url, APP_TOKEN, KID)
    second = await keys.key(client, base_url, APP_TOKEN, KID)
    assert first == second == public_pem
    assert len(httpserver.log) == 1


async def test_a_key_is_asked_again_after_the_hour(client, httpserver, public_pem):
    answer(httpserver, public_pem)
    clock = Clock()
    keys = ebay_public_keys.PublicKeys(clock=clock)
    base_url = httpserver.url_for("/")
    await keys.key(client, base_url, APP_TOKEN, KID)
    clock.now += 3599
    await keys.key(client, base_url, APP_TOKEN, KID)
    assert len(httpserver.log) == 1
    clock.now += 1
    await keys.key(client, base_url, APP_TOKEN, KID)
    assert len(httpserver.log) == 2


async def test_each_key_id_is_kept_apart(client, httpserver, public_pem):
    other_pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    answer(httpserver, public_pem)
    answer(httpserver, other_pem, "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0")
    keys = ebay_public_keys.PublicKeys()
    base_url = httpserver.url_for("/")
    assert await keys.key(client, base_url, APP_TOKEN, KID) == public_pem
    other = await keys.key(client, base_url, APP_TOKEN, "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0")
    assert other == other_pem


async def test_a_failed_read_is_not_kept(client, httpserver, public_pem):
    httpserver.expect_ordered_request(PATH).respond_with_json({"errors": []}, status=503)
    httpserver.expect_ordered_request(PATH).respond_with_json({"key": as_ebay_gives_it(public_pem)})
    keys = ebay_public_keys.PublicKeys()
    base_url = httpserver.url_for("/")
    with pytest.raises(Unavailable):
        await keys.key(client, base_url, APP_TOKEN, KID)
    assert await keys.key(client, base_url, APP_TOKEN, KID) == public_pem


# Refused: retrying will not help


@pytest.mark.parametrize("status", [404, 400, 401, 403])
async def test_a_refusing_status_is_permanent(client, httpserver, status):
    body = {"errors": [{"errorId": 195000, "message": "Resource not found."}]}
    httpserver.expect_request(PATH).respond_with_json(body, status=status)
    with pytest.raises(Refused) as error:
        await read(client, httpserver)
    assert error.value.status == status
    assert f"public key {KID}" in error.value.reason


@pytest.mark.parametrize(
    "body", [{"algorithm": "ECDSA", "digest": "SHA1"}, {"key": "not a key", "digest": "SHA1"}]
)
async def test_an_answer_without_a_readable_key_is_refused(client, httpserver, body):
    httpserver.expect_request(PATH).respond_with_json(body)
    with pytest.raises(Refused):
        await read(client, httpserver)


# Unavailable: retry later


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_throttling_and_server_errors_are_transient(client, httpserver, status):
    httpserver.expect_request(PATH).respond_with_json({"errors": []}, status=status)
    with pytest.raises(Unavailable) as error:
        await read(client, httpserver)
    assert error.value.status == status


async def test_no_answer_in_time_is_transient(client, httpserver):
    answered = threading.Event()

    def slow(request: Request) -> Response:
        # The fake server serves one request at a time: it answers once the client gave up.
        answered.wait(timeout=5)
        return Response("{}", content_type="application/json")

    httpserver.expect_request(PATH).respond_with_handler(slow)
    with pytest.raises(Unavailable, match="no answer in time"):
        await read(client, httpserver)
    answered.set()
