"""Draw Ringlet's favicon and touch icons with Pillow (run once; the files are committed).

    .venv/bin/python scripts/make_icons.py

A white ring on the accent blue: readable at 16 px, no font needed.
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "portal" / "static" / "portal"
ACCENT = (31, 95, 191)


def icon(size, rounded=True):
    scale = 4  # draw large, then downsample for smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    radius = big // 5 if rounded else 0
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=radius, fill=ACCENT)
    inset, width = big * 0.2, max(scale, round(big * 0.12))
    draw.ellipse((inset, inset, big - inset, big - inset), outline="white", width=width)
    return image.resize((size, size), Image.LANCZOS)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    icon(48).save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    # Touch icons are shown square by iOS, which rounds them itself.
    icon(180, rounded=False).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    for size in (192, 512):
        icon(size).save(OUT / f"icon-{size}.png", optimize=True)


if __name__ == "__main__":
    main()
