"""Illustrations for the demo, drawn with Pillow: licence-clean, nothing downloaded.

Flat shapes in the palette of passerelle.css. Each function returns PNG bytes; the drawing is
done at twice the size and reduced, for smooth edges.
"""

from __future__ import annotations

import io
import itertools
import math

from PIL import Image, ImageDraw, ImageFilter, ImageFont

BLUE_900 = (20, 36, 92)
BLUE_800 = (31, 58, 147)
BLUE_700 = (44, 79, 184)
BLUE_100 = (232, 237, 251)
BLUE_50 = (243, 246, 253)
GREEN_700 = (11, 107, 82)
GREEN_300 = (127, 224, 192)
GREEN_100 = (220, 245, 236)
AMBER = (242, 169, 59)
AMBER_100 = (255, 241, 214)
RED = (214, 82, 70)
GREY = (150, 156, 176)
GREY_LIGHT = (214, 218, 230)
WHITE = (255, 255, 255)

SCALE = 2


def _canvas(width, height, top=BLUE_50, bottom=BLUE_100, discs=(GREEN_100, WHITE)):
    w, h = width * SCALE, height * SCALE
    image = Image.new("RGB", (w, h), top)
    draw = ImageDraw.Draw(image)
    for y in range(h):
        t = y / h
        colour = tuple(int(top[i] + (bottom[i] - top[i]) * t) for i in range(3))
        draw.line([(0, y), (w, y)], fill=colour)
    # Soft decorative discs: a plain colour layer through a blurred mask (no dark halo).
    for box, colour, opacity in (
        ((w * 0.62, -h * 0.35, w * 1.25, h * 0.65), discs[0], 150),
        ((-w * 0.2, h * 0.55, w * 0.35, h * 1.4), discs[1], 140),
    ):
        mask = Image.new("L", (w, h), 0)
        ImageDraw.Draw(mask).ellipse(box, fill=opacity)
        mask = mask.filter(ImageFilter.GaussianBlur(40 * SCALE))
        image.paste(Image.new("RGB", (w, h), colour), (0, 0), mask)
    return image, ImageDraw.Draw(image)


def _png(image, width, height) -> bytes:
    image = image.resize((width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _s(*values):
    return [v * SCALE for v in values]


def _font(size):
    # DejaVu (Debian's default fonts) has the accents; Pillow's built-in font is the fallback.
    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf", size * SCALE)
    except OSError:
        return ImageFont.load_default(size=size * SCALE)


def _cloud(draw, cx, cy, r, fill):
    for dx, dy, k in ((-1.0, 0.25, 0.7), (1.0, 0.25, 0.7), (-0.35, -0.25, 0.9), (0.45, -0.1, 0.85)):
        rr = r * k
        draw.ellipse(
            _s(cx + dx * r - rr, cy + dy * r - rr, cx + dx * r + rr, cy + dy * r + rr), fill=fill
        )
    draw.rounded_rectangle(
        _s(cx - r * 1.6, cy, cx + r * 1.6, cy + r * 0.95), radius=r * 0.45 * SCALE, fill=fill
    )


def _person(draw, cx, cy, size, colour):
    draw.ellipse(_s(cx - size * 0.32, cy - size, cx + size * 0.32, cy - size * 0.36), fill=colour)
    draw.rounded_rectangle(
        _s(cx - size * 0.55, cy - size * 0.28, cx + size * 0.55, cy + size * 0.7),
        radius=size * 0.45 * SCALE,
        fill=colour,
    )


def sovereignty(width=1600, height=900) -> bytes:
    """A footbridge from a grey cloud to a green, home-grown place."""
    image, draw = _canvas(width, height)
    _cloud(draw, 330, 400, 120, GREY_LIGHT)
    draw.rectangle(_s(150, 600, 520, 640), fill=GREY)
    draw.rectangle(_s(1080, 600, 1450, 640), fill=GREEN_700)
    # House on the right bank.
    draw.rectangle(_s(1170, 430, 1370, 600), fill=WHITE)
    draw.polygon(_s(1150, 440, 1270, 330, 1390, 440), fill=BLUE_800)
    draw.rectangle(_s(1245, 500, 1295, 600), fill=GREEN_700)
    # The bridge.
    left, right, base, rise = 500, 1100, 610, 170
    points = []
    for i in range(61):
        t = i / 60
        x = left + (right - left) * t
        y = base - rise * math.sin(math.pi * t)
        points.append((x, y))
    draw.line([c for p in points for c in _s(*p)], fill=BLUE_900, width=14 * SCALE)
    for x, y in points[::5]:
        draw.line(_s(x, y, x, base), fill=BLUE_700, width=5 * SCALE)
    draw.line(_s(left, base, right, base), fill=BLUE_900, width=12 * SCALE)
    # Small walkers.
    _person(draw, 760, 455, 34, GREEN_700)
    _person(draw, 840, 448, 30, AMBER)
    return _png(image, width, height)


def cloud_act(width=1600, height=900) -> bytes:
    """Data in a cloud, watched through a magnifying glass from overseas."""
    image, draw = _canvas(width, height, top=BLUE_50, bottom=AMBER_100)
    _cloud(draw, 700, 420, 190, WHITE)
    for i, x in enumerate((560, 660, 760, 860)):
        colour = (BLUE_800, GREEN_700, BLUE_700, AMBER)[i]
        draw.rounded_rectangle(_s(x - 38, 450, x + 38, 540), radius=10 * SCALE, fill=colour)
        draw.line(_s(x - 20, 475, x + 20, 475), fill=WHITE, width=5 * SCALE)
        draw.line(_s(x - 20, 495, x + 14, 495), fill=WHITE, width=5 * SCALE)
    # Magnifying glass.
    draw.ellipse(_s(1010, 230, 1310, 530), outline=BLUE_900, width=26 * SCALE)
    draw.line(_s(1270, 500, 1430, 680), fill=BLUE_900, width=44 * SCALE)
    draw.ellipse(_s(1045, 265, 1275, 495), outline=(255, 255, 255), width=4 * SCALE)
    return _png(image, width, height)


def la_suite(width=1600, height=900) -> bytes:
    """A grid of app tiles: chat, video, documents, files, tables, assistant."""
    image, draw = _canvas(width, height)
    tiles = [BLUE_800, GREEN_700, BLUE_700, BLUE_900, GREEN_700, BLUE_800]
    size, gap = 190, 50
    x0 = (width - (3 * size + 2 * gap)) / 2
    y0 = (height - (2 * size + gap)) / 2
    for i, colour in enumerate(tiles):
        col, row = i % 3, i // 3
        x, y = x0 + col * (size + gap), y0 + row * (size + gap)
        draw.rounded_rectangle(
            _s(x + 8, y + 12, x + size + 8, y + size + 12), radius=40 * SCALE, fill=GREY_LIGHT
        )
        draw.rounded_rectangle(_s(x, y, x + size, y + size), radius=40 * SCALE, fill=colour)
        cx, cy = x + size / 2, y + size / 2
        if i == 0:  # chat bubble
            draw.rounded_rectangle(
                _s(cx - 55, cy - 40, cx + 55, cy + 30), radius=22 * SCALE, fill=WHITE
            )
            draw.polygon(_s(cx - 30, cy + 25, cx - 45, cy + 55, cx - 5, cy + 28), fill=WHITE)
        elif i == 1:  # camera
            draw.rounded_rectangle(
                _s(cx - 60, cy - 35, cx + 25, cy + 35), radius=12 * SCALE, fill=WHITE
            )
            draw.polygon(_s(cx + 30, cy, cx + 65, cy - 30, cx + 65, cy + 30), fill=WHITE)
        elif i == 2:  # document
            draw.rounded_rectangle(
                _s(cx - 45, cy - 60, cx + 45, cy + 60), radius=10 * SCALE, fill=WHITE
            )
            for k in range(4):
                draw.line(
                    _s(cx - 28, cy - 30 + k * 20, cx + 28, cy - 30 + k * 20),
                    fill=colour,
                    width=6 * SCALE,
                )
        elif i == 3:  # folder
            draw.rounded_rectangle(
                _s(cx - 65, cy - 40, cx + 65, cy + 50), radius=12 * SCALE, fill=WHITE
            )
            draw.rounded_rectangle(
                _s(cx - 65, cy - 55, cx - 10, cy - 30), radius=8 * SCALE, fill=WHITE
            )
        elif i == 4:  # table
            draw.rectangle(_s(cx - 60, cy - 45, cx + 60, cy + 45), fill=WHITE)
            for k in (-15, 15):
                draw.line(_s(cx - 60, cy + k, cx + 60, cy + k), fill=colour, width=5 * SCALE)
            draw.line(_s(cx - 20, cy - 45, cx - 20, cy + 45), fill=colour, width=5 * SCALE)
        else:  # sparkle
            draw.polygon(
                _s(
                    cx,
                    cy - 60,
                    cx + 16,
                    cy - 16,
                    cx + 60,
                    cy,
                    cx + 16,
                    cy + 16,
                    cx,
                    cy + 60,
                    cx - 16,
                    cy + 16,
                    cx - 60,
                    cy,
                    cx - 16,
                    cy - 16,
                ),
                fill=WHITE,
            )
    return _png(image, width, height)


def audit_steps(width=1600, height=900) -> bytes:
    """Three numbered milestones joined by a dotted path."""
    image, draw = _canvas(width, height)
    centres = [(360, 520), (800, 380), (1240, 520)]
    for (x1, y1), (x2, y2) in itertools.pairwise(centres):
        steps = 18
        for k in range(steps):
            if k % 2:
                continue
            t1, t2 = k / steps, (k + 1) / steps
            draw.line(
                _s(
                    x1 + (x2 - x1) * t1,
                    y1 + (y2 - y1) * t1,
                    x1 + (x2 - x1) * t2,
                    y1 + (y2 - y1) * t2,
                ),
                fill=BLUE_700,
                width=10 * SCALE,
            )
    colours = [BLUE_800, GREEN_700, BLUE_900]
    for i, (x, y) in enumerate(centres):
        draw.ellipse(_s(x - 120, y - 120, x + 120, y + 120), fill=WHITE)
        draw.ellipse(_s(x - 95, y - 95, x + 95, y + 95), fill=colours[i])
        font = _font(110)
        draw.text(
            _s(x, y + 4),
            str(i + 1),
            font=font,
            fill=WHITE,
            anchor="mm",
            stroke_width=2 * SCALE,
            stroke_fill=WHITE,
        )
    return _png(image, width, height)


def roadmap(width=1600, height=900) -> bytes:
    """A winding road with flags: the transition, one stage at a time."""
    image, draw = _canvas(width, height, top=GREEN_100, bottom=BLUE_50)
    points = []
    for i in range(101):
        t = i / 100
        x = 120 + 1360 * t
        y = 560 + 150 * math.sin(t * math.pi * 2.2)
        points.append((x, y))
    flat = [c for p in points for c in _s(*p)]
    draw.line(flat, fill=BLUE_900, width=70 * SCALE, joint="curve")
    draw.line(flat, fill=WHITE, width=6 * SCALE, joint="curve")
    for index, colour in ((15, GREEN_700), (45, AMBER), (75, BLUE_800), (97, GREEN_700)):
        x, y = points[index]
        draw.line(_s(x, y - 40, x, y - 200), fill=BLUE_900, width=8 * SCALE)
        draw.polygon(_s(x, y - 200, x + 90, y - 170, x, y - 140), fill=colour)
    return _png(image, width, height)


def town_hall(width=1200, height=1000) -> bytes:
    image, draw = _canvas(width, height)
    draw.rectangle(_s(200, 800, 1000, 830), fill=BLUE_900)
    draw.rectangle(_s(260, 420, 940, 800), fill=WHITE)
    draw.polygon(_s(230, 430, 600, 230, 970, 430), fill=BLUE_800)
    for k in range(6):
        x = 310 + k * 110
        draw.rectangle(_s(x, 470, x + 40, 780), fill=BLUE_100)
    draw.rounded_rectangle(_s(545, 640, 655, 800), radius=50 * SCALE, fill=GREEN_700)
    draw.ellipse(_s(560, 300, 640, 380), fill=WHITE)
    draw.line(_s(600, 230, 600, 120), fill=BLUE_900, width=8 * SCALE)
    draw.polygon(_s(600, 120, 690, 145, 600, 170), fill=GREEN_700)
    return _png(image, width, height)


def people(width=1200, height=1000) -> bytes:
    image, draw = _canvas(width, height)
    colours = [BLUE_800, GREEN_700, AMBER, BLUE_700, GREEN_700, BLUE_900, AMBER]
    draw.ellipse(_s(240, 300, 960, 880), fill=WHITE)
    for i, colour in enumerate(colours):
        angle = math.pi * (0.15 + 0.7 * i / (len(colours) - 1))
        x = 600 - 300 * math.cos(angle)
        y = 720 - 240 * math.sin(angle)
        _person(draw, x, y, 90, colour)
    _person(draw, 600, 760, 110, BLUE_900)
    return _png(image, width, height)


def cooperation(width=1200, height=1000) -> bytes:
    image, draw = _canvas(width, height)
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    od = ImageDraw.Draw(overlay)
    for (cx, cy), colour in (((480, 440), BLUE_800), ((720, 440), GREEN_700), ((600, 640), AMBER)):
        od.ellipse(_s(cx - 220, cy - 220, cx + 220, cy + 220), fill=(*colour, 175))
    image.paste(overlay, (0, 0), overlay)
    draw = ImageDraw.Draw(image)
    draw.ellipse(_s(560, 470, 640, 550), fill=WHITE)
    return _png(image, width, height)


def company(width=1200, height=1000) -> bytes:
    image, draw = _canvas(width, height)
    draw.rectangle(_s(180, 820, 1020, 850), fill=BLUE_900)
    draw.rectangle(_s(250, 300, 600, 820), fill=BLUE_800)
    for row in range(7):
        for col in range(3):
            x, y = 285 + col * 105, 340 + row * 65
            draw.rectangle(
                _s(x, y, x + 70, y + 38), fill=BLUE_100 if (row + col) % 3 else AMBER_100
            )
    for i, h in enumerate((180, 280, 380)):
        x = 680 + i * 105
        draw.rounded_rectangle(_s(x, 820 - h, x + 75, 820), radius=12 * SCALE, fill=GREEN_700)
    draw.line(
        _s(660, 560, 760, 500, 860, 420, 1000, 330), fill=AMBER, width=12 * SCALE, joint="curve"
    )
    draw.polygon(_s(1000, 300, 1030, 345, 975, 350), fill=AMBER)
    return _png(image, width, height)


def share_card(width=1200, height=630) -> bytes:
    image, draw = _canvas(width, height, top=BLUE_900, bottom=BLUE_800, discs=(BLUE_700, GREEN_700))
    draw.rounded_rectangle(_s(90, 90, 190, 190), radius=24 * SCALE, fill=GREEN_300)
    draw.arc(_s(110, 120, 170, 200), 180, 360, fill=BLUE_900, width=9 * SCALE)
    draw.text(
        _s(90, 260),
        "Passerelle",
        font=_font(92),
        fill=WHITE,
        stroke_width=1 * SCALE,
        stroke_fill=WHITE,
    )
    draw.text(
        _s(92, 380), "Audit gratuit de souveraineté numérique", font=_font(44), fill=GREEN_300
    )
    draw.text(
        _s(92, 450), "Questionnaire · rendez-vous · feuille de route", font=_font(36), fill=BLUE_100
    )
    return _png(image, width, height)


def wordmark(name: str, colour=BLUE_900, height=160) -> bytes:
    """A plain text logo on a transparent background."""
    size = 52
    text_width = _font(size).getlength(name) / SCALE
    width = int(96 + text_width + 24)
    image = Image.new("RGBA", (width * SCALE, height * SCALE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(_s(12, 48, 76, 112), radius=16 * SCALE, fill=GREEN_700)
    draw.ellipse(_s(30, 66, 58, 94), fill=WHITE)
    draw.text(
        _s(96, 80),
        name,
        font=_font(size),
        fill=colour,
        anchor="lm",
        stroke_width=1 * SCALE,
        stroke_fill=colour,
    )
    image = image.resize((width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
