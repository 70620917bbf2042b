"""Collection and conversion built-ins, plus ``try``/``can``; unknown elements are kept where Terraform keeps them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import EvalError
from .fnutil import FunctionError, graphemes, int64_arg, number, same_kind, sequence
from .tfnumber import TFNumber
from .tftypes import (
    BOOL,
    DYNAMIC,
    NUMBER,
    STRING,
    UNKNOWN_RESULT,
    ConversionError,
    TFList,
    TFMap,
    TFSet,
    Type,
    Unk,
    convert,
    equals,
    first_unknown,
    friendly_type,
    make_set,
    type_of,
    unify,
)


def length(value: Any) -> TFNumber:
    if isinstance(value, str):
        return number(len(graphemes(value)))
    if isinstance(value, (list, dict)):
        return number(len(value))
    raise FunctionError("argument must be a string, a collection type, or a structural type")


def element(items: Any, index: TFNumber) -> Any:
    seq = sequence(items)
    if isinstance(items, TFSet):
        raise FunctionError("cannot read elements from set")
    pos = int64_arg(index)
    if pos < 0:
        raise FunctionError("index must not be negative")
    if not seq:
        raise FunctionError("cannot use element function with an empty list")
    return seq[pos % len(seq)]


def slice_(items: Any, start: TFNumber, end: TFNumber) -> Any:
    seq = sequence(items)
    first, last = int64_arg(start), int64_arg(end)
    if first < 0:
        raise FunctionError("start index must not be less than zero")
    if last > len(seq):
        raise FunctionError("end index must not be greater than the length of the list")
    if first > last:
        raise FunctionError("start index must not be greater than end index")
    return same_kind(items, seq[first:last])


def reverse(items: Any) -> Any:
    if isinstance(items, TFSet):
        raise FunctionError("can't reverse a set")
    return same_kind(items, list(reversed(sequence(items))))


def concat(*seqs: Any) -> Any:
    if not seqs:
        raise FunctionError("at least one argument is required")
    items: list[Any] = []
    for seq in seqs:
        items.extend(sequence(seq, "each argument"))
    if all(isinstance(s, TFList) for s in seqs):
        elem = unify([s.elem_type for s in seqs])
        if elem is not None:
            return TFList([convert(i, elem) for i in items], elem)
    return items


def merge(*maps: Any) -> Any:
    result: dict[str, Any] = {}
    present = [m for m in maps if m is not None]
    for mapping in present:
        if not isinstance(mapping, dict):
            raise FunctionError("arguments must be maps or objects")
        result.update(mapping)
    if present and all(isinstance(m, TFMap) for m in present):
        elem_types = {m.elem_type for m in present}
        if len(elem_types) == 1:
            return TFMap(result, elem_types.pop())
    return dict(sorted(result.items()))


def keys(mapping: Any) -> Any:
    if not isinstance(mapping, dict):
        raise FunctionError("must have map or object type")
    keys = sorted(mapping)
    return TFList(keys, STRING) if isinstance(mapping, TFMap) else keys


def values(mapping: Any) -> Any:
    if not isinstance(mapping, dict):
        raise FunctionError("must have map or object type")
    values = [mapping[k] for k in sorted(mapping)]
    return TFList(values, mapping.elem_type) if isinstance(mapping, TFMap) else values


def lookup(mapping: Any, key: str, *default: Any) -> Any:
    if len(default) > 1:
        raise FunctionError("lookup() takes at most three arguments")
    if isinstance(mapping, Unk):
        return mapping.refined(ty=DYNAMIC)
    if not isinstance(mapping, dict):
        raise FunctionError("the first argument must be a map or object")
    if default and isinstance(mapping, TFMap) and default[0] is not None and not isinstance(default[0], Unk):
        try:
            fallback = convert(default[0], mapping.elem_type)
        except ConversionError:
            raise FunctionError("the default value must have the same type as the map elements") from None
        if (
            type_of(fallback) != mapping.elem_type
            and mapping.elem_type != DYNAMIC
            and type_of(default[0]) != mapping.elem_type
        ):
            raise FunctionError("the default value must have the same type as the map elements")
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise FunctionError(f'lookup failed to find key "{key}"')


def contains(items: Any, value: Any) -> Any:
    if isinstance(items, Unk):
        return items.refined(ty=BOOL, not_null=True)
    undecided: Any = None
    for item in sequence(items):
        result = equals(item, value)
        if result is True:
            return True
        if result is UNKNOWN_RESULT:
            undecided = undecided or first_unknown([item, value])
    if undecided is not None:
        return undecided.refined(ty=BOOL, not_null=True)
    return False


def index(items: Any, value: Any) -> TFNumber:
    for pos, item in enumerate(sequence(items)):
        if equals(item, value) is True:
            return number(pos)
    raise FunctionError("item not found")


def distinct(items: Any) -> TFList:
    unique: list[Any] = []
    for item in items:
        if not any(equals(item, seen) is True for seen in unique):
            unique.append(item)
    return TFList(unique, items.elem_type)


def flatten(items: Any) -> list[Any]:
    out: list[Any] = []

    def walk(seq: list[Any]) -> None:
        for item in seq:
            if isinstance(item, list):
                walk(item)
            else:
                out.append(item)

    walk(sequence(items))
    return out


def compact(items: Any) -> TFList:
    return TFList([item for item in items if item not in (None, "")], STRING)


def coalesce(*args: Any) -> Any:
    if not args:
        raise FunctionError("all arguments must have the same type")
    target = unify([type_of(a) for a in args])
    if target is None:
        raise FunctionError("all arguments must have the same type")
    for arg in args:
        if isinstance(arg, Unk):
            return arg.refined(ty=target, not_null=True)
        if arg is None:
            continue
        value = convert(arg, target)
        if value == "":
            continue
        return value
    raise FunctionError("no non-null, non-empty-string arguments")


def coalescelist(*lists: Any) -> Any:
    if not lists:
        raise FunctionError("at least one argument is required")
    for item in lists:
        if isinstance(item, Unk):
            return item.refined(ty=DYNAMIC, not_null=True)
        if item is None:
            continue
        if not isinstance(item, list):
            raise FunctionError("coalescelist arguments must be lists or tuples")
        if item:
            return item
    raise FunctionError("no non-null arguments")


def one(items: Any) -> Any:
    seq = sequence(items)
    if len(seq) > 1:
        raise FunctionError("must be a list, set, or tuple value with either zero or one elements")
    return seq[0] if seq else None


def zipmap(keys: Any, values: Any) -> Any:
    key_list = sequence(keys, "keys")
    value_list = sequence(values, "values")
    if len(key_list) != len(value_list):
        raise FunctionError(f"number of keys ({len(key_list)}) does not match number of values ({len(value_list)})")
    result: dict[str, Any] = {}
    for key, value in zip(key_list, value_list):
        if key is None:
            raise FunctionError("keys list has null value")
        result[key] = value
    if isinstance(values, (TFList, TFSet)):
        return TFMap(result, values.elem_type)
    return dict(sorted(result.items()))


def alltrue(items: Any) -> Any:
    unknown = None
    for item in items:
        if isinstance(item, Unk):
            unknown = unknown or item
        elif item is not True:
            if unknown is not None:
                return unknown.refined(ty=BOOL, not_null=True)
            return False
    if unknown is not None:
        return unknown.refined(ty=BOOL, not_null=True)
    return True


def anytrue(items: Any) -> Any:
    unknown = None
    for item in items:
        if isinstance(item, Unk):
            unknown = unknown or item
        elif item is True:
            return True
    if unknown is not None:
        return unknown.refined(ty=BOOL, not_null=True)
    return False


def chunklist(items: Any, size: TFNumber) -> TFList:
    seq = sequence(items)
    width = int64_arg(size)
    if width < 0:
        raise FunctionError("the size argument must be positive")
    elem = items.elem_type if isinstance(items, (TFList, TFSet)) else DYNAMIC
    if width == 0:
        return TFList([TFList(seq, elem)], ("list", elem))
    chunks = [TFList(seq[i : i + width], elem) for i in range(0, len(seq), width)]
    return TFList(chunks, ("list", elem))


def _set_args(sets: tuple[Any, ...]) -> tuple[list[TFSet], Type]:
    if not sets:
        raise FunctionError("at least one argument is required")
    elem = unify([s.elem_type for s in sets])
    if elem is None:
        raise FunctionError("given sets must all have compatible element types")
    converted = []
    for value in sets:
        made = make_set([convert(item, elem) for item in value], elem)
        assert isinstance(made, TFSet)
        converted.append(made)
    return converted, elem


def setunion(*sets: Any) -> Any:
    converted, elem = _set_args(sets)
    return make_set([item for s in converted for item in s], elem)


def setintersection(*sets: Any) -> Any:
    converted, elem = _set_args(sets)
    first, *rest = converted
    return make_set([x for x in first if all(any(equals(x, y) is True for y in other) for other in rest)], elem)


def setsubtract(a: Any, b: Any) -> Any:
    (left, right), elem = _set_args((a, b))
    return make_set([x for x in left if not any(equals(x, y) is True for y in right)], elem)


def setproduct(*sets: Any) -> Any:
    if not sets:
        raise FunctionError("at least two arguments are required")
    products: list[list[Any]] = [[]]
    for seq in sets:
        products = [prefix + [item] for prefix in products for item in sequence(seq)]
    rows = [list(p) for p in products] if len(sets) else []
    if all(isinstance(s, TFSet) for s in sets):
        elem = unify([type_of(r) for r in rows]) or DYNAMIC
        return make_set(rows, elem)
    return TFList(rows, unify([type_of(r) for r in rows]) or DYNAMIC)


def transpose(mapping: Any) -> TFMap:
    result: dict[str, list[str]] = {}
    for key in sorted(mapping):
        for value in mapping[key]:
            if value is None:
                raise FunctionError("lists must not contain null values")
            result.setdefault(value, []).append(key)
    return TFMap({k: TFList(v, STRING) for k, v in result.items()}, ("list", STRING))


def matchkeys(values: Any, keys: Any, searchset: Any) -> Any:
    if len(values) != len(keys):
        raise FunctionError("length of keys and values should be equal")
    picked = [v for v, k in zip(values, keys) if any(equals(k, s) is True for s in searchset)]
    return TFList(picked, values.elem_type)


def tolist(value: Any) -> Any:
    return convert(value, ("list", DYNAMIC))


def toset(value: Any) -> Any:
    return convert(value, ("set", DYNAMIC))


def tomap(value: Any) -> Any:
    return convert(value, ("map", DYNAMIC))


def tostring(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        raise FunctionError(f"cannot convert {friendly_type(type_of(value))} to string")
    return convert(value, STRING)


def tonumber(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        raise FunctionError(f"cannot convert {friendly_type(type_of(value))} to number")
    return convert(value, NUMBER)


def tobool(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        raise FunctionError(f"cannot convert {friendly_type(type_of(value))} to bool")
    return convert(value, BOOL)


def try_(*thunks: Callable[[], Any]) -> Any:
    if not thunks:
        raise FunctionError("at least one argument is required")
    for thunk in thunks:
        try:
            value = thunk()
        except EvalError:
            continue
        unknown = first_unknown(value)
        if unknown is not None:
            return unknown.refined(ty=DYNAMIC)
        return value
    raise FunctionError("no expression succeeded")


def can(thunk: Callable[[], Any]) -> Any:
    try:
        value = thunk()
    except EvalError:
        return False
    unknown = first_unknown(value)
    if unknown is not None:
        return unknown.refined(ty=BOOL, not_null=True)
    return True
