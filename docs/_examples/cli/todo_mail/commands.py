import click

from ampho import cli, current_app, echo_info, echo_warning

CLI_GROUP = "mail"
CLI_HELP = "Send the to-do list by mail."


@cli.command("send")
@click.option("--to", required=True, help="Who gets the list.")
def send(to: str) -> None:
    """Mail the list to someone."""
    server = current_app.config.get("MAIL_SERVER")
    if not server:
        raise click.ClickException("MAIL_SERVER is not set")
    if not to.endswith("@example.com"):
        echo_warning(f"{to} is outside the company")
    echo_info(f"Sending {current_app.config['TODO_LIST']} to {to} through {server}")
