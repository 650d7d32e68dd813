#!/usr/bin/env bash
# bench/run.sh [ROWS] — the performance measurements of the README, on this machine:
#   1. `cchc run` on a ROWS-row dossier xlsx against the parse-only floor (bench/floor:
#      excelize Rows() reading every cell as raw text), with peak RSS;
#   2. the same rows as CSV against DuckDB's read_csv of it (bench/readcsv);
#   3. a re-run after one new file arrives in an inbox of 100 files, against the full run;
#   4. 20 equal files: one worker against as many as there are cores, and the
#      same run held to one core (taskset) against all cores.
# ROWS defaults to 1,000,000 (about a minute of parsing per pass); use 100000 for a quick look.
set -euo pipefail
rows=${1:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
go build -tags duckdb_arrow -o "$work/cchc" ./cmd/cchc
go build -o "$work/floor" ./bench/floor
go build -tags duckdb_arrow -o "$work/readcsv" ./bench/readcsv

# seconds and peak RSS (MiB) of a command, from GNU time when it is there.
measure() {
  local out="$work/time.txt"
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "%e %M" -o "$out" "$@" >/dev/null
    awk '{printf "%s %.0f\n", $1, $2/1024}' "$out"
  else
    local s=$(date +%s.%N); "$@" >/dev/null; echo "$(echo "$(date +%s.%N) - $s" | bc) ?"
  fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "== 1. xlsx: $rows rows"
mkdir -p "$work/x"
"$work/cchc" gen --rows "$rows" --out "$work/x/dossiers.xlsx" >/dev/null
read -r floor floor_rss < <(measure "$work/floor" "$work/x/dossiers.xlsx")
read -r run run_rss < <(measure "$work/cchc" run -q --inbox "$work/x" --warehouse "$work/x.duckdb")
echo "parse-only floor: ${floor}s (${floor_rss} MiB)   cchc run: ${run}s (${run_rss} MiB)   ratio: $(ratio "$run" "$floor")"

echo "== 2. csv: $rows rows"
mkdir -p "$work/c"
"$work/cchc" gen --rows "$rows" --out "$work/c/dossiers.csv" >/dev/null
read -r rc rc_rss < <(measure "$work/readcsv" "$work/c/dossiers.csv" "$work/readcsv.duckdb")
read -r run run_rss < <(measure "$work/cchc" run -q --inbox "$work/c" --warehouse "$work/c.duckdb")
echo "duckdb read_csv: ${rc}s (${rc_rss} MiB)   cchc run: ${run}s (${run_rss} MiB)   ratio: $(ratio "$run" "$rc")"

echo "== 3. incremental: 100 files, then one more"
mkdir -p "$work/i"
for i in $(seq 1 100); do "$work/cchc" gen --rows 2000 --seed "$i" --out "$work/i/f$i.xlsx" >/dev/null; done
read -r full _ < <(measure "$work/cchc" run -q --inbox "$work/i" --warehouse "$work/i.duckdb")
"$work/cchc" gen --rows 2000 --seed 101 --out "$work/i/f101.xlsx" >/dev/null
read -r incr _ < <(measure "$work/cchc" run -q --inbox "$work/i" --warehouse "$work/i.duckdb")
echo "full run: ${full}s   re-run after one new file: ${incr}s   share: $(ratio "$incr" "$full")"

echo "== 4. 20 equal files: one worker against $(nproc) cores"
mkdir -p "$work/p"
for i in $(seq 1 20); do "$work/cchc" gen --rows 10000 --seed "$i" --out "$work/p/f$i.xlsx" >/dev/null; done
read -r one _ < <(measure env CCHC_EXTRACT_WORKERS=1 "$work/cchc" run -q --inbox "$work/p" --warehouse "$work/p1.duckdb")
read -r all _ < <(measure "$work/cchc" run -q --inbox "$work/p" --warehouse "$work/pn.duckdb")
echo "1 worker: ${one}s   $(nproc) workers: ${all}s   speed-up: $(ratio "$one" "$all")"
# One worker already keeps more than one core busy (a sheet is parsed while
# its earlier rows are typed and loaded); held to one core, the same run shows
# what the second core adds in all.
if command -v taskset >/dev/null; then
  read -r core1 _ < <(measure env CCHC_EXTRACT_WORKERS=1 taskset -c 0 "$work/cchc" run -q --inbox "$work/p" --warehouse "$work/pc.duckdb")
  echo "1 core: ${core1}s   $(nproc) cores: ${all}s   speed-up: $(ratio "$core1" "$all")"
fi
