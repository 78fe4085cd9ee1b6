"""A blog, for any application that requires it."""

URL_PREFIX = "/blog"
