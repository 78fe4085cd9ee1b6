"""Templates that belong to bundles.

Flask searches the template folders of all blueprints and takes the
first match, so two bundles that each have ``tpl/index.html`` collide
without a word. Here each bundle's ``tpl/`` is its own namespace: a
template is named ``<bundle>:<name>`` from anywhere, and a plain name is
looked up in the calling bundle first, by :func:`render` and by
``{% extends %}`` and ``{% include %}`` inside a bundle's templates.

A name that no bundle holds is then Flask's to find, with Flask's own
loader: the application's ``templates/`` folder and every registered
blueprint's ``template_folder``. Code written for Flask, and extensions
such as Flask-Admin that ship templates in a blueprint, keep working.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import flask
from flask.templating import Environment as FlaskEnvironment
from jinja2 import BaseLoader, FileSystemLoader, Template, TemplateNotFound

from ..bundle import Bundle

#: Separates a bundle's name from a template's name: ``blog:post.html``.
SEPARATOR = ":"


class BundleLoader(BaseLoader):
    """Loads ``<bundle>:<name>`` from that bundle's ``tpl/``.

    A name without a bundle is looked up in the entry bundle, then in
    the other bundles in load order, like Flask's search of blueprint
    folders, with the application's own bundle first; then, if no
    bundle has it, by ``fallback``.

    :param fallback: the loader for names that no bundle holds: Flask's
        :meth:`~flask.Flask.create_global_jinja_loader`, which searches
        the application's template folder and then the blueprints'.
    """

    def __init__(self, bundles: Sequence[Bundle], fallback: BaseLoader | None = None) -> None:
        self.fallback = fallback
        self.loaders: dict[str, FileSystemLoader] = {}
        for bundle in [*bundles[-1:], *bundles[:-1]]:
            if bundle.template_folder is not None:
                self.loaders[bundle.name] = FileSystemLoader(bundle.template_folder)

    def has_template(self, bundle: str, name: str) -> bool:
        """Whether a bundle's ``tpl/`` holds the template ``name``."""
        loader = self.loaders.get(bundle)
        if loader is None:
            return False
        return any(os.path.isfile(os.path.join(path, name)) for path in loader.searchpath)

    def holder(self, name: str, first: str | None = None) -> str | None:
        """The bundle whose template ``name`` is meant: ``first`` if it has
        one, else the entry bundle, else the others in load order."""
        if first is not None and self.has_template(first, name):
            return first
        for bundle in self.loaders:
            if self.has_template(bundle, name):
                return bundle
        return None

    def qualify(self, name: str, first: str | None = None) -> str:
        """``name`` as ``<bundle>:<name>``, naming the bundle that holds it.

        A qualified name keeps its bundle through ``{% extends %}`` and
        ``{% include %}``, wherever the template was found.
        """
        if SEPARATOR in name:
            return name
        holder = self.holder(name, first)
        return name if holder is None else f"{holder}{SEPARATOR}{name}"

    def get_source(
        self, environment: Any, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        bundle, separator, name = template.partition(SEPARATOR)
        loader = self.loaders.get(bundle) if separator else None
        if loader is not None:
            try:
                return loader.get_source(environment, name)
            except TemplateNotFound:
                raise TemplateNotFound(template) from None
        for loader in self.loaders.values():
            try:
                return loader.get_source(environment, template)
            except TemplateNotFound:
                continue
        if self.fallback is not None:
            return self.fallback.get_source(environment, template)
        raise TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        names = set(self.fallback.list_templates()) if self.fallback is not None else set()
        for bundle, loader in self.loaders.items():
            for name in loader.list_templates():
                names.add(name)
                names.add(f"{bundle}{SEPARATOR}{name}")
        return sorted(names)


class BundleEnvironment(FlaskEnvironment):
    """Flask's Jinja environment, resolving names relative to a bundle.

    Inside ``blog:post.html``, ``{% include "card.html" %}`` means
    ``blog:card.html`` when the blog bundle has it.
    """

    def join_path(self, template: str, parent: str) -> str:
        loader = self.loader
        if not isinstance(loader, BundleLoader):
            return template
        bundle, separator, _ = parent.partition(SEPARATOR)
        return loader.qualify(template, bundle if separator else None)


def calling_bundle(depth: int = 1) -> Bundle | None:
    """The bundle of the module that called the caller, if any.

    :param depth: how many frames above the caller to look.
    """
    module = sys._getframe(depth + 1).f_globals.get("__name__", "")
    state = flask.current_app.extensions.get("ampho")
    if state is None:
        return None
    owners = [bundle for bundle in state.bundles if bundle.owns(module)]
    return max(owners, key=lambda bundle: len(bundle.name)) if owners else None


def qualify(name: str | Template, bundle: Bundle | None) -> str | Template:
    """``name`` as ``<bundle>:<name>``, the calling bundle's first."""
    loader = flask.current_app.jinja_env.loader
    if not isinstance(name, str) or not isinstance(loader, BundleLoader):
        return name
    return loader.qualify(name, bundle.name if bundle is not None else None)


def render(template_name_or_list: str | Template | list[str | Template], **context: Any) -> str:
    """Render a template, like :func:`flask.render_template`.

    A plain name is looked up in the calling bundle's ``tpl/`` first;
    ``<bundle>:<name>`` names another bundle's template. The calling
    bundle is in the context as ``_bundle``. It renders in the current
    context, so inside a request ``g``, ``request`` and ``session`` reach
    the template.
    """
    bundle = calling_bundle()
    if isinstance(template_name_or_list, list):
        names: Any = [qualify(name, bundle) for name in template_name_or_list]
    else:
        names = qualify(template_name_or_list, bundle)
    context.setdefault("_bundle", bundle)
    return flask.render_template(names, **context)
