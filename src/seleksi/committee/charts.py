"""Simple bar charts drawn on the server as inline SVG, for the report pages.

Decisions worth knowing:

- No JavaScript and nothing fetched: the chart is markup in the page, so it prints, works
  offline and costs no request.
- It reads without colour: every bar has its label and its figure written as text beside it,
  and the chart carries an accessible name and description (`<title>`, `<desc>`). The table
  under each chart holds the same figures; the chart only helps the eye.
- The markup is built with `xml.etree`, which escapes every label, so a formation or site name
  cannot break out of the SVG.
- Horizontal bars, each under its label, so a long label never runs into its bar; the chart
  is 420 units wide and shrinks with the page (`max-width: 100%`), so it reads on a
  360-pixel phone.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.etree import ElementTree

from django.utils.safestring import SafeString

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
WIDTH = 420
FIGURE_WIDTH = 80
ROW_HEIGHT = 40
LABEL_BASELINE = 14
BAR_TOP = 19
BAR_HEIGHT = 16
BAR_COLOUR = "#0b5394"
TEXT_COLOUR = "#1a1a1a"
AXIS_COLOUR = "#c9cfd6"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | Decimal | None
    """the bar's length in the chart's units; None draws no bar (e.g. a rate with no base)"""
    figure: str
    """the value as written beside the bar, e.g. "1.234" or "12,5 %" or "–\""""


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    maximum: int | Decimal | None = None,
) -> SafeString:
    """An SVG of `bars`, longest = `maximum` (by default the largest value): each bar under
    its label, with its figure after it."""
    height = max(len(bars), 1) * ROW_HEIGHT + 4
    svg = ElementTree.Element(
        "svg",
        {
            "xmlns": SVG_NAMESPACE,
            "viewBox": f"0 0 {WIDTH} {height}",
            "width": str(WIDTH),
            "height": str(height),
            "style": "max-width: 100%; height: auto",
            "role": "img",
            "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
            "class": "chart",
            "id": chart_id,
            "font-family": "sans-serif",
            "font-size": "14",
        },
    )
    ElementTree.SubElement(svg, "title", {"id": f"{chart_id}-title"}).text = title
    ElementTree.SubElement(svg, "desc", {"id": f"{chart_id}-desc"}).text = description
    values = [bar.value for bar in bars if bar.value is not None]
    top = maximum if maximum is not None else max(values, default=0)
    room = WIDTH - FIGURE_WIDTH
    ElementTree.SubElement(
        svg,
        "line",
        {"x1": "0.5", "y1": "0", "x2": "0.5", "y2": str(height), "stroke": AXIS_COLOUR},
    )
    for index, bar in enumerate(bars):
        row_top = index * ROW_HEIGHT
        row = ElementTree.SubElement(svg, "g", {"class": "bar"})
        label = ElementTree.SubElement(
            row, "text", {"x": "4", "y": str(row_top + LABEL_BASELINE), "fill": TEXT_COLOUR}
        )
        label.text = bar.label
        length = 0
        if bar.value is not None and top:
            length = int(Decimal(room) * Decimal(bar.value) / Decimal(top))
            length = max(0, min(room, length))
        if length:
            ElementTree.SubElement(
                row,
                "rect",
                {
                    "x": "1",
                    "y": str(row_top + BAR_TOP),
                    "width": str(length),
                    "height": str(BAR_HEIGHT),
                    "fill": BAR_COLOUR,
                },
            )
        figure = ElementTree.SubElement(
            row,
            "text",
            {
                "x": str(length + 8),
                "y": str(row_top + BAR_TOP + BAR_HEIGHT - 3),
                "fill": TEXT_COLOUR,
                "font-weight": "bold",
            },
        )
        figure.text = bar.figure
    return SafeString(ElementTree.tostring(svg, encoding="unicode"))  # etree escaped every text
