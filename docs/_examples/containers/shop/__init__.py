"""The shop: the entry bundle of a read-only container image."""
