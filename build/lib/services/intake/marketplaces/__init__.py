"""Clients of marketplace APIs used to complete a delivery.

Some webhooks name what happened but not what intake needs to open a case (a Shopify
returns/request has no sku, price or country; a Walmart RETURN_CREATED no sku nor
price). Intake answers the webhook first, then, as the slow work after the 2xx, reads
the rest from the marketplace with these clients and hands it to the channel's pure
`parse`. Each client takes an `httpx.AsyncClient` (its timeouts are the caller's) and
raises `MarketplaceUnavailable` (retry later) or `MarketplaceRefused` (do not retry).
"""
