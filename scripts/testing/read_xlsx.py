"""Reads an .xlsx workbook with openpyxl (an implementation independent of the
one that wrote it) and prints it as JSON: per sheet, the rows of cell values
with their types, the auto filter, the frozen pane and the fills of column B.

Usage: python3 read_xlsx.py FILE
"""
import datetime
import json
import sys

from openpyxl import load_workbook


def cell(value):
    if isinstance(value, datetime.datetime):
        return {"t": "date", "v": value.isoformat()}
    if isinstance(value, bool):
        return {"t": "bool", "v": value}
    if isinstance(value, (int, float)):
        return {"t": "number", "v": value}
    if value is None:
        return None
    return {"t": "text", "v": str(value)}


def main(path):
    book = load_workbook(path)
    out = {}
    for sheet in book.worksheets:
        fills = {}
        for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
            c = row[0]
            if c.fill is not None and c.fill.fgColor is not None and c.fill.fill_type == "solid":
                fills[str(c.value)] = c.fill.fgColor.rgb
        out[sheet.title] = {
            "rows": [[cell(v) for v in row] for row in sheet.iter_rows(values_only=True)],
            "auto_filter": sheet.auto_filter.ref,
            "freeze_panes": sheet.freeze_panes,
            "fills": fills,
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
