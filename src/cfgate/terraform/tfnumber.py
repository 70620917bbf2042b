"""Terraform numbers: binary floating point with a per-value mantissa precision.

Terraform (through go-cty) keeps every number as a Go ``big.Float``. A number literal or a
string converted to a number gets a 512-bit mantissa, an integer produced by a built-in
function gets 64 bits, and a result of ``pow``/``log`` (computed with float64) gets 53 bits.
Arithmetic keeps the larger precision of its operands, and numbers print as the *shortest*
decimal that reads back to the same value at that precision. That is why Terraform prints
``0.1 + 0.2`` as ``0.3`` and ``10 / 3`` with 155 digits.

:class:`TFNumber` reproduces that model exactly with Python integers and fractions, so
``tostring()``, template interpolation and ``jsonencode()`` print what Terraform prints.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Final

LITERAL_PREC: Final = 512
"""Mantissa bits of a number parsed from text (HCL literals, string conversion)."""
INT_PREC: Final = 64
"""Mantissa bits of an integer created by a function (``length``, ``signum``...)."""
FLOAT64_PREC: Final = 53
"""Mantissa bits of a float64 result (``pow``, ``log``)."""


class NumberError(ValueError):
    """An arithmetic operation Terraform refuses (0/0, inf - inf, a malformed literal)."""


def _round_to_prec(value: Fraction, prec: int) -> Fraction:
    """Round ``value`` to ``prec`` significant bits, ties to even (Go's default mode)."""
    if value == 0:
        return value
    den = value.denominator
    if den & (den - 1) == 0 and abs(value.numerator).bit_length() <= prec:
        return value  # already exact at this precision: an integer or a short dyadic fraction (the common case)
    sign = -1 if value < 0 else 1
    num, den = abs(value.numerator), value.denominator
    # Choose the shift so that the integer quotient has exactly ``prec`` bits.
    shift = prec - (num.bit_length() - den.bit_length())
    while True:
        scaled_num = num << shift if shift >= 0 else num
        scaled_den = den if shift >= 0 else den << -shift
        mant, rem = divmod(scaled_num, scaled_den)
        if mant.bit_length() > prec:
            shift -= 1
        elif mant.bit_length() < prec:
            shift += 1
        else:
            break
    twice = 2 * rem
    if twice > scaled_den or (twice == scaled_den and mant & 1):
        mant += 1
    result = Fraction(mant) / (1 << shift) if shift >= 0 else Fraction(mant << -shift)
    return sign * result


def _mantissa_exponent(value: Fraction) -> tuple[int, int]:
    """Return ``(m, e)`` with ``|value| == m * 2**e`` and ``m`` odd; value must be dyadic."""
    num, den = abs(value.numerator), value.denominator
    if den & (den - 1):
        raise AssertionError("value is not a binary fraction")
    exp = -(den.bit_length() - 1)
    trailing = (num & -num).bit_length() - 1
    return num >> trailing, exp + trailing


def _min_prec(value: Fraction) -> int:
    """Bits needed to hold ``value`` exactly (Go's ``Float.MinPrec``)."""
    if value == 0:
        return 0
    mant, _ = _mantissa_exponent(value)
    return mant.bit_length()


class _Decimal:
    """A decimal digit string with a point position: value = 0.<digits> * 10**exp."""

    def __init__(self, digits: str, exp: int) -> None:
        stripped = digits.rstrip("0")
        self.digits = stripped
        self.exp = exp if stripped else 0

    @classmethod
    def of_dyadic(cls, mant: int, exp2: int) -> _Decimal:
        """Exact decimal of ``mant * 2**exp2`` (``mant`` > 0)."""
        if exp2 >= 0:
            text = str(mant << exp2)
            return cls(text, len(text))
        text = str(mant * 5**-exp2)
        return cls(text, len(text) + exp2)

    def at(self, i: int) -> str:
        return self.digits[i] if 0 <= i < len(self.digits) else "0"

    def round_down(self, n: int) -> None:
        self.__init__(self.digits[:n], self.exp)  # type: ignore[misc]

    def round_up(self, n: int) -> None:
        head = self.digits[:n]
        while head and head[-1] == "9":
            head = head[:-1]
        if not head:
            self.__init__("1", self.exp + 1)  # type: ignore[misc]
            return
        self.__init__(head[:-1] + str(int(head[-1]) + 1), self.exp)  # type: ignore[misc]

    def round_nearest(self, n: int) -> None:
        if n >= len(self.digits):
            return
        if self.digits[n] == "5" and n + 1 == len(self.digits):
            up = n > 0 and int(self.digits[n - 1]) % 2 == 1
        else:
            up = self.digits[n] >= "5"
        if up:
            self.round_up(n)
        else:
            self.round_down(n)


def _shortest_decimal(value: Fraction, prec: int) -> _Decimal:
    """Shortest decimal that rounds back to ``value`` at ``prec`` bits (Go's ``Text('f', -1)``)."""
    mant, exp2 = _mantissa_exponent(value)
    result = _Decimal.of_dyadic(mant, exp2)
    # Normalise to prec+1 bits so the lowest bit is half an ulp at this precision.
    shift = mant.bit_length() - (prec + 1)
    half_ulp_mant = mant >> shift if shift > 0 else mant << -shift
    exp2 += shift
    lower = _Decimal.of_dyadic(half_ulp_mant - 1, exp2)
    upper = _Decimal.of_dyadic(half_ulp_mant + 1, exp2)
    inclusive = half_ulp_mant & 2 == 0
    for i, digit in enumerate(result.digits):
        low, high = lower.at(i), upper.at(i)
        ok_down = low != digit or (inclusive and i + 1 == len(lower.digits))
        ok_up = digit != high and (inclusive or int(digit) + 1 < int(high) or i + 1 < len(upper.digits))
        if ok_down and ok_up:
            result.round_nearest(i + 1)
            break
        if ok_down:
            result.round_down(i + 1)
            break
        if ok_up:
            result.round_up(i + 1)
            break
    return result


def _format_fixed(dec: _Decimal, frac_digits: int | None) -> str:
    """Go's ``%f`` layout of a decimal; ``None`` means "as many digits as there are"."""
    if frac_digits is None:
        frac_digits = max(len(dec.digits) - dec.exp, 0)
    if dec.exp > 0:
        whole = dec.digits[: dec.exp].ljust(dec.exp, "0")
    else:
        whole = "0"
    if frac_digits <= 0:
        return whole
    return whole + "." + "".join(dec.at(dec.exp + i) for i in range(frac_digits))


class TFNumber:
    """An immutable Terraform number: exact binary value, precision, and signed zero/infinity."""

    __slots__ = ("_inf", "_negzero", "prec", "value")

    value: Fraction
    prec: int

    def __init__(self, value: Fraction | int, prec: int = LITERAL_PREC, *, inf: int = 0, negzero: bool = False):
        self.value = Fraction(value)
        self.prec = prec
        self._inf = inf
        self._negzero = negzero and self.value == 0 and not inf

    # -- construction -------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> TFNumber:
        """Parse decimal text the way cty's ``ParseNumberVal`` does (512 bits, ties to even)."""
        cleaned = text.strip()
        if cleaned != text or not cleaned or "_" in cleaned or "/" in cleaned:
            raise NumberError(f"cannot parse {text!r} as a number")
        if cleaned.lstrip("+-") in {"Inf", "inf"}:
            return cls.infinity(-1 if cleaned.startswith("-") else 1)
        try:
            exact = Fraction(cleaned)
        except (ValueError, ZeroDivisionError) as exc:
            raise NumberError(f"cannot parse {text!r} as a number") from exc
        return cls(_round_to_prec(exact, LITERAL_PREC), LITERAL_PREC, negzero=cleaned.startswith("-"))

    @classmethod
    def from_int(cls, value: int, prec: int = INT_PREC) -> TFNumber:
        """An integer as a Go function returns it (``NumberIntVal``: at least 64 bits)."""
        return cls(value, max(prec, abs(value).bit_length()))

    @classmethod
    def from_float(cls, value: float) -> TFNumber:
        """A float64 result (``NumberFloatVal``: 53 bits)."""
        if math.isnan(value):
            raise NumberError("NaN is not a valid number")
        if math.isinf(value):
            return cls.infinity(1 if value > 0 else -1)
        return cls(Fraction(value), FLOAT64_PREC, negzero=math.copysign(1.0, value) < 0)

    @classmethod
    def from_python(cls, value: float) -> TFNumber:
        """A Python number handed in by a caller, treated like an HCL literal."""
        if isinstance(value, int):
            return cls(_round_to_prec(Fraction(value), LITERAL_PREC), LITERAL_PREC)
        if math.isinf(value):
            return cls.infinity(1 if value > 0 else -1)
        return cls.parse(repr(value))

    @classmethod
    def infinity(cls, sign: int) -> TFNumber:
        return cls(0, LITERAL_PREC, inf=1 if sign > 0 else -1)

    # -- predicates ---------------------------------------------------------------------
    @property
    def is_inf(self) -> bool:
        return self._inf != 0

    @property
    def is_integer(self) -> bool:
        return not self._inf and self.value.denominator == 1

    @property
    def sign(self) -> int:
        if self._inf:
            return self._inf
        if self.value == 0:
            return 0
        return 1 if self.value > 0 else -1

    def _key(self) -> tuple[int, Fraction]:
        return (self._inf, self.value if not self._inf else Fraction(0))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TFNumber) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __lt__(self, other: TFNumber) -> bool:
        return self._key() < other._key()

    def __le__(self, other: TFNumber) -> bool:
        return self == other or self < other

    def __gt__(self, other: TFNumber) -> bool:
        return other < self

    def __ge__(self, other: TFNumber) -> bool:
        return other <= self

    def __repr__(self) -> str:
        return f"TFNumber({self.to_text()}, prec={self.prec})"

    # -- arithmetic ---------------------------------------------------------------------
    def _rounded(self, value: Fraction, prec: int, *, negzero: bool = False) -> TFNumber:
        return TFNumber(_round_to_prec(value, prec), prec, negzero=negzero)

    def __neg__(self) -> TFNumber:
        if self._inf:
            return TFNumber.infinity(-self._inf)
        return TFNumber(-self.value, self.prec, negzero=self.value == 0 and not self._negzero)

    def __abs__(self) -> TFNumber:
        if self._inf:
            return TFNumber.infinity(1)
        return TFNumber(abs(self.value), self.prec)

    def __add__(self, other: TFNumber) -> TFNumber:
        prec = max(self.prec, other.prec)
        if self._inf or other._inf:
            if self._inf and other._inf and self._inf != other._inf:
                raise NumberError("can't compute sum of opposing infinities")
            return TFNumber.infinity(self._inf or other._inf)
        total = self.value + other.value
        both_negzero = total == 0 and self._negzero and other._negzero
        return self._rounded(total, prec, negzero=both_negzero)

    def __sub__(self, other: TFNumber) -> TFNumber:
        return self + (-other)

    def __mul__(self, other: TFNumber) -> TFNumber:
        negative = (self.sign < 0 or self._negzero) != (other.sign < 0 or other._negzero)
        if self._inf or other._inf:
            if self.sign == 0 or other.sign == 0:
                raise NumberError("can't multiply zero by infinity")
            return TFNumber.infinity(-1 if negative else 1)
        product = _round_to_prec(self.value * other.value, LITERAL_PREC)
        prec = max(self.prec, other.prec, _min_prec(product))
        return TFNumber(product, prec, negzero=product == 0 and negative)

    def __truediv__(self, other: TFNumber) -> TFNumber:
        prec = max(self.prec, other.prec)
        negative = (self.sign < 0 or self._negzero) != (other.sign < 0 or other._negzero)
        if self._inf and other._inf:
            raise NumberError("can't divide zero by zero or infinity by infinity")
        if self._inf:
            return TFNumber.infinity(-1 if negative else 1)
        if other._inf:
            return TFNumber(0, prec, negzero=negative)
        if other.value == 0:
            if self.value == 0:
                raise NumberError("can't divide zero by zero or infinity by infinity")
            return TFNumber.infinity(-1 if negative else 1)
        quotient = self.value / other.value
        return self._rounded(quotient, prec, negzero=quotient == 0 and negative)

    def __mod__(self, other: TFNumber) -> TFNumber:
        """cty's modulo: the remainder keeps the dividend's sign (truncated division)."""
        if self._inf or other._inf:
            return self * other
        if other.value == 0:
            return self
        ratio = self / other
        truncated = math.trunc(ratio.value) if not ratio._inf else 0
        work = _round_to_prec(Fraction(truncated), self.prec)
        work = _round_to_prec(other.value * work, self.prec)
        rest = _round_to_prec(self.value - work, self.prec)
        return TFNumber(rest, self.prec)

    def floor(self) -> TFNumber:
        if self._inf:
            return self
        return TFNumber(_round_to_prec(Fraction(math.floor(self.value)), self.prec), self.prec)

    def ceil(self) -> TFNumber:
        if self._inf:
            return self
        return TFNumber(_round_to_prec(Fraction(math.ceil(self.value)), self.prec), self.prec)

    def to_float(self) -> float:
        if self._inf:
            return math.inf * self._inf
        return float(self.value)

    def to_int(self) -> int:
        """The exact integer value; raises :class:`NumberError` for fractions and infinities."""
        if not self.is_integer:
            raise NumberError("value must be a whole number")
        return int(self.value)

    # -- output -------------------------------------------------------------------------
    def to_text(self) -> str:
        """Print the number as Terraform does (``tostring``, templates, ``jsonencode``)."""
        if self._inf:
            return "+Inf" if self._inf > 0 else "-Inf"
        if self.value == 0:
            return "-0" if self._negzero else "0"
        dec = _shortest_decimal(self.value, self.prec)
        text = _format_fixed(dec, None)
        return "-" + text if self.value < 0 else text

    def to_fixed(self, frac_digits: int) -> str:
        """Go's ``%.Nf`` of this number: exact decimal rounded (ties to even) to N places."""
        if self._inf:
            return "+Inf" if self._inf > 0 else "-Inf"
        if self.value == 0:
            text = _format_fixed(_Decimal("", 0), frac_digits)
            return "-" + text if self._negzero else text
        mant, exp2 = _mantissa_exponent(self.value)
        dec = _Decimal.of_dyadic(mant, exp2)
        if dec.exp + frac_digits >= 0:
            dec.round_nearest(dec.exp + frac_digits)
        text = _format_fixed(dec, frac_digits)
        return "-" + text if self.value < 0 else text

    def to_python(self) -> int | float:
        """An ``int`` when the value is integral, else a ``float`` (infinities included)."""
        if self._inf:
            return math.inf * self._inf
        if self.value.denominator == 1:
            return int(self.value)
        return float(self.value)
