"""Spool on three hosts with no shared disk: network namespaces joined by a bridge, state in Redis, files in S3.

Host 1 runs redis-server, SeaweedFS (the S3 server), HAProxy (the shipped configuration) and a gateway; host 2 a
gateway, a manager and two workers; host 3 a manager and two workers. Each host has its own local data directory,
used only as scratch. The driver, in the machine's own namespace, talks to HAProxy on host 1 and reads outputs back
from S3 directly. Every scenario ends with one checker line `SCENARIO lost: N duplicated: N unexpected: N`.

lost        acknowledged (202) and not succeeded at the end
duplicated  a job committed more than once (two "attempt settled ... succeeded" lines in the workers' logs)
unexpected  an output that does not probe as asked, a file on a host's disk that belongs in S3, attempt objects
            left in the bucket, or a fault's expected consequence missing (no failover, no refused commit)
"""
import argparse, json, os, shutil, signal, ssl, subprocess, sys, tempfile, threading, time, urllib.request
import urllib.error

BRIDGE = "spbr0"
SUBNET = "198.18.0"
DRIVER_ADDRESS = f"{SUBNET}.254"
HOSTS = {1: f"{SUBNET}.1", 2: f"{SUBNET}.2", 3: f"{SUBNET}.3"}
ADMIN_KEY = "three-hosts-admin-key-0123456789"
S3_KEY, S3_SECRET, BUCKET = "spoolhosts", "spoolhosts-secret-0123456789", "spool"
LEASE_SECONDS = 8
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def log(message):
    print(f"[hosts {time.strftime('%H:%M:%S')}] {message}", flush=True)


def sh(*argv, check=True, capture=False):
    result = subprocess.run(argv, check=check, capture_output=capture, text=True)
    return result.stdout if capture else None


def namespace(host):
    return f"sp-h{host}"


class Cluster:
    """The three hosts and every process on them, cleaned up by PID and by namespace whatever happens."""

    def __init__(self, spool, weed, work):
        self.spool, self.weed, self.work = spool, weed, work
        self.processes = {}  # name -> (host, Popen, log path)
        self.worker_ids = {}  # worker id -> host

    # -- network -------------------------------------------------------------------------------------------------
    def create_network(self):
        self.destroy_network()
        sh("ip", "link", "add", BRIDGE, "type", "bridge")
        sh("ip", "addr", "add", f"{DRIVER_ADDRESS}/24", "dev", BRIDGE)
        sh("ip", "link", "set", BRIDGE, "up")
        for host, address in HOSTS.items():
            ns = namespace(host)
            sh("ip", "netns", "add", ns)
            sh("ip", "link", "add", f"sp-h{host}", "type", "veth", "peer", "name", "eth0", "netns", ns)
            sh("ip", "link", "set", f"sp-h{host}", "master", BRIDGE)
            sh("ip", "link", "set", f"sp-h{host}", "up")
            sh("ip", "netns", "exec", ns, "ip", "addr", "add", f"{address}/24", "dev", "eth0")
            sh("ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up")
            sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
            os.makedirs(f"{self.work}/h{host}/data", exist_ok=True)

    def destroy_network(self):
        for host in HOSTS:
            ns = namespace(host)
            pids = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
            subprocess.run(["ip", "link", "del", f"sp-h{host}"], capture_output=True)
        subprocess.run(["ip", "link", "del", BRIDGE], capture_output=True)

    def link(self, host, up):
        sh("ip", "link", "set", f"sp-h{host}", "up" if up else "down")

    # -- processes -----------------------------------------------------------------------------------------------
    def start(self, name, host, argv, env=None):
        path = f"{self.work}/{name}.log"
        output = open(path, "a")
        environment = dict(os.environ, AWS_ACCESS_KEY_ID=S3_KEY, AWS_SECRET_ACCESS_KEY=S3_SECRET,
                           SPOOL_ADMIN_KEY=ADMIN_KEY, **(env or {}))
        process = subprocess.Popen(["ip", "netns", "exec", namespace(host)] + argv, stdout=output, stderr=output,
                                   env=environment, start_new_session=True)
        self.processes[name] = (host, process, path)
        return process

    def log_of(self, name):
        try:
            return open(self.processes[name][2]).read()
        except (KeyError, FileNotFoundError):
            return ""

    def wait_for_log(self, name, text, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log_of(name):
                return
            process = self.processes[name][1]
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.log_of(name)[-3000:]}")
            time.sleep(0.2)
        raise RuntimeError(f"{name} did not print {text!r} in {timeout} s:\n{self.log_of(name)[-3000:]}")

    def kill_host(self, host):
        """Every process on the host at once, with their children (ffmpeg): a host that dies."""
        pids = subprocess.run(["ip", "netns", "pids", namespace(host)], capture_output=True, text=True).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        return len(pids)

    # -- services ------------------------------------------------------------------------------------------------
    def common(self, host):
        return ["--redis", f"redis://{HOSTS[1]}:6379", "--data", f"{self.work}/h{host}/data",
                "--storage", f"s3://{BUCKET}", "--s3-endpoint", f"http://{HOSTS[1]}:8333", "--s3-path-style",
                "--log-level", "info"]

    def start_infrastructure(self):
        os.makedirs(f"{self.work}/redis", exist_ok=True)
        self.start("redis", 1, ["redis-server", "--bind", HOSTS[1], "--port", "6379", "--save", "",
                                "--appendonly", "yes", "--appendfsync", "always", "--dir", f"{self.work}/redis",
                                "--protected-mode", "no"])
        identities = {"identities": [{"name": "spool", "credentials": [{"accessKey": S3_KEY, "secretKey": S3_SECRET}],
                                      "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
        with open(f"{self.work}/s3.json", "w") as handle:
            json.dump(identities, handle)
        os.makedirs(f"{self.work}/weed", exist_ok=True)
        self.start("seaweedfs", 1, [self.weed, "server", "-dir", f"{self.work}/weed", "-ip", HOSTS[1],
                                    "-ip.bind", HOSTS[1], "-master.port", "9333", "-volume.port", "8081",
                                    "-filer", "-filer.port", "8888", "-s3", "-s3.port", "8333",
                                    "-s3.port.iceberg", "0", "-s3.port.lance", "0",
                                    "-s3.config", f"{self.work}/s3.json"])
        self.wait_for_s3()
        self.s3("create_bucket", Bucket=BUCKET)
        pem = sh(f"{REPO}/deploy/tls/make-self-signed.sh", f"{self.work}/tls", capture=True).strip()
        self.start("haproxy", 1, ["haproxy", "-db", "-f", f"{REPO}/deploy/haproxy/haproxy.cfg"],
                   env={"SPOOL_BIND": f"{HOSTS[1]}:8443", "SPOOL_TLS_PEM": pem,
                        "SPOOL_GATEWAY_1": f"{HOSTS[1]}:7878", "SPOOL_GATEWAY_2": f"{HOSTS[2]}:7878",
                        "SPOOL_CLIENT_RATE": "100000"})

    def start_gateway(self, host):
        name = f"gateway-h{host}"
        self.start(name, host, [self.spool, "gateway"] + self.common(host) + ["--host", HOSTS[host], "--port", "7878"])
        self.wait_for_log(name, "spool gateway http://")

    def start_manager(self, host):
        name = f"manager-h{host}"
        self.start(name, host, [self.spool, "manager"] + self.common(host) + ["--lease-ttl", "4",
                                                                           "--worker-timeout", "6"])
        self.wait_for_log(name, "started")

    def start_worker(self, host, index):
        name = f"worker-h{host}-{index}"
        self.start(name, host, [self.spool, "worker"] + self.common(host) + [
            "--pool", "cpu", "--slots", "1", "--lease-seconds", str(LEASE_SECONDS), "--shutdown-grace", "2"])
        self.wait_for_log(name, "spool worker wrk_")
        for line in self.log_of(name).splitlines():
            if line.startswith("spool worker wrk_"):
                self.worker_ids[line.split()[2]] = host

    def start_spool_host(self, host):
        if host == 2:
            self.start_gateway(2)
        self.start_manager(host)
        for index in (1, 2):
            self.start_worker(host, index)

    # -- S3 ------------------------------------------------------------------------------------------------------
    def s3(self, operation, **arguments):
        import boto3
        from botocore.config import Config
        client = boto3.client("s3", endpoint_url=f"http://{HOSTS[1]}:8333", aws_access_key_id=S3_KEY,
                              aws_secret_access_key=S3_SECRET, region_name="us-east-1",
                              config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 5}))
        return getattr(client, operation)(**arguments)

    def wait_for_s3(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.s3("list_buckets")
                return
            except Exception:
                time.sleep(0.5)
        raise RuntimeError("SeaweedFS did not answer:\n" + self.log_of("seaweedfs")[-3000:])

    def objects(self, prefix):
        keys, token = [], None
        while True:
            arguments = {"Bucket": BUCKET, "Prefix": prefix}
            if token:
                arguments["ContinuationToken"] = token
            page = self.s3("list_objects_v2", **arguments)
            keys += [item["Key"] for item in page.get("Contents", [])]
            token = page.get("NextContinuationToken")
            if not token:
                return keys


class API:
    """The Spool API through HAProxy (TLS, self-signed) with the admin key."""

    def __init__(self):
        self.base = f"https://{HOSTS[1]}:8443"
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE

    def call(self, method, path, body=None, content_type="application/json", timeout=30):
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Authorization": f"Bearer {ADMIN_KEY}", "Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                status, _ = self.call("GET", "/v1/presets")
                if status == 200:
                    return
            except Exception:
                pass
            time.sleep(0.5)
        raise RuntimeError("HAProxy did not reach a gateway")

    def upload(self, path):
        status, view = self.call("POST", "/v1/uploads", open(path, "rb").read(), "application/octet-stream")
        if status != 201:
            raise RuntimeError(f"upload answered {status}: {view}")
        return view

    def submit(self, request):
        """Retries a refused connection (a gateway that died) with the same idempotency key: at most one job."""
        for _ in range(20):
            try:
                status, view = self.call("POST", "/v1/jobs", request)
                if status in (200, 201, 202):
                    return view
                if status < 500:
                    raise RuntimeError(f"submission refused: {status} {view}")
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        raise RuntimeError("submission never acknowledged")

    def job(self, job_id):
        for _ in range(20):
            try:
                status, view = self.call("GET", f"/v1/jobs/{job_id}")
                if status == 200:
                    return view
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"job {job_id} cannot be read")


def make_clip(path, seconds, size="320x240"):
    sh("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25",
       "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", str(seconds), "-c:v", "libx264",
       "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", path)


OUTPUT_SETS = [
    [{"name": "mp4", "kind": "mp4", "video": {"codec": "h264", "height": 180}}],
    [{"name": "ladder", "kind": "hls", "renditions": [{"video": {"height": 180}}, {"video": {"height": 120}}],
      "segment_seconds": 1}],
    [{"name": "thumbs", "kind": "thumbnails", "every_seconds": 1, "height": 90}],
]


class Checker:
    def __init__(self, cluster, api):
        self.cluster, self.api = cluster, api

    def wait_all(self, ids, timeout):
        deadline = time.monotonic() + timeout
        views = {}
        while time.monotonic() < deadline:
            for job_id in ids:
                if job_id not in views or views[job_id]["state"] not in ("succeeded", "failed", "cancelled"):
                    views[job_id] = self.api.job(job_id)
            if all(view["state"] in ("succeeded", "failed", "cancelled") for view in views.values()):
                break
            time.sleep(1)
        return views

    def commits(self):
        """How many times each job was committed, from every worker's log (all hosts, the dead ones' too)."""
        counts = {}
        for name in self.cluster.processes:
            if not name.startswith("worker-"):
                continue
            for line in self.cluster.log_of(name).splitlines():
                if "attempt settled" in line and "state=succeeded" in line:
                    for field in line.split():
                        if field.startswith("job="):
                            counts[field[4:]] = counts.get(field[4:], 0) + 1
        return counts

    def probe_output(self, job, output, scratch):
        """Reads an output back from S3 (not through Spool) and checks it is what was asked."""
        files = output["files"]
        prefix = f"outputs/{job['id']}/a{job['attempts']}/"
        problems = []
        for file in files:
            try:
                self.cluster.s3("head_object", Bucket=BUCKET, Key=prefix + file)
            except Exception:
                problems.append(f"{job['id']} {file} missing from S3")
        if problems:
            return problems
        if output["kind"] in ("mp4", "thumbnails"):
            target = f"{scratch}/{job['id']}-{os.path.basename(files[0])}"
            self.cluster.s3("download_file", Bucket=BUCKET, Key=prefix + files[0], Filename=target)
            probe = json.loads(sh("ffprobe", "-v", "error", "-print_format", "json", "-show_streams", target,
                                  capture=True))
            heights = [s.get("height") for s in probe.get("streams", []) if s.get("codec_type") == "video"]
            if not heights or heights[0] != output.get("height"):
                problems.append(f"{job['id']} {output['name']}: probed heights {heights}, job says {output.get('height')}")
        elif output["kind"] == "hls":
            master_file = next(f for f in files if f.endswith("master.m3u8"))
            master = self.cluster.s3("get_object", Bucket=BUCKET, Key=prefix + master_file)["Body"].read().decode()
            if "#EXT-X-STREAM-INF" not in master:
                problems.append(f"{job['id']} master playlist has no variant")
        return problems

    def host_disks_clean(self):
        """No host keeps an upload or an output: they live in S3; scratch only."""
        problems = []
        for host in HOSTS:
            data = f"{self.cluster.work}/h{host}/data"
            for folder in ("uploads", "outputs", "results"):
                for root, _, files in os.walk(f"{data}/{folder}"):
                    problems += [f"host {host} has {os.path.join(root, f)}" for f in files]
        return problems

    def report(self, name, acknowledged, views, extra_unexpected=(), require_probe=True):
        scratch = tempfile.mkdtemp(prefix="spool-hosts-probe.")
        lost = [j for j in acknowledged if views.get(j, {}).get("state") != "succeeded"]
        commits = self.commits()
        duplicated = [j for j in acknowledged if commits.get(j, 0) > 1]
        unexpected = list(extra_unexpected)
        if require_probe:
            for job_id in acknowledged:
                job = views.get(job_id)
                if job and job["state"] == "succeeded":
                    for output in job["outputs"]:
                        unexpected += self.probe_output(job, output, scratch)
        unexpected += self.host_disks_clean()
        shutil.rmtree(scratch, ignore_errors=True)
        for job_id in lost:
            view = views.get(job_id, {})
            log(f"lost {job_id}: {view.get('state')} {view.get('error')}")
        for job_id in duplicated:
            log(f"duplicated {job_id}: committed {commits[job_id]} times")
        for problem in unexpected:
            log(f"unexpected: {problem}")
        print(f"{name} lost: {len(lost)} duplicated: {len(duplicated)} unexpected: {len(unexpected)}", flush=True)
        return not lost and not duplicated and not unexpected


def leftover_attempts(cluster, views, timeout=60):
    """Objects of attempts that are not the committed one (outputs live under outputs/JOB/aN of the attempt that
    committed): the janitor deletes them; give it a few sweeps."""
    deadline = time.monotonic() + timeout
    while True:
        left = [key for key in cluster.objects("outputs/")
                if (parts := key.split("/")) and len(parts) > 2 and parts[1] in views
                and parts[2] != f"a{views[parts[1]].get('attempts', -1)}"]
        if not left or time.monotonic() > deadline:
            return [f"objects of uncommitted attempts left in the bucket: {left[:5]}"] if left else []
        time.sleep(1)


def scenario_load(cluster, api, checker, clips, jobs):
    """Jobs of every output kind through HAProxy: all succeed and probe correctly from S3."""
    acknowledged = []
    for index in range(jobs):
        upload = clips[index % len(clips)]
        view = api.submit({"input": upload["uri"], "outputs": OUTPUT_SETS[index % len(OUTPUT_SETS)],
                           "idempotency_key": f"load-{index}"})
        acknowledged.append(view["id"])
    views = checker.wait_all(acknowledged, timeout=300)
    return checker.report("load", acknowledged, views, leftover_attempts(cluster, views))


def leader(cluster):
    """The manager that announced leadership last, and when (by log order)."""
    for name in ("manager-h2", "manager-h3"):
        lines = [l for l in cluster.log_of(name).splitlines() if l.startswith("spool manager")]
        if lines and "leading" in lines[-1] and cluster.processes[name][1].poll() is None:
            return name
    return None


def scenario_host_dies(cluster, api, checker, long_clip):
    """Host 2 dies mid-load (every process at once): its jobs finish on host 3, the standby manager leads."""
    acknowledged = []
    for index in range(8):
        view = api.submit({"input": long_clip["uri"], "outputs": [
            {"name": "mp4", "kind": "mp4", "video": {"codec": "h264", "height": 360, "crf": 20}}],
            "idempotency_key": f"dies-{index}"})
        acknowledged.append(view["id"])
    # Wait until host 2's workers run jobs, then kill the host.
    host2_workers = {w for w, h in cluster.worker_ids.items() if h == 2}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        running = [api.job(j) for j in acknowledged]
        if sum(1 for v in running if v["state"] == "running" and v.get("worker") in host2_workers) >= 1:
            break
        time.sleep(0.5)
    was_leading = leader(cluster)
    killed_at = time.monotonic()
    log(f"killing host 2 ({cluster.kill_host(2)} processes; {was_leading} was leading)")
    unexpected = []
    if was_leading == "manager-h2":
        while time.monotonic() - killed_at < 30 and leader(cluster) != "manager-h3":
            time.sleep(0.2)
        took = time.monotonic() - killed_at
        log(f"manager-h3 leads {took:.1f} s after host 2 died")
        if leader(cluster) != "manager-h3" or took > 10:
            unexpected.append(f"the standby manager did not lead within 10 s ({took:.1f} s)")
    views = checker.wait_all(acknowledged, timeout=300)
    moved = [j for j in acknowledged if views[j].get("attempts", 0) >= 2]
    log(f"{len(moved)} jobs ran again after host 2 died")
    if not moved:
        unexpected.append("no job was running on host 2 when it died")
    for job_id in moved:
        if views[job_id].get("worker") in host2_workers:
            unexpected.append(f"{job_id} finished on the dead host")
    unexpected += leftover_attempts(cluster, views)
    ok = checker.report("host-dies", acknowledged, views, unexpected)
    return ok


def scenario_partition(cluster, api, checker, long_clip):
    # Jobs that take a while (720p from a long clip), so host 3 is cut off in the middle of one.
    """Host 3 cut off past the lease while it runs jobs: its commits are refused, each job is done once elsewhere."""
    acknowledged = []
    # Two jobs on four workers: host 2 has room to take over whatever host 3 held.
    for index in range(2):
        view = api.submit({"input": long_clip["uri"], "outputs": [
            {"name": "mp4", "kind": "mp4", "video": {"codec": "h264", "height": 720, "crf": 18}}],
            "idempotency_key": f"partition-{index}"})
        acknowledged.append(view["id"])
    host3_workers = {w for w, h in cluster.worker_ids.items() if h == 3}
    deadline = time.monotonic() + 120
    on_host3 = []
    # Running on host 3 for a second (its ffmpeg under way) and less than half done. Progress reaches the store only
    # with a heartbeat, so it reads 0 for a while and then jumps (0 to 0.496 in one run): waiting for
    # 0 < progress < 0.5 missed the job whenever the first stored value was already past half, and the scenario then
    # cut nothing.
    running_since = {}
    while time.monotonic() < deadline and not on_host3:
        now = time.monotonic()
        for job_id in acknowledged:
            view = api.job(job_id)
            if view["state"] == "running" and view.get("worker") in host3_workers:
                running_since.setdefault(job_id, now)
                if now - running_since[job_id] >= 1 and view.get("progress", 0) < 0.5:
                    on_host3.append(job_id)
            else:
                running_since.pop(job_id, None)
        time.sleep(0.3)
    log(f"cutting host 3 off for {LEASE_SECONDS * 3} s while it runs {on_host3}")
    cluster.link(3, up=False)
    time.sleep(LEASE_SECONDS * 3)
    cluster.link(3, up=True)
    log("host 3 is back")
    views = checker.wait_all(acknowledged, timeout=300)
    unexpected = []
    if not on_host3:
        unexpected.append("host 3 ran nothing when it was cut off")
    for job_id in on_host3:
        view = views[job_id]
        if view.get("worker") in host3_workers or view.get("attempts", 0) < 2:
            unexpected.append(f"{job_id} was not taken over (worker {view.get('worker')}, attempts {view.get('attempts')})")
    refused = sum(cluster.log_of(f"worker-h3-{i}").count("attempt stopped by the store")
                  + cluster.log_of(f"worker-h3-{i}").count("attempt could not be settled") for i in (1, 2))
    log(f"host 3's workers gave up {refused} attempts when they came back")
    if on_host3 and refused == 0:
        unexpected.append("host 3's workers never had a commit refused")
    unexpected += leftover_attempts(cluster, views)
    return checker.report("partition", acknowledged, views, unexpected)


def find_weed():
    for candidate in (os.environ.get("SPOOL_WEED"),
                      os.path.expanduser("~/.local/share/spool/venv/bin/weed"), shutil.which("weed")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="*", default=["load", "host-dies", "partition"])
    parser.add_argument("--spool", default=os.environ.get("SPOOL_BIN", f"{REPO}/.build/debug/spool"))
    parser.add_argument("--jobs", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs) afterwards")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("hosts: skipped: network namespaces need root (run as root, as CI does)")
        return 0
    if subprocess.run(["ip", "netns", "add", "sp-probe"], capture_output=True).returncode != 0:
        print("hosts: skipped: `ip netns add` is not permitted here (no CAP_SYS_ADMIN in this container)")
        return 0
    subprocess.run(["ip", "netns", "del", "sp-probe"], capture_output=True)
    weed = find_weed()
    if weed is None:
        print("hosts: SeaweedFS (`weed`) is missing: run scripts/install-deps.sh", file=sys.stderr)
        return 1
    work = tempfile.mkdtemp(prefix="spool-hosts.")
    cluster = Cluster(os.path.abspath(args.spool), weed, work)
    api = API()
    checker = Checker(cluster, api)
    started = time.monotonic()
    ok = True
    try:
        log(f"work folder {work}")
        cluster.create_network()
        cluster.start_infrastructure()
        cluster.start_gateway(1)
        cluster.start_spool_host(2)
        cluster.wait_for_log("manager-h2", "leading")
        cluster.start_spool_host(3)
        api.wait_ready()
        clips = []
        for index in range(3):
            make_clip(f"{work}/clip{index}.mp4", seconds=2 + index)
            clips.append(api.upload(f"{work}/clip{index}.mp4"))
        make_clip(f"{work}/long.mp4", seconds=20, size="640x360")
        long_clip = api.upload(f"{work}/long.mp4")
        make_clip(f"{work}/longer.mp4", seconds=60, size="1280x720")
        longer_clip = api.upload(f"{work}/longer.mp4")
        for scenario in args.scenarios:
            log(f"scenario {scenario}")
            if scenario == "load":
                ok &= scenario_load(cluster, api, checker, clips, args.jobs)
            elif scenario == "host-dies":
                ok &= scenario_host_dies(cluster, api, checker, long_clip)
                log("host 2 comes back")
                cluster.start_spool_host(2)
            elif scenario == "partition":
                ok &= scenario_partition(cluster, api, checker, longer_clip)
            else:
                raise SystemExit(f"unknown scenario {scenario}")
    except Exception as error:
        log(f"harness failed: {error}")
        ok = False
    finally:
        cluster.destroy_network()
        log(f"done in {time.monotonic() - started:.0f} s; every namespace, link and process removed")
        if not ok or args.keep:
            log(f"logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
