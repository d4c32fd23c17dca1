"""Intake's HTTP surface, one module per audience.

- `webhooks`: marketplaces push deliveries (signed; stored, then answered), one route per
  registered channel;
- `reports`: a seller uploads Amazon return reports;
- `agents`: support agents open and classify cases, read them, and the failed deliveries;
- `buyers`: buyers' replies to offers and satisfaction ratings; the ship-to lookup.
`refusals` is what they share: the body limit, and a refusal counted and answered;
`tenancy`, what a caller reaches of the sellers' data (their seller accounts' only).
"""
