"""Shopify: return, refund and customers/redact webhooks (`webhook.py`), state changes
confirmed by reading them back (`confirmation.py`), completed and acted on through the Admin
GraphQL API (`graphql.py` the call; `admin_api.py` the order and the shop, `returns_api.py`,
`refunds_api.py`); registered in `channel.py`."""
