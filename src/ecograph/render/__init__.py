"""Rendering: the offline interactive map (:func:`build_map`) and, beside it, the report.

``build_map(projection, ...) -> MapDocument`` is the entry point other modules embed: its
``.html`` is a complete self-contained page, ``.write(path)`` saves it, ``.summary`` says
what was drawn.
"""

from ecograph.render.maps import MapDocument, MapSummary, build_map

__all__ = ["MapDocument", "MapSummary", "build_map"]
