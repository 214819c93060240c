#!/usr/bin/env bash
# A throw-away single-node Slurm cluster living entirely in one folder.
#
#   local-cluster.sh start DIR   # prints "export SLURM_CONF=DIR/slurm.conf"
#   local-cluster.sh stop DIR
#   local-cluster.sh status DIR
#
# Needs (Debian 12): apt-get install -y slurmctld slurmd slurm-client munge
# Runs as root: slurmd must be root to launch jobs, and running everything as
# root avoids chown dances over DIR. Nothing under /etc/slurm or /etc/munge is
# read or written: every path the daemons use is passed on the command line or
# set in DIR/slurm.conf, so the host's own munge/slurm setup is left alone and
# several clusters can coexist in different folders.
#
# Env knobs: LOCAL_SLURM_TIMEOUT (seconds to wait for the node, default 60),
# LOCAL_SLURM_PORT (SlurmctldPort; SlurmdPort is +1; default: a free random
# pair below the ephemeral range).
set -euo pipefail

die() { echo "local-cluster: $*" >&2; exit 1; }

usage() { die "usage: $0 start|stop|status DIR"; }

[[ $# -eq 2 ]] || usage
cmd=$1
if [[ $cmd == start ]]; then mkdir -p -- "$2" || die "cannot create $2"; fi
# Absolute path, because daemons chdir and slurm.conf paths must be absolute.
if [[ -d $2 ]]; then DIR=$(cd -- "$2" && pwd -P); else DIR=$2; fi
CONF=$DIR/slurm.conf
MARK=$DIR/.local-slurm-cluster
# Every daemon (and each slurmstepd, which inherits slurmd's environment)
# carries this variable, so `stop` can find stragglers of *this* cluster
# without matching processes by name.
TAG="LOCAL_SLURM_CLUSTER=$DIR"

# Zombies count as dead: a daemon that exited may linger unreaped for a while
# when PID 1 in a container is not a real init.
alive() {
  local pid
  [[ -s $1 ]] || return 1
  pid=$(<"$1")
  kill -0 "$pid" 2>/dev/null || return 1
  [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]]
}

tagged_pids() {
  # One grep over all environ files: forking per process made stop take seconds.
  grep -lzxF -- "$TAG" /proc/[0-9]*/environ 2>/dev/null \
    | sed -e 's#^/proc/##' -e 's#/environ$##' | grep -vx "$$" || true
}

port_in_use() {
  # /proc/net/tcp* always exists, unlike ss/netstat on minimal images.
  local hex
  hex=$(printf ':%04X ' "$1")
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -q -- "$hex"
}

pick_ports() {
  if [[ -n ${LOCAL_SLURM_PORT:-} ]]; then
    echo "$LOCAL_SLURM_PORT"; return
  fi
  # Below 32768 so the kernel never hands these out as ephemeral ports while
  # we are between choosing and binding them.
  local i p
  for i in $(seq 1 200); do
    p=$(( 20000 + (RANDOM % 6000) * 2 ))
    port_in_use "$p" || port_in_use $((p + 1)) || { echo "$p"; return; }
  done
  die "no free port pair found"
}

dump_logs() {
  local f
  for f in "$DIR"/log/*.log; do
    [[ -f $f ]] || continue
    echo "----- tail of $f" >&2
    tail -n 25 "$f" >&2
  done
}

export_line() { echo "export SLURM_CONF=$CONF"; }

# A half-started cluster must not outlive a failed start (CI would leak it);
# the logs stay in DIR for inspection.
start_failed() {
  echo "local-cluster: $*" >&2
  do_status >&2 || true
  dump_logs
  do_stop || true
  exit 1
}

do_stop() {
  [[ -d $DIR ]] || return 0
  local pf pid n
  if alive "$DIR/run/slurmctld.pid"; then
    # Job processes get the submitter's environment, not the tag, so they are
    # ended through Slurm while slurmd is still there to reap them.
    SLURM_CONF=$CONF timeout 10 scancel --quiet --partition=debug 2>/dev/null || true
    for n in $(seq 1 40); do
      [[ -z $(SLURM_CONF=$CONF timeout 5 squeue -h -o %i 2>/dev/null) ]] && break
      sleep 0.25
    done
  fi
  for pf in slurmd slurmctld munged; do
    pf=$DIR/run/$pf.pid
    alive "$pf" && kill -TERM "$(cat "$pf")" 2>/dev/null || true
  done
  # slurmctld saves state on SIGTERM; give everyone a moment before forcing.
  for n in $(seq 1 50); do
    [[ -z $(tagged_pids) ]] && break
    sleep 0.2
  done
  for pid in $(tagged_pids); do kill -KILL "$pid" 2>/dev/null || true; done
  for n in $(seq 1 25); do
    [[ -z $(tagged_pids) ]] && break
    sleep 0.2
  done
  [[ -z $(tagged_pids) ]] || die "processes still alive: $(tagged_pids | tr '\n' ' ')"
  rm -f "$DIR"/run/*.pid "$DIR/munge/munge.sock" "$DIR/munge/munge.sock.lock"
}

do_status() {
  local d rc=0
  for d in munged slurmctld slurmd; do
    if alive "$DIR/run/$d.pid"; then echo "$d: running (pid $(cat "$DIR/run/$d.pid"))"
    else echo "$d: stopped"; rc=1; fi
  done
  return $rc
}

do_start() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (slurmd launches jobs as their owner)"
  local b
  for b in munged mungekey slurmctld slurmd sinfo scontrol; do
    command -v "$b" >/dev/null || die "$b not found: apt-get install -y slurmctld slurmd slurm-client munge"
  done

  if [[ -e $MARK ]] && do_status >/dev/null; then
    echo "local-cluster: already running in $DIR" >&2
    export_line; return 0
  fi
  if [[ -e $MARK ]]; then
    # A previous run that died or was stopped: start over from a clean state.
    do_stop
    rm -rf -- "$DIR/state" "$DIR/spool" "$DIR/log" "$DIR/run" "$DIR/munge" "$CONF" "$DIR/jobcomp.log"
  elif [[ -n $(ls -A -- "$DIR") ]]; then
    die "$DIR is not empty and was not made by this script"
  fi
  : >"$MARK"

  # munged insists its socket dir be world-traversable; root reads everything
  # anyway, and --force downgrades the same check on DIR's parents (e.g. a
  # 0700 mktemp dir) to a warning.
  mkdir -p "$DIR"/{state,spool,log,run,munge}
  chmod 0755 "$DIR/munge"
  chmod 0700 "$DIR/state"

  mungekey --create --keyfile="$DIR/munge/munge.key"
  chmod 0400 "$DIR/munge/munge.key"
  env "$TAG" munged --force \
    --socket="$DIR/munge/munge.sock" \
    --key-file="$DIR/munge/munge.key" \
    --log-file="$DIR/log/munged.log" \
    --pid-file="$DIR/run/munged.pid" \
    --seed-file="$DIR/munge/munged.seed" \
    || start_failed "munged failed to start"

  # Name the node after the host (as asked) but pin every address to loopback,
  # so a CI box whose hostname is not in /etc/hosts or DNS still works.
  local host node port hw
  # slurmctld only accepts to run where SlurmctldHost equals the hostname.
  host=$(hostname -s)
  node=$host
  port=$(pick_ports)
  # slurmd -C reports what slurmd will detect at registration; a config that
  # claims more CPUs or memory than that would leave the node drained/invalid.
  hw=$(slurmd -C | head -n 1 | sed -e 's/^NodeName=[^ ]* //')

  cat >"$CONF" <<EOF
# Generated by local-cluster.sh for $DIR; regenerated on every start.
ClusterName=localtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$(( port + 1 ))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# Both the auth and cred munge plugins read the socket from here; without it
# clients and daemons would talk to the system /run/munge socket instead.
AuthInfo=socket=$DIR/munge/munge.sock

StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# The default (/usr/bin/mail) is absent on slim images and only adds log noise.
MailProg=/bin/true
# Keep plugin config lookups (plugstack, cgroup) out of /etc/slurm.
PlugStackConfig=$DIR/plugstack.conf

# No cgroups: containers and CI runners rarely give us a writable cgroup tree.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
SwitchType=switch/none

SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
# A job whose dependency can never be met (e.g. afterok on a failed array) is
# cancelled instead of pending forever, so a test waiting on it terminates.
SchedulerParameters=kill_invalid_depend,batch_sched_delay=0

# No slurmdbd: final job states come from scontrol while MinJobAge keeps the
# record in memory, and from the jobcomp text file forever after.
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/jobcomp.log
MinJobAge=3600

# Short timers so a freshly started or stopped test cluster settles fast.
SlurmdTimeout=30
SlurmctldTimeout=30
InactiveLimit=0
KillWait=5
MessageTimeout=10

NodeName=$node NodeAddr=127.0.0.1 NodeHostname=$node $hw State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  : >"$DIR/plugstack.conf"

  export SLURM_CONF=$CONF
  # -c: start clean instead of recovering jobs from a previous state dir.
  env "$TAG" slurmctld -c -f "$CONF" || start_failed "slurmctld failed to start"
  env "$TAG" slurmd -f "$CONF" -N "$node" || start_failed "slurmd failed to start"

  local deadline state d t0=$SECONDS
  deadline=$(( SECONDS + ${LOCAL_SLURM_TIMEOUT:-60} ))
  while :; do
    state=$(sinfo -h -N -n "$node" -o '%T' 2>/dev/null || true)
    [[ $state == idle ]] && break
    # Daemons write their pid file a moment after forking, so a missing file
    # only counts as death once they have had time to write it.
    for d in munged slurmctld slurmd; do
      if [[ -e $DIR/run/$d.pid ]] || (( SECONDS - t0 > 10 )); then
        alive "$DIR/run/$d.pid" || start_failed "$d exited during start-up"
      fi
    done
    (( SECONDS < deadline )) \
      || start_failed "node $node not idle after ${LOCAL_SLURM_TIMEOUT:-60}s (state: '${state:-none}')"
    sleep 0.5
  done
  echo "local-cluster: node $node idle, ports $port/$((port + 1)), dir $DIR" >&2
  export_line
}

case $cmd in
  start) do_start ;;
  stop) do_stop; echo "local-cluster: stopped $DIR" >&2 ;;
  status) [[ -e $MARK ]] || die "$DIR is not a local cluster"; do_status ;;
  *) usage ;;
esac
