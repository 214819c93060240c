#!/usr/bin/env bash
# End-to-end check of this folder against a real (private) Slurm: starts a
# local cluster, runs submit.sh with a stand-in CLI (3-task array + dependent
# job), checks states, exit codes and ordering, then tears everything down.
# Exit 0 on success. Needs root and: apt-get install -y slurmctld slurmd slurm-client munge
#
#   smoke.sh [WORKDIR]    (default: a fresh mktemp dir, removed on success)
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
work=${1:-$(mktemp -d)}
mkdir -p -- "$work"
work=$(cd -- "$work" && pwd -P)
cluster=$work/cluster
ok=0

keep=${1:+yes}
cleanup() {
  "$here/local-cluster.sh" stop "$cluster" || true
  # A caller-chosen WORKDIR, or any failure, keeps the evidence.
  if [[ $ok == 1 && -z $keep ]]; then rm -rf -- "$work"; else echo "smoke: left $work for inspection" >&2; fi
}
trap cleanup EXIT

fail() { echo "smoke: FAIL: $*" >&2; exit 1; }

t0=$SECONDS
eval "$("$here/local-cluster.sh" start "$cluster")"
echo "smoke: cluster up in $((SECONDS - t0))s"

# The stand-in behaves like the CLI's contract: embed writes one shard file
# per array task, cluster reads them all.
mkdir -p "$work/bin" "$work/images"
cat >"$work/bin/fake-imagecluster" <<'EOF'
#!/usr/bin/env bash
set -euo pipefail
case $1 in
  embed) mkdir -p "$4"
         echo "$SLURM_ARRAY_TASK_ID $SLURM_ARRAY_TASK_COUNT" >"$4/shard.$SLURM_ARRAY_TASK_ID" ;;
  cluster) mkdir -p "$8"; cat "$4"/shard.* >"$8/seen"; echo "k=$6" >>"$8/seen" ;;
  *) exit 64 ;;
esac
EOF
chmod +x "$work/bin/fake-imagecluster"

cd "$work"
t1=$SECONDS
ids=$(IMAGECLUSTER="$work/bin/fake-imagecluster" IMAGECLUSTER_LOGS="$work/logs" \
  "$here/submit.sh" images store run 2 3)
eval "$ids"
echo "smoke: submitted array $ARRAY_JOB_ID, cluster $CLUSTER_JOB_ID"

# squeue lists only pending/running jobs by default: empty means all finished.
deadline=$((SECONDS + 120))
while [[ -n $(squeue -h -o %i) ]]; do
  (( SECONDS < deadline )) || { squeue >&2; fail "jobs still queued after 120s"; }
  sleep 0.5
done
echo "smoke: jobs finished in $((SECONDS - t1))s"

# scontrol keeps finished jobs for MinJobAge; one line per array task with -o.
states=$(scontrol -o show job "$ARRAY_JOB_ID"; scontrol -o show job "$CLUSTER_JOB_ID")
echo "$states" | grep -oE '^JobId=[0-9]+|ArrayTaskId=[0-9]+|JobState=[A-Z_]+|ExitCode=[0-9:]+' | paste -sd' ' \
  | sed 's/ JobId=/\nJobId=/g'
[[ $(echo "$states" | grep -c 'JobState=COMPLETED .*ExitCode=0:0') == 4 ]] \
  || fail "expected 4 COMPLETED jobs with ExitCode=0:0"
[[ $(cat "$work"/logs/*.rc | sort -u) == 0 && $(ls "$work"/logs/*.rc | wc -l) == 4 ]] \
  || fail "expected four .rc files containing 0"
[[ $(sort run/seen | paste -sd,) == "0 3,1 3,2 3,k=2" ]] \
  || fail "cluster job did not see all shards (dependency not respected?): $(cat run/seen)"

"$here/local-cluster.sh" stop "$cluster"
for d in munged slurmctld slurmd; do
  [[ ! -e $cluster/run/$d.pid ]] || fail "$d pid file left behind"
done
ok=1
echo "smoke: OK in $((SECONDS - t0))s"
