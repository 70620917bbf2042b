"""What a Terraform expression can refer to: variables, locals, ``count``/``each``, ``path``.

Also the parsing helpers that turn text into an :class:`Expr` (a python-hcl2 node plus the
text its positions index into).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cfgate.models.values import Unknown

from .errors import EvalError
from .tftypes import from_python
from .variables import Constraint, typed_value


@dataclass(frozen=True)
class Expr:
    """An expression node and the full text of the document its positions index into."""

    node: Any
    source: str

    @property
    def text(self) -> str:
        return node_text(self.node, self.source)


def node_text(node: Any, source: str) -> str:
    """Source text of ``node`` (sliced by its lark positions), without surrounding whitespace."""
    meta = getattr(node, "_meta", None)
    start, end = getattr(meta, "start_pos", None), getattr(meta, "end_pos", None)
    if start is None or end is None:
        return "<expression>"
    return source[start:end].strip()


def parse_expression(text: str) -> Expr:
    """Parse one expression (``var.a + 1``) with python-hcl2; raises :class:`EvalError` if invalid."""
    import hcl2  # imported lazily: keep `import cfgate` fast
    from lark.exceptions import LarkError

    source = f"__x = {text}\n"
    try:
        tree = hcl2.parses(source)
    except LarkError as exc:
        raise EvalError(f"invalid expression syntax: {str(exc).splitlines()[0]}", text) from None
    attributes = [child for child in tree.body.children if type(child).__name__ == "AttributeRule"]
    if len(attributes) != 1:
        raise EvalError("expected exactly one expression", text)
    return Expr(attributes[0].expression, source)


def locals_from_text(texts: Mapping[str, str]) -> dict[str, Expr]:
    """Build a ``locals`` mapping from expression texts (handy in tests and for ad-hoc use)."""
    return {name: parse_expression(text) for name, text in texts.items()}


class Scope:
    """Everything an expression can refer to.

    ``variables`` maps a variable name to its value (plain Python or :class:`Unknown`);
    ``variable_types`` optionally gives a variable's ``type`` (see
    :func:`~cfgate.terraform.variables.type_constraint`): its value is then converted as
    Terraform converts it (``"10"`` for ``number`` is ``10``), keeping list/set/map types.
    ``locals`` maps a local name to an :class:`Expr` (or a ``(node, source)`` pair); locals are
    evaluated lazily, once, and a local that depends on itself becomes an :class:`Unknown`
    naming the cycle (see :attr:`cycles`). ``count_index`` and ``each`` (a ``(key, value)``
    pair) are set for resource instances; :meth:`with_count` and :meth:`with_each` derive such
    scopes while sharing the memoised locals.
    """

    def __init__(
        self,
        variables: Mapping[str, Any] | None = None,
        locals: Mapping[str, Expr | tuple[Any, str]] | None = None,
        *,
        variable_types: Mapping[str, Constraint] | None = None,
        count_index: int | Unknown | None = None,
        each: tuple[Any, Any] | None = None,
        path_module: str = ".",
        path_root: str = ".",
        path_cwd: str | None = None,
        workspace: str = "default",
    ) -> None:
        types = variable_types or {}
        self.variables = {
            name: typed_value(value, types[name]) if name in types else from_python(value)
            for name, value in (variables or {}).items()
        }
        self.locals = {name: _as_expr(value) for name, value in (locals or {}).items()}
        # module.NAME values (outputs of local module calls), filled in by the module resolver as calls are evaluated
        self.modules: dict[str, Any] = {}
        self.count_index = None if count_index is None else from_python(count_index)
        self.each = None if each is None else (from_python(each[0]), from_python(each[1]))
        self.path_module = path_module
        self.path_root = path_root
        self.path_cwd = os.getcwd() if path_cwd is None else path_cwd
        self.workspace = workspace
        self._memo: dict[str, Any] = {}
        self._errors: dict[str, EvalError] = {}
        self._stack: list[str] = []
        self._cycles: list[tuple[str, ...]] = []

    def _derive(self, **changes: Any) -> Scope:
        clone = object.__new__(Scope)
        clone.__dict__.update(self.__dict__)
        clone.__dict__.update(changes)
        return clone

    def with_count(self, index: int | Unknown) -> Scope:
        """This scope inside a resource with ``count``: ``count.index`` is ``index``."""
        return self._derive(count_index=from_python(index))

    def with_each(self, key: Any, value: Any) -> Scope:
        """This scope inside a resource with ``for_each``: ``each.key``/``each.value``."""
        return self._derive(each=(from_python(key), from_python(value)))

    @property
    def cycles(self) -> list[tuple[str, ...]]:
        """Local-value cycles found so far, e.g. ``("a", "b", "a")`` for ``local.a -> local.b -> local.a``."""
        return list(self._cycles)

    def find_local_cycles(self) -> list[tuple[str, ...]]:
        """Evaluate every local (ignoring errors) and return all cycles among them."""
        from .evaluator import Evaluator

        for name in self.locals:
            try:
                Evaluator(self)._local(name)
            except EvalError:
                pass
        return self.cycles


def _as_expr(value: Expr | tuple[Any, str]) -> Expr:
    if isinstance(value, Expr):
        return value
    node, source = value
    return Expr(node, source)
