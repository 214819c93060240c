#!/usr/bin/python3
"""Rebuilds samples/mixed-dump/: a small, permissively licensed dump of photos, scanned documents and junk.

Never needed at run time: the folder is committed; this script only says exactly how it was made.

Needs Debian 12's python3-pil and python3-numpy (apt-get install -y python3-pil python3-numpy) and the DejaVu fonts
of fonts-dejavu-core. The photos come from Debian's python3-skimage 0.19.3-8 (scikit-image's sample data); when that
package is not installed the script fetches it with `apt-get download` (run `apt-get update` once first) and extracts
it with dpkg-deb into a temporary folder. Every source file is checked against its SHA-256 before use.

Usage (from the repository root):
    /usr/bin/python3 tools/make_sample.py            # rewrites samples/mixed-dump/ in place
    /usr/bin/python3 tools/make_sample.py --out DIR  # writes elsewhere (e.g. to compare)

Deterministic: every random choice comes from a seeded generator, so the same Pillow/libjpeg build gives the same
bytes (the committed files were made with python3-pil 9.4.0-1.1+deb12u1, libjpeg62-turbo 1:2.1.5-2, numpy 1.24.2).
It also writes labels.csv (path,label) and PROVENANCE.md (source, licence and every change per file).
"""
import argparse
import hashlib
import pathlib
import random
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SKIMAGE_PACKAGE = "python3-skimage"
SKIMAGE_VERSION = "0.19.3-8"
SKIMAGE_DATA = "usr/lib/python3/dist-packages/skimage/data"
FONT_DIR = pathlib.Path("/usr/share/fonts/truetype/dejavu")

# Source photos: file in skimage/data, SHA-256, licence and author as stated in skimage/data/_fetchers.py of the package.
SOURCES = {
    "chelsea.png": ("596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb",
                    "CC0", "Stefan van der Walt (photographer); \"Chelsea the cat\""),
    "coffee.png": ("cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7",
                   "CC0", "Rachel Michetti (photographer), courtesy of Pikolo Espresso Bar"),
    "hubble_deep_field.jpg": ("3a19c5dd8a927a9334bb1229a6d63711b1c0c767fb27e2286e7c84a3e2c2f5f4",
                              "Public domain (NASA; the package says it \"may be freely used in the public domain\")",
                              "Hubble eXtreme Deep Field (HubbleSite news release 2012-37). Credit: NASA, ESA, and the "
                              "HUDF09 Team"),
    "rocket.jpg": ("c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c",
                   "Public domain (released by SpaceX, 2015)",
                   "SpaceX; launch of DSCOVR on Falcon 9, Launch Complex 40, Cape Canaveral"),
}

# Photos: (output name, label, source, crop box (left, top, right, bottom) in source pixels, mirror, long side in px).
PHOTOS = [
    ("photo_cat_01.jpg", "photo_cat", "chelsea.png", (0, 0, 451, 300), False, 451),
    ("photo_cat_02.jpg", "photo_cat", "chelsea.png", (90, 0, 390, 300), False, 360),
    ("photo_cat_03.jpg", "photo_cat", "chelsea.png", (120, 40, 370, 260), True, 400),
    ("photo_cat_04.jpg", "photo_cat", "chelsea.png", (0, 0, 451, 300), True, 320),
    ("photo_cat_05.jpg", "photo_cat", "chelsea.png", (40, 0, 451, 300), False, 411),
    ("photo_cat_06.jpg", "photo_cat", "chelsea.png", (150, 60, 350, 280), False, 300),
    ("photo_cat_07.jpg", "photo_cat", "chelsea.png", (60, 10, 420, 290), True, 360),
    ("photo_cat_08.jpg", "photo_cat", "chelsea.png", (0, 30, 300, 300), False, 300),
    ("photo_coffee_01.jpg", "photo_coffee", "coffee.png", (0, 0, 600, 400), False, 600),
    ("photo_coffee_02.jpg", "photo_coffee", "coffee.png", (150, 0, 500, 330), False, 420),
    ("photo_coffee_03.jpg", "photo_coffee", "coffee.png", (100, 20, 560, 400), True, 460),
    ("photo_coffee_04.jpg", "photo_coffee", "coffee.png", (0, 0, 600, 400), True, 360),
    ("photo_coffee_05.jpg", "photo_coffee", "coffee.png", (200, 30, 480, 280), False, 420),
    ("photo_coffee_06.jpg", "photo_coffee", "coffee.png", (60, 0, 460, 400), False, 400),
    ("photo_coffee_07.jpg", "photo_coffee", "coffee.png", (180, 0, 600, 360), True, 420),
    ("photo_coffee_08.jpg", "photo_coffee", "coffee.png", (40, 40, 520, 380), False, 480),
    ("photo_space_01.jpg", "photo_space", "hubble_deep_field.jpg", (0, 0, 1000, 872), False, 500),
    ("photo_space_02.jpg", "photo_space", "hubble_deep_field.jpg", (0, 0, 400, 400), False, 400),
    ("photo_space_03.jpg", "photo_space", "hubble_deep_field.jpg", (500, 0, 1000, 500), False, 400),
    ("photo_space_04.jpg", "photo_space", "hubble_deep_field.jpg", (0, 400, 480, 872), False, 400),
    ("photo_space_05.jpg", "photo_space", "hubble_deep_field.jpg", (520, 420, 1000, 872), True, 400),
    ("photo_space_06.jpg", "photo_space", "hubble_deep_field.jpg", (250, 200, 750, 700), False, 420),
    ("photo_space_07.jpg", "photo_space", "hubble_deep_field.jpg", (300, 0, 620, 320), False, 320),
    ("photo_space_08.jpg", "photo_space", "hubble_deep_field.jpg", (100, 500, 700, 872), False, 480),
    ("photo_space_09.jpg", "photo_space", "hubble_deep_field.jpg", (640, 260, 1000, 620), True, 360),
    ("photo_space_10.jpg", "photo_space", "hubble_deep_field.jpg", (0, 180, 360, 540), False, 360),
    ("photo_rocket_01.jpg", "photo_rocket", "rocket.jpg", (0, 0, 640, 427), False, 640),
    ("photo_rocket_02.jpg", "photo_rocket", "rocket.jpg", (160, 0, 480, 427), False, 427),
    ("photo_rocket_03.jpg", "photo_rocket", "rocket.jpg", (80, 0, 560, 427), True, 480),
    ("photo_rocket_04.jpg", "photo_rocket", "rocket.jpg", (0, 0, 640, 427), True, 400),
    ("photo_rocket_05.jpg", "photo_rocket", "rocket.jpg", (200, 60, 440, 427), False, 367),
    ("photo_rocket_06.jpg", "photo_rocket", "rocket.jpg", (0, 0, 420, 427), False, 427),
    ("photo_rocket_07.jpg", "photo_rocket", "rocket.jpg", (220, 0, 640, 427), True, 427),
    ("photo_rocket_08.jpg", "photo_rocket", "rocket.jpg", (120, 100, 520, 427), False, 400),
]

# Public-domain text: Lorem ipsum (after Cicero, De finibus, 45 BC) and the opening of the US Declaration of
# Independence (1776). Pages are filled with sentences drawn from these words by a seeded generator.
LOREM = """lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore
magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat
duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur excepteur sint
occaecat cupidatat non proident sunt in culpa qui officia deserunt mollit anim id est laborum sed ut perspiciatis unde
omnis iste natus error sit voluptatem accusantium doloremque laudantium totam rem aperiam eaque ipsa quae ab illo
inventore veritatis et quasi architecto beatae vitae dicta sunt explicabo nemo enim ipsam voluptatem quia voluptas sit
aspernatur aut odit aut fugit sed quia consequuntur magni dolores eos qui ratione voluptatem sequi nesciunt""".split()
DECLARATION = """When in the Course of human events, it becomes necessary for one people to dissolve the political
bands which have connected them with another, and to assume among the powers of the earth, the separate and equal
station to which the Laws of Nature and of Nature's God entitle them, a decent respect to the opinions of mankind
requires that they should declare the causes which impel them to the separation. We hold these truths to be
self-evident, that all men are created equal, that they are endowed by their Creator with certain unalienable Rights,
that among these are Life, Liberty and the pursuit of Happiness. That to secure these rights, Governments are
instituted among Men, deriving their just powers from the consent of the governed.""".split()

# Receipt lines: invented shop items.
GROCERIES = ["BREAD", "MILK 1L", "EGGS X12", "BUTTER", "COFFEE BEANS", "TEA BAGS", "APPLES", "BANANAS", "RICE 1KG",
             "PASTA", "OLIVE OIL", "TOMATOES", "CHEESE", "YOGHURT", "ORANGE JUICE", "SOAP", "TOOTHPASTE", "BATTERIES AA",
             "NOTEBOOK", "PENCILS", "ENVELOPES", "STAMPS", "NEWSPAPER"]

PAGE_W, PAGE_H = 453, 640  # A4 proportions at about 55 dpi after the final downscale
SCALE = 2                  # pages are drawn at twice the size, then scanned down


def font(name, size):
    return ImageFont.truetype(str(FONT_DIR / name), size * SCALE)


def skimage_data(tmp):
    installed = pathlib.Path("/") / SKIMAGE_DATA
    if all((installed / f).is_file() for f in SOURCES):
        return installed, f"{SKIMAGE_PACKAGE} (installed)"
    subprocess.run(["apt-get", "download", f"{SKIMAGE_PACKAGE}={SKIMAGE_VERSION}"], cwd=tmp, check=True)
    deb = next(pathlib.Path(tmp).glob(f"{SKIMAGE_PACKAGE}_*.deb"))
    subprocess.run(["dpkg-deb", "-x", str(deb), str(pathlib.Path(tmp) / "x")], check=True)
    return pathlib.Path(tmp) / "x" / SKIMAGE_DATA, deb.name


def sentence(rng, words, n):
    start = rng.randrange(len(words) - n) if words is DECLARATION else None
    picked = words[start:start + n] if start is not None else [rng.choice(words) for _ in range(n)]
    text = " ".join(picked)
    return text[0].upper() + text[1:].rstrip(",.") + "."


def wrap(draw, text, fnt, width):
    lines, line = [], ""
    for word in text.split():
        trial = (line + " " + word).strip()
        if draw.textlength(trial, font=fnt) <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def paragraphs(draw, rng, words, fnt, x, y, width, bottom, gap):
    """Fills a column with paragraphs until bottom; returns the y it stopped at."""
    line_h = int(fnt.size * 1.35)
    while y + line_h < bottom:
        text = " ".join(sentence(rng, words, rng.randint(6, 16)) for _ in range(rng.randint(2, 5)))
        for line in wrap(draw, text, fnt, width):
            if y + line_h >= bottom:
                return y
            draw.text((x, y), line, fill=20, font=fnt)
            y += line_h
        y += gap
    return y


def page_article(rng, words, face):
    w, h = PAGE_W * SCALE, PAGE_H * SCALE
    img = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(img)
    m = 40 * SCALE
    d.text((m, m), sentence(rng, words, rng.randint(3, 5)).rstrip("."), fill=0, font=font(face[1], 17))
    paragraphs(d, rng, words, font(face[0], 10), m, m + 40 * SCALE, w - 2 * m, h - m, 8 * SCALE)
    d.text((w // 2 - 6 * SCALE, h - 28 * SCALE), str(rng.randint(2, 240)), fill=40, font=font(face[0], 9))
    return img


def page_two_columns(rng, words, face):
    w, h = PAGE_W * SCALE, PAGE_H * SCALE
    img = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(img)
    m, gutter = 34 * SCALE, 14 * SCALE
    d.text((m, m), sentence(rng, words, 4).rstrip(".").upper(), fill=0, font=font(face[1], 14))
    d.line((m, m + 26 * SCALE, w - m, m + 26 * SCALE), fill=0, width=SCALE)
    col = (w - 2 * m - gutter) // 2
    for c in range(2):
        paragraphs(d, rng, words, font(face[0], 8), m + c * (col + gutter), m + 36 * SCALE, col, h - m, 6 * SCALE)
    return img


def page_letter(rng, words, face):
    w, h = PAGE_W * SCALE, PAGE_H * SCALE
    img = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(img)
    m = 48 * SCALE
    small = font(face[0], 9)
    for i, line in enumerate(["Office of Records", f"{rng.randint(10, 999)} Main Street", "Springfield"]):
        d.text((w - m - 120 * SCALE, m + i * 14 * SCALE), line, fill=20, font=small)
    d.text((m, m + 70 * SCALE), f"{rng.randint(1, 28)} March {rng.randint(1950, 1999)}", fill=20, font=small)
    d.text((m, m + 100 * SCALE), "Dear Sir or Madam,", fill=20, font=font(face[0], 10))
    y = paragraphs(d, rng, words, font(face[0], 10), m, m + 124 * SCALE, w - 2 * m, h - 150 * SCALE, 10 * SCALE)
    d.text((m, y + 20 * SCALE), "Yours faithfully,", fill=20, font=font(face[0], 10))
    d.line((m, y + 70 * SCALE, m + 130 * SCALE, y + 62 * SCALE), fill=30, width=2 * SCALE)  # a signature stroke
    return img


def page_form(rng, words, face):
    w, h = PAGE_W * SCALE, PAGE_H * SCALE
    img = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(img)
    m = 36 * SCALE
    d.text((m, m), "FORM " + str(rng.randint(100, 999)) + "-" + sentence(rng, words, 2).rstrip(".").upper(),
           fill=0, font=font(face[1], 13))
    fnt = font(face[0], 9)
    y, row = m + 40 * SCALE, 22 * SCALE
    cols = [m, m + 150 * SCALE, m + 260 * SCALE, w - m]
    while y + row < h - m:
        d.line((m, y, w - m, y), fill=60, width=SCALE)
        d.text((cols[0] + 4 * SCALE, y + 5 * SCALE), sentence(rng, words, 2).rstrip("."), fill=20, font=fnt)
        d.text((cols[1] + 4 * SCALE, y + 5 * SCALE), str(rng.randint(1, 9999)), fill=20, font=fnt)
        d.text((cols[2] + 4 * SCALE, y + 5 * SCALE), f"{rng.randint(1, 999)}.{rng.randint(0, 99):02d}", fill=20, font=fnt)
        y += row
    d.line((m, y, w - m, y), fill=60, width=SCALE)
    for x in cols:
        d.line((x, m + 40 * SCALE, x, y), fill=60, width=SCALE)
    return img


def page_receipt(rng, words, face):
    w, h = 200 * SCALE, PAGE_H * SCALE
    img = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(img)
    mono, m = font("DejaVuSansMono.ttf", 8), 12 * SCALE
    line_h = 12 * SCALE
    d.text((m + 30 * SCALE, m), "CORNER STORE", fill=0, font=font("DejaVuSansMono-Bold.ttf", 10))
    y, total = m + 24 * SCALE, 0
    for _ in range(rng.randint(18, 30)):
        cents = rng.randint(49, 2499)
        total += cents
        item = rng.choice(GROCERIES)
        d.text((m, y), f"{item:<15}{cents / 100:>7.2f}", fill=20, font=mono)
        y += line_h
    d.text((m, y + line_h), f"{'TOTAL':<15}{total / 100:>7.2f}", fill=0, font=font("DejaVuSansMono-Bold.ttf", 8))
    d.text((m, y + 3 * line_h), "THANK YOU", fill=20, font=mono)
    return img.crop((0, 0, w, min(h, y + 5 * line_h)))


def scan(img, rng, look):
    """Makes a clean page look scanned: paper tone, uneven light, skew, blur, noise; then down to its final size."""
    paper, skew, noise, tint = look
    a = np.asarray(img, dtype=np.float32)
    h, w = a.shape
    light = np.linspace(1.0, rng.uniform(0.85, 0.97), w)[None, :] * np.linspace(rng.uniform(0.92, 1.0), 1.0, h)[:, None]
    a = (a / 255.0 * (paper - 25) + 25) * light
    page = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    if skew:
        page = page.rotate(skew, resample=Image.BICUBIC, expand=True, fillcolor=int(rng.uniform(40, 90)))
    page = page.filter(ImageFilter.GaussianBlur(0.8 * SCALE))
    page = page.resize((max(1, page.width // SCALE), max(1, page.height // SCALE)), Image.LANCZOS)
    a = np.asarray(page, dtype=np.float32)
    a = a + np.random.default_rng(rng.randint(0, 2**31)).normal(0, noise, a.shape)
    page = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    if tint:
        g = np.asarray(page, dtype=np.float32)
        page = Image.fromarray(np.clip(np.stack([g * 1.0, g * 0.97, g * 0.86], axis=2), 0, 255).astype(np.uint8))
    return page


# Documents: (name, layout, text source, faces (body, heading), look: (paper brightness, skew in degrees, noise sigma,
# yellowed)).
SERIF = ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf")
SANS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
MONO = ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf")
DOCUMENTS = [
    ("scan_page_01.jpg", page_article, "lorem", SERIF, (245, 0.0, 3, False)),
    ("scan_page_02.jpg", page_article, "declaration", SERIF, (232, 1.5, 6, False)),
    ("scan_page_03.jpg", page_article, "lorem", SANS, (220, -2.5, 8, False)),
    ("scan_page_04.jpg", page_article, "declaration", MONO, (238, 0.8, 5, True)),
    ("scan_page_05.jpg", page_two_columns, "lorem", SERIF, (240, 0.0, 4, False)),
    ("scan_page_06.jpg", page_two_columns, "declaration", SANS, (226, -1.2, 7, False)),
    ("scan_page_07.jpg", page_two_columns, "lorem", SERIF, (235, 3.0, 6, True)),
    ("scan_page_08.jpg", page_letter, "lorem", SERIF, (242, 0.5, 4, False)),
    ("scan_page_09.jpg", page_letter, "declaration", MONO, (228, -0.7, 7, True)),
    ("scan_page_10.jpg", page_letter, "lorem", SANS, (236, 2.0, 5, False)),
    ("scan_page_11.jpg", page_form, "lorem", SANS, (244, 0.0, 3, False)),
    ("scan_page_12.jpg", page_form, "lorem", SANS, (224, 1.0, 8, False)),
    ("scan_page_13.jpg", page_form, "declaration", MONO, (234, -1.8, 6, True)),
    ("scan_page_14.jpg", page_article, "lorem", SERIF, (210, 0.3, 10, False)),
    ("scan_page_15.jpg", page_article, "declaration", SANS, (246, -0.4, 3, False)),
    ("scan_page_16.jpg", page_two_columns, "lorem", MONO, (230, 0.0, 6, False)),
    ("scan_page_17.jpg", page_letter, "declaration", SERIF, (218, -3.0, 9, False)),
    ("scan_page_18.jpg", page_form, "declaration", SERIF, (240, 2.4, 5, False)),
    ("scan_receipt_01.jpg", page_receipt, "items", MONO, (240, 0.0, 4, False)),
    ("scan_receipt_02.jpg", page_receipt, "items", MONO, (230, 2.0, 6, False)),
    ("scan_receipt_03.jpg", page_receipt, "items", MONO, (222, -1.5, 8, True)),
]

# Near-blank scans: (name, paper brightness, skew, noise sigma, yellowed, a faint mark: None | "fold" | "number").
BLANK_PAGES = [
    ("blank_page_01.jpg", 244, 0.0, 3, False, None),
    ("blank_page_02.jpg", 230, 1.0, 6, False, "fold"),
    ("blank_page_03.jpg", 236, -0.8, 5, True, "number"),
    ("blank_page_04.jpg", 222, 0.0, 8, False, None),
]
# Flat colours: (name, RGB, size).
FLAT = [
    ("flat_black.jpg", (0, 0, 0), (640, 480)),
    ("flat_grey.png", (128, 128, 128), (400, 300)),
    ("flat_red.png", (200, 30, 30), (320, 240)),
]


def save(img, path):
    if path.suffix == ".jpg":
        img.save(path, "JPEG", quality=80, optimize=True)
    else:
        img.save(path, "PNG", optimize=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = pathlib.Path(__file__).resolve().parent.parent
    parser.add_argument("--out", type=pathlib.Path, default=root / "samples" / "mixed-dump")
    out = parser.parse_args().out
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as tmp:
        data, package_file = skimage_data(tmp)
        for name, (sha, _, _) in SOURCES.items():
            got = hashlib.sha256((data / name).read_bytes()).hexdigest()
            if got != sha:
                sys.exit(f"error: {data / name} has SHA-256 {got}, expected {sha} (another {SKIMAGE_PACKAGE} version?)")
        if out.exists():
            if any(out.iterdir()) and not (out / "PROVENANCE.md").is_file():
                sys.exit(f"error: {out} holds files but no PROVENANCE.md, so it is not a sample folder; pick another --out")
            shutil.rmtree(out)
        out.mkdir(parents=True)
        labels, prov = [], []

        for name, label, src, box, mirror, side in PHOTOS:
            img = Image.open(data / src).convert("RGB").crop(box)
            if mirror:
                img = img.transpose(Image.FLIP_LEFT_RIGHT)
            f = side / max(img.size)
            size = f"kept at {img.width}×{img.height}"
            if f != 1:
                img = img.resize((round(img.width * f), round(img.height * f)), Image.LANCZOS)
                size = f"resized (Lanczos) to {img.width}×{img.height}"
            save(img, out / name)
            labels.append((name, label))
            prov.append((name, f"`{src}`", f"crop box (left, top, right, bottom) = {box}"
                         + (", mirrored left-right" if mirror else "") + f", {size}, JPEG quality 80"))

        for name, layout, text, face, look in DOCUMENTS:
            words = DECLARATION if text == "declaration" else LOREM
            img = scan(layout(rng, words, face), rng, look)
            save(img, out / name)
            labels.append((name, "document"))
            source = {"declaration": "Declaration of Independence (1776) words", "lorem": "Lorem ipsum words",
                      "items": "invented shop items and prices"}[text]
            prov.append((name, f"rendered by this script from {source}", f"{layout.__name__} layout in "
                         f"{face[0].removesuffix('.ttf')}; scan look: paper {look[0]}/255, skew {look[1]}°, noise σ "
                         f"{look[2]}{', yellowed' if look[3] else ''}; {img.width}×{img.height}, JPEG quality 80"))

        for name, paper, skew, noise, tint, mark in BLANK_PAGES:
            img = Image.new("L", (PAGE_W * SCALE, PAGE_H * SCALE), 255)
            d = ImageDraw.Draw(img)
            if mark == "fold":
                d.line((0, PAGE_H * SCALE // 3, PAGE_W * SCALE, PAGE_H * SCALE // 3 + 6), fill=200, width=2 * SCALE)
            elif mark == "number":
                d.text((PAGE_W * SCALE // 2, (PAGE_H - 28) * SCALE), str(rng.randint(2, 99)), fill=40,
                       font=font("DejaVuSerif.ttf", 9))
            img = scan(img, rng, (paper, skew, noise, tint))
            save(img, out / name)
            labels.append((name, "blank"))
            prov.append((name, "drawn by this script", f"empty page{', faint ' + mark if mark else ''}; scan look: "
                         f"paper {paper}/255, skew {skew}°, noise σ {noise}{', yellowed' if tint else ''}; "
                         f"{img.width}×{img.height}, JPEG quality 80"))
        for name, rgb, size in FLAT:
            save(Image.new("RGB", size, rgb), out / name)
            labels.append((name, "blank"))
            prov.append((name, "drawn by this script", f"flat colour RGB {rgb}, {size[0]}×{size[1]}"))

        tiny = [("tiny_cat_12px.png", "chelsea.png", 12), ("tiny_coffee_16px.png", "coffee.png", 16)]
        for name, src, side in tiny:
            img = Image.open(data / src).convert("RGB").resize((side, side), Image.LANCZOS)
            save(img, out / name)
            labels.append((name, "tiny"))
            prov.append((name, f"`{src}`", f"whole image squashed to {side}×{side}, PNG"))
        noise = np.random.default_rng(rng.randint(0, 2**31)).integers(0, 256, (10, 10, 3), dtype=np.uint8)
        save(Image.fromarray(noise), out / "tiny_noise_10px.png")
        labels.append(("tiny_noise_10px.png", "tiny"))
        prov.append(("tiny_noise_10px.png", "drawn by this script", "10×10 random colour pixels (seeded), PNG"))

        # Broken files: the run lists them in errors.csv and goes on.
        (out / "broken_empty.jpg").write_bytes(b"")
        whole = (out / "photo_cat_01.jpg").read_bytes()
        (out / "broken_truncated.jpg").write_bytes(whole[:len(whole) // 3])
        (out / "broken_not_an_image.png").write_text("This is a text file with a .png name, not an image.\n")
        for name, what in [("broken_empty.jpg", "empty file (0 bytes)"),
                           ("broken_truncated.jpg", f"first {len(whole) // 3} of the {len(whole)} bytes of photo_cat_01.jpg"),
                           ("broken_not_an_image.png", "one line of plain text written by this script")]:
            labels.append((name, "broken"))
            prov.append((name, "made by this script" if "photo" not in what else "`chelsea.png` (via photo_cat_01.jpg)",
                         what))

        with open(out / "labels.csv", "w", newline="\n") as f:
            f.write("path,label\n")
            for name, label in sorted(labels):
                f.write(f"{name},{label}\n")
        write_provenance(out, sorted(prov), package_file)
    sizes = sum(p.stat().st_size for p in out.iterdir())
    print(f"wrote {len(labels)} files + labels.csv + PROVENANCE.md to {out} ({sizes} bytes)")


def write_provenance(out, prov, package_file):
    lines = [
        "# Provenance of samples/mixed-dump",
        "",
        "Every file here was made by `tools/make_sample.py` (run it to rebuild the folder; the same Pillow/libjpeg build",
        "gives the same bytes). Nothing comes from `../shared/datasets`.",
        "",
        "## Sources and licences",
        "",
        f"Photos: scikit-image's sample data as shipped in Debian 12's package `{SKIMAGE_PACKAGE}` version "
        f"`{SKIMAGE_VERSION}`, folder `/{SKIMAGE_DATA}/`. Licences are those stated for each image in that package's",
        "`skimage/data/_fetchers.py` (the docstring of `chelsea()`, `coffee()`, `hubble_deep_field()`, `rocket()`).",
        "",
        "| source file | SHA-256 | licence | author / attribution |",
        "|---|---|---|---|",
    ]
    for name, (sha, licence, author) in SOURCES.items():
        lines.append(f"| `{name}` | `{sha[:16]}…` | {licence} | {author} |")
    lines += [
        "",
        "Text on the rendered pages: Lorem ipsum (after Cicero, *De finibus bonorum et malorum*, 45 BC; public domain)",
        "and words of the opening of the United States Declaration of Independence (1776; public domain), rearranged by a",
        "seeded generator (Lorem ipsum words at random, the Declaration in runs of consecutive words). Shop items,",
        "addresses, dates, numbers and prices are invented by the script. Fonts: DejaVu Serif, Sans and Sans Mono from",
        "Debian's `fonts-dejavu-core` 2.37-6 (Bitstream Vera licence; DejaVu changes public domain); the pages are",
        "pictures of text set in them, no font file is included.",
        "",
        "Everything drawn by the script (pages, blank scans, flat colours, noise, the broken files) is dedicated to the",
        "public domain under CC0 1.0 by the ImageCluster authors.",
        "",
        "The Hubble image is a NASA/ESA work: NASA's material is in the public domain, and ESA/Hubble publishes its",
        "images under CC BY 4.0; the credit line above is given so that the attribution holds either way.",
        "",
        "The photos are cropped, mirrored and rescaled copies of the four sources above: several files per source, so",
        "each kind of photo has a few members. Treat them as crops of one picture each, not as independent photos.",
        "",
        "## Per file",
        "",
        "| file | source | changes |",
        "|---|---|---|",
    ]
    lines += [f"| `{name}` | {src} | {what} |" for name, src, what in prov]
    lines += ["", "`labels.csv` gives each file's kind (`photo_cat`, `photo_coffee`, `photo_space`, `photo_rocket`,",
              "`document`, `blank`, `tiny`, `broken`).", ""]
    (out / "PROVENANCE.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
