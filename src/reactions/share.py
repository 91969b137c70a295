"""A page's share image (`STEM.share.png`, 1200 x 630, what X, Facebook and LinkedIn show for a
link to it): its headline, its key chart scaled to fit, its source and date.

Drawn offline, in two steps: `compose` lays the picture out as one SVG (the headline split into
lines here, measured by the advance widths of the font that draws it, read from the font file
itself), and `draw` turns it into a PNG with vl-convert (resvg), as the charts' pictures are.
The chart goes in as its own SVG, an image of the picture: scaled, still vector, and none of
its text can become markup of the card. Text is escaped.
"""

from __future__ import annotations

import base64
import os
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

WIDTH, HEIGHT = 1200, 630  # the size the large link previews ask for (1.91:1)
MARGIN = 56
LINE_HEIGHT = 1.18  # of the headline's font size
HEADLINE_SIZES = (60, 54, 48, 44, 40, 36, 32)  # px, the largest that fits is used
SMALL_SIZE = 21  # kicker and footer
ACCENT = "#1f4e79"
INK = "#111111"
MUTED = "#4d4d4d"
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
# Families tried in order, with their regular and bold files: Liberation Sans has Arial's
# metrics, DejaVu Sans is everywhere else. Without either, widths are estimated (AVERAGE_EM).
FAMILIES = (
    ("Liberation Sans", "LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    ("DejaVu Sans", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
)
AVERAGE_EM = 0.6  # a generous average advance, in ems, for a glyph the font does not hold


@dataclass(frozen=True)
class ShareImage:
    """What the card shows; `chart_svg` is "" for a page without a chart."""

    headline: str
    chart_svg: str = ""
    kicker: str = ""  # above the headline (the site's title)
    source: str = ""  # bottom left
    date: str = ""  # bottom right


class FontMetrics:
    """Advance widths of one TrueType font (its `cmap` and `hmtx` tables), per character."""

    def __init__(self, data: bytes) -> None:
        tables = {}
        count = struct.unpack_from(">H", data, 4)[0]
        for index in range(count):
            tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * index)
            tables[tag.decode("latin-1")] = (offset, length)
        self.units = struct.unpack_from(">H", data, tables["head"][0] + 18)[0]
        metrics = struct.unpack_from(">H", data, tables["hhea"][0] + 34)[0]
        start = tables["hmtx"][0]
        self.advances = [struct.unpack_from(">H", data, start + 4 * i)[0] for i in range(metrics)]
        self.glyphs = _character_map(data, tables["cmap"][0])

    def advance(self, character: str) -> float:
        """The character's advance in ems (AVERAGE_EM when the font has no glyph for it)."""
        glyph = self.glyphs.get(ord(character), 0)
        if not glyph:
            return AVERAGE_EM
        return self.advances[min(glyph, len(self.advances) - 1)] / self.units


def _character_map(data: bytes, cmap: int) -> dict[int, int]:
    """Code point -> glyph, from the Unicode subtable of a `cmap` (format 12, else 4)."""
    records = struct.unpack_from(">H", data, cmap + 2)[0]
    subtables = {}
    for index in range(records):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * index)
        subtables[(platform, encoding)] = cmap + offset
    for key in ((3, 10), (0, 4), (0, 6)):
        if key in subtables and struct.unpack_from(">H", data, subtables[key])[0] == 12:
            return _format_12(data, subtables[key])
    for key in ((3, 1), (0, 3), (0, 1), (0, 0)):
        if key in subtables and struct.unpack_from(">H", data, subtables[key])[0] == 4:
            return _format_4(data, subtables[key])
    return {}


def _format_12(data: bytes, at: int) -> dict[int, int]:
    glyphs = {}
    groups = struct.unpack_from(">I", data, at + 12)[0]
    for index in range(groups):
        first, last, glyph = struct.unpack_from(">III", data, at + 16 + 12 * index)
        for offset in range(min(last - first + 1, 0x10000)):
            glyphs[first + offset] = glyph + offset
    return glyphs


def _format_4(data: bytes, at: int) -> dict[int, int]:
    segments = struct.unpack_from(">H", data, at + 6)[0] // 2
    ends = struct.unpack_from(f">{segments}H", data, at + 14)
    starts = struct.unpack_from(f">{segments}H", data, at + 16 + 2 * segments)
    deltas = struct.unpack_from(f">{segments}h", data, at + 16 + 4 * segments)
    ranges_at = at + 16 + 6 * segments
    ranges = struct.unpack_from(f">{segments}H", data, ranges_at)
    glyphs = {}
    for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
        for code in range(start, min(end, 0xFFFE) + 1):
            if ranges[index] == 0:
                glyph = (code + deltas[index]) & 0xFFFF
            else:
                where = ranges_at + 2 * index + ranges[index] + 2 * (code - start)
                glyph = struct.unpack_from(">H", data, where)[0]
                glyph = (glyph + deltas[index]) & 0xFFFF if glyph else 0
            if glyph:
                glyphs[code] = glyph
    return glyphs


@dataclass(frozen=True)
class Font:
    """The family the card is drawn in, and how wide its text is."""

    family: str  # as the SVG names it
    regular: FontMetrics | None
    bold: FontMetrics | None

    def width(self, text: str, size: float, bold: bool = False) -> float:
        metrics = self.bold if bold else self.regular
        if metrics is None:
            return len(text) * AVERAGE_EM * size
        return sum(metrics.advance(character) for character in text) * size


@cache
def font() -> Font:
    """The first family of FAMILIES whose two files are installed; else an estimate."""
    found: dict[str, Path] = {}
    wanted = {name for _, *files in FAMILIES for name in files}
    for folder in FONT_DIRS:
        for root, _, names in os.walk(Path(folder).expanduser()):
            for name in wanted.intersection(names):
                found.setdefault(name, Path(root) / name)
    for family, regular, bold in FAMILIES:
        if regular in found and bold in found:
            try:
                return Font(
                    f"{family}, sans-serif",
                    FontMetrics(found[regular].read_bytes()),
                    FontMetrics(found[bold].read_bytes()),
                )
            except (OSError, KeyError, struct.error):
                continue
    return Font("sans-serif", None, None)


def wrap(
    text: str, width: float, measure: Callable[[str], float], max_lines: int
) -> list[str] | None:
    """The text in lines no wider than `width` (greedy, at spaces), or None when it takes more
    than `max_lines` or a single word is too wide."""
    lines: list[str] = []
    for word in text.split():
        if measure(word) > width:
            return None
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and measure(candidate) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
            if len(lines) > max_lines:
                return None
    return lines


def clipped(text: str, width: float, measure: Callable[[str], float]) -> str:
    """The text, cut at a word and ended with an ellipsis when wider than `width`."""
    text = " ".join(text.split())
    if measure(text) <= width:
        return text
    words = text.split()
    while words and measure(" ".join(words) + "…") > width:
        words.pop()
    if not words:  # one long word: cut it by characters
        cut = text
        while cut and measure(cut + "…") > width:
            cut = cut[:-1]
        return cut + "…" if cut else ""
    return " ".join(words).rstrip(",;:") + "…"


@dataclass(frozen=True)
class Headline:
    lines: list[str]
    size: int

    @property
    def height(self) -> float:
        return len(self.lines) * self.size * LINE_HEIGHT


def fit_headline(text: str, width: float, height: float, max_lines: int) -> Headline:
    """The largest of HEADLINE_SIZES at which the headline fits the box in at most
    `max_lines`; past the smallest, the lines that fit, the last one ending in an ellipsis."""
    drawn = font()
    text = " ".join(text.split())
    size = HEADLINE_SIZES[0]
    for size in HEADLINE_SIZES:

        def measure(part: str, size: int = size) -> float:
            return drawn.width(part, size, bold=True)

        lines = max(1, int(min(max_lines, height // (size * LINE_HEIGHT))))
        found = wrap(text, width, measure, lines)
        if found is not None:
            return Headline(found, size)
    kept: list[str] = []
    words = text.split()
    while words and len(kept) < lines:  # the smallest size: as many lines as fit, then "…"
        line = clipped(words.pop(0), width, measure)
        while words and measure(f"{line} {words[0]}") <= width:
            line = f"{line} {words.pop(0)}"
        kept.append(line)
    if words and kept:
        kept[-1] = clipped(f"{kept[-1]} {' '.join(words)}", width, measure)
    return Headline(kept or [""], size)


SVG_SIZE = re.compile(r"<svg\b[^>]*>", re.DOTALL)


def svg_size(svg: str) -> tuple[float, float]:
    """The width and height of an SVG picture (its root's width and height, else its viewBox)."""
    root = SVG_SIZE.search(svg)
    tag = root.group(0) if root else ""

    def attribute(name: str) -> str:
        found = re.search(rf'\s{name}\s*=\s*"([^"]*)"', tag)
        return found.group(1) if found else ""

    try:
        width, height = float(attribute("width")), float(attribute("height"))
    except ValueError:
        box = attribute("viewBox").replace(",", " ").split()
        try:
            width, height = float(box[2]), float(box[3])
        except (IndexError, ValueError):
            width, height = 720.0, 450.0
    return max(width, 1.0), max(height, 1.0)


@dataclass(frozen=True)
class Layout:
    headline: Headline
    headline_box: tuple[float, float, float]  # x, y (top), width
    chart_box: tuple[float, float, float, float] | None  # x, y, width, height (scaled)


CONTENT_TOP = MARGIN + 44  # below the kicker
CONTENT_BOTTOM = HEIGHT - MARGIN - 30  # above the footer's rule
GAP = 28


def layout(card: ShareImage) -> Layout:
    """Headline above the chart, or beside it: whichever draws the chart larger (above, when
    equal). Without a chart the headline has the card."""
    top = CONTENT_TOP if card.kicker else MARGIN
    inner = WIDTH - 2 * MARGIN
    height = CONTENT_BOTTOM - top
    if not card.chart_svg:
        alone = fit_headline(card.headline, inner, height, 6)
        return Layout(alone, (MARGIN, top + (height - alone.height) / 3, inner), None)
    chart_width, chart_height = svg_size(card.chart_svg)
    above = fit_headline(card.headline, inner, height * 0.5, 3)
    room = height - above.height - GAP
    column = inner * 0.42
    beside = fit_headline(card.headline, column, height, 7)
    candidates = [  # (chart scale, preferred, headline, its box, the chart's box)
        (
            min(inner / chart_width, room / chart_height),
            1,
            Layout(above, (MARGIN, top, inner), (MARGIN, top + above.height + GAP, inner, room)),
        ),
        (
            min((inner - column - GAP) / chart_width, height / chart_height),
            0,
            Layout(
                beside,
                (MARGIN, top, column),
                (MARGIN + column + GAP, top, inner - column - GAP, height),
            ),
        ),
    ]
    scale, _, chosen = max(candidates, key=lambda candidate: candidate[:2])
    assert chosen.chart_box is not None
    x, y, width, box_height = chosen.chart_box
    drawn_width, drawn_height = chart_width * scale, chart_height * scale
    centred = (x + (width - drawn_width) / 2, y + (box_height - drawn_height) / 2)
    return Layout(chosen.headline, chosen.headline_box, (*centred, drawn_width, drawn_height))


def _text(x: float, y: float, text: str, size: float, fill: str, extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}"{extra}>'
        f"{escape(text, quote=False)}</text>"
    )


def compose(card: ShareImage) -> str:
    """The card as one SVG, WIDTH x HEIGHT."""
    drawn = font()
    placed = layout(card)
    inner = WIDTH - 2 * MARGIN
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{escape(drawn.family)}">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<rect width="{WIDTH}" height="10" fill="{ACCENT}"/>',
    ]

    def small(part: str) -> float:
        return drawn.width(part, SMALL_SIZE)

    if card.kicker:
        kicker = clipped(card.kicker, inner, small)
        parts.append(_text(MARGIN, MARGIN + 14, kicker, SMALL_SIZE, ACCENT, ' font-weight="bold"'))
    headline = placed.headline
    x, y, _ = placed.headline_box
    for number, line in enumerate(headline.lines):
        baseline = y + headline.size * (0.9 + LINE_HEIGHT * number)
        parts.append(_text(x, baseline, line, headline.size, INK, ' font-weight="bold"'))
    if placed.chart_box is not None:
        left, top, width, height = placed.chart_box
        picture = base64.b64encode(card.chart_svg.encode("utf-8")).decode("ascii")
        parts.append(
            f'<image x="{left:.1f}" y="{top:.1f}" width="{width:.1f}" height="{height:.1f}" '
            f'preserveAspectRatio="xMidYMid meet" href="data:image/svg+xml;base64,{picture}"/>'
        )
    rule = HEIGHT - MARGIN - 14
    parts.append(f'<rect x="{MARGIN}" y="{rule}" width="{inner}" height="1.5" fill="#c8c8c8"/>')
    baseline = HEIGHT - MARGIN + 18
    date_width = small(card.date) if card.date else 0.0
    if card.date:
        parts.append(
            _text(WIDTH - MARGIN, baseline, card.date, SMALL_SIZE, MUTED, ' text-anchor="end"')
        )
    if card.source:
        room = inner - date_width - (GAP if card.date else 0)
        parts.append(_text(MARGIN, baseline, clipped(card.source, room, small), SMALL_SIZE, MUTED))
    parts.append("</svg>")
    return "\n".join(parts)


def draw(svg: str) -> bytes:
    """The card's PNG (vl-convert's resvg, offline), WIDTH x HEIGHT."""
    import vl_convert

    return vl_convert.svg_to_png(svg, scale=1.0)


def png_size(png: bytes) -> tuple[int, int]:
    """A PNG's width and height, from its header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", png[16:24])
    return width, height
