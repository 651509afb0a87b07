"""The practice's referral chart as a native PowerPoint chart: a chart part (c:chartSpace,
clustered columns, one category per month) modelled on python-pptx's ChartXmlWriter, with its
figures in the part's caches and in a small embedded workbook, so that PowerPoint shows the
chart, and "Edit Data" opens the same figures in a spreadsheet, without any other file."""
from __future__ import annotations

from xml.sax.saxutils import escape

from ..charts.svg import _count, _nice_ticks

CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SERIES_NAME = "Referrals"

_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _fill(color: str) -> str:
    return f'<a:solidFill><a:srgbClr val="{color}"/></a:solidFill>'


def _text_props(size: int, color: str, bold: bool = False) -> str:
    b = ' b="1"' if bold else ' b="0"'
    return (f'<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="{size * 100}"{b}>'
            f'{_fill(color)}</a:defRPr></a:pPr><a:endParaRPr lang="en-US"/></a:p></c:txPr>')


def chart_xml(labels: list[str], values: list[int], *, bar: str, text: str, grid: str,
              label: str) -> str:
    """The chart part: ``labels`` (months) as categories, ``values`` the referrals, bars in
    ``bar``, axis labels in ``text``, gridlines in ``grid``, each bar's value above it in
    ``label`` (DrawingML colours, ``0F766E``)."""
    n = len(labels)
    last = n + 1
    cats = "".join(f'<c:pt idx="{i}"><c:v>{escape(str(v))}</c:v></c:pt>' for i, v in enumerate(labels))
    vals = "".join(f'<c:pt idx="{i}"><c:v>{int(v)}</c:v></c:pt>' for i, v in enumerate(values))
    line = f'<c:spPr><a:ln w="9525">{_fill(grid)}</a:ln></c:spPr>'
    # the HTML chart's gridlines (PowerPoint's own scale steps by halves for small counts, and
    # the whole-number labels read "0, 1, 1"); with no referrals at all, 0 and 1
    ticks = _nice_ticks(max((int(v) for v in values), default=0))
    top, unit = (ticks[-1], ticks[1]) if len(ticks) > 1 else (1, 1)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<c:chartSpace xmlns:c="{_C}" xmlns:a="{_A}" xmlns:r="{_R}">'
        '<c:date1904 val="0"/><c:roundedCorners val="0"/>'
        '<c:chart><c:autoTitleDeleted val="1"/><c:plotArea><c:layout/>'
        '<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/><c:varyColors val="0"/>'
        '<c:ser><c:idx val="0"/><c:order val="0"/>'
        f'<c:tx><c:strRef><c:f>Sheet1!$B$1</c:f><c:strCache><c:ptCount val="1"/>'
        f'<c:pt idx="0"><c:v>{SERIES_NAME}</c:v></c:pt></c:strCache></c:strRef></c:tx>'
        f'<c:spPr>{_fill(bar)}<a:ln><a:noFill/></a:ln></c:spPr><c:invertIfNegative val="0"/>'
        '<c:dLbls><c:numFmt formatCode="General" sourceLinked="0"/><c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>'
        + _text_props(18, label, bold=True) +
        '<c:dLblPos val="outEnd"/><c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/>'
        '<c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/></c:dLbls>'
        f'<c:cat><c:strRef><c:f>Sheet1!$A$2:$A${last}</c:f><c:strCache><c:ptCount val="{n}"/>{cats}'
        '</c:strCache></c:strRef></c:cat>'
        f'<c:val><c:numRef><c:f>Sheet1!$B$2:$B${last}</c:f><c:numCache><c:formatCode>General</c:formatCode>'
        f'<c:ptCount val="{n}"/>{vals}</c:numCache></c:numRef></c:val></c:ser>'
        '<c:gapWidth val="60"/><c:overlap val="0"/>'
        '<c:axId val="100001"/><c:axId val="100002"/></c:barChart>'
        '<c:catAx><c:axId val="100001"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        f'<c:axPos val="b"/><c:numFmt formatCode="General" sourceLinked="0"/><c:majorTickMark val="none"/>'
        f'<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>{line}' + _text_props(18, text) +
        '<c:crossAx val="100002"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/>'
        '<c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        '<c:valAx><c:axId val="100002"/><c:scaling><c:orientation val="minMax"/>'
        f'<c:max val="{top}"/><c:min val="0"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="l"/><c:majorGridlines>{line}</c:majorGridlines>'
        '<c:numFmt formatCode="0" sourceLinked="0"/><c:majorTickMark val="none"/><c:minorTickMark val="none"/>'
        '<c:tickLblPos val="nextTo"/><c:spPr><a:ln><a:noFill/></a:ln></c:spPr>' + _text_props(18, text) +
        '<c:crossAx val="100001"/><c:crosses val="autoZero"/><c:crossBetween val="between"/>'
        f'<c:majorUnit val="{unit}"/></c:valAx>'
        '<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr></c:plotArea>'
        '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
        '<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>'
        + _text_props(18, text) +
        '<c:externalData r:id="rId1"><c:autoUpdate val="0"/></c:externalData>'
        '</c:chartSpace>'
    )


def alt_text(title: str, labels: list[str], values: list[int]) -> str:
    """The chart's alternative text, every figure in it, for whoever cannot see the bars
    (a screen reader, PowerPoint's Accessibility Checker): ``"Referrals from Riverbend
    Internal Medicine per month, the last 12 complete months: Dec ’25 0, Jan ’26 4, …,
    Nov ’26 2; 24 in all."``"""
    figures = ", ".join(f"{m} {_count(int(v))}" for m, v in zip(labels, values))
    return f"{title}: {figures}; {_count(sum(int(v) for v in values))} in all."


def workbook_parts(labels: list[str], values: list[int]) -> list[tuple[str, str]]:
    """The embedded workbook's parts (a minimal SpreadsheetML package: months in column A,
    referrals in column B, the header in row 1), in zip order."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    decl = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

    def s(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'

    rows = [f'<row r="1">{s("A1", "Month")}{s("B1", SERIES_NAME)}</row>']
    rows += [f'<row r="{k}">{s(f"A{k}", str(m))}<c r="B{k}"><v>{int(v)}</v></c></row>'
             for k, (m, v) in enumerate(zip(labels, values), start=2)]
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    sheet_ct = "application/vnd.openxmlformats-officedocument.spreadsheetml."
    return [
        ("[Content_Types].xml",
         f'{decl}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
         '<Default Extension="xml" ContentType="application/xml"/>'
         f'<Override PartName="/xl/workbook.xml" ContentType="{sheet_ct}sheet.main+xml"/>'
         f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{sheet_ct}worksheet+xml"/></Types>'),
        ("_rels/.rels",
         f'{decl}<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" '
         'Target="xl/workbook.xml"/></Relationships>'),
        ("xl/workbook.xml",
         f'{decl}<workbook xmlns="{ns}" xmlns:r="{rel}"><sheets>'
         '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        ("xl/_rels/workbook.xml.rels",
         f'{decl}<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" '
         'Target="worksheets/sheet1.xml"/></Relationships>'),
        ("xl/worksheets/sheet1.xml",
         f'{decl}<worksheet xmlns="{ns}"><dimension ref="A1:B{len(labels) + 1}"/><sheetData>'
         + "".join(rows) + '</sheetData></worksheet>'),
    ]
