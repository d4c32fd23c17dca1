"""A listing's FAQ answers published back to its buyers, over the real PostgreSQL: in five
languages on the public page (no sign-in, framable, escaped) and in each marketplace's
export; the FAQ effect report on a constructed history of returns before and after an
entry's publication; one seller's people never reach another's."""

import uuid
from datetime import timedelta
from html import escape as escape_text

from faststream.kafka import TestKafkaBroker
from markupsafe import escape

from services.analytics.app import create_app
from shared.events import Remedy, Scenario
from shared.markets import Market
from tests.factories import AGENT, SellerPeople
from tests.handlers.analytics.conftest import SPEAKER, START, events_of, publish_at
from tests.handlers.conftest import api_of

ANSWERS = {
    "en": ("What does fault code E4 mean?", "The battery is too cold: charge it indoors."),
    "de": ("Was bedeutet Fehlercode E4?", "Der Akku ist zu kalt: drinnen laden."),
    "fr": ("Que signifie le code d'erreur E4 ?", "La batterie est trop froide : chargez-la."),
    "es": ("¿Qué significa el código de error E4?", "La batería está demasiado fría."),
    "it": ("Cosa significa il codice di errore E4?", "La batteria è troppo fredda."),
}
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class Seller(SellerPeople):
    def __init__(self) -> None:
        self.name = f"seller-{uuid.uuid4().hex[:8]}"


async def write_entry(api, seller: str, entry_id: str, language: str, question, answer, covers=()):
    entry = {"language": language, "question": question, "answer": answer, "covers": list(covers)}
    written = await api.put(f"/faq/{seller}/{SPEAKER.sku}/{entry_id}", json=entry, headers=AGENT)
    assert written.status_code == 200, written.text


async def publish(api, seller: str, entry_id: str, at=None, headers=AGENT):
    body = {"published_at": at.isoformat()} if at else None
    return await api.put(
        f"/faq/{seller}/{SPEAKER.sku}/{entry_id}/publication", json=body, headers=headers
    )


async def test_published_answers_in_five_languages_on_the_page_and_in_every_export(api):
    seller = Seller().name
    for language, (question, answer) in ANSWERS.items():
        await write_entry(api, seller, f"e4-{language}", language, question, answer, ["defective"])
        assert (await publish(api, seller, f"e4-{language}")).status_code == 200
    await write_entry(api, seller, "draft", "en", "Not yet public?", "Still being written.")
    page = f"/listings/{seller}/{SPEAKER.sku}/faq"
    export = f"/faq/{seller}/{SPEAKER.sku}/export"
    for language, (question, answer) in ANSWERS.items():
        shown = await api.get(page, params={"language": language})  # no token
        assert shown.status_code == 200, shown.text
        assert f'<html lang="{language}">' in shown.text
        assert escape(question) in shown.text and escape(answer) in shown.text
        others = [q for lang, (q, _) in ANSWERS.items() if lang != language]
        assert not [q for q in others if escape(q) in shown.text]
        assert "frame-ancestors *" in shown.headers["content-security-policy"]
        assert "x-frame-options" not in shown.headers

        amazon = await api.get(
            f"{export}/amazon",
            params={"language": language, "product_type": "SPEAKERS"},
            headers=AGENT,
        )
        assert amazon.status_code == 200, amazon.text
        bullets = amazon.json()["body"]["patches"][0]["value"]
        assert [b["value"] for b in bullets] == [f"{question} {answer}"]
        shopify = await api.get(
            f"{export}/shopify", params={"language": language, "listing_id": "8047"}, headers=AGENT
        )
        assert shopify.json()["body"]["metafields"][0]["key"] == f"faq_{language}"
        assert question in shopify.json()["body"]["metafields"][0]["value"]
        ebay = await api.get(
            f"{export}/ebay", params={"language": language, "listing_id": "1105"}, headers=AGENT
        )
        assert ebay.json()["operation"] == "AddToItemDescription"
        assert escape_text(escape_text(answer, quote=False), quote=False) in ebay.json()["body"]
        walmart = await api.get(
            f"{export}/walmart",
            params={"language": language, "product_type": "Speakers"},
            headers=AGENT,
        )
        if language == "en":
            assert walmart.status_code == 200, walmart.text
            item = walmart.json()["body"]["MPItem"][0]
            assert item["Visible"]["Speakers"]["keyFeatures"] == [f"{question} {answer}"]
        else:
            assert walmart.status_code == 422 and "English" in walmart.json()["detail"]

    english = (await api.get(page, params={"language": "en"})).text
    assert "Not yet public?" not in english  # a draft stays with the seller
    assert (await api.get(page, params={"language": "nl"})).status_code == 422
    assert (await api.get(f"/listings/{seller}/NO-SUCH-SKU/faq")).status_code == 404
    assert (await api.get(f"{export}/amazon", params={"language": "en"})).status_code == 401
    missing = await api.get(f"{export}/amazon", params={"language": "en"}, headers=AGENT)
    assert missing.status_code == 422 and "product type" in missing.json()["detail"]

    embed = await api.get(
        f"/faq/{seller}/{SPEAKER.sku}/embed", params={"language": "de"}, headers=AGENT
    )
    assert embed.status_code == 200, embed.text
    assert embed.json()["url"].endswith(f"{page}?language=de")
    assert (
        embed.json()["snippet"].startswith("<iframe ") and 'sandbox=""' in embed.json()["snippet"]
    )

    # Taken back: gone from the page and the exports.
    withdrawn = await api.delete(f"/faq/{seller}/{SPEAKER.sku}/e4-it/publication", headers=AGENT)
    assert withdrawn.status_code == 204
    assert (await api.get(page, params={"language": "it"})).status_code == 404
    gone = await api.get(
        f"{export}/shopify", params={"language": "it", "listing_id": "8047"}, headers=AGENT
    )
    assert gone.status_code == 422


async def test_the_page_escapes_a_hostile_entry(api):
    seller = Seller().name
    await write_entry(api, seller, "hostile", "en", HOSTILE, HOSTILE)
    await publish(api, seller, "hostile")
    shown = await api.get(f"/listings/{seller}/{SPEAKER.sku}/faq")
    assert shown.status_code == 200
    assert "<script>" not in shown.text and "<img" not in shown.text
    assert escape(HOSTILE) in shown.text
    assert "script-src" not in shown.headers["content-security-policy"]


async def test_a_publication_cannot_be_dated_in_the_future_nor_of_an_entry_that_is_not(api):
    seller = Seller().name
    await write_entry(api, seller, "e4", "en", *ANSWERS["en"])
    later = START + timedelta(days=3650)
    refused = await publish(api, seller, "e4", later)
    assert refused.status_code == 422 and "not later" in refused.json()["detail"]
    assert (await publish(api, seller, "no-such-entry")).status_code == 404


async def test_return_reasons_before_and_after_an_entry_was_published(api):
    seller, other = Seller(), Seller()
    published = START + timedelta(days=10)
    # Before: 2 of 4 English returns a fault; after: 1 of 4. German returns never count
    # for an English entry.
    history = [
        (-9, "defective", "en"),
        (-5, "defective", "en"),
        (-4, "size_fit", "en"),
        (-2, "damaged", "en"),
        (-3, "defective", "de"),
        (1, "defective", "en"),
        (2, "size_fit", "en"),
        (3, "size_fit", "en"),
        (5, "damaged", "en"),
        (40, "defective", "en"),  # outside the window
    ]
    async with TestKafkaBroker(api.service.broker) as broker:
        for index, (day, reason, language) in enumerate(history):
            case = (SPEAKER, Market.US, reason, Scenario.FUNCTIONAL_FAULT, Remedy.EXCHANGE)
            opened, decided = events_of(seller.name, index, *case, ("", language))
            at = published + timedelta(days=day, hours=1 if day >= 0 else -1)
            opened = opened.model_copy(update={"opened_at": at})
            for event in (opened, decided):
                await publish_at(broker, event, at)
    await write_entry(api, seller.name, "e4", "en", *ANSWERS["en"], ["defective"])
    await write_entry(
        api, seller.name, "unpublished", "en", "Waterproof?", "No, splash-proof.", ["defective"]
    )
    assert (await publish(api, seller.name, "e4", published, seller.admin())).status_code == 200
    assert (await publish(api, seller.name, "e4", published, other.admin())).status_code == 404

    params = {"seller": seller.name, "sku": SPEAKER.sku, "window_days": 14}
    answer = await api.get("/reports/faq-effect", params=params, headers=seller.agent())
    assert answer.status_code == 200, answer.text
    (effect,) = answer.json()
    assert (effect["entry_id"], effect["window_days"], effect["after_days_passed"]) == (
        "e4",
        14,
        14,
    )
    assert (effect["before_cases"], effect["after_cases"]) == (4, 4)
    assert (effect["covered_before_share"], effect["covered_after_share"]) == (0.5, 0.25)
    shares = {
        r["reason"]: (
            r["covered"],
            r["before_cases"],
            r["before_share"],
            r["after_cases"],
            r["after_share"],
        )
        for r in effect["reasons"]
    }
    assert shares == {
        "defective": (True, 2, 0.5, 1, 0.25),
        "size_fit": (False, 1, 0.25, 2, 0.5),
        "damaged": (False, 1, 0.25, 1, 0.25),
    }
    assert effect["reasons"][0]["change"] == -0.25

    # Another seller's people see none of it, and asking for it by name is a 404.
    mine = await api.get("/reports/faq-effect", headers=other.agent())
    assert [e for e in mine.json() if e["seller_account"] == seller.name] == []
    asked = await api.get(
        "/reports/faq-effect", params={"seller": seller.name}, headers=other.agent()
    )
    assert asked.status_code == 404
    refused = await api.get(
        f"/faq/{seller.name}/{SPEAKER.sku}/export/shopify",
        params={"listing_id": "1"},
        headers=other.agent(),
    )
    assert refused.status_code == 404
    bad = await api.get("/reports/faq-effect", params={"window_days": 0}, headers=AGENT)
    assert bad.status_code == 422


async def test_the_embed_snippet_names_the_public_address_when_one_is_set(settings):
    public = settings.model_copy(update={"faq_page_base_url": "https://faq.example.com/help/"})
    async with api_of(create_app(public), "analytics") as api:
        seller = Seller().name
        given = await api.get(
            f"/faq/{seller}/{SPEAKER.sku}/embed", params={"language": "fr"}, headers=AGENT
        )
    assert given.status_code == 200, given.text
    expected = f"https://faq.example.com/help/listings/{seller}/{SPEAKER.sku}/faq?language=fr"
    assert given.json()["url"] == expected
    assert f'src="{expected}"' in given.json()["snippet"]
