"""Ann's journal: the application's entry bundle."""

REQUIRES = ["blog"]
