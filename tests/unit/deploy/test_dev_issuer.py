"""The development issuer's sign-in sends its codes only back to the stack: a redirect URI
of another origin is refused on the sign-in page and on its form; the page offers the
issuer's own personas, with no script in it."""

import html

import httpx
import pytest

from deploy.dev_issuer import DevIssuer, create_app, redirect_origins_of
from services.analytics.settings import AnalyticsSettings
from tests.factories import ISSUER, TEST_SELLER_AGENT

CONSOLE = "https://ops.example.com"


@pytest.fixture
async def issuer():
    own = DevIssuer(
        ISSUER.url,
        "after-sales",
        ISSUER.key,
        {},
        personas=ISSUER.personas,
        redirect_origins={CONSOLE},
    )
    transport = httpx.ASGITransport(app=create_app(own))
    async with httpx.AsyncClient(transport=transport, base_url=ISSUER.url) as client:
        yield client


def asking(redirect_uri: str) -> dict[str, str]:
    return {
        "client_id": "console",
        "redirect_uri": redirect_uri,
        "code_challenge": "c" * 43,
        "code_challenge_method": "S256",
        "state": "s",
    }


def chosen(redirect_uri: str) -> dict[str, str]:
    """The sign-in page's form, the test seller's agent chosen."""
    form = asking(redirect_uri) | {"persona": TEST_SELLER_AGENT.subject}
    del form["code_challenge_method"]
    return form


async def test_the_sign_in_page_offers_the_personas_and_sends_back_to_the_console(issuer):
    page = await issuer.get("/authorize", params=asking(f"{CONSOLE}/console/signed-in"))
    assert page.status_code == 200 and html.escape(TEST_SELLER_AGENT.name) in page.text
    assert "<script" not in page.text
    back = await issuer.post("/authorize", data=chosen(f"{CONSOLE}/console/signed-in"))
    assert back.status_code == 303
    assert back.headers["location"].startswith(f"{CONSOLE}/console/signed-in?code=")


@pytest.mark.parametrize(
    "elsewhere",
    [
        "https://attacker.example/console/signed-in",
        "https://ops.example.com.attacker.example/console/signed-in",
        "http://ops.example.com/console/signed-in",  # not the https origin
        "javascript:alert(1)",
    ],
)
async def test_a_redirect_uri_of_another_origin_is_refused(issuer, elsewhere):
    assert (await issuer.get("/authorize", params=asking(elsewhere))).status_code == 400
    refused = await issuer.post("/authorize", data=chosen(elsewhere))
    assert refused.status_code == 400 and "location" not in refused.headers


def test_the_stacks_services_and_the_console_base_url_are_where_codes_may_go():
    settings = AnalyticsSettings(
        environment="development", console_base_url="https://Ops.example.com/base"
    )
    origins = redirect_origins_of(settings)
    assert {"http://127.0.0.1:8005", "http://localhost:8005", "http://127.0.0.1:8001"} <= origins
    assert "https://ops.example.com" in origins
    assert redirect_origins_of(AnalyticsSettings(environment="development", host="10.0.0.5")) == {
        f"http://10.0.0.5:{port}" for port in (8001, 8002, 8003, 8004, 8005)
    }
