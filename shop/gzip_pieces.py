"""A page compressed once, sent many times with different short strings spliced in.

A kept page (shop/page_cache.py) is the same for every visitor but for its CSRF token
and CSP nonce. Compressing it afresh for each visitor costs more than everything else
in serving it; this compresses the page once, when it is kept, with a placeholder of
the same length in each gap, and on each hit compresses only the strings and puts them
in place of the placeholders' compressed blocks:

- Each part and each placeholder ends with a *sync flush*, so each is a whole number of
  deflate blocks and can be swapped for another of the same length.
- A placeholder is bytes 0xFF, which UTF-8 text never holds: no later part can refer to
  a placeholder's bytes (a deflate back-reference copies earlier text the later text
  repeats), so later parts decode the same whatever fills the gap. Their references to
  text before a gap keep their distances because a fill is as long as its placeholder.
- The gzip trailer needs the CRC-32 of the whole page. CRC-32 is linear: the page with
  its fills differs from the page with placeholders by a few bytes at known places, so
  its CRC is the kept page's CRC plus each difference's CRC moved to its place (zlib's
  ``crc32_combine`` arithmetic, which Python does not expose). Gaps filled alike (every
  form's CSRF token) are moved together: one multiplication per distinct fill.

Because each fill is compressed on its own, its compressed length tells nothing about
the rest of the page, and the page's nothing about it: no BREACH guessing of the CSRF
token through compression.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

# zlib's crc32_combine, after crc32.c (Mark Adler): polynomials over GF(2), reflected.
_POLY = 0xEDB88320
_TOP = 1 << 31  # x^0 in the reflected representation


def _multmodp(a: int, b: int) -> int:
    """a(x) * b(x) modulo the CRC-32 polynomial."""
    m, p = _TOP, 0
    while True:
        if a & m:
            p ^= b
            if (a & (m - 1)) == 0:
                break
        m >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1
    return p


def _powers() -> list[int]:
    table, p = [], 1 << 30  # x^1
    for _ in range(32):
        table.append(p)
        p = _multmodp(p, p)
    return table


_X2N = _powers()  # x^(2^n) mod p


def shift_operator(length: int) -> int:
    """x^(8 * length) mod p: what moves a CRC past ``length`` bytes."""
    p, k = _TOP, 3
    while length:
        if length & 1:
            p = _multmodp(_X2N[k & 31], p)
        length >>= 1
        k += 1
    return p


_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # gzip, deflate, no name, no mtime


PLACEHOLDER = b"\xff"  # never in UTF-8 text


class FillMismatch(ValueError):
    """A fill is not as long as the placeholder it replaces."""


@dataclass(frozen=True)
class Pieces:
    """A text with gaps, compressed once with placeholders in the gaps."""

    parts: tuple[bytes, ...]  # compressed, one per part; the last ends the stream
    holes: tuple[bytes, ...]  # compressed placeholders, one per gap
    lengths: tuple[int, ...]  # of each part, uncompressed
    gaps: tuple[int, ...]  # of each gap
    crc: int  # of the whole text with placeholders in the gaps
    moves: tuple[int, ...]  # per gap: shift_operator(bytes after it)

    @classmethod
    def from_parts(cls, parts: list[bytes], gaps: list[int], level: int = 6) -> Pieces:
        """``parts[0]``, a gap of ``gaps[0]`` bytes, ``parts[1]``, …, ``parts[-1]``."""
        if len(gaps) != len(parts) - 1:
            raise ValueError("one gap between each two parts")
        if any(PLACEHOLDER in part for part in parts):
            raise ValueError("a part holds the placeholder byte")
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        compressed, holes, crc = [], [], 0
        for number, part in enumerate(parts):
            if number:
                placeholder = PLACEHOLDER * gaps[number - 1]
                crc = zlib.crc32(placeholder, crc)
                hole = compressor.compress(placeholder)
                holes.append(hole + compressor.flush(zlib.Z_SYNC_FLUSH))
            crc = zlib.crc32(part, crc)
            last = number == len(parts) - 1
            flush = zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH
            compressed.append(compressor.compress(part) + compressor.flush(flush))
        after = [  # bytes after each gap, to the end of the text
            sum(map(len, parts[number + 1 :])) + sum(gaps[number + 1 :])
            for number in range(len(gaps))
        ]
        return cls(
            parts=tuple(compressed),
            holes=tuple(holes),
            lengths=tuple(len(part) for part in parts),
            gaps=tuple(gaps),
            crc=crc,
            moves=tuple(shift_operator(length) for length in after),
        )

    def gzip(self, fills: list[bytes]) -> bytes:
        """The whole text, ``fills[i]`` in gap i, as one gzip stream."""
        moves: dict[bytes, int] = {}
        for fill, gap, move in zip(fills, self.gaps, self.moves, strict=True):
            if len(fill) != gap:
                raise FillMismatch(f"{len(fill)} bytes for a gap of {gap}")
            # Moving one difference to several places is moving it by their sum.
            moves[fill] = moves.get(fill, 0) ^ move
        crc, blocks = self.crc, {}
        for fill, move in moves.items():
            # The CRC of (fill XOR placeholder) with no pre- or post-conditioning.
            difference = zlib.crc32(fill) ^ zlib.crc32(PLACEHOLDER * len(fill))
            if move:  # gaps whose moves cancel out change nothing (and 0 has no top bit)
                crc ^= _multmodp(move, difference)
            filler = zlib.compressobj(1, zlib.DEFLATED, -15)
            blocks[fill] = filler.compress(fill) + filler.flush(zlib.Z_SYNC_FLUSH)
        out = [_HEADER, self.parts[0]]
        for fill, part in zip(fills, self.parts[1:], strict=True):
            out += [blocks[fill], part]
        size = sum(self.lengths) + sum(self.gaps)
        out.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
        return b"".join(out)

    def plain(self, fills: list[bytes]) -> bytes:
        """The whole text uncompressed, ``fills[i]`` in gap i (of any length)."""
        stream = [self.parts[0]]
        for hole, part in zip(self.holes, self.parts[1:], strict=True):
            stream += [hole, part]
        text = zlib.decompress(b"".join(stream), -15)
        out, start = [], 0
        for length, gap, fill in zip(self.lengths, (*self.gaps, 0), [*fills, b""], strict=True):
            out += [text[start : start + length], fill]
            start += length + gap
        return b"".join(out)
