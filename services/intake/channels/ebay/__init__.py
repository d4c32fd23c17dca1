"""eBay: Platform Notifications for returns (`notifications.py`), completed and confirmed
from the Post-Order API (`returns.py`, `post_order_api.py`) with the seller's OAuth user
token (`oauth.py`); what intake asks of eBay (`marketplace_side.py`: refunds, decisions,
receipts, an account check); Marketplace Account Deletion (`account_deletion.py`, verified
with the keys of `public_keys.py`); all registered in `channel.py`."""
