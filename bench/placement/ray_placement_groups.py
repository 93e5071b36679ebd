"""Ray baseline for bench/placement: placement groups per second on a local Ray, one per job.

What it measures. A local single-node Ray (`ray==2.60.0` from PyPI, `num_cpus=2` like this machine) whose node
advertises the logical resources of W Spool workers: W x GPUS_PER_WORKER logical GPUs and a custom resource
`gpu_memory_mib` of W x GPUS_PER_WORKER x GPU_MEMORY_MIB. Each job is one placement group with one bundle
{"GPU": 1, "gpu_memory_mib": JOB_GPU_MEMORY_MIB}; each placement is create -> wait until ready -> remove, one after
another (--in-flight 1, the default), like the reference script in the shared notes (numbers.md 4.3). `seconds` and
`per_second` cover the whole create + ready + remove loop of N placements; `p50_ms`/`p99_ms` are create -> ready of
one placement group (the time until the caller knows its job has its resources). Ray's start-up and a warm-up of
WARMUP placement groups are not measured. Placement groups are never left alive, so capacity never runs out and
every placement succeeds.

What is comparable to Spool's figure: the same machine and the same number of jobs, each asking for a share of one
GPU, and a placement that is decided and recorded before the caller hears of it (Ray's GCS keeps the placement-group
table and reserves the bundle on the raylet with a prepare/commit round). What is not, all of it in Ray's favour:
Ray here is ONE node, so it never chooses among W machines the way Spool's cycle chooses among W workers (W only
changes the size of the node's resource counters); its GPUs are logical counters with no per-GPU memory (its
`gpu_memory_mib` is one pool for the whole node, so it cannot say "2 GiB on a GPU that has 2 GiB free"); nothing
runs in the groups; Ray's GCS keeps its table in its own memory (no external store), while Spool's redis mode
writes every placement to Redis; and a real cluster of W nodes would add network round trips that this one does not
pay.
Placement groups are Ray's way of reserving resources before work starts, the closest thing it has to Spool's
placement; plain tasks with a resource demand schedule faster but reserve nothing the caller can see.

Measured on this 2-core machine (with others building on it): 190-410 placement groups/s, p50 1.2-2.0 ms
create -> ready, a little lower at 5,000 workers than at 100. The notes' 66/s came from a script that first ran
10,000 tasks with num_cpus=0, which left ~18 idle Ray worker processes on the 2 cores; on a clean Ray the same loop
gives ~300/s, so this baseline is the fairer (higher) one. Several groups in flight (--in-flight 10) gave between
0.8x and 1.3x of one at a time, with ~10 ms latency; 50 in flight halves the rate.

    python3 bench/placement/ray_placement_groups.py --workers W --placements N [--in-flight K]

Prints one JSON line:
{"system": "ray", "workers": W, "placements": N, "seconds": S, "per_second": R, "p50_ms": .., "p99_ms": ..,
 "in_flight": K, "ray_version": "2.60.0"}
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--workers", type=int, required=True, help="Spool workers that the Ray node's resources model")
parser.add_argument("--placements", type=int, required=True, help="placement groups to create, wait for and remove")
parser.add_argument("--gpus-per-worker", type=int, default=1)
parser.add_argument("--gpu-memory-mib", type=int, default=24576, help="memory of one modelled GPU")
parser.add_argument("--job-gpu-memory-mib", type=int, default=2048, help="GPU memory one job's bundle asks for")
parser.add_argument("--warmup", type=int, default=20, help="unmeasured placement groups before the measured ones")
parser.add_argument("--in-flight", type=int, default=1,
                    help="placement groups created before waiting (1 = one at a time, like the reference)")
args = parser.parse_args()
if args.workers < 1 or args.placements < 1 or args.in_flight < 1:
    sys.exit("--workers, --placements and --in-flight must be at least 1")
if args.in_flight > args.workers * args.gpus_per_worker:
    sys.exit("--in-flight must not exceed the modelled GPUs (the groups would queue for capacity)")

# Nothing leaves the machine, and nothing but the JSON line goes to stdout.
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
os.environ.setdefault("RAY_DEDUP_LOGS", "0")

import ray  # noqa: E402  (after the environment above)
from ray.util.placement_group import placement_group, remove_placement_group  # noqa: E402

gpus = args.workers * args.gpus_per_worker
# Ray's sessions (logs, sockets) go to a folder of this run's own, removed at the end.
ray_dir = tempfile.mkdtemp(prefix="ray-", dir="/tmp")
bundle = {"GPU": 1, "gpu_memory_mib": args.job_gpu_memory_mib}


def place(count):
    """`count` placements: create them all, wait until Ray has reserved each bundle, remove them. Returns each one's
    create -> ready seconds."""
    created = []
    pending = {}
    for _ in range(count):
        group = placement_group([bundle])
        created.append(group)
        pending[group.ready()] = time.perf_counter()
    latencies = []
    while pending:
        done, _ = ray.wait(list(pending), num_returns=1, timeout=60)
        if not done:
            raise TimeoutError("a placement group was not ready after 60 s")
        now = time.perf_counter()
        for ref in done:
            ray.get(ref)
            latencies.append(now - pending.pop(ref))
    for group in created:
        remove_placement_group(group)
    return latencies


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


try:
    # Start-up, not measured.
    ray.init(
        _temp_dir=ray_dir,
        num_cpus=2,
        num_gpus=gpus,
        resources={"gpu_memory_mib": gpus * args.gpu_memory_mib},
        include_dashboard=False,
        log_to_driver=False,
        logging_level="ERROR",
        object_store_memory=128 * 1024 * 1024,
    )
    for _ in range(0, args.warmup, args.in_flight):
        place(args.in_flight)
    latencies = []
    start = time.perf_counter()
    while len(latencies) < args.placements:
        latencies += place(min(args.in_flight, args.placements - len(latencies)))
    seconds = time.perf_counter() - start
finally:
    ray.shutdown()
    shutil.rmtree(ray_dir, ignore_errors=True)

print(json.dumps({
    "system": "ray",
    "workers": args.workers,
    "placements": args.placements,
    "seconds": round(seconds, 4),
    "per_second": round(args.placements / seconds, 2),
    "p50_ms": round(percentile(latencies, 0.50) * 1000, 3),
    "p99_ms": round(percentile(latencies, 0.99) * 1000, 3),
    "in_flight": args.in_flight,
    "ray_version": ray.__version__,
}), flush=True)
