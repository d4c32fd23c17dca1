"""Intake's tables, in the `intake` schema.

Personal data (buyer contact, raw deliveries, channel secrets) is stored encrypted
by the vault (`adapters/vault.py`); everything in clear here is safe to show an operator.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, Index, LargeBinary, SmallInteger, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql import text as sql
from sqlmodel import SQLModel

from services.intake.domain.delivery import DeliveryState
from services.intake.domain.outgoing_messages import MessageState
from services.intake.domain.refunds import RefundState
from services.intake.domain.return_actions import ActionState
from shared.columns import big_integer, column, integer, moment, text
from shared.events import MarketplaceStatus
from shared.messaging_tables import utc_now

SCHEMA = "intake"
ACCEPTED = DeliveryState.ACCEPTED.value
FAILED = DeliveryState.FAILED.value
FILE_MANAGED, API_MANAGED = "file", "api"
OWED = ActionState.OWED.value
QUEUED = MessageState.QUEUED.value


class ChannelAccount(SQLModel, table=True):
    """A seller's account on one channel, with the secrets that prove a delivery is genuine."""

    __tablename__ = "channel_accounts"
    __table_args__ = {"schema": SCHEMA}

    channel: str = text(primary_key=True)
    account: str = text(primary_key=True)  # shop domain, partner id...
    seller: str = text()
    # Encrypted JSON: {"secrets": [...], "retiring": [{"secret", "until"}], plus the API
    # credentials the channel needs} (`domain/account.py`).
    credentials: bytes = column(LargeBinary)
    default_market: str | None = text(None)
    # "file" while CHANNEL_ACCOUNTS_FILE keeps it up to date; "api" once onboarded or changed
    # through the API, after which the file leaves it alone.
    managed_by: str = text(FILE_MANAGED)
    created_at: datetime = moment(default_factory=utc_now)
    updated_at: datetime = moment(default_factory=utc_now)
    disabled_at: datetime | None = moment(None)  # its deliveries are refused from then on


class DeliveryRecord(SQLModel, table=True):
    """A verified delivery, stored before the 2xx; the worker turns it into cases after.
    Keyed by the seller account too: one seller cannot pre-empt another's delivery ids."""

    __tablename__ = "deliveries"
    __table_args__ = (
        # What a lane's worker claims: its channels' deliveries due now, however many others
        # wait for a marketplace that is down.
        Index(
            "deliveries_due",
            "channel",
            "next_attempt_at",
            postgresql_where=sql(f"state = '{ACCEPTED}'"),
        ),
        Index("deliveries_failed", "received_at", postgresql_where=sql(f"state = '{FAILED}'")),
        {"schema": SCHEMA},
    )

    channel: str = text(primary_key=True)
    account: str = text(primary_key=True)
    delivery_id: str = text(primary_key=True)
    kind: str = text()  # what the worker does with it, e.g. "webhook"
    content: bytes = column(LargeBinary)  # encrypted: it may hold PII
    trace_headers: dict[str, str] = column(JSONB)
    state: str = text(ACCEPTED)  # a DeliveryState
    attempts: int = column(SmallInteger, 0)  # since it was received or last revived
    next_attempt_at: datetime = moment(default_factory=utc_now)
    error: str | None = text(None)  # the cause of the last failed try
    received_at: datetime = moment(default_factory=utc_now)
    # When an operator's retry or the marketplace's redelivery last revived it (failed ->
    # accepted): its tries' time budget runs from then.
    revived_at: datetime | None = moment(None)
    applied_at: datetime | None = moment(None)
    # A failed delivery an operator discarded: when, who, and why.
    discarded_at: datetime | None = moment(None)
    discarded_by: str | None = text(None)
    discard_reason: str | None = text(None)
    # Accepted before case ids named the seller account (migration account_keys): the case
    # it opens keeps the id its webhook's answer named then.
    legacy_case_id: bool = column(Boolean, False)


class CaseRecord(SQLModel, table=True):
    """A case as received and classified; (channel, account, case_key) opens it once."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("channel", "account", "case_key", name="cases_opened_once"),
        Index("cases_by_return", "channel", "account", "return_id"),
        Index("cases_by_order", "channel", "account", "order_id"),
        Index("cases_by_buyer", "channel", "account", "buyer_ref"),
        {"schema": SCHEMA},
    )

    case_id: str = text(primary_key=True)
    channel: str = text()
    case_key: str = text()  # the channel's id of what opened it
    account: str = text()
    order_id: str = text()
    return_id: str | None = text(None)
    market: str = text()
    buyer_ref: str = text()
    scenario: str | None = text(None)
    confidence: float = column(Float)
    # The case's triage (`domain/triage.py`): true while it waits for an agent.
    needs_agent: bool = column(Boolean)
    marketplace_status: str = text(MarketplaceStatus.REQUESTED.value)
    opened_at: datetime = moment()
    # The case exactly as published in case.opened (no contact data).
    case: dict[str, Any] = column(JSONB)
    # Its items' SKUs the seller's catalog does not know (`workflows/catalog.py`): the case
    # flows on defaults for them.
    unknown_skus: list[str] = column(JSONB, default_factory=list)


class BuyerRecord(SQLModel, table=True):
    """A buyer's contact data, encrypted; erased on the marketplace's request."""

    __tablename__ = "buyers"
    __table_args__ = {"schema": SCHEMA}

    channel: str = text(primary_key=True)
    account: str = text(primary_key=True)
    buyer_ref: str = text(primary_key=True)
    contact: bytes | None = column(LargeBinary, None)
    updated_at: datetime = moment(default_factory=utc_now)
    erased_at: datetime | None = moment(None)


class BuyerMessage(SQLModel, table=True):
    """A buyer's reply to an offer or a satisfaction rating, as received."""

    __tablename__ = "buyer_messages"
    __table_args__ = (Index("buyer_messages_by_case", "case_id", "at"), {"schema": SCHEMA})

    message_id: str = text(primary_key=True)  # the sender's id: dedupe
    case_id: str = text()
    kind: str = text()  # reply, rating
    answer: str | None = text(None)
    rating: int | None = integer(None)
    text: str = column(Text, "")  # (a field named `text`: not the helper)
    at: datetime = moment(default_factory=utc_now)


class RefundRecord(SQLModel, table=True):
    """A refund resolution asked intake to pay, by its idempotency key (`domain/refunds.py`);
    paid through the case's marketplace, which answers with its own refund id."""

    __tablename__ = "refunds"
    __table_args__ = (Index("refunds_by_case", "case_id"), {"schema": SCHEMA})

    refund_id: str = text(primary_key=True)  # the Idempotency-Key
    case_id: str = text()
    channel: str = text()  # the channel that pays it (a case opened by hand: generic)
    account: str = text()
    order_id: str = text()
    return_id: str | None = text(None)
    request: dict[str, Any] = column(JSONB)  # the body as asked: a replay must be the same
    state: str = text(RefundState.ASKED.value)  # a RefundState
    attempts: int = column(SmallInteger, 0)
    marketplace_refund_id: str | None = text(None)
    # Store credit: the gift card's code, chosen before the first try (every retry's).
    credit_code: str | None = text(None)
    paid_minor: int | None = big_integer(None)
    paid_currency: str | None = text(None)
    refusal_status: int | None = column(SmallInteger, None)
    error: str | None = text(None)  # the refusal, or the last try's failure
    # A try is paying it until then; another try meanwhile is told to come back.
    paying_until: datetime | None = moment(None)
    asked_at: datetime = moment(default_factory=utc_now)
    settled_at: datetime | None = moment(None)


class ReturnActionRecord(SQLModel, table=True):
    """An action owed on a case's marketplace return (`domain/return_actions.py`), performed
    by the return action worker."""

    __tablename__ = "return_actions"
    __table_args__ = (
        Index("return_actions_owed", "next_attempt_at", postgresql_where=sql(f"state = '{OWED}'")),
        Index("return_actions_by_case", "case_id"),
        {"schema": SCHEMA},
    )

    action_id: str = text(primary_key=True)
    case_id: str = text()
    channel: str = text()
    account: str = text()
    order_id: str = text()
    return_id: str | None = text(None)
    action: str = text()  # a ReturnAction
    note: str = column(Text, "")
    # The decision that owes it (a receipt's MARK_RECEIVED: none): its remedy, and when
    # resolution made it; a decision older than the latest one changes nothing.
    remedy: str | None = text(None)
    decided_at: datetime | None = moment(None)
    state: str = text(OWED)  # an ActionState
    attempts: int = column(SmallInteger, 0)
    next_attempt_at: datetime = moment(default_factory=utc_now)
    error: str | None = text(None)  # why it failed, or why it is not needed
    owed_at: datetime = moment(default_factory=utc_now)
    done_at: datetime | None = moment(None)


class OutgoingMessage(SQLModel, table=True):
    """A message to a buyer (`domain/outgoing_messages.py`): owed when its event is consumed
    (with what the event said, `facts`), rendered and linted by the message worker before
    its first try and kept for the case's timeline, sent through the case's channel. No
    contact data: the address is read from the vault (or the marketplace) as it is sent."""

    __tablename__ = "outgoing_messages"
    __table_args__ = (
        Index(
            "outgoing_messages_queued",
            "next_attempt_at",
            postgresql_where=sql(f"state = '{QUEUED}'"),
        ),
        Index("outgoing_messages_by_case", "case_id", "queued_at"),
        {"schema": SCHEMA},
    )

    message_id: str = text(primary_key=True)  # derived from the key
    idempotency_key: str = column(Text, unique=True)  # case / kind / triggering event
    case_id: str = text()
    channel: str = text()
    account: str = text()
    seller: str = text()
    kind: str = text()  # a MessageKind
    way: str = text()  # a Way: email, ebay, amazon
    trigger: str = text()  # the id of the event (or the agent's request) that owes it
    language: str = text()  # the case's buyer language, as the case says
    facts: dict[str, Any] = column(JSONB)  # what the triggering event said
    subject: str | None = text(None)  # rendered: None until the worker renders it
    body_text: str | None = text(None)
    body_html: str | None = text(None)
    state: str = text(QUEUED)  # a MessageState
    attempts: int = column(SmallInteger, 0)
    next_attempt_at: datetime = moment(default_factory=utc_now)
    error: str | None = text(None)  # the last try's failure, or why it is not sent
    queued_at: datetime = moment(default_factory=utc_now)
    sent_at: datetime | None = moment(None)
    delivered_at: datetime | None = moment(None)
    # The marketplace's own message type it goes through (an Amazon Messaging API action);
    # None: the channel's usual way. `action_tried_at`: a try through it began and its
    # answer is not known (none can be read back: an agent decides, never a retry).
    action: str | None = text(None)
    action_tried_at: datetime | None = moment(None)


class AmazonReportPoll(SQLModel, table=True):
    """One Amazon account's returns report of one type, asked for on a schedule. Each report
    covers the time since the last one (`covered_until` onward); `report_id` is the one
    Amazon is making now. A report Amazon could not make (FATAL), or a call that failed,
    keeps its cause (`last_failure`) and the same window is asked for again later."""

    __tablename__ = "amazon_report_polls"
    __table_args__ = {"schema": SCHEMA}

    account: str = text(primary_key=True)  # the seller id
    report_type: str = text(primary_key=True)
    state: str = text("scheduled")  # scheduled; paused while the account has no SP-API access
    covered_until: datetime = moment()
    report_id: str | None = text(None)
    requested_until: datetime | None = moment(None)  # the end of the window asked for
    attempts: int = integer(0)
    next_attempt_at: datetime = moment(default_factory=utc_now)
    reports_done: int = integer(0)
    last_outcome: str | None = text(None)
    failures: int = integer(0)  # in a row, since the last report done
    last_failure: str | None = text(None)
    failed_at: datetime | None = moment(None)


class AmazonReturnRows(SQLModel, table=True):
    """A return read from an Amazon report (polled or uploaded) whose case waits for its
    order to be read from the Orders API (its market, a price the report lacks)."""

    __tablename__ = "amazon_return_rows"
    __table_args__ = (
        Index(
            "amazon_return_rows_waiting",
            "next_attempt_at",
            postgresql_where=sql("state = 'waiting'"),
        ),
        {"schema": SCHEMA},
    )

    account: str = text(primary_key=True)
    return_key: str = text(primary_key=True)  # amazon:rma:<id> or amazon:lpn:<plate>
    rows: bytes = column(LargeBinary)  # encrypted: the report's rows (buyers' comments)
    default_market: str | None = text(None)  # the upload's ?market= or the account's
    source: str = text()  # "upload", "report <id>"
    state: str = text("waiting")  # waiting, opened (its delivery stored), failed
    attempts: int = integer(0)
    next_attempt_at: datetime = moment(default_factory=utc_now)
    error: str | None = text(None)
    received_at: datetime = moment(default_factory=utc_now)


class AmazonFbaUnit(SQLModel, table=True):
    """An FBA unit a buyer returned to Amazon, as the newest report says Amazon found it
    (`domain/fba_units.py`): kept for its case, with what that calls for (`outcome`)."""

    __tablename__ = "amazon_fba_units"
    __table_args__ = (
        Index("amazon_fba_units_by_case", "case_id"),
        Index("amazon_fba_units_for_agents", "seen_at", postgresql_where=sql("outcome = 'agent'")),
        {"schema": SCHEMA},
    )

    account: str = text(primary_key=True)
    license_plate: str = text(primary_key=True)
    case_id: str = text()
    order_id: str = text()
    sku: str = text()
    fnsku: str | None = text(None)
    asin: str | None = text(None)
    quantity: int = integer()
    market: str = text()
    fulfillment_center: str = text()
    disposition: str = text()  # as Amazon wrote it ("" until graded)
    amazon_status: str = text()
    outcome: str = text()  # an Outcome; `agent` while it waits for an agent's decision
    decided_by: str | None = text(None)  # the agent who decided an unknown disposition
    decision_note: str | None = text(None)
    returned_at: datetime = moment()
    seen_at: datetime = moment()  # when intake read the report it keeps the word of
    updated_at: datetime = moment(default_factory=utc_now)


class AmazonRemovalOrder(SQLModel, table=True):
    """A removal order owed for an unsellable FBA unit (`domain/removal_orders.py`), sent
    to Amazon by the removal order worker; `removal_order_id` is Amazon's
    MerchantRemovalOrderID."""

    __tablename__ = "amazon_removal_orders"
    __table_args__ = (
        Index(
            "amazon_removal_orders_owed",
            "next_attempt_at",
            postgresql_where=sql("state = 'owed'"),
        ),
        UniqueConstraint("case_id", name="amazon_removal_orders_one_per_case"),
        {"schema": SCHEMA},
    )

    removal_order_id: str = text(primary_key=True)
    case_id: str = text()
    account: str = text()
    license_plate: str = text()
    order_id: str = text()
    sku: str = text()
    fnsku: str | None = text(None)
    quantity: int = integer()
    market: str = text()
    state: str = text("owed")  # a RemovalState
    attempts: int = integer(0)
    next_attempt_at: datetime = moment(default_factory=utc_now)
    failures: int = integer(0)  # unavailable tries in a row
    # Recorded before the feed is created: a try since may have made the order at Amazon.
    submitted_at: datetime | None = moment(None)
    feed_id: str | None = text(None)
    read_back_report_id: str | None = text(None)
    address: dict[str, Any] | None = column(JSONB, None)  # where it was sent
    amazon_status: str | None = text(None)  # the detail report's order-status, read back
    error: str | None = text(None)  # the last failure, or why it is not needed
    owed_at: datetime = moment(default_factory=utc_now)
    done_at: datetime | None = moment(None)


class AmazonReimbursementClaim(SQLModel, table=True):
    """What Amazon owes a seller for a unit it damaged (`domain/reimbursement_claims.py`),
    with the evidence Seller Central asks for; filed there by an agent."""

    __tablename__ = "amazon_reimbursement_claims"
    __table_args__ = (
        Index("amazon_reimbursement_claims_by_state", "state", "returned_at"),
        UniqueConstraint("case_id", name="amazon_reimbursement_claims_one_per_case"),
        {"schema": SCHEMA},
    )

    claim_id: str = text(primary_key=True)
    case_id: str | None = text(None)  # None: a unit refunded, never returned (no case)
    account: str = text()
    order_id: str = text()
    sku: str = text()
    fnsku: str | None = text(None)
    asin: str | None = text(None)
    license_plate: str = text()
    quantity: int = integer()
    market: str = text()
    fulfillment_center: str = text()
    disposition: str = text()
    amazon_status: str = text()
    returned_at: datetime = moment()
    value_minor: int | None = big_integer(None)  # what the units cost; None: price unknown
    currency: str = text()
    state: str = text("owed")  # a ClaimState
    seller_central_case_id: str | None = text(None)
    reimbursement_id: str | None = text(None)
    reimbursed_minor: int | None = big_integer(None)
    note: str = column(Text, "")
    updated_by: str | None = text(None)  # the agent who last moved it
    owed_at: datetime = moment(default_factory=utc_now)
    filed_at: datetime | None = moment(None)
    settled_at: datetime | None = moment(None)
    kind: str = text("damaged")  # damaged (a graded unit) or not_returned (a refund's)
    refunded_at: datetime | None = moment(None)  # a not_returned claim's refund
    late_arrival: str | None = text(None)  # the unit came back after the claim was owed


class AmazonRefundPoll(SQLModel, table=True):
    """One Amazon account's refunds read from the Finances API on a schedule, each poll the
    time since the last one (`covered_until` onward); a call that failed keeps its cause
    and the same window is read again later."""

    __tablename__ = "amazon_refund_polls"
    __table_args__ = {"schema": SCHEMA}

    account: str = text(primary_key=True)  # the seller id
    state: str = text("scheduled")  # scheduled; paused while the account has no SP-API access
    covered_until: datetime = moment()
    attempts: int = integer(0)
    next_attempt_at: datetime = moment(default_factory=utc_now)
    polls_done: int = integer(0)
    last_outcome: str | None = text(None)
    failures: int = integer(0)  # in a row
    last_failure: str | None = text(None)
    failed_at: datetime | None = moment(None)


class AmazonFbaRefund(SQLModel, table=True):
    """An FBA order's SKU Amazon refunded (`domain/fba_refunds.py`), kept once, until its
    unit comes back (matched) or the window passes without it (a claim owed)."""

    __tablename__ = "amazon_fba_refunds"
    __table_args__ = (
        Index(
            "amazon_fba_refunds_open",
            "account",
            "due_at",
            postgresql_where=sql("state IN ('waiting', 'claimed')"),
        ),
        {"schema": SCHEMA},
    )

    account: str = text(primary_key=True)
    order_id: str = text(primary_key=True)
    sku: str = text(primary_key=True)
    refunded_at: datetime = moment(primary_key=True)
    quantity: int = integer()
    amount_minor: int | None = big_integer(None)
    currency: str = text()
    market: str = text()
    due_at: datetime = moment()
    state: str = text("waiting")  # a RefundState
    claim_id: str | None = text(None)
    seen_at: datetime = moment(default_factory=utc_now)
    updated_at: datetime = moment(default_factory=utc_now)


class CasePhoto(SQLModel, table=True):
    """A photo the buyer added from their page (`domain/photos.py`), sealed by the vault
    like every personal datum; removed when the buyer is erased."""

    __tablename__ = "case_photos"
    __table_args__ = (Index("case_photos_by_case", "case_id", "uploaded_at"), {"schema": SCHEMA})

    case_id: str = text(primary_key=True)
    photo_id: str = text(primary_key=True)  # from its content: sent twice, kept once
    content_type: str = text()
    size: int = integer()
    sealed: bytes = column(LargeBinary)
    uploaded_at: datetime = moment(default_factory=utc_now)


class ExchangeVariant(SQLModel, table=True):
    """A variant the seller's own shop sent with a returned item (the generic channel),
    which the buyer may take in exchange (`domain/exchange_variants.py`); kept as sent when
    the case opened. Shopify's are read from the shop at each look instead."""

    __tablename__ = "exchange_variants"
    __table_args__ = {"schema": SCHEMA}

    case_id: str = text(primary_key=True)
    item_sku: str = text(primary_key=True)  # the returned item's
    position: int = integer(primary_key=True)  # the shop's order
    sku: str = text()
    title: str = text()
    unit_price_minor: int = integer()  # in the case's currency
    available: bool = column(Boolean)


class CatalogProductRecord(SQLModel, table=True):
    """A product of a seller's catalog (`domain/catalog.py`), as the seller account's
    marketplace (or an upload) lists it; its variants are `catalog_variants`."""

    __tablename__ = "catalog_products"
    __table_args__ = (Index("catalog_products_by_seller", "seller", "category"), {"schema": SCHEMA})

    account: str = text(primary_key=True)  # the channel account it was read from
    product_id: str = text(primary_key=True)  # the marketplace's (or the upload's) id
    channel: str = text()  # where it was read: shopify, amazon, ebay, walmart, upload
    seller: str = text()  # the account's seller: its other accounts' cases find it too
    title: str = column(Text, "")
    titles: dict[str, str] = column(JSONB)  # by language
    category: str | None = text(None)  # the project's taxonomy
    source_category: str | None = text(None)  # the marketplace's own words
    updated_at: datetime = moment(default_factory=utc_now)


class CatalogVariantRecord(SQLModel, table=True):
    """A SKU of a seller's catalog: what a case's item is resolved to when its case opens."""

    __tablename__ = "catalog_variants"
    __table_args__ = (
        Index("catalog_variants_by_sku", "seller", "sku"),
        Index("catalog_variants_by_product", "account", "product_id"),
        {"schema": SCHEMA},
    )

    account: str = text(primary_key=True)
    sku: str = text(primary_key=True)
    channel: str = text()
    seller: str = text()
    product_id: str = text()
    title: str = column(Text, "")  # the variant's own: "Black", "L"
    titles: dict[str, str] = column(JSONB)  # by language
    asin: str | None = text(None)
    fnsku: str | None = text(None)
    listing_ids: dict[str, str] = column(JSONB)  # by marketplace
    attributes: dict[str, str] = column(JSONB)  # what the variants differ in
    # The attributes' values in the buyers' languages: {"de": {"Black": "Schwarz"}}.
    attribute_titles: dict[str, dict[str, str]] = column(JSONB)
    prices: dict[str, Any] = column(JSONB)  # by market: {"amount_minor", "currency"}
    landed_costs: dict[str, Any] = column(JSONB)  # by market, the same shape
    weight_g: int | None = integer(None)
    dimensions_mm: list[int] | None = column(JSONB, None)  # length, width, height
    hs_code: str | None = text(None)
    origin_country: str | None = text(None)
    available: bool | None = column(Boolean, None)
    # What the listing says on each market's marketplace (`domain/catalog.ListingContent`):
    # {"US": {"language", "title", "bullets", "description", "size_chart", "attributes"}}.
    listings: dict[str, Any] = column(JSONB)
    updated_at: datetime = moment(default_factory=utc_now)
