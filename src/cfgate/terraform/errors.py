"""The error raised where Terraform itself would refuse to evaluate an expression."""

from __future__ import annotations


class EvalError(ValueError):
    """Terraform would fail here (``tonumber("abc")``, ``[1][5]``, ``1 + true``).

    This is deliberately not an :class:`~cfgate.models.values.Unknown`: an unknown value is one
    Terraform cannot know *yet*, whereas an ``EvalError`` is a configuration ``terraform plan``
    rejects. ``try()`` and ``can()`` catch it, exactly as Terraform's do.
    ``expr`` is the source text of the failing expression, when known.
    """

    def __init__(self, message: str, expr: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.expr = expr

    def __str__(self) -> str:
        return f"{self.message} (in `{self.expr}`)" if self.expr else self.message
