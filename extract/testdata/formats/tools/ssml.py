#!/usr/bin/env python3
"""ssml.py IN.html OUT [--header ROW] [--group PARENT:FIRST-LAST:CHILD,CHILD,...]

Writes an Excel 2003 XML workbook (SpreadsheetML) from LibreOffice's HTML export of a
workbook (soffice --convert-to html), the way Excel 2003 and the .NET templates of web
systems write one: the default namespace (no ss: prefix on elements), a <Styles> block,
numbers as Number, LibreOffice's date cells (sdval with a date sdnum) as DateTime, empty
cells and blank rows left out and the next one placed with ss:Index, title cells merged
with ss:MergeAcross. The header row ROW (1-based) becomes two rows: the columns
FIRST..LAST under a parent cell PARENT (ss:MergeAcross), the other header cells merged
down over both rows (ss:MergeDown="1"), the child row's cells placed past them without
ss:Index, as LibreOffice writes it. The blank row above the header is dropped so that
later rows keep their numbers.
"""
import argparse, datetime, html, sys
sys.path.insert(0, __import__('os').path.dirname(__file__))
from webstyle import Tables, shown  # noqa: E402

def value(c):
    v, fmt = c['sdval'], c['sdnum'].upper()
    if v is not None and ('YY' in fmt or 'DD' in fmt):
        t = datetime.datetime(1899, 12, 30) + datetime.timedelta(seconds=round(float(v) * 86400))
        return 'DateTime', t.strftime('%Y-%m-%dT%H:%M:%S.000')
    if v is not None:
        return 'Number', v
    return 'String', c['text'].strip()

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('src'); ap.add_argument('out')
    ap.add_argument('--header', type=int, default=0)
    ap.add_argument('--group', default='')
    ap.add_argument('--names', default='')
    o = ap.parse_args()
    p = Tables(); p.feed(open(o.src, encoding='utf-8').read())
    names = o.names.split(',') if o.names else ['Sheet%d' % (i + 1) for i in range(len(p.tables))]
    out = ['<?xml version="1.0"?>', '<?mso-application progid="Excel.Sheet"?>',
           '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"',
           ' xmlns:o="urn:schemas-microsoft-com:office:office"',
           ' xmlns:x="urn:schemas-microsoft-com:office:excel"',
           ' xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"',
           ' xmlns:html="http://www.w3.org/TR/REC-html40">',
           ' <Styles><Style ss:ID="Default" ss:Name="Normal"><Alignment ss:Vertical="Bottom"/></Style>',
           '  <Style ss:ID="s21"><NumberFormat ss:Format="dd/mm/yyyy\\ hh:mm"/></Style></Styles>']
    for name, t in zip(names, p.tables):
        out.append(' <Worksheet ss:Name="%s">\n  <Table>' % html.escape(name))
        last = 0
        for i, r in enumerate(t, 1):
            cells = [(value(c), c['colspan']) for c in r]
            if o.header and i == o.header - 1 and not any(v for (_, v), _ in cells):
                continue
            if o.header and i == o.header and o.group:
                parent, span, children = o.group.split(':')
                first, last_ = map(int, span.split('-'))
                children = children.split(',')
                top, bottom = [], []
                for j, ((_, v), _) in enumerate(cells, 1):
                    if j == first:
                        top.append('<Cell ss:MergeAcross="%d"><Data ss:Type="String">%s</Data></Cell>' % (last_ - first, html.escape(parent)))
                    if first <= j <= last_:
                        bottom.append('<Cell><Data ss:Type="String">%s</Data></Cell>' % html.escape(children[j - first]))
                    elif v:
                        top.append('<Cell ss:MergeDown="1"><Data ss:Type="String">%s</Data></Cell>' % html.escape(v).replace('\n', '&#10;'))
                out.append('   <Row ss:Index="%d">%s</Row>' % (i - 1, ''.join(top)))
                out.append('   <Row>%s</Row>' % ''.join(bottom))
                last = i
                continue
            parts, col, gap = [], 0, False
            for (typ, v), span in cells:
                col += 1
                if v:
                    idx = ' ss:Index="%d"' % col if gap else ''
                    merge = ' ss:MergeAcross="%d"' % (span - 1) if span > 1 else ''
                    style = ' ss:StyleID="s21"' if typ == 'DateTime' else ''
                    parts.append('<Cell%s%s%s><Data ss:Type="%s">%s</Data></Cell>' % (idx, merge, style, typ, html.escape(v).replace('\n', '&#10;')))
                    gap = False
                else:
                    gap = True
                col += span - 1
                if span > 1:
                    gap = True
            if not parts:
                continue
            idx = '' if i == last + 1 else ' ss:Index="%d"' % i
            out.append('   <Row%s>%s</Row>' % (idx, ''.join(parts)))
            last = i
        out.append('  </Table>\n </Worksheet>')
    out.append('</Workbook>')
    open(o.out, 'w', encoding='utf-8', newline='\r\n').write('\n'.join(out) + '\n')

if __name__ == '__main__':
    main()
