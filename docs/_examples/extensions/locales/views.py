from flask_babel import format_decimal

from ampho import route


@route("/price")
def price() -> str:
    return format_decimal(1234.5)
