"""Sends the shop's mail."""

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
)

from ampho.config import Secret


class Mail(BaseModel):
    """How the shop sends its mail."""

    model_config = ConfigDict(frozen=True)

    SENDER: str = Field(description="The From address.")
    SERVER: str = "localhost"
    PORT: int = Field(25, ge=1, le=65535)
    USE_TLS: bool = False
    PASSWORD: Secret | None = None
    BCC: tuple[str, ...] = ()

    @field_validator("SENDER")
    @classmethod
    def _an_address(cls, value: str) -> str:
        if "@" not in value:
            raise ValueError("needs an @")
        return value


SETTINGS = {"MAIL": Mail}
