"""Clients of the outside APIs resolution calls: the refund API and the carriers' tracking."""
