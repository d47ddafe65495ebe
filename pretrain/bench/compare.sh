#!/usr/bin/env bash
# Training throughput of zeef (release build) and PyTorch on the same token shards, same model,
# batch and thread count: the two run back to back, alternating, REPEATS times; each run prints
# one JSON line, preceded by the machine's load average. Medians at the end.
#
#   pretrain/bench/compare.sh RUN/tokens [REPEATS] [THREADS] [STEPS]
#
# PYTHON names an interpreter with torch and numpy (default: python3).
set -euo pipefail
tokens=${1:?usage: compare.sh TOKENS [REPEATS] [THREADS] [STEPS]}
repeats=${2:-5}
threads=${3:-2}
steps=${4:-200}
python=${PYTHON:-python3}
here=$(cd "$(dirname "$0")" && pwd)

cargo build --release --locked -p zeef-pretrain --example train_bench
bench=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/release/examples/train_bench

results=$(mktemp)
for i in $(seq 1 "$repeats"); do
  for who in zeef torch; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    if [ "$who" = zeef ]; then
      line=$(RAYON_NUM_THREADS=$threads "$bench" "$tokens" --steps "$steps" --threads "$threads")
    else
      line=$(OMP_NUM_THREADS=$threads "$python" "$here/gpt_torch.py" "$tokens" --steps "$steps" --threads "$threads")
    fi
    echo "run $i $who load $load $line"
    echo "$who $(echo "$line" | sed -n 's/.*"tokens_per_s": *\([0-9.e+]*\).*/\1/p')" >>"$results"
  done
done
for who in zeef torch; do
  median=$(awk -v w="$who" '$1 == w { print $2 }' "$results" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  echo "median $who tokens/s: $median"
done
rm -f "$results"
