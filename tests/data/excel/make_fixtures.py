"""Writes klanten.xlsx, the Excel fixture of tests/cli_excel.rs, by hand: the parts of an
.xlsx (SpreadsheetML in a zip archive) written as text with Python's zipfile, so that the
reader is tested on a workbook that no Rust crate of ours made.

What it holds, as Excel would save it:
- sheet `Blad1`: row 1 empty (the header is the first row that is not), the header on row 2;
  shared strings and an inline string; whole and decimal numbers; date cells (style with
  numFmtId 14, a date format); booleans; formulas with their cached values (`=C3*2`,
  `=0.1+0.2` cached as 0.30000000000000004); an error cell `#N/A` at C6;
- sheet `Oud`: another header and rows, for --sheet.

Run: python3 tests/data/excel/make_fixtures.py (from the repository root).
"""

import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""

ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""

WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets>
<sheet name="Blad1" sheetId="1" r:id="rId1"/>
<sheet name="Oud" sheetId="2" r:id="rId2"/>
</sheets>
</workbook>"""

WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""

# Style 0: general; style 1: numFmtId 14 (Excel's built-in short date).
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="2">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
</cellXfs>
</styleSheet>"""

STRINGS = ["id", "naam", "orders", "omzet", "klant_sinds", "actief", "dubbel",
           "K1", "Anna", "K2", "Bas", "K3", "K4", "Dina", "K5", "Eva"]


def shared(s):
    return STRINGS.index(s)


SST = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
       '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
       % (len(STRINGS), len(STRINGS))
       + "".join("<si><t>%s</t></si>" % s for s in STRINGS) + "</sst>")


def s(ref, text):
    return '<c r="%s" t="s"><v>%d</v></c>' % (ref, shared(text))


def n(ref, value, formula=None, style=0):
    f = "<f>%s</f>" % formula if formula else ""
    st = ' s="%d"' % style if style else ""
    return '<c r="%s"%s>%s<v>%s</v></c>' % (ref, st, f, value)


def b(ref, value):
    return '<c r="%s" t="b"><v>%d</v></c>' % (ref, value)


def date(ref, serial):
    return n(ref, serial, style=1)


def row(r, cells):
    return '<row r="%d">%s</row>' % (r, "".join(cells))


# Excel serials (1900 system): 45352 = 2024-03-01, 45991 = 2025-11-30, 46037 = 2026-01-15.
SHEET1_ROWS = [
    row(2, [s("A2", "id"), s("B2", "naam"), s("C2", "orders"), s("D2", "omzet"),
            s("E2", "klant_sinds"), s("F2", "actief"), s("G2", "dubbel")]),
    row(3, [s("A3", "K1"), s("B3", "Anna"), n("C3", 3), n("D3", 120.5),
            date("E3", 45352), b("F3", 1), n("G3", 6, formula="C3*2")]),
    row(4, [s("A4", "K2"), s("B4", "Bas"), n("C4", 0), n("D4", 0),
            date("E4", 45991), b("F4", 0), n("G4", 0, formula="C4*2")]),
    # An inline string, no date (E5 left out), a decimal number.
    row(5, [s("A5", "K3"), '<c r="B5" t="inlineStr"><is><t>Cor</t></is></c>', n("C5", 12),
            n("D5", 1999.99), b("F5", 1), n("G5", 24, formula="C5*2")]),
    # An error cell where a number is read: the row is rejected, naming Blad1!C6.
    row(6, [s("A6", "K4"), s("B6", "Dina"), '<c r="C6" t="e"><f>NA()</f><v>#N/A</v></c>',
            n("D6", 10), date("E6", 45352), b("F6", 1), '<c r="G6" t="e"><f>C6*2</f><v>#N/A</v></c>']),
    # A formula's cached value with float noise.
    row(7, [s("A7", "K5"), s("B7", "Eva"), n("C7", 5), n("D7", "0.30000000000000004", formula="0.1+0.2"),
            date("E7", 46037), b("F7", 1), n("G7", 10, formula="C7*2")]),
]

SHEET2_ROWS = [
    row(1, ['<c r="A1" t="inlineStr"><is><t>id</t></is></c>',
            '<c r="B1" t="inlineStr"><is><t>orders</t></is></c>']),
    row(2, ['<c r="A2" t="inlineStr"><is><t>OUD1</t></is></c>', n("B2", 7)]),
]


def sheet(rows, dimension):
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<dimension ref="%s"/><sheetData>%s</sheetData></worksheet>' % (dimension, "".join(rows)))


def main():
    path = os.path.join(HERE, "klanten.xlsx")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/styles.xml", STYLES),
            ("xl/sharedStrings.xml", SST),
            ("xl/worksheets/sheet1.xml", sheet(SHEET1_ROWS, "A2:G7")),
            ("xl/worksheets/sheet2.xml", sheet(SHEET2_ROWS, "A1:B2")),
        ]:
            # A fixed date: the fixture is the same bytes each time it is made.
            info = zipfile.ZipInfo(name, date_time=(2026, 12, 8, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)


if __name__ == "__main__":
    main()
