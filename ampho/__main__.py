"""``python -m ampho`` runs the ``ampho`` command."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="ampho")
