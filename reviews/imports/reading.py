"""Reading: a file's bytes as UTF-8 CSV, its header checked, its rows as cells with the line each starts on."""

import csv
import functools
import io
from dataclasses import dataclass, field

from reviews.imports.files import COLUMNS, NO_COLUMN


@dataclass
class RawFile:
    """A file's header (the columns it names, by position) and its rows of cells, untyped."""

    name: str
    header: dict[str, int] = field(default_factory=dict)  # a known column: its position in each row
    lines: list[int] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)

    def cells(self, column):
        """The cells of one column, top to bottom."""
        if not self.rows:
            return ()
        return self.columns[self.header[column]]

    @functools.cached_property
    def columns(self):
        return list(zip(*self.rows, strict=True))


def read_file(name, stream, errors, *, progress=None, progress_every=1000):
    """The file's rows as ``RawFile``; what makes the file or a row unreadable goes to ``errors``."""
    raw = RawFile(name)
    text = _text(name, stream, errors)
    if text is None:
        return raw
    reader = csv.reader(text)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        errors.add(name, 1, NO_COLUMN, f"the file is not readable CSV: {exc}")
        return raw
    if not header or not any(cell.strip() for cell in header):
        errors.add(name, 1, NO_COLUMN, "the file is empty: it needs a header row naming its columns")
        return raw
    raw.header = _check_header(name, header, errors)
    _read_rows(raw, reader, len(header), errors, progress, progress_every)
    return raw


def _text(name, stream, errors):
    """The stream as text: binary streams (uploads, files opened "rb") are decoded here as UTF-8."""
    data = stream.read()
    if isinstance(data, str):
        return io.StringIO(data, newline="")
    try:
        return io.StringIO(data.decode("utf-8"), newline="")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        errors.add(name, line, NO_COLUMN, "the file is not UTF-8 text (save it as 'CSV UTF-8')")
        return None


def _check_header(name, header, errors):
    header = [cell.strip() for cell in header]
    header[0] = header[0].removeprefix("\ufeff")  # the byte order mark spreadsheets put first
    known = [column.name for column in COLUMNS[name]]
    positions = {}
    seen = set()
    for index, column in enumerate(header):
        if not column:
            errors.add(name, 1, NO_COLUMN, f"column {index + 1} of the header has no name")
        elif column in seen:
            errors.add(name, 1, column, "the column appears more than once in the header")
        elif column not in known:
            errors.add(name, 1, column, f"unknown column; {name} may have {', '.join(known)}")
        else:
            positions[column] = index
        seen.add(column)
    for column in COLUMNS[name]:
        if column.required_column and column.name not in seen:
            errors.add(name, 1, column.name, "required column is missing from the header")
    return positions


def _read_rows(raw, reader, width, errors, progress, progress_every):
    """Rows of the header's width with the line each starts on; blank rows skipped, others reported."""
    name = raw.name
    lines, rows = raw.lines, raw.rows
    line = reader.line_num + 1  # the line the next row starts on (a quoted value may span several)
    try:
        for read, cells in enumerate(reader, start=1):
            row_line, line = line, reader.line_num + 1
            if progress and read % progress_every == 0:
                progress(name, read)
            if len(cells) != width or not cells[0].strip():
                if not "".join(cells).strip():
                    continue  # blank lines, and the ",,,," rows spreadsheets leave behind
                if len(cells) != width:
                    message = f"the row has {len(cells)} values but the header has {width} columns"
                    errors.add(name, row_line, NO_COLUMN, message)
                    continue
            lines.append(row_line)
            rows.append(cells)
    except csv.Error as exc:
        errors.add(name, reader.line_num + 1, NO_COLUMN, f"the file is not readable CSV: {exc}")
