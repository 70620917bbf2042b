"""Terraform's value and type model, reduced to what expression evaluation needs.

Inside the evaluator a value is one of:

* ``None`` (null), ``bool``, ``str``, :class:`~cfgate.terraform.tfnumber.TFNumber`;
* a plain ``list`` (a *tuple*: ``[1, "a"]``) or a :class:`TFList` / :class:`TFSet`
  (a *list* / *set* with one element type, e.g. from ``tolist()``);
* a plain ``dict`` (an *object*: ``{a = 1}``) or a :class:`TFMap` (a *map*, from ``tomap()``);
* :class:`Unk`, an unknown value: the public :class:`~cfgate.models.values.Unknown` that says why,
  plus the little Terraform still knows about it (its type, whether it can be null).

The distinctions matter because Terraform's results depend on them: ``[1] == tolist([1])`` is
false, ``true ? 1 : "a"`` is the string ``"1"``, and ``tolist([1, "a"])`` is ``["1", "a"]``.
Objects and maps always iterate in lexical key order, as in Terraform.

Types are plain data: ``"string"``, ``"number"``, ``"bool"``, ``"dynamic"`` (any type: the
type of ``null`` and of untyped unknowns), and tuples ``("list", T)``, ``("set", T)``,
``("map", T)``, ``("tuple", (T, ...))``, ``("object", (("name", T), ...))``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Final, Union

from cfgate.models.values import Unknown

from .tfnumber import NumberError, TFNumber

Type = Union[str, tuple]  # noqa: UP007 - a recursive alias reads better in this form

STRING: Final = "string"
NUMBER: Final = "number"
BOOL: Final = "bool"
DYNAMIC: Final = "dynamic"
PRIMITIVES: Final = (STRING, NUMBER, BOOL)


class ConversionError(ValueError):
    """A value cannot be converted to the type Terraform needs (Terraform reports an error)."""


class TFList(list):  # type: ignore[type-arg]
    """A Terraform list: every element has the same type ``elem_type``."""

    def __init__(self, items: Any = (), elem_type: Type = DYNAMIC) -> None:
        super().__init__(items)
        self.elem_type = elem_type


class TFSet(list):  # type: ignore[type-arg]
    """A Terraform set, kept de-duplicated and in Terraform's iteration order."""

    def __init__(self, items: Any = (), elem_type: Type = DYNAMIC) -> None:
        super().__init__(items)
        self.elem_type = elem_type


class TFMap(dict):  # type: ignore[type-arg]
    """A Terraform map: string keys in lexical order, one element type."""

    def __init__(self, items: Any = (), elem_type: Type = DYNAMIC) -> None:
        super().__init__(sorted(dict(items).items()))
        self.elem_type = elem_type


@dataclass(frozen=True)
class Unk:
    """An unknown value inside the evaluator.

    ``origin`` is the user-facing explanation; ``ty`` and ``not_null`` are the refinements
    Terraform keeps for unknowns (``"x-${id}" == null`` is known to be false).
    """

    origin: Unknown
    ty: Type = DYNAMIC
    not_null: bool = False
    prefix: str = ""
    """For strings: a known prefix (``"x-${id}"`` starts with ``"x-"``), as Terraform refines it."""

    def with_step(self, step: str) -> Unk:
        """The same unknown, with ``step`` appended to its chain (consecutive repeats dropped)."""
        chain = self.origin.chain
        if chain and chain[-1] == step:
            return self
        origin = self.origin.model_copy(update={"chain": (*chain, step)})
        return Unk(origin, self.ty, self.not_null, self.prefix)

    def refined(self, ty: Type | None = None, not_null: bool | None = None, prefix: str = "") -> Unk:
        """A new unknown derived from this one (same explanation), with the given refinements."""
        new_ty = self.ty if ty is None else ty
        return Unk(
            self.origin, new_ty, self.not_null if not_null is None else not_null, prefix if new_ty == STRING else ""
        )


def object_type(attrs: dict[str, Type]) -> Type:
    return ("object", tuple(sorted(attrs.items())))


def type_of(value: Any) -> Type:
    """The Terraform type of an internal value."""
    if isinstance(value, Unk):
        return value.ty
    if value is None:
        return DYNAMIC
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, TFNumber):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, TFList):
        return ("list", value.elem_type)
    if isinstance(value, TFSet):
        return ("set", value.elem_type)
    if isinstance(value, TFMap):
        return ("map", value.elem_type)
    if isinstance(value, list):
        return ("tuple", tuple(type_of(item) for item in value))
    if isinstance(value, dict):
        return ("object", tuple((key, type_of(item)) for key, item in sorted(value.items())))
    raise TypeError(f"not a Terraform value: {value!r}")


def friendly_type(ty: Type) -> str:
    """Terraform's wording for a type in error messages (``list of string``, ``object``...)."""
    if isinstance(ty, str):
        return "any type" if ty == DYNAMIC else ty
    kind = ty[0]
    if kind in ("list", "set", "map"):
        return f"{kind} of {friendly_type(ty[1])}"
    return kind


def is_collection(value: Any) -> bool:
    return isinstance(value, (list, dict))


def is_sequence(value: Any) -> bool:
    """Tuples, lists and sets: the values ``for`` expressions and ``concat`` walk in order."""
    return isinstance(value, list)


def iter_unknowns(value: Any) -> Any:
    """Yield every :class:`Unk` inside ``value``, depth first."""
    if isinstance(value, Unk):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from iter_unknowns(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from iter_unknowns(item)


def first_unknown(value: Any) -> Unk | None:
    return next(iter_unknowns(value), None)


def is_wholly_known(value: Any) -> bool:
    return first_unknown(value) is None


# -- unification -------------------------------------------------------------------------


def _has_dynamic(ty: Type) -> bool:
    if ty == DYNAMIC:
        return True
    if isinstance(ty, str):
        return False
    if ty[0] in ("list", "set", "map"):
        return _has_dynamic(ty[1])
    if ty[0] == "tuple":
        return any(_has_dynamic(t) for t in ty[1])
    return any(_has_dynamic(t) for _, t in ty[1])


def _generality(ty: Type) -> int:
    """Preference when several unification candidates work: strings absorb numbers and bools."""
    if ty == DYNAMIC:
        return -1
    if ty == STRING:
        return 3
    if isinstance(ty, str):
        return 1
    if ty[0] in ("list", "set", "map"):
        return 10 + _generality(ty[1])
    return 0


def can_convert(src: Type, dst: Type) -> bool:
    """Whether Terraform has a (possibly failing) conversion from ``src`` to ``dst``."""
    if src == dst or src == DYNAMIC or dst == DYNAMIC:
        return True
    if isinstance(dst, str):
        if not isinstance(src, str):
            return False
        return dst == STRING or src == STRING
    if isinstance(src, str):
        return False
    kind, skind = dst[0], src[0]
    if kind in ("list", "set"):
        if skind in ("list", "set"):
            return can_convert(src[1], dst[1])
        if skind == "tuple":
            if dst[1] == DYNAMIC:
                return unify(list(src[1])) is not None or not src[1]
            return all(can_convert(t, dst[1]) for t in src[1])
        return False
    if kind == "map":
        if skind == "map":
            return can_convert(src[1], dst[1])
        if skind == "object":
            if dst[1] == DYNAMIC:
                return unify([t for _, t in src[1]]) is not None or not src[1]
            return all(can_convert(t, dst[1]) for _, t in src[1])
        return False
    if kind == "tuple":
        return skind == "tuple" and len(src[1]) == len(dst[1]) and all(map(can_convert, src[1], dst[1]))
    if kind == "object":
        if skind == "object":
            have = dict(src[1])
            return all(name in have and can_convert(have[name], t) for name, t in dst[1])
        if skind == "map":
            return all(can_convert(src[1], t) for _, t in dst[1])
    return False


def _unify_objects(types: list[Type]) -> Type | None:
    names = [tuple(name for name, _ in ty[1]) for ty in types]
    if all(n == names[0] for n in names):
        attrs: dict[str, Type] = {}
        for i, name in enumerate(names[0]):
            unified = unify([ty[1][i][1] for ty in types])
            if unified is None:
                return None
            attrs[name] = unified
        return object_type(attrs)
    elem = unify([t for ty in types for _, t in ty[1]])
    return None if elem is None else ("map", elem)


def _unify_tuples(types: list[Type]) -> Type | None:
    lengths = {len(ty[1]) for ty in types}
    if len(lengths) == 1:
        elems = []
        for i in range(lengths.pop()):
            unified = unify([ty[1][i] for ty in types])
            if unified is None:
                return None
            elems.append(unified)
        return ("tuple", tuple(elems))
    elem = unify([t for ty in types for t in ty[1]])
    return None if elem is None else ("list", elem)


def unify(types: list[Type]) -> Type | None:
    """The single type all ``types`` convert to, as Terraform picks it; ``None`` if there is none."""
    concrete = [ty for ty in types if ty != DYNAMIC]
    if not concrete:
        return DYNAMIC
    if all(ty == concrete[0] for ty in concrete):
        return concrete[0]
    kinds = {ty[0] if isinstance(ty, tuple) else ty for ty in concrete}
    if kinds == {"object"}:
        return _unify_objects(concrete)
    if kinds == {"tuple"}:
        return _unify_tuples(concrete)
    if {"object", "tuple"} <= kinds:
        return None
    candidates: list[Type] = []
    for ty in concrete:
        if ty not in candidates:
            candidates.append(ty)
    candidates.sort(key=_generality, reverse=True)
    for candidate in candidates:
        if all(can_convert(ty, candidate) for ty in concrete):
            return candidate
    return None


# -- conversion --------------------------------------------------------------------------


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, str):
        return (0, value)
    if isinstance(value, TFNumber):
        return (1, value.value if not value.is_inf else value.sign * 10**400)
    if isinstance(value, bool):
        return (2, value)
    return (3, 0)


def make_set(items: list[Any], elem_type: Type) -> TFSet | Unk:
    """A set from ``items`` (already converted): de-duplicated and ordered like Terraform."""
    unknown = first_unknown(items)
    if unknown is not None:
        return unknown.refined(ty=("set", elem_type), not_null=True)
    unique: list[Any] = []
    for item in items:
        if not any(equals(item, seen) is True for seen in unique):
            unique.append(item)
    if all(isinstance(item, (str, TFNumber, bool)) for item in unique):
        unique.sort(key=_sort_key)
    return TFSet(unique, elem_type)


def _elements_type(items: list[Any], what: str) -> Type:
    if not items:
        return DYNAMIC
    elem = unify([type_of(item) for item in items])
    if elem is None:
        raise ConversionError(f"cannot convert {what} to {'map' if what == 'object' else 'list'} of any single type")
    return elem


def convert(value: Any, ty: Type) -> Any:
    """Convert ``value`` to ``ty`` as Terraform does, or raise :class:`ConversionError`."""
    if ty == DYNAMIC or value is None:
        return value
    if isinstance(value, Unk):
        if value.ty == ty:
            return value
        return value.refined(ty=ty) if not _has_dynamic(ty) or value.ty == DYNAMIC else value
    if isinstance(ty, str):
        return _convert_primitive(value, ty)
    kind = ty[0]
    if kind in ("list", "set"):
        if not isinstance(value, list):
            raise ConversionError(f"{friendly_type(ty)} required")
        elem = ty[1] if ty[1] != DYNAMIC else _elements_type(list(value), "tuple")
        items = [convert(item, elem) for item in value]
        return TFList(items, elem) if kind == "list" else make_set(items, elem)
    if kind == "map":
        if not isinstance(value, dict):
            raise ConversionError(f"{friendly_type(ty)} required")
        elem = ty[1] if ty[1] != DYNAMIC else _elements_type(list(value.values()), "object")
        return TFMap({key: convert(item, elem) for key, item in value.items()}, elem)
    if kind == "tuple":
        if not isinstance(value, list) or len(value) != len(ty[1]):
            raise ConversionError(f"tuple with {len(ty[1])} elements required")
        return [convert(item, elem) for item, elem in zip(value, ty[1])]
    if not isinstance(value, dict):
        raise ConversionError("object required")
    result = {}
    for name, attr_ty in ty[1]:
        if name not in value:
            raise ConversionError(f'attribute "{name}" is required')
        result[name] = convert(value[name], attr_ty)
    return result


def _convert_primitive(value: Any, ty: str) -> Any:
    if ty == STRING:
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, TFNumber):
            return value.to_text()
        raise ConversionError("string required")
    if ty == NUMBER:
        if isinstance(value, TFNumber):
            return value
        if isinstance(value, str):
            try:
                return TFNumber.parse(value)
            except NumberError:
                raise ConversionError(
                    f'cannot convert "{value}" to number; given string must be a decimal representation of a number'
                ) from None
        raise ConversionError("number required")
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value in ("true", "1"):
            return True
        if value in ("false", "0"):
            return False
        raise ConversionError(f'cannot convert "{value}" to bool; only the strings "true" or "false" are allowed')
    raise ConversionError("bool required")


# -- equality ----------------------------------------------------------------------------

UNKNOWN_RESULT: Final = object()
"""Returned by :func:`equals` when Terraform cannot decide equality before apply."""


def equals(a: Any, b: Any) -> bool | object:
    """Terraform's ``==``: types must match; returns :data:`UNKNOWN_RESULT` when undecidable."""
    if isinstance(a, Unk) or isinstance(b, Unk):
        return _equals_unknown(a, b)
    if a is None or b is None:
        return a is None and b is None
    ta, tb = type_of(a), type_of(b)
    if ta != tb:
        if _has_dynamic(ta) or _has_dynamic(tb):
            return UNKNOWN_RESULT if first_unknown(a) or first_unknown(b) else _loose_equal(a, b)
        return False
    return _loose_equal(a, b)


def _equals_unknown(a: Any, b: Any) -> bool | object:
    unk, other = (a, b) if isinstance(a, Unk) else (b, a)
    if other is None and unk.not_null:
        return False
    if isinstance(other, str) and unk.prefix and not other.startswith(unk.prefix):
        return False
    if not isinstance(other, Unk) and other is not None:
        known_ty = type_of(other)
        if unk.ty != DYNAMIC and not _has_dynamic(known_ty) and not _has_dynamic(unk.ty) and unk.ty != known_ty:
            return False
    return UNKNOWN_RESULT


def _loose_equal(a: Any, b: Any) -> bool | object:
    """Structural comparison once the types are known to agree."""
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return False
        return _combine(equals(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return False
        return _combine(equals(a[k], b[k]) for k in a)
    if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
        return False
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    return bool(a == b)


def _combine(results: Any) -> bool | object:
    undecided = False
    for result in results:
        if result is False:
            return False
        if result is UNKNOWN_RESULT:
            undecided = True
    return UNKNOWN_RESULT if undecided else True


# -- strings -----------------------------------------------------------------------------


def nfc(value: Any) -> Any:
    """Terraform stores every string in Unicode NFC form (``"e\\u0301"`` is ``"é"``)."""
    if isinstance(value, str):
        return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)
    if isinstance(value, TFList):
        return TFList([nfc(item) for item in value], value.elem_type)
    if isinstance(value, TFSet):
        return TFSet([nfc(item) for item in value], value.elem_type)
    if isinstance(value, TFMap):
        return TFMap({nfc(k): nfc(v) for k, v in value.items()}, value.elem_type)
    if isinstance(value, list):
        return [nfc(item) for item in value]
    if isinstance(value, dict):
        return dict(sorted((nfc(k), nfc(v)) for k, v in value.items()))
    return value


# -- crossing the public boundary -------------------------------------------------------


def from_python(value: Any) -> Any:
    """Turn a caller's plain value (or :class:`Unknown`) into an internal value."""
    if isinstance(value, Unknown):
        return Unk(value)
    if isinstance(value, (Unk, TFNumber, TFList, TFSet, TFMap)) or value is None:
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, (int, float)):
        return TFNumber.from_python(value)
    if isinstance(value, (list, tuple)):
        return [from_python(item) for item in value]
    if isinstance(value, dict):
        return {str(key): from_python(item) for key, item in sorted(value.items())}
    raise TypeError(f"cannot use {type(value).__name__} as a Terraform value")


def to_python(value: Any) -> Any:
    """Turn an internal value into plain Python (numbers become int/float, unknowns Unknown)."""
    if isinstance(value, Unk):
        return value.origin
    if isinstance(value, TFNumber):
        return value.to_python()
    if isinstance(value, list):
        return [to_python(item) for item in value]
    if isinstance(value, dict):
        return {key: to_python(item) for key, item in value.items()}
    return value
