"""Draws the installed app's icons (static/icons/*.png) once, with Pillow: the brand red with a
white wall chart of three columns of cards. Run from the checkout: ``python deploy/make_icons.py``.

``icon-192.png`` and ``icon-512.png`` have rounded corners ("any"); ``icon-maskable-512.png``
fills the square and keeps the chart inside the central 80 % that every mask leaves visible.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = (179, 38, 30, 255)      # --brand in static/css/app.css
WHITE = (255, 255, 255, 255)
CARD = (255, 255, 255, 215)
OUT = Path(__file__).resolve().parent.parent / "static" / "icons"
SCALE = 4                        # drawn large, then scaled down: smooth edges


def chart(draw: ImageDraw.ImageDraw, left: float, top: float, size: float) -> None:
    """Three columns with a header bar and 3, 2 and 1 cards: a wall chart, in ``size``²."""
    gap = size * 0.06
    width = (size - 2 * gap) / 3
    for column, cards in enumerate((3, 2, 1)):
        x = left + column * (width + gap)
        draw.rounded_rectangle((x, top, x + width, top + size * 0.12), radius=size * 0.03,
                               fill=WHITE)
        for row in range(cards):
            y = top + size * 0.18 + row * size * 0.275
            draw.rounded_rectangle((x, y, x + width, y + size * 0.23), radius=size * 0.035,
                                   fill=CARD)


def icon(pixels: int, maskable: bool) -> Image.Image:
    big = pixels * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle((0, 0, big, big), fill=BRAND)
        inner = big * 0.52
    else:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 0.2, fill=BRAND)
        inner = big * 0.64
    start = (big - inner) / 2
    chart(draw, start, start, inner)
    return image.resize((pixels, pixels), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    icon(192, False).save(OUT / "icon-192.png", optimize=True)
    icon(512, False).save(OUT / "icon-512.png", optimize=True)
    icon(512, True).save(OUT / "icon-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
