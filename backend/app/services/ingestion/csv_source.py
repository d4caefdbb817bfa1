"""Reading a CSV upload safely: sniff it, check its header, hand out rows in chunks with line numbers.

A file that is unusable as a whole (empty, binary, not UTF-8, not a CSV, missing columns)
raises `UnusableFile` before anything is written; problems in single rows are left to the
validators.

Most files have one record per line. For those, a byte scan (block by block, so memory
stays bounded) gives each record its line number and its number of fields, and pandas' C
parser reads the rows, one per record line. A file with a line break inside a quoted field
(or other irregular line structure) is read with the csv module instead, which is slower but
tracks lines itself. Either way a row with more fields than the header is reported as
misshapen, and a row with fewer has its missing trailing fields read as empty.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from app.core.errors import UnusableFile

SNIFF_BYTES = 64 * 1024
SCAN_BYTES = 8 * 1024 * 1024
TEXT = "string[pyarrow]"
# pandas' C parser builds Arrow string columns directly only for this dtype; asked for TEXT
# it makes a Python object per field first, which costs more than the parse itself.
ARROW_TEXT = pd.ArrowDtype(pa.string())


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


@dataclass(frozen=True)
class _Layout:
    """The file's records when every one sits on a line of its own: line numbers and field counts."""

    lines: np.ndarray
    fields: np.ndarray


def _layout(path: Path, header_line: int) -> _Layout | None:
    """Each non-blank line after the header with its number of fields, scanned block by block.

    None when a line could be part of a multi-line record (an odd number of quotes), is
    whitespace only, or holds a bare carriage return: the csv module reads those files.
    Memory stays bounded by the block size plus 12 bytes per line.
    """
    lines: list[np.ndarray] = []
    fields: list[np.ndarray] = []
    first_line = 1
    carry = b""
    with path.open("rb") as handle:
        while True:
            block = handle.read(SCAN_BYTES)
            buffer = carry + block if block else carry + b"\n" * bool(carry)
            cut = buffer.rfind(b"\n") + 1
            carry = buffer[cut:]
            if cut:
                scanned = _scan_block(buffer[:cut])
                if scanned is None:
                    return None
                offsets, counts, line_count = scanned
                lines.append(offsets + first_line)
                fields.append(counts)
                first_line += line_count
            if not block:
                break
    numbers = np.concatenate(lines) if lines else np.zeros(0, dtype=np.int64)
    counts = np.concatenate(fields) if fields else np.zeros(0, dtype=np.int32)
    after_header = numbers > header_line
    return _Layout(numbers[after_header], counts[after_header])


def _scan_block(text: bytes) -> tuple[np.ndarray, np.ndarray, int] | None:
    """For whole lines of bytes (ending in a newline): the non-blank lines' offsets and field counts."""
    data = np.frombuffer(text, dtype=np.uint8)
    ends = np.flatnonzero(data == ord("\n"))
    starts = np.concatenate(([0], ends[:-1] + 1))
    carriage = np.flatnonzero(data == ord("\r"))
    if np.any(data[carriage + 1] != ord("\n")):
        return None
    body_ends = ends - (data[ends - 1] == ord("\r"))  # a line's content stops before "\r\n"
    quotes = np.bincount(np.searchsorted(ends, np.flatnonzero(data == ord('"'))), minlength=len(ends))
    if np.any(quotes % 2):
        return None
    filled = body_ends > starts
    # Bytes up to 32 are spaces and control characters; a line that starts with one may be blank.
    for line in np.flatnonzero(filled & (data[starts] <= 32)):
        if not text[starts[line] : body_ends[line]].strip():
            return None
    commas = np.searchsorted(np.flatnonzero(data == ord(",")), ends)
    counts = (np.diff(commas, prepend=0) + 1).astype(np.int32)
    # A quoted field may hold commas: the csv module counts the fields of those few lines.
    for line in np.flatnonzero(quotes):
        record = text[starts[line] : body_ends[line]].decode("utf-8", errors="replace")
        counts[line] = len(next(csv.reader([record])))
    return np.flatnonzero(filled), counts[filled], len(ends)


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
        layout = _layout(self.path, self.header_line)
        if layout is None:
            yield from self._csv_module_chunks(chunk_rows)
        else:
            yield from self._pandas_chunks(chunk_rows, layout)

    def _empty(self) -> pd.DataFrame:
        return pd.DataFrame({position: pd.Series([], dtype=TEXT) for position in range(self.width)})

    def _named(self, frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({name: frame[self.positions[name]] for name in self.expected})

    def _pandas_chunks(self, chunk_rows: int, layout: _Layout) -> Iterator[Chunk]:
        # pandas reads every record line as a row (none is wider than the columns it is
        # given), so row i is layout.lines[i]; rows wider than the header are set aside here.
        wide = layout.fields > self.width
        columns = max(self.width, int(layout.fields.max(initial=0)))
        taken = 0
        for frame in self._pandas_frames(chunk_rows, columns):
            lines = layout.lines[taken : taken + len(frame)]
            if len(lines) < len(frame) or not isinstance(frame.index, pd.RangeIndex):
                raise self._inconsistent(lines)
            span = slice(taken, taken + len(frame))
            too_wide = wide[span]
            misshapen = list(zip(lines[too_wide].tolist(), layout.fields[span][too_wide].tolist(), strict=True))
            if misshapen:
                frame, lines = frame[~too_wide], lines[~too_wide]
            taken = span.stop
            yield Chunk(self._named(frame), lines, misshapen, self.width)
        if taken != len(layout.lines):
            raise self._inconsistent(layout.lines[taken:])

    def _inconsistent(self, lines: np.ndarray) -> UnusableFile:
        # Only a quoting the scan and pandas' parser read differently gets here.
        near = f" near line {lines[0]}" if len(lines) else ""
        return UnusableFile(f"The {self.label}'s quoting could not be read consistently{near}. Check its quotes.")

    def _pandas_frames(self, chunk_rows: int, columns: int) -> Iterator[pd.DataFrame]:
        """pandas' chunks of string columns, with parser failures turned into UnusableFile."""
        try:
            reader = pd.read_csv(
                self.path, header=None, skiprows=self.header_line, names=range(columns), dtype=ARROW_TEXT,
                dtype_backend="pyarrow", na_filter=False, encoding="utf-8-sig", chunksize=chunk_rows,
            )  # fmt: skip
            with reader:
                for frame in reader:
                    yield frame.astype(TEXT)
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
