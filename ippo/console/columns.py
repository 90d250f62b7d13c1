"""Console columns from other modules, one grouped query each (see ippo.console.selectors)."""

from __future__ import annotations

ALL: list = []
