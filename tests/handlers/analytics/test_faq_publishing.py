"""A listing's FAQ answers published back to its buyers, over the real PostgreSQL: in five
languages on the public page (no sign-in, framable, escaped) and in each marketplace's
export; the FAQ effect report on a constructed history of returns before and after an
entry's publication; one seller's people never reach another's."""

import uuid
from dataclasses import asdict
from datetime import datetime, timedelta
from html import escape as escape_text

import httpx
import pytest
from faststream.kafka import TestKafkaBroker
from markupsafe import escape
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from services.analytics.app import create_app
from services.analytics.domain.faq_effect import Return, effect_of_publication
from services.analytics.domain.phrases import base_language
from services.analytics.handlers import faq_publishing
from services.analytics.tables import CaseView
from services.analytics.workflows.context import Analytics
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


# A setup guide of the seller's knowledge base for the speaker, in five languages.
GUIDES = {
    "en": ("Pair the speaker", ["Hold the power key for 5 s.", "Choose it in Bluetooth."]),
    "de": ("Lautsprecher koppeln", ["Ein-Taste 5 s halten.", "In Bluetooth wählen."]),
    "fr": ("Appairer l'enceinte", ["Maintenez 5 s la touche.", "Choisissez-la en Bluetooth."]),
    "es": ("Emparejar el altavoz", ["Mantén 5 s el botón.", "Elígelo en Bluetooth."]),
    "it": ("Associare la cassa", ["Tieni premuto 5 s il tasto.", "Sceglila nel Bluetooth."]),
}


def knowledge_base(sku: str) -> list[dict]:
    """The seller's guides as resolution lists them: the speaker's in five languages, one
    for every speaker of the category, and one for another product."""
    guides = [
        {"guide_id": f"pairing.{lang}", "language": lang, "title": title, "steps": steps,
         "sku": sku, "category": None}
        for lang, (title, steps) in GUIDES.items()
    ]  # fmt: skip
    guides.append(
        {"guide_id": "speakers.reset", "language": "en", "title": "Reset any speaker",
         "steps": ["Hold both keys.", "Wait for the tone."], "sku": None, "category": "speakers"}
    )  # fmt: skip
    guides.append(
        {"guide_id": "cable.check", "language": "en", "title": "Check the cable",
         "steps": ["Plug it in.", "Look for the light."], "sku": "CABLE-1", "category": None}
    )  # fmt: skip
    return guides


@pytest.fixture
async def resolution(api, httpserver: HTTPServer):
    """Resolution's guides API as the running service would reach it."""
    async with httpx.AsyncClient(base_url=httpserver.url_for("")) as client:
        api.service.context = Analytics(client)
        yield httpserver


def serve_guides(resolution: HTTPServer, seller: str, authorization: str) -> None:
    resolution.expect_request(
        f"/guides/{seller}", headers={"authorization": authorization}
    ).respond_with_json(knowledge_base(SPEAKER.sku))


async def publish_guide(api, seller: str, guide_id: str, at=None, headers=AGENT):
    body = {"published_at": at.isoformat()} if at else None
    return await api.put(
        f"/faq/{seller}/{SPEAKER.sku}/guides/{guide_id}/publication", json=body, headers=headers
    )


async def test_guides_published_in_five_languages_on_the_page_and_in_the_exports(api, resolution):
    seller = Seller().name
    serve_guides(resolution, seller, AGENT["authorization"])
    for language in GUIDES:
        published = await publish_guide(api, seller, f"pairing.{language}")
        assert published.status_code == 200, published.text
        assert published.json()["language"] == language
        assert published.json()["covers"] == ["defective", "hard_to_use"]
    assert (await publish_guide(api, seller, "speakers.reset")).status_code == 200
    page = f"/listings/{seller}/{SPEAKER.sku}/faq"
    export = f"/faq/{seller}/{SPEAKER.sku}/export"
    for language, (title, steps) in GUIDES.items():
        shown = await api.get(page, params={"language": language})  # no token
        assert shown.status_code == 200, shown.text
        numbered = f"1. {steps[0]} 2. {steps[1]}"
        assert escape(title) in shown.text and escape(numbered) in shown.text
        others = [t for lang, (t, _) in GUIDES.items() if lang != language]
        assert not [t for t in others if escape(t) in shown.text]
        amazon = await api.get(
            f"{export}/amazon",
            params={"language": language, "product_type": "SPEAKERS"},
            headers=AGENT,
        )
        assert amazon.status_code == 200, amazon.text
        bullets = [b["value"] for b in amazon.json()["body"]["patches"][0]["value"]]
        assert f"{title} {numbered}" in bullets
        shopify = await api.get(
            f"{export}/shopify", params={"language": language, "listing_id": "8047"}, headers=AGENT
        )
        assert title in shopify.json()["body"]["metafields"][0]["value"]
        ebay = await api.get(
            f"{export}/ebay", params={"language": language, "listing_id": "1105"}, headers=AGENT
        )
        assert escape_text(escape_text(steps[0], quote=False), quote=False) in ebay.json()["body"]
    # The category's guide is the speaker's too; another product's is not.
    english = (await api.get(page, params={"language": "en"})).text
    assert "Reset any speaker" in english
    other = await publish_guide(api, seller, "cable.check")
    assert other.status_code == 422 and "CABLE-1" in other.json()["detail"]
    unknown = await publish_guide(api, seller, "no.such.guide")
    assert unknown.status_code == 422 and "no guide" in unknown.json()["detail"]

    # Taken back: gone from the page and the exports.
    gone = await api.delete(
        f"/faq/{seller}/{SPEAKER.sku}/guides/pairing.it/publication", headers=AGENT
    )
    assert gone.status_code == 204
    assert (await api.get(page, params={"language": "it"})).status_code == 404
    again = await api.delete(
        f"/faq/{seller}/{SPEAKER.sku}/guides/pairing.it/publication", headers=AGENT
    )
    assert again.status_code == 404


async def test_a_guide_is_published_only_by_the_seller_s_admin_and_as_resolution_says(
    api, resolution
):
    seller, other = Seller(), Seller()
    serve_guides(resolution, seller.name, seller.admin()["authorization"])
    published = await publish_guide(api, seller.name, "pairing.en", headers=seller.admin())
    assert published.status_code == 200, published.text
    # Another seller's admin is refused before resolution is asked.
    asked = len(resolution.log)
    refused = await publish_guide(api, seller.name, "pairing.en", headers=other.admin())
    assert refused.status_code == 404 and len(resolution.log) == asked
    # Resolution refusing the caller, or not answering, is said, never a 500.
    resolution.expect_request(f"/guides/{other.name}").respond_with_data("no", status=403)
    denied = await publish_guide(api, other.name, "pairing.en", headers=other.admin())
    assert denied.status_code == 403
    async with httpx.AsyncClient(base_url="http://127.0.0.1:9") as nowhere:
        api.service.context = Analytics(nowhere)
        down = await publish_guide(api, seller.name, "pairing.en", headers=seller.admin())
    assert down.status_code == 503 and "resolution" in down.json()["detail"]


async def test_return_reasons_before_and_after_a_guide_was_published(api, resolution):
    seller = Seller()
    published = START + timedelta(days=10)
    # Before: 2 of 4 English returns hard to set up; after: none of 3.
    history = [
        (-9, "hard_to_use", "en"),
        (-5, "hard_to_use", "en"),
        (-4, "size_fit", "en"),
        (-2, "damaged", "en"),
        (1, "size_fit", "en"),
        (3, "damaged", "en"),
        (5, "size_fit", "en"),
    ]
    async with TestKafkaBroker(api.service.broker) as broker:
        for index, (day, reason, language) in enumerate(history):
            case = (SPEAKER, Market.US, reason, Scenario.FUNCTIONAL_FAULT, Remedy.EXCHANGE)
            opened, decided = events_of(seller.name, index, *case, ("", language))
            at = published + timedelta(days=day, hours=1 if day >= 0 else -1)
            opened = opened.model_copy(update={"opened_at": at})
            for event in (opened, decided):
                await publish_at(broker, event, at)
    serve_guides(resolution, seller.name, seller.admin()["authorization"])
    answer = await publish_guide(api, seller.name, "pairing.en", published, seller.admin())
    assert answer.status_code == 200, answer.text

    params = {"seller": seller.name, "sku": SPEAKER.sku, "window_days": 14}
    report = await api.get("/reports/faq-effect", params=params, headers=seller.agent())
    assert report.status_code == 200, report.text
    (effect,) = report.json()
    assert (effect["entry_id"], effect["question"]) == ("guide:pairing.en", "Pair the speaker")
    assert (effect["before_cases"], effect["after_cases"]) == (4, 3)
    assert (effect["covered_before_share"], effect["covered_after_share"]) == (0.5, 0.0)
    hard = next(r for r in effect["reasons"] if r["reason"] == "hard_to_use")
    assert (hard["covered"], hard["before_cases"], hard["after_cases"]) == (True, 2, 0)


async def effect_as_counted_before(api, entry: dict, window: timedelta, now: datetime) -> dict:
    """An entry's effect as it was counted before PostgreSQL counted the reasons: every
    case of the window read back, its buyer's language compared here."""
    published = datetime.fromisoformat(entry["published_at"])
    async with api.service.sessions() as session:
        rows = await session.execute(
            select(CaseView.opened_at, CaseView.reason, CaseView.language).where(
                CaseView.seller_account == entry["seller_account"],
                CaseView.sku == entry["sku"],
                CaseView.reason.is_not(None),
                CaseView.opened_at >= published - window,
                CaseView.opened_at < published + window,
            )
        )
    language = base_language(entry["language"])
    returns = [
        Return(opened_at, reason)
        for opened_at, reason, buyer in rows
        if base_language(buyer or "en") == language
    ]
    return asdict(effect_of_publication(returns, published, entry["covers"], window, now))


async def test_the_effect_of_each_entry_is_what_it_was_counted_to_before(api, monkeypatch):
    seller = Seller()
    now = START + timedelta(days=30)
    published = {"en": START + timedelta(days=10), "de": START + timedelta(days=24)}
    # Returns either side of both publications, on the windows' edges too, in languages
    # written every way buyers' comments give them.
    days = [-15, -14, -13.5, -7, -0.001, 0, 0.001, 3, 13.999, 14, 14.5, 19, 20, 25.999, 26]
    languages = ["en", "en-GB", "EN_us", "de", "de-AT", " DE", "fr"]
    reasons = ["defective", "size_fit", "damaged", "not_as_described"]
    async with TestKafkaBroker(api.service.broker) as broker:
        for index, day in enumerate(days * 3):
            at = published["en"] + timedelta(days=day)
            case = (SPEAKER, Market.US, reasons[index % 4], Scenario.FUNCTIONAL_FAULT)
            opened, _ = events_of(
                seller.name, index, *case, Remedy.EXCHANGE, ("", languages[index % 7])
            )
            await publish_at(broker, opened.model_copy(update={"opened_at": at}), at)
    for language, at in published.items():
        question, answer = ANSWERS[language]
        await write_entry(api, seller.name, language, language, question, answer, ["defective"])
        assert (await publish(api, seller.name, language, at)).status_code == 200

    monkeypatch.setattr(faq_publishing, "utc_now", lambda: now)  # the "de" window runs on
    for window_days in (14, 3, 365):
        params = {"seller": seller.name, "window_days": window_days}
        answer = await api.get("/reports/faq-effect", params=params, headers=seller.agent())
        assert answer.status_code == 200, answer.text
        effects = answer.json()
        assert [e["entry_id"] for e in effects] == ["en", "de"]
        for effect in effects:
            expected = await effect_as_counted_before(api, effect, timedelta(days=window_days), now)
            answered = {key: effect[key] for key in expected}
            for moment in ("published_at", "before_from", "after_until"):
                answered[moment] = datetime.fromisoformat(answered[moment])
            assert answered == expected
    assert effects[0]["before_cases"] > 0 and effects[1]["after_cases"] > 0
    assert effects[1]["after_days_passed"] == 6
