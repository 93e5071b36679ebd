"""bench/queue: N no-op jobs through Spool and N no-op tasks through Celery on the same redis-server (see run)."""
import argparse, concurrent.futures, json, os, random, shutil, socket, subprocess, sys, statistics, tempfile, time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    while True:
        port = random.randrange(20000, 32000)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue


def redis_commands(port):
    info = subprocess.run(["redis-cli", "-p", str(port), "info", "stats"], capture_output=True, text=True).stdout
    return int(info.split("total_commands_processed:")[1].split()[0])


def wait_for(path, text, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path) and text in open(path, errors="replace").read():
            return
        if process.poll() is not None:
            raise SystemExit(f"{path}: exited with {process.returncode}:\n{open(path).read()[-2000:]}")
        time.sleep(0.1)
    raise SystemExit(f"{path} never printed {text!r}")


REDIS_PID = [0]


def machine_cpu():
    """CPU seconds this machine's cores have been busy so far (user, system, interrupts; from /proc/stat): what every
    process of a run costs together, its client and redis-server included."""
    fields = [int(value) for value in open("/proc/stat").readline().split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def process_cpu(pid):
    """User + system CPU seconds a process has used so far (from /proc)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def submit_all(base, request, jobs):
    """Submits `jobs` jobs as the benchmark's client does, 16 at a time, each on a connection of its own (urllib);
    returns their IDs."""
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        return list(pool.map(lambda i: call(base, "POST", "/v1/jobs", dict(request, idempotency_key=f"q{i}"))["id"],
                             range(jobs)))


def client_ceiling(work, jobs):
    """The most submissions a second this client makes when the server costs nearly nothing: the same submissions
    to NGINX, which answers each with a canned job. No queue can finish jobs faster than its client submits them,
    so this bounds the ratio the benchmark can print on this machine. Returns submissions/s and the client's CPU
    seconds a submission."""
    port = free_port()
    config = f"{work}/nginx.conf"
    open(config, "w").write(
        f"worker_processes 1;\npid {work}/nginx.pid;\nerror_log {work}/nginx-error.log;\ndaemon off;\n"
        f"events {{ worker_connections 1024; }}\n"
        f"http {{ access_log off; client_body_temp_path {work}/nginx-body; server {{ listen 127.0.0.1:{port}; "
        f"location / {{ default_type application/json; return 201 '{{\"id\":\"j1\"}}'; }} }} }}\n")
    nginx = subprocess.Popen(["nginx", "-e", f"{work}/nginx-error.log", "-c", config], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                call(base, "POST", "/v1/jobs", {})
                break
            except OSError:
                if time.monotonic() > deadline or nginx.poll() is not None:
                    raise SystemExit(f"nginx did not start; see {work}/nginx-error.log")
                time.sleep(0.05)
        usage = os.times()
        started = time.monotonic()
        submit_all(base, {"input": "file:///never/read.mp4", "preset": "web-360p"}, jobs)
        elapsed = time.monotonic() - started
        cpu = (os.times().user - usage.user) + (os.times().system - usage.system)
        return jobs / elapsed, cpu / jobs
    finally:
        os.killpg(nginx.pid, 9)
        nginx.wait()


def unfinished(base):
    """Whether any job is still queued or running (the job list is read from the store; a job's own GET may be
    answered from the gateway's cache, up to half a second old while the job is live)."""
    return any(call(base, "GET", f"/v1/jobs?state={state}&limit=1")["jobs"] for state in ("queued", "running"))


def idle_latencies(base, request, count=20):
    """How long a lone job takes on an idle queue, from the client's submission until no job is queued or running
    (polled every 5 ms), in ms: the latency of the leader's and the worker's wake-ups, where the throughput run sees
    batches. A no-op job succeeds as soon as it is claimed; each is read back `succeeded` at the end."""
    latencies, ids = [], []
    for index in range(count):
        started = time.monotonic()
        ids.append(call(base, "POST", "/v1/jobs", dict(request, idempotency_key=f"idle{index}"))["id"])
        while unfinished(base):
            if time.monotonic() > started + 30:
                raise SystemExit(f"spool: job {ids[-1]} did not finish on the idle queue within 30 s")
            time.sleep(0.005)
        latencies.append((time.monotonic() - started) * 1000)
        # The queue idles between jobs, for a random while: a fixed one would meet the leader's 200 ms cycles at the
        # same phase every time.
        time.sleep(random.uniform(0.2, 0.6))
    states = [call(base, "GET", f"/v1/jobs/{job}")["state"] for job in ids]
    if states.count("succeeded") != count:
        raise SystemExit(f"spool: only {states.count('succeeded')} of the {count} lone jobs succeeded")
    return latencies


def spool_run(spool, work, redis_port, jobs):
    data, inputs = f"{work}/data", f"{work}/inputs"
    os.makedirs(inputs)
    open(f"{inputs}/in.mp4", "w").write("never read: the noop executor does not open inputs")
    port = free_port()
    common = ["--redis", f"redis://127.0.0.1:{redis_port}", "--data", data, "--log-level", "warning"]
    processes = []

    def start(name, argv, ready):
        path = f"{work}/{name}.log"
        process = subprocess.Popen([spool, *argv, *common], stdout=open(path, "w"), stderr=subprocess.STDOUT,
                                   start_new_session=True)
        processes.append(process)
        wait_for(path, ready, process)

    try:
        start("gateway", ["gateway", "--port", str(port), "--input-root", inputs], "spool gateway http://")
        start("manager", ["manager"], "leading")
        start("worker", ["worker", "--pool", "cpu", "--slots", os.environ.get("BENCH_SLOTS", "64"), "--executor", "noop", *os.environ.get("BENCH_WORKER_EXTRA", "").split(), "--input-root", inputs],
              "spool worker wrk_")
        base = f"http://127.0.0.1:{port}"
        request = {"input": f"file://{inputs}/in.mp4", "preset": "web-360p"}
        before = redis_commands(redis_port)
        redis_cpu_before = process_cpu(REDIS_PID[0])
        machine_before = machine_cpu()
        started = time.monotonic()
        ids = submit_all(base, request, jobs)
        submitted = time.monotonic() - started
        while unfinished(base):
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        machine = machine_cpu() - machine_before
        commands = redis_commands(redis_port) - before
        # Every job must have been committed, once: read them all back.
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            states = list(pool.map(lambda j: call(base, "GET", f"/v1/jobs/{j}")["state"], ids))
        if states.count("succeeded") != jobs:
            raise SystemExit(f"spool: only {states.count('succeeded')} of {jobs} jobs succeeded")
        cpu = {name: process_cpu(process.pid) for name, process in zip(("gateway", "manager", "worker"), processes)}
        print("spool CPU seconds: " + ", ".join(f"{name} {seconds:.2f}" for name, seconds in cpu.items())
              + f", redis-server {process_cpu(REDIS_PID[0]) - redis_cpu_before:.2f} (during the run)")
        latencies = idle_latencies(base, request)
        print(f"spool: one job at a time on the idle queue, from its submission until none is queued or running: "
              f"median {statistics.median(latencies):.1f} ms, slowest {max(latencies):.1f} ms of {len(latencies)}")
        return elapsed, submitted, commands, machine
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, 9)
            except ProcessLookupError:
                pass
            process.wait()


def celery_run(work, redis_port, jobs):
    broker = f"redis://127.0.0.1:{redis_port}/1"
    environment = dict(os.environ, BENCH_BROKER=broker, PYTHONPATH=HERE)
    path = f"{work}/celery.log"
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "noop_tasks", "worker", "--pool", "prefork",
                               "--concurrency", "2", "--loglevel", "warning", "--without-gossip", "--without-mingle",
                               "--without-heartbeat"], stdout=open(path, "w"), stderr=subprocess.STDOUT,
                              env=environment, cwd=HERE, start_new_session=True)
    try:
        os.environ["BENCH_BROKER"] = broker
        sys.path.insert(0, HERE)
        import noop_tasks
        # Ready when a first task comes back.
        noop_tasks.noop.delay(-1).get(timeout=60)
        before = redis_commands(redis_port)
        machine_before = machine_cpu()
        started = time.monotonic()
        results = [noop_tasks.noop.delay(i) for i in range(jobs)]
        submitted = time.monotonic() - started
        values = [result.get(timeout=600) for result in results]
        elapsed = time.monotonic() - started
        machine = machine_cpu() - machine_before
        commands = redis_commands(redis_port) - before
        if values != list(range(jobs)):
            raise SystemExit("celery: results do not match the tasks sent")
        return elapsed, submitted, commands, machine
    finally:
        os.killpg(worker.pid, 9)
        worker.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--spool", required=True)
    parser.add_argument("--jobs", type=int, default=2000)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="spool-bench-queue.")
    redis_port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", work], stdout=subprocess.DEVNULL, start_new_session=True)
    REDIS_PID[0] = redis.pid
    try:
        deadline = time.monotonic() + 20
        while subprocess.run(["redis-cli", "-p", str(redis_port), "ping"], capture_output=True).returncode != 0:
            if time.monotonic() > deadline:
                raise SystemExit("redis-server did not start")
            time.sleep(0.1)
        spool_time, spool_submit, spool_commands, spool_cpu = spool_run(args.spool, work, redis_port, args.jobs)
        celery_time, celery_submit, celery_commands, celery_cpu = celery_run(work, redis_port, args.jobs)
        ceiling, client_cpu = client_ceiling(work, args.jobs)
    finally:
        redis.kill()
        redis.wait()
        shutil.rmtree(work, ignore_errors=True)
    spool_rate, celery_rate = args.jobs / spool_time, args.jobs / celery_time
    print(f"spool:  {args.jobs} no-op jobs in {spool_time:.2f} s = {spool_rate:.0f} jobs/s (submitting took "
          f"{spool_submit:.2f} s over HTTP); {spool_commands / args.jobs:.1f} Redis commands per job")
    print(f"celery: {args.jobs} no-op tasks in {celery_time:.2f} s = {celery_rate:.0f} tasks/s (sending took "
          f"{celery_submit:.2f} s); {celery_commands / args.jobs:.1f} Redis commands per task")
    print(f"CPU a job, every process on the machine together (clients and redis-server included): spool "
          f"{spool_cpu / args.jobs * 1000:.2f} ms, celery {celery_cpu / args.jobs * 1000:.2f} ms; a ratio of 20 would "
          f"leave spool {(os.cpu_count() or 1) * 1000 / (20 * celery_rate):.3f} ms of this machine's {os.cpu_count()} cores a job")
    print(f"this client alone (NGINX answering every submission with a canned job): {ceiling:.0f} submissions/s at "
          f"{client_cpu * 1000:.2f} ms of its own CPU each, so no queue behind it could score above "
          f"{ceiling / celery_rate:.2f} here")
    print(f"queue_ratio_vs_celery: {spool_rate / celery_rate:.3f}")


if __name__ == "__main__":
    main()
