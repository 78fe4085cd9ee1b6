from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Mail:
    TIMEOUT: timedelta = timedelta(seconds=30)


SETTINGS = {"MAIL": Mail}
