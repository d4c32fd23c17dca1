"""The part of Shopify's Admin GraphQL schema the emulator serves, and what a query costs.

Types, fields, enums and arguments as Shopify's reference names them (version 2026-10:
https://shopify.dev/docs/api/admin-graphql/latest): the queries `order`, `orders` (searched
by `name:`), `product`, `products` (the demo catalogue, `catalogue.py`), `return`,
`refund`, `giftCards`, `shop`, `shopLocales` and `translatableResourcesByIds` (the
products' published translations: `catalogue.TRANSLATED_TITLES` and
`TRANSLATED_DESCRIPTIONS`, and their option values': `catalogue.TRANSLATED_OPTION_VALUES`);
the mutations
`refundCreate` (with the `@idempotent` directive), `giftCardCreate`,
`returnApproveRequest`, `returnDeclineRequest`, `returnCancel` and `returnClose`. A
document asking for anything else is refused as Shopify refuses it: a 200 with `errors`.
Deprecated fields intake or others still read (`Order.email`, `ReturnLineItem.returnReason`)
are kept.

Cost (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits#cost-calculation):
scalars and enums 0, an object 1, a connection or list asked `first: n` 2 plus n times what
one of its items costs, a mutation 10. The requested cost must be in the bucket before a
query runs; the actual cost (what was returned) is what it takes.
"""

from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    build_schema,
    get_named_type,
    get_operation_ast,
    is_leaf_type,
    value_from_ast_untyped,
)

SDL = """
directive @idempotent(key: String!) on FIELD

scalar DateTime
scalar Decimal
scalar Money
scalar UnsignedInt64

enum CurrencyCode { USD CAD GBP EUR AUD JPY CHF SEK DKK NOK PLN MXN }
enum CountryCode { US CA GB DE FR IT ES NL IE AT BE AU JP MX CN VN IN TW }
enum WeightUnit { GRAMS KILOGRAMS OUNCES POUNDS }
enum ReturnStatus { CANCELED CLOSED DECLINED OPEN REQUESTED }
enum ReturnReason {
  COLOR DEFECTIVE NOT_AS_DESCRIBED OTHER SIZE_TOO_LARGE SIZE_TOO_SMALL STYLE UNKNOWN
  UNWANTED WRONG_ITEM
}
enum ReturnDeclineReason { FINAL_SALE OTHER RETURN_PERIOD_ENDED }
enum ReturnErrorCode {
  ALREADY_EXISTS BLANK CREATION_FAILED EQUAL_TO FEATURE_NOT_ENABLED GREATER_THAN
  GREATER_THAN_OR_EQUAL_TO INCLUSION INTERNAL_ERROR INVALID INVALID_STATE LESS_THAN
  LESS_THAN_OR_EQUAL_TO NOTIFICATION_FAILED NOT_A_NUMBER NOT_EDITABLE NOT_FOUND PRESENT
  TAKEN TOO_BIG TOO_LONG TOO_MANY_ARGUMENTS TOO_SHORT WRONG_LENGTH
}
enum OrderTransactionKind {
  AUTHORIZATION CAPTURE CHANGE EMV_AUTHORIZATION REFUND SALE SUGGESTED_REFUND VOID
}
enum OrderTransactionStatus { AWAITING_RESPONSE ERROR FAILURE PENDING SUCCESS UNKNOWN }
enum RefundLineItemRestockType { CANCEL LEGACY_RESTOCK NO_RESTOCK RETURN }

type Query {
  order(id: ID!): Order
  product(id: ID!): Product
  products(first: Int, after: String, query: String): ProductConnection!
  orders(first: Int, after: String, query: String): OrderConnection!
  return(id: ID!): Return
  refund(id: ID!): Refund
  giftCards(first: Int, query: String): GiftCardConnection!
  shop: Shop!
  shopLocales(published: Boolean): [ShopLocale!]!
  translatableResourcesByIds(
    resourceIds: [ID!]!, first: Int, after: String
  ): TranslatableResourceConnection!
}

type ShopLocale { locale: String! name: String! primary: Boolean! published: Boolean! }
type Translation { key: String! value: String locale: String! outdated: Boolean! }
type TranslatableResource {
  resourceId: ID!
  translations(locale: String!, outdated: Boolean): [Translation!]!
}
type TranslatableResourceEdge { cursor: String! node: TranslatableResource! }
type TranslatableResourceConnection {
  edges: [TranslatableResourceEdge!]!
  nodes: [TranslatableResource!]!
  pageInfo: PageInfo!
}

type Mutation {
  refundCreate(input: RefundInput!): RefundCreatePayload
  giftCardCreate(input: GiftCardCreateInput!): GiftCardCreatePayload
  returnApproveRequest(input: ReturnApproveRequestInput!): ReturnApproveRequestPayload
  returnDeclineRequest(input: ReturnDeclineRequestInput!): ReturnDeclineRequestPayload
  returnCancel(id: ID!, notifyCustomer: Boolean): ReturnCancelPayload
  returnClose(id: ID!): ReturnClosePayload
}

type Shop {
  id: ID!
  name: String!
  email: String!
  myshopifyDomain: String!
  currencyCode: CurrencyCode!
}

type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}

type MoneyV2 { amount: Decimal! currencyCode: CurrencyCode! }
type MoneyBag { shopMoney: MoneyV2! presentmentMoney: MoneyV2! }

type MailingAddress {
  name: String
  firstName: String
  lastName: String
  address1: String
  address2: String
  city: String
  province: String
  provinceCode: String
  zip: String
  country: String
  countryCodeV2: CountryCode
  phone: String
}

type CustomerEmailAddress { emailAddress: String }
type CustomerPhoneNumber { phoneNumber: String! }

type Customer {
  id: ID!
  firstName: String
  lastName: String
  displayName: String!
  defaultEmailAddress: CustomerEmailAddress
  defaultPhoneNumber: CustomerPhoneNumber
}

type SelectedOption { name: String! value: String! }
input ContextualPricingContext { country: CountryCode }
type ProductVariantContextualPricing { price: MoneyV2! }
type ProductVariant {
  id: ID!
  sku: String
  title: String!
  displayName: String!
  price: Money!
  availableForSale: Boolean!
  inventoryQuantity: Int
  selectedOptions: [SelectedOption!]!
  contextualPricing(context: ContextualPricingContext!): ProductVariantContextualPricing!
  inventoryItem: InventoryItem!
  product: Product!
}
type ProductVariantEdge { cursor: String! node: ProductVariant! }
type ProductVariantConnection {
  edges: [ProductVariantEdge!]!
  nodes: [ProductVariant!]!
  pageInfo: PageInfo!
}
type Product {
  id: ID!
  title: String!
  productType: String!
  descriptionHtml: String!
  category: TaxonomyCategory
  options(first: Int): [ProductOption!]!
  variants(first: Int, after: String): ProductVariantConnection!
}
type ProductOption { id: ID! name: String! position: Int! optionValues: [ProductOptionValue!]! }
type ProductOptionValue { id: ID! name: String! hasVariants: Boolean! }
type ProductEdge { cursor: String! node: Product! }
type ProductConnection { edges: [ProductEdge!]! nodes: [Product!]! pageInfo: PageInfo! }
type TaxonomyCategory { id: ID! name: String! fullName: String! }
type Weight { unit: WeightUnit! value: Float! }
type InventoryItemMeasurement { id: ID! weight: Weight }
type InventoryItem {
  id: ID!
  sku: String
  harmonizedSystemCode: String
  countryCodeOfOrigin: CountryCode
  measurement: InventoryItemMeasurement!
}

type LineItem {
  id: ID!
  name: String!
  title: String!
  sku: String
  quantity: Int!
  variant: ProductVariant
  originalUnitPriceSet: MoneyBag!
  discountedUnitPriceAfterAllDiscountsSet: MoneyBag!
}
type LineItemEdge { cursor: String! node: LineItem! }
type LineItemConnection { edges: [LineItemEdge!]! nodes: [LineItem!]! pageInfo: PageInfo! }

type OrderTransaction {
  id: ID!
  kind: OrderTransactionKind!
  status: OrderTransactionStatus!
  gateway: String
  test: Boolean!
  createdAt: DateTime!
  amountSet: MoneyBag!
  parentTransaction: OrderTransaction
}
type OrderTransactionEdge { cursor: String! node: OrderTransaction! }
type OrderTransactionConnection {
  edges: [OrderTransactionEdge!]!
  nodes: [OrderTransaction!]!
  pageInfo: PageInfo!
}

type Order {
  id: ID!
  legacyResourceId: UnsignedInt64!
  name: String!
  createdAt: DateTime!
  email: String
  phone: String
  currencyCode: CurrencyCode!
  presentmentCurrencyCode: CurrencyCode!
  customer: Customer
  shippingAddress: MailingAddress
  billingAddress: MailingAddress
  totalPriceSet: MoneyBag!
  lineItems(first: Int, after: String, last: Int, before: String): LineItemConnection!
  transactions(first: Int): [OrderTransaction!]!
  refunds(first: Int): [Refund!]!
  returns(first: Int, after: String): ReturnConnection!
  fulfillments(first: Int): [Fulfillment!]!
}

enum FulfillmentStatus { CANCELLED ERROR FAILURE OPEN PENDING SUCCESS }
type FulfillmentTrackingInfo { company: String number: String url: String }
type Fulfillment {
  id: ID!
  status: FulfillmentStatus!
  createdAt: DateTime!
  trackingInfo(first: Int): [FulfillmentTrackingInfo!]!
}

type OrderEdge { cursor: String! node: Order! }
type OrderConnection { edges: [OrderEdge!]! nodes: [Order!]! pageInfo: PageInfo! }

type FulfillmentLineItem { id: ID! quantity: Int lineItem: LineItem! }

interface ReturnLineItemType {
  id: ID!
  quantity: Int!
  customerNote: String
  returnReason: ReturnReason!
  returnReasonNote: String!
  refundableQuantity: Int!
  refundedQuantity: Int!
}
type ReturnLineItem implements ReturnLineItemType {
  id: ID!
  quantity: Int!
  customerNote: String
  returnReason: ReturnReason!
  returnReasonNote: String!
  refundableQuantity: Int!
  refundedQuantity: Int!
  fulfillmentLineItem: FulfillmentLineItem!
}
type ReturnLineItemTypeEdge { cursor: String! node: ReturnLineItemType! }
type ReturnLineItemTypeConnection {
  edges: [ReturnLineItemTypeEdge!]!
  nodes: [ReturnLineItemType!]!
  pageInfo: PageInfo!
}

type ReturnDecline { reason: ReturnDeclineReason! note: String }

type Return {
  id: ID!
  name: String!
  status: ReturnStatus!
  createdAt: DateTime!
  requestApprovedAt: DateTime
  closedAt: DateTime
  totalQuantity: Int!
  decline: ReturnDecline
  order: Order!
  returnLineItems(first: Int, after: String): ReturnLineItemTypeConnection!
  refunds(first: Int): RefundConnection!
}
type ReturnEdge { cursor: String! node: Return! }
type ReturnConnection { edges: [ReturnEdge!]! nodes: [Return!]! pageInfo: PageInfo! }

type Refund {
  id: ID!
  legacyResourceId: UnsignedInt64!
  note: String
  createdAt: DateTime
  order: Order!
  return: Return
  totalRefundedSet: MoneyBag!
  transactions(first: Int): OrderTransactionConnection!
}
type RefundEdge { cursor: String! node: Refund! }
type RefundConnection { edges: [RefundEdge!]! nodes: [Refund!]! pageInfo: PageInfo! }

type UserError { field: [String!] message: String! }
type ReturnUserError { code: ReturnErrorCode field: [String!] message: String! }

input OrderTransactionInput {
  amount: Money!
  gateway: String!
  kind: OrderTransactionKind!
  orderId: ID!
  parentId: ID
}
input RefundLineItemInput {
  lineItemId: ID!
  quantity: Int!
  restockType: RefundLineItemRestockType
  locationId: ID
}
input ShippingRefundInput { amount: Money fullRefund: Boolean }
input RefundInput {
  orderId: ID!
  note: String
  notify: Boolean
  currency: CurrencyCode
  allowOverRefunding: Boolean
  refundLineItems: [RefundLineItemInput!]
  shipping: ShippingRefundInput
  transactions: [OrderTransactionInput!]
}
type RefundCreatePayload { order: Order refund: Refund userErrors: [UserError!]! }

input ReturnApproveRequestInput { id: ID! notifyCustomer: Boolean }
input ReturnDeclineRequestInput {
  id: ID!
  declineReason: ReturnDeclineReason!
  declineNote: String
  notifyCustomer: Boolean
}
type ReturnApproveRequestPayload { return: Return userErrors: [ReturnUserError!]! }
type ReturnDeclineRequestPayload { return: Return userErrors: [ReturnUserError!]! }
type ReturnCancelPayload { return: Return userErrors: [ReturnUserError!]! }
type ReturnClosePayload { return: Return userErrors: [ReturnUserError!]! }

enum GiftCardErrorCode {
  CUSTOMER_NOT_FOUND GREATER_THAN INTERNAL_ERROR INVALID MISSING_ARGUMENT
  RECIPIENT_NOT_FOUND TAKEN TOO_LONG TOO_SHORT
}
type GiftCard {
  id: ID!
  maskedCode: String!
  lastCharacters: String!
  note: String
  enabled: Boolean!
  createdAt: DateTime!
  expiresOn: String
  initialValue: MoneyV2!
  balance: MoneyV2!
  customer: Customer
}
type GiftCardEdge { cursor: String! node: GiftCard! }
type GiftCardConnection { edges: [GiftCardEdge!]! nodes: [GiftCard!]! pageInfo: PageInfo! }
input GiftCardCreateInput {
  initialValue: Decimal!
  code: String
  customerId: ID
  expiresOn: String
  note: String
  templateSuffix: String
}
type GiftCardUserError { code: GiftCardErrorCode field: [String!] message: String! }
type GiftCardCreatePayload {
  giftCard: GiftCard
  giftCardCode: String
  userErrors: [GiftCardUserError!]!
}
"""

SCHEMA: GraphQLSchema = build_schema(SDL)
MUTATION_COST = 10


def requested_cost(
    document: DocumentNode, variables: dict[str, Any], operation_name: str | None
) -> int:
    """The most a query may cost, before it runs."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    mutation = operation.operation == OperationType.MUTATION
    root = SCHEMA.mutation_type if mutation else SCHEMA.query_type
    cost = Cost(fragments, variables)
    return (MUTATION_COST if mutation else 0) + cost.of(operation.selection_set, root)


class Cost:
    def __init__(self, fragments: dict[str, FragmentDefinitionNode], variables: dict) -> None:
        self.fragments = fragments
        self.variables = variables

    def of(self, selections: SelectionSetNode | None, parent: GraphQLNamedType | None) -> int:
        if selections is None or parent is None:
            return 0
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                total += self.of_field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                typed = SCHEMA.get_type(condition.name.value) if condition else parent
                total += self.of(selection.selection_set, typed)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    typed = SCHEMA.get_type(fragment.type_condition.name.value)
                    total += self.of(fragment.selection_set, typed)
        return total

    def of_field(self, node: FieldNode, parent: GraphQLNamedType) -> int:
        fields = getattr(parent, "fields", {})
        definition = fields.get(node.name.value)
        if definition is None:
            return 0
        returned = get_named_type(definition.type)
        if is_leaf_type(returned):
            return 0
        page = self.page_size(node)
        if page is None:
            return 1 + self.of(node.selection_set, returned)
        return 2 + page * self.of_item(node, returned)

    def of_item(self, node: FieldNode, returned: GraphQLNamedType) -> int:
        """What one item of a paged field costs: a connection's node, or a list's element."""
        if not returned.name.endswith("Connection") or not isinstance(returned, GraphQLObjectType):
            return 1 + self.of(node.selection_set, returned)
        item = 0
        for selection in node.selection_set.selections if node.selection_set else ():
            if isinstance(selection, FieldNode) and selection.name.value in ("nodes", "edges"):
                item = max(item, self.of_field(selection, returned))
        return item

    def page_size(self, node: FieldNode) -> int | None:
        for argument in node.arguments or ():
            if argument.name.value in ("first", "last"):
                value = value_from_ast_untyped(argument.value, self.variables)
                return int(value) if isinstance(value, int) else None
        return None


def actual_cost(data: Any, mutation: bool) -> int:
    """What a query took: one point per object it returned."""
    return (MUTATION_COST if mutation else 0) + objects_in(data)


def objects_in(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(objects_in(inner) for inner in value.values())
    if isinstance(value, list):
        return sum(objects_in(inner) for inner in value)
    return 0
