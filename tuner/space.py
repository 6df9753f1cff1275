"""Configuration spaces: arms that are configurations (a union of named families, each with
zero or more ordered knobs) rather than the values of one number."""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Mapping

import numpy as np

from .errors import ParameterError, ParameterTypeError

FAMILY_KEY = "method"
"""The key of a configuration dict that names its family."""


def _plain_number(value, where: str):
    """``value`` as a Python int or float (a JSON number), refusing what is not a finite
    real number."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterTypeError(f"{where}: knob values are real numbers; got {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value)
    value = float(value)
    if not math.isfinite(value):
        raise ParameterError(f"{where}: knob values must be finite; got {value!r}")
    return value


def _grid(values, where: str) -> tuple:
    """A knob's values: distinct finite numbers, sorted ascending."""
    if isinstance(values, (str, bytes, Mapping)) or not hasattr(values, "__iter__"):
        values = [values]
    grid = sorted(_plain_number(v, where) for v in values)
    if not grid:
        raise ParameterError(f"{where}: a knob needs at least one value")
    if any(a == b for a, b in zip(grid, grid[1:], strict=False)):
        raise ParameterError(f"{where}: knob values must be distinct; got {grid}")
    return tuple(grid)


class ConfigSpace:
    """A union of named families of configurations, each with zero or more ordered knobs.

    A configuration is a plain dict such as ``{"method": "ssor", "omega": 1.6}``: the family's
    name under ``"method"`` and one value per knob. The space enumerates every configuration:
    family by family in the order given, within a family the product of its knobs' grids
    (each sorted ascending, the last knob varying fastest), so that neighbouring
    configurations of a family differ in one knob by one grid step.

    Parameters
    ----------
    families : mapping of str to mapping of str to array_like
        Family name -> {knob name -> values}; ``{}`` for a family without knobs. A
        :class:`ConfigSpace` or the dict of :meth:`to_dict` is accepted too.
    catalog : mapping, optional
        What the families may be: family name -> {knob name -> check}, where ``check(value)``
        returns the value or raises ``ValueError``/``TypeError`` when it is out of range
        (for instance :data:`solvers.METHODS`). With a catalog, an unknown family or knob or a
        value out of range is an error here, at construction; a knob the catalog knows and the
        space leaves out takes the check's ``default`` attribute, if it has one.

    Examples
    --------
    >>> space = ConfigSpace({"cg": {}, "ssor": {"omega": [1.6, 1.2]}})
    >>> len(space), space.families
    (3, ('cg', 'ssor'))
    >>> space.config(1), space.label(2)
    ({'method': 'ssor', 'omega': 1.2}, 'ssor(omega=1.6)')
    >>> space.index({"method": "ssor", "omega": 1.6})
    2
    >>> ConfigSpace(space.to_dict()) == space
    True
    """

    def __init__(self, families, *, catalog=None):
        if isinstance(families, ConfigSpace):
            families = families.to_dict()
        if not isinstance(families, Mapping) or not families:
            raise ParameterTypeError(f"families must be a non-empty mapping of family name to "
                                     f"{{knob: values}}; got {families!r:.200}")
        self._families: dict[str, dict[str, tuple]] = {}
        for name, knobs in families.items():
            if not isinstance(name, str) or not name:
                raise ParameterTypeError(f"family names are non-empty strings; got {name!r}")
            if knobs is None:
                knobs = {}
            if not isinstance(knobs, Mapping):
                raise ParameterTypeError(f"family {name!r}: knobs are a mapping of knob name "
                                         f"to values; got {knobs!r:.200}")
            grids = {}
            for knob, values in knobs.items():
                if not isinstance(knob, str) or not knob or knob == FAMILY_KEY:
                    raise ParameterError(f"family {name!r}: knob names are non-empty strings "
                                         f"other than {FAMILY_KEY!r}; got {knob!r}")
                grids[knob] = _grid(values, f"family {name!r}, knob {knob!r}")
            self._families[name] = grids
        if catalog is not None:
            self._check_catalog(catalog)
        self._configs = []
        self._offsets = [0]
        for name, grids in self._families.items():
            for values in itertools.product(*grids.values()):
                self._configs.append({FAMILY_KEY: name, **dict(zip(grids, values,
                                                                   strict=True))})
            self._offsets.append(len(self._configs))
        self._lookup = {self._key(c): i for i, c in enumerate(self._configs)}

    def _check_catalog(self, catalog) -> None:
        for name, grids in self._families.items():
            known = catalog.get(name)
            if known is None:
                raise ParameterError(f"unknown family {name!r}; the families are "
                                     f"{', '.join(sorted(catalog))}")
            for knob, values in grids.items():
                check = known.get(knob)
                if check is None:
                    allowed = ", ".join(sorted(known)) or "none"
                    raise ParameterError(f"family {name!r} has no knob {knob!r} (its knobs: "
                                         f"{allowed})")
                for v in values:
                    check(v)
            for knob, check in known.items():
                if knob not in grids and hasattr(check, "default"):
                    grids[knob] = (check.default,)
                elif knob not in grids:
                    raise ParameterError(f"family {name!r} needs values of its knob {knob!r}")

    @staticmethod
    def _key(config: Mapping) -> tuple:
        return tuple(sorted((k, v) for k, v in config.items()))

    @property
    def families(self) -> tuple[str, ...]:
        """The family names, in order."""
        return tuple(self._families)

    def knobs(self, family: str) -> dict[str, tuple]:
        """The knobs of ``family`` and their sorted values (a new dict)."""
        return dict(self._families[family])

    def family_range(self, f: int) -> range:
        """The indices of family number ``f``'s configurations."""
        return range(self._offsets[f], self._offsets[f + 1])

    def __len__(self) -> int:
        return len(self._configs)

    def config(self, i: int) -> dict:
        """Configuration ``i`` as a new dict."""
        return dict(self._configs[i])

    def index(self, config: Mapping) -> int:
        """The index of ``config`` (a dict equal to one of the space's configurations)."""
        if not isinstance(config, Mapping):
            raise ParameterTypeError(f"a configuration is a dict; got {config!r:.200}")
        try:
            return self._lookup[self._key(config)]
        except (KeyError, TypeError):
            raise ParameterError(f"{dict(config)!r} is not a configuration of this space "
                                 f"({', '.join(self.families)})") from None

    def label(self, i: int) -> str:
        """Configuration ``i`` as text: ``family`` or ``family(knob=value, ...)``."""
        return config_label(self._configs[i])

    def to_dict(self) -> dict:
        """The space as JSON values: {family: {knob: [values]}}."""
        return {name: {knob: list(values) for knob, values in grids.items()}
                for name, grids in self._families.items()}

    def __eq__(self, other) -> bool:
        return isinstance(other, ConfigSpace) and self.to_dict() == other.to_dict()

    __hash__ = None

    def __repr__(self) -> str:
        return f"ConfigSpace({self.to_dict()!r})"


def config_label(config: Mapping) -> str:
    """``family`` or ``family(knob=value, ...)`` for a configuration dict.

    Examples
    --------
    >>> config_label({"method": "amg", "rebuild": 4}), config_label({"method": "cg"})
    ('amg(rebuild=4)', 'cg')
    """
    knobs = ", ".join(f"{k}={v:g}" for k, v in config.items() if k != FAMILY_KEY)
    return f"{config[FAMILY_KEY]}({knobs})" if knobs else str(config[FAMILY_KEY])
