"""The to-do list: the application's entry bundle."""

REQUIRES = ["todo_mail"]
CLI_HELP = "Manage the to-do list."
