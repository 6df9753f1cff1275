"""Row orderings for parallel relaxation: colourings and multicolour renumbering."""

from .coloring import Coloring, color_rows

__all__ = ["Coloring", "color_rows"]
