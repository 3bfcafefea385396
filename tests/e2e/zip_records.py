"""Stored zip records as bytes in the file, for tests that damage a record or compare one
byte for byte (zipfile itself refuses a record whose CRC-32 does not match)."""
import os
import struct


def data_offset(path, info):
    """Where the record's data starts: after its local header, name and extra field."""
    with open(path, "rb") as raw:
        raw.seek(info.header_offset + 26)
        name_size, extra_size = struct.unpack("<HH", raw.read(4))
    return info.header_offset + 30 + name_size + extra_size


def stored_bytes(path, info):
    with open(path, "rb") as raw:
        raw.seek(data_offset(path, info))
        return raw.read(info.compress_size)


def flip_first_byte(path, info):
    """Damages the record (its CRC-32 no longer matches) without changing any size."""
    with open(path, "r+b") as raw:
        raw.seek(data_offset(path, info))
        byte = raw.read(1)
        raw.seek(-1, os.SEEK_CUR)
        raw.write(bytes([byte[0] ^ 0xFF]))
