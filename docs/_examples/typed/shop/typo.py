import smtplib

from mail import Mail

import ampho


def connect() -> smtplib.SMTP:
    mail = ampho.settings(Mail)
    return smtplib.SMTP(mail.SERVER, mail.PROT)
