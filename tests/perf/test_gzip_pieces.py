"""Pages compressed in pieces (shop/gzip_pieces.py) are valid gzip, byte for byte."""

import gzip
import random

import pytest

from shop.gzip_pieces import FillMismatch, Pieces


@pytest.mark.parametrize("seed", range(20))
def test_a_spliced_page_decompresses_to_the_page_with_its_fills(seed):
    chooser = random.Random(seed)  # noqa: S311  (test data, not a secret)
    words = [b'<div class="product">', b"Mi\xe1\xba\xbfn dong", b"125.000 \xe2\x82\xab", b"\n"]
    parts = [
        b"".join(chooser.choice(words) for _ in range(chooser.randrange(0, 3000)))
        for _ in range(chooser.randrange(1, 6))
    ]
    # Fills like a CSRF token or a nonce, repeated as a page repeats its token, and
    # text after a gap that repeats text before it (a back-reference across the gap).
    token = bytes(chooser.choice(b"abcXYZ0123456789") for _ in range(64))
    fills = [chooser.choice([token, token[:22], b""]) for _ in parts[1:]]
    parts = [parts[0]] + [part + parts[0][:500] for part in parts[1:]]
    whole = parts[0] + b"".join(fill + part for fill, part in zip(fills, parts[1:], strict=True))
    pieces = Pieces.from_parts(parts, [len(fill) for fill in fills])
    assert gzip.decompress(pieces.gzip(fills)) == whole  # checks the CRC and length too
    assert pieces.plain(fills) == whole
    # Each gap costs a block boundary (new Huffman tables) and its fill, little more.
    assert len(pieces.gzip(fills)) < len(gzip.compress(whole, 6)) + 120 * len(fills) + 40


def test_a_fill_of_another_length_is_refused_not_garbled():
    pieces = Pieces.from_parts([b"<p>", b"</p>"], [64])
    with pytest.raises(FillMismatch):
        pieces.gzip([b"x" * 63])
    assert pieces.plain([b"x" * 63]) == b"<p>" + b"x" * 63 + b"</p>"


def test_a_part_holding_the_placeholder_byte_is_refused():
    with pytest.raises(ValueError):
        Pieces.from_parts([b"<p>\xff", b"</p>"], [3])


@pytest.mark.parametrize(
    ("parts", "fills"),
    [
        ([b"", b"</p>"], [b"t" * 64]),  # a fill first
        ([b"<p>", b""], [b"t" * 64]),  # a fill last
        ([b"", b"", b""], [b"t" * 64, b"n" * 22]),  # nothing but fills
        ([b""], []),  # an empty page
        ([b"<p>" * 20000], []),  # no gap, longer than deflate's 32 KB window
        ([b"<form>" + b"x" * 40000] * 12, [b"t" * 64] * 11),  # one token in many gaps
    ],
)
def test_edge_pages_decompress_exactly(parts, fills):
    whole = parts[0] + b"".join(fill + part for fill, part in zip(fills, parts[1:], strict=True))
    pieces = Pieces.from_parts(parts, [len(fill) for fill in fills])
    assert gzip.decompress(pieces.gzip(fills)) == whole
    assert pieces.plain(fills) == whole
