"""How each kind of node looks, wherever a map is drawn (HTML page, exports)."""

from __future__ import annotations

from typing import TypedDict


class KindStyle(TypedDict):
    """A kind's colour (fill and border), vis-network shape, and legend word."""

    color: str
    border: str
    shape: str
    legend: str


#: One entry per kind, in the legend's order.
KIND_STYLES: dict[str, KindStyle] = {
    "topic": {"color": "#f6d365", "border": "#b8860b", "shape": "box", "legend": "topic"},
    "concept": {"color": "#cfe3f7", "border": "#5b8bd0", "shape": "ellipse", "legend": "concepts"},
    "obstacle": {"color": "#f6b0ab", "border": "#c0392b", "shape": "box", "legend": "obstacles"},
    "requirement": {
        "color": "#fde0b6",
        "border": "#d68910",
        "shape": "hexagon",
        "legend": "requirements",
    },
    "proposal": {"color": "#bfe8c4", "border": "#2e8b57", "shape": "box", "legend": "proposals"},
    "decision": {
        "color": "#2e8b57",
        "border": "#1d5c39",
        "shape": "diamond",
        "legend": "decisions",
    },
    "shortcoming": {
        "color": "#f5c6a5",
        "border": "#b9562b",
        "shape": "triangleDown",
        "legend": "shortcomings",
    },
    "question": {
        "color": "#e2d3f5",
        "border": "#7d4cc0",
        "shape": "ellipse",
        "legend": "questions",
    },
    "action": {"color": "#b9e4e7", "border": "#1f8a93", "shape": "box", "legend": "actions"},
    "related": {"color": "#e6e6e6", "border": "#8a8a8a", "shape": "ellipse", "legend": "related"},
    "reference": {"color": "#ffffff", "border": "#9a9a9a", "shape": "text", "legend": "references"},
}

#: Colours told apart for up to eight participants (badges, timeline).
AUTHOR_COLORS = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
)  # fmt: skip
