"""Walmart Marketplace: RETURN_CREATED notifications (`webhook.py`), completed from the
Returns API (`returns_api.py`); registered in `channel.py`."""
