"""Intake's background loops: the delivery workers, one per lane."""
