"""Sends the shop's mail."""
