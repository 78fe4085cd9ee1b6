from ampho import render, request, route


@route("/order", methods=["GET", "POST"])
def order() -> str:
    if request.method == "POST":
        return f"Ordered: {request.form['cake']}"
    return render("order.html")
