"""Evaluate Terraform expressions from python-hcl2 v8's typed parse tree.

The result is what ``terraform console`` would print, as plain Python (``int``, ``float``,
``str``, ``bool``, ``None``, ``list``, ``dict``), or an :class:`~cfgate.models.values.Unknown`
where Terraform itself could not know the value before apply (a resource attribute, a
variable with no value). Unknowns are never guessed: they propagate through operators and
function calls, except where Terraform also knows the answer (``length([unknown])`` is 1,
a conditional with a known condition picks one branch, ``coalesce("a", unknown)`` is "a").

Where Terraform would *fail* (``tonumber("abc")``, ``[1][3]``, ``1 + true``) evaluation raises
:class:`~cfgate.terraform.errors.EvalError`; :func:`evaluate_or_unknown` turns that into an
``Unknown`` whose reason starts with ``"invalid: "`` for callers that prefer a value.

Usage::

    scope = Scope(variables={"connector_max": 10}, locals=locals_from_text({"cap": "var.connector_max * 2"}))
    evaluate_text("min(local.cap, 15)", scope)   # -> 15
"""

from __future__ import annotations

import functools

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from cfgate.models.values import Unknown

from . import templates
from .errors import EvalError
from .fn_string import safe_known_prefix
from .functions import FUNCTIONS, TERRAFORM_FUNCTION_NAMES, call_function
from .scope import Expr, Scope, locals_from_text, node_text, parse_expression
from .tfnumber import NumberError, TFNumber
from .tftypes import (
    BOOL,
    DYNAMIC,
    NUMBER,
    STRING,
    UNKNOWN_RESULT,
    ConversionError,
    TFList,
    TFSet,
    Unk,
    convert,
    equals,
    first_unknown,
    from_python,
    nfc,
    to_python,
    type_of,
    unify,
)

_ROOTS_WITH_REQUIRED_ATTR = {"var", "local", "count", "each", "path", "terraform", "data", "module"}


def evaluate(node: Any, scope: Scope | None = None, source: str = "") -> Any:
    """Evaluate a typed-tree expression node; ``source`` is the text its positions index into.

    Returns a plain Python value or :class:`Unknown`; raises :class:`EvalError` where
    Terraform would fail.
    """
    text = node_text(node, source)
    evaluator = Evaluator(scope or Scope(), source)
    try:
        value = evaluator.eval(node)
    except EvalError as exc:
        if exc.expr is None:
            exc.expr = text
        raise
    return finalize(value, text)


def evaluate_text(text: str, scope: Scope | None = None) -> Any:
    """Parse and evaluate one expression given as text (``"min(var.a, 10)"``)."""
    expr = parse_expression(text)
    return evaluate(expr.node, scope, expr.source)


def evaluate_or_unknown(node: Any, scope: Scope | None = None, source: str = "") -> Any:
    """Like :func:`evaluate`, but a Terraform error becomes ``Unknown(reason="invalid: ...")``."""
    try:
        return evaluate(node, scope, source)
    except EvalError as exc:
        text = node_text(node, source)
        return Unknown(expr=text, reason=f"invalid: {exc.message}", chain=(text,))


def finalize(value: Any, text: str) -> Any:
    """Internal value -> public value; a top-level unknown gets ``expr=text``."""
    if isinstance(value, Unk):
        origin = value.origin
        chain = origin.chain if origin.chain and origin.chain[-1] == text else (*origin.chain, text)
        return Unknown(expr=text, reason=origin.reason, chain=chain)
    return to_python(value)


def _unknown(expr: str, reason: str, ty: Any = DYNAMIC) -> Unk:
    return Unk(Unknown(expr=expr, reason=reason, chain=(expr,)), ty)


_TEMPLATES: dict[int, tuple[Any, str, Any]] = {}  # id(node) -> (node, source, template); the node keeps its id unique


@functools.lru_cache(maxsize=4096)
def _parse_number(text: str) -> TFNumber:
    """Number literals are immutable values: parse each distinct text once."""
    return TFNumber.parse(text)


class Evaluator:
    """Walks one expression tree. Create one per evaluation; it is cheap."""

    def __init__(self, scope: Scope, source: str = "") -> None:
        self.scope = scope
        self.source = source
        self.bindings: dict[str, Any] = {}

    # -- plumbing ---------------------------------------------------------------------------
    def text(self, node: Any) -> str:
        return node_text(node, self.source)

    def eval_expr(self, expr: Expr) -> Any:
        """Evaluate an :class:`Expr` that may come from another document (a heredoc, a local)."""
        if expr.source is self.source:
            return self.eval(expr.node)
        saved, self.source = self.source, expr.source
        try:
            return self.eval(expr.node)
        finally:
            self.source = saved

    @contextmanager
    def bound(self, names: Mapping[str, Any]) -> Iterator[None]:
        saved = self.bindings
        self.bindings = {**saved, **names}
        try:
            yield
        finally:
            self.bindings = saved

    def error(self, node: Any, message: str) -> EvalError:
        return EvalError(message, self.text(node))

    def eval(self, node: Any) -> Any:
        handler = getattr(self, "_eval_" + type(node).__name__, None)
        if handler is None:
            raise self.error(node, f"unsupported expression ({type(node).__name__})")
        return handler(node)

    # -- literals ---------------------------------------------------------------------------
    def _eval_ExprTermRule(self, node: Any) -> Any:
        return self.eval(node.expression)

    def _eval_IntLitRule(self, node: Any) -> Any:
        return _parse_number(str(node.token.value))

    _eval_FloatLitRule = _eval_IntLitRule

    def _eval_LiteralValueRule(self, node: Any) -> Any:
        return {"true": True, "false": False, "null": None}[str(node.token.value)]

    def _eval_TemplateStringRule(self, node: Any) -> Any:
        return nfc(templates.unescape(node.inner_value, self.text(node)))

    def _eval_StringRule(self, node: Any) -> Any:
        cached = _TEMPLATES.get(id(node))
        if cached is None or cached[0] is not node or cached[1] != self.source:
            # a node's template never changes: build it once per node (a resource in a module called N
            # times, or with count/for_each, evaluates the same string node N times)
            cached = (node, self.source, templates.from_string_rule(node, lambda n: Expr(n, self.source)))
            _TEMPLATES[id(node)] = cached
        return nfc(self.render(cached[2]))

    def _eval_HeredocTemplateRule(self, node: Any) -> Any:
        template = templates.from_heredoc(str(node.heredoc.value), parse_expression)
        return nfc(self.render(template))

    _eval_HeredocTrimTemplateRule = _eval_HeredocTemplateRule

    def _eval_TupleRule(self, node: Any) -> Any:
        return [self.eval(element) for element in node.elements]

    def _eval_ObjectRule(self, node: Any) -> Any:
        result: dict[str, Any] = {}
        unknown_key: Unk | None = None
        for element in node.elements:
            key = self._object_key(element.key)
            value = self.eval(element.expression)
            if isinstance(key, Unk):
                unknown_key = unknown_key or key
                continue
            result[key] = value
        if unknown_key is not None:
            return unknown_key.refined(ty=DYNAMIC, not_null=True)
        return dict(sorted(result.items()))

    def _object_key(self, key_rule: Any) -> Any:
        if type(key_rule).__name__ == "ObjectElemKeyRule":
            inner = key_rule.value
            if type(inner).__name__ == "IdentifierRule":
                return nfc(str(inner.token.value))
            key = self.eval(inner)
        else:
            inner = key_rule.expression
            while type(inner).__name__ == "ExprTermRule" and not inner.parentheses:
                inner = inner.expression
            if type(inner).__name__ in ("GetAttrExprTermRule", "IndexExprTermRule"):
                raise self.error(
                    key_rule,
                    "Ambiguous attribute key: if this expression is intended to be a reference, wrap it in parentheses",
                )
            key = self.eval(key_rule.expression)
        if isinstance(key, Unk):
            return key
        if key is None:
            raise self.error(key_rule, "Null value as key: can't use a null value as a key")
        try:
            return convert(key, STRING)
        except ConversionError:
            raise self.error(key_rule, "Incorrect key type: can't use this value as a key (string required)") from None

    # -- templates --------------------------------------------------------------------------
    def render(self, template: templates.Template) -> Any:
        if template.passthrough:
            part = template.parts[0]
            assert isinstance(part, templates.Interp)
            return self.eval_expr(part.expr)
        return self._render_parts(template.parts)

    def _render_parts(self, parts: list[templates.Part]) -> Any:
        out: list[str] = []
        unknown: Unk | None = None
        known_prefix = ""
        for part in parts:
            if isinstance(part, templates.Literal):
                out.append(part.text)
                continue
            if isinstance(part, templates.Interp):
                piece = self._interpolate(part.expr)
            elif isinstance(part, templates.IfPart):
                piece = self._render_if(part)
            else:
                piece = self._render_for(part)
            if isinstance(piece, Unk):
                if unknown is None:
                    unknown, known_prefix = piece, "".join(out) + piece.prefix
            else:
                out.append(piece)
        if unknown is not None:
            return unknown.refined(ty=STRING, not_null=True, prefix=safe_known_prefix(known_prefix))
        return "".join(out)

    def _interpolate(self, expr: Expr) -> Any:
        value = self.eval_expr(expr)
        if isinstance(value, Unk):
            return value
        if value is None:
            raise EvalError(
                "Invalid template interpolation value: the expression result is null. "
                "Cannot include a null value in a string template.",
                expr.text,
            )
        if isinstance(value, (list, dict)):
            raise EvalError(
                "Invalid template interpolation value: cannot include the given value in a string "
                "template: string required.",
                expr.text,
            )
        return convert(value, STRING)

    def _render_if(self, part: templates.IfPart) -> Any:
        branches = []
        for parts in (part.then, part.otherwise):
            try:
                branches.append((self._render_parts(parts), None))
            except EvalError as exc:
                branches.append((None, exc))
        cond = self.eval_expr(part.cond)
        if isinstance(cond, Unk):
            return cond.refined(ty=STRING, not_null=True)
        if cond is None:
            raise EvalError("Null condition: the condition value is null", part.cond.text)
        try:
            chosen, error = branches[0] if convert(cond, BOOL) else branches[1]
        except ConversionError:
            raise EvalError("Incorrect condition type: the condition must be of type bool", part.cond.text) from None
        if error is not None:
            raise error
        return chosen

    def _render_for(self, part: templates.ForPart) -> Any:
        coll = self.eval_expr(part.coll)
        pieces: list[str] = []
        unknown: Unk | None = None
        for key, value in self._iterate(coll, part.coll.text):
            names = {part.value_var: value}
            if part.key_var:
                names[part.key_var] = key
            with self.bound(names):
                piece = self._render_parts(part.body)
            if isinstance(piece, Unk):
                unknown = unknown or piece
            else:
                pieces.append(piece)
        if isinstance(coll, Unk):
            return coll.refined(ty=STRING, not_null=True)
        if unknown is not None:
            return unknown
        return "".join(pieces)

    def _iterate(self, coll: Any, text: str) -> list[tuple[Any, Any]]:
        """(key, value) pairs a ``for`` walks; an unknown collection yields nothing."""
        if isinstance(coll, Unk):
            return []
        if coll is None:
            raise EvalError(
                "Iteration over null value: a null value cannot be used as the collection in a 'for' expression", text
            )
        if isinstance(coll, TFSet):
            return [(item, item) for item in coll]
        if isinstance(coll, list):
            return [(TFNumber.from_int(i), item) for i, item in enumerate(coll)]
        if isinstance(coll, dict):
            return sorted(coll.items())
        raise EvalError(
            f"Iteration over non-iterable value: a value of type {type_of(coll)} cannot be used as the collection in a 'for' expression",
            text,
        )

    # -- references and traversals ---------------------------------------------------------
    def _eval_IdentifierRule(self, node: Any) -> Any:
        return self._traverse(node, node, [])

    def _eval_GetAttrExprTermRule(self, node: Any) -> Any:
        root, steps = self._flatten(node)
        return self._traverse(node, root, steps)

    _eval_IndexExprTermRule = _eval_GetAttrExprTermRule

    def _flatten(self, node: Any) -> tuple[Any, list[Any]]:
        """Split ``a.b[0].c`` into its root term and accessor rules (GetAttr/index rules)."""
        steps: list[Any] = []
        while True:
            name = type(node).__name__
            if name == "GetAttrExprTermRule":
                steps.append(node.get_attr)
                node = node.expr_term
            elif name == "IndexExprTermRule":
                steps.append(node.children[1])
                node = node.children[0]
            elif name == "ExprTermRule" and not node.parentheses:
                node = node.expression
            else:
                steps.reverse()
                return node, steps

    def _traverse(self, whole: Any, root: Any, steps: list[Any]) -> Any:
        if type(root).__name__ != "IdentifierRule":
            value = self.eval(root)
            return self._apply_steps(value, steps)
        name = str(root.token.value)
        if name in self.bindings:
            return self._apply_steps(self.bindings[name], steps)
        attr = self._step_attr(steps[0]) if steps else None
        if name in _ROOTS_WITH_REQUIRED_ATTR and attr is None:
            raise self.error(whole, f'Invalid reference: the "{name}" object must be followed by an attribute name')
        text = self.text(whole)
        if name == "var":
            value = self._variable(attr)
        elif name == "local":
            value = self._local(attr)
        elif name in ("count", "each", "path", "terraform"):
            value = self._builtin(name, attr, whole)
        elif name == "self":
            return _unknown(text, "self is only known inside provisioner and postcondition blocks")
        elif name == "data":
            return _unknown(text, f"data source attribute {text} is read by its provider during plan")
        elif name == "module":
            if attr not in self.scope.modules:
                return _unknown(text, f"module output {text} is computed inside a module cfgate did not evaluate")
            value = from_python(self.scope.modules[attr])
        else:
            if attr is None:
                raise self.error(
                    whole, "Invalid reference: a reference to a resource type must be followed by the resource name"
                )
            what = "resource attribute" if len(steps) > 1 else "resource"
            return _unknown(text, f"{what} {text} is known only after apply")
        return self._apply_steps(value, steps[1:])

    @staticmethod
    def _step_attr(step: Any) -> str | None:
        if type(step).__name__ == "GetAttrRule":
            return str(step.identifier.token.value)
        return None

    def _variable(self, name: str | None) -> Any:
        if name in self.scope.variables:
            value = self.scope.variables[name]
            return value.with_step(f"var.{name}") if isinstance(value, Unk) else value
        return _unknown(f"var.{name}", f"variable {name} has no value (no default, tfvars or --var)")

    def _local(self, name: str | None) -> Any:
        scope = self.scope
        assert name is not None
        if name in scope._memo:
            return scope._memo[name]
        if name in scope._errors:
            raise scope._errors[name]
        if name not in scope.locals:
            return _unknown(f"local.{name}", f"local value {name} is not declared in the files cfgate read")
        if name in scope._stack:
            cycle = (*scope._stack[scope._stack.index(name) :], name)
            if cycle not in scope._cycles:
                scope._cycles.append(cycle)
            path = " -> ".join(f"local.{n}" for n in cycle)
            return _unknown(f"local.{name}", f"local values form a cycle: {path}")
        expr = scope.locals[name]
        scope._stack.append(name)
        try:
            value = Evaluator(scope, expr.source).eval(expr.node)
        except EvalError as exc:
            if exc.expr is None:
                exc.expr = expr.text
            scope._errors[name] = exc
            raise
        finally:
            scope._stack.pop()
        if isinstance(value, Unk):
            value = value.with_step(f"local.{name} = {expr.text}")
        scope._memo[name] = value
        return value

    def _builtin(self, name: str, attr: str | None, node: Any) -> Any:
        scope = self.scope
        text = f"{name}.{attr}"
        if name == "count" and attr == "index":
            if scope.count_index is None:
                return _unknown(text, "count.index is only known inside a resource or module with count", NUMBER)
            return scope.count_index
        if name == "each" and attr in ("key", "value"):
            if scope.each is None:
                return _unknown(text, f"each.{attr} is only known inside a resource or module with for_each")
            return scope.each[0] if attr == "key" else scope.each[1]
        if name == "path" and attr in ("module", "root", "cwd"):
            return {"module": scope.path_module, "root": scope.path_root, "cwd": scope.path_cwd}[attr]
        if name == "terraform" and attr == "workspace":
            return scope.workspace
        raise self.error(node, f'Invalid reference: "{text}" is not a valid reference')

    def _apply_steps(self, value: Any, steps: list[Any]) -> Any:
        for step in steps:
            value = self._apply_step(value, step)
        return value

    def _apply_step(self, value: Any, step: Any) -> Any:
        kind = type(step).__name__
        if kind == "GetAttrRule":
            return self._get_attr(value, str(step.identifier.token.value), step)
        if kind == "ShortIndexRule":
            return self.index(value, TFNumber.parse(str(step.index.value)), step)
        return self.index(value, self.eval(step.index_expression), step)

    def _get_attr(self, value: Any, name: str, node: Any) -> Any:
        if isinstance(value, Unk):
            return value.refined(ty=DYNAMIC, not_null=False)
        if value is None:
            raise self.error(node, "Attempt to get attribute from null value")
        if isinstance(value, dict):
            if name in value:
                return value[name]
            raise self.error(node, f'Unsupported attribute: this object does not have an attribute named "{name}"')
        raise self.error(node, f"Unsupported attribute: can't access attributes on a value of type {type_of(value)}")

    def index(self, coll: Any, key: Any, node: Any) -> Any:
        """Terraform's ``coll[key]``."""
        if coll is None:
            raise self.error(node, "Attempt to index null value")
        if key is None:
            raise self.error(node, "Invalid index: can't use a null value as an indexing key")
        if isinstance(coll, Unk):
            return coll.refined(ty=DYNAMIC, not_null=False)
        if isinstance(coll, TFSet):
            raise self.error(node, "Invalid index: elements of a set are identified only by their value")
        if isinstance(key, Unk):
            return key.refined(ty=DYNAMIC, not_null=False)
        try:
            if isinstance(coll, list):
                number = convert(key, NUMBER)
                if not number.is_integer or not 0 <= number.to_int() < len(coll):
                    raise self.error(
                        node, "Invalid index: the given key does not identify an element in this collection value"
                    )
                return coll[number.to_int()]
            if isinstance(coll, dict):
                name = convert(key, STRING)
                if name not in coll:
                    raise self.error(
                        node,
                        f'Invalid index: the given key "{name}" does not identify an element in this collection value',
                    )
                return coll[name]
        except ConversionError as exc:
            raise self.error(node, f"Invalid index: {exc}") from None
        raise self.error(node, f"Invalid index: a value of type {type_of(coll)} does not have any indices")

    # -- splats -----------------------------------------------------------------------------
    def _eval_FullSplatExprTermRule(self, node: Any) -> Any:
        return self._splat(node, node.expr_term, list(node.attr_splat.get_attrs), [])

    def _eval_AttrSplatExprTermRule(self, node: Any) -> Any:
        steps = list(node.attr_splat.get_attrs)
        cut = next((i for i, s in enumerate(steps) if type(s).__name__ != "GetAttrRule"), len(steps))
        return self._splat(node, node.expr_term, steps[:cut], steps[cut:])

    def _splat(self, node: Any, source_node: Any, each_steps: list[Any], after: list[Any]) -> Any:
        source = self.eval(source_node)
        if isinstance(source, Unk):
            return self._apply_steps(source.refined(ty=DYNAMIC), after)
        if source is None:
            return self._apply_steps([], after)
        items = list(source) if isinstance(source, list) else [source]
        result: list[Any] = [self._apply_steps(item, each_steps) for item in items]
        if isinstance(source, (TFList, TFSet)):
            elem = unify([type_of(item) for item in result]) or DYNAMIC
            result = TFList(result, elem)
        return self._apply_steps(result, after)

    # -- operators --------------------------------------------------------------------------
    def _eval_UnaryOpRule(self, node: Any) -> Any:
        operator = node.operator.strip()
        value = self.eval(node.expr_term)
        if operator == "-":
            operand = self._operand(value, NUMBER, node.expr_term, "operand")
            return operand if isinstance(operand, Unk) else -operand
        operand = self._operand(value, BOOL, node.expr_term, "operand")
        return operand if isinstance(operand, Unk) else not operand

    def _operand(self, value: Any, ty: str, node: Any, side: str) -> Any:
        if value is None:
            raise self.error(node, f"Invalid operand: unsuitable value for {side}: a {ty} is required, not null")
        try:
            converted = convert(value, ty)
        except ConversionError:
            raise self.error(node, f"Invalid operand: unsuitable value for {side}: a {ty} is required") from None
        if isinstance(converted, Unk):
            return converted.refined(ty=ty)
        return converted

    def _eval_BinaryOpRule(self, node: Any) -> Any:
        operator = str(node.binary_term.binary_operator.token.value).strip()
        left_node, right_node = node.expr_term, node.binary_term.expr_term
        left, right = self.eval(left_node), self.eval(right_node)
        if operator in ("==", "!="):
            result = equals(left, right)
            if result is UNKNOWN_RESULT:
                unknown = (
                    left if isinstance(left, Unk) else right if isinstance(right, Unk) else first_unknown([left, right])
                )
                assert unknown is not None
                return unknown.refined(ty=BOOL, not_null=True)
            return result if operator == "==" else not result
        ty = BOOL if operator in ("&&", "||") else NUMBER
        a = self._operand(left, ty, left_node, "left operand")
        b = self._operand(right, ty, right_node, "right operand")
        result_ty = NUMBER if operator in "+-*/%" else BOOL
        for side in (a, b):
            if isinstance(side, Unk):
                return side.refined(ty=result_ty, not_null=True)
        try:
            return _BINARY[operator](a, b)
        except NumberError as exc:
            raise self.error(node, f"Error in operation: {exc}") from None

    def _eval_ConditionalRule(self, node: Any) -> Any:
        results = []
        for branch in (node.if_true, node.if_false):
            try:
                results.append((self.eval(branch), None))
            except EvalError as exc:
                results.append((Unk(Unknown(expr="", reason=str(exc))), exc))
        (true_value, _), (false_value, _) = results
        result_ty = self._conditional_type(node, true_value, false_value)
        cond = self.eval(node.condition)
        if cond is None:
            raise self.error(node.condition, "Null condition: the condition value is null")
        if isinstance(cond, Unk):
            return self._unknown_condition(node, cond, true_value, false_value, result_ty)
        try:
            chosen = convert(cond, BOOL)
        except ConversionError:
            raise self.error(node.condition, "Incorrect condition type: the condition must be of type bool") from None
        value, error = results[0] if chosen else results[1]
        if error is not None:
            raise error
        try:
            return convert(value, result_ty)
        except ConversionError as exc:
            raise self.error(node, f"Inconsistent conditional result types: {exc}") from None

    def _conditional_type(self, node: Any, true_value: Any, false_value: Any) -> Any:
        if true_value is None:
            return type_of(false_value)
        if false_value is None:
            return type_of(true_value)
        true_ty, false_ty = type_of(true_value), type_of(false_value)
        if DYNAMIC in (true_ty, false_ty):
            return DYNAMIC
        unified = unify([true_ty, false_ty])
        if unified is None:
            raise self.error(
                node,
                "Inconsistent conditional result types: the true and false result expressions must have "
                f"consistent types ({true_ty} vs {false_ty})",
            )
        return unified

    def _unknown_condition(self, node: Any, cond: Unk, true_value: Any, false_value: Any, ty: Any) -> Any:
        if true_value is None and false_value is None:
            return None
        if isinstance(true_value, TFNumber) and isinstance(false_value, TFNumber) and true_value == false_value:
            return true_value  # Terraform refines the result to the range [v, v], i.e. v itself
        not_null = all(
            (isinstance(v, Unk) and v.not_null) or (v is not None and not isinstance(v, Unk))
            for v in (true_value, false_value)
        )
        return cond.with_step(self.text(node)).refined(ty=ty, not_null=not_null)

    # -- for expressions -------------------------------------------------------------------
    def _for_names(self, intro: Any) -> tuple[str | None, str]:
        first = str(intro.first_iterator.token.value)
        if intro.second_iterator is None:
            return None, first
        return first, str(intro.second_iterator.token.value)

    def _for_items(self, node: Any) -> tuple[Any, list[dict[str, Any]]]:
        intro = node.for_intro
        key_var, value_var = self._for_names(intro)
        coll = self.eval(intro.iterable)
        frames = []
        for key, value in self._iterate(coll, self.text(intro.iterable)):
            names = {value_var: value}
            if key_var:
                names[key_var] = key
            frames.append(names)
        return coll, frames

    def _for_condition(self, node: Any) -> Any:
        if node.condition is None:
            return True
        cond = self.eval(node.condition.condition_expr)
        if isinstance(cond, Unk):
            return cond
        if cond is None:
            raise self.error(node.condition, "Condition is null: the value of the 'if' clause must not be null")
        try:
            return convert(cond, BOOL)
        except ConversionError:
            raise self.error(node.condition, "Invalid 'for' condition: the 'if' clause value must be a bool") from None

    def _eval_ForTupleExprRule(self, node: Any) -> Any:
        coll, frames = self._for_items(node)
        if isinstance(coll, Unk):
            return coll.refined(ty=DYNAMIC, not_null=True)
        result: list[Any] = []
        for names in frames:
            with self.bound(names):
                keep = self._for_condition(node)
                if isinstance(keep, Unk):
                    return keep.refined(ty=DYNAMIC, not_null=True)
                if keep:
                    result.append(self.eval(node.value_expr))
        return result

    def _eval_ForObjectExprRule(self, node: Any) -> Any:
        coll, frames = self._for_items(node)
        if isinstance(coll, Unk):
            return coll.refined(ty=DYNAMIC, not_null=True)
        grouping = node.ellipsis is not None
        result: dict[str, Any] = {}
        for names in frames:
            with self.bound(names):
                keep = self._for_condition(node)
                if isinstance(keep, Unk):
                    return keep.refined(ty=DYNAMIC, not_null=True)
                if not keep:
                    continue
                key = self.eval(node.key_expr)
                if isinstance(key, Unk):
                    return key.refined(ty=DYNAMIC, not_null=True)
                if key is None:
                    raise self.error(node.key_expr, "Invalid object key: key expression result must not be null")
                try:
                    key = convert(key, STRING)
                except ConversionError:
                    raise self.error(node.key_expr, "Invalid object key: key must be a string") from None
                value = self.eval(node.value_expr)
                if grouping:
                    result.setdefault(key, []).append(value)
                elif key in result:
                    raise self.error(node, f'Duplicate object key: two different items produced the key "{key}"')
                else:
                    result[key] = value
        return dict(sorted(result.items()))

    # -- function calls --------------------------------------------------------------------
    def _eval_FunctionCallRule(self, node: Any) -> Any:
        names = [str(identifier.token.value) for identifier in node.identifiers]
        name = "::".join(names)
        text = self.text(node)
        arg_nodes = list(node.arguments.arguments) if node.arguments is not None else []
        expand = node.arguments is not None and node.arguments.has_ellipsis
        if len(names) > 1:
            return _unknown(text, f"provider function {name} is evaluated by its provider, not by cfgate")
        spec = FUNCTIONS.get(name)
        if spec is None:
            if name in TERRAFORM_FUNCTION_NAMES:
                return _unknown(text, f"function {name} is not supported by cfgate")
            raise self.error(node, f'Call to unknown function: there is no function named "{name}"')
        if spec.lazy:
            args: list[Any] = [self._thunk(arg) for arg in arg_nodes]
        else:
            args = [self.eval(arg) for arg in arg_nodes]
            if expand:
                args = self._expand_last(args, node)
                if isinstance(args, Unk):
                    return args.with_step(text)
        try:
            result = call_function(name, spec, args)
        except EvalError as exc:
            if exc.expr is None:
                exc.expr = text
            raise
        return result.with_step(text) if isinstance(result, Unk) else result

    def _thunk(self, node: Any) -> Any:
        source, bindings = self.source, self.bindings

        def run() -> Any:
            saved = self.source, self.bindings
            self.source, self.bindings = source, bindings
            try:
                return self.eval(node)
            finally:
                self.source, self.bindings = saved

        return run

    def _expand_last(self, args: list[Any], node: Any) -> Any:
        if not args:
            raise self.error(node, "Missing argument to expand with ...")
        last = args[-1]
        if isinstance(last, Unk):
            return last.refined(ty=DYNAMIC)
        if last is None or not isinstance(last, list):
            raise self.error(
                node,
                "Invalid expanding argument value: the expanding argument (indicated by ...) must be of a tuple, list, or set type",
            )
        return [*args[:-1], *last]


_BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "%": lambda a, b: a % b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: b < a,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: b <= a,
    "&&": lambda a, b: a and b,
    "||": lambda a, b: a or b,
}

__all__ = [
    "EvalError",
    "Evaluator",
    "Expr",
    "Scope",
    "evaluate",
    "evaluate_or_unknown",
    "evaluate_text",
    "locals_from_text",
    "node_text",
    "parse_expression",
]
