"""Shopify's returns through the Admin GraphQL API: a return's state, read to confirm a
return topic (`confirmation.py`), and the seller's side of a return: approve, decline or
close it.

- `return(id:)` (https://shopify.dev/docs/api/admin-graphql/latest/queries/return): its
  `status` (ReturnStatus), `requestApprovedAt` and `order { id }`; null for a return the
  shop does not have;
- `returnApproveRequest(input: {id})`: a REQUESTED return becomes OPEN
  (https://shopify.dev/docs/api/admin-graphql/latest/mutations/returnApproveRequest);
- `returnDeclineRequest(input: {id, declineReason, declineNote})`: it becomes DECLINED
  (https://shopify.dev/docs/api/admin-graphql/latest/mutations/returnDeclineRequest;
  reasons: https://shopify.dev/docs/api/admin-graphql/latest/enums/ReturnDeclineReason:
  RETURN_PERIOD_ENDED, FINAL_SALE, OTHER; the note, sent to the buyer, 500 characters at
  most). Only a REQUESTED return that was not refunded can be declined ("Return is not
  declinable. Only non-refunded returns with status REQUESTED can be declined.");
- `returnClose(id:)`: an OPEN return becomes CLOSED
  (https://shopify.dev/docs/api/admin-graphql/latest/mutations/returnClose); any other
  status is refused ("Return status is invalid."), a CLOSED one is left as it is.

Closing a return the buyer keeps (`close_return`, the domain's CLOSE) follows its status:
a REQUESTED one is declined with reason OTHER and a note saying how the case was resolved
(no reason of Shopify's fits a return resolved otherwise: the return period did not end,
the item is no final sale), an OPEN one (approved before the decision changed) is closed;
one already DECLINED, CLOSED or CANCELED is over. intake's refunds are the order's
(`refundCreate`, no return named), so they never make a return "refunded".

The mutations are idempotent by nature: an action taken before (its answer lost) is
refused by Shopify with a `ReturnUserError` (the return is no longer REQUESTED); the return
is then read, and if it already is what the action makes it, the action is done. Marking a
return received has no call of its own at Shopify: receiving is `returnProcess`, which
settles the return's money too, while intake pays refunds through `refundCreate`
(`refunds_api.py`); so nothing is sent for it. Needs the write_returns scope.
"""

from datetime import datetime

from pydantic import Field

from services.intake.channels.shopify.confirmation import ReturnState
from services.intake.channels.shopify.graphql import (
    SHOPIFY,
    GraphQLModel,
    ShopifyAdmin,
    UserError,
    ask,
    gid,
    legacy_id,
    refused,
)
from shared.outbound import Refused

RETURN_QUERY = """
query ReturnState($id: ID!) {
  return(id: $id) {
    id
    status
    requestApprovedAt
    order { id }
  }
}
"""

APPROVE_MUTATION = """
mutation ApproveReturn($input: ReturnApproveRequestInput!) {
  returnApproveRequest(input: $input) {
    return { id status }
    userErrors { code field message }
  }
}
"""

DECLINE_MUTATION = """
mutation DeclineReturn($input: ReturnDeclineRequestInput!) {
  returnDeclineRequest(input: $input) {
    return { id status }
    userErrors { code field message }
  }
}
"""

CLOSE_MUTATION = """
mutation CloseReturn($id: ID!) {
  returnClose(id: $id) {
    return { id status }
    userErrors { code field message }
  }
}
"""

# The note Shopify sends the buyer with a decline holds 500 characters at most.
DECLINE_NOTE_CHARS = 500
# What a return is once approved (and perhaps closed since), or declined, or over.
APPROVED = {"OPEN", "CLOSED"}
DECLINED = {"DECLINED"}
OVER = {"DECLINED", "CLOSED", "CANCELED"}


class OrderRef(GraphQLModel):
    id: str


class Return(GraphQLModel):
    id: str
    status: str
    request_approved_at: datetime | None = None
    order: OrderRef


class ReturnData(GraphQLModel):
    found: Return | None = Field(default=None, alias="return")


class ReturnRef(GraphQLModel):
    id: str
    status: str


class ReturnChanged(GraphQLModel):
    changed: ReturnRef | None = Field(default=None, alias="return")
    user_errors: list[UserError] = []


class ApproveData(GraphQLModel):
    return_approve_request: ReturnChanged | None = None


class DeclineData(GraphQLModel):
    return_decline_request: ReturnChanged | None = None


class CloseData(GraphQLModel):
    return_close: ReturnChanged | None = None


async def read_return_state(admin: ShopifyAdmin, return_id: str) -> ReturnState | None:
    """The return as Shopify has it now; None when the shop has no such return."""
    return_gid = gid("Return", return_id)
    data = await ask(admin, ReturnData, RETURN_QUERY, {"id": return_gid}, f"return {return_gid}")
    found = data.found
    if found is None:
        return None
    return ReturnState(
        return_id=found.id,
        order_id=legacy_id(found.order.id),
        status=found.status,
        approved=found.request_approved_at is not None,
    )


async def approve_return(admin: ShopifyAdmin, return_id: str) -> None:
    """The buyer may send the goods back: the return becomes OPEN."""
    return_gid = gid("Return", return_id)
    data = await ask(
        admin,
        ApproveData,
        APPROVE_MUTATION,
        {"input": {"id": return_gid}},
        f"approving {return_gid}",
    )
    await ensure_done(admin, return_gid, data.return_approve_request, APPROVED, "approving")


async def decline_return(admin: ShopifyAdmin, return_id: str, note: str) -> None:
    """No return after all (resolved otherwise): the return becomes DECLINED, with a note."""
    return_gid = gid("Return", return_id)
    decline = {
        "id": return_gid,
        "declineReason": "OTHER",
        "declineNote": note[:DECLINE_NOTE_CHARS] or None,
    }
    data = await ask(
        admin, DeclineData, DECLINE_MUTATION, {"input": decline}, f"declining {return_gid}"
    )
    await ensure_done(admin, return_gid, data.return_decline_request, DECLINED, "declining")


async def close_return(admin: ShopifyAdmin, return_id: str, note: str) -> None:
    """The buyer keeps the goods: a requested return is declined (OTHER, with the note), an
    open one closed; one already over is left as it is."""
    return_gid = gid("Return", return_id)
    state = await read_return_state(admin, return_gid)
    if state is None:
        raise Refused(SHOPIFY, f"closing {return_gid}: the shop has no such return")
    if state.status in OVER:
        return
    if state.status == "REQUESTED":
        await decline_return(admin, return_id, note)
        return
    data = await ask(admin, CloseData, CLOSE_MUTATION, {"id": return_gid}, f"closing {return_gid}")
    await ensure_done(admin, return_gid, data.return_close, {"CLOSED"}, "closing")


async def ensure_done(
    admin: ShopifyAdmin,
    return_gid: str,
    answer: ReturnChanged | None,
    done: set[str],
    action: str,
) -> None:
    """The action took effect, now or before; otherwise the shop's refusal."""
    if answer is not None and not answer.user_errors and answer.changed is not None:
        return
    errors = answer.user_errors if answer else []
    state = await read_return_state(admin, return_gid)
    if state is not None and state.status in done:
        return  # done before: a retry whose first answer was lost
    if not errors:
        raise Refused(SHOPIFY, f"{action} {return_gid}: Shopify answered no return")
    raise refused(errors, f"{action} {return_gid}")
