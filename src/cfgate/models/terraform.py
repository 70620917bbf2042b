"""Terraform entities: blocks and attributes with their locations.

A literal is a typed value. Anything that is not a literal (``var.x``, ``local.y``, calls,
templates with interpolation) is an :class:`~cfgate.models.values.Unknown` that carries the
expression text, until the Terraform evaluator resolves it. ``node`` keeps the parse-tree
expression so that evaluation never re-parses a file.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .base import Model
from .location import Location
from .values import Origin


class TfAttribute(Model):
    name: str
    value: Any  # int | float | str | bool | None | list | dict | Unknown
    expr: str  # source text of the expression, as written
    location: Location
    origins: tuple[Origin, ...] = ()  # how an evaluated value was reached (var.x set in staging.tfvars:3)
    node: Any = Field(default=None, exclude=True, repr=False)  # hcl2 expression rule, for the evaluator


class TfBlock(Model):
    """A block: ``resource``, ``data``, ``variable``, ``locals``, ``module``, ``output``, or a nested block."""

    kind: str
    labels: tuple[str, ...] = ()
    attributes: dict[str, TfAttribute] = Field(default_factory=dict)
    blocks: tuple["TfBlock", ...] = ()
    location: Location
    duplicates: tuple[TfAttribute, ...] = ()  # earlier, overridden occurrences of a repeated attribute (Terraform rejects these)

    @property
    def address(self) -> str:
        """Terraform-style address: ``google_vpc_access_connector.connector``, ``var.x``, ``module.vpc``."""
        if self.kind == "resource" and len(self.labels) >= 2:
            return f"{self.labels[0]}.{self.labels[1]}"
        if self.kind == "data" and len(self.labels) >= 2:
            return f"data.{self.labels[0]}.{self.labels[1]}"
        if self.kind == "variable" and self.labels:
            return f"var.{self.labels[0]}"
        if self.kind == "module" and self.labels:
            return f"module.{self.labels[0]}"
        return ".".join((self.kind, *self.labels))

    def nested(self, kind: str) -> list["TfBlock"]:
        return [b for b in self.blocks if b.kind == kind]


class TfFile(Model):
    """A parsed ``.tf`` file, or a ``.tfvars`` file (whose top-level attributes are variable values)."""

    path: str
    is_tfvars: bool = False
    blocks: tuple[TfBlock, ...] = ()
    attributes: dict[str, TfAttribute] = Field(default_factory=dict)  # tfvars assignments
    source: str = Field(default="", repr=False, exclude=True)  # the parsed text: expression positions index into it
