#!/usr/bin/env python3
"""Draw the skill's store icons: two overlapping circles on a soft background, as PNG.

    python3 scripts/draw_icons.py OUT_DIR   # smallIcon.png (108x108), largeIcon.png (512x512)

Standard library only: the pixels are computed here (anti-aliased by each pixel's distance to
a circle's edge) and written as an 8-bit RGB PNG with zlib and struct. The same input always
gives the same bytes, so the icons are drawn at packaging time and never committed.
"""

from __future__ import annotations

import math
import struct
import sys
import zlib
from pathlib import Path

# The sizes the skill manifest asks for: smallIconUri 108x108, largeIconUri 512x512.
ICONS = {"smallIcon.png": 108, "largeIcon.png": 512}

RGB = tuple[float, float, float]

# A warm cream fading to a soft blush, a calm teal and a warm coral, and where they overlap a
# deeper rose: two people, each themselves, with something shared between them.
BACKGROUND_TOP: RGB = (252, 244, 236)
BACKGROUND_BOTTOM: RGB = (244, 222, 222)
LEFT: RGB = (108, 170, 164)
RIGHT: RGB = (232, 142, 124)
SHARED: RGB = (176, 96, 112)
LEFT_OPACITY = 0.92
RIGHT_OPACITY = 0.88

# Geometry as fractions of the icon's side.
RADIUS = 0.25
CENTRE_Y = 0.5
CENTRE_LEFT_X = 0.375
CENTRE_RIGHT_X = 0.625


def _mix(under: RGB, over: RGB, amount: float) -> RGB:
    return (
        under[0] + (over[0] - under[0]) * amount,
        under[1] + (over[1] - under[1]) * amount,
        under[2] + (over[2] - under[2]) * amount,
    )


def _coverage(x: float, y: float, cx: float, cy: float, r: float) -> float:
    """How much of the pixel centred at (x, y) a circle covers, from the distance to its edge."""
    edge = r - math.hypot(x - cx, y - cy)
    return 0.0 if edge <= -0.5 else 1.0 if edge >= 0.5 else edge + 0.5


def pixels(size: int) -> list[bytes]:
    """The icon's rows, each `size` RGB triples."""
    r = RADIUS * size
    cy = CENTRE_Y * size
    left_x = CENTRE_LEFT_X * size
    right_x = CENTRE_RIGHT_X * size
    rows: list[bytes] = []
    for j in range(size):
        y = j + 0.5
        background = _mix(BACKGROUND_TOP, BACKGROUND_BOTTOM, j / max(size - 1, 1))
        row = bytearray()
        for i in range(size):
            x = i + 0.5
            a = _coverage(x, y, left_x, cy, r)
            b = _coverage(x, y, right_x, cy, r)
            colour = background
            if a:
                colour = _mix(colour, LEFT, a * LEFT_OPACITY)
            if b:
                colour = _mix(colour, RIGHT, b * RIGHT_OPACITY)
            if a and b:
                colour = _mix(colour, SHARED, a * b)
            row += bytes(round(c) for c in colour)
        rows.append(bytes(row))
    return rows


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(rows: list[bytes]) -> bytes:
    """An 8-bit truecolour (RGB), non-interlaced PNG of `rows`."""
    height = len(rows)
    width = len(rows[0]) // 3
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 (None) on every row
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def draw(size: int) -> bytes:
    return png(pixels(size))


def write_icons(directory: Path) -> dict[str, Path]:
    """Draw every icon into `directory`; returns {file name: path}."""
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, size in ICONS.items():
        path = directory / name
        path.write_bytes(draw(size))
        written[name] = path
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: draw_icons.py OUT_DIR", file=sys.stderr)
        return 2
    for path in write_icons(Path(argv[0])).values():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
