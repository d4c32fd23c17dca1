"""Signed links to a buyer's case page and signed reply addresses
(`services/intake/adapters/buyer_links.py`)."""

import time

import pytest

from services.intake.adapters.buyer_links import BadLink, BuyerLinks

CASE = "case-6f0a5bf4-d718-5f38-b6f8-a16e34e3081a"


def links(*secrets: str, days: int = 60) -> BuyerLinks:
    return BuyerLinks(
        list(secrets or ["s3cret"]), "https://returns.example.com/", days, "r.example"
    )


def test_a_page_link_opens_its_case_in_its_language():
    url = links().page_url(CASE, "de")
    assert url.startswith("https://returns.example.com/buyer/")
    found = links().open_page(url.rsplit("/", 1)[1])
    assert (found.case_id, found.language) == (CASE, "de")


def test_a_tampered_or_foreign_page_link_is_refused():
    token = links().page_token(CASE, "en")
    with pytest.raises(BadLink) as tampered:
        links().open_page(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    assert not tampered.value.expired
    with pytest.raises(BadLink):
        links("another secret").open_page(token)
    with pytest.raises(BadLink):
        links().open_page("not-a-token\x00")


def test_an_expired_page_link_says_so(monkeypatch):
    token = links(days=1).page_token(CASE, "fr")
    later = time.time() + 2 * 86_400
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(BadLink) as expired:
        links(days=1).open_page(token)
    assert expired.value.expired


def test_links_signed_before_a_rotation_keep_working_until_the_old_secret_goes():
    old = links("old").page_token(CASE, "it")
    assert links("new", "old").open_page(old).case_id == CASE
    address = links("old").reply_address(CASE)
    assert links("new", "old").case_of_reply(address) == CASE
    with pytest.raises(BadLink):
        links("new").case_of_reply(address)


def test_a_reply_address_threads_to_its_case_whatever_the_letter_case():
    address = links().reply_address(CASE)
    local = address.split("@")[0]
    assert address.endswith("@r.example") and len(local) <= 64  # RFC 5321
    assert links().case_of_reply(address) == CASE
    assert links().case_of_reply(f"<{address.upper()}>") == CASE


@pytest.mark.parametrize(
    "address",
    [
        "reply+abc.def@r.example",
        "someone@r.example",
        "reply+{}@elsewhere.example",
        "",
        "reply+\x00@r.example",
    ],
)
def test_an_address_we_did_not_make_threads_nowhere(address):
    real = links().reply_address(CASE).split("+", 1)[1].split("@")[0]
    with pytest.raises(BadLink):
        links().case_of_reply(address.format(real))


def test_a_page_token_is_not_a_reply_token():
    token = links().page_token(CASE, "en")
    with pytest.raises(BadLink):
        links().case_of_reply(f"reply+{token}@r.example")


def test_a_message_id_of_ours_threads_to_its_case_and_others_do_not():
    message_id = links().message_id(CASE, "offer-3f2a")
    assert message_id.startswith("<offer-3f2a.") and message_id.endswith("@r.example>")
    assert links().case_of_message_id(message_id) == CASE
    for other in ("<CAH1234@mail.gmail.com>", "<offer-3f2a.x.y@r.example>", ""):
        with pytest.raises(BadLink):
            links().case_of_message_id(other)
    with pytest.raises(ValueError):
        links().message_id(CASE, "bad key@")


MESSAGE = "0b7e3f5c-9d2a-5e1b-8c4f-1a2b3c4d5e6f"


def test_a_bounce_address_names_its_message_in_any_letter_case():
    address = links().bounce_address(MESSAGE)
    assert address.startswith("bounce+") and address.endswith("@r.example")
    assert len(address.split("@")[0]) <= 64
    assert links().message_of_bounce(f"<{address.upper()}>") == MESSAGE


def test_a_forged_or_foreign_bounce_address_is_refused():
    address = links().bounce_address(MESSAGE)
    local, domain = address.split("@")
    forged = local[:-2] + ("aa" if local[-2:] != "aa" else "bb")
    for wrong in (
        f"{forged}@{domain}",
        f"{local}@other.example",
        links("another").bounce_address(MESSAGE),
        links().reply_address(CASE),  # a reply token is no bounce token
        "bounce+@r.example",
    ):
        with pytest.raises(BadLink):
            links().message_of_bounce(wrong)
