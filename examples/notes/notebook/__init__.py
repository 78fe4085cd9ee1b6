"""A reusable notebook: notes kept in a JSON file in the instance directory.

Its pages extend ``layout.html``, which the application provides.
Settings, in ``NOTEBOOK``: ``PER_PAGE``, the notes on a page, and
``STORAGE``, the file name of the notes in the instance directory.
"""

CLI_GROUP = "notebook"
CLI_HELP = "Read and write the notes."
