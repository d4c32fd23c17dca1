"""A case's evidence pack from its kept events (`domain/evidence.py`), rendered as a PDF and
a ZIP (`domain/evidence_files.py`) and read back: the text extracted from the PDF, the
files listed in the ZIP, for each claim kind; an erased buyer's words, reference and photos
left out, from the events after the erasure too."""

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pypdfium2 as pdfium
import pytest

from services.analytics.domain.claims import RULES, ClaimKind, ClockState
from services.analytics.domain.evidence import KeptEvent, assemble
from services.analytics.domain.evidence_files import Clock, pdf_of, zip_of
from shared.events import (
    BuyerAnswer,
    BuyerErased,
    BuyerMessaged,
    BuyerReplied,
    CaseItem,
    CaseOpened,
    Disposition,
    DispositionDecided,
    EventPayload,
    Grade,
    InspectionOpened,
    Parcel,
    ParcelTraced,
    RefundIssued,
    Remedy,
    ResolutionDecided,
    ResolutionDeclined,
    ResolutionOffered,
    ReturnLabelIssued,
    ReturnReceived,
    Scenario,
    UnitGraded,
)

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
SPEAKER = CaseItem(
    sku="BT-SPK-200", title="Bluetooth Speaker 20W", quantity=1, unit_price_minor=5999
)
BUYER_WORDS = "It crackles, regards Max Mustermann"
LATE_WORDS = "Max again, still waiting"
BUYER_PHOTO = "https://photos.example/buyer/max-1.jpg"
RECEIVING_PHOTO = "https://photos.example/receiving/rma-77-1.jpg"
MARKETPLACE_OF = {
    ClaimKind.AMAZON_A_TO_Z: "amazon",
    ClaimKind.AMAZON_SAFE_T: "amazon",
    ClaimKind.EBAY_MONEY_BACK: "ebay",
    ClaimKind.CHARGEBACK: "shopify",
}


def at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


def message(case_id: str, number: int, hours: float, text: str) -> BuyerMessaged:
    return BuyerMessaged(
        case_id=case_id,
        message_id=f"msg-{number}",
        kind="offer_made" if number == 1 else "remedy_decided",
        channel="amazon",
        way="amazon",
        state="sent",
        language="en",
        subject=f"Your case, message {number}",
        text=text,
        at=at(hours),
    )


def story(
    case_id: str, marketplace: str, seller: str = "evidence-shop", erased: bool = False
) -> list[tuple[EventPayload, datetime]]:
    """A speaker that came back as a brick: the buyer wrote at 0 h, heard back at 2 h,
    declined at 5 h, heard back at 30 h; wrote again at 40 h and heard back at 100 h (past
    Amazon's 48 h, within eBay's 72 h); the return scanned in, graded D and refunded."""
    opened = CaseOpened(
        case_id=case_id,
        marketplace=marketplace,
        marketplace_event_id=f"evt-{case_id}",
        seller_account=seller,
        order_id="114-3941689-8772232",
        return_id="ret-77",
        market="US",
        region="NA",
        buyer_ref="buyer-max-77",
        buyer_language="en",
        currency="USD",
        items=[SPEAKER],
        reason_code="DEFECTIVE",
        reason="defective",
        buyer_comment=BUYER_WORDS,
        photos=[BUYER_PHOTO],
        delivered_at=at(-48),
        parcel=Parcel(carrier="UPS", tracking_number="1Z999AA10123456784"),
        scenario=Scenario.FUNCTIONAL_FAULT,
        opened_at=at(0),
    )
    offered = ResolutionOffered(
        case_id=case_id,
        offer_id="off-1",
        step=1,
        remedy=Remedy.PARTIAL_REFUND,
        amount_minor=1500,
        currency="USD",
        language="en",
        message="We offer 15.00 USD back and you keep it.",
        expires_at=at(50),
    )
    events: list[tuple[EventPayload, datetime]] = [
        (opened, at(0)),
        (offered, at(2)),
        (message(case_id, 1, 2, "We offer 15.00 USD back."), at(2)),
        (
            BuyerReplied(
                case_id=case_id,
                answer=BuyerAnswer.DECLINE,
                text="No, refund me",
                language="en",
                at=at(5),
            ),
            at(5),
        ),
        (
            ResolutionDeclined(
                case_id=case_id,
                offer_id="off-1",
                remedy=Remedy.PARTIAL_REFUND,
                cause="declined",
                at=at(5),
            ),
            at(5),
        ),
        (
            ResolutionDecided(
                case_id=case_id,
                scenario=Scenario.FUNCTIONAL_FAULT,
                remedy=Remedy.RETURN_FULL_REFUND,
                market="US",
                region="NA",
                currency="USD",
                refund_minor=5999,
                items=[SPEAKER],
                rule="a faulty unit comes back for a full refund",
            ),
            at(29),
        ),
        (message(case_id, 2, 30, "Please send it back with the label."), at(30)),
        (
            ReturnLabelIssued(
                case_id=case_id,
                rma_id="rma-77",
                warehouse="BOS1",
                carrier="UPS",
                tracking_number="1ZRETURN77",
            ),
            at(30),
        ),
        (
            BuyerReplied(
                case_id=case_id,
                answer=BuyerAnswer.MESSAGE,
                text="Sent it today",
                language="en",
                at=at(40),
            ),
            at(40),
        ),
        (
            ParcelTraced(
                case_id=case_id,
                carrier="UPS",
                tracking_number="1Z999AA10123456784",
                status="delivered",
                verdict="delivered",
                why="signed for at the front door",
                at=at(41),
            ),
            at(41),
        ),
        (message(case_id, 3, 100, "We received your parcel."), at(100)),
        (
            ReturnReceived(
                case_id=case_id,
                rma_id="rma-77",
                warehouse="BOS1",
                condition_note="a brick in the box",
                received_at=at(99),
                items=[SPEAKER],
                photos=[RECEIVING_PHOTO],
            ),
            at(99),
        ),
        (
            InspectionOpened(
                case_id=case_id, inspection_id="insp-77", rma_id="rma-77", warehouse="BOS1"
            ),
            at(101),
        ),
        (
            UnitGraded(
                case_id=case_id,
                inspection_id="insp-77",
                grade=Grade.D,
                computed_grade=Grade.D,
                reasons=["serial number does not match the order"],
                technician="ben",
                notes="not our unit",
            ),
            at(102),
        ),
        (
            DispositionDecided(
                case_id=case_id,
                inspection_id="insp-77",
                rma_id="rma-77",
                warehouse="BOS1",
                grade=Grade.D,
                disposition=Disposition.RECYCLE,
                net_minor=0,
                currency="USD",
                items=[SPEAKER],
                alternatives=[],
            ),
            at(103),
        ),
        (
            RefundIssued(
                case_id=case_id,
                refund_id="rf-77",
                marketplace=marketplace,
                marketplace_refund_id="AMZ-RF-77",
                amount_minor=5999,
                currency="USD",
                remedy=Remedy.RETURN_FULL_REFUND,
                at=at(120),
            ),
            at(120),
        ),
    ]
    if erased:
        events.append(
            (
                BuyerErased(
                    case_id=case_id, buyer_ref="buyer-max-77", requested_by="gdpr", at=at(200)
                ),
                at(200),
            )
        )
        late = BuyerReplied(
            case_id=case_id, answer=BuyerAnswer.MESSAGE, text=LATE_WORDS, language="en", at=at(190)
        )
        events.append((late, at(210)))  # kept after the erasure, written before it
    return events


def kept(events: list[tuple[EventPayload, datetime]]) -> list[KeptEvent]:
    return [KeptEvent(p.event_type, time, p.model_dump(mode="json")) for p, time in events]


def pdf_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    text = "\n".join(page.get_textpage().get_text_range() for page in document)
    return " ".join(text.split())  # the table cells wrap lines


@pytest.mark.parametrize("kind", list(ClaimKind))
def test_each_claim_kind_renders_a_pdf_and_a_zip_with_every_fact(kind):
    case_id = f"case-{kind.value}"
    pack = assemble(case_id, RULES[kind], kept(story(case_id, MARKETPLACE_OF[kind])))
    clock = Clock("clm-1", at(120), at(120) + timedelta(days=30), ClockState.RUNNING, "open")

    text = pdf_text(pdf_of(pack, clock))
    assert f"Evidence for {RULES[kind].title}" in text
    for fact in (
        "114-3941689-8772232",
        "1Z999AA10123456784",  # the original shipment and its tracking scan
        "Delivered to the buyer",
        "signed for at the front door",
        "Offered partial_refund",
        "Offer of partial_refund ended: declined",
        "Return scanned in at BOS1",
        "a brick in the box",
        "Graded D",
        "serial number does not match the order",
        RECEIVING_PHOTO,
        "insp-77",  # the bench photos stay with refurbish: named by their inspection
        "Refunded 59.99 USD",
        BUYER_WORDS,
        "buyer-max-77",
        RULES[kind].source.citation[:30],
    ):
        assert fact in text, (fact, text)

    archive = zipfile.ZipFile(io.BytesIO(zip_of(pack, clock)))
    assert sorted(archive.namelist()) == sorted(
        [
            f"{kind.value}-{case_id}.pdf",
            "facts.json",
            "conversation.csv",
            "timeline.csv",
            "photos.txt",
        ]
    )
    facts = json.loads(archive.read("facts.json"))
    assert facts["claim_kind"] == kind.value and facts["refunded_minor"] == 5999
    assert facts["clock"]["due_at"] == (at(120) + timedelta(days=30)).isoformat()
    assert facts["missing"] == []
    assert RECEIVING_PHOTO in archive.read("photos.txt").decode()
    assert pdf_text(archive.read(f"{kind.value}-{case_id}.pdf")) == text


def test_each_answer_is_timed_against_the_marketplace_s_reply_deadline():
    amazon = assemble("c", RULES[ClaimKind.AMAZON_A_TO_Z], kept(story("c", "amazon")))
    ebay = assemble("c", RULES[ClaimKind.EBAY_MONEY_BACK], kept(story("c", "ebay")))
    timed = [
        (t.replied_after_hours, t.within_deadline)
        for t in amazon.conversation
        if t.author == "seller"
    ]
    assert timed == [(2.0, True), (25.0, True), (60.0, False)]
    assert [t.within_deadline for t in ebay.conversation if t.author == "seller"] == [True] * 3
    assert "answered after 60.0 h (past the 48 h deadline)" in pdf_text(pdf_of(amazon))
    # A chargeback on the seller's own shop has no reply deadline: the delays stand alone.
    own = assemble("c", RULES[ClaimKind.CHARGEBACK], kept(story("c", "shopify")))
    assert [t.within_deadline for t in own.conversation if t.author == "seller"] == [None] * 3


@pytest.mark.parametrize("kind", list(ClaimKind))
def test_an_erased_buyer_is_left_out_of_the_pack(kind):
    case_id = f"case-erased-{kind.value}"
    pack = assemble(case_id, RULES[kind], kept(story(case_id, MARKETPLACE_OF[kind], erased=True)))
    text = pdf_text(pdf_of(pack))
    everything = zipfile.ZipFile(io.BytesIO(zip_of(pack)))
    files = {name: everything.read(name) for name in everything.namelist()}
    texts = [text] + [body.decode() for name, body in files.items() if not name.endswith(".pdf")]
    for personal in (
        BUYER_WORDS,
        LATE_WORDS,
        "buyer-max-77",
        BUYER_PHOTO,
        RECEIVING_PHOTO,
        "Mustermann",
    ):
        assert all(personal not in each for each in texts), personal
    assert "asked to be erased on 2026-11-10 17:00 UTC" in text
    # What stays: the facts of the order, the times of every message, the return and refund.
    for fact in ("114-3941689-8772232", "Graded D", "Refunded 59.99 USD", "Your case, message 3"):
        assert fact in text
    assert json.loads(files["facts.json"])["buyer_erased_at"] == at(200).isoformat()
    assert pdf_text(files[f"{kind.value}-{case_id}.pdf"]) == text


def test_a_pack_names_what_no_event_shows():
    case_id = "case-bare"
    opened_only = kept(story(case_id, "amazon")[:1])
    pack = assemble(case_id, RULES[ClaimKind.AMAZON_SAFE_T], opened_only)
    assert pack.missing == ["return", "refunds", "offers"]
    assert "No event of the case shows: What came back" in pdf_text(pdf_of(pack))
