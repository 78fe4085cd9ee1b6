import itertools

from ampho import render, route

from . import cache

BATCHES = itertools.count(1)


@route("/")
@cache.cached()
def index() -> str:
    return render("index.html", batch=next(BATCHES))
