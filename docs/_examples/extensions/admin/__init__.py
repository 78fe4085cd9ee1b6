"""The staff's own pages: a bundle named like Flask-Admin's blueprint."""

URL_PREFIX = "/staff"
