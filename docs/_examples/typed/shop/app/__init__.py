"""The shop: the entry bundle."""

REQUIRES = ["mail"]
