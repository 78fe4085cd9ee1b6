from dataclasses import dataclass


@dataclass
class Mail:
    PORT: int = 25


SETTINGS = {"MAIL": Mail}
