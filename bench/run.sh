#!/usr/bin/env bash
# bench/run.sh [ROWS] — the performance measurements of the README, on this machine:
#   1. xlsx: `cchc run` on a ROWS-row dossier workbook against the parse-only
#      floor (bench/floor: excelize Rows() reading every cell as raw text),
#      with peak RSS; beside it the readers alone on the same sheet: the
#      project's own (floor -reader cchc), github.com/thedatashed/xlsxreader
#      (bench/peers, a module of its own: skipped when it cannot be built),
#      and inflating the package only (floor -reader inflate, the physical
#      floor). Once for the sheet `cchc gen` writes (inline strings) and once
#      for the same sheet re-saved by LibreOffice (a shared-strings table, as
#      Excel writes; skipped without soffice);
#   2. the same rows as CSV against DuckDB's read_csv of it (bench/readcsv);
#   3. a re-run after one new file arrives in an inbox of 100 files, against the full run;
#   4. 20 equal files: one worker against as many as there are cores, and the
#      same run held to one core (taskset) against all cores;
#   5. rows/s of each stage (go test -bench in bench/, 20,000 rows).
# ROWS defaults to 1,000,000; use 200000 for a quicker look. Each time is the
# best of RUNS runs (default 3; the machines are shared), each RSS the largest.
set -euo pipefail
rows=${1:-1000000}
runs=${RUNS:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
go build -tags duckdb_arrow -o "$work/cchc" ./cmd/cchc
go build -o "$work/floor" ./bench/floor
go build -tags duckdb_arrow -o "$work/readcsv" ./bench/readcsv
peers=""
if (cd bench/peers && go build -o "$work/peers" .) 2>/dev/null; then peers="$work/peers"; fi

# seconds, peak RSS (MiB) and CPU seconds (user + system) of a command, from
# GNU time when it is there.
measure1() {
  local out="$work/time.txt"
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "%e %M %U %S" -o "$out" "$@" >/dev/null
    awk '{printf "%s %.0f %.2f\n", $1, $2/1024, $3 + $4}' "$out"
  else
    local s=$(date +%s.%N); "$@" >/dev/null; echo "$(echo "$(date +%s.%N) - $s" | bc) 0 0"
  fi
}
# the best time of RUNS runs of a command, the largest RSS, and the CPU
# seconds of the best run; a command that writes a warehouse gets a fresh
# one each time (WAREHOUSE=path).
measure() {
  local best="" rss=0 cpu=0 t m c
  for _ in $(seq 1 "$runs"); do
    if [ -n "${WAREHOUSE:-}" ]; then rm -rf "$WAREHOUSE" "$WAREHOUSE".*; fi
    read -r t m c < <(measure1 "$@")
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t cpu=$c; fi
    rss=$(awk -v a="$m" -v b="$rss" 'BEGIN { print (a > b) ? a : b }')
  done
  echo "$best $rss $cpu"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }

# xlsx NAME DIR: the readers and the run on DIR/dossiers.xlsx.
xlsx() {
  local name=$1 dir=$2 f=$2/dossiers.xlsx
  echo "== 1. xlsx, $name: $rows rows"
  read -r floor floor_rss floor_cpu < <(measure "$work/floor" "$f")
  read -r ours ours_rss _ < <(measure "$work/floor" -reader cchc "$f")
  read -r infl _ _ < <(measure "$work/floor" -reader inflate "$f")
  echo "readers alone: excelize ${floor}s (${floor_rss} MiB)   ours ${ours}s (${ours_rss} MiB, $(ratio "$ours" "$floor") of excelize, $(rate "$rows" "$ours") rows/s)   inflate only ${infl}s ($(ratio "$infl" "$floor"))"
  if [ -n "$peers" ]; then
    read -r peer peer_rss _ < <(measure "$peers" "$f")
    echo "xlsxreader v1.2.8: ${peer}s (${peer_rss} MiB)   ours against it: $(ratio "$ours" "$peer")"
  fi
  read -r run run_rss run_cpu < <(WAREHOUSE="$work/x.duckdb" measure "$work/cchc" run -q --inbox "$dir" --warehouse "$work/x.duckdb")
  echo "parse-only floor: ${floor}s (CPU ${floor_cpu}s)   cchc run: ${run}s (CPU ${run_cpu}s, ${run_rss} MiB)   ratio: $(ratio "$run" "$floor") (CPU $(ratio "$run_cpu" "$floor_cpu"))"
}
mkdir -p "$work/x"
"$work/cchc" gen --rows "$rows" --out "$work/x/dossiers.xlsx" >/dev/null
xlsx "inline strings (cchc gen)" "$work/x"
rm -rf "$work"/x.duckdb*
if command -v soffice >/dev/null; then
  mkdir -p "$work/s"
  soffice --headless --convert-to xlsx --outdir "$work/s" "$work/x/dossiers.xlsx" >/dev/null 2>&1
  xlsx "shared strings (re-saved by LibreOffice)" "$work/s"
fi
rm -rf "$work/x" "$work/s" "$work"/*.duckdb*

echo "== 2. csv: $rows rows"
mkdir -p "$work/c"
"$work/cchc" gen --rows "$rows" --out "$work/c/dossiers.csv" >/dev/null
read -r rc rc_rss rc_cpu < <(WAREHOUSE="$work/readcsv.duckdb" measure "$work/readcsv" "$work/c/dossiers.csv" "$work/readcsv.duckdb")
read -r run run_rss run_cpu < <(WAREHOUSE="$work/c.duckdb" measure "$work/cchc" run -q --inbox "$work/c" --warehouse "$work/c.duckdb")
echo "duckdb read_csv: ${rc}s (CPU ${rc_cpu}s, ${rc_rss} MiB)   cchc run: ${run}s (CPU ${run_cpu}s, ${run_rss} MiB)   ratio: $(ratio "$run" "$rc") (CPU $(ratio "$run_cpu" "$rc_cpu"))"
rm -rf "$work/c" "$work"/*.duckdb*

echo "== 3. incremental: 100 files, then one more"
mkdir -p "$work/i"
for i in $(seq 1 101); do "$work/cchc" gen --rows 2000 --seed "$i" --out "$work/f$i.xlsx" >/dev/null; done
full="" incr=""
for _ in $(seq 1 "$runs"); do
  rm -rf "$work/i"/* "$work"/i.duckdb*
  for i in $(seq 1 100); do ln "$work/f$i.xlsx" "$work/i/"; done
  read -r t _ _ < <(measure1 "$work/cchc" run -q --inbox "$work/i" --warehouse "$work/i.duckdb")
  full=$(awk -v a="$t" -v b="$full" 'BEGIN { print (b == "" || a < b) ? a : b }')
  ln "$work/f101.xlsx" "$work/i/"
  read -r t _ _ < <(measure1 "$work/cchc" run -q --inbox "$work/i" --warehouse "$work/i.duckdb")
  incr=$(awk -v a="$t" -v b="$incr" 'BEGIN { print (b == "" || a < b) ? a : b }')
done
echo "full run: ${full}s   re-run after one new file: ${incr}s   share: $(ratio "$incr" "$full")"
rm -rf "$work/i" "$work"/f*.xlsx "$work"/i.duckdb*

echo "== 4. 20 equal files: one worker against $(nproc) cores"
mkdir -p "$work/p"
for i in $(seq 1 20); do "$work/cchc" gen --rows 10000 --seed "$i" --out "$work/p/f$i.xlsx" >/dev/null; done
read -r one _ _ < <(WAREHOUSE="$work/p1.duckdb" measure env CCHC_EXTRACT_WORKERS=1 "$work/cchc" run -q --inbox "$work/p" --warehouse "$work/p1.duckdb")
read -r all _ _ < <(WAREHOUSE="$work/pn.duckdb" measure "$work/cchc" run -q --inbox "$work/p" --warehouse "$work/pn.duckdb")
echo "1 worker: ${one}s   $(nproc) workers: ${all}s   speed-up: $(ratio "$one" "$all")"
# One worker already keeps more than one core busy (a sheet is parsed while
# its earlier rows are typed and loaded); held to one core, the same run shows
# what the second core adds in all.
if command -v taskset >/dev/null; then
  read -r core1 _ _ < <(WAREHOUSE="$work/pc.duckdb" measure env CCHC_EXTRACT_WORKERS=1 taskset -c 0 "$work/cchc" run -q --inbox "$work/p" --warehouse "$work/pc.duckdb")
  echo "1 core: ${core1}s   $(nproc) cores: ${all}s   speed-up: $(ratio "$core1" "$all")"
fi

echo "== 5. rows/s per stage (20,000 rows, go test -bench)"
go test -tags duckdb_arrow,bench -run '^$' -bench 'RowParsing|Transform|Load' -benchtime 3x ./bench 2>/dev/null |
  awk '/^Benchmark/ { for (i = 1; i <= NF; i++) if ($i == "rows/s") printf "%-28s %10.0f rows/s\n", $1, $(i-1) }'
go test -tags duckdb_arrow -run '^$' -bench 'SheetReader' -benchtime 3x ./extract 2>/dev/null |
  awk '/^Benchmark/ { printf "%-28s %s %s", $1, $3, $4; for (i = 5; i <= NF; i++) if ($i == "MB/s" || $i == "rows/s") printf "   %s %s", $(i-1), $i; print "" }'
