#!/usr/bin/env python3
"""webstyle.py IN.html OUT [--charset C] [--header ROW] [--group PARENT:FIRST-LAST:CHILD,CHILD,...]

Rewrites LibreOffice's HTML export of a workbook (soffice --convert-to html) the way
one-stop-shop web systems write their "Excel" exports: one <table> per sheet with <thead>
and <th>, every number and date as the text a person sees (dates dd/mm/yyyy HH:MM:SS from
LibreOffice's sdval), no sdval/sdnum, title rows as one cell with colspan, <br> inside
long header cells, &nbsp; in empty cells, entities for & < > and for every letter the
charset lacks, the header row ROW (1-based) split into two rows: the columns FIRST..LAST
grouped under a parent cell PARENT (colspan) over the children, the other header cells
spanning both rows (rowspan=2). The blank row above the header is dropped so that every
later row keeps its number. Output in CHARSET (default utf-8) with a <meta charset>.
"""
import argparse, datetime, html, html.parser, unicodedata

class Tables(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.row, self.cell = [], None, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'table':
            self.tables.append([])
        elif tag == 'tr':
            self.row = []
            self.tables[-1].append(self.row)
        elif tag in ('td', 'th'):
            self.cell = {'text': '', 'colspan': int(a.get('colspan') or 1), 'sdval': a.get('sdval'), 'sdnum': a.get('sdnum') or ''}
            self.row.append(self.cell)
        elif tag == 'br' and self.cell is not None:
            self.cell['text'] += '\n'
    def handle_endtag(self, tag):
        if tag in ('td', 'th'):
            self.cell = None
    def handle_data(self, data):
        if self.cell is not None:
            self.cell['text'] += data

def shown(c):
    """The text a web system would print for a cell of the original."""
    v, fmt = c['sdval'], c['sdnum'].upper()
    if v is not None and ('YY' in fmt or 'DD' in fmt):
        t = datetime.datetime(1899, 12, 30) + datetime.timedelta(seconds=round(float(v) * 86400))
        return t.strftime('%d/%m/%Y %H:%M:%S') if t.time() != datetime.time() else t.strftime('%d/%m/%Y')
    if v is not None:
        f = float(v)
        return str(int(f)) if f == int(f) else repr(f)
    return c['text'].strip()

def esc(s, charset):
    s = html.escape(s, quote=False)
    if charset.lower() in ('utf-8', 'utf8'):
        return s
    # Windows-1258 writes Vietnamese letters as a base letter and a combining tone.
    return unicodedata.normalize('NFD', s).encode(charset, 'xmlcharrefreplace').decode(charset)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('src'); ap.add_argument('out')
    ap.add_argument('--charset', default='utf-8')
    ap.add_argument('--header', type=int, default=0)
    ap.add_argument('--group', default='')
    o = ap.parse_args()
    p = Tables(); p.feed(open(o.src, encoding='utf-8').read())
    cs = o.charset
    out = ['<html><head><meta charset="%s"><title>%s</title>' % (cs, esc('Xuất dữ liệu', cs)),
           '<style>td{mso-number-format:"\\@"}</style></head><body>']
    for t in p.tables:
        out.append('<h3>%s</h3><table border="1">' % esc('Danh sách', cs))
        width = max(sum(c['colspan'] for c in r) for r in t) if t else 0
        for i, r in enumerate(t, 1):
            cells = [c for c in r]
            texts = [shown(c) for c in cells]
            if o.header and i == o.header - 1 and not any(texts):
                continue  # the blank row above the header: the header takes two rows
            if o.header and i == o.header and o.group:
                parent, span, children = o.group.split(':')
                first, last = map(int, span.split('-'))
                children = children.split(',')
                top, bottom = [], []
                for j, s in enumerate(texts, 1):
                    if j == first:
                        top.append('<th colspan="%d">%s</th>' % (last - first + 1, esc(parent, cs)))
                    if first <= j <= last:
                        bottom.append('<th>%s</th>' % esc(children[j - first], cs))
                    elif s:
                        s = esc(s, cs).replace(' ', '<br>', 1) if len(s) > 12 else esc(s, cs)
                        top.append('<th rowspan="2">%s</th>' % s)
                out.append('<thead><tr>%s</tr>\n<tr>%s</tr></thead><tbody>' % (''.join(top), ''.join(bottom)))
                continue
            if len([s for s in texts if s]) == 1 and texts[0] and cells[0]['colspan'] > 1:
                out.append('<tr><td colspan="%d"><b>%s</b></td></tr>' % (width, esc(texts[0], cs)))
                continue
            tds = ''.join('<td>%s</td>' % (esc(s, cs) if s else '&nbsp;') for s in texts)
            out.append('<tr>%s</tr>' % tds if any(texts) else '<tr></tr>')
        out.append('</tbody></table>' if o.header else '</table>')
    out.append('</body></html>')
    open(o.out, 'w', encoding=cs, newline='\r\n').write('\n'.join(out) + '\n')

if __name__ == '__main__':
    main()
