#!/bin/bash
# `cluster --algorithm auto` ranked by NMI on every labelled set of ../shared/datasets; prints the README's table rows.
# Usage (from the repository root, after `dotnet build -c Release`): bash bench/auto_on_datasets.sh [work folder]
set -euo pipefail
IC=${IC:-src/ImageCluster.Cli/bin/Release/net10.0/imagecluster}
work=${1:-/tmp/auto}
export IMAGECLUSTER_MODELS=${IMAGECLUSTER_MODELS:-../shared/models}
mkdir -p "$work"
for spec in oxford17_flowers:2:30 cifar10_test_subset:2:30 flowers5_kaggle_subset:2:30 umist_faces:2:30 near_duplicates:2:40 coil100:95:105; do
  set=${spec%%:*}; range=${spec#*:}; kmin=${range%%:*}; kmax=${range#*:}
  d=../shared/datasets/$set
  f=$work/$set.features.csv
  [ -f "$f" ] || $IC embed "$d/images" --out "$f" > /dev/null
  pos=$(awk -F, 'NR==2{print $2}' "$d/labels.csv" | tr -d '\r')
  $IC cluster --features "$f" --normalize --algorithm auto --k-min "$kmin" --k-max "$kmax" --labels "$d/labels.csv" --positive "$pos" \
    --rank-by nmi --baseline --out "$work/$set-run" --json 2> "$work/$set.err" > "$work/$set.json"
  /usr/bin/python3 - "$work/$set.json" "$set" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); t = r["auto"]["table"][0]; e = r["evaluation"]; q = e.get("classOfInterest") or {}; b = r.get("baseline") or {}
print(f"| {sys.argv[2]} | {r['counts']['clustered']} | {t['algorithm']} {t['parameters']} | {t['clusters']} | {t['noise']} | {e['nmi']:.3f} | "
      f"{e['adjustedRandIndex']:.3f} | {q.get('qualityMetric', 0):.3f} ({q.get('positiveClass')}) | {b.get('logisticRegression') or 0:.3f} | {b.get('kNeighbors') or 0:.3f} |")
PY
done
