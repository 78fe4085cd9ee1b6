"""The blog: the application's entry bundle."""

REQUIRES = ["blog_admin", "blog_api"]
