"""What goes on a parcel's label and a consolidation's commercial invoice, from the
task, the warehouse and the buyer's address (drawn by `shared.labels`)."""

from datetime import date
from typing import Any

from services.fulfillment.domain.customs import FACTORY, customs_line
from services.fulfillment.domain.parcels import parcel_weight_g
from services.fulfillment.domain.shipments import drop_off_code
from services.fulfillment.domain.warehouses import Warehouse
from shared.events import CaseItem
from shared.labels import CommercialInvoice, PostalAddress, ShippingLabel


def warehouse_address(warehouse: Warehouse) -> PostalAddress:
    return PostalAddress(
        name=warehouse.name,
        line1=warehouse.address.line1,
        line2=None,
        city=warehouse.address.city,
        region=None,
        postal_code=warehouse.address.postal_code,
        country_code=warehouse.address.country_code,
    )


def shipping_label_of(
    shipment: Any, warehouse: Warehouse, recipient: PostalAddress
) -> ShippingLabel:
    """An outbound part or unit: from the warehouse to the buyer."""
    return ShippingLabel(
        sender=warehouse_address(warehouse),
        recipient=recipient,
        carrier=shipment.carrier,
        service=shipment.service,
        weight_g=shipment.weight_g,
        tracking_number=shipment.tracking_number,
        reference=shipment.shipment_id,
        drop_off_code=None,
        ships_on=None,
    )


def return_label_of(parcel: Any, warehouse: Warehouse, buyer: PostalAddress) -> ShippingLabel:
    """A prepaid return: from the buyer, pre-filled with their address, to the warehouse;
    the QR code is what a drop-off point scans."""
    return ShippingLabel(
        sender=buyer,
        recipient=warehouse_address(warehouse),
        carrier=parcel.carrier,
        service=parcel.service,
        weight_g=parcel_weight_of(parcel.items),
        tracking_number=parcel.tracking_number,
        reference=parcel.rma_id,
        drop_off_code=drop_off_code(parcel.rma_id),
        ships_on=None,
    )


def parcel_weight_of(items: list[dict[str, Any]]) -> int:
    return parcel_weight_g([CaseItem.model_validate(item) for item in items])


def commercial_invoice_of(
    number: str,
    day: date,
    warehouse: Warehouse,
    units: list[Any],
) -> CommercialInvoice:
    """Units going back to the factory, declared line by line at their sale value."""
    items = [CaseItem.model_validate(item) for unit in units for item in unit.items]
    return CommercialInvoice(
        number=number,
        date=day,
        shipper=warehouse_address(warehouse),
        consignee=FACTORY,
        currency=units[0].currency,
        reason="Return of goods to the manufacturer for repair or credit",
        incoterm="DAP",
        lines=[customs_line(item) for item in items],
    )
