"""Resolution's ways in: events from other services (`events`), its HTTP API by what it
serves (`decisions`, `policies`, `guides`, `what_if`, `buyer_view`), the walls between
sellers they keep (`tenancy`), and the what-if command line."""
