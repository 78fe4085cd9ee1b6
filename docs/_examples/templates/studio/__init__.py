"""The studio: the application's entry bundle."""

REQUIRES = ["gallery"]
