"""Code every after-sales service shares: event contracts, settings, database,
outbox and inbox, dead letters, telemetry and the service skeleton."""
