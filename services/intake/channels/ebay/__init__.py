"""eBay: Platform Notifications for returns (`notifications.py`), completed from the
Post-Order API (`returns.py`, `post_order_api.py`), and Marketplace Account Deletion
(`account_deletion.py`, verified with the keys of `public_keys.py`); registered in
`channel.py`."""
