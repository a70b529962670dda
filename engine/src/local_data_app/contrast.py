"""Colour contrast as WCAG 2.2 measures it, so a brand colour that text cannot be read on is refused.

WCAG's success criterion 1.4.3 (Contrast, Minimum, level AA) asks for a
ratio of at least 4.5:1 between text and its background. The ratio compares
the two colours' relative luminance, computed from their sRGB values as the
standard defines it; no library is needed for ten lines of arithmetic.
"""

from __future__ import annotations

import math
import re

AA_TEXT = 4.5  # WCAG 2.2 AA for text of normal size
WHITE = "#ffffff"
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def channels(colour: str) -> tuple[int, int, int]:
    """The red, green and blue of a ``#rrggbb`` colour, each 0 to 255; ValueError for anything else."""
    if not HEX_COLOUR.fullmatch(colour):
        raise ValueError(f"expected a colour written # and six hexadecimal digits, such as #1d4f91, not {colour!r}")
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def relative_luminance(colour: str) -> float:
    """How light a colour is to the eye, 0 for black to 1 for white (WCAG 2.2's definition)."""

    def linear(value: int) -> float:
        share = value / 255
        return share / 12.92 if share <= 0.04045 else ((share + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(value) for value in channels(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """The contrast ratio of two colours, from 1 (the same) to 21 (black and white), whichever is lighter."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def shown(ratio: float) -> str:
    """A ratio as people read it, rounded down so that a failing one never shows as passing: ``4.49:1``."""
    return f"{math.floor(ratio * 100) / 100:.2f}:1"


def darker_passing(colour: str, against: str = WHITE, needed: float = AA_TEXT) -> str:
    """The same colour darkened in steps until ``against`` on it reaches ``needed``: a fix to suggest."""
    red, green, blue = channels(colour)
    for step in range(100, -1, -1):
        scale = step / 100
        candidate = f"#{round(red * scale):02x}{round(green * scale):02x}{round(blue * scale):02x}"
        if contrast_ratio(candidate, against) >= needed:
            return candidate
    return "#000000"
