"""A real Prometheus scrapes a running Spool cluster (redis-server, a gateway, a manager and a worker on loopback, each
serving /metrics) with the shipped rules loaded, and every rule's signal returns data: each recording rule, and each
alert's expression up to its comparison (an alert that does not fire returns nothing, so its signal is what is
checked). Then every metric the Grafana dashboard (deploy/grafana/spool.json) queries must be one the processes
export. Prints one line per check and ends with `observability problems: N`.
"""
import json, os, re, subprocess, sys, tempfile, time, urllib.parse, urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "faults"))
import harness  # noqa: E402  (the fault suite's process harness: Fleet, API, clips)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RULES = f"{REPO}/deploy/prometheus/spool-rules.yml"
DASHBOARD = f"{REPO}/deploy/grafana/spool.json"

# Each alert's signal: its expression without the comparison that makes it fire.
ALERT_SIGNALS = {
    "SpoolQueueWaitSLOBurn": "spool:queue_wait_over_target:ratio_rate1h",
    "SpoolNoLeadingManager": "sum(spool_manager_leading) or vector(0)",
    "SpoolDeadLettersGrowing": 'max(delta(spool_jobs{state="failed"}[30m]))',
    "SpoolCircuitBreakerOpen": "max by (breaker) (spool_circuit_breaker_open)",
    "SpoolGPUFenced": "max by (worker, gpu, model) (spool_gpu_fenced)",
    "SpoolPoolAtMaximum": "max by (pool) (spool_pool_max_workers)",
}


def get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode()


def query(port, expression):
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": expression})
    answer = json.loads(get(url))
    return answer["data"]["result"] if answer.get("status") == "success" else None


def rule_expressions():
    """(name, expression) of every recording rule, and of every alert as written, read from the rules file."""
    text = open(RULES).read()
    rules = []
    for block in re.split(r"\n\s*- (?=record:|alert:)", text)[1:]:
        kind, name = re.match(r"(record|alert): (\S+)", block).groups()
        rules.append((kind, name))
    return rules


def dashboard_metrics():
    dashboard = json.load(open(DASHBOARD))
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]
    names = set()
    for expression in expressions:
        cleaned = re.sub(r'\{[^}]*\}|"[^"]*"|\[[^\]]*\]', " ", expression)
        for token in re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", cleaned):
            if token.startswith("spool_"):
                names.add(re.sub(r"_(bucket|count|sum)$", "", token))
    return expressions, names


def main():
    spool = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else f"{REPO}/.build/debug/spool")
    problems = []
    fleet, api, _ = harness.new_fleet(spool, "observability", gateways=1, managers=0, workers=0)
    prometheus = None
    try:
        ports = {"manager": harness.free_port(), "worker": harness.free_port()}
        fleet.start_manager("manager-1", ["--ops-port", str(ports["manager"]), "--ops-host", "127.0.0.1",
                                          "--actuator", "gauge"])
        fleet.wait_for_log("manager-1", "leading")
        # The worker's nvidia-smi prints two recorded L4s (the one fake: no NVIDIA GPU here), so it exports GPU metrics.
        fake = f"{fleet.work}/fake-bin"
        os.makedirs(fake, exist_ok=True)
        with open(f"{fake}/nvidia-smi", "w") as file:
            file.write(f"#!/bin/sh\ncat '{REPO}/Tests/SpoolMediaTests/Fixtures/nvidia-smi/l4-2x.csv'\n")
        os.chmod(f"{fake}/nvidia-smi", 0o755)
        fleet.env = {"PATH": fake + ":" + os.environ.get("PATH", "/usr/bin:/bin")}
        fleet.start_worker("worker-1", ["--ops-port", str(ports["worker"]), "--ops-host", "127.0.0.1"])
        # A managed pool, so the manager publishes what it wants for it (and its bounds).
        gateway = f"http://127.0.0.1:{fleet.gateways[0]}"
        harness.sh(spool, "pools", "create", "burst", "--kind", "cpu", "--min", "0", "--max", "2", "--server", gateway)
        targets = {"gateway": fleet.gateways[0], **ports}
        work = tempfile.mkdtemp(prefix="spool-prometheus.")
        prometheus_port = harness.free_port()
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [RULES],
            "scrape_configs": [{"job_name": role, "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}
                               for role, port in targets.items()],
        }
        with open(f"{work}/prometheus.yml", "w") as file:
            json.dump(config, file)  # JSON is YAML
        prometheus = subprocess.Popen(
            ["prometheus", f"--config.file={work}/prometheus.yml", f"--storage.tsdb.path={work}/data",
             f"--web.listen-address=127.0.0.1:{prometheus_port}"],
            stdout=open(f"{work}/prometheus.log", "w"), stderr=subprocess.STDOUT, start_new_session=True)
        # Scrapes and rule evaluations every second. Jobs of each class run while Prometheus watches, so the rates
        # behind the queue-wait rules have placements in their window (before, they would be 0/0).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                up = query(prometheus_port, "up") or []
                if len(up) == len(targets) and all(r["value"][1] == "1" for r in up):
                    break
            except OSError:
                pass
            time.sleep(1)
        time.sleep(2)
        clip = f"{fleet.inputs}/clip.mp4"
        harness.make_clip(clip, seconds=2)
        jobs = []
        for service_class in ("realtime", "standard", "batch"):
            view = api.submit({"input": "file://" + clip, "service_class": service_class,
                               "outputs": [{"name": "mp4", "kind": "mp4", "video": {"codec": "h264", "height": 120}}]})
            jobs.append(view["id"])
        views = api.wait_all(jobs, timeout=180)
        harness.log("jobs: " + ", ".join(f"{j} {v.get('state')}" for j, v in views.items()))
        time.sleep(4)
        exported = set()
        for role, port in targets.items():
            text = get(f"http://127.0.0.1:{port}/metrics")
            names = {re.sub(r"_(bucket|count|sum)$", "", line.split("{")[0].split(" ")[0])
                     for line in text.splitlines() if line.startswith("spool_")}
            harness.log(f"{role} exports {len(names)} spool metrics")
            exported |= names

        up = query(prometheus_port, "up") or []
        harness.log("targets up: " + ", ".join(f"{r['metric']['job']}={r['value'][1]}" for r in up))
        if len(up) != len(targets) or not all(r["value"][1] == "1" for r in up):
            problems.append(f"not every target is up: {up}")

        for kind, name in rule_expressions():
            expression = name if kind == "record" else ALERT_SIGNALS.get(name)
            if expression is None:
                problems.append(f"alert {name} has no signal to check here")
                continue
            result = query(prometheus_port, expression)
            # Data, and numbers: a ratio of two rates that saw nothing is NaN, which is no answer.
            ok = bool(result) and all(r["value"][1] not in ("NaN", "+Inf", "-Inf") for r in result)
            detail = ", ".join(f"{r['metric'].get('class', r['metric'].get('pool', r['metric'].get('breaker', '')))}"
                               f"={r['value'][1]}"
                               for r in (result or [])[:4])
            print(f"{kind} {name}: {'data' if ok else 'NO DATA'} ({detail})", flush=True)
            if not ok:
                problems.append(f"{kind} {name} returns no data ({expression})")

        expressions, names = dashboard_metrics()
        missing = sorted(n for n in names if n not in exported)
        print(f"dashboard: {len(expressions)} queries over {len(names)} metrics; "
              f"missing from /metrics: {missing or 'none'}", flush=True)
        problems += [f"the dashboard queries {n}, which no process exports" for n in missing]
        for expression in expressions:
            if query(prometheus_port, expression) is None:
                problems.append(f"Prometheus refuses the dashboard query {expression}")
    finally:
        if prometheus:
            prometheus.terminate()
            prometheus.wait(timeout=10)
        fleet.stop_all()
    for problem in problems:
        print(f"problem: {problem}", flush=True)
    print(f"observability problems: {len(problems)}", flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
