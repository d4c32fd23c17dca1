"""Failed outgoing calls of fulfillment, for the sellers' agents and the platform's
operators: the carrier labels EasyPost would not sell and the dispatch tasks a warehouse's
system never took, listed with their cause
(`SellerReader`), retried or discarded with the reason (`SellerAgent`), one by one or in
bulk, the same routes and shape as intake's (`shared/failed_calls.py`, the kinds in
`workflows/failed_calls.py`). Another seller's call answers 404 and is never listed."""

from services.fulfillment.workflows.failed_calls import FAILED_CALLS

router = FAILED_CALLS.router()
