"""What eBay's return says happened since (`returns.py`, pure): whether it confirms a
notification's state change, the refund already made on it, the actions already taken; and
a return's one item keeping its own reason."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.intake.channels.ebay import notifications
from services.intake.channels.ebay.returns import (
    Confirmation,
    EbayReturn,
    action_taken,
    case_from_return,
    claim_of,
    confirmation_of,
    refund_issued,
)
from services.intake.domain.case import Reason
from services.intake.domain.marketplace_side import ReturnAction

SAMPLES = Path(__file__).parents[4] / "samples" / "ebay"
AT = datetime(2024, 5, 30, 12, 0, tzinfo=UTC)


def resource(name: str = "defective") -> dict:
    return json.loads((SAMPLES / f"post_order_return_{name}.json").read_text())


def the_return(
    state: str,
    status: str | None = None,
    escalated: bool = False,
    due: datetime | None = None,
) -> EbayReturn:
    found = resource()
    found["summary"].update(state=state, status=status or state)
    if escalated:
        found["summary"]["escalationInfo"] = {"caseId": "5099887766"}
    if due is not None:
        found["summary"]["sellerResponseDue"]["respondByDate"]["value"] = due.isoformat()
    return EbayReturn.model_validate(found)


def notified(event: str) -> notifications.ReturnNotification:
    created = notifications.read((SAMPLES / "return_created.xml").read_bytes())
    return created.model_copy(update={"event": event, "timestamp": AT})


CONFIRMED, OVERTAKEN, CONTRADICTED = (
    Confirmation.CONFIRMED,
    Confirmation.OVERTAKEN,
    Confirmation.CONTRADICTED,
)
LATER, EARLIER = AT + timedelta(days=1), AT - timedelta(days=1)


@pytest.mark.parametrize(
    ("event", "found", "verdict"),
    [
        ("ReturnShipped", the_return("ITEM_SHIPPED"), CONFIRMED),
        ("ReturnShipped", the_return("RETURN_REQUESTED"), CONTRADICTED),
        ("ReturnShipped", the_return("ITEM_DELIVERED"), OVERTAKEN),
        ("ReturnDelivered", the_return("ITEM_DELIVERED"), CONFIRMED),
        ("ReturnDelivered", the_return("ITEM_SHIPPED"), CONTRADICTED),
        ("ReturnDelivered", the_return("CLOSED"), OVERTAKEN),
        ("ReturnClosed", the_return("CLOSED"), CONFIRMED),
        ("ReturnClosed", the_return("RETURN_REJECTED"), CONFIRMED),
        ("ReturnClosed", the_return("ITEM_SHIPPED"), CONTRADICTED),
        ("ReturnClosed", the_return("RETURN_REQUESTED", "ESCALATED", True), CONTRADICTED),
        ("ReturnEscalated", the_return("ITEM_SHIPPED", "ESCALATED", True), CONFIRMED),
        ("ReturnEscalated", the_return("RETURN_REQUESTED"), CONTRADICTED),
        ("ReturnEscalated", the_return("CLOSED", "CLOSED", True), OVERTAKEN),
        ("ReturnWaitingForSellerInfo", the_return("RMA_PENDING", "WAITING_FOR_RMA"), CONFIRMED),
        ("ReturnWaitingForSellerInfo", the_return("RETURN_REQUESTED"), CONFIRMED),
        ("ReturnWaitingForSellerInfo", the_return("ITEM_SHIPPED"), OVERTAKEN),
        ("ReturnSellerInfoOverdue", the_return("RETURN_REQUEST_TIMEOUT"), CONFIRMED),
        ("ReturnSellerInfoOverdue", the_return("RETURN_REQUESTED", due=EARLIER), CONFIRMED),
        ("ReturnSellerInfoOverdue", the_return("RETURN_REQUESTED", due=LATER), CONTRADICTED),
        ("ReturnSellerInfoOverdue", the_return("ITEM_READY_TO_SHIP"), OVERTAKEN),
        ("ReturnRefundOverdue", the_return("REFUND_TIMEOUT", "ITEM_DELIVERED"), CONFIRMED),
        ("ReturnRefundOverdue", the_return("ITEM_DELIVERED", due=EARLIER), CONFIRMED),
        ("ReturnRefundOverdue", the_return("ITEM_DELIVERED", due=LATER), CONTRADICTED),
        ("ReturnRefundOverdue", the_return("ITEM_SHIPPED"), CONTRADICTED),
        ("ReturnRefundOverdue", the_return("CLOSED"), OVERTAKEN),
    ],
)
def test_the_return_confirms_contradicts_or_has_overtaken_each_event(event, found, verdict):
    confirmed = confirmation_of(notified(event), found)
    assert confirmed.verdict is verdict
    assert "5212345678" in confirmed.why and found.summary.state in confirmed.why


def test_a_state_that_is_unknown_counts_as_just_requested():
    found = the_return("SOMETHING_NEW", "SOMETHING_NEW")
    assert confirmation_of(notified("ReturnClosed"), found).verdict is CONTRADICTED


def with_refund(status: str = "SUCCESS", idref: str | None = "5123456789") -> EbayReturn:
    found = resource()
    amount = {"value": 89.99, "currency": "USD"}
    found["detail"]["refundInfo"] = {
        "actualRefundDetail": {"actualRefund": {"totalAmount": amount}, "refundStatus": status}
    }
    step = {"activity": "SELLER_ISSUE_REFUND", "fromState": "ITEM_DELIVERED", "toState": "CLOSED"}
    if idref:
        step["attributes"] = {"moneyMovementRef": {"idref": idref}}
    found["detail"]["responseHistory"].append(step)
    return EbayReturn.model_validate(found)


def test_the_refund_made_is_read_with_its_money_movement():
    refund = refund_issued(with_refund())
    assert (refund.refund_ref, str(refund.amount), refund.currency) == (
        "5123456789",
        "89.99",
        "USD",
    )
    assert refund_issued(with_refund(idref=None)).refund_ref == "return-5212345678"


def test_no_refund_or_a_failed_one_is_none_made():
    assert refund_issued(EbayReturn.model_validate(resource())) is None
    assert refund_issued(with_refund(status="FAILED")) is None


def test_a_refund_the_summary_alone_shows_is_made():
    found = resource()
    found["summary"]["sellerTotalRefund"]["actualRefundAmount"] = {"value": 10, "currency": "USD"}
    refund = refund_issued(EbayReturn.model_validate(found))
    assert (refund.amount, refund.currency) == (10, "USD")


@pytest.mark.parametrize(
    ("action", "state", "activity", "taken"),
    [
        (ReturnAction.APPROVE, "RETURN_REQUESTED", None, False),
        (ReturnAction.APPROVE, "ITEM_READY_TO_SHIP", None, True),
        (ReturnAction.APPROVE, "ITEM_DELIVERED", None, True),
        (ReturnAction.APPROVE, "CLOSED", None, False),  # eBay says why it cannot be
        (ReturnAction.APPROVE, "CLOSED", "SELLER_APPROVE_REQUEST", True),
        (ReturnAction.DECLINE, "RETURN_REQUESTED", None, False),
        (ReturnAction.DECLINE, "RETURN_REJECTED", None, True),
        (ReturnAction.DECLINE, "CLOSED", "SELLER_DECLINE_REQUEST", True),
        (ReturnAction.MARK_RECEIVED, "ITEM_SHIPPED", None, False),
        (ReturnAction.MARK_RECEIVED, "ITEM_DELIVERED", None, True),
        (ReturnAction.MARK_RECEIVED, "CLOSED", None, True),
    ],
)
def test_an_action_is_taken_when_the_history_or_the_state_shows_it(action, state, activity, taken):
    found = resource()
    found["summary"]["state"] = state
    if activity:
        found["detail"]["responseHistory"].append({"activity": activity})
    assert action_taken(action, EbayReturn.model_validate(found)) is taken


def test_two_items_of_one_order_are_two_returns_each_with_its_own_reason():
    """eBay opens one return per order line: each item keeps the reason its buyer gave."""
    created = notifications.read((SAMPLES / "return_created.xml").read_bytes())
    rod, curtains = resource("defective"), resource("defective")
    curtains["summary"].update(returnId="5212345679")
    curtains["summary"]["creationInfo"].update(
        item={"itemId": "285598765432", "transactionId": "2290011223344", "returnQuantity": 1},
        reason="WRONG_SIZE",
        reasonType="REMORSE",
        comments={"content": "The panels are too short."},
    )
    curtains["detail"]["itemDetail"].update(
        itemId="285598765432", itemTitle="Blackout Curtains", transactionId="2290011223344"
    )
    cases = [
        case_from_return(
            created.model_copy(update={"return_id": found["summary"]["returnId"]}),
            EbayReturn.model_validate(found),
        )
        for found in (rod, curtains)
    ]
    assert {case.ids.order_id for case in cases} == {"12-11223-44556"}
    assert [(case.items[0].sku, case.marketplace_reason, case.reason) for case in cases] == [
        ("395512345678", "DEFECTIVE_ITEM", Reason.DEFECTIVE),
        ("285598765432", "WRONG_SIZE", Reason.SIZE_TOO_SMALL),
    ]
    assert all(len(case.items) == 1 for case in cases)


def test_the_buyers_address_comes_from_the_return_for_a_replacement_to_go_to():
    case = case_from_return(created_notification(), EbayReturn.model_validate(resource()))
    assert case.buyer is not None and case.buyer.name == "Dana Whitfield"
    assert case.buyer.address is not None
    assert (case.buyer.address.line1, case.buyer.address.region, case.buyer.address.country) == (
        "1842 Oak Hollow Rd",
        "CA",
        "US",
    )


@pytest.mark.parametrize(
    "given, name, has_address",
    [
        (None, None, False),
        ({"name": "Dana Whitfield"}, "Dana Whitfield", False),
        ({"name": "Dana", "address": {"city": "Sacramento", "country": "US"}}, "Dana", False),
    ],
)
def test_a_return_without_a_whole_address_gives_none(given, name, has_address):
    found = resource()
    found["detail"].pop("buyerAddress")
    if given is not None:
        found["detail"]["buyerAddress"] = given
    case = case_from_return(created_notification(), EbayReturn.model_validate(found))
    assert (case.buyer and case.buyer.name) == name
    assert (case.buyer is not None and case.buyer.address is not None) is has_address


def created_notification() -> notifications.ReturnNotification:
    return notifications.read((SAMPLES / "return_created.xml").read_bytes())


def test_an_escalated_return_is_noticed_as_an_ebay_money_back_guarantee_case():
    found = the_return("ITEM_SHIPPED", "ESCALATED", escalated=True)
    notice = claim_of(notified("ReturnEscalated"), found)
    assert notice is not None
    assert (notice.kind, notice.marketplace_claim_id) == ("ebay_money_back", "5099887766")
    assert notice.notice_at == AT and notice.state == "ESCALATED"
    refund = found.summary.seller_total_refund
    asked = refund.actual_refund_amount or refund.estimated_refund_amount
    assert notice.amount_minor == int(asked.value * 100)


def test_no_other_event_is_a_claim_and_an_escalation_without_case_id_names_the_return():
    assert claim_of(notified("ReturnShipped"), the_return("ITEM_SHIPPED")) is None
    bare = claim_of(notified("ReturnEscalated"), the_return("ITEM_SHIPPED", "ESCALATED"))
    assert bare.marketplace_claim_id == f"return:{the_return('ITEM_SHIPPED').summary.return_id}"
