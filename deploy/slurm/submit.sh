#!/usr/bin/env bash
# Submit the sharded embedding array plus the clustering job that waits for it.
#
#   submit.sh IMAGES STORE RUN K [TASKS]      (TASKS defaults to 4)
#
# Prints ARRAY_JOB_ID=<id> and CLUSTER_JOB_ID=<id> on stdout (eval-able).
# Environment: IMAGECLUSTER (program, default imagecluster), IMAGECLUSTER_LOGS
# (log folder, default ./slurm-logs), SLURM_CONF for a non-default cluster, and
# sbatch's own SBATCH_* variables (e.g. SBATCH_PARTITION, SBATCH_TIMELIMIT).
set -euo pipefail

if [[ $# -lt 4 || $# -gt 5 ]]; then
  echo "usage: $0 IMAGES STORE RUN K [TASKS]" >&2
  exit 2
fi
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
tasks=${5:-4}
[[ $tasks =~ ^[1-9][0-9]*$ ]] || { echo "TASKS must be a positive integer, got '$tasks'" >&2; exit 2; }
[[ $4 =~ ^[1-9][0-9]*$ ]] || { echo "K must be a positive integer, got '$4'" >&2; exit 2; }

# Absolute paths so the jobs do not depend on the directory they start in.
export IMAGES=$(realpath -m -- "$1")
# A PostgreSQL URL or connection string passes through as it is; only a store file is made absolute.
case $2 in
  postgres://* | postgresql://* | *=*) export STORE=$2 ;;
  *) export STORE=$(realpath -m -- "$2") ;;
esac
export RUN=$(realpath -m -- "$3")
export K=$4
export IMAGECLUSTER=${IMAGECLUSTER:-imagecluster}
export IMAGECLUSTER_LOGS=$(realpath -m -- "${IMAGECLUSTER_LOGS:-./slurm-logs}")
# slurmstepd will not create the directory of --output, and a missing one makes
# the job fail before the script even starts.
mkdir -p -- "$IMAGECLUSTER_LOGS"

# --parsable prints "id" or "id;cluster"; only the id is wanted.
array_id=$(sbatch --parsable --export=ALL \
  --array="0-$((tasks - 1))" \
  --output="$IMAGECLUSTER_LOGS/embed-%A_%a.out" \
  "$here/embed-array.sbatch")
array_id=${array_id%%;*}

# afterok on the array's id waits for every task; if one fails the dependency
# can never be met and --kill-on-invalid-dep cancels this job instead of
# leaving it pending forever.
cluster_id=$(sbatch --parsable --export=ALL \
  --dependency="afterok:$array_id" --kill-on-invalid-dep=yes \
  --output="$IMAGECLUSTER_LOGS/cluster-%j.out" \
  "$here/cluster.sbatch")
cluster_id=${cluster_id%%;*}

echo "ARRAY_JOB_ID=$array_id"
echo "CLUSTER_JOB_ID=$cluster_id"
