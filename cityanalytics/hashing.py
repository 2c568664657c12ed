"""Content hashes shared by the seed corpus, the token resources and experiment manifests."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_bytes(data: bytes) -> str:
    """SHA-256 of bytes, as hex."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a file's bytes, as hex."""
    return sha256_bytes(Path(path).read_bytes())


def sha256_text(text: str) -> str:
    """SHA-256 of a string's UTF-8 bytes, as hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
