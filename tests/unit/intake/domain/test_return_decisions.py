"""Which action a decision owes a marketplace's return (remedy × marketplace × the buyer's
reason), what a returned unit owes, and how the actions owed before follow a decision that
changed: every row stated here on its own."""

import pytest

from services.intake.channels.ebay.notifications import reason_of
from services.intake.domain.marketplace_side import ReturnAction
from services.intake.domain.return_actions import ActionState
from services.intake.domain.return_decisions import (
    Change,
    Ground,
    Move,
    Owed,
    Settlement,
    after_decision,
    after_receipt,
    blocked_after,
    ground_of,
    marketplace_of,
    owed_by_decision,
    owed_by_receipt,
    settlement_of,
)
from shared.events import Remedy

APPROVE, DECLINE, CLOSE, MARK_RECEIVED = ReturnAction
OWED, DONE, FAILED, NOT_NEEDED, DROPPED = ActionState
R = Remedy
KEPT = (R.EXCHANGE, R.PART_SHIPMENT, R.TROUBLESHOOTING, R.RESHIP)
# What each marketplace's action is when there is nothing to send: its reason, in part.
NOTHING = "nothing"


@pytest.mark.parametrize(
    ("remedy", "refund_minor", "settlement"),
    [
        (R.RETURN_FULL_REFUND, 4999, Settlement.COMES_BACK),
        (R.PARTIAL_REFUND, 500, Settlement.KEPT_REFUNDED),
        (R.REFUND_WITHOUT_RETURN, 1999, Settlement.KEPT_REFUNDED),
        (R.EXCHANGE, 300, Settlement.KEPT_REFUNDED),  # a cheaper variant: the difference back
        (R.EXCHANGE, 0, Settlement.KEPT),
        (R.PART_SHIPMENT, 0, Settlement.KEPT),
        (R.TROUBLESHOOTING, 0, Settlement.KEPT),
        (R.RESHIP, 0, Settlement.KEPT),
        (R.STORE_CREDIT, 5500, Settlement.KEPT),  # a gift card: no money through the marketplace
    ],
)
def test_what_each_remedy_does_with_the_unit(remedy, refund_minor, settlement):
    assert settlement_of(remedy, refund_minor) is settlement


@pytest.mark.parametrize(
    ("reason", "ground"),
    [
        *[(r, Ground.FAULT) for r in ("defective", "damaged", "missing_parts", "not_as_described")],
        *[(r, Ground.FAULT) for r in ("quality", "wrong_item", "not_received")],
        *[(r, Ground.REMORSE) for r in ("changed_mind", "size_too_small", "size_too_large")],
        *[(r, Ground.REMORSE) for r in ("size_fit", "style", "hard_to_use")],
        ("other", Ground.UNKNOWN),
        (None, Ground.UNKNOWN),
        ("no-such-reason", Ground.UNKNOWN),
    ],
)
def test_the_ground_of_every_reason(reason, ground):
    assert ground_of(reason) is ground


# eBay's own codes (ReturnReasonEnum) and categories (reasonType), through the channel's
# reading of them: SNAD ones are faults, REMORSE ones the buyer's choice.
@pytest.mark.parametrize(
    ("code", "category", "ground"),
    [
        ("DEFECTIVE_ITEM", "SNAD", Ground.FAULT),
        ("ARRIVED_DAMAGED", "SNAD", Ground.FAULT),
        ("NOT_AS_DESCRIBED", "SNAD", Ground.FAULT),
        ("DIFFERENT_FROM_LISTING", "SNAD", Ground.FAULT),
        ("MISSING_PARTS", "SNAD", Ground.FAULT),
        ("ORDERED_DIFFERENT_ITEM", "SNAD", Ground.FAULT),
        ("FAKE_OR_COUNTERFEIT", "SNAD", Ground.FAULT),
        ("ARRIVED_LATE", "SNAD", Ground.FAULT),
        ("OTHER", "SNAD", Ground.FAULT),
        ("WRONG_SIZE", "REMORSE", Ground.REMORSE),
        ("NO_LONGER_NEED_ITEM", "REMORSE", Ground.REMORSE),
        ("FOUND_BETTER_PRICE", "REMORSE", Ground.REMORSE),
        ("ORDERED_ACCIDENTALLY", "REMORSE", Ground.REMORSE),
        ("ORDERED_WRONG_ITEM", "REMORSE", Ground.REMORSE),
        ("OTHER", "REMORSE", Ground.REMORSE),
        ("OTHER", None, Ground.UNKNOWN),
    ],
)
def test_ebays_reasons_sort_as_ebay_sorts_them(code, category, ground):
    assert ground_of(reason_of(code, category).value) is ground


def expected(marketplace: str, remedy: Remedy, refund_minor: int, ground: Ground):
    """The table of the README, row by row: (action, sent?)."""
    settlement = settlement_of(remedy, refund_minor)
    table = {
        ("shopify", Settlement.COMES_BACK): (APPROVE, True),
        ("shopify", Settlement.KEPT_REFUNDED): (CLOSE, True),
        ("shopify", Settlement.KEPT): (CLOSE, True),
        ("ebay", Settlement.COMES_BACK): (APPROVE, True),
        ("ebay", Settlement.KEPT_REFUNDED): (CLOSE, True),
        ("ebay", Settlement.KEPT): (DECLINE, True) if ground is Ground.REMORSE else (CLOSE, False),
        ("walmart", Settlement.COMES_BACK): (APPROVE, False),
        ("walmart", Settlement.KEPT_REFUNDED): (CLOSE, False),
        ("walmart", Settlement.KEPT): (CLOSE, False),
        ("amazon", Settlement.COMES_BACK): (APPROVE, False),
        ("amazon", Settlement.KEPT_REFUNDED): (CLOSE, False),
        ("amazon", Settlement.KEPT): (CLOSE, False),
        ("amazon_fba", Settlement.COMES_BACK): (APPROVE, False),
        ("amazon_fba", Settlement.KEPT_REFUNDED): (CLOSE, False),
        ("amazon_fba", Settlement.KEPT): (CLOSE, False),
        ("generic", Settlement.COMES_BACK): (APPROVE, True),  # the worker finds it takes none
        ("generic", Settlement.KEPT_REFUNDED): (CLOSE, True),
        ("generic", Settlement.KEPT): (CLOSE, True),
    }
    return table[(marketplace, settlement)]


REMEDIES = [
    (R.RETURN_FULL_REFUND, 4999),
    (R.PARTIAL_REFUND, 500),
    (R.REFUND_WITHOUT_RETURN, 1999),
    (R.EXCHANGE, 300),
    (R.STORE_CREDIT, 5500),
    *[(remedy, 0) for remedy in KEPT],
]


@pytest.mark.parametrize("marketplace", ["shopify", "ebay", "walmart", "amazon", "amazon_fba"])
@pytest.mark.parametrize(("remedy", "refund_minor"), REMEDIES)
@pytest.mark.parametrize("ground", list(Ground))
def test_every_remedy_marketplace_and_reason(marketplace, remedy, refund_minor, ground):
    owed = owed_by_decision(remedy, marketplace, ground, refund_minor)
    action, sent = expected(marketplace, remedy, refund_minor, ground)
    assert owed.action is action
    assert (owed.not_needed is None) is sent


def test_the_generic_channel_is_left_to_its_worker():
    for remedy, refund_minor in REMEDIES:
        owed = owed_by_decision(remedy, "generic", Ground.UNKNOWN, refund_minor)
        assert (owed.action, owed.not_needed) == (
            expected("generic", remedy, refund_minor, Ground.UNKNOWN)[0],
            None,
        )


def test_ebay_never_owes_a_decline_of_a_return_not_opened_for_remorse():
    for remedy, refund_minor in REMEDIES:
        for ground in (Ground.FAULT, Ground.UNKNOWN):
            owed = owed_by_decision(remedy, "ebay", ground, refund_minor)
            assert owed.action is not DECLINE
    kept = owed_by_decision(R.TROUBLESHOOTING, "ebay", Ground.FAULT)
    assert kept.not_needed.startswith("eBay lets no seller decline a return opened as not as")
    assert "troubleshooting reached them" in kept.not_needed


@pytest.mark.parametrize(
    ("marketplace", "why"),
    [
        ("walmart", "Walmart authorises every return itself"),
        ("amazon", "Amazon authorises a seller-fulfilled return within its policy itself"),
        ("amazon_fba", "Amazon takes an FBA unit back and refunds the buyer itself"),
    ],
)
def test_a_marketplace_without_the_call_says_why_the_approval_is_not_needed(marketplace, why):
    owed = owed_by_decision(R.RETURN_FULL_REFUND, marketplace, Ground.FAULT)
    assert owed.not_needed.startswith(why)


def test_walmart_and_amazon_close_a_refunded_return_with_the_refund():
    walmart = owed_by_decision(R.PARTIAL_REFUND, "walmart", Ground.FAULT, 500)
    assert walmart.not_needed.startswith("Walmart completes a return with its refund")
    amazon = owed_by_decision(R.REFUND_WITHOUT_RETURN, "amazon", Ground.FAULT, 1999)
    assert amazon.not_needed.startswith("Amazon closes a seller-fulfilled return with its refund")


@pytest.mark.parametrize(
    ("marketplace", "sent"),
    [("ebay", True), ("shopify", False), ("walmart", False), ("amazon", False), ("generic", True)],
)
def test_a_returned_unit_is_marked_received_where_the_marketplace_has_the_call(marketplace, sent):
    owed = owed_by_receipt(marketplace)
    assert owed.action is MARK_RECEIVED
    assert (owed.not_needed is None) is sent


def test_the_marketplace_is_the_one_the_case_was_published_with():
    assert marketplace_of("amazon", {"marketplace": "amazon_fba"}) == "amazon_fba"
    assert marketplace_of("ebay", {"marketplace": "ebay"}) == "ebay"
    assert marketplace_of("shopify", {}) == "shopify"


# After an action performed, which may follow (None) on the same return.
@pytest.mark.parametrize(
    ("performed", "then", "allowed"),
    [
        (APPROVE, CLOSE, True),  # Shopify's returnClose of the open return; eBay's refund
        (APPROVE, MARK_RECEIVED, True),
        (APPROVE, DECLINE, False),  # only a return not approved yet is declined
        (DECLINE, APPROVE, False),  # a declined return is over
        (DECLINE, MARK_RECEIVED, False),
        (CLOSE, APPROVE, False),  # a closed one too (eBay: one seller refund per return)
        (CLOSE, MARK_RECEIVED, False),
    ],
)
@pytest.mark.parametrize("marketplace", ["shopify", "ebay"])
def test_what_the_marketplace_takes_after_an_action_performed(
    marketplace, performed, then, allowed
):
    why = blocked_after(marketplace, performed, then)
    assert (why is None) is allowed
    name = {"shopify": "Shopify", "ebay": "eBay"}[marketplace]
    assert why is None or why.startswith(name)


def test_a_first_decision_owes_its_action():
    assert after_decision(Owed(APPROVE), {}, "ebay", R.RETURN_FULL_REFUND) == [
        Change(APPROVE, Move.OWE)
    ]
    why = "nothing to send"
    assert after_decision(Owed(CLOSE, why), {}, "walmart", R.PARTIAL_REFUND) == [
        Change(CLOSE, Move.SKIP, why)
    ]
    ended = "the marketplace's return is closed already"
    assert after_decision(Owed(APPROVE), {}, "ebay", R.RETURN_FULL_REFUND, ended) == [
        Change(APPROVE, Move.SKIP, ended)
    ]


def test_a_redelivered_decision_changes_nothing_but_its_note():
    for state in (OWED, FAILED):
        assert after_decision(Owed(CLOSE), {CLOSE: state}, "shopify", R.PARTIAL_REFUND) == [
            Change(CLOSE, Move.REFRESH)
        ]
    for state in (DONE, NOT_NEEDED):
        assert after_decision(Owed(CLOSE, "n/a"), {CLOSE: state}, "amazon", R.EXCHANGE) == [
            Change(CLOSE, Move.KEEP)
        ]


@pytest.mark.parametrize("before", [OWED, FAILED])
def test_an_action_not_performed_that_the_new_decision_contradicts_is_dropped(before):
    changes = after_decision(Owed(APPROVE), {CLOSE: before}, "shopify", R.RETURN_FULL_REFUND)
    assert changes == [
        Change(CLOSE, Move.DROP, "not performed: the case is resolved by return full refund since"),
        Change(APPROVE, Move.OWE),
    ]


def test_the_receipt_of_the_unit_is_no_decisions_to_drop():
    changes = after_decision(Owed(CLOSE), {MARK_RECEIVED: OWED}, "ebay", R.PARTIAL_REFUND)
    assert changes == [Change(CLOSE, Move.OWE)]


def test_an_action_performed_stays_and_the_next_is_owed_when_the_marketplace_takes_it():
    # Approved, then resolved by a partial refund: the open return is closed.
    changes = after_decision(Owed(CLOSE), {APPROVE: DONE}, "shopify", R.PARTIAL_REFUND)
    assert changes == [Change(CLOSE, Move.OWE)]
    # Approved, then resolved by an exchange on a remorse eBay return: no decline after that.
    [change] = after_decision(Owed(DECLINE), {APPROVE: DONE}, "ebay", R.EXCHANGE)
    assert (change.action, change.move) == (DECLINE, Move.SKIP)
    assert change.why.startswith("eBay declines only a return not approved yet")


@pytest.mark.parametrize("marketplace", ["shopify", "ebay"])
def test_a_return_declined_or_closed_takes_no_approval_after(marketplace):
    for performed in (DECLINE, CLOSE):
        [change] = after_decision(
            Owed(APPROVE), {performed: DONE}, marketplace, R.RETURN_FULL_REFUND
        )
        assert (change.action, change.move) == (APPROVE, Move.SKIP)
        assert f"return was ended ({performed.value}) before the decision changed" in change.why


def test_an_action_dropped_or_not_needed_before_is_owed_again_when_the_decision_returns():
    for state in (DROPPED, NOT_NEEDED):
        changes = after_decision(
            Owed(CLOSE), {CLOSE: state, APPROVE: OWED}, "shopify", R.PARTIAL_REFUND
        )
        why = "not performed: the case is resolved by partial refund since"
        assert changes == [Change(APPROVE, Move.DROP, why), Change(CLOSE, Move.OWE_AGAIN)]


def test_an_owed_action_the_new_decision_no_longer_needs_is_dropped_with_why():
    # A partial refund owed eBay's close (by the refund); an exchange on a SNAD return then
    # owes nothing eBay takes.
    why = owed_by_decision(R.EXCHANGE, "ebay", Ground.FAULT).not_needed
    changes = after_decision(Owed(CLOSE, why), {CLOSE: OWED}, "ebay", R.EXCHANGE)
    assert changes == [Change(CLOSE, Move.DROP, why)]


def test_a_receipt_owes_mark_received_once_unless_the_return_is_over():
    assert after_receipt(Owed(MARK_RECEIVED), {APPROVE: DONE}, "ebay") == Change(
        MARK_RECEIVED, Move.OWE
    )
    assert after_receipt(Owed(MARK_RECEIVED), {MARK_RECEIVED: OWED}, "ebay") == Change(
        MARK_RECEIVED, Move.KEEP
    )
    [skipped] = [after_receipt(Owed(MARK_RECEIVED), {DECLINE: DONE}, "ebay")]
    assert skipped.move is Move.SKIP and "return was ended (decline)" in skipped.why
    shopify = owed_by_receipt("shopify")
    assert after_receipt(shopify, {}, "shopify") == Change(
        MARK_RECEIVED, Move.SKIP, shopify.not_needed
    )
