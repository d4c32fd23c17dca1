"""Failed outgoing calls, for the sellers' agents and the platform's operators: the messages to
buyers, the return actions on the marketplaces, the refunds the marketplaces refused and the
Amazon removal orders that could not be made, listed with their cause (`SellerReader`),
retried or discarded with the reason (`SellerAgent`), one by one or all of a kind, a cause,
a time owed (`shared/failed_calls.py`, the kinds in `workflows/failed_calls.py`). Each list
and change is narrowed to the caller's seller accounts; another seller's call answers 404."""

from services.intake.workflows.failed_calls import FAILED_CALLS

router = FAILED_CALLS.router()
