"""An Ampho application against the same application in plain Flask.

1, 10 and 100 bundles and their Flask-blueprint twins, which must have
the same routes, commands and pages (else status 1). hyperfine times
start-up and ``--help``, wrk the requests under ``gunicorn -w 2 -k sync``.
Writes the ``app-overhead`` section of ``docs/benchmarks.rst``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import page
from page import HYPERFINE, Times, gunicorn, hyperfine, processes, rows, table, verdict, wrk

SIZES = (1, 10, 100)
KINDS = ("ampho", "flask")
SERVED = 10  # the size served for the requests
STARTUP_TARGET, REQUEST_TARGET, HELP_TARGET = 1.2, 0.95, 1.1
SECRET_KEY = "benchmark-secret-key-0123456789abcdef"
VIEWS = {"hello world": "/", "template": "/page"}

TEMPLATE = """\
<!doctype html>
<title>{{ title }}</title>
<h1>Hello, {{ name }}!</h1>
<ul>
{% for item in items %}  <li class="{{ loop.cycle('odd', 'even') }}">{{ item }}</li>
{% endfor %}</ul>
"""
AMPHO_APP_VIEWS = """\
from ampho import render, route

@route("/")
def hello():
    return "Hello, World!"

@route("/page")
def page():
    return render("page.html", title="app", name="World", items=range(20))
"""
AMPHO_VIEWS = """\
from ampho import render, route

@route("/")
def index():
    return render("{name}.html", title="{name}", name="World", items=range(20))
"""
AMPHO_COMMANDS = """\
import click
from ampho.cli import command

@command("hello")
@click.option("--name", default="World")
def hello(name):
    \"\"\"Say hello.\"\"\"
    click.echo(f"Hello, {name}!")
"""
FLASK_PACKAGE = """\
from flask import Blueprint

bp = Blueprint({name!r}, __name__, template_folder="tpl"{prefix})
"""
FLASK_IMPORT = "from flask import render_template as render\n\nfrom . import bp"
FLASK_APP_VIEWS, FLASK_VIEWS = (
    views.replace("from ampho import render, route", FLASK_IMPORT).replace("@route", "@bp.route")
    for views in (AMPHO_APP_VIEWS, AMPHO_VIEWS)
)
FLASK_COMMANDS = """\
import click
from flask.cli import AppGroup

cli = AppGroup({name!r})

@cli.command("hello")
@click.option("--name", default="World")
def hello(name):
    \"\"\"Say hello.\"\"\"
    click.echo(f"Hello, {{name}}!")
"""
FLASK_FACTORY = """\
import importlib, json, os
from flask import Flask

def create_app():
    app = Flask(__name__)
    app.config.from_file(os.path.join(app.instance_path, "default.json"), load=json.load)
    for name in {names!r}:
        package = importlib.import_module(name)
        importlib.import_module(name + ".views")
        app.register_blueprint(package.bp)
        app.cli.add_command(importlib.import_module(name + ".commands").cli)
    return app
"""
BUILD = {
    "ampho": "import os; from ampho import create_app;"
    " app = create_app('app', root_dir=os.getcwd())",
    "flask": "from factory import create_app; app = create_app()",
}
#: What an application holds and serves, printed as JSON for the check.
CHECK = """
rules = sorted((r.rule, r.endpoint, sorted(r.methods)) for r in app.url_map.iter_rules()
               if not r.endpoint.endswith("static"))
with app.app_context():
    commands = {n: sorted(getattr(g, "commands", {})) for n, g in app.cli.commands.items()}
client = app.test_client()
pages = {}
for rule in rules:
    response = client.get(rule[0])
    pages[rule[0]] = [response.status_code, response.get_data(as_text=True)]
import json
print(json.dumps({"rules": rules, "commands": commands, "pages": pages, "key": app.secret_key}))
"""


def write_tree(root: Path, kind: str, size: int, *, quiet: bool = True) -> Path:
    """One application; Ampho's with logging off and a key unless not ``quiet``."""
    names = [f"b{i:03d}" for i in range(1, size)] + ["app"]
    files = {"wsgi.py": BUILD[kind].replace("; ", "\n") + "\n", "instance/.keep": ""}
    for name in names:
        entry, prefix = name == "app", f", url_prefix='/{name}'" * (name != "app")
        files[f"{name}/tpl/{'page' if entry else name}.html"] = TEMPLATE
        if kind == "ampho":
            files[f"{name}/__init__.py"] = f"REQUIRES = {names[:-1]!r}\n" if entry else ""
            files[f"{name}/__init__.py"] += "" if entry else f"URL_PREFIX = '/{name}'\n"
            files[f"{name}/commands.py"] = AMPHO_COMMANDS
            views = AMPHO_APP_VIEWS if entry else AMPHO_VIEWS
        else:
            files[f"{name}/__init__.py"] = FLASK_PACKAGE.format(name=name, prefix=prefix)
            files[f"{name}/commands.py"] = FLASK_COMMANDS.format(name=name)
            views = FLASK_APP_VIEWS if entry else FLASK_VIEWS
        files[f"{name}/views.py"] = views.replace("{name}", name)
    settings = {"SECRET_KEY": SECRET_KEY}
    if kind == "ampho":
        settings.update(LOG_FILES_ENABLED=False, LOG_CONSOLE=False)
    else:
        files["factory.py"] = FLASK_FACTORY.format(names=names)
    if quiet or kind == "flask":
        files["instance/default.json"] = json.dumps(settings, indent=2) + "\n"
    return processes.write_tree(root, files)


def startup_command(kind: str, root: Path) -> list[str]:
    """A fresh process that imports the factory and builds the application in ``root``."""
    if kind == "flask":
        return [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {str(root)!r}); {BUILD[kind]}",
        ]
    return [sys.executable, "-c", BUILD[kind].replace("os.getcwd()", repr(str(root)))]


def environ(base: Path) -> dict[str, str]:
    return processes.server_environment(base / "home")


def check(roots: dict[str, Path], base: Path) -> list[str]:
    """What differs between each Ampho application and its Flask twin, in process."""
    problems = []
    for size in SIZES:
        found = {}
        for kind in ("ampho", "flask"):
            command = [sys.executable, "-c", BUILD[kind] + "\n" + CHECK]
            cwd = roots[f"{kind}-{size}"]
            done = subprocess.run(
                command, cwd=cwd, env=environ(base), capture_output=True, text=True
            )
            if done.returncode:
                raise SystemExit(f"ERROR: the {kind} check failed:\n{done.stderr}")
            found[kind] = json.loads(done.stdout)
        ampho, flask = found["ampho"], found["flask"]
        problems += [f"{size} bundles: the {k} differ" for k in ampho if ampho[k] != flask[k]]
        if [s for s, _ in ampho["pages"].values()] != [200] * (size + 1):
            problems.append(f"{size} bundles: not {size + 1} routes answering 200")
    return problems


def requests(roots: dict[str, Path], rounds: int, seconds: float) -> Times:
    """Median requests/s of alternating wrk rounds, both servers up throughout."""
    ampho, flask = roots[f"ampho-{SERVED}"], roots[f"flask-{SERVED}"]
    rates: dict[str, dict[str, list[float]]] = {v: {"ampho": [], "flask": []} for v in VIEWS}
    with gunicorn(ampho, "wsgi:app") as ampho_port, gunicorn(flask, "wsgi:app") as flask_port:
        ports = {"ampho": ampho_port, "flask": flask_port}
        for path in VIEWS.values():  # the same pages from the real servers
            bodies = {kind: processes.request(port, path) for kind, port in ports.items()}
            if len({(r.status, r.body) for r in bodies.values()}) != 1:
                raise SystemExit(f"ERROR: the servers answer {path} differently")
        for n in range(rounds):
            for view, path in VIEWS.items():
                for kind in ("ampho", "flask") if n % 2 == 0 else ("flask", "ampho"):
                    rates[view][kind].append(wrk(ports[kind], path, seconds))
    return {
        view: {kind: statistics.median(r) for kind, r in by.items()} for view, by in rates.items()
    }


def section(results: dict[str, Any], runs: int, rounds: int, seconds: float) -> str:
    startup, served, helps = results["startup"], results["served"], results["help"]
    first = startup[SIZES[0]]
    starts = [
        [f"{n} bundle{'s' * (n > 1)}", t["ampho"]["ms"], t["flask"]["ms"], t["ampho"]["ratio"]]
        for n, t in startup.items()
    ]
    defaults = ["1 bundle, *Ampho's defaults*", first["defaults"]["ms"], first["flask"]["ms"]]
    served_rows = [
        [view, r["ampho"], r["flask"], r["ampho"] / r["flask"]] for view, r in served.items()
    ]
    targets = [f"* Target, start-up, {r[0]}: {verdict(r[3], STARTUP_TARGET)}" for r in starts]
    targets += [
        f"* Target, requests, {r[0]} view: {verdict(r[3], REQUEST_TARGET, at_most=False)}"
        for r in served_rows
    ]
    starts.append([*defaults, first["defaults"]["ratio"]])
    startup_rows = [[r[0], f"{r[1]:.1f}", f"{r[2]:.1f}", f"{r[3]:.2f}"] for r in starts]
    request_rows = [[r[0], f"{r[1]:,.0f}", f"{r[2]:,.0f}", f"{r[3]:.2f}"] for r in served_rows]
    help_rows = rows(helps, {k: f"``{k} --help``" for k in ("flask", "ampho")})
    targets.append(f"* Target, ``--help``: {verdict(helps['ampho']['ratio'], HELP_TARGET)}")
    return f"""
.. _benchmarks-app-overhead:

Ampho against plain Flask
-------------------------

What Ampho adds to an application's start-up, its requests and its
command line, next to the same application in plain Flask: one
``Blueprint`` a bundle with the same URL prefix, ``template_folder``,
views and ``AppGroup`` command, and a factory that registers them after
``app.config.from_file()`` of the same ``SECRET_KEY``. Both must have the
same routes, commands and key and answer every route with the same page
(checked in process and from the servers before timing). Ampho's
applications set ``LOG_FILES_ENABLED`` and ``LOG_CONSOLE`` to false; the
row marked *Ampho's defaults* has no settings file (logging on, the key
generated), for information.

{page.machine("flask", "werkzeug", "jinja2", "click", "gunicorn")}

*Start-up*: a fresh ``python -c`` process importing the factory and
building the application, Ampho and Flask paired in hyperfine, {runs}
runs each a size ({HYPERFINE}); median ms. Target: at most
{STARTUP_TARGET}x Flask's.

{table(["Application", "Ampho ms", "Flask ms", "ratio"], startup_rows)}
*Requests* a second, {SERVED} bundles, each application under
``gunicorn -w 2 -k sync`` on 127.0.0.1, both running throughout:
``wrk -t 1 -c 4 -d {seconds:g}s``, {rounds} rounds alternating which goes
first, the median; wrk shares the 2 CPUs with the workers. Target: at
least {REQUEST_TARGET}x Flask's.

{table(["View", "Ampho", "Flask", "ratio"], request_rows)}
*--help*: ``python -m ampho --help`` against ``python -m flask --help`` in
an empty directory, {runs * 2} runs each, hyperfine as above. Target: at most {HELP_TARGET}x.

{table(["Command", "ms", "ratio"], help_rows)}
{chr(10).join(targets)}
"""


def main() -> int:
    args = page.arguments(__doc__)
    runs, rounds, seconds = (3, 1, 1.0) if args.quick else (15, 5, 4.0)
    with tempfile.TemporaryDirectory(prefix="ampho-bench-app-") as tmp:
        base = Path(tmp)
        roots = {f"{k}-{n}": write_tree(base / f"{k}-{n}", k, n) for k in KINDS for n in SIZES}
        roots["defaults"] = write_tree(base / "defaults", "ampho", SIZES[0], quiet=False)
        problems = check(roots, base)
        for problem in problems:
            print(f"ERROR: {problem}", file=sys.stderr)
        if problems:
            return 1
        results: dict[str, Any] = {"startup": {}}
        for size in SIZES:
            commands = {k: startup_command(k, roots[f"{k}-{size}"]) for k in ("flask", "ampho")}
            if size == SIZES[0]:
                commands["defaults"] = startup_command("ampho", roots["defaults"])
            results["startup"][size] = hyperfine(commands, runs=runs, cwd=base, env=environ(base))
        helps = {kind: [sys.executable, "-m", kind, "--help"] for kind in ("flask", "ampho")}
        (base / "empty").mkdir()
        results["help"] = hyperfine(helps, runs=runs * 2, cwd=base / "empty", env=environ(base))
        results["served"] = requests(roots, rounds, seconds)
    page.publish(args, "app-overhead", "app_overhead.py", section(results, runs, rounds, seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
