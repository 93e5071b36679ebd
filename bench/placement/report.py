"""Prints bench/placement's results as tables; the last line is `placement_ratio_vs_ray: X`.

    python3 bench/placement/report.py RESULTS      RESULTS: the JSON lines that the runs printed (other lines skipped)

X = Spool's placements per second committed through Redis at 1,000 workers / Ray's placement groups per second at
1,000 workers. The line before it is `pure_cycle_placements_per_second_1000: X` (Spool's pure cycle, no store).
"""
import json
import sys

rows = []
with open(sys.argv[1]) as results:
    for line in results:
        line = line.strip()
        if line.startswith("{"):
            rows.append(json.loads(line))

spool = {(r["mode"], r["workers"]): r for r in rows if r.get("system") == "spool" and r.get("mode") in ("pure", "redis")}
ray = {r["workers"]: r for r in rows if r.get("system") == "ray"}
strategies = [r for r in rows if r.get("system") == "spool" and r.get("mode") == "strategy"]
workers = sorted({w for _, w in spool} | set(ray))


def number(value, digits=0):
    return "-" if value is None else f"{value:,.{digits}f}"


print()
print("Placements per second (latency of one placement: Spool's scheduling cycle; Ray's create -> ready)")
header = f"{'workers':>8}  {'system':<22} {'placements':>10} {'seconds':>9} {'per second':>12} {'p50':>10} {'p99':>10}"
print(header)
print("-" * len(header))
for w in workers:
    for label, r in (("spool pure cycle", spool.get(("pure", w))), ("spool through Redis", spool.get(("redis", w))),
                     ("ray placement groups", ray.get(w))):
        if r is None:
            continue
        if r["system"] == "ray":
            p50, p99 = f"{r['p50_ms'] * 1000:,.0f} us", f"{r['p99_ms'] * 1000:,.0f} us"
        else:
            p50, p99 = f"{r['p50_us']:,.1f} us", f"{r['p99_us']:,.1f} us"
        print(f"{w:>8,}  {label:<22} {r['placements']:>10,} {r['seconds']:>9.3f} {number(r['per_second']):>12} "
              f"{p50:>10} {p99:>10}")
redis_rows = [spool[("redis", w)] for w in workers if ("redis", w) in spool and "client_cpu_seconds" in spool[("redis", w)]]
if redis_rows:
    print()
    print("Where the time goes through Redis (CPU seconds while placing; both share this machine's cores)")
    for r in redis_rows:
        wall = r["seconds"] or 1
        print(f"{r['workers']:>8,} workers: spool {r['client_cpu_seconds']:.3f} s ({r['client_cpu_seconds'] / wall:.0%} of a core), "
              f"redis-server {r['redis_cpu_seconds']:.3f} s ({r['redis_cpu_seconds'] / wall:.0%}), wall {wall:.3f} s")
print()
print("Ratios to Ray (placements per second)")
for w in workers:
    base = ray.get(w)
    if base is None or not base["per_second"]:
        continue
    parts = [f"{label} {spool[(mode, w)]['per_second'] / base['per_second']:,.1f}x"
             for mode, label in (("pure", "pure cycle"), ("redis", "through Redis")) if (mode, w) in spool]
    print(f"{w:>8,} workers: " + ", ".join(parts))

if strategies:
    print()
    first = strategies[0]
    fleet = f"{first['workers']:,} workers, " if "workers" in first else ""
    print(f"Placement strategies on the same job stream ({fleet}{first['placed'] + first['rejected']:,} jobs; "
          f"utilisation: share of the fleet's GPU memory and encoder sessions in use)")
    header = f"{'profile':<14} {'placed':>8} {'rejected':>9} {'GPU memory used':>16} {'encoders used':>14}"
    print(header)
    print("-" * len(header))
    for r in strategies:
        print(f"{r['profile']:<14} {r['placed']:>8,} {r['rejected']:>9,} {r['gpu_memory_utilisation']:>16.1%} "
              f"{r['encoder_utilisation']:>14.1%}")

print()
pure = spool.get(("pure", 1000))
redis = spool.get(("redis", 1000))
base = ray.get(1000)
if pure is not None:
    print(f"pure_cycle_placements_per_second_1000: {pure['per_second']:.0f}")
if redis is None or base is None:
    sys.exit("placement_ratio_vs_ray needs Spool through Redis and Ray at 1,000 workers (WORKERS must include 1000)")
print(f"placement_ratio_vs_ray: {redis['per_second'] / base['per_second']:.2f}")
