"""Reading a CSV upload safely: sniff it, check its header, hand out rows in chunks with line numbers.

A file that is unusable as a whole (empty, binary, not UTF-8, not a CSV, missing columns)
raises `UnusableFile` before anything is written; problems in single rows are left to the
validators.

Most files have one record per line. For those, pandas' C parser reads the rows and a byte
scan of the file gives each row its line number. A file with a line break inside a quoted
field (or other irregular line structure) is read with the csv module instead, which is
slower but tracks lines itself. Either way a row with more fields than the header is
reported as misshapen, and a row with fewer has its missing trailing fields read as empty.
"""

from __future__ import annotations

import csv
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd

from app.core.errors import UnusableFile

SNIFF_BYTES = 64 * 1024
TEXT = "string[pyarrow]"
_SKIPPED_LINE = re.compile(r"line (\d+): expected \d+ fields, saw (\d+)")


@dataclass(frozen=True)
class Chunk:
    """Up to `chunk_rows` data rows (strings, canonical column names) with each row's line in the file."""

    frame: pd.DataFrame
    lines: np.ndarray
    # Rows with more fields than the header's `width`: (line, fields found).
    misshapen: list[tuple[int, int]]
    width: int

    def __len__(self) -> int:
        return len(self.lines)


def _sniff(path: Path, label: str) -> None:
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head.strip():
        raise UnusableFile(f"The {label} is empty: it needs a header row and at least one data row.")
    if b"\x00" in head:
        raise UnusableFile(f"The {label} is binary, not a CSV text file. Export it as CSV (UTF-8) and upload that.")
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # The cut at SNIFF_BYTES may split a multi-byte character at the very end.
        if len(head) < SNIFF_BYTES or exc.start < len(head) - 4:
            raise UnusableFile(
                f"The {label} is not UTF-8 text (byte {exc.start} cannot be decoded). "
                "Save it as 'CSV UTF-8' and upload it again."
            ) from exc


def _record_lines(path: Path, header_line: int) -> np.ndarray | None:
    """Line numbers of the non-blank lines after the header, if every such line is one whole record.

    None when a line could be part of a multi-line record (an odd number of quotes), is
    whitespace only, or holds a bare carriage return: the csv module reads those files.
    """
    data = np.fromfile(path, dtype=np.uint8)
    if data.size and data[-1] != ord("\n"):
        data = np.append(data, np.uint8(ord("\n")))
    ends = np.flatnonzero(data == ord("\n"))
    starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
    carriage = np.flatnonzero(data == ord("\r"))
    if not np.isin(carriage, ends - 1).all():
        return None
    body_ends = ends - np.isin(ends - 1, carriage)  # a line's content stops before "\r\n"
    quotes = np.flatnonzero(data == ord('"'))
    if np.any(np.bincount(np.searchsorted(ends, quotes), minlength=len(ends)) % 2):
        return None
    filled = body_ends > starts
    # Bytes up to 32 are spaces and control characters; a line that starts with one may be blank.
    doubtful = np.flatnonzero(filled & (data[np.minimum(starts, data.size - 1)] <= 32))
    for line in doubtful:
        if not bytes(data[starts[line] : body_ends[line]]).strip():
            return None
    numbers = np.arange(1, len(ends) + 1, dtype=np.int64)
    return numbers[(numbers > header_line) & filled]


def _canonical(name: str) -> str:
    return name.strip().lstrip("\ufeff").lower()


def resolve_header(header: list[str], expected: tuple[str, ...], label: str) -> tuple[dict[str, int], list[str]]:
    """Map each expected column to its position; columns match ignoring case and surrounding spaces.

    Returns the mapping and the header's columns outside the contract (ignored, but reported).
    """
    positions: dict[str, int] = {}
    wanted = {_canonical(column): column for column in expected}
    extra: list[str] = []
    for index, raw in enumerate(header):
        column = wanted.get(_canonical(raw))
        if column is None:
            extra.append(raw.strip())
        elif column in positions:
            raise UnusableFile(
                f"The {label} names column '{column}' twice (positions {positions[column] + 1} and {index + 1}).",
                details=[{"line": 1, "column": column, "reason": "duplicate column"}],
            )
        else:
            positions[column] = index
    missing = [column for column in expected if column not in positions]
    if missing:
        raise UnusableFile(
            f"The {label}'s header lacks {len(missing)} required column(s): {', '.join(missing)}. "
            f"Expected columns (any order): {', '.join(expected)}.",
            details=[{"line": 1, "column": column, "reason": "missing column"} for column in missing],
        )
    return positions, extra


def _not_utf8(label: str, near: str) -> UnusableFile:
    return UnusableFile(f"The {label} is not UTF-8 text {near}. Save it as 'CSV UTF-8' and upload it again.")


class CsvSource:
    """An orders or stock CSV, checked up to its header, read in chunks of rows."""

    def __init__(self, path: Path, expected: tuple[str, ...], *, label: str = "file") -> None:
        _sniff(path, label)
        self.path = path
        self.label = label
        self.expected = expected
        header, self.header_line = self._read_header()
        if len(header) < 2:
            raise UnusableFile(
                f"The {label} is not a comma-separated file: its first line has a single column "
                f"('{header[0][:60]}'). Expected columns: {', '.join(expected)}."
            )
        self.positions, self.ignored_columns = resolve_header(header, expected, label)
        self.width = len(header)

    def _read_header(self) -> tuple[list[str], int]:
        with self.path.open("r", encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            try:
                for row in reader:
                    if any(field.strip() for field in row):
                        return row, reader.line_num
            except UnicodeDecodeError as exc:
                raise _not_utf8(self.label, "in its first lines") from exc
            except csv.Error as exc:
                raise UnusableFile(f"The {self.label}'s header is not valid CSV: {exc}.") from exc
        raise UnusableFile(f"The {self.label} is empty: it needs a header row and at least one data row.")

    def chunks(self, chunk_rows: int) -> Iterator[Chunk]:
        """Data rows in chunks of at most `chunk_rows`; blank lines are skipped."""
        record_lines = _record_lines(self.path, self.header_line)
        if record_lines is None:
            yield from self._csv_module_chunks(chunk_rows)
        else:
            yield from self._pandas_chunks(chunk_rows, record_lines)

    def _empty(self) -> pd.DataFrame:
        return pd.DataFrame({position: pd.Series([], dtype=TEXT) for position in range(self.width)})

    def _named(self, frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({name: frame[self.positions[name]] for name in self.expected})

    def _pandas_chunks(self, chunk_rows: int, record_lines: np.ndarray) -> Iterator[Chunk]:
        skipped: dict[int, int] = {}
        taken = 0
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            frames = self._pandas_frames(chunk_rows)
            while True:
                frame = next(frames, None)
                for message in caught:
                    for line, fields in _SKIPPED_LINE.findall(str(message.message)):
                        skipped[int(line)] = int(fields)
                caught.clear()
                if frame is None:
                    # Misshapen lines after the last good row still need reporting.
                    rest = [(int(line), skipped[int(line)]) for line in record_lines[taken:] if int(line) in skipped]
                    if rest:
                        yield Chunk(self._named(self._empty()), np.zeros(0, dtype=np.int64), rest, self.width)
                    return
                # The rows of this chunk are the next record lines that pandas did not skip.
                lines: list[int] = []
                misshapen: list[tuple[int, int]] = []
                while len(lines) < len(frame):
                    line = int(record_lines[taken])
                    taken += 1
                    if line in skipped:
                        misshapen.append((line, skipped.pop(line)))
                    else:
                        lines.append(line)
                yield Chunk(self._named(frame), np.asarray(lines, dtype=np.int64), misshapen, self.width)

    def _pandas_frames(self, chunk_rows: int) -> Iterator[pd.DataFrame]:
        """pandas' chunks of string columns, with parser failures turned into UnusableFile."""
        try:
            reader = pd.read_csv(
                self.path, header=None, skiprows=self.header_line, names=range(self.width), dtype=TEXT,
                keep_default_na=False, na_filter=False, encoding="utf-8-sig", on_bad_lines="warn",
                chunksize=chunk_rows,
            )  # fmt: skip
            with reader:
                yield from reader
        except UnicodeDecodeError as exc:
            raise _not_utf8(self.label, f"at byte {exc.start} of a block") from exc
        except (pd.errors.ParserError, ValueError) as exc:
            raise UnusableFile(f"The {self.label} is not a valid CSV: {str(exc).strip()}.") from exc

    def _csv_module_chunks(self, chunk_rows: int) -> Iterator[Chunk]:
        with self.path.open("r", encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            for _ in islice(reader, self.header_line):
                pass
            while True:
                try:
                    # reader.line_num read after each row is that row's last line in the file.
                    numbered = [(row, reader.line_num) for row in islice(reader, chunk_rows)]
                except UnicodeDecodeError as exc:
                    raise _not_utf8(self.label, f"near line {reader.line_num + 1}") from exc
                except csv.Error as exc:
                    raise UnusableFile(
                        f"The {self.label} is not a valid CSV near line {reader.line_num}: {exc}."
                    ) from exc
                if not numbered:
                    return
                # csv gives [] for a blank line; a short row is padded like pandas does it.
                rows = [row + [""] * (self.width - len(row)) for row, _ in numbered if 0 < len(row) <= self.width]
                lines = [line for row, line in numbered if 0 < len(row) <= self.width]
                misshapen = [(line, len(row)) for row, line in numbered if len(row) > self.width]
                frame = pd.DataFrame(rows, columns=range(self.width), dtype=TEXT) if rows else self._empty()
                yield Chunk(self._named(frame), np.asarray(lines, dtype=np.int64), misshapen, self.width)


def count_data_lines(path: Path) -> int:
    """Physical lines after the header (for progress bars; quoted newlines make it an upper bound)."""
    newlines = 0
    last = b"\n"
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            newlines += block.count(b"\n")
            last = block[-1:]
    lines = newlines + (0 if last == b"\n" else 1)
    return max(lines - 1, 0)
