"""Bounded decompression: count decoded bytes as they come, so a zip bomb is refused, never expanded."""

from __future__ import annotations

import zlib


class TooLarge(Exception):
    """The decoded body would exceed the byte limit."""


class BadEncoding(Exception):
    """The body is not valid for its declared content encoding."""


class BoundedDecoder:
    """Decode a Content-Encoding (identity, gzip or deflate) chunk by chunk, never past `limit` bytes."""

    SUPPORTED = ("identity", "gzip", "x-gzip", "deflate")

    def __init__(self, encoding: str, limit: int) -> None:
        """Start decoding `encoding` with a budget of `limit` decoded bytes."""
        self.encoding = encoding.strip().lower() or "identity"
        if self.encoding not in self.SUPPORTED:
            raise BadEncoding(f"unsupported content encoding {encoding!r}")
        self.limit = limit
        self.produced = 0
        self._first = b""
        self._obj: zlib._Decompress | None = None
        if self.encoding in ("gzip", "x-gzip"):
            self._obj = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected

    def _count(self, data: bytes) -> bytes:
        """Add decoded bytes to the budget; raise TooLarge past the limit."""
        self.produced += len(data)
        if self.produced > self.limit:
            raise TooLarge(f"body exceeds {self.limit} bytes")
        return data

    def feed(self, chunk: bytes) -> bytes:
        """Decode one raw chunk."""
        if self.encoding == "identity":
            return self._count(chunk)
        if self._obj is None:  # deflate: zlib-wrapped per the standard, raw from some servers
            self._first += chunk
            try:
                self._obj = zlib.decompressobj()
                return self._decompress(self._first)
            except BadEncoding:
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                self.produced = 0
                return self._decompress(self._first)
        return self._decompress(chunk)

    def _decompress(self, data: bytes) -> bytes:
        """Inflate with an output cap of one byte past the remaining budget."""
        assert self._obj is not None
        if self._obj.eof:
            return b""  # trailing garbage after the stream end is ignored
        try:
            out = self._obj.decompress(data, self.limit - self.produced + 1)
        except zlib.error as exc:
            raise BadEncoding(str(exc)) from exc
        return self._count(out)

    def flush(self) -> bytes:
        """Return whatever the decompressor still holds."""
        if self._obj is None or self._obj.eof:
            return b""
        try:
            return self._count(self._obj.flush(self.limit - self.produced + 1))
        except zlib.error as exc:
            raise BadEncoding(str(exc)) from exc


def gunzip_bounded(data: bytes, limit: int) -> bytes:
    """Decompress a gzip file (e.g. a `.xml.gz` sitemap) of at most `limit` decoded bytes."""
    decoder = BoundedDecoder("gzip", limit)
    return decoder.feed(data) + decoder.flush()
