"""Intake's own settings, beside what every service reads (`shared.settings`)."""

from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr

from services.intake.domain.removal_orders import RemovalAddress
from shared.markets import Market
from shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    required_secrets: ClassVar[tuple[str, ...]] = (
        "intake_pii_keys",
        "service_client_secrets",
        "buyer_link_secret",
    )
    webhook_max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="The largest webhook or agent request body accepted (413 beyond it); a "
        "returns report upload may be 16 times as large.",
    )
    webhook_store_wait_seconds: float = Field(
        default=3.0,
        gt=0,
        le=30,
        description="How long a webhook waits for its store (PostgreSQL) before it is "
        "answered 503 with Retry-After: the marketplace delivers it again, and a delivery "
        "stored late is then a duplicate, never lost. Keeps every answer within a few seconds "
        "when the database is saturated.",
    )
    webhook_store_queue: int = Field(
        default=5000,
        ge=1,
        description="Deliveries waiting for the store at once before more are answered 503 "
        "with Retry-After at once (back-pressure under a burst).",
    )
    webhook_max_in_flight: int = Field(
        default=256,
        ge=1,
        description="Webhooks one intake process handles at once; past it, a webhook is "
        "answered 503 with Retry-After at once, so that those admitted are answered within "
        "seconds when the process is short of CPU (back-pressure under a burst).",
    )
    webhook_retry_after_seconds: int = Field(
        default=5,
        ge=1,
        description="The Retry-After of a webhook answered 503 because the store or the "
        "process is saturated.",
    )
    intake_pii_keys: SecretStr | None = Field(
        default=None,
        description="Fernet keys (comma-separated, newest first, for a rotation) that encrypt "
        "buyers' personal data and raw deliveries at rest.",
    )
    channel_accounts_file: Path | None = Field(
        default=None,
        description="JSON list of seller channel accounts (secrets included), loaded at start-up.",
    )
    delivery_retry_hours: float = Field(
        default=72.0,
        gt=0,
        description="How long a delivery that cannot be applied yet (the marketplace API is "
        "down, an update came before its return) is tried, from its first receipt (or an "
        "operator's retry), before it is failed.",
    )
    delivery_retry_longest_pause_seconds: float = Field(
        default=300.0,
        ge=1,
        description="The longest pause between two tries of a delivery (the pause doubles "
        "from 1 s up to it, with jitter; a marketplace's Retry-After may ask for longer).",
    )
    account_cache_seconds: float = Field(
        default=30.0,
        ge=0,
        le=60,
        description="How long a process keeps a channel account it read (secrets, disabled "
        "or not, unknown): a rotated or revoked secret takes effect on every replica within "
        "this time.",
    )
    intake_delivery_worker: bool = Field(
        default=True,
        description="Whether this intake process also completes and applies what it accepted: "
        "off for processes that only answer webhooks.",
    )
    shopify_admin_base_url: str | None = Field(
        default=None,
        description="Shopify's Admin API; unset: `https://<shop domain>`. `{shop}` in it "
        "stands for the account's shop domain (one server for many shops: the emulator).",
    )
    catalog_page_size: int = Field(
        default=50,
        ge=1,
        le=250,
        description="Most products (Shopify) or listings asked of a marketplace per page when "
        "a seller's catalog is imported; each marketplace's own ceiling applies below it "
        "(Shopify 5 products of 25 variants, Amazon 20, Walmart 50, eBay 200).",
    )
    walmart_api_base_url: str = Field(
        default="https://marketplace.walmartapis.com", description="Walmart's Marketplace API."
    )
    ebay_api_base_url: str = Field(
        default="https://api.ebay.com",
        description="eBay's APIs (OAuth tokens, Post-Order returns, notification signing keys).",
    )
    ebay_verification_token: SecretStr | None = Field(
        default=None,
        description="eBay Marketplace Account Deletion: the verification token given to eBay "
        "when subscribing.",
    )
    ebay_deletion_endpoint: str | None = Field(
        default=None,
        description="eBay Marketplace Account Deletion: the endpoint URL given to eBay when "
        "subscribing.",
    )
    ebay_app_token: SecretStr | None = Field(
        default=None,
        description="eBay application token, to read the keys eBay signs account deletion "
        "notifications with.",
    )
    generic_refund_api_base_url: str | None = Field(
        default=None,
        description="The generic channel's refund API (the project's refund protocol, "
        "`POST /v1/refunds`; the emulators serve one); unset: the generic channel's refunds "
        "are refused, with this reason.",
    )
    return_action_max_attempts: int = Field(
        default=20,
        ge=1,
        description="Tries of an action on a marketplace's return (approve, decline, close, mark "
        "received) that the marketplace cannot take yet, before it is failed and listed.",
    )
    amazon_sp_api_base_url: str | None = Field(
        default=None,
        description="Amazon's Selling Partner API (Reports, Orders, Feeds, Sellers); unset: "
        "each account's regional endpoint (https://sellingpartnerapi-na.amazon.com, -eu, -fe).",
    )
    amazon_lwa_base_url: str = Field(
        default="https://api.amazon.com",
        description="Login with Amazon, where each account's SP-API access token is refreshed "
        "(POST /auth/o2/token).",
    )
    amazon_sqs_endpoint_url: str | None = Field(
        default=None,
        description="The SQS endpoint the sellers' SP-API notification queues are read at; "
        "unset: AWS's own, in each queue's region.",
    )
    amazon_report_interval_seconds: float = Field(
        default=900,
        gt=0,
        description="How often each Amazon account's returns reports are requested; each "
        "covers the time since the last one.",
    )
    amazon_report_check_seconds: float = Field(
        default=30,
        gt=0,
        description="How long to wait between asking Amazon whether a requested report is done.",
    )
    amazon_report_first_days: int = Field(
        default=3,
        ge=1,
        le=90,
        description="How far back the first returns report of a new Amazon account reaches.",
    )
    amazon_refund_return_days: int = Field(
        default=45,
        ge=1,
        le=365,
        description="How long after Amazon refunded an FBA buyer the unit has to come back; "
        "one refunded and not back by then owes the seller a reimbursement claim.",
    )
    amazon_queue_wait_seconds: int = Field(
        default=20,
        ge=0,
        le=20,
        description="How long one read of an SP-API notification queue waits for messages "
        "(SQS long polling).",
    )
    buyer_link_secret: SecretStr | None = Field(
        default=None,
        description="Signs the links to each buyer's case page and the reply addresses of "
        "the messages sent to buyers (several, comma-separated, newest first, for a rotation).",
    )
    buyer_page_base_url: str = Field(
        default="http://127.0.0.1:8001",
        description="Where buyers reach intake's buyer pages (`<this>/buyer/<token>`): the "
        "public URL in production.",
    )
    buyer_link_days: int = Field(
        default=60,
        ge=1,
        le=365,
        description="How long a link to a buyer's case page works after it was sent.",
    )
    reply_domain: str = Field(
        default="replies.localhost",
        description="The mail domain buyers' replies go to: `reply+<token>@<this>` "
        "(inbound mail or the mail provider's inbound-parse webhook brings them back).",
    )
    smtp_host: str | None = Field(
        default=None,
        description="The mail relay messages to buyers are handed to (e-mail channels, and "
        "Amazon's Buyer-Seller Messaging relay); unset: those messages wait, then fail with "
        "this reason.",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="The mail relay's port.")
    smtp_user: str | None = Field(
        default=None, description="The mail relay's login (SMTP AUTH); unset: no login."
    )
    smtp_password: SecretStr | None = Field(default=None, description="The mail relay's password.")
    smtp_starttls: bool = Field(
        default=True,
        description="Upgrade the relay connection with STARTTLS before logging in (off only for "
        "a relay on the same machine, as the local one of `make run`).",
    )
    smtp_ca_file: Path | None = Field(
        default=None,
        description="A CA bundle (PEM) to trust for the mail relay's certificate, besides the "
        "system's (a relay with a private CA); unset: the system's trust store only.",
    )
    smtp_timeout_seconds: float = Field(
        default=15.0, gt=0, description="How long one exchange with the mail relay may take."
    )
    mail_from: str = Field(
        default="Customer Service <service@localhost>",
        description="The sender of messages to buyers for a channel account without its own "
        "(`mail_from` in the account's credentials: a shop's own address).",
    )
    buyer_message_max_attempts: int = Field(
        default=12,
        ge=1,
        description="Tries of a message to a buyer that the relay or marketplace cannot take "
        "yet (SMTP 4xx, no connection, 429, 5xx), the pause doubling up to five minutes, before "
        "it is failed and listed.",
    )
    amazon_removal_addresses: dict[Market, RemovalAddress] = Field(
        default_factory=dict,
        description="Where Amazon ships a seller's unsellable FBA units (removal orders), by "
        "the market of the unit's case: the local warehouse serving that market, as JSON "
        '(`{"US": {"name": "Boston Fulfillment Center", "line1": "88 Black Falcon Ave", '
        '"city": "Boston", "state_or_region": "MA", "postal_code": "02210", '
        '"country_code": "US"}}`; `line2`, `line3` and `phone` optional; the country as ISO '
        "3166: GB, not UK). A market without one: its removal orders fail with that cause, "
        "listed, until it is set. `make run` and the tests set fulfillment's warehouses.",
    )
    amazon_removal_max_failures: int = Field(
        default=20,
        ge=1,
        description="Tries in a row of an Amazon removal order that Amazon cannot take yet "
        "(down, throttling) before it is failed and listed for an agent.",
    )
    inbound_smtp_port: int | None = Field(
        default=None,
        ge=0,
        le=65535,
        description="The port intake's own mail server takes buyers' replies on (SMTP; only "
        "for `reply+<token>@REPLY_DOMAIN`); unset: no mail server (a mail provider's "
        "inbound-parse webhook brings the replies instead). Needs BUYER_LINK_SECRET.",
    )
    inbound_smtp_host: str = Field(
        default="127.0.0.1",
        description="The address intake's mail server listens on (0.0.0.0 to take mail from "
        "other hosts: the MX of REPLY_DOMAIN, or a relay in front of it).",
    )
    inbound_mail_max_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1024,
        description="The largest buyer's reply taken, by SMTP (552 beyond it) or through a "
        "mail provider's inbound webhook (413 beyond it).",
    )
    mailgun_webhook_signing_key: SecretStr | None = Field(
        default=None,
        description="Mailgun's HTTP webhook signing key, which signs each inbound route POST "
        "(`POST /inbound-mail/mailgun`); several, comma-separated, during a rotation. Unset: "
        "every such POST is refused as forged.",
    )
    mandrill_webhook_key: SecretStr | None = Field(
        default=None,
        description="The key Mandrill (Mailchimp Transactional) shows for the inbound "
        "route's webhook, which signs `X-Mandrill-Signature` (`POST /inbound-mail/mandrill`); "
        "several, comma-separated, during a rotation. Unset: every such POST is refused as "
        "forged.",
    )
    mandrill_webhook_url: str | None = Field(
        default=None,
        description="The webhook URL exactly as given to Mandrill (it signs it); unset: the "
        "URL the request arrived at, which differs behind a proxy.",
    )
    mandrill_events_webhook_key: SecretStr | None = Field(
        default=None,
        description="The key Mandrill shows for the message-events webhook (hard_bounce, "
        "send, ...) that signs `X-Mandrill-Signature` (`POST /inbound-mail/mandrill/events`); "
        "several, comma-separated, during a rotation. Unset: every such POST is refused as "
        "forged.",
    )
    mandrill_events_webhook_url: str | None = Field(
        default=None,
        description="The message-events webhook URL exactly as given to Mandrill; unset: the "
        "URL the request arrived at.",
    )
    resolution_api_base_url: str | None = Field(
        default=None,
        description="Where intake asks resolution what a buyer's page shows (the offers, "
        "their legal notices, refunds); unset: resolution on `HOST`.",
    )
    fulfillment_api_base_url: str | None = Field(
        default=None,
        description="Where intake asks fulfillment what a buyer's page shows of the case's "
        "parcels (return, shipments, tracking); unset: fulfillment on `HOST`.",
    )
    buyer_page_timeout_seconds: float = Field(
        default=3.0,
        gt=0,
        le=30,
        description="How long a buyer's page waits for resolution's or fulfillment's answer "
        "before it shows what it has and says the rest is not available right now.",
    )
