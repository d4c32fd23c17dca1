"""Resolution's background loops: refunds paid, parcels traced, time swept."""
