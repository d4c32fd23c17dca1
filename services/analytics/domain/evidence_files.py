"""An evidence pack as the files a marketplace's upload form takes: one PDF (reportlab, in
the fonts of the project's labels) and one ZIP holding that PDF, the facts as JSON, the
conversation and the timeline as CSV, the bench photos themselves (`photos/`) and every
photo's reference, a missing one with the reason (`photos.txt`). Bytes in memory, no I/O.
"""

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from services.analytics.domain.claims import ClockState
from services.analytics.domain.evidence import (
    SECTION_TITLES,
    EvidencePack,
    MissingPhoto,
    PhotoFile,
    money,
    when,
)
from shared.labels import SANS, SANS_BOLD, printable


@dataclass(frozen=True)
class Clock:
    """The claim's clock, when a claim was recorded for the pack."""

    claim_id: str
    starts: datetime
    due_at: datetime
    state: ClockState
    outcome: str


def _style(size: float, bold: bool = False) -> ParagraphStyle:
    font = SANS_BOLD if bold else SANS
    return ParagraphStyle(
        f"evidence-{font}-{size}", fontName=font, fontSize=size, leading=size * 1.3
    )


BODY, SMALL, HEADING, TITLE = _style(9), _style(7.5), _style(12, True), _style(16, True)


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(printable(text)), style)


def _table(rows: list[list[str]], widths: list[float]) -> Table:
    table = Table(
        [[_p(cell, SMALL) for cell in row] for row in rows], colWidths=widths, repeatRows=1
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def reply_note(hours: float | None, within: bool | None, deadline: int | None) -> str:
    if hours is None:
        return ""
    if within is None:
        return f"answered after {hours} h"
    return f"answered after {hours} h ({'within' if within else 'past'} the {deadline} h deadline)"


def summary_lines(pack: EvidencePack, clock: Clock | None) -> list[str]:
    rule = pack.rule
    lines = [
        f"Case {pack.case_id}, order {pack.order_id or '-'} on {pack.marketplace or '-'} "
        f"({pack.market or '-'}), seller {pack.seller_account or '-'}",
        f"Refunds paid: {money(pack.refunded_minor, pack.currency)}",
        f"Deadline rule: {rule.says} Source: {rule.source.citation}, {rule.source.url}",
    ]
    if clock is not None:
        lines.append(
            f"Claim {clock.claim_id}: clock started {when(clock.starts)}, due {when(clock.due_at)} "
            f"({clock.state.value}); outcome {clock.outcome}"
        )
    if pack.reply_deadline_hours:
        lines.append(
            f"The marketplace asks sellers to answer buyers within {pack.reply_deadline_hours} h."
        )
    if pack.buyer_erased_at is not None:
        lines.append(
            f"The buyer asked to be erased on {when(pack.buyer_erased_at)}: their reference, "
            "words and photos are left out of this pack."
        )
    if pack.missing:
        lines.append(
            "No event of the case shows: " + ", ".join(SECTION_TITLES[m] for m in pack.missing)
        )
    return lines


def pdf_of(pack: EvidencePack, clock: Clock | None = None) -> bytes:
    """The pack as one PDF: the claim and its clock, then each section the marketplace asks
    for, in its order."""
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Evidence {pack.rule.title} {pack.case_id}",
    )
    width = A4[0] - 30 * mm
    story: list = [_p(f"Evidence for {pack.rule.title}", TITLE), Spacer(0, 3 * mm)]
    story += [_p(line) for line in summary_lines(pack, clock)]
    for name in pack.rule.sections:
        story += [Spacer(0, 4 * mm), _p(SECTION_TITLES[name], HEADING), Spacer(0, 1.5 * mm)]
        if name == "conversation":
            rows = [["When", "Who", "What", "Said", "Answer time"]]
            rows += [
                [
                    when(t.at),
                    t.author,
                    t.kind,
                    t.text or "(not kept)",
                    reply_note(t.replied_after_hours, t.within_deadline, pack.reply_deadline_hours),
                ]
                for t in pack.conversation
            ]
            widths = [0.17, 0.08, 0.13, 0.42, 0.2]
        elif name == "return":
            rows = [["When", "What"]] + [[when(f.at), f.what] for f in pack.sections[name]]
            rows += [["photo", f"{whose}: {ref}"] for whose, ref in pack.photos]
            widths = [0.2, 0.8]
        else:
            rows = [["When", "What"]] + [[when(f.at), f.what] for f in pack.sections.get(name, [])]
            widths = [0.2, 0.8]
        if len(rows) == 1:
            story.append(_p("No event of the case shows this."))
        else:
            story.append(_table(rows, [w * width for w in widths]))
        if name == "return":
            story += bench_photo_story(pack)
    document.build(story)
    return out.getvalue()


PHOTO_BOX = 70 * mm  # each bench photo fits a square of this side


def bench_photo_story(pack: EvidencePack) -> list:
    """Each bench photo, drawn with its caption; one that is not a readable image, and
    each refurbish did not give, named as missing with the reason."""
    story: list = []
    missing = list(pack.photos_missing)
    for photo in pack.bench_photos:
        drawn = _image(photo)
        if drawn is None:
            missing.append(MissingPhoto(_reference(photo), "not a readable image"))
            continue
        story += [Spacer(0, 2 * mm), drawn, _p(f"Bench photo {_reference(photo)}", SMALL)]
    story += [_p(f"Photo missing: {m.reference}: {m.why}", SMALL) for m in missing]
    return story


def _reference(photo: PhotoFile) -> str:
    return f"inspection {photo.inspection_id}, photo {photo.photo_id}"


def _image(photo: PhotoFile) -> Image | None:
    try:
        width, height = ImageReader(io.BytesIO(photo.data)).getSize()
    except Exception:  # noqa: BLE001 - whatever the imaging library finds wrong with it
        return None
    scale = min(PHOTO_BOX / width, PHOTO_BOX / height)
    return Image(io.BytesIO(photo.data), width=width * scale, height=height * scale)


def facts_of(pack: EvidencePack, clock: Clock | None) -> dict:
    return {
        "case_id": pack.case_id,
        "claim_kind": pack.rule.kind.value,
        "marketplace": pack.marketplace,
        "market": pack.market,
        "seller_account": pack.seller_account,
        "order_id": pack.order_id,
        "currency": pack.currency,
        "refunded_minor": pack.refunded_minor,
        "buyer_erased_at": pack.buyer_erased_at.isoformat() if pack.buyer_erased_at else None,
        "deadline": {
            "says": pack.rule.says,
            "source": pack.rule.source.citation,
            "url": pack.rule.source.url,
            "verified": pack.rule.source.verified,
        },
        "clock": None
        if clock is None
        else {
            "claim_id": clock.claim_id,
            "starts": clock.starts.isoformat(),
            "due_at": clock.due_at.isoformat(),
            "state": clock.state.value,
            "outcome": clock.outcome,
        },
        "sections": {
            name: [{"at": f.at.isoformat() if f.at else None, "what": f.what} for f in facts]
            for name, facts in pack.sections.items()
        },
        "photos": [{"whose": whose, "reference": ref} for whose, ref in pack.photos]
        + [{"whose": "bench", "file": f"photos/{p.name}"} for p in pack.bench_photos],
        "photos_missing": [{"reference": m.reference, "why": m.why} for m in pack.photos_missing],
        "missing": pack.missing,
    }


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def zip_of(pack: EvidencePack, clock: Clock | None = None) -> bytes:
    """The pack for an upload form: the PDF, the facts (JSON), the conversation and every
    fact in time order (CSV), the bench photos, and every photo's reference (the buyer's
    and the receiving ones are links) with the missing ones and why."""
    conversation = [["at", "author", "kind", "text", "replied_after_hours", "within_deadline"]]
    conversation += [
        [
            t.at.isoformat(),
            t.author,
            t.kind,
            t.text,
            "" if t.replied_after_hours is None else str(t.replied_after_hours),
            "" if t.within_deadline is None else str(t.within_deadline).lower(),
        ]
        for t in pack.conversation
    ]
    timeline = [["at", "section", "what"]]
    timeline += sorted(
        (
            [f.at.isoformat() if f.at else "", name, f.what]
            for name, facts in pack.sections.items()
            for f in facts
        ),
        key=lambda row: row[0],
    )
    photos = "".join(
        [
            *(f"{whose}\t{ref}\n" for whose, ref in pack.photos),
            *(f"bench\tphotos/{p.name}\n" for p in pack.bench_photos),
            *(f"missing\t{m.reference}: {m.why}\n" for m in pack.photos_missing),
        ]
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        stem = f"{pack.rule.kind.value}-{pack.case_id}"
        archive.writestr(f"{stem}.pdf", pdf_of(pack, clock))
        archive.writestr("facts.json", json.dumps(facts_of(pack, clock), indent=2))
        archive.writestr("conversation.csv", _csv(conversation))
        archive.writestr("timeline.csv", _csv(timeline))
        archive.writestr("photos.txt", photos or "no photos\n")
        for photo in pack.bench_photos:
            archive.writestr(f"photos/{photo.name}", photo.data)
    return out.getvalue()
