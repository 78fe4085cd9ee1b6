"""The blog's JSON API, on the api. subdomain."""

SUBDOMAIN = "api"
