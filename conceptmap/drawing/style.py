"""How each kind of node looks, wherever a map is drawn (HTML page, SVG, exports).

Kinds are told apart by outline as well as by colour, so that a reader who cannot
tell red from green (or sees the map printed in grey) still can: every pair of kinds
differs in silhouette (ellipse, box with square or rounded corners, pill) or in the line
around it (solid, dashed, dotted; heavy for the topic and decisions). Within one
silhouette the fills are also far apart after simulating deuteranopia and protanopia
(``tests/test_style.py`` measures it). Shapes are vis-network ones that hold their
label inside, so the label sits on its kind's colour.
"""

from __future__ import annotations

from typing import TypedDict


class KindStyle(TypedDict):
    """A kind's look: colours, vis-network shape, outline, label and legend word.

    ``border_width`` is the outline's width in pixels and ``dashes`` its dash pattern
    (dash and gap lengths; empty: a solid line); ``radius`` rounds a ``box``'s corners
    (0: square; half its height or more: a pill); ``text`` and ``font_size`` are the
    label's colour and size on the HTML page.
    """

    color: str
    border: str
    shape: str
    legend: str
    border_width: float
    dashes: tuple[int, ...]
    radius: int
    text: str
    font_size: int


INK = "#1f2328"
DASHED = (8, 4)
DOTTED = (2, 3)


def _style(
    color: str,
    border: str,
    shape: str,
    legend: str,
    *,
    width: float = 1.5,
    dashes: tuple[int, ...] = (),
    radius: int = 0,
    text: str = INK,
    font_size: int = 14,
) -> KindStyle:
    return {"color": color, "border": border, "shape": shape, "legend": legend,
            "border_width": width, "dashes": dashes, "radius": radius, "text": text,
            "font_size": font_size}  # fmt: skip


# The fills of topic, concept, obstacle, proposal and decision also appear in the
# Mermaid diagrams of the RFC drafts (tests/golden/): change them together.
#: One entry per kind, in the legend's order.
KIND_STYLES: dict[str, KindStyle] = {
    # the session's subject: a heavy, rounded box with a large label
    "topic": _style("#f6d365", "#b8860b", "box", "topic", width=4, radius=10, font_size=22),
    # ideas are ellipses: concepts plain, open questions dashed, related topics dotted
    "concept": _style("#cfe3f7", "#5b8bd0", "ellipse", "concepts"),
    # problems have square corners: obstacles solid and thicker, drawbacks dashed,
    # and references (outside the session, like related topics) dotted
    "obstacle": _style("#eda69f", "#c0392b", "box", "obstacles", width=3),
    # what a solution must meet: a box with slightly rounded corners
    "requirement": _style("#c0a473", "#6b5320", "box", "requirements", width=2, radius=6),
    # ways forward are pills: proposals solid, next steps dashed
    "proposal": _style("#bfe8c4", "#2e8b57", "box", "proposals", width=2, radius=18),
    # the outcome: dark, with the heaviest outline of all
    "decision": _style(
        "#2e8b57", "#1d5c39", "ellipse", "decisions", width=4.5, text="#000000", font_size=16
    ),
    "shortcoming": _style("#e19d45", "#7f440c", "box", "shortcomings", width=2, dashes=DASHED),
    "question": _style("#b7a7ec", "#5a3e9e", "ellipse", "questions", width=2, dashes=DASHED),
    "action": _style("#86c7d1", "#1b6f78", "box", "actions", width=2, dashes=DASHED, radius=18),
    "related": _style("#ababab", "#3d4045", "ellipse", "related", width=2, dashes=DOTTED),
    "reference": _style("#ffffff", "#57606a", "box", "references", width=2, dashes=DOTTED),
}

#: Colours told apart for up to eight participants (badges, timeline).
AUTHOR_COLORS = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
)  # fmt: skip
