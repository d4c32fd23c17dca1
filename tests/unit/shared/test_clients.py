from shared.clients import TrustedProxies


def scope(peer: str, *forwarded: str) -> dict:
    headers = [(b"x-forwarded-for", line.encode()) for line in forwarded]
    return {"type": "http", "client": (peer, 50000), "headers": headers}


def test_without_trusted_proxies_the_peer_is_the_client_whatever_it_forwards():
    assert TrustedProxies.of([]).client_of(scope("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client():
    proxies = TrustedProxies.of(["10.0.0.0/8", "192.0.2.7"])
    # The client wrote 1.2.3.4 itself; 198.51.100.1 reached the first proxy (192.0.2.7).
    given = scope("10.1.2.3", "1.2.3.4, 198.51.100.1", "192.0.2.7")
    assert proxies.client_of(given) == "198.51.100.1"


def test_a_peer_that_is_no_trusted_proxy_cannot_name_another_address():
    proxies = TrustedProxies.of(["10.0.0.0/8"])
    assert proxies.client_of(scope("203.0.113.9", "10.0.0.5")) == "203.0.113.9"


def test_a_trusted_proxy_that_forwards_nothing_is_itself_the_client():
    proxies = TrustedProxies.of(["10.0.0.0/8"])
    assert proxies.client_of(scope("10.0.0.5")) == "10.0.0.5"
    assert proxies.client_of(scope("10.0.0.5", "not-an-address")) == "not-an-address"
