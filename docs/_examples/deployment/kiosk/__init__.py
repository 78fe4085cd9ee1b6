"""The kiosk: a one-bundle application to deploy."""
