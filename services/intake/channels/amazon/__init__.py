"""Amazon: SP-API notifications (`notifications.py`, read from the seller's SQS queue by
`queue.py` or sent by a forwarder), the returns reports (`reports.py`, polled through
`reports_api.py`, completed from `orders_api.py`), refunds (`refunds.py` through
`feeds_api.py`), FBA units' removal orders (`removals.py`, a feed read back from a report),
all with `sp_api.py`'s Login with Amazon tokens; registered in `channel.py`."""
