"""The blog's back office, under /admin."""

URL_PREFIX = "/admin"
