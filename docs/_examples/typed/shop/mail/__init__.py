"""Sends the shop's mail."""

from dataclasses import dataclass, field

from ampho.config import Secret


@dataclass(frozen=True)
class Mail:
    """How the shop sends its mail."""

    SENDER: str = field(
        metadata={"description": "The From address."},
    )
    SERVER: str = "localhost"
    PORT: int = field(
        default=25,
        metadata={"description": "The SMTP server's port."},
    )
    USE_TLS: bool = False
    PASSWORD: Secret | None = None
    BCC: tuple[str, ...] = field(
        default=(),
        metadata={"description": "Who gets a blind copy."},
    )


SETTINGS = {"MAIL": Mail}
