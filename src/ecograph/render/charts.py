"""Inline SVG charts for the territorial report: horizontal bars and a labelled heat map.

Why SVG built with ElementTree: the report must work offline, print sharply and never run
script, and every label (an actor type, a sector, a domain) may come from user data. ElementTree
escapes every text node and attribute value it writes, so no label can close a tag or open an
attribute; no string of markup is ever concatenated from user text here. Labels also lose
their control characters and bidi overrides, and are isolated in tooltips
(:mod:`ecograph.safetext`), so a U+202E in a sector name reverses nothing. The charts need no
JavaScript and no stylesheet: colours, fonts and sizes are attributes, so they survive printing
and copying into another document.

Colours: the Okabe–Ito palette (safe for the common colour-vision deficiencies) for categories,
and a single-hue blue ramp (ColorBrewer "Blues", readable in greyscale) for the heat map, whose
cells also print their values, so no reading depends on colour alone.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence

# One colour per sector, shared with the map so a sector looks the same in both.
from ecograph.render.style import OTHER as OTHER_COLOUR
from ecograph.render.style import SECTOR_COLOURS
from ecograph.safetext import clean, isolate

__all__ = [
    "OKABE_ITO",
    "OTHER_COLOUR",
    "SECTOR_COLOURS",
    "bar_chart",
    "contrast",
    "heat_map",
    "ink_on",
    "ramp_colour",
]

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"
TEXT = "#1a1a1a"

#: Okabe & Ito (2008), "Color Universal Design": distinguishable with any colour vision.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
DEFAULT_BAR = "#0072B2"
#: ColorBrewer Blues, 9 classes, light to dark.
BLUES = (
    "#f7fbff",
    "#deebf7",
    "#c6dbef",
    "#9ecae1",
    "#6baed6",
    "#4292c6",
    "#2171b5",
    "#08519c",
    "#08306b",
)

CHAR_WIDTH = 7.8  # generous advance of a 13 px sans-serif character, for layout only
MAX_LABEL_CHARS = 40


def svg_root(width: float, height: float, title: str) -> ET.Element:
    """The root element: sized, labelled for screen readers, with a ``<title>``."""
    root = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "width": _n(width),
            "height": _n(height),
            "viewBox": f"0 0 {_n(width)} {_n(height)}",
            "role": "img",
            "aria-label": title,
            "font-family": FONT,
            "font-size": "13",
            "class": "chart",
        },
    )
    ET.SubElement(root, "title").text = title
    return root


def _n(value: float) -> str:
    """A coordinate without useless decimals."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _short(label: str, limit: int = MAX_LABEL_CHARS) -> str:
    label = clean(label)
    return label if len(label) <= limit else label[: limit - 1] + "…"


def svg_text(parent: ET.Element, x: float, y: float, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, "text", {"x": _n(x), "y": _n(y), "fill": TEXT, **attributes})
    element.text = text
    return element


def svg_string(root: ET.Element) -> str:
    return ET.tostring(root, encoding="unicode")


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    value_text: Callable[[float], str] = lambda v: f"{v:g}",
    colours: Sequence[str] | None = None,
    maximum: float | None = None,
    width: float = 640,
    bar_height: float = 20,
) -> str:
    """Horizontal bars, one per ``(label, value)``, label on the left and value at the end.

    Parameters
    ----------
    items : sequence of (str, float)
        In the order to draw them (callers sort). Labels are user text: they are escaped.
    title : str
        Read by screen readers and shown as a tooltip.
    value_text : callable
        Writes a value in the reader's language (``12 345``, ``42 %``).
    colours : sequence of str, optional
        One colour per bar; a single blue by default.
    maximum : float, optional
        The value of a full-length bar (default: the largest value), e.g. 1.0 for shares.

    Returns
    -------
    str
        An ``<svg>`` element to place inline in HTML.
    """
    labels = [_short(label) for label, _ in items]
    label_width = max((len(label) for label in labels), default=0) * CHAR_WIDTH + 12
    value_width = 90
    gap = 6
    height = max(len(items), 1) * (bar_height + gap) + gap
    root = svg_root(width, height, title)
    top = maximum if maximum is not None else max((v for _, v in items), default=0)
    span = width - label_width - value_width
    for i, ((label, value), short) in enumerate(zip(items, labels, strict=True)):
        y = gap + i * (bar_height + gap)
        group = ET.SubElement(root, "g")
        ET.SubElement(group, "title").text = f"{isolate(label)}: {value_text(value)}"
        svg_text(group, label_width - 8, y + bar_height * 0.72, short, **{"text-anchor": "end"})
        length = span * value / top if top > 0 and value > 0 else 0
        colour = colours[i] if colours else DEFAULT_BAR
        ET.SubElement(
            group,
            "rect",
            {
                "x": _n(label_width),
                "y": _n(y),
                "width": _n(length),
                "height": _n(bar_height),
                "fill": colour,
                "stroke": "#333333",
                "stroke-width": "0.5",
            },
        )
        svg_text(group, label_width + length + 6, y + bar_height * 0.72, value_text(value))
    return svg_string(root)


def ramp_colour(share: float) -> str:
    """The Blues class of a share in [0, 1] (0 → lightest)."""
    share = min(max(share, 0.0), 1.0)
    return BLUES[min(int(share * len(BLUES)), len(BLUES) - 1)]


def _luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def ink_on(fill: str) -> str:
    """White or near-black text, whichever contrasts more with ``fill``."""
    return "#ffffff" if contrast(fill, "#ffffff") > contrast(fill, TEXT) else TEXT


def heat_map(
    labels: Sequence[str],
    counts: Sequence[Sequence[int]],
    shares: Sequence[Sequence[float]],
    *,
    title: str,
    legend: str,
    cell_text: Callable[[int, float], tuple[str, str]],
    share_text: Callable[[float], str],
    cell: float = 78,
) -> str:
    """A square matrix of labelled cells, coloured by ``shares[i][j]``.

    Each cell prints two lines from ``cell_text(count, share)`` (e.g. "12" and "35 %"), so the
    matrix reads in black and white. Column labels are slanted to fit long sector names.
    ``legend`` captions the colour scale drawn under the matrix.
    """
    names = [_short(label, 30) for label in labels]
    longest = max((len(name) for name in names), default=0) * CHAR_WIDTH
    left = longest + 14
    top = longest * 0.72 + 20
    size = len(labels) * cell
    legend_height = 64
    width = left + size + max(longest * 0.72 - cell / 2, 0) + 24
    height = top + size + legend_height
    root = svg_root(width, height, title)
    for j, name in enumerate(names):
        x = left + (j + 0.5) * cell
        svg_text(
            root,
            x,
            top - 8,
            name,
            **{"text-anchor": "start", "transform": f"rotate(-45 {_n(x)} {_n(top - 8)})"},
        )
    for i, name in enumerate(names):
        y = top + i * cell
        svg_text(root, left - 8, y + cell / 2 + 4, name, **{"text-anchor": "end"})
        for j in range(len(labels)):
            x = left + j * cell
            share = float(shares[i][j])
            group = ET.SubElement(root, "g")
            first, second = cell_text(int(counts[i][j]), share)
            title = f"{isolate(labels[i])} × {isolate(labels[j])}: {first} ({second})"
            ET.SubElement(group, "title").text = title
            ET.SubElement(
                group,
                "rect",
                {
                    "x": _n(x),
                    "y": _n(y),
                    "width": _n(cell),
                    "height": _n(cell),
                    "fill": ramp_colour(share),
                    "stroke": "#ffffff",
                    "stroke-width": "2",
                },
            )
            ink = ink_on(ramp_colour(share))
            for line, (text, dy, weight) in enumerate(
                ((first, -2, "bold"), (second, 14, "normal"))
            ):
                svg_text(
                    group,
                    x + cell / 2,
                    y + cell / 2 + dy,
                    text,
                    **{
                        "text-anchor": "middle",
                        "fill": ink,
                        "font-weight": weight,
                        "class": f"cell-line-{line}",
                    },
                )
    _legend(root, left, top + size + 14, min(size, 360), legend, share_text)
    return svg_string(root)


def _legend(
    root: ET.Element,
    x: float,
    y: float,
    width: float,
    caption: str,
    share_text: Callable[[float], str],
) -> None:
    step = width / len(BLUES)
    for k, colour in enumerate(BLUES):
        ET.SubElement(
            root,
            "rect",
            {
                "x": _n(x + k * step),
                "y": _n(y),
                "width": _n(step),
                "height": "10",
                "fill": colour,
                "stroke": "#999999",
                "stroke-width": "0.5",
            },
        )
    svg_text(root, x, y + 24, share_text(0.0), **{"font-size": "11"})
    svg_text(root, x + width, y + 24, share_text(1.0), **{"font-size": "11", "text-anchor": "end"})
    svg_text(root, x, y + 40, caption, **{"font-size": "11"})
