"""Small ``ast`` helpers shared by the Python parsers (pool settings and pydantic settings)."""

from __future__ import annotations

import ast


def line_of(node: ast.AST) -> int:
    """A node's 1-based line."""
    return int(getattr(node, "lineno", 1) or 1)


def str_const(node: ast.AST | None) -> str | None:
    """The value of a string literal node, else None."""
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def terminal_name(node: ast.AST | None) -> str | None:
    """``create_engine`` for ``sa.create_engine`` and ``create_engine``; the callee of a decorator call."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def keyword(node: ast.Call, name: str) -> ast.expr | None:
    """The value of a keyword argument, or None."""
    return next((kw.value for kw in node.keywords if kw.arg == name), None)


def argument(node: ast.Call, index: int, name: str) -> ast.expr | None:
    """A call argument given positionally (before any ``*args``) or by keyword."""
    for position, arg in enumerate(node.args):
        if isinstance(arg, ast.Starred):
            break
        if position == index:
            return arg
    return keyword(node, name)
