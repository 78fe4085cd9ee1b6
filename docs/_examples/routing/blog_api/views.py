from typing import Any

from ampho import route


@route("/posts")
def posts() -> dict[str, Any]:
    return {"posts": ["hello"]}
