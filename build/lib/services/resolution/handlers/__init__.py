"""Resolution's ways in: events from other services (`events`) and its HTTP API (`api`)."""
