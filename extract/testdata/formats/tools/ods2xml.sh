#!/usr/bin/env bash
# ods2xml.sh IN.ods OUTDIR — LibreOffice's "MS Excel 2003 XML" export of an .ods, after capping
# the repeat counts of empty columns/cells (the filter's XSLT recurses once per repeated
# column and stops at libxslt's depth limit on a sheet of 16384 columns).
set -euo pipefail
in=$(realpath "$1"); out=$(realpath "$2"); t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
b=$(basename "$in" .ods)
mkdir "$t/x" && (cd "$t/x" && unzip -q "$in")
python3 - "$t/x/content.xml" <<'PY'
import re,sys
p=sys.argv[1]; s=open(p,encoding='utf-8').read()
s=re.sub(r'(table:number-(?:columns|rows)-repeated=")(\d+)"', lambda m: m.group(1)+str(min(int(m.group(2)),64))+'"', s)
open(p,'w',encoding='utf-8').write(s)
PY
(cd "$t/x" && rm -f "$t/$b.ods" && zip -q -X -0 "$t/$b.ods" mimetype && zip -q -X -r "$t/$b.ods" . -x mimetype)
soffice --headless --convert-to 'xml:MS Excel 2003 XML' --outdir "$out" "$t/$b.ods" >/dev/null 2>&1
test -f "$out/$b.xml"
