"""A safe, vectorised evaluator of formulas such as ``exp(-x0**2) * cos(3*x1)``.

The formula is parsed with :mod:`ast` and only numbers, the variables ``x0 .. x{d-1}``, the
constants ``pi`` and ``e``, the operators ``+ - * / **`` and a fixed set of NumPy functions
are accepted; anything else (attributes, calls of other names, subscripts, lambdas, ...) is
refused before anything runs. Nothing is passed to ``eval``.

Every number is a float64, so every operation costs the same whatever its operands: a
gigantic power such as ``9**9**9**9`` is infinite at once (an integer power would be
computed digit by digit for ever), and ``1/0`` is infinite rather than an exception. Long
(over :data:`MAX_LENGTH` characters) or too deeply nested formulas are refused.
"""

from __future__ import annotations

import ast
import functools
import operator
import re
import sys

import numpy as np

FUNCTIONS = {name: getattr(np, name) for name in (
    "exp", "log", "log1p", "expm1", "sqrt", "sin", "cos", "tan", "arcsin", "arccos", "arctan",
    "sinh", "cosh", "tanh", "abs", "sign", "floor", "ceil")}
FUNCTIONS.update({"atan": np.arctan, "asin": np.arcsin, "acos": np.arccos,
                  "min": np.minimum, "max": np.maximum})
VARIADIC = ("min", "max")
"""Functions of two or more arguments (applied pairwise); the others take one."""
CONSTANTS = {"pi": np.float64(np.pi), "e": np.float64(np.e)}
MAX_LENGTH = 10_000
"""Longest formula accepted, in characters."""
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.Pow: operator.pow}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_VARIABLE = re.compile(r"x(\d+)$")


class ExpressionError(ValueError):
    """The formula cannot be parsed or uses something that is not allowed."""


def _shown(text: str, width: int = 60) -> str:
    """``text`` quoted for a message, cut to about ``width`` characters."""
    return repr(text if len(text) <= width else text[:width - 3] + "...")


def _check(node, dim):
    """Refuse every node that is not in the allowed grammar; return the variables used."""
    if isinstance(node, ast.Expression):
        return _check(node.body, dim)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ExpressionError(f"only numbers are allowed as constants; got "
                                  f"{_shown(repr(node.value))}")
        if isinstance(node.value, int) and abs(node.value) > sys.float_info.max:
            raise ExpressionError(f"the number {_shown(str(node.value))} is too large "
                                  f"(numbers are floats, at most about 1.8e308)")
        return set()
    if isinstance(node, ast.Name):
        match = _VARIABLE.match(node.id)
        if match:
            index = int(match.group(1))
            if index >= dim:
                raise ExpressionError(f"{node.id} is not a variable of a {dim}-dimensional "
                                      f"function (x0 .. x{dim - 1})")
            return {index}
        if node.id in CONSTANTS:
            return set()
        raise ExpressionError(f"unknown name {_shown(node.id)}; variables are x0 .. "
                              f"x{dim - 1}, constants {' and '.join(CONSTANTS)}")
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _check(node.left, dim) | _check(node.right, dim)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _check(node.operand, dim)
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = getattr(node.func, "id", ast.unparse(node.func))
            raise ExpressionError(f"unknown function {_shown(name)}; allowed: "
                                  f"{', '.join(sorted(FUNCTIONS))}")
        if node.keywords:
            raise ExpressionError(f"{node.func.id}() takes positional arguments only")
        _check_arity(node.func.id, len(node.args))
        used = set()
        for arg in node.args:
            used |= _check(arg, dim)
        return used
    raise ExpressionError(f"not allowed in a formula: {_shown(ast.unparse(node))}")


def _check_arity(name: str, count: int) -> None:
    """``name`` takes one argument, or two or more for :data:`VARIADIC`."""
    if name in VARIADIC and count < 2:
        raise ExpressionError(f"{name}() takes two or more arguments; got {count}")
    if name not in VARIADIC and count != 1:
        raise ExpressionError(f"{name}() takes one argument; got {count}")


def _evaluate(node, X):
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, X)
    if isinstance(node, ast.Constant):
        return np.float64(node.value)
    if isinstance(node, ast.Name):
        match = _VARIABLE.match(node.id)
        return X[:, int(match.group(1))] if match else CONSTANTS[node.id]
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_evaluate(node.left, X), _evaluate(node.right, X))
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_evaluate(node.operand, X))
    args = [_evaluate(a, X) for a in node.args]
    function = FUNCTIONS[node.func.id]
    return functools.reduce(function, args) if node.func.id in VARIADIC else function(args[0])


def _parse(text: str) -> ast.Expression:
    """The syntax tree of ``text``, or :class:`ExpressionError` saying why there is none."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the formula has {len(text)} characters; at most {MAX_LENGTH} "
                              f"are allowed")
    try:
        return ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"cannot parse {_shown(text)}: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError(f"cannot parse {_shown(text)}: it is nested too deeply") \
            from None


def compile_expression(text: str, dim: int):
    """A function of an (n, dim) array returning the formula's n values.

    Examples
    --------
    >>> f = compile_expression("exp(-x0**2) * cos(3*x1)", 2)
    >>> f(np.array([[0.0, 0.0], [1.0, np.pi / 3]])).round(6).tolist()
    [1.0, -0.367879]
    >>> compile_expression("__import__('os')", 1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cli.expression.ExpressionError: unknown function '__import__'; allowed: ...
    >>> compile_expression("9**9**9**9", 1)(np.zeros((1, 1))).tolist()   # floats: at once
    [inf]
    """
    if int(dim) < 1:
        raise ExpressionError(f"the dimension must be >= 1; got {dim}")
    tree = _parse(text)
    try:
        _check(tree, int(dim))
    except RecursionError:
        raise ExpressionError(f"{_shown(text)} is nested too deeply") from None

    def f(X):
        X = np.asarray(X, dtype=np.float64)
        with np.errstate(all="ignore"):
            try:
                value = _evaluate(tree, X)
            except RecursionError:
                raise ExpressionError(f"{_shown(text)} is nested too deeply") from None
        return np.broadcast_to(np.asarray(value, dtype=np.float64), (X.shape[0],)).copy()

    return f
