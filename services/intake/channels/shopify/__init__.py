"""Shopify: return, refund and customers/redact webhooks (`webhook.py`), completed from the
Admin GraphQL API (`admin_api.py`); registered in `channel.py`."""
