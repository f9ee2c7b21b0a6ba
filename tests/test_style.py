"""Kinds can be told apart without colour, and their colours survive colour blindness.

Every pair of kinds differs in silhouette or outline, so shape alone tells them apart.
The fills are also compared as a dichromat would see them: each colour goes through
Machado, Oliveira & Fernandes (2009)'s simulation at severity 1.0 (deuteranopia,
protanopia; applied to linear RGB, as in colorspacious), then into CIELAB (D65), and
each pair's CIEDE2000 difference is measured.

Thresholds: a CIEDE2000 difference of about 1 is just noticeable between two large
patches side by side; a reader of a map compares a node with the legend, not with its
neighbour, so a kind's colour needs many times that. Dichromats see only lightness and
a blue-yellow axis, and eleven light fills (dark text must stay readable on them) do
not fit far apart in that plane. So shape is the first cue and colour the second:
every pair of fills must be at least ``ANY_PAIR`` = 8 apart (different at a glance),
and pairs with the same silhouette, which only their line pattern and colour separate,
at least ``SAME_SILHOUETTE`` = 15.
"""

from __future__ import annotations

import itertools
import math

import pytest

from conceptmap.core.schema import KINDS
from conceptmap.drawing.style import KIND_STYLES, KindStyle

ANY_PAIR = 8.0
SAME_SILHOUETTE = 15.0
#: An outline at least this wide is heavy.
HEAVY = 3.5
PAIRS = list(itertools.combinations(KIND_STYLES, 2))

Lab = tuple[float, float, float]
Matrix = tuple[tuple[float, float, float], ...]
# Machado et al. 2009, severity 1.0, for linear RGB
MACHADO: dict[str, Matrix] = {
    "deuteranopia": ((0.367322, 0.860646, -0.227968),
                     (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "protanopia": ((0.152286, 1.052583, -0.204868),
                   (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
}  # fmt: skip
VISIONS = ["normal", *MACHADO]


def linear_rgb(colour: str) -> tuple[float, float, float]:
    value = int(colour.lstrip("#"), 16)
    channels = [((value >> shift) & 0xFF) / 255 for shift in (16, 8, 0)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return r, g, b


def seen(colour: str, vision: str) -> tuple[float, float, float]:
    """The linear RGB a reader with ``vision`` sees for ``colour``."""
    rgb = linear_rgb(colour)
    if vision == "normal":
        return rgb
    r, g, b = (min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb, strict=True))))
               for row in MACHADO[vision])  # fmt: skip
    return r, g, b


def lab(rgb: tuple[float, float, float]) -> Lab:
    r, g, b = rgb
    xyz = (
        (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047,
        0.2126729 * r + 0.7151522 * g + 0.0721750 * b,
        (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883,
    )
    fx, fy, fz = (t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116 for t in xyz)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def ciede2000(lab1: Lab, lab2: Lab) -> float:
    """CIEDE2000 colour difference (Sharma, Wu & Dalal 2005)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1, h2 = (math.degrees(math.atan2(b, a)) % 360 for a, b in ((a1, b1), (a2, b2)))
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    big_dh = 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))
    l_mean, c_mean = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        h_mean = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_mean = (h1 + h2) / 2
    else:
        h_mean = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_mean - 30)) + 0.24 * math.cos(math.radians(2 * h_mean))
         + 0.32 * math.cos(math.radians(3 * h_mean + 6))
         - 0.20 * math.cos(math.radians(4 * h_mean - 63)))  # fmt: skip
    rotation = -math.sin(math.radians(60 * math.exp(-(((h_mean - 275) / 25) ** 2)))) * (
        2 * math.sqrt(c_mean**7 / (c_mean**7 + 25**7))
    )
    sl = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    sc, sh = 1 + 0.045 * c_mean, 1 + 0.015 * c_mean * t
    dl, dc, dhh = (l2 - l1) / sl, (c2 - c1) / sc, big_dh / sh
    return math.sqrt(dl**2 + dc**2 + dhh**2 + rotation * dc * dhh)


def distance(a: str, b: str, vision: str) -> float:
    colour_a, colour_b = KIND_STYLES[a]["color"], KIND_STYLES[b]["color"]
    return ciede2000(lab(seen(colour_a, vision)), lab(seen(colour_b, vision)))


def silhouette(style: KindStyle) -> tuple[str, str]:
    """The outline's form: the shape, and for a box how round its corners are."""
    if style["shape"] != "box":
        return style["shape"], ""
    radius = style["radius"]
    return "box", "square" if radius == 0 else "rounded" if radius < 15 else "pill"


def line(style: KindStyle) -> tuple[str, bool]:
    """The outline's stroke: solid, dashed or dotted, and whether it is heavy."""
    dashes = style["dashes"]
    pattern = "solid" if not dashes else "dotted" if dashes[0] <= 2 else "dashed"
    return pattern, style["border_width"] >= HEAVY


def test_every_kind_has_a_style_and_a_shape_that_holds_its_label() -> None:
    assert list(KIND_STYLES) == list(KINDS)
    for style in KIND_STYLES.values():
        assert style["shape"] in {"box", "ellipse"}
        assert style["border_width"] > 0


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_every_pair_of_kinds_differs_in_silhouette_or_line(a: str, b: str) -> None:
    sa, sb = KIND_STYLES[a], KIND_STYLES[b]
    assert (silhouette(sa), line(sa)) != (silhouette(sb), line(sb))


def test_decisions_and_the_topic_are_heavier_than_every_other_kind() -> None:
    others = [s for k, s in KIND_STYLES.items() if k not in ("decision", "topic")]
    for kind in ("decision", "topic"):
        style = KIND_STYLES[kind]
        assert line(style)[1], kind
        assert style["border_width"] > max(s["border_width"] for s in others)
        assert style["font_size"] > max(s["font_size"] for s in others)


@pytest.mark.parametrize("vision", VISIONS)
def test_fills_are_far_apart_even_for_colour_blind_readers(vision: str) -> None:
    too_close = []
    for a, b in PAIRS:
        same = silhouette(KIND_STYLES[a]) == silhouette(KIND_STYLES[b])
        need = SAME_SILHOUETTE if same else ANY_PAIR
        if distance(a, b, vision) < need:
            too_close.append((a, b, round(distance(a, b, vision), 1)))
    assert too_close == []


def test_obstacles_and_proposals_differ_in_colour_too() -> None:
    # red against green: the pair red-green colour-blind readers confused
    assert silhouette(KIND_STYLES["obstacle"]) != silhouette(KIND_STYLES["proposal"])
    assert min(distance("obstacle", "proposal", vision) for vision in VISIONS) >= ANY_PAIR


def contrast(fore: str, back: str) -> float:
    """WCAG 2.1 contrast ratio."""
    lum = [0.2126 * r + 0.7152 * g + 0.0722 * b for r, g, b in map(linear_rgb, (fore, back))]
    return (max(lum) + 0.05) / (min(lum) + 0.05)


@pytest.mark.parametrize("kind", KIND_STYLES)
def test_labels_and_outlines_have_enough_contrast(kind: str) -> None:
    style = KIND_STYLES[kind]
    assert contrast(style["text"], style["color"]) >= 4.5  # WCAG AA for text
    assert contrast(style["border"], "#ffffff") >= 3.0  # WCAG 1.4.11: shapes on the page


@pytest.mark.parametrize("kind", [k for k, s in KIND_STYLES.items() if s["dashes"]])
def test_dashed_and_dotted_outlines_stand_out_from_their_fill(kind: str) -> None:
    # the fill shows through the gaps: without contrast the pattern reads as a blur
    style = KIND_STYLES[kind]
    assert contrast(style["border"], style["color"]) >= 3.0


def test_the_colour_helpers_match_published_values() -> None:
    # CIEDE2000 test data of Sharma, Wu & Dalal (2005), pairs 1, 7, 17 and 25
    cases = [
        ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
        ((50, 0, 0), (50, -1, 2), 2.3669),
        ((50, 2.5, 0), (73, 25, -18), 27.1492),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ]
    for lab1, lab2, expected in cases:
        assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert lab(linear_rgb("#ffffff")) == pytest.approx((100, 0, 0), abs=1e-3)
    # a dichromat sees red and green alike: their difference nearly vanishes
    red, green = "#d62728", "#2ca02c"
    normal = ciede2000(lab(seen(red, "normal")), lab(seen(green, "normal")))
    deutan = ciede2000(lab(seen(red, "deuteranopia")), lab(seen(green, "deuteranopia")))
    assert normal > 60
    assert deutan < normal / 3
