"""Templates that belong to bundles.

Flask searches the template folders of all blueprints and takes the
first match, so two bundles that each have ``tpl/index.html`` collide
without a word. Here each bundle's ``tpl/`` is its own namespace: a
template is named ``<bundle>:<name>`` from anywhere, and a plain name is
looked up in the calling bundle first, by :func:`render` and by
``{% extends %}`` and ``{% include %}`` inside a bundle's templates.

The application overrides a bundle's template with a file of the same
name in ``<entry>/tpl/<bundle>/`` or, as in Flask, in
``<entry>/templates/<bundle>/``: every name that reaches the bundle's
template reaches the override, and ``<bundle>:!<name>`` still reaches
the bundle's own, so that an override can extend it.

A name that no bundle holds is then Flask's to find, with Flask's own
loader: the application's ``templates/`` folder and every registered
blueprint's ``template_folder``. Code written for Flask, and extensions
such as Flask-Admin that ship templates in a blueprint, keep working.
"""

from __future__ import annotations

import os
import posixpath
import sys
from collections.abc import Callable, Sequence
from typing import Any

import flask
from flask.templating import Environment as FlaskEnvironment
from jinja2 import BaseLoader, FileSystemLoader, Template, TemplateNotFound
from jinja2.loaders import split_template_path

from ..bundle import Bundle, override_folders

#: Separates a bundle's name from a template's name: ``blog:post.html``.
SEPARATOR = ":"

#: Starts the name of a bundle's own template, past the application's
#: overrides: ``blog:!post.html``, which an override extends.
OWN = "!"

#: How many answers :meth:`BundleLoader.qualify` remembers at most: ten
#: times Jinja's default cache of templates, more names than an
#: application has templates.
MAX_REMEMBERED = 4000

#: What :meth:`~jinja2.BaseLoader.get_source` returns.
Source = tuple[str, str | None, Callable[[], bool] | None]


class BundleLoader(BaseLoader):
    """Loads ``<bundle>:<name>`` from that bundle's templates: the
    application's override of ``name`` if there is one, else the bundle's
    own ``tpl/<name>``; ``<bundle>:!<name>`` from its ``tpl/`` alone.

    A name without a bundle is looked up in the entry bundle, then in
    the other bundles in load order, like Flask's search of blueprint
    folders, with the application's own bundle first; then, if no
    bundle has it, by ``fallback``.

    :param bundles: the bundles in load order, the entry bundle last.
    :param fallback: the loader for names that no bundle holds: Flask's
        :meth:`~flask.Flask.create_global_jinja_loader`, which searches
        the application's template folder and then the blueprints'.
    """

    def __init__(self, bundles: Sequence[Bundle], fallback: BaseLoader | None = None) -> None:
        self.fallback = fallback
        #: Each bundle's templates, overrides first, its own ``tpl/``
        #: last; the entry bundle first, then the others in load order.
        self.loaders: dict[str, FileSystemLoader] = {}
        #: Each bundle's own ``tpl/``, for ``<bundle>:!<name>``.
        self.own: dict[str, FileSystemLoader] = {}
        entry = bundles[-1]
        for bundle in [entry, *bundles[:-1]]:
            folders = override_folders(entry, bundle, "tpl")
            if bundle.template_folder is not None:
                self.own[bundle.name] = FileSystemLoader(bundle.template_folder)
                folders.append(bundle.template_folder)
            self.loaders[bundle.name] = FileSystemLoader(folders)
        #: :meth:`qualify`'s answers while templates are not auto-reloaded,
        #: by name and first bundle: as fixed for the application's life
        #: as the templates Jinja has cached, and as many as the names used.
        self.qualified: dict[tuple[str, str | None], str] = {}

    def has_template(self, bundle: str, name: str) -> bool:
        """Whether a bundle has the template ``name``, its own or an override.

        Its own folder is looked at first, where most names are found.
        """
        loader = self.loaders.get(bundle)
        if loader is None:
            return False
        try:
            pieces = split_template_path(name)
        except TemplateNotFound:  # "..": never a template
            return False
        return any(
            os.path.isfile(posixpath.join(folder, *pieces))
            for folder in reversed(loader.searchpath)
        )

    def holder(self, name: str, first: str | None = None) -> str | None:
        """The bundle whose template ``name`` is meant: ``first`` if it has
        one, else the entry bundle, else the others in load order."""
        if first is not None and self.has_template(first, name):
            return first
        for bundle in self.loaders:
            if self.has_template(bundle, name):
                return bundle
        return None

    def qualify(self, name: str, first: str | None = None, *, reload: bool = True) -> str:
        """``name`` as ``<bundle>:<name>``, naming the bundle that holds it.

        A qualified name keeps its bundle through ``{% extends %}`` and
        ``{% include %}``, wherever the template was found.

        :param reload: whether templates are auto-reloaded. If they are,
            the folders are looked at every time, so that a template or
            an override added while the application runs is found. If
            not, the answer is remembered: Jinja loads a template once
            then, and the files are not looked at again either.
        """
        if SEPARATOR in name:
            return name
        if reload:
            return self._qualify(name, first)
        try:
            return self.qualified[name, first]
        except KeyError:
            qualified = self._qualify(name, first)
        # Bounded: names made from a request's input must not grow it forever.
        if len(self.qualified) < MAX_REMEMBERED:
            self.qualified[name, first] = qualified
        return qualified

    def _qualify(self, name: str, first: str | None) -> str:
        holder = self.holder(name, first)
        return name if holder is None else f"{holder}{SEPARATOR}{name}"

    def get_source(self, environment: Any, template: str) -> Source:
        bundle, separator, name = template.partition(SEPARATOR)
        if separator and bundle in self.loaders:
            own = name.startswith(OWN)
            loader = self.own.get(bundle) if own else self.loaders[bundle]
            try:
                if loader is None:
                    raise TemplateNotFound(template)
                if own:
                    return loader.get_source(environment, name[len(OWN) :])
                return shadowed_source(loader, environment, name)
            except TemplateNotFound:
                raise TemplateNotFound(template) from None
        for loader in self.loaders.values():
            try:
                return shadowed_source(loader, environment, template)
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


def shadowed_source(loader: FileSystemLoader, environment: Any, name: str) -> Source:
    """The source of ``name`` from the first of the loader's folders that
    holds it, out of date (for Jinja's auto-reload) when the file changes
    and also when a file of that name appears in an earlier folder: an
    override made while the application runs replaces the template then.

    The earlier folders are looked at only when Jinja asks whether a
    cached template is up to date, which it does with
    ``TEMPLATES_AUTO_RELOAD`` alone.
    """
    source, filename, uptodate = loader.get_source(environment, name)
    pieces = split_template_path(name)
    earlier: list[str] = []
    for folder in loader.searchpath:
        path = os.path.normpath(posixpath.join(folder, *pieces))
        if path == filename:
            break
        earlier.append(path)
    if not earlier:
        return source, filename, uptodate

    def unshadowed_and_uptodate() -> bool:
        return uptodate() and not any(os.path.isfile(path) for path in earlier)

    return source, filename, unshadowed_and_uptodate


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
        return loader.qualify(template, bundle if separator else None, reload=self.auto_reload)


def calling_bundle(app: flask.Flask, depth: int = 1) -> Bundle | None:
    """The bundle, of ``app``'s, of the module that called the caller, if any.

    :param depth: how many frames above the caller to look.
    """
    module = sys._getframe(depth + 1).f_globals.get("__name__", "")
    state = app.extensions.get("ampho")
    return None if state is None else state.owner(module)


def qualify(app: flask.Flask, name: str | Template, bundle: Bundle | None) -> str | Template:
    """``name`` as ``<bundle>:<name>``, the calling bundle's first."""
    environment = app.jinja_env
    loader = environment.loader
    if not isinstance(name, str) or not isinstance(loader, BundleLoader):
        return name
    first = bundle.name if bundle is not None else None
    return loader.qualify(name, first, reload=environment.auto_reload)


def render(template_name_or_list: str | Template | list[str | Template], **context: Any) -> str:
    """Render a template, like :func:`flask.render_template`.

    A plain name is looked up in the calling bundle's ``tpl/`` first;
    ``<bundle>:<name>`` names another bundle's template. The calling
    bundle is in the context as ``_bundle``. It renders in the current
    context, so inside a request ``g``, ``request`` and ``session`` reach
    the template.
    """
    # The application once: each look through current_app costs about
    # as much as the rest of what is done here.
    app = flask.current_app._get_current_object()  # type: ignore[attr-defined]
    bundle = calling_bundle(app)
    if isinstance(template_name_or_list, list):
        names: Any = [qualify(app, name, bundle) for name in template_name_or_list]
    else:
        names = qualify(app, template_name_or_list, bundle)
    context.setdefault("_bundle", bundle)
    return flask.render_template(names, **context)
