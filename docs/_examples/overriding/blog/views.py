from ampho import render, route

POSTS = {"hello": ("Hello", "The first post.")}


@route("/<slug>")
def post(slug: str) -> str:
    title, text = POSTS[slug]
    return render("post.html", title=title, text=text)
