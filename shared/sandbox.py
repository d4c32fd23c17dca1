"""Outside APIs that are not the real ones (the project's emulators, a marketplace's or
carrier's sandbox, a carrier's test key) are for local runs only. A production start-up
that finds one configured logs a warning naming the setting: refunds would be "paid" and
labels "bought" where no buyer is paid and no parcel moves.

What counts as not real: a URL on this machine (localhost, a loopback address) or on a
reserved test domain (`.invalid`, `.test`, `.localhost`, `.example`), a host with
"sandbox" in its name (eBay's, Walmart's, Amazon's sandboxes), and EasyPost's test keys
(`EZTK…`). The services' URLs of one another (and the buyers' pages, intake's own) are
not outside APIs and are not checked.
"""

import ipaddress
import logging
from urllib.parse import urlsplit

from pydantic import SecretStr

from shared.settings import ServiceSettings

log = logging.getLogger(__name__)

URL_SUFFIXES = ("_base_url", "_endpoint_url")
# The services' URLs of one another, and intake's own address as buyers reach its pages.
OWN_SERVICES = frozenset(
    {
        "intake_api_base_url",
        "resolution_api_base_url",
        "fulfillment_api_base_url",
        "refund_api_base_url",
        "buyer_page_base_url",
    }
)
TEST_DOMAINS = (".invalid", ".test", ".localhost", ".example")
TEST_KEY_PREFIXES = {"easypost_api_key": "EZTK", "tracking_api_key": "EZTK"}


def sandboxes_in(settings: ServiceSettings) -> list[str]:
    """Each setting pointing at something other than the real outside API, with why."""
    found = []
    for name in sorted(type(settings).model_fields):
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if not isinstance(value, str) or not value:
            continue
        why = None
        if name.endswith(URL_SUFFIXES) and name not in OWN_SERVICES:
            why = why_not_real(value)
        elif name in TEST_KEY_PREFIXES and value.startswith(TEST_KEY_PREFIXES[name]):
            why = "a test key"
        if why:
            found.append(f"{name.upper()}: {why}")
    return found


def why_not_real(url: str) -> str | None:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(TEST_DOMAINS):
        return f"{host} is a local or reserved test host"
    if "sandbox" in host:
        return f"{host} is a sandbox"
    try:
        if ipaddress.ip_address(host).is_loopback:
            return f"{host} is this machine (the emulators?)"
    except ValueError:
        pass
    return None


def warn_of_sandboxes(service: str, settings: ServiceSettings) -> list[str]:
    """In production, one warning per setting that is not the real outside API."""
    if settings.environment != "production":
        return []
    found = sandboxes_in(settings)
    for what in found:
        log.warning("%s runs in production against a sandbox or emulator: %s", service, what)
    return found
