from ampho import request, route


@route("/orders", methods=["POST"])
def create() -> tuple[dict[str, str], int]:
    return {"cake": request.get_json()["cake"]}, 201
