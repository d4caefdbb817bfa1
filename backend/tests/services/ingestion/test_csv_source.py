"""Reading CSV files: line numbers, misshapen rows, whole-file problems (no database needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import UnusableFile
from app.services.ingestion.csv_source import CsvSource

COLUMNS = ("a", "b", "c")


def rows_and_lines(path: Path, chunk_rows: int = 2) -> tuple[list[list[str]], list[int], list[tuple[int, int]]]:
    rows, lines, misshapen = [], [], []
    for chunk in CsvSource(path, COLUMNS).chunks(chunk_rows):
        rows += chunk.frame.astype(object).values.tolist()
        lines += chunk.lines.tolist()
        misshapen += chunk.misshapen
    return rows, lines, misshapen


@pytest.mark.parametrize("quoted_newline", [False, True], ids=["one-line-records", "multi-line-record"])
def test_rows_keep_their_line_numbers_across_blank_and_misshapen_lines(tmp_path: Path, quoted_newline: bool) -> None:
    text = "x\ny" if quoted_newline else "x,y"
    middle = f'"{text}",10,11'
    path = tmp_path / "f.csv"
    path.write_text(f"A, b ,C\n1,2,3\n\n4,5,6,7\n8,9\n{middle}\n12,13,14,15\n16,17,18\n")
    shift = 1 if quoted_newline else 0

    rows, lines, misshapen = rows_and_lines(path)

    # The short row "8,9" reads its missing last field as empty, as pandas does.
    assert rows == [["1", "2", "3"], ["8", "9", ""], [text, "10", "11"], ["16", "17", "18"]]
    assert lines == [2, 5, 6 + shift, 8 + shift]
    assert misshapen == [(4, 4), (7 + shift, 4)]


def test_header_matches_columns_in_any_order_and_case(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("C,extra,A,B\n3,z,1,2\n")
    source = CsvSource(path, COLUMNS)
    assert source.ignored_columns == ["extra"]
    frame = next(source.chunks(10)).frame
    assert frame.astype(object).values.tolist() == [["1", "2", "3"]]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\n\n", "empty"),
        (b"a,a,b,c\n1,1,2,3\n", "twice"),
        (b"a,b\n1,2\n", r"lacks 1 required column\(s\): c"),
    ],
)
def test_whole_file_problems(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    with pytest.raises(UnusableFile, match=message):
        CsvSource(path, COLUMNS)


def test_invalid_utf8_after_the_first_block_is_unusable(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"a,b,c\n" + b"1,2,3\n" * 20_000 + b"4,\xff,6\n")
    with pytest.raises(UnusableFile, match="UTF-8"):
        list(CsvSource(path, COLUMNS).chunks(1_000))


def test_a_first_row_wider_than_the_header_is_reported_and_shifts_nothing(tmp_path: Path) -> None:
    # pandas, given fewer names than the first row has fields, takes the first field for an
    # index and shifts every row one column left; and with one field too many it may drop it.
    path = tmp_path / "f.csv"
    path.write_text("a,b,c\n1,2,3,4\n5,6,7\n8,9,10,\n11,12\n")

    rows, lines, misshapen = rows_and_lines(path)

    assert rows == [["5", "6", "7"], ["11", "12", ""]]
    assert lines == [3, 5]
    assert misshapen == [(2, 4), (4, 4)]


def test_lines_are_counted_across_scan_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The layout scan reads the file in blocks; a line cut by a block boundary still counts once.
    monkeypatch.setattr("app.services.ingestion.csv_source.SCAN_BYTES", 7)
    path = tmp_path / "f.csv"
    path.write_text('a,b,c\n1,2,3\n\n"x,y",5,6\n7,8,9,10\n11,12,13')

    rows, lines, misshapen = rows_and_lines(path)

    assert rows == [["1", "2", "3"], ["x,y", "5", "6"], ["11", "12", "13"]]
    assert lines == [2, 4, 6]
    assert misshapen == [(5, 4)]
