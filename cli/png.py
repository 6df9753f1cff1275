"""A grayscale PNG writer with no dependency (zlib and struct from the standard library)."""

from __future__ import annotations

import struct
import zlib

import numpy as np


def write_gray_png(path, image, low=None, high=None) -> None:
    """Write a 2-D array as an 8-bit grayscale PNG, mapping [low, high] (the image's range by
    default) to black..white.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "ramp.png")
    >>> write_gray_png(path, np.tile(np.linspace(0, 1, 8), (4, 1)))
    >>> open(path, "rb").read(8) == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D; got shape {image.shape}")
    low = float(image.min()) if low is None else low
    high = float(image.max()) if high is None else high
    scaled = np.clip((image - low) / ((high - low) or 1.0), 0.0, 1.0)
    pixels = np.round(255 * scaled).astype(np.uint8)
    rows = b"".join(b"\x00" + row.tobytes() for row in pixels)

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", pixels.shape[1], pixels.shape[0], 8, 0, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))
