#!/usr/bin/env bash
# Runs a project's task plan the way a Slurm cluster does, on this machine: phase after phase,
# every task as its own `zeef slurm task` process, WORKERS of them at a time, and times each
# task (wall, CPU, peak RSS) with GNU time. Prints one line per phase and the totals.
#
# Usage: scripts/bench-scaleout.sh ZEEF_BIN ZEEF_TOML RUN_DIR TASKS WORKERS [THREADS_PER_TASK]
set -euo pipefail
if [ $# -lt 5 ]; then
  sed -n '2,6p' "$0" >&2
  exit 2
fi
zeef=$1 config=$2 run=$3 tasks=$4 workers=$5 threads=${6:-1}

rm -rf "$run"
"$zeef" slurm submit --config "$config" --out "$run" --tasks "$tasks" --dry-run >/dev/null
raw=$run/bench.raw
: >"$raw"
phases=$(python3 -c 'import json, sys
for p in json.load(open(sys.argv[1]))["phases"]:
    print(p["name"], p["tasks"])' "$run/plan.json")

t0=$(date +%s.%N)
while read -r name n; do
  p0=$(date +%s.%N)
  seq 0 $((n - 1)) | xargs -P "$workers" -I{} /usr/bin/time -a -o "$raw" \
    -f "task $name {} %e %U %S %M" env ZEEF_QUIET=1 "$zeef" --threads "$threads" \
    slurm task "$run" --phase "$name" --task {}
  p1=$(date +%s.%N)
  echo "phase $name $p0 $p1" >>"$raw"
done <<<"$phases"
t1=$(date +%s.%N)

python3 - "$raw" "$t0" "$t1" "$tasks" "$workers" "$threads" <<'EOF'
import sys
from collections import defaultdict
raw, t0, t1, tasks, workers, threads = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), *sys.argv[4:]
cpu, rss, n, wall, order = defaultdict(float), defaultdict(int), defaultdict(int), {}, []
for line in open(raw):
    f = line.split()
    if f[0] == "task":
        cpu[f[1]] += float(f[4]) + float(f[5])
        rss[f[1]] = max(rss[f[1]], int(f[6]))
        n[f[1]] += 1
    elif f[0] == "phase":
        wall[f[1]] = float(f[3]) - float(f[2])
        order.append(f[1])
print(f"tasks={tasks} workers={workers} threads/task={threads}")
print(f"{'phase':<28} {'tasks':>5} {'wall s':>8} {'CPU s':>8} {'max RSS MB':>10}")
for p in order:
    print(f"{p:<28} {n[p]:>5} {wall[p]:>8.1f} {cpu[p]:>8.1f} {rss[p] / 1024:>10.0f}")
print(f"{'total':<28} {sum(n.values()):>5} {t1 - t0:>8.1f} {sum(cpu.values()):>8.1f} {max(rss.values()) / 1024:>10.0f}")
EOF
