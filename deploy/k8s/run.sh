#!/usr/bin/env bash
# Run the sharded embedding Job, wait for it, then run the clustering Job (Kubernetes has no Job dependencies).
#
#   run.sh SHARDS K NAME        e.g. run.sh 16 100 holiday-2026
#
# SHARDS sets the embed Job's completions, its parallelism (unless PARALLELISM is set) and --shards together; K is
# --k of the cluster step; NAME the run folder /data/runs/NAME. Environment: IMAGE (container image, default the one in
# the manifests), NAMESPACE (default: kubectl's current one), PARALLELISM, EMBED_TIMEOUT and CLUSTER_TIMEOUT (seconds,
# default 86400 each), KUBECTL (default kubectl).
# Needs: the Secret imagecluster-store (STORE, PGPASSWORD) and the PVCs imagecluster-images and imagecluster-runs (README.md).
# A Job's pod template cannot be changed, so both Jobs are deleted first if they exist; that loses no work: the vectors
# are in the store, and the new embed pods embed only what is missing.
set -euo pipefail

die() { echo "run.sh: $*" >&2; exit 1; }
[[ $# -eq 3 ]] || die "usage: $0 SHARDS K NAME"
shards=$1 k=$2 name=$3
[[ $shards =~ ^[1-9][0-9]*$ ]] || die "SHARDS must be a positive integer, got '$shards'"
[[ $k =~ ^[1-9][0-9]*$ ]] || die "K must be a positive integer, got '$k'"
[[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || die "NAME must be a plain folder name (letters, digits, . _ -), got '$name'"
parallelism=${PARALLELISM:-$shards}
[[ $parallelism =~ ^[1-9][0-9]*$ ]] || die "PARALLELISM must be a positive integer, got '$parallelism'"
(( parallelism <= shards )) || parallelism=$shards
embed_timeout=${EMBED_TIMEOUT:-86400} cluster_timeout=${CLUSTER_TIMEOUT:-86400}

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
read -r -a kc <<<"${KUBECTL:-kubectl}"
[[ -n ${NAMESPACE:-} ]] && kc+=(--namespace "$NAMESPACE")

"${kc[@]}" get secret imagecluster-store >/dev/null \
  || die "the Secret imagecluster-store (keys STORE and PGPASSWORD) is missing: see README.md"

# The manifests with this run's values, patched offline (kubectl patch --local contacts no server). The "test" operations
# make the patch fail, instead of replacing the wrong list item, if someone reorders the args in the YAML.
image_op=""
[[ -n ${IMAGE:-} ]] && image_op=",{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\",\"value\":\"$IMAGE\"}"
render_embed() {
  "${kc[@]}" patch --local -f "$here/embed-indexed-job.yaml" --type=json -o yaml -p "[
    {\"op\":\"test\",\"path\":\"/spec/template/spec/containers/0/args/4\",\"value\":\"--shards\"},
    {\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/args/5\",\"value\":\"$shards\"},
    {\"op\":\"replace\",\"path\":\"/spec/completions\",\"value\":$shards},
    {\"op\":\"replace\",\"path\":\"/spec/parallelism\",\"value\":$parallelism}$image_op]"
}
render_cluster() {
  "${kc[@]}" patch --local -f "$here/cluster-job.yaml" --type=json -o yaml -p "[
    {\"op\":\"test\",\"path\":\"/spec/template/spec/containers/0/args/4\",\"value\":\"--k\"},
    {\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/args/5\",\"value\":\"$k\"},
    {\"op\":\"test\",\"path\":\"/spec/template/spec/containers/0/args/10\",\"value\":\"--out\"},
    {\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/args/11\",\"value\":\"/data/runs/$name\"}$image_op]"
}
embed_yaml=$(render_embed) || die "could not render embed-indexed-job.yaml"
cluster_yaml=$(render_cluster) || die "could not render cluster-job.yaml"

# Waits for Complete; stops at Failed (kubectl wait alone would sit out the whole timeout on a failed Job).
wait_for() {
  local job=$1 timeout=$2 deadline=$((SECONDS + $2)) failed
  echo "run.sh: waiting for job/$job (up to ${timeout}s)"
  until "${kc[@]}" wait --for=condition=complete "job/$job" --timeout=60s >/dev/null 2>&1; do
    failed=$("${kc[@]}" get "job/$job" -o jsonpath='{.status.conditions[?(@.type=="Failed")].status}' 2>/dev/null || true)
    if [[ $failed == True ]]; then
      "${kc[@]}" get "job/$job" -o jsonpath='{.status.conditions[?(@.type=="Failed")].message}{"\n"}' >&2 || true
      die "job/$job failed; see: ${kc[*]} logs job/$job  (or -l app.kubernetes.io/name=imagecluster)"
    fi
    (( SECONDS < deadline )) || die "job/$job not complete after ${timeout}s"
  done
  echo "run.sh: job/$job complete"
}

"${kc[@]}" delete job imagecluster-embed imagecluster-cluster --ignore-not-found --wait=true
echo "$embed_yaml" | "${kc[@]}" apply -f -
wait_for imagecluster-embed "$embed_timeout"
echo "$cluster_yaml" | "${kc[@]}" apply -f -
wait_for imagecluster-cluster "$cluster_timeout"
"${kc[@]}" logs job/imagecluster-cluster --tail=20
echo "run.sh: run folder /data/runs/$name on the PVC imagecluster-runs"
