"""Launching the after-sales stack: embedded components, services, sample data."""
