"""Input variables: type constraints and ``-var`` values, the way Terraform applies them.

A value that reaches a variable (a default, a ``.tfvars`` entry, ``-var NAME=VALUE``) is
converted to the variable's ``type``: ``"10"`` given for ``type = number`` becomes ``10``,
an object missing an ``optional(number, 5)`` attribute gets ``5``. Without this a policy
would see a string where Terraform sees a number.

``-var`` text is read as Terraform reads it: literally (a string) when the variable has no
type or a primitive one, as an HCL expression otherwise (``-var 'zones=["a","b"]'``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import EvalError
from .tftypes import (
    DYNAMIC,
    PRIMITIVES,
    ConversionError,
    TFList,
    TFMap,
    Unk,
    convert,
    from_python,
    make_set,
    to_python,
    type_of,
    unify,
)


@dataclass(frozen=True)
class Attr:
    """One attribute of an ``object({...})`` constraint."""

    name: str
    constraint: Constraint
    optional: bool = False
    default: Any = None  # an internal value; None when absent


@dataclass(frozen=True)
class Constraint:
    """A parsed variable type: ``kind`` is string/number/bool/any/list/set/map/tuple/object."""

    kind: str
    elem: Constraint | None = None
    elems: tuple[Constraint, ...] = ()
    attrs: tuple[Attr, ...] = ()

    @property
    def is_primitive(self) -> bool:
        return self.kind in PRIMITIVES


def parse_type_constraint(text: str) -> Constraint:
    """Parse a ``type = ...`` expression given as text (``"list(object({a = string}))"``)."""
    from .evaluator import parse_expression

    expr = parse_expression(text)
    return type_constraint(expr.node, expr.source)


def type_constraint(node: Any, source: str = "") -> Constraint:
    """Read a type constraint from a python-hcl2 expression node (a variable's ``type``)."""
    from .evaluator import evaluate, node_text

    name = type(node).__name__
    if name == "ExprTermRule":
        return type_constraint(node.expression, source)
    if name == "IdentifierRule":
        kind = str(node.token.value)
        if kind in (*PRIMITIVES, "any"):
            return Constraint(kind)
        raise EvalError(f'Invalid type specification: the keyword "{kind}" is not a valid type', kind)
    if name == "FunctionCallRule":
        kind = str(node.identifiers[0].token.value)
        args = list(node.arguments.arguments) if node.arguments is not None else []
        if kind in ("list", "set", "map") and len(args) == 1:
            return Constraint(kind, elem=type_constraint(args[0], source))
        if kind == "tuple" and len(args) == 1 and _inner(args[0]) == "TupleRule":
            return Constraint(kind, elems=tuple(type_constraint(e, source) for e in _unwrap(args[0]).elements))
        if kind == "object" and len(args) == 1 and _inner(args[0]) == "ObjectRule":
            attrs = []
            for element in _unwrap(args[0]).elements:
                attr_name = node_text(element.key, source).strip('"')
                attrs.append(_object_attr(attr_name, element.expression, source, evaluate))
            return Constraint(kind, attrs=tuple(sorted(attrs, key=lambda a: a.name)))
    raise EvalError("Invalid type specification", node_text(node, source))


def _unwrap(node: Any) -> Any:
    while type(node).__name__ == "ExprTermRule":
        node = node.expression
    return node


def _inner(node: Any) -> str:
    return type(_unwrap(node)).__name__


def _object_attr(name: str, node: Any, source: str, evaluate: Any) -> Attr:
    inner = _unwrap(node)
    if type(inner).__name__ == "FunctionCallRule" and str(inner.identifiers[0].token.value) == "optional":
        args = list(inner.arguments.arguments) if inner.arguments is not None else []
        if not 1 <= len(args) <= 2:
            raise EvalError("optional() takes a type and an optional default value", name)
        constraint = type_constraint(args[0], source)
        default = from_python(evaluate(args[1], None, source)) if len(args) == 2 else None
        if default is not None:
            default = _apply(default, constraint)
        return Attr(name, constraint, optional=True, default=default)
    return Attr(name, type_constraint(node, source))


def apply_type_constraint(value: Any, constraint: Constraint) -> Any:
    """Convert a plain value (or :class:`~cfgate.models.values.Unknown`) to a variable's type.

    Returns plain Python; raises :class:`EvalError` when Terraform would reject the value.
    """
    return to_python(typed_value(value, constraint))


def typed_value(value: Any, constraint: Constraint) -> Any:
    """Like :func:`apply_type_constraint`, but keeps the evaluator's internal typed value."""
    try:
        return _apply(from_python(value), constraint)
    except ConversionError as exc:
        raise EvalError(f"Invalid value for input variable: {exc}") from None


def _apply(value: Any, constraint: Constraint) -> Any:
    if value is None or isinstance(value, Unk) or constraint.kind == "any":
        return value
    if constraint.is_primitive:
        if isinstance(value, (list, dict)):
            raise ConversionError(f"{constraint.kind} required")
        return convert(value, constraint.kind)
    if constraint.kind in ("list", "set"):
        assert constraint.elem is not None
        if not isinstance(value, list):
            raise ConversionError(f"{constraint.kind} of {constraint.elem.kind} required")
        items = [_apply(item, constraint.elem) for item in value]
        elem = _elem_type(items)
        items = [convert(item, elem) for item in items]
        return TFList(items, elem) if constraint.kind == "list" else make_set(items, elem)
    if constraint.kind == "map":
        assert constraint.elem is not None
        if not isinstance(value, dict):
            raise ConversionError(f"map of {constraint.elem.kind} required")
        items = {key: _apply(item, constraint.elem) for key, item in value.items()}
        elem = _elem_type(list(items.values()))
        return TFMap({key: convert(item, elem) for key, item in items.items()}, elem)
    if constraint.kind == "tuple":
        if not isinstance(value, list) or len(value) != len(constraint.elems):
            raise ConversionError(f"tuple of {len(constraint.elems)} elements required")
        return [_apply(item, elem) for item, elem in zip(value, constraint.elems)]
    if not isinstance(value, dict):
        raise ConversionError("object required")
    result = {}
    for attr in constraint.attrs:
        if attr.name in value:
            result[attr.name] = _apply(value[attr.name], attr.constraint)
        elif attr.optional:
            result[attr.name] = attr.default
        else:
            raise ConversionError(f'attribute "{attr.name}" is required')
    return result


def _elem_type(items: list[Any]) -> Any:
    elem = unify([type_of(item) for item in items]) if items else DYNAMIC
    if elem is None:
        raise ConversionError("all elements must have the same type")
    return elem


def cli_var_value(raw: str, constraint: Constraint | None = None) -> Any:
    """The value of ``-var NAME=raw`` for a variable with this type (``None``: no ``type``).

    Terraform takes the text literally for untyped and primitive-typed variables and parses it
    as an HCL expression for collection and structural types.
    """
    if constraint is None or constraint.is_primitive:
        return raw if constraint is None else apply_type_constraint(raw, constraint)
    from .evaluator import evaluate_text

    return apply_type_constraint(evaluate_text(raw), constraint)
