"""Receiving uploaded files: to a temporary file on disk, never whole into memory, within a size limit."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import UploadFile

from app.core.errors import PayloadTooLarge

COPY_BLOCK = 1 << 20


@asynccontextmanager
async def saved_upload(upload: UploadFile, *, max_bytes: int) -> AsyncIterator[Path]:
    """The upload written to a temporary file, deleted afterwards; 413 past `max_bytes`."""
    with tempfile.TemporaryDirectory(prefix="upload-") as folder:
        path = Path(folder) / "upload.csv"
        written = 0
        with path.open("wb") as target:
            while block := await upload.read(COPY_BLOCK):
                written += len(block)
                if written > max_bytes:
                    raise PayloadTooLarge(
                        f"'{upload.filename}' is larger than the {max_bytes // (1 << 20)} MB limit "
                        "(MAX_UPLOAD_MB). Split the file or raise the limit."
                    )
                target.write(block)
        yield path
