#!/usr/bin/env python3
"""Writes files that lie about their size into ./in (issue 14): 4 PNGs of 69 bytes declaring 13 000 x 13 000 RGBA, and a
sample JPEG re-labelled progressive 40 000 x 40 000. Usage: python3 bench/make_lying_files.py REPO_ROOT (from the scratch folder)."""
import os, struct, sys, zlib
os.makedirs("in", exist_ok=True)
def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
def png(side):
    ihdr = struct.pack('>IIBBBBB', side, side, 8, 6, 0, 0, 0)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(b'')) + chunk(b'IEND', b'')
for i in range(4): open(f'in/lying_{i}.png', 'wb').write(png(13000))
j = bytearray(open(sys.argv[1] + '/samples/mixed-dump/photo_cat_01.jpg', 'rb').read())
i = 2
while True:
    m = j[i+1]
    if m in (0xC0, 0xC1, 0xC2):
        j[i+1] = 0xC2; struct.pack_into('>HH', j, i+5, 40000, 40000); break
    i += 2 + struct.unpack_from('>H', j, i+2)[0]
open('in/lying_progressive.jpg', 'wb').write(j)
