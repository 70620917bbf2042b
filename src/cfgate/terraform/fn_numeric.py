"""Numeric built-ins: ``max``, ``min``, ``signum``, ``log``, ``pow``, ``parseint``, ``sum``, ``range``."""

from __future__ import annotations

import math
from typing import Any

from .fnutil import DIGITS, FunctionError, int64_arg, int_arg, number, sequence
from .tfnumber import TFNumber
from .tftypes import NUMBER, TFList, convert, friendly_type, type_of


def max_(*nums: TFNumber) -> TFNumber:
    if not nums:
        raise FunctionError("must pass at least one number")
    return max(nums)  # the first of equal maxima, as cty picks it


def min_(*nums: TFNumber) -> TFNumber:
    if not nums:
        raise FunctionError("must pass at least one number")
    return min(nums)


def signum(num: TFNumber) -> TFNumber:
    value = int64_arg(num)
    return number((value > 0) - (value < 0))


def _float_result(value: float) -> TFNumber:
    if math.isnan(value):
        raise FunctionError("the result is not a number (NaN)")
    return TFNumber.from_float(value)


def log(num: TFNumber, base: TFNumber) -> TFNumber:
    def ln(x: float) -> float:
        if x == 0:
            return -math.inf
        if x < 0 or math.isnan(x):
            return math.nan
        return math.log(x)

    top, bottom = ln(num.to_float()), ln(base.to_float())
    if bottom == 0:
        return _float_result(math.copysign(math.inf, top) if top else math.nan)
    if math.isinf(top) and math.isinf(bottom):
        return _float_result(math.nan)
    return _float_result(top / bottom)


def pow_(num: TFNumber, power: TFNumber) -> TFNumber:
    x, y = num.to_float(), power.to_float()
    try:
        return _float_result(math.pow(x, y))
    except OverflowError:
        odd = y == int(y) and int(y) % 2 == 1
        return _float_result(-math.inf if x < 0 and odd else math.inf)
    except ValueError:
        if x == 0 and y < 0:
            odd = y == int(y) and int(y) % 2 == 1
            return _float_result(-math.inf if odd and math.copysign(1, x) < 0 else math.inf)
        raise FunctionError("the result is not a number (NaN)") from None


def parseint(number: Any, base: TFNumber) -> TFNumber:
    if not isinstance(number, str):
        raise FunctionError(f"first argument must be a string, not {friendly_type(type_of(number))}")
    radix = int_arg(base, "base")
    if not 2 <= radix <= 62:
        raise FunctionError("base must be a whole number between 2 and 62 inclusive")
    text = number[1:] if number[:1] in "+-" else number
    if not text:
        raise FunctionError(f'cannot parse "{number}" as a base {radix} integer')
    value = 0
    for char in text:
        digit = DIGITS.find(char.lower() if radix <= 36 else char)
        if digit < 0 or digit >= radix:
            raise FunctionError(f'cannot parse "{number}" as a base {radix} integer')
        value = value * radix + digit
    return TFNumber.from_int(-value if number.startswith("-") else value)


def sum_(items: Any) -> TFNumber:
    seq = sequence(items)
    if not seq:
        raise FunctionError("cannot sum an empty list")
    total: TFNumber | None = None
    for item in seq:
        if item is None:
            raise FunctionError("argument must be list, set, or tuple of number values")
        number = convert(item, NUMBER)
        total = number if total is None else total + number
    assert total is not None
    return total


def range_(*args: TFNumber) -> TFList:
    if not 1 <= len(args) <= 3:
        raise FunctionError("must have one, two, or three arguments")
    zero, one = TFNumber(0), TFNumber(1)
    if len(args) == 1:
        start, limit, step = zero, args[0], one
    elif len(args) == 2:
        start, limit = args
        step = one if start <= limit else -one
    else:
        start, limit, step = args
    if step.sign == 0:
        raise FunctionError("step must not be zero")
    if step.sign < 0 and start < limit:
        raise FunctionError("end must be less than start when step is negative")
    if step.sign > 0 and limit < start:
        raise FunctionError("end must be greater than start when step is positive")
    values: list[TFNumber] = []
    current = start
    while (current < limit) if step.sign > 0 else (limit < current):
        if len(values) >= 1024:
            raise FunctionError(
                "more than 1024 values were generated; either decrease the difference between start and end or use a smaller step"
            )
        values.append(current)
        current = current + step
    return TFList(values, NUMBER)
