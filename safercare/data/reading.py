"""Turn a learner's file (CSV or Excel) into a grid of cells, or explain why it cannot be read.

This is the only place that touches the bytes of a learner's file. It reads them once
(it never writes), works out what kind of file it is from its content rather than
trusting its name, decodes text (UTF-8, then Windows-1252, the usual encoding of Excel
on UK Windows, and UTF-16 for Excel's "Unicode text"), and returns every cell with the
row number the learner sees in Excel. Anything that stops the file being read as a
table becomes a :class:`~safercare.errors.DataError`.
"""

from __future__ import annotations

import csv
import io
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from safercare.errors import DataError, Problem

__all__ = ["Grid", "Source", "read_grid", "sheet_names"]

#: What :func:`read_grid` accepts: a path, the file's bytes, or an open file.
Source = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes] | IO[str]

_SAVE_AS = ("in Excel, use File > Save As and choose 'CSV UTF-8 (Comma delimited)' or "
            "'Excel Workbook (.xlsx)'")


@dataclass
class Grid:
    """Every cell of a table as read, before any column is chosen.

    Attributes:
        cells: one row per spreadsheet row (index = the Excel row number, from 1) and
            one column per spreadsheet column (0, 1, 2 …); text from a CSV file,
            text/numbers/dates from Excel; blank cells are ``None`` or ``""``.
        source: the file's name, for messages.
        notes: things the learner should know about how the file was read.
    """

    cells: pd.DataFrame
    source: str
    notes: list[str] = field(default_factory=list)
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)


def _problem(what: str, fix: str) -> Problem:
    return Problem(None, None, what, fix)


def _fail(source: str, what: str, fix: str) -> DataError:
    return DataError(_problem(what, fix), source=source)


def _take_bytes(source: Source, name: str | None) -> tuple[bytes | str, str]:
    """The file's content (bytes, or text for a text stream) and a name for messages."""
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), name or "your file"
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        label = name or path.name
        if not path.exists():
            raise _fail(label, f"there is no file at '{path}'",
                        "check the file name and folder, and that the file has been uploaded")
        if path.is_dir():
            raise _fail(label, f"'{path}' is a folder, not a file",
                        "choose the CSV or Excel file inside it")
        with path.open("rb") as handle:  # read only: the learner's file is never changed
            return handle.read(), label
    if hasattr(source, "read"):
        content = source.read()
        label = name or Path(str(getattr(source, "name", "your file"))).name
        if isinstance(content, str | bytes):
            return content, label
    raise TypeError(
        "read_table needs a file path, the file's bytes or an open file, "
        f"not {type(source).__name__}"
    )


def _decode(content: bytes, label: str, notes: list[str]) -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in content[:20000]:
        raise _fail(label, "this does not look like a table (a CSV or Excel file)",
                    "choose a CSV or Excel (.xlsx) file; " + _SAVE_AS)
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError:
        raise _fail(
            label, "the characters in this file could not be read (it is not UTF-8 or "
            "Windows text)", _SAVE_AS + ", then try again",
        ) from None
    notes.append(
        "Your file is not saved as UTF-8, so it was read as Windows-1252 text (Excel's "
        "usual encoding in the UK). Check that symbols such as £ and accented letters "
        "look right."
    )
    return text


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    if "\x00" in sample:
        return True
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    return controls > max(2, len(sample) // 50)


def _delimiter(text: str) -> str:
    """Comma unless the first lines clearly use tabs or semicolons."""
    lines = [line for line in text.splitlines()[:20] if line.strip()][:5]
    sample = "\n".join(lines)
    counts = {d: sample.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _read_text(content: bytes | str, label: str, notes: list[str]) -> pd.DataFrame:
    text = content if isinstance(content, str) else _decode(content, label, notes)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise _fail(label, "the file is empty", "check that you chose the right file and "
                    "that it was saved with your data in it")
    if _looks_binary(text):
        raise _fail(label, "this does not look like a table (a CSV or Excel file)",
                    "choose a CSV or Excel (.xlsx) file; " + _SAVE_AS)
    head = text.lstrip()[:500].lower()
    if head.startswith("<") and ("<html" in head or "<!doctype" in head or "<table" in head):
        raise _fail(label, "this is a web page (HTML), not a table file",
                    "open it in Excel and " + _SAVE_AS.removeprefix("in Excel, "))
    delimiter = _delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))
    except csv.Error as error:
        raise _fail(label, f"this file could not be read as a table ({error})",
                    _SAVE_AS + ", then try again") from None
    if delimiter != ",":
        name = "tabs" if delimiter == "\t" else "semicolons"
        notes.append(f"The columns in your file are separated by {name}, not commas; "
                     f"they were read that way.")
    width = max(map(len, rows), default=0)
    return pd.DataFrame([row + [""] * (width - len(row)) for row in rows], dtype=object)


def _sheet_names_words(names: list[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)


def _read_excel(content: bytes, label: str, sheet: str | int | None, notes: list[str]
                ) -> tuple[pd.DataFrame, str, list[str]]:
    import difflib

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not know
            book = load_workbook(io.BytesIO(content), data_only=True)
    except Exception:  # noqa: BLE001 - any failure to open a corrupt workbook means the same
        raise _fail(label, "this file could not be opened as an Excel workbook (it may be "
                    "damaged, password-protected or not really an .xlsx file)",
                    "open it in Excel and save it again as 'Excel Workbook (.xlsx)' or as "
                    "'CSV UTF-8'") from None
    names = book.sheetnames
    if sheet is None:
        worksheet = book.worksheets[0]
        if len(names) > 1:
            notes.append(f"Your workbook has {len(names)} sheets "
                         f"({_sheet_names_words(names)}); the first, '{names[0]}', was "
                         "read. Choose another with sheet=.")
    elif isinstance(sheet, int) and not isinstance(sheet, bool):
        if not 0 <= sheet < len(names):
            raise _fail(label, f"there is no sheet number {sheet} (sheets are counted from 0 "
                        f"and this workbook has {len(names)})",
                        f"choose one of {_sheet_names_words(names)}")
        worksheet = book.worksheets[sheet]
    else:
        if str(sheet) not in names:
            close = difflib.get_close_matches(str(sheet), names, n=1, cutoff=0.5)
            hint = f"did you mean '{close[0]}'? The" if close else "the"
            raise _fail(label, f"there is no sheet called '{sheet}'",
                        f"{hint} sheets are {_sheet_names_words(names)}")
        worksheet = book[str(sheet)]
    rows = list(worksheet.iter_rows(min_row=1, min_col=1, max_row=worksheet.max_row,
                                    max_col=worksheet.max_column, values_only=True))
    return pd.DataFrame(rows, dtype=object), worksheet.title, list(names)


def _is_blank(cells: pd.DataFrame) -> np.ndarray:
    """True for each empty cell (nothing, or only spaces); also used by :mod:`.table`."""
    text = cells.apply(lambda col: col.astype("string").str.strip())
    return (text.isna() | (text == "")).to_numpy(dtype=bool)


def read_grid(source: Source, *, sheet: str | int | None = None, name: str | None = None
              ) -> Grid:
    """Read every cell of a CSV or Excel file, with Excel row numbers.

    The kind of file is worked out from its content (an .xlsx file is a zip archive),
    so a workbook renamed to .csv still reads. Trailing empty rows and columns (which
    Excel often leaves behind) are removed; nothing else is. Raises
    :class:`~safercare.errors.DataError` when the file is missing, empty, an old
    .xls or PDF file, not text, or has an unreadable encoding.
    """
    content, label = _take_bytes(source, name)
    notes: list[str] = []
    sheet_name: str | None = None
    sheet_names: list[str] = []
    suffix = Path(label).suffix.lower()
    if isinstance(content, bytes) and content.startswith(b"PK\x03\x04"):
        if suffix == ".csv":
            notes.append("Your file's name ends in .csv but it is an Excel workbook; it was "
                         "read as a workbook.")
        cells, sheet_name, sheet_names = _read_excel(content, label, sheet, notes)
    elif isinstance(content, bytes) and content.startswith(b"\xd0\xcf\x11\xe0"):
        raise _fail(label, "this is an older Excel 97-2003 (.xls) file, which cannot be read",
                    "open it in Excel and save it as 'Excel Workbook (.xlsx)' or 'CSV UTF-8'")
    elif isinstance(content, bytes) and content.startswith(b"%PDF"):
        raise _fail(label, "this is a PDF document, not a table",
                    "use the spreadsheet the PDF was made from, saved as CSV or .xlsx")
    elif suffix in {".xlsx", ".xlsm"} and isinstance(content, bytes) and content.strip():
        raise _fail(label, f"this file's name ends in {suffix} but it is not an Excel "
                    "workbook", "open it in Excel and save it again as 'Excel Workbook (.xlsx)'")
    else:
        if sheet is not None:
            notes.append("sheet= was ignored: a CSV file has only one sheet.")
        cells = _read_text(content, label, notes)
    if cells.size:
        blank = _is_blank(cells)
        filled_rows = (~blank).any(axis=1).nonzero()[0]
        filled_cols = (~blank).any(axis=0).nonzero()[0]
        if len(filled_rows):
            cells = cells.iloc[: filled_rows[-1] + 1, : filled_cols[-1] + 1]
        else:
            cells = cells.iloc[0:0, 0:0]
    if cells.size == 0:
        where = "the sheet" if sheet is not None else "the file"
        raise _fail(label, f"{where} is empty", "check that you chose the right file (and "
                    "sheet) and that it was saved with your data in it")
    cells = cells.reset_index(drop=True)
    cells.index = cells.index + 1  # Excel row numbers
    cells.columns = range(cells.shape[1])
    return Grid(cells=cells, source=label, notes=notes, sheet=sheet_name, sheets=sheet_names)


def sheet_names(source: Source, *, name: str | None = None) -> list[str]:
    """The sheets of an Excel workbook, in order (``[]`` for a CSV file).

    Raises :class:`~safercare.errors.DataError` if the workbook cannot be opened.
    """
    content, label = _take_bytes(source, name)
    if not (isinstance(content, bytes) and content.startswith(b"PK\x03\x04")):
        return []
    _, _, names = _read_excel(content, label, None, [])
    return names
