"""``ampho.route``: views that belong to the bundle that defines them."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from flask import Blueprint

from ..bundle import Bundle, declarations

F = TypeVar("F", bound=Callable[..., Any])

#: A declared route: its rule, the options for Flask, the view.
Route = tuple[str, dict[str, Any], Callable[..., Any]]

#: Routes declared in each module, in declaration order. Keyed by the
#: module object, so a module imported anew (tests do that) starts with
#: none, and a forgotten module takes its routes with it.
_routes: WeakKeyDictionary[ModuleType, list[Route]] = WeakKeyDictionary()


def route(rule: str, **options: Any) -> Callable[[F], F]:
    """Declare a view, like :meth:`flask.Flask.route`.

    The view belongs to the bundle whose package holds the function's
    module, so its endpoint is ``<bundle>.<function>``:
    ``url_for("app.home")``. The route is recorded, not registered: every
    application the factory builds registers it on its own blueprint,
    which is how ``create_app()`` can run many times in one process
    while the module runs once.

    :param rule: the URL rule, as for Flask.
    :param options: as for Flask's ``route``, ``endpoint`` and
        ``methods`` included.
    """

    def decorator(view: F) -> F:
        module = sys.modules[view.__module__]
        _routes.setdefault(module, []).append((rule, options, view))
        return view

    return decorator


def routes_by_module(bundle: Bundle) -> dict[str, Sequence[Route]]:
    """The routes declared in the modules of a bundle's package, by module.

    Only modules that declared routes are looked at, not all of
    :data:`sys.modules`: a factory building a hundred bundles stays fast.
    """
    return declarations(bundle, _routes)


def routes_of(bundle: Bundle) -> Iterator[Route]:
    """The routes declared in the modules of a bundle's package."""
    for routes in routes_by_module(bundle).values():
        yield from routes


def make_blueprint(bundle: Bundle) -> Blueprint:
    """A new blueprint for one bundle, with every route it declared."""
    blueprint = Blueprint(
        bundle.name,
        bundle.name,
        url_prefix=bundle.url_prefix,
        subdomain=bundle.subdomain,
    )
    for rule, options, view in routes_of(bundle):
        options = dict(options)
        endpoint = options.pop("endpoint", None)
        blueprint.add_url_rule(rule, endpoint, view, **options)
    return blueprint
