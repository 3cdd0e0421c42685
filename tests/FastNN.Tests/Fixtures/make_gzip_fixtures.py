#!/usr/bin/python3
"""Writes gzip_fixtures.json: gzip files written here with CPython's zlib (the C zlib, not .NET's zlib-ng), in the shapes
other gzip writers give that .NET's GZipStream does not: sync, full and partial flushes (pigz's block joins, empty
stored and fixed blocks), the fixed, RLE and Huffman-only strategies, small windows, every optional header field with
FHCRC, empty members and members of python's gzip module; and damaged ones: a wrong CRC-32 or ISIZE, a reserved flag
bit, bytes after the last member, a header cut inside FNAME. Each case holds the file and either what `gzip -d`
(python's gzip.decompress, checked here) gives or a fragment of the error GzipReader must give.

Run once with any python3 (/usr/bin/python3 make_gzip_fixtures.py); the output is committed and read by
GzipFixtureTests.
"""
import base64
import gzip
import json
import random
import struct
import zlib

random.seed(30)


def member(data, deflate=None, flags=0, extra=None, name=None, comment=None, fhcrc=False, crc=None, isize=None):
    """One member as RFC 1952 lays it out; deflate data by zlib's defaults unless given."""
    header = bytearray(b'\x1f\x8b\x08')
    flags |= (4 if extra is not None else 0) | (8 if name is not None else 0) | (16 if comment is not None else 0) | (2 if fhcrc else 0)
    header.append(flags)
    header += b'\x00\x00\x00\x00\x00\x03'  # MTIME 0, XFL 0, OS 3 (Unix)
    if extra is not None:
        header += struct.pack('<H', len(extra)) + extra
    if name is not None:
        header += name + b'\x00'
    if comment is not None:
        header += comment + b'\x00'
    if fhcrc:
        header += struct.pack('<H', zlib.crc32(bytes(header)) & 0xFFFF)
    if deflate is None:
        deflate = raw_deflate(data)
    return bytes(header) + deflate + struct.pack('<II', zlib.crc32(data) if crc is None else crc, len(data) if isize is None else isize)


def raw_deflate(data, level=6, strategy=zlib.Z_DEFAULT_STRATEGY, flushes=(), wbits=-15, memlevel=8):
    """Raw deflate data, flushed with each (offset, mode) of flushes on the way."""
    c = zlib.compressobj(level, zlib.DEFLATED, wbits, memlevel, strategy)
    out, at = b'', 0
    for end, mode in flushes:
        out += c.compress(data[at:end]) + c.flush(mode)
        at = end
    return out + c.compress(data[at:]) + c.flush()


def text(length):
    s = "x1,x2,y\n"
    while len(s) < length:
        s += f"{random.random() * 100:.6f},{random.randint(0, 999)},{random.randint(0, 2)}\n"
    return s[:length].encode()


cases = []


def read(name, file, content):
    assert gzip.decompress(file) == content, name
    cases.append({"name": name, "gzip": base64.b64encode(file).decode(), "content": base64.b64encode(content).decode()})


def refused(name, file, fragment):
    cases.append({"name": name, "gzip": base64.b64encode(file).decode(), "error": fragment})


d = text(1500)
read("sync flushes", member(d, raw_deflate(d, flushes=[(500, zlib.Z_SYNC_FLUSH), (1000, zlib.Z_SYNC_FLUSH)])), d)
read("full flush at the end", member(d, raw_deflate(d, flushes=[(len(d), zlib.Z_FULL_FLUSH)])), d)
read("partial flushes", member(d[:500], raw_deflate(d[:500], flushes=[(100, zlib.Z_PARTIAL_FLUSH), (200, zlib.Z_PARTIAL_FLUSH), (500, zlib.Z_SYNC_FLUSH)])), d[:500])
for strategy, label in [(zlib.Z_HUFFMAN_ONLY, "Huffman only"), (zlib.Z_RLE, "RLE"), (zlib.Z_FIXED, "fixed codes")]:
    for length in [0, 1, 3, 700]:
        read(f"{label}, {length} bytes", member(d[:length], raw_deflate(d[:length], 9, strategy)), d[:length])
read("stored", member(d, raw_deflate(d, 0)), d)
read("a 512-byte window", member(d, raw_deflate(d, wbits=-9, memlevel=1)), d)
read("every header field, FHCRC, an empty member", member(d[:1000], extra=b'AB\x02\x00hi', name=b'part1.csv', comment=b'c' * 300, fhcrc=True)
     + member(b'', fhcrc=True) + member(d[1000:], flags=1), d)
read("python's gzip module, an empty member", gzip.compress(d[:10], mtime=0) + gzip.compress(b'', mtime=0) + gzip.compress(d[10:], compresslevel=1, mtime=0), d)
read("zero padding", gzip.compress(d, mtime=0) + b'\x00' * 100, d)
read("one empty member", gzip.compress(b'', mtime=0), b'')
refused("a wrong CRC-32", member(d[:300], crc=zlib.crc32(d[:300]) ^ 1), "member 1 (from byte 0) decompressed to 300 bytes")
refused("a wrong ISIZE", member(d[:300], isize=301), "member 1 (from byte 0) decompressed to 300 bytes")
first = member(d[:300])
refused("a wrong ISIZE in member 2", first + member(d[300:600], isize=299), f"member 2 (from byte {len(first)}) decompressed to 300 bytes")
refused("a reserved flag bit in member 2", first + member(d[:5], flags=0x40), f"member 2 (from byte {len(first)}): its header flags 0x40 set reserved bits")
refused("text after the last member", first + b'garbage', f"after member 1, byte {len(first)} is 0x67")
refused("zeros, then text", first + b'\x00\x00\x00x', f"after member 1, byte {len(first) + 3} is 0x78")
refused("a header cut inside FNAME", member(d[:300], name=b'abc')[:13], "it ends at byte 13, inside the header of member 1")

with open("gzip_fixtures.json", "w") as f:
    json.dump({"magic": "fastnn-gzip-fixtures", "version": 1, "cases": cases}, f, indent=1)
    f.write("\n")
