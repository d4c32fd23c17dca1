"""Intake's edges to what lies outside its code and database: the vault holding the keys
that seal personal data. The marketplaces' API clients live with their channel
(`channels/<name>/`)."""
