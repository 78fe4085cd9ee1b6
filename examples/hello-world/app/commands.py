from ampho import cli, echo_info

CLI_HELP = "Commands of the hello-world application."


@cli.command("hello")
def hello() -> None:
    """Say hello."""
    echo_info("Hello, world")
