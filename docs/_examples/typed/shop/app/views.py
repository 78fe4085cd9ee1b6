from mail import Mail

import ampho


@ampho.route("/contact")
def contact() -> str:
    mail = ampho.settings(Mail)
    return f"Write to {mail.SENDER}."
