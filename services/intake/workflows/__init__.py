"""Intake's use cases: accepting deliveries, completing them from the marketplaces,
applying them to cases, and what agents and buyers do to a case. Each loads rows, decides
with the domain, persists and emits; `context.py` is what they share while intake runs."""
