"""Runs the overhead benchmark; see bench/overhead for what it measures."""
import argparse, concurrent.futures, json, os, resource, shutil, signal, socket, subprocess, sys, tempfile, time
import urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("--spool", required=True)
parser.add_argument("--jobs", type=int, default=12)
parser.add_argument("--seconds", type=int, default=10)
parser.add_argument("--blocks", type=int, default=2,
                    help="plain/spool/spool/plain blocks: one block swings by a few percent with the machine's speed")
args = parser.parse_args()
cores = os.cpu_count() or 1
work = tempfile.mkdtemp(prefix="spool-bench.")
output = {"name": "bench", "kind": "mp4", "video": {"codec": "h264", "height": 720, "crf": 23}, "audio": {"codec": "aac"}}
shorthand = "bench=mp4,height=720,crf=23"


def make_clip():
    os.makedirs(f"{work}/in")
    clip = f"{work}/in/clip-1080p.mp4"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=1920x1080:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                    "-t", str(args.seconds), "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-shortest", clip], check=True)
    return clip


def plain_round(clip, index):
    stage = f"{work}/plain{index}/STAGE"
    plan = json.loads(subprocess.run([args.spool, "plan", clip, "--output", shorthand, "--pool", "cpu",
                                      "--staging", stage, "--json"], check=True, capture_output=True).stdout)
    def one(job):
        directory = f"{work}/plain{index}/{job}"
        os.makedirs(directory)
        argv = [a.replace(stage, directory) for a in plan["arguments"]]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    before = children_cpu_seconds()
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=cores) as pool:
        list(pool.map(one, range(args.jobs)))
    return time.monotonic() - start, children_cpu_seconds() - before


def children_cpu_seconds():
    """CPU time of this script's finished children (the plain ffmpeg runs), user and system."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_seconds(pid, children=False):
    """CPU time of a process, user and system; with `children`, of its children too: the finished (waited-for) ones,
    the server's ffmpeg runs, and the live ones with theirs, the measuring children a worker keeps between jobs."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
        for child in live_children(pid):
            try:
                ticks += cpu_seconds(child, children=True) * os.sysconf("SC_CLK_TCK")
            except (FileNotFoundError, ProcessLookupError):
                pass  # it ended meanwhile; its time is in its parent's, once waited for
    return ticks / os.sysconf("SC_CLK_TCK")


def live_children(pid):
    """A process's live children: each of its threads lists those it started."""
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            found += [int(child) for child in open(f"/proc/{pid}/task/{task}/children").read().split()]
        except FileNotFoundError:
            pass
    return found


def spool_round(clip, index, deduplicate=False):
    """One round through `spool serve`. Deduplication is off unless asked: every job here has the same input and
    outputs, so with it on every job after the first would reuse the first one's outputs and this would measure
    reuse, not transcoding."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    server_url = f"http://127.0.0.1:{port}"
    log = open(f"{work}/serve{index}.log", "w")
    server = subprocess.Popen([args.spool, "serve", "--data", f"{work}/data{index}", "--port", str(port),
                               "--input-root", f"{work}/in", "--pools", "cpu", "--cpu-slots", str(cores),
                               "--log-level", "warning", *([] if deduplicate else ["--no-deduplicate"])],
                              stdout=log, stderr=log)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{server_url}/ready")
                break
            except OSError:
                time.sleep(0.05)
        body = json.dumps({"input": "file://" + clip, "outputs": [output]}).encode()
        cpu_before = cpu_seconds(server.pid)
        tree_before = cpu_seconds(server.pid, children=True)
        start = time.monotonic()
        ids = set()
        for _ in range(args.jobs):
            request = urllib.request.Request(f"{server_url}/v1/jobs", data=body,
                                             headers={"content-type": "application/json"})
            ids.add(json.load(urllib.request.urlopen(request))["id"])
        def pending(state, limit):
            return json.load(urllib.request.urlopen(f"{server_url}/v1/jobs?state={state}&limit={limit}"))["jobs"]
        while True:
            queued, running = pending("queued", 1), pending("running", 2)
            if not queued and not running:
                break
            # Each list query costs the server about a millisecond of CPU, so while the cores are busy with several
            # jobs the benchmark looks twice a second; once one job is left, a core is idle and it looks every 20 ms
            # so that the end is seen within 20 ms of the last commit.
            time.sleep(0.02 if not queued and len(running) <= 1 else 0.5)
        elapsed = time.monotonic() - start
        cpu = cpu_seconds(server.pid) - cpu_before
        tree = cpu_seconds(server.pid, children=True) - tree_before
        page = json.load(urllib.request.urlopen(f"{server_url}/v1/jobs?limit=500"))
        mine = [job for job in page["jobs"] if job["id"] in ids]
        bad = [job["state"] for job in mine if job["state"] != "succeeded"]
        if bad or len(mine) != len(ids):
            sys.exit(f"{len(bad)} jobs did not succeed: {bad}; see {work}/serve{index}.log")
        return elapsed, cpu, tree
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()


try:
    clip = make_clip()
    print(f"{args.jobs} transcodes of a {args.seconds} s 1080p30 clip to 720p H.264, {cores} at a time")
    plain, spool, serve_cpu, plain_tree, spool_tree = [], [], 0.0, 0.0, 0.0
    for index, kind in enumerate(["plain", "spool", "spool", "plain"] * args.blocks):
        if kind == "plain":
            elapsed, tree = plain_round(clip, index)
            plain.append(elapsed)
            plain_tree += tree
            print(f"round {index + 1}: plain ffmpeg {elapsed:6.2f} s  (ffmpeg used {tree:.2f} s of CPU)", flush=True)
        else:
            elapsed, cpu, tree = spool_round(clip, index)
            spool.append(elapsed)
            serve_cpu += cpu
            spool_tree += tree
            print(f"round {index + 1}: spool        {elapsed:6.2f} s  (spool serve used {cpu:.2f} s of CPU itself, "
                  f"{tree:.2f} s with its ffmpeg and ffprobe runs)", flush=True)
    print(f"plain ffmpeg total: {sum(plain):.2f} s; spool total: {sum(spool):.2f} s "
          f"(includes probe, validation, SSIM, commit; deduplication off)")
    jobs_run = 2 * args.blocks * args.jobs
    print(f"CPU per job: plain ffmpeg {plain_tree / jobs_run:.3f} s, spool {spool_tree / jobs_run:.3f} s "
          f"(of which spool serve itself {serve_cpu / jobs_run:.3f} s): Spool's fixed cost is "
          f"{(spool_tree - plain_tree) / jobs_run:.3f} CPU-seconds a job; cpu_ratio: {plain_tree / spool_tree:.3f} "
          f"(the same ratio in CPU time, which other load on the machine does not skew)")
    # What deduplication saves on the same jobs, reported apart: not part of the ratio.
    reused, _, _ = spool_round(clip, 4 * args.blocks, deduplicate=True)
    saved = 1 - reused / (sum(spool) / len(spool))
    print(f"deduplication: with it on the same {args.jobs} jobs took {reused:.2f} s, {saved * 100:.0f} % less than with "
          f"it off (a job that starts after an identical one finished reuses its outputs; concurrent ones do not)")
    print(f"overhead_ratio: {sum(plain) / sum(spool):.3f}")
finally:
    shutil.rmtree(work, ignore_errors=True)
