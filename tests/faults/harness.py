"""Fault injection with Jepsen-style counts: real spool processes on loopback sharing one real redis-server, a bounded
load, real faults (kill -9, SIGSTOP, a Redis crash, poison and fuzzed inputs), and one checker line per scenario:

    SCENARIO lost: N duplicated: N unexpected: N

lost        acknowledged (202) and not completed as it should have been (succeeded; for `redis`: not even stored)
duplicated  committed more than once (two "attempt settled ... succeeded" lines in the workers' logs) or outputs of
            two attempts left
unexpected  a state, file or process nobody asked for: an output that does not probe as asked, an attempt's files
            left behind, an orphan ffmpeg, a killed job that shows one attempt, an untyped error, a crashed worker, a
            fault's expected consequence missing (no takeover, no refused commit)

CI runs the short version of every scenario; FULL=1 runs the lengths the issue names. Exit status 1 if any count is
above its bound (the `everysec` Redis loss is measured and printed, not bounded: that is what everysec means).
"""
import argparse, json, os, random, re, shutil, signal, socket, subprocess, sys, tempfile, threading, time
import urllib.error, urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FULL = os.environ.get("FULL") == "1"
KEEP = os.environ.get("KEEP") == "1"  # keep each scenario's folder (logs, data) afterwards
LEASE_SECONDS = 3
TOOLS_VENV = os.environ.get("SPOOL_TOOLS_VENV", os.path.expanduser("~/.local/share/spool/venv"))
TERMINAL = ("succeeded", "failed", "cancelled")
TYPED_FAILURES = ("invalid_input", "unsupported", "timeout", "resource_limit", "stalled")


def log(message):
    print(f"[faults {time.strftime('%H:%M:%S')}] {message}", flush=True)


def sh(*argv, capture=False):
    result = subprocess.run(argv, check=True, capture_output=capture, text=True)
    return result.stdout if capture else None


_ports_given = set()


def free_port():
    """Below the ephemeral range (32768+), so no outgoing connection can take a port a server is restarted on."""
    while True:
        port = random.randrange(20000, 32000)
        if port in _ports_given:
            continue
        _ports_given.add(port)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue


def make_clip(path, seconds, size="320x240", container_args=()):
    sh("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25",
       "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", str(seconds), "-c:v", "libx264",
       "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", *container_args, path)


class Fleet:
    """Every process of a scenario, each in a session of its own, stopped by PID (and its ffmpeg groups) at the end."""

    def __init__(self, spool, work):
        self.spool, self.work = spool, work
        self.data = f"{work}/data"
        self.inputs = f"{work}/inputs"
        os.makedirs(self.data, exist_ok=True)
        os.makedirs(self.inputs, exist_ok=True)
        self.processes = {}  # name -> (Popen, log path)
        self.offsets = {}  # name -> where the current incarnation's log begins
        self.redis_port = None
        self.redis_dir = f"{work}/redis"
        self.gateways = []  # ports
        self.worker_ids = {}  # name -> worker id (the newest incarnation)
        self.killed_incarnations = []  # worker ids that were killed
        self.mounted = False
        self.redis_url = None  # a Redis Cluster's seeds, when the scenario runs one
        self.env = {}  # added to every process's environment
        self.max_attempts = 3  # the store's default; a scenario that interrupts jobs on purpose may grant more

    def start(self, name, argv, env=None):
        path = f"{self.work}/{name}.log"
        self.offsets[name] = os.path.getsize(path) if os.path.exists(path) else 0
        output = open(path, "a")
        process = subprocess.Popen(argv, stdout=output, stderr=output, env=dict(os.environ, **self.env, **(env or {})),
                                   start_new_session=True, cwd=self.work)
        self.processes[name] = (process, path)
        return process

    def log_of(self, name):
        try:
            return open(self.processes[name][1], errors="replace").read()
        except (KeyError, FileNotFoundError):
            return ""

    def wait_for_log(self, name, text, timeout=60, after=0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log_of(name)[after:]:
                return
            process = self.processes[name][0]
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.log_of(name)[-3000:]}")
            time.sleep(0.1)
        raise RuntimeError(f"{name} did not print {text!r} in {timeout} s:\n{self.log_of(name)[-3000:]}")

    def alive(self, name):
        return name in self.processes and self.processes[name][0].poll() is None

    # -- redis ---------------------------------------------------------------------------------------------------
    def start_redis(self, appendfsync="always"):
        os.makedirs(self.redis_dir, exist_ok=True)
        if self.redis_port is None:
            self.redis_port = free_port()
        self.redis_fsync = appendfsync
        self.start("redis", ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
                             "--dir", self.redis_dir, "--appendonly", "yes", "--appendfsync", appendfsync,
                             "--aof-load-truncated", "yes", "--save", "", "--protected-mode", "no"])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if sh("redis-cli", "-p", str(self.redis_port), "ping", capture=True).strip() == "PONG":
                    return
            except subprocess.CalledProcessError:
                pass
            time.sleep(0.1)
        raise RuntimeError("redis-server did not answer:\n" + self.log_of("redis")[-2000:])

    def redis_cli(self, *argv):
        return sh("redis-cli", "-p", str(self.redis_port), *argv, capture=True).strip()

    # -- spool ---------------------------------------------------------------------------------------------------
    def common(self):
        redis = self.redis_url or f"redis://127.0.0.1:{self.redis_port}"
        return ["--redis", redis, "--data", self.data, "--log-level", "info", "--max-attempts", str(self.max_attempts)]

    def start_gateway(self, name, extra=()):
        port = free_port()
        self.start(name, [self.spool, "gateway", *self.common(), "--port", str(port), "--input-root", self.inputs,
                          *extra])
        self.wait_for_log(name, "spool gateway http://")
        self.gateways.append(port)
        return port

    def start_manager(self, name, extra=()):
        self.start(name, [self.spool, "manager", *self.common(), "--lease-ttl", "3", "--worker-timeout", "5",
                          "--retention-sweep-seconds", "5", *extra])
        self.wait_for_log(name, "started")

    def start_worker(self, name, extra=()):
        offset = len(self.log_of(name))
        self.start(name, [self.spool, "worker", *self.common(), "--pool", "cpu", "--slots", "1",
                          "--lease-seconds", str(LEASE_SECONDS), "--shutdown-grace", "1", "--input-root",
                          self.inputs, "--no-deduplicate", *extra])
        self.wait_for_log(name, "spool worker wrk_", after=offset)
        for line in self.log_of(name)[offset:].splitlines():
            if line.startswith("spool worker wrk_"):
                self.worker_ids[name] = line.split()[2]

    def children(self, pid):
        """Processes whose parent is `pid` (ffmpeg runs in a process group of its own, so a group kill misses it)."""
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    fields = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
                    if int(fields[1]) == pid:
                        found.append(int(entry))
                except (OSError, IndexError, ValueError):
                    pass
        return found

    def kill9(self, name, with_ffmpeg=True):
        """kill -9 of the process and, with `with_ffmpeg`, of its ffmpeg process groups: a machine's crash."""
        process = self.processes[name][0]
        groups = [child for child in self.children(process.pid)] if with_ffmpeg else []
        for target in [process.pid] + groups:
            try:
                os.killpg(target, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait()
        if name in self.worker_ids:
            self.killed_incarnations.append(self.worker_ids[name])

    def signal(self, name, sig):
        os.kill(self.processes[name][0].pid, sig)

    def stop_all(self):
        for name, (process, _) in self.processes.items():
            if process.poll() is None:
                for child in self.children(process.pid):
                    try:
                        os.killpg(child, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()

    def finish(self):
        self.stop_all()
        if self.mounted:
            subprocess.run(["umount", "-l", self.data], check=False)
        if KEEP:
            log(f"logs kept in {self.work}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    def ffmpeg_of_this_run(self):
        """ffmpeg processes working in this run's data folder (alive, not zombies)."""
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                command = open(f"/proc/{entry}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
                state = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if "ffmpeg" in command.split(" ")[0] and self.data in command and state != "Z":
                found.append(int(entry))
        return found


class API:
    """The Spool API through the gateways in turn; a refused connection or a 5xx is retried with the same key."""

    def __init__(self, fleet):
        self.fleet = fleet
        self.turn = 0

    def base(self):
        self.turn += 1
        return f"http://127.0.0.1:{self.fleet.gateways[self.turn % len(self.fleet.gateways)]}"

    def call(self, method, path, body=None, timeout=30, headers=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base() + path, data=data, method=method,
                                         headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw = response.read()
                return response.status, (json.loads(raw) if raw[:1] in (b"{", b"[") else raw)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def submit(self, request, attempts=60):
        for _ in range(attempts):
            try:
                status, view = self.call("POST", "/v1/jobs", request, timeout=10)
                if status in (200, 201, 202):
                    return view
                if status < 500:
                    raise RuntimeError(f"submission refused: {status} {view}")
            except (urllib.error.URLError, ConnectionError, TimeoutError, socket.timeout):
                pass
            time.sleep(0.25)
        return None

    def job(self, job_id):
        for _ in range(40):
            try:
                status, view = self.call("GET", f"/v1/jobs/{job_id}")
                if status == 200:
                    return view
                if status == 404:
                    return None
            except (urllib.error.URLError, ConnectionError, TimeoutError, socket.timeout):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"job {job_id} cannot be read")

    def wait_all(self, ids, timeout):
        deadline = time.monotonic() + timeout
        views = {}
        while True:
            for job_id in ids:
                if job_id not in views or (views[job_id] is not None and views[job_id].get("state") not in TERMINAL):
                    views[job_id] = self.job(job_id)
            # None: the job is gone (expired, or never stored); the checker decides what that means.
            waiting = [j for j, v in views.items() if v is not None and v.get("state") not in TERMINAL]
            if not waiting or time.monotonic() > deadline:
                return views
            time.sleep(1)


class Checker:
    def __init__(self, fleet, api):
        self.fleet, self.api = fleet, api

    def commits(self):
        counts = {}
        for name in self.fleet.processes:
            if name.startswith("worker"):
                for line in self.fleet.log_of(name).splitlines():
                    if "attempt settled" in line and "state=succeeded" in line:
                        for field in line.split():
                            if field.startswith("job="):
                                counts[field[4:]] = counts.get(field[4:], 0) + 1
        return counts

    def probe(self, job):
        """Downloads each output through the API and probes it with ffprobe: the height asked for, a real stream."""
        problems = []
        for output in job["outputs"]:
            if output["kind"] not in ("mp4", "thumbnails"):
                continue
            status, body = self.api.call("GET", f"/v1/jobs/{job['id']}/outputs/{output['name']}")
            if status != 200 or not isinstance(body, bytes):
                problems.append(f"{job['id']} {output['name']}: download answered {status}")
                continue
            target = f"{self.fleet.work}/probe-{job['id']}-{output['name']}"
            open(target, "wb").write(body)
            probe = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", target],
                                   capture_output=True, text=True)
            os.unlink(target)
            streams = json.loads(probe.stdout or "{}").get("streams", [])
            heights = [s.get("height") for s in streams if s.get("codec_type") == "video"]
            asked = next((o.get("height") or o.get("video", {}).get("height") for o in job["requested_outputs"]
                          if o["name"] == output["name"]), None)
            if probe.returncode != 0 or not heights or (asked and heights[0] != asked):
                problems.append(f"{job['id']} {output['name']}: probed heights {heights}, asked {asked}")
        return problems

    def leftovers(self, views, timeout=45):
        """Attempt folders of finished jobs, and output folders of attempts that did not commit: the worker or the
        janitor removes them; give the janitor a few sweeps."""
        deadline = time.monotonic() + timeout
        while True:
            left = []
            work = f"{self.fleet.data}/work"
            for job_id in os.listdir(work) if os.path.isdir(work) else []:
                view = views.get(job_id)
                if view and view.get("state") in TERMINAL and os.listdir(f"{work}/{job_id}"):
                    left.append(f"work/{job_id}/{','.join(os.listdir(f'{work}/{job_id}'))}")
            outputs = f"{self.fleet.data}/outputs"
            for job_id in os.listdir(outputs) if os.path.isdir(outputs) else []:
                attempts = [d for d in os.listdir(f"{outputs}/{job_id}") if d.startswith("a") and d[1:].isdigit()]
                if len(attempts) > 1:
                    left.append(f"outputs/{job_id} holds attempts {attempts}")
            orphans = self.fleet.ffmpeg_of_this_run()
            if orphans:
                left.append(f"ffmpeg still running: {orphans}")
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(1)

    def report(self, name, acknowledged, views, unexpected=(), must_succeed=None, probe=True, lost_bound=0):
        must_succeed = acknowledged if must_succeed is None else must_succeed
        lost = [j for j in must_succeed if (views.get(j) or {}).get("state") != "succeeded"]
        commits = self.commits()
        duplicated = [j for j in acknowledged if commits.get(j, 0) > 1]
        unexpected = list(unexpected)
        if probe:
            for job_id in must_succeed:
                if (views.get(job_id) or {}).get("state") == "succeeded":
                    unexpected += self.probe(views[job_id])
        for job_id in lost:
            view = views.get(job_id) or {}
            log(f"lost {job_id}: {view.get('state', 'vanished')} {view.get('error')}")
        for job_id in duplicated:
            log(f"duplicated {job_id}: committed {commits[job_id]} times")
        for problem in unexpected:
            log(f"unexpected: {problem}")
        print(f"{name} lost: {len(lost)} duplicated: {len(duplicated)} unexpected: {len(unexpected)}", flush=True)
        return len(lost) <= lost_bound and not duplicated and not unexpected


def new_fleet(spool, name, gateways=1, managers=1, workers=0, worker_extra=(), appendfsync="always", tmpfs_mib=None,
              max_attempts=3):
    work = tempfile.mkdtemp(prefix=f"spool-faults-{name}.")
    fleet = Fleet(spool, work)
    fleet.max_attempts = max_attempts
    if tmpfs_mib:
        sh("mount", "-t", "tmpfs", "-o", f"size={tmpfs_mib}m", "tmpfs", fleet.data)
        fleet.mounted = True
    fleet.start_redis(appendfsync)
    for index in range(gateways):
        fleet.start_gateway(f"gateway-{index + 1}")
    for index in range(managers):
        fleet.start_manager(f"manager-{index + 1}")
    if managers:
        fleet.wait_for_log("manager-1", "leading")
    for index in range(workers):
        fleet.start_worker(f"worker-{index + 1}", worker_extra)
    api = API(fleet)
    return fleet, api, Checker(fleet, api)


MP4 = {"name": "mp4", "kind": "mp4", "video": {"codec": "h264", "height": 120}}
THUMBS = {"name": "thumbs", "kind": "thumbnails", "every_seconds": 1, "height": 60}


# -- scenarios ---------------------------------------------------------------------------------------------------
def scenario_workers(spool):
    """kill -9 a random worker with its ffmpeg group every 5 s and restart it, under a load of short jobs."""
    jobs = 200 if FULL else 80
    # A worker dies every 5 s here, far more often than in a fleet, and a lost lease counts as a failed attempt (a job
    # that kills its worker every time must reach the dead letters). Three kills of one job in a row happened in CI,
    # so the scenario grants 10 attempts: the checker then counts what the store loses, not what the policy ends.
    fleet, api, checker = new_fleet(spool, "workers", gateways=2, workers=3, max_attempts=10)
    try:
        clips = []
        for index in range(4):
            clips.append(f"{fleet.inputs}/clip{index}.mp4")
            make_clip(clips[-1], seconds=4 + index, size="640x360")
        acknowledged = []
        for index in range(jobs):
            view = api.submit({"input": "file://" + clips[index % len(clips)], "outputs": [MP4, THUMBS],
                               "idempotency_key": f"workers-{index}"})
            if view is None:
                raise RuntimeError("a submission was never acknowledged")
            acknowledged.append(view["id"])
        interrupted = set()  # jobs running on a worker when it was killed
        stop = threading.Event()
        kills = []

        def killer():
            while not stop.wait(5):
                name = random.choice([n for n in fleet.processes if n.startswith("worker-")])
                victim = fleet.worker_ids.get(name)
                fleet.kill9(name)
                kills.append(name)
                status, page = api.call("GET", "/v1/jobs?state=running&limit=100")
                if status == 200:
                    interrupted.update(j["id"] for j in page.get("jobs", page.get("items", []))
                                       if j.get("worker") == victim)
                fleet.start_worker(name)

        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        views = api.wait_all(acknowledged, timeout=900 if FULL else 300)
        stop.set()
        thread.join()
        log(f"{len(kills)} kills; {len(interrupted)} jobs were running on a killed worker")
        unexpected = [f"{j} ran on a killed worker but shows {views[j]['attempts']} attempt(s)"
                      for j in interrupted if views.get(j) and views[j]["attempts"] < 2]
        unexpected += checker.leftovers(views)
        if len(kills) < 3 or not interrupted:
            unexpected.append(f"the fault barely happened: {len(kills)} kills, {len(interrupted)} jobs interrupted")
        return checker.report("workers", acknowledged, views, unexpected)
    finally:
        fleet.finish()


def scenario_segments(spool):
    """Segmented jobs while workers die: kill -9 the worker running a segment task (with its ffmpeg) and restart
    it, twice; every job succeeds with every frame of its input, the killed tasks ran again, and every other task
    of those jobs ran exactly once (a worker's death loses only its segment)."""
    jobs = 6 if FULL else 3
    fleet, api, checker = new_fleet(spool, "segments", workers=3)
    try:
        clip = f"{fleet.inputs}/long.mp4"
        seconds = 16
        make_clip(clip, seconds=seconds, size="640x360", container_args=("-g", "25"))
        frames = int(sh("ffprobe", "-v", "error", "-count_packets", "-select_streams", "v:0", "-show_entries",
                        "stream=nb_read_packets", "-of", "csv=p=0", clip, capture=True).strip())
        acknowledged = []
        for index in range(jobs):
            view = api.submit({"input": "file://" + clip, "outputs": [MP4, THUMBS], "idempotency_key": f"seg-{index}",
                               "segmenting": {"mode": "on", "seconds": 3}})
            if view is None:
                raise RuntimeError("a submission was never acknowledged")
            acknowledged.append(view["id"])
        killed_tasks, encoding_when_killed = set(), set()
        kills = 0
        deadline = time.monotonic() + 120
        while kills < 2 and time.monotonic() < deadline:
            running, on_workers = [], []
            for job_id in acknowledged:
                view = api.job(job_id) or {}
                for task in (view.get("segments") or {}).get("tasks", []):
                    if task.get("state") == "running":
                        on_workers.append(task)
                    if task.get("state") == "running" and task.get("kind") == "video" and task["job"] not in killed_tasks:
                        running.append(task)
            if not running:
                time.sleep(0.2)
                continue
            task = running[0]
            name = next((n for n, w in fleet.worker_ids.items() if w == task.get("worker")), None)
            if name is None:
                time.sleep(0.2)
                continue
            fleet.kill9(name)
            kills += 1
            # Every attempt the worker held dies with it: besides the task it encodes, one that has finished its
            # encode may still be validating there (its slot is already free for the next task).
            held = [t for t in on_workers if t.get("worker") == task.get("worker")]
            # Read again after the kill: a task claimed there between the read above and the kill died too, and
            # one placed there and not yet shown running (its placement names the worker) may have been claimed.
            def on_killed(view):
                return task.get("worker") in (view.get("worker"), (view.get("placement") or {}).get("worker"))
            for job_id in acknowledged:
                for later in ((api.job(job_id) or {}).get("segments") or {}).get("tasks", []):
                    if later["job"] in {t["job"] for t in held} or later.get("state") == "succeeded":
                        continue
                    full = later if "placement" in later else (api.job(later["job"]) or later)
                    if on_killed(later) or on_killed(full):
                        held.append(later)
            killed_tasks.update(t["job"] for t in held)
            # The task was read as running a moment before the kill; it may have committed in that moment (its
            # encode was done and its commit was on the way). Then its one attempt is right, and it only counts as
            # killed while encoding if it had not succeeded when the worker died.
            after = api.job(task["job"]) or {}
            if after.get("state") == "succeeded":
                log(f"task {task['name']} ({task['job']}) committed just before {name} was killed")
            else:
                encoding_when_killed.add(task["job"])
            log(f"killed {name} while it ran task {task['name']} ({task['job']}); it held "
                f"{', '.join(t['name'] for t in held)}")
            fleet.start_worker(name)
        views = api.wait_all(acknowledged, timeout=600 if FULL else 300)
        unexpected = []
        if kills < 2:
            unexpected.append(f"the fault barely happened: {kills} workers killed while running a task")
        for job_id in acknowledged:
            view = views.get(job_id) or {}
            if view.get("state") != "succeeded":
                continue
            segments = view.get("segments") or {}
            if segments.get("count", 0) < 3:
                unexpected.append(f"{job_id} was not split: {segments.get('whole_file_reason')}")
            for task in segments.get("tasks", []):
                attempts = task.get("attempts") or 0
                # A task that was past its encode when its worker died may have committed just before: only the
                # one being encoded must have run again.
                if task["job"] in encoding_when_killed and attempts < 2:
                    unexpected.append(f"task {task['job']} was killed but shows {attempts} attempt(s)")
                if task["job"] not in killed_tasks and attempts != 1:
                    unexpected.append(f"task {task['job']} ({task['name']}) of {job_id} ran {attempts} times; "
                                      "only killed tasks may run again")
            mp4 = next((o for o in view["outputs"] if o["name"] == "mp4"), None)
            made = sh("ffprobe", "-v", "error", "-count_packets", "-select_streams", "v:0", "-show_entries",
                      "stream=nb_read_packets", "-of", "csv=p=0", mp4["uri"].removeprefix("file://"),
                      capture=True).strip() if mp4 else "none"
            if made != str(frames):
                unexpected.append(f"{job_id}: the joined output holds {made} frames, the input {frames}")
        unexpected += checker.leftovers(views)
        return checker.report("segments", acknowledged, views, unexpected)
    finally:
        fleet.finish()


def scenario_pause(spool):
    """SIGSTOP a worker for twice the lease mid-job: its late work is refused and logged, one output, no files."""
    fleet, api, checker = new_fleet(spool, "pause", workers=1)
    try:
        clip = f"{fleet.inputs}/long.mp4"
        make_clip(clip, seconds=20, size="640x360")
        view = api.submit({"input": "file://" + clip, "outputs": [MP4], "idempotency_key": "pause"})
        deadline = time.monotonic() + 60
        while api.job(view["id"])["state"] != "running" or api.job(view["id"])["progress"] <= 0:
            if time.monotonic() > deadline:
                raise RuntimeError("the job never ran")
            time.sleep(0.2)
        fleet.signal("worker-1", signal.SIGSTOP)
        fleet.start_worker("worker-2")
        time.sleep(2 * LEASE_SECONDS)
        views = api.wait_all([view["id"]], timeout=180)
        fleet.signal("worker-1", signal.SIGCONT)
        unexpected = []
        try:
            fleet.wait_for_log("worker-1", "discarding its files", timeout=60)
        except RuntimeError as error:
            unexpected.append(f"the paused worker did not refuse its late work: {str(error)[:300]}")
        if views[view["id"]]["attempts"] != 2:
            unexpected.append(f"{view['id']} shows {views[view['id']]['attempts']} attempts, not 2")
        unexpected += checker.leftovers(views)
        if not fleet.alive("worker-1"):
            unexpected.append("the paused worker died")
        return checker.report("pause", [view["id"]], views, unexpected)
    finally:
        fleet.finish()


def leading_manager(fleet):
    best, best_time = None, -1
    for name in fleet.processes:
        if name.startswith("manager-") and fleet.alive(name):
            text = fleet.log_of(name)[fleet.offsets[name]:]
            if "leading (token" in text:
                index = text.rfind("leading (token")
                standing = text.rfind("standing by")
                if index > standing and os.path.getmtime(fleet.processes[name][1]) > best_time:
                    best, best_time = name, os.path.getmtime(fleet.processes[name][1])
    return best


def scenario_managers(spool):
    """kill -9 the leading manager every 20 s (CI: 10 s) under load: another leads within 10 s; no job waits
    forever."""
    rounds, every = (6, 20) if FULL else (3, 10)
    fleet, api, checker = new_fleet(spool, "managers", managers=2, workers=2)
    try:
        clip = f"{fleet.inputs}/clip.mp4"
        make_clip(clip, seconds=3)
        acknowledged = []
        unexpected = []
        takeovers = []
        submitted = 0
        for round_number in range(rounds):
            round_end = time.monotonic() + every
            while time.monotonic() < round_end:
                view = api.submit({"input": "file://" + clip, "outputs": [MP4],
                                   "idempotency_key": f"managers-{submitted}"})
                submitted += 1
                acknowledged.append(view["id"])
                time.sleep(1)
            leader = leading_manager(fleet)
            if leader is None:
                unexpected.append(f"round {round_number}: no manager leads")
                continue
            others = [n for n in fleet.processes if n.startswith("manager-") and n != leader and fleet.alive(n)]
            offsets = {n: len(fleet.log_of(n)) for n in others}
            fleet.kill9(leader)
            killed_at = time.monotonic()
            took_over = None
            while time.monotonic() - killed_at < 10 and took_over is None:
                took_over = next((n for n in others if "leading (token" in fleet.log_of(n)[offsets[n]:]), None)
                time.sleep(0.1)
            if took_over is None:
                unexpected.append(f"round {round_number}: nobody led within 10 s of {leader}'s death")
            else:
                takeovers.append(time.monotonic() - killed_at)
            fleet.start_manager(leader)  # it comes back as a standby
        views = api.wait_all(acknowledged, timeout=240)
        if takeovers:
            log(f"takeovers after {', '.join(f'{t:.1f}' for t in takeovers)} s (goal 10 s)")
        unexpected += checker.leftovers(views)
        return checker.report("managers", acknowledged, views, unexpected)
    finally:
        fleet.finish()


def newest_aof(directory):
    folder = f"{directory}/appendonlydir"
    incremental = sorted((f for f in os.listdir(folder) if ".incr.aof" in f),
                         key=lambda f: int(f.split(".")[-3]))
    return f"{folder}/{incremental[-1]}"


def redis_round(spool, appendfsync, cut_bytes=0):
    """Submissions at 50/s; kill -9 redis-server midway; restart it from its AOF; count acknowledged jobs that are
    gone. No worker runs: what is checked is that acknowledged submissions are stored."""
    total = 500 if FULL else 300
    fleet, api, checker = new_fleet(spool, f"redis-{appendfsync}", gateways=2, managers=0, appendfsync=appendfsync)
    try:
        make_clip(f"{fleet.inputs}/clip.mp4", seconds=1)
        acknowledged = []
        refused = 0
        started = time.monotonic()
        killed = False
        for index in range(total):
            if not killed and index == total // 2:
                fleet.kill9("redis")
                killed = True
                if cut_bytes:
                    path = newest_aof(fleet.redis_dir)
                    size = os.path.getsize(path)
                    os.truncate(path, max(0, size - cut_bytes))
                    log(f"cut {cut_bytes} bytes off {os.path.basename(path)} ({size} bytes)")
                restarter = threading.Timer(1.0, fleet.start_redis, args=(appendfsync,))
                restarter.start()
            try:
                status, view = api.call("POST", "/v1/jobs", {"input": f"file://{fleet.inputs}/clip.mp4",
                                                             "outputs": [MP4], "idempotency_key": f"redis-{index}"},
                                        timeout=10)
                if status in (200, 201, 202):
                    acknowledged.append(view["id"])
                else:
                    refused += 1
            except (urllib.error.URLError, ConnectionError, TimeoutError, socket.timeout):
                refused += 1
            delay = started + (index + 1) / 50 - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        restarter.join()
        vanished = [j for j in acknowledged if api.job(j) is None]
        return acknowledged, vanished, refused
    finally:
        fleet.finish()


def scenario_redis(spool):
    ok = True
    acknowledged, vanished, refused = redis_round(spool, "always")
    log(f"appendfsync always: {len(acknowledged)} acknowledged, {refused} refused while Redis was down, "
        f"{len(vanished)} vanished")
    for job_id in vanished:
        log(f"lost {job_id}: acknowledged, gone after the restart")
    print(f"redis lost: {len(vanished)} duplicated: 0 unexpected: 0", flush=True)
    ok &= not vanished
    acknowledged, vanished, refused = redis_round(spool, "everysec")
    print(f"redis-everysec lost: {len(vanished)} duplicated: 0 unexpected: 0 (measured, not bounded; {len(acknowledged)} "
          f"acknowledged: a kill -9 of redis-server loses nothing the kernel already has, everysec risks about a "
          f"second of writes when the machine itself fails)", flush=True)
    acknowledged, vanished, refused = redis_round(spool, "always", cut_bytes=300)
    # A cut AOF loses a tail of writes: the vanished jobs must be exactly the newest acknowledged before the kill.
    unexpected = 0
    if vanished:
        before_kill = acknowledged[:acknowledged.index(vanished[-1]) + 1]
        tail = before_kill[-len(vanished):]
        if tail != vanished:
            unexpected = 1
            log(f"vanished jobs are not the newest acknowledged ones: {vanished} vs {tail}")
    log(f"AOF cut: Redis started; the acknowledged jobs that vanished: {' '.join(vanished) or 'none'}")
    print(f"redis-cut-aof lost: {len(vanished)} duplicated: 0 unexpected: {unexpected} (named above; a cut AOF "
          f"loses its tail by design)", flush=True)
    return ok and unexpected == 0


class FFmpegKiller:
    """Kills, with SIGKILL, every ffmpeg whose command line names `marker`, as the kernel's OOM killer or a crash
    would: the job's ffmpeg fails by itself on every attempt, whichever worker runs it."""

    def __init__(self, marker):
        self.marker, self.kills, self.stopping = marker, 0, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stopping.is_set():
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    argv = open(f"/proc/{entry}/cmdline", "rb").read().split(b"\0")
                except OSError:
                    continue
                if argv and os.path.basename(argv[0]) == b"ffmpeg" and self.marker.encode() in b" ".join(argv):
                    time.sleep(0.3)  # let it start encoding, so the kill lands mid-run
                    try:
                        os.kill(int(entry), signal.SIGKILL)
                        self.kills += 1
                    except ProcessLookupError:
                        pass
            time.sleep(0.05)

    def stop(self):
        self.stopping.set()
        self.thread.join()


def scenario_poison(spool):
    """Good jobs and two kinds of poison: an 8K frame over the workers' ffmpeg memory limit (`resource_limit`), and
    an ffmpeg that dies by SIGKILL on every attempt (`transcode_failed`). The poison jobs reach the dead letters after
    exactly the maximum attempts with a typed error (and ffmpeg's stderr tail where it printed one); the good ones
    all succeed."""
    good_count = 20
    fleet, api, checker = new_fleet(spool, "poison", workers=2, worker_extra=("--ffmpeg-memory-limit", "768"))
    killer = None
    try:
        clip = f"{fleet.inputs}/good.mp4"
        make_clip(clip, seconds=2)
        huge = f"{fleet.inputs}/huge.mp4"
        make_clip(huge, seconds=1, size="7680x4320")
        doomed = f"{fleet.inputs}/killed-every-time.mp4"
        make_clip(doomed, seconds=20, size="640x360")  # long enough that its encode is caught mid-run
        killer = FFmpegKiller("killed-every-time")
        good = [api.submit({"input": "file://" + clip, "outputs": [MP4], "idempotency_key": f"good-{i}"})["id"]
                for i in range(good_count)]
        too_big = [api.submit({"input": "file://" + huge, "outputs": [
            {"name": "big", "kind": "mp4", "video": {"codec": "h264", "height": 4320}}],
            "idempotency_key": f"poison-{i}"})["id"] for i in range(2)]
        killed = [api.submit({"input": "file://" + doomed, "outputs": [MP4], "idempotency_key": "killed"})["id"]]
        views = api.wait_all(good + too_big + killed, timeout=600)
        unexpected = []
        status, dead = api.call("GET", "/v1/dead-letters?limit=100")
        dead_ids = {j["id"] for j in (dead.get("jobs", dead.get("items", [])) if status == 200 else [])}
        for job_id in too_big + killed:
            view = views[job_id] or {}
            error = view.get("error") or {}
            if view.get("state") != "failed" or view.get("attempts") != 3:
                unexpected.append(f"poison {job_id}: {view.get('state')} after {view.get('attempts')} attempts")
            if job_id in too_big and (error.get("code") != "resource_limit" or not error.get("stderr_tail")):
                unexpected.append(f"poison {job_id}: error {error.get('code')} without its stderr tail")
            if job_id in killed and (error.get("code") != "transcode_failed"
                                     or "SIGKILL" not in error.get("message", "")):
                unexpected.append(f"poison {job_id}: error {error.get('code')}: {error.get('message')}")
            if job_id not in dead_ids:
                unexpected.append(f"poison {job_id} is not in the dead letters")
        log(f"ffmpeg of the killed job was killed {killer.kills} times")
        if killer.kills != 3:
            unexpected.append(f"the killed job's ffmpeg ran {killer.kills} times, not 3")
        unexpected += checker.leftovers(views)
        return checker.report("poison", good + too_big + killed, views, unexpected, must_succeed=good)
    finally:
        if killer:
            killer.stop()
        fleet.finish()


def media_inputs(folder, count):
    """Small inputs of four containers mutated with zzuf, plus hand-made bad ones."""
    inputs = []
    containers = [("mp4", ()), ("mkv", ()), ("ts", ()), ("webm", ("-c:v", "libvpx", "-c:a", "libopus"))]
    for index, (extension, codec) in enumerate(containers):
        seed_file = f"{folder}/seed{index}.{extension}"
        sh("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25",
           "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "2",
           *(codec or ("-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac")), "-pix_fmt", "yuv420p",
           "-shortest", seed_file)
    for index in range(count):
        extension = containers[index % 4][0]
        seed_file = f"{folder}/seed{index % 4}.{extension}"
        target = f"{folder}/fuzz{index}.{extension}"
        with open(seed_file, "rb") as source, open(target, "wb") as output:
            # Headers intact half the time (-b skips the first KiB), so some inputs decode with damage inside.
            ratio, skip = ("0.0005", ["-b", "1024-"]) if index % 2 else ("0.004", [])
            subprocess.run(["zzuf", "-s", str(index), "-r", ratio, *skip], stdin=source, stdout=output, check=True)
        inputs.append(target)
    open(f"{folder}/empty.mp4", "wb").close()
    data = open(f"{folder}/seed0.mp4", "rb").read()
    open(f"{folder}/truncated.mp4", "wb").write(data[: len(data) // 3])
    open(f"{folder}/random.mp4", "wb").write(os.urandom(200_000))
    # A 245 KB PNG-in-MOV whose one frame decodes to 16000×16000 (ffmpeg refuses to make a 20000×20000 picture:
    # width × height × 8 must fit in an int), far over the workers' 40 MP limit.
    sh("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=c=black:s=16000x16000:r=1",
       "-frames:v", "1", "-pix_fmt", "gray", "-c:v", "png", f"{folder}/huge-frame.mov")
    return inputs + [f"{folder}/{n}" for n in ("empty.mp4", "truncated.mp4", "random.mp4", "huge-frame.mov")]


def scenario_media(spool):
    """Fuzzed and malformed inputs: every job ends within its budget, validated or failed with a typed code; no
    worker crashes; ffmpeg's memory stays under the workers' limit."""
    if shutil.which("zzuf") is None:
        print("media: zzuf is missing: run scripts/install-deps.sh", file=sys.stderr)
        return False
    count = 40 if FULL else 16
    limit_mib = 768
    fleet, api, checker = new_fleet(spool, "media", workers=2,
                                    worker_extra=("--ffmpeg-memory-limit", str(limit_mib), "--stall-timeout", "20",
                                                  "--max-job-seconds", "60"))
    try:
        inputs = media_inputs(fleet.inputs, count)
        ids = []
        for index, path in enumerate(inputs):
            view = api.submit({"input": "file://" + path, "outputs": [MP4], "idempotency_key": f"media-{index}"})
            ids.append(view["id"])
        peak_rss = [0]
        stop = threading.Event()

        def sample():
            while not stop.wait(0.2):
                for pid in fleet.ffmpeg_of_this_run():
                    try:
                        for line in open(f"/proc/{pid}/status"):
                            if line.startswith("VmRSS:"):
                                peak_rss[0] = max(peak_rss[0], int(line.split()[1]) // 1024)
                    except OSError:
                        pass

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        budget = 3 * (60 + 20) + 60
        views = api.wait_all(ids, timeout=budget * 2 if FULL else budget * 2)
        stop.set()
        sampler.join()
        unexpected = []
        states = {}
        for job_id, path in zip(ids, inputs):
            view = views.get(job_id) or {}
            state = view.get("state")
            code = (view.get("error") or {}).get("code")
            log(f"{os.path.basename(path)}: {state} {code or ''} {(view.get('error') or {}).get('message', '')[:120]}")
            states[f"{state}/{code}" if code else state] = states.get(f"{state}/{code}" if code else state, 0) + 1
            if state == "succeeded":
                unexpected += checker.probe(view)
            elif state == "failed" and code in TYPED_FAILURES:
                if path.endswith("huge-frame.mov") and code != "unsupported":
                    unexpected.append(f"the 16000×16000 frame failed as {code}, not unsupported")
            else:
                unexpected.append(f"{os.path.basename(path)}: {state} {code} {view.get('error')}")
        for name in ("worker-1", "worker-2"):
            if not fleet.alive(name):
                unexpected.append(f"{name} crashed")
        if peak_rss[0] > limit_mib:
            unexpected.append(f"an ffmpeg reached {peak_rss[0]} MiB, over the {limit_mib} MiB limit")
        log(f"outcomes: {json.dumps(states, sort_keys=True)}; ffmpeg peak RSS {peak_rss[0]} MiB")
        unexpected += checker.leftovers(views)
        return checker.report("media", ids, views, unexpected, must_succeed=[], probe=False)
    finally:
        fleet.finish()


def open_files(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def scenario_soak(spool):
    """Tiny jobs for 20 minutes (CI: 2) through 2 gateways and 2 workers, finished jobs expiring after a minute:
    Redis memory flat after warm-up, open files stable in every process, submit p99 stable, nothing lost."""
    minutes = 20 if FULL else 2
    fleet, api, checker = new_fleet(spool, "soak", gateways=2, workers=2)
    try:
        clip = f"{fleet.inputs}/tiny.mp4"
        sh("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10",
           "-t", "0.5", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip)
        tiny = {"name": "thumb", "kind": "thumbnails", "every_seconds": 1, "height": 32}
        acknowledged, latencies, samples = [], [], []
        started = time.monotonic()
        end = started + minutes * 60
        # Finished jobs expire after 30 s (and the manager sweeps every 5 s): past that, Redis holds a steady number.
        warm_up = started + max(minutes * 60 / 4, 45)
        pids = {name: process.pid for name, (process, _) in fleet.processes.items()}
        next_sample = started
        index = 0
        while time.monotonic() < end:
            t0 = time.monotonic()
            view = api.submit({"input": "file://" + clip, "outputs": [tiny], "retain_days": 0.00035,
                               "idempotency_key": f"soak-{index}"})
            latencies.append((t0, time.monotonic() - t0))
            acknowledged.append(view["id"])
            index += 1
            if time.monotonic() >= next_sample:
                memory = int(fleet.redis_cli("info", "memory").split("used_memory:")[1].split()[0])
                samples.append((time.monotonic(), memory, {n: open_files(p) for n, p in pids.items()}))
                next_sample += 10
            # A closed loop: as fast as the two workers finish tiny jobs, so the queue stays short.
            while True:
                status, page = api.call("GET", "/v1/jobs?state=queued&limit=20")
                if status != 200 or len(page.get("jobs", [])) < 4 or time.monotonic() >= end:
                    break
                time.sleep(0.1)
        views = api.wait_all(acknowledged, timeout=180)
        # Jobs that expired (a minute after they finished) are gone: they were succeeded first, their commits tell.
        commits = checker.commits()
        for job_id in acknowledged:
            if views.get(job_id) is None and commits.get(job_id) == 1:
                views[job_id] = {"state": "succeeded", "expired": True}
        unexpected = []
        after = [s for s in samples if s[0] >= warm_up]
        if len(after) >= 2:
            first, last = after[0], after[-1]
            growth = (last[1] - first[1]) / max(1, first[1])
            log(f"Redis used_memory {first[1] // 1024} KiB after warm-up, {last[1] // 1024} KiB at the end "
                f"({growth:+.0%}); {len(acknowledged)} jobs")
            if growth > 0.5:
                unexpected.append(f"Redis memory grew {growth:+.0%} after warm-up")
            for name in first[2]:
                if first[2][name] >= 0 and last[2][name] > first[2][name] + 16:
                    unexpected.append(f"{name}: open files {first[2][name]} -> {last[2][name]}")
            log("open files after warm-up → end: " + ", ".join(f"{n} {first[2][n]}→{last[2][n]}" for n in first[2]))
        half = started + minutes * 30
        early = sorted(l for t, l in latencies if warm_up <= t < half)
        late = sorted(l for t, l in latencies if t >= half)
        if early and late:
            p99_early, p99_late = early[int(len(early) * 0.99)], late[int(len(late) * 0.99)]
            log(f"submit p99 {p99_early * 1000:.0f} ms (first half) → {p99_late * 1000:.0f} ms (second half)")
            if p99_late > 2 * p99_early + 0.05:
                unexpected.append(f"submit p99 grew from {p99_early * 1000:.0f} to {p99_late * 1000:.0f} ms")
        return checker.report("soak", acknowledged, views, unexpected, probe=False)
    finally:
        fleet.finish()


def free_mib(path):
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize / (1 << 20)


def fill(path, leave_mib):
    """Grows a ballast file until `leave_mib` MiB are free (0: until the disk is full)."""
    with open(path, "ab") as ballast:
        chunk = b"\0" * (1 << 20)
        while free_mib(os.path.dirname(path)) > leave_mib + 1:
            try:
                ballast.write(chunk)
                ballast.flush()
            except OSError:
                break


def ready_status(api):
    try:
        status, body = api.call("GET", "/ready", timeout=5)
        return status, body
    except (urllib.error.URLError, ConnectionError, TimeoutError, socket.timeout) as error:
        return None, str(error)


def scenario_disk(spool):
    """The data folder on a small tmpfs: a job whose output does not fit ends its attempt with `storage_full` without
    using up its attempts; a full disk makes /ready 503 and the workers take nothing, while /health stays 200; nothing
    partial is published; once space returns /ready is 200 at once and every job succeeds."""
    if os.geteuid() != 0:
        print("disk: skipped: mounting a tmpfs needs root (run as root, as CI does)")
        return True
    fleet, api, checker = new_fleet(spool, "disk", workers=2, tmpfs_mib=96)
    try:
        unexpected = []
        clip = f"{fleet.inputs}/noise.mp4"
        # Noise does not compress: the 30 Mb/s output is about 30 MB, more than the disk will have free.
        sh("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
           "-vf", "noise=alls=100:allf=t", "-t", "8", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "10",
           "-pix_fmt", "yuv420p", clip)
        ballast = f"{fleet.data}/ballast"
        # 24 MiB free: above the 16 MiB a process needs to call the disk usable, below one 30 MB output.
        fill(ballast, 24)
        big = {"name": "big", "kind": "mp4", "video": {"codec": "h264", "height": 360, "bitrate_kbps": 30000}}
        ids = [api.submit({"input": "file://" + clip, "outputs": [big], "idempotency_key": f"disk-{i}"})["id"]
               for i in range(3)]
        saw_storage_full = None
        deadline = time.monotonic() + 90
        while saw_storage_full is None and time.monotonic() < deadline:
            for job_id in ids:
                view = api.job(job_id)
                if view["state"] == "queued" and (view.get("error") or {}).get("code") == "storage_full":
                    saw_storage_full = view
            time.sleep(0.3)
        if saw_storage_full is None:
            unexpected.append("no attempt ended with storage_full while the output could not fit")
        else:
            log(f"storage_full seen: {saw_storage_full['error']['message'][:160]}")
        # Now the disk is full for good: /ready says so, the workers stop taking jobs, /health stays 200.
        fill(ballast, 0)
        time.sleep(3)
        status, body = ready_status(api)
        if status != 503 or "disk" not in str(body):
            unexpected.append(f"/ready answered {status} on a full disk: {str(body)[:200]}")
        health, _ = api.call("GET", "/health")
        if health != 200:
            unexpected.append(f"/health answered {health} on a full disk")
        for name in ("worker-1", "worker-2"):
            if "taking no jobs" not in fleet.log_of(name):
                unexpected.append(f"{name} did not say it takes no jobs on a full disk")
        outputs = f"{fleet.data}/outputs"
        published = os.listdir(outputs) if os.path.isdir(outputs) else []
        early = [j for j in published if (api.job(j) or {}).get("state") != "succeeded"]
        if early:
            unexpected.append(f"outputs published for jobs that did not succeed: {early}")
        # Space returns.
        os.unlink(ballast)
        returned = time.monotonic()
        while ready_status(api)[0] != 200 and time.monotonic() - returned < 10:
            time.sleep(0.2)
        log(f"/ready answered 200 {time.monotonic() - returned:.1f} s after space returned")
        if ready_status(api)[0] != 200:
            unexpected.append("/ready did not follow the disk back")
        views = api.wait_all(ids, timeout=240)
        for job_id in ids:
            view = views.get(job_id) or {}
            log(f"{job_id}: {view.get('state')} after {view.get('attempts')} attempts")
        unexpected += checker.leftovers(views)
        for name in ("worker-1", "worker-2"):
            if not fleet.alive(name):
                unexpected.append(f"{name} died")
        return checker.report("disk", ids, views, unexpected)
    finally:
        fleet.finish()

# -- Redis Cluster ------------------------------------------------------------------------------------------------
def fnv1a(text):
    """The shard function of the Redis store (`RedisKeys.fnv1a`): a tenant with a queued quota lives in one shard."""
    value = 2166136261
    for byte in text.encode():
        value = ((value ^ byte) * 16777619) & 0xFFFFFFFF
    return value


class RedisCluster:
    """Six real redis-server nodes in cluster mode: three masters, one replica each, node timeout 2 s."""

    def __init__(self, fleet):
        self.fleet = fleet
        self.ports = []
        while len(self.ports) < 6:
            port = free_port()
            with socket.socket() as probe:  # the cluster bus listens on port + 10000
                try:
                    probe.bind(("127.0.0.1", port + 10000))
                except OSError:
                    continue
            self.ports.append(port)
        for port in self.ports:
            folder = f"{fleet.work}/redis-{port}"
            os.makedirs(folder, exist_ok=True)
            fleet.start(f"redis-{port}", [
                "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", folder, "--cluster-enabled", "yes",
                "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000", "--appendonly", "yes",
                # What docs/deploy.md asks for: with full coverage required (Redis's default) every node answers
                # CLUSTERDOWN while one shard fails over, so every tenant would see errors.
                "--cluster-require-full-coverage", "no",
                "--appendfsync", "everysec", "--save", "", "--protected-mode", "no", "--repl-diskless-sync-delay", "0"])
        for port in self.ports:
            self.wait(lambda: self.cli(port, "ping") == "PONG", f"node {port} answers")
        sh("redis-cli", "--cluster", "create", *[f"127.0.0.1:{p}" for p in self.ports], "--cluster-replicas", "1",
           "--cluster-yes", capture=True)
        self.wait(lambda: all("cluster_state:ok" in self.cli(p, "cluster", "info") for p in self.ports), "cluster ok")
        self.wait(lambda: len(self.masters()) == 3 and all(self.replica_linked(m) for m in self.masters()),
                  "every master has a linked replica")

    def cli(self, port, *argv):
        try:
            return sh("redis-cli", "-p", str(port), *argv, capture=True).strip()
        except subprocess.CalledProcessError:
            return ""

    def wait(self, condition, what, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.2)
        raise RuntimeError(f"redis cluster: not {what} in {timeout} s")

    def url(self):
        return "redis://" + ",".join(f"127.0.0.1:{p}" for p in self.ports[:3])

    def masters(self):
        """Port → (first slot, last slot) ranges, as a live node sees them."""
        for port in self.ports:
            try:
                out = sh("redis-cli", "-p", str(port), "--json", "cluster", "slots", capture=True)
            except subprocess.CalledProcessError:
                continue
            owners = {}
            for entry in json.loads(out or "[]"):
                owners.setdefault(int(entry[2][1]), []).append((int(entry[0]), int(entry[1])))
            if owners:
                return owners
        return {}

    def replica_linked(self, master):
        return "slave0:" in self.cli(master, "info", "replication") and "state=online" in self.cli(
            master, "info", "replication")

    def owner(self, key):
        slot = int(self.cli(self.ports[0], "cluster", "keyslot", key))
        for port, ranges in self.masters().items():
            if any(first <= slot <= last for first, last in ranges):
                return port
        return None


def cluster_round(spool, wait_replicas, with_workers):
    """One round: a 6-node cluster, 3 tenants with queued quotas (each in its own shard, on distinct masters when the
    slots allow), submissions at a steady rate; the master of one tenant's shard is SIGSTOPped for 6 s so its replica
    is promoted. Returns what the checker needs."""
    total = (300 if FULL else 90) if with_workers else (300 if FULL else 150)
    work = tempfile.mkdtemp(prefix=f"spool-faults-cluster-{wait_replicas}.")
    fleet = Fleet(spool, work)
    cluster = RedisCluster(fleet)
    fleet.redis_url = cluster.url()
    admin = "cluster-admin-" + "k" * 24
    fleet.env = {"SPOOL_ADMIN_KEY": admin}
    shards = 8
    extra = ("--redis-shards", str(shards), "--redis-wait-replicas", str(wait_replicas))
    # Choose the victim: a master that holds a shard but none of the tags every request needs ({index} for the job
    # lists, {tenants} for keys), so only the tenants of its shards may see errors.
    global_tags = {tag: cluster.owner(f"spool:{{{tag}}}") for tag in ("index", "tenants", "workers", "pools")}
    shard_owner = {shard: cluster.owner(f"spool:{{s{shard}}}") for shard in range(shards)}
    candidates = [m for m in cluster.masters() if m not in (global_tags["index"], global_tags["tenants"])
                  and m in shard_owner.values()]
    victim = candidates[0] if candidates else shard_owner[0]
    masters = list(cluster.masters())
    # One tenant per master where possible: its shard (fnv1a of its id) decides where its jobs live.
    tenants = {}
    for master in [victim] + [m for m in masters if m != victim]:
        for index in range(1000):
            name = f"t{len(tenants)}-{index}"
            if shard_owner[fnv1a(name) % shards] == master:
                tenants[name] = master
                break
    log(f"cluster {' '.join(map(str, cluster.ports))}: masters {masters}; victim {victim} holds "
        f"{[t for t, o in global_tags.items() if o == victim]} and shards "
        f"{[s for s, o in shard_owner.items() if o == victim]}; tenants {tenants}")
    for index in range(2):
        fleet.start_gateway(f"gateway-{index + 1}", extra)
    fleet.start_manager("manager-1", extra)
    fleet.wait_for_log("manager-1", "leading")
    if with_workers:
        for index in range(3):
            fleet.start_worker(f"worker-{index + 1}", extra)
    api = API(fleet)
    keys = {}
    for name in tenants:
        status, body = api.call("POST", "/v1/admin/tenants", {"id": name, "limits": {"max_queued": 100000}},
                                headers={"Authorization": f"Bearer {admin}"})
        if status != 201:
            raise RuntimeError(f"creating tenant {name}: {status} {body}")
        keys[name] = body["api_key"]
        folder = f"{fleet.data}/tenants/{name}/files"
        os.makedirs(folder, exist_ok=True)
        make_clip(f"{folder}/clip.mp4", seconds=1)
    acknowledged = {name: [] for name in tenants}
    errors = {name: 0 for name in tenants}
    names = list(tenants)
    started = time.monotonic()
    resume = None
    for index in range(total):
        if resume is None and index == total // 4:
            victim_pid = fleet.processes[f"redis-{victim}"][0].pid
            os.kill(victim_pid, signal.SIGSTOP)
            log(f"SIGSTOP master {victim} for 6 s")
            resume = threading.Timer(6.0, lambda: (os.kill(victim_pid, signal.SIGCONT), log(f"SIGCONT master {victim}")))
            resume.start()
        name = names[index % len(names)]
        body = {"input": f"file://{fleet.data}/tenants/{name}/files/clip.mp4", "outputs": [MP4],
                "idempotency_key": f"c-{index}"}
        give_up = time.monotonic() + 60
        while True:
            try:
                status, view = api.call("POST", "/v1/jobs", body, timeout=10,
                                        headers={"Authorization": f"Bearer {keys[name]}"})
            except (urllib.error.URLError, ConnectionError, TimeoutError, socket.timeout):
                status, view = 599, "no answer"
            if status in (200, 201, 202):
                if view["id"] not in acknowledged[name]:
                    acknowledged[name].append(view["id"])
                break
            errors[name] += 1
            if tenants[name] != victim:
                log(f"tenant {name} (healthy master) got {status}: {str(view)[:400]}")
            if status < 500 or time.monotonic() > give_up:
                log(f"submission c-{index} of {name} given up: {status} {str(view)[:300]}")
                break
            time.sleep(0.25)
        # Spread over about 15 s, so the load runs before, through and after the pause.
        delay = started + (index + 1) * 15 / total - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    resume.join()
    promoted = cluster.owner(f"spool:{{s{fnv1a(names[0]) % shards}}}")
    log(f"the victim's shard is now served by {promoted} (was {victim})")
    return fleet, api, cluster, tenants, victim, promoted, acknowledged, errors, keys


def scenario_cluster(spool):
    """Redis Cluster failover: SIGSTOP one master for 6 s (node timeout 2 s) while 3 tenants submit. Round 1 with
    `--redis-wait-replicas 1` and workers: every acknowledged job completes, exactly once. Round 2 without it, no
    workers: the loss is measured and printed. In both: no CROSSSLOT, and tenants whose shard is on another master see
    no error."""
    ok = True
    for wait_replicas, with_workers in ((1, True), (0, False)):
        fleet, api, cluster, tenants, victim, promoted, acknowledged, errors, keys = cluster_round(
            spool, wait_replicas, with_workers)
        try:
            unexpected = []
            if promoted == victim:
                unexpected.append(f"no replica was promoted for master {victim}")
            for name, master in tenants.items():
                log(f"tenant {name} (shard on {master}{' — paused' if master == victim else ''}): "
                    f"{len(acknowledged[name])} acknowledged, {errors[name]} errors")
                if master != victim and errors[name]:
                    unexpected.append(f"tenant {name} on a healthy master saw {errors[name]} errors")
            for name in fleet.processes:
                if name.startswith(("gateway", "manager", "worker")):
                    text = fleet.log_of(name)
                    if "CROSSSLOT" in text or "different cluster slots" in text:
                        unexpected.append(f"{name} logged CROSSSLOT")
                    if not fleet.alive(name):
                        unexpected.append(f"{name} died")
            every = [j for ids in acknowledged.values() for j in ids]
            label = "cluster" if wait_replicas else "cluster-no-wait"
            if with_workers:
                # Reading a tenant's jobs needs its key.
                views = {}
                deadline = time.monotonic() + (900 if FULL else 420)
                for name, ids in acknowledged.items():
                    for job_id in ids:
                        while True:
                            status, view = api.call("GET", f"/v1/jobs/{job_id}",
                                                    headers={"Authorization": f"Bearer {keys[name]}"})
                            if status == 404:
                                views[job_id] = None
                                break
                            if status == 200 and (view["state"] in TERMINAL or time.monotonic() > deadline):
                                views[job_id] = view
                                break
                            time.sleep(0.5)
                ok &= Checker(fleet, api).report(label, every, views, unexpected, probe=False)
            else:
                vanished = []
                for name, ids in acknowledged.items():
                    for job_id in ids:
                        status, _ = api.call("GET", f"/v1/jobs/{job_id}",
                                             headers={"Authorization": f"Bearer {keys[name]}"})
                        if status == 404:
                            vanished.append(job_id)
                for job_id in vanished:
                    log(f"lost {job_id}: acknowledged, gone after the failover")
                for problem in unexpected:
                    log(f"unexpected: {problem}")
                print(f"{label} lost: {len(vanished)} duplicated: 0 unexpected: {len(unexpected)} (loss measured, not "
                      f"bounded: {len(every)} acknowledged without waiting for a replica)", flush=True)
                ok &= not unexpected
        finally:
            fleet.finish()
    return ok


# -- the API against its own document ------------------------------------------------------------------------------
SCHEMATHESIS_CONFIG = """# Written by tests/faults/harness.py (scenario `api`).
[auth.wfc]
path = "{auth}"
peers = ["alice", "bob"]

# Whether a job's input is acceptable depends on the server's input roots, DNS and its uploads, which no schema can
# say; the server answers such an input 400 naming the field. So a schema-valid submission may get that 400 too;
# every other check runs on submitJob as on the rest.
[[operations]]
include-operation-id = "submitJob"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]

# The live job list is a stream that lasts minutes by design (the console's table); every example would wait out the
# request timeout. Its filters are the list's (listJobs, fuzzed in full) and its stream is tested in ConsoleAPITests.
[[operations]]
include-operation-id = "listJobEvents"
enabled = false
"""


def scenario_api(spool):
    """schemathesis against the served /openapi.yaml with every check, two tenants' keys as peers for the
    authorization checks, and a bounded number of examples per operation: any failure (a server error, a response
    the document does not allow, an ignored key, one tenant reading another's job) counts as unexpected."""
    schemathesis = os.path.join(TOOLS_VENV, "bin", "st")
    if not os.access(schemathesis, os.X_OK):
        raise RuntimeError(f"{schemathesis} is missing: run scripts/install-deps.sh (it installs schemathesis)")
    work = tempfile.mkdtemp(prefix="spool-faults-api.")
    fleet = Fleet(spool, work)
    admin = "api-admin-" + "k" * 30
    try:
        port = free_port()
        fleet.start("serve", [spool, "serve", "--data", fleet.data, "--port", str(port), "--log-level", "warning"],
                    env={"SPOOL_ADMIN_KEY": admin})
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/health", timeout=2).read()
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline or not fleet.alive("serve"):
                    raise RuntimeError("spool serve did not start:\n" + fleet.log_of("serve")[-2000:])
                time.sleep(0.2)
        fleet.gateways.append(port)
        api = API(fleet)
        users = []
        for name in ("alice", "bob"):
            status, body = api.call("POST", "/v1/admin/tenants", {"id": name},
                                    headers={"Authorization": f"Bearer {admin}"})
            if status != 201:
                raise RuntimeError(f"creating tenant {name}: {status} {body}")
            key = body["api_key"]
            users.append({"name": name, "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {key}"}]})
            # Each tenant owns an upload and a job before the run, so the authorization checks have objects to try
            # across tenants (one's list shows them, the other's does not).
            clip = f"{work}/{name}.mp4"
            make_clip(clip, seconds=1)
            request = urllib.request.Request(base + "/v1/uploads", data=open(clip, "rb").read(), method="POST",
                                             headers={"Authorization": f"Bearer {key}",
                                                      "Content-Type": "application/octet-stream"})
            upload = json.loads(urllib.request.urlopen(request, timeout=30).read())
            status, job = api.call("POST", "/v1/jobs", {"input": upload["uri"], "outputs": [MP4, THUMBS]},
                                   headers={"Authorization": f"Bearer {key}"})
            if status != 202:
                raise RuntimeError(f"{name}'s job was refused: {status} {job}")
        auth = f"{work}/auth.json"
        json.dump({"auth": users}, open(auth, "w"))
        config = f"{work}/schemathesis.toml"
        open(config, "w").write(SCHEMATHESIS_CONFIG.format(auth=auth))
        examples = 200 if FULL else 25
        result = subprocess.run(
            [schemathesis, "--config-file", config, "run", base + "/openapi.yaml", "--checks", "all",
             "--max-examples", str(examples), "--workers", "2", "--seed", "20261204", "--no-color",
             "--request-timeout", "15", "--generation-database", "none"],
            capture_output=True, text=True, cwd=work, timeout=1500)
        output = result.stdout + result.stderr
        open(f"{work}/schemathesis.log", "w").write(output)
        summary = [line.strip() for line in output.splitlines() if re.match(r"^\s*\d+ generated", line)]
        failures = [line.strip() for line in output.splitlines() if re.match(r"^\s*- ST\d+", line)]
        headers = [line.strip("_ ") for line in output.splitlines() if re.match(r"^_{3,} .+ _{3,}$", line)]
        log(f"schemathesis: {summary[-1] if summary else 'no summary'} (exit {result.returncode})")
        for header in headers:
            log(f"  failing: {header}")
        for failure in sorted(set(failures)):
            log(f"  {failure}")
        unexpected = len(failures) if failures else (0 if result.returncode == 0 else 1)
        if result.returncode != 0 and not failures:
            log("schemathesis failed without a check failure:\n" + output[-3000:])
        if not fleet.alive("serve"):
            unexpected += 1
            log("spool serve died")
        print(f"api lost: 0 duplicated: 0 unexpected: {unexpected} ({summary[-1] if summary else '?'})", flush=True)
        return unexpected == 0
    finally:
        fleet.finish()


SCENARIOS = {
    "workers": scenario_workers,
    "pause": scenario_pause,
    "segments": scenario_segments,
    "managers": scenario_managers,
    "redis": scenario_redis,
    "cluster": scenario_cluster,
    "poison": scenario_poison,
    "media": scenario_media,
    "disk": scenario_disk,
    "soak": scenario_soak,
    "api": scenario_api,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="*", default=list(SCENARIOS), help=f"some of: {' '.join(SCENARIOS)}")
    parser.add_argument("--spool", default=os.environ.get("SPOOL_BIN", f"{REPO}/.build/debug/spool"))
    args = parser.parse_args()
    unknown = [s for s in args.scenarios if s not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario {' '.join(unknown)}; known: {' '.join(SCENARIOS)}")
    spool = os.path.abspath(args.spool)
    if not os.access(spool, os.X_OK):
        parser.error(f"{spool} is not an executable: build first (swift build) or pass --spool")
    ok = True
    started = time.monotonic()
    for name in args.scenarios:
        log(f"scenario {name} ({'full' if FULL else 'short'})")
        began = time.monotonic()
        try:
            ok &= SCENARIOS[name](spool)
        except Exception as error:  # a harness failure fails the run, saying what broke
            log(f"scenario {name} broke: {error}")
            print(f"{name} lost: ? duplicated: ? unexpected: ? (the harness broke)", flush=True)
            ok = False
        log(f"scenario {name} took {time.monotonic() - began:.0f} s")
    log(f"all scenarios took {time.monotonic() - started:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
