"""A string that never shows itself: :class:`Secret`.

A field of a settings class (:mod:`~ampho.config.classes`) typed
:class:`Secret` is declared ``writeOnly``, so every printer masks it, and
the value bound to it hides behind ``repr()`` and ``str()``: a settings
object logged, printed in a traceback or shown by a debugger says
``Secret('**********')``. Code that needs the text asks for it by name,
:meth:`Secret.get_secret_value`, as pydantic's ``SecretStr`` is asked.
"""

from __future__ import annotations

from typing import Any

#: How a secret shows itself.
MASK = "**********"


class Secret:
    """A secret string, reached only through :meth:`get_secret_value`.

    Two secrets are equal when their values are, so a frozen settings
    object holding one still compares and hashes by value.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"a Secret holds a string, not {type(value).__name__}")
        self._value = value

    def get_secret_value(self) -> str:
        """The secret itself."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return format(MASK, spec)

    def __bool__(self) -> bool:
        # An empty secret is as false as an empty string, as an unset
        # password is expected to be: ``if mail.PASSWORD:``.
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return self._value == other._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as the class and its value, which a copy needs; a pickle
        # is not output for people.
        return (Secret, (self._value,))

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """A field of a pydantic model may be a :class:`Secret` too: a
        string, made a :class:`Secret` when validated, and ``writeOnly`` in
        the model's JSON Schema. Only pydantic calls this, so only an
        application that uses pydantic imports it."""
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(
            _from_text,
            core_schema.union_schema(
                [core_schema.is_instance_schema(cls), core_schema.str_schema()]
            ),
            # Written out as pydantic writes a SecretStr, masked: in
            # model_dump(mode="json") and the defaults of the JSON Schema.
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda value: MASK, when_used="json"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict[str, Any]:
        return {"type": "string", "writeOnly": True}


def _from_text(value: str | Secret) -> Secret:
    return value if isinstance(value, Secret) else Secret(value)
