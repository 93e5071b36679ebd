"""Runs the overhead benchmark; see bench/overhead for what it measures."""
import argparse, concurrent.futures, json, os, resource, shutil, signal, socket, subprocess, sys, tempfile, time
import urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("--spool", required=True)
parser.add_argument("--jobs", type=int, default=(os.cpu_count() or 1), help="jobs a round (default: one per core)")
parser.add_argument("--seconds", type=int, default=10)
parser.add_argument("--blocks", type=int, default=12,
                    help="plain/spool/spool/plain blocks: short rounds, many times, so that the machine's speed, "
                         "which drifts by tens of percent over tens of seconds here, weighs on both sides alike")
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


class SpoolServer:
    """One `spool serve` for every Spool round, as a worker lives across many jobs (its kept SSIM child is started by
    its first job, not by each round's). It is stopped (SIGSTOP) outside its rounds, so its idle CPU (placement
    cycles, registrations) never runs during a plain round, where it would slow plain ffmpeg and flatter Spool."""

    def __init__(self, name, deduplicate=False):
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{probe.getsockname()[1]}"
        port = probe.getsockname()[1]
        probe.close()
        self.data = f"{work}/{name}"
        self.log = f"{work}/{name}.log"
        self.process = subprocess.Popen(
            [args.spool, "serve", "--data", self.data, "--port", str(port), "--input-root", f"{work}/in",
             "--pools", "cpu", "--cpu-slots", str(cores), "--log-level", "warning",
             *([] if deduplicate else ["--no-deduplicate"])],
            stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        for _ in range(400):
            try:
                urllib.request.urlopen(f"{self.url}/ready")
                return
            except OSError:
                time.sleep(0.05)
        sys.exit(f"spool serve did not become ready; see {self.log}")

    def pause(self):
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def round(self, clip):
        """One round of `args.jobs` jobs: wall time from the first submission to the last output published (the
        moment its folder is renamed into outputs/, polled every 10 ms from the files, so that no API polling loads
        the server), Spool's own CPU and its CPU with its children. Then every job must read back succeeded."""
        body = json.dumps({"input": "file://" + clip, "outputs": [output]}).encode()
        cpu_before = cpu_seconds(self.process.pid)
        tree_before = cpu_seconds(self.process.pid, children=True)
        start = time.monotonic()
        ids = []
        for _ in range(args.jobs):
            request = urllib.request.Request(f"{self.url}/v1/jobs", data=body,
                                             headers={"content-type": "application/json"})
            ids.append(json.load(urllib.request.urlopen(request))["id"])
        published = [f"{self.data}/outputs/{job}/{output['name']}.mp4" for job in ids]
        while not all(os.path.exists(path) for path in published):
            if self.process.poll() is not None:
                sys.exit(f"spool serve ended; see {self.log}")
            time.sleep(0.01)
        elapsed = time.monotonic() - start
        cpu = cpu_seconds(self.process.pid) - cpu_before
        tree = cpu_seconds(self.process.pid, children=True) - tree_before
        for _ in range(500):
            states = [json.load(urllib.request.urlopen(f"{self.url}/v1/jobs/{job}"))["state"] for job in ids]
            if all(state in ("succeeded", "failed", "cancelled") for state in states):
                break
            time.sleep(0.01)
        if any(state != "succeeded" for state in states):
            sys.exit(f"jobs did not succeed: {states}; see {self.log}")
        return elapsed, cpu, tree

    def close(self):
        self.resume()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait()


try:
    clip = make_clip()
    print(f"{args.blocks} blocks of plain, spool, spool, plain rounds; each round {args.jobs} transcodes of a "
          f"{args.seconds} s 1080p30 clip to 720p H.264, {cores} at a time")
    plain, spool, serve_cpu, plain_tree, spool_tree = [], [], 0.0, 0.0, 0.0
    server = SpoolServer("serve")
    server.pause()
    try:
        for index, kind in enumerate(["plain", "spool", "spool", "plain"] * args.blocks):
            if kind == "plain":
                elapsed, tree = plain_round(clip, index)
                plain.append(elapsed)
                plain_tree += tree
                print(f"round {index + 1}: plain ffmpeg {elapsed:6.2f} s  (ffmpeg used {tree:.2f} s of CPU)",
                      flush=True)
            else:
                server.resume()
                elapsed, cpu, tree = server.round(clip)
                server.pause()
                spool.append(elapsed)
                serve_cpu += cpu
                spool_tree += tree
                print(f"round {index + 1}: spool        {elapsed:6.2f} s  (spool serve used {cpu:.2f} s of CPU "
                      f"itself, {tree:.2f} s with its ffmpeg runs and SSIM child)", flush=True)
    finally:
        server.close()
    print(f"plain ffmpeg total: {sum(plain):.2f} s; spool total: {sum(spool):.2f} s "
          f"(includes probe, validation, SSIM, commit; deduplication off)")
    jobs_run = 2 * args.blocks * args.jobs
    print(f"CPU per job: plain ffmpeg {plain_tree / jobs_run:.3f} s, spool {spool_tree / jobs_run:.3f} s "
          f"(of which spool serve itself {serve_cpu / jobs_run:.3f} s): Spool's fixed cost is "
          f"{(spool_tree - plain_tree) / jobs_run:.3f} CPU-seconds a job; cpu_ratio: {plain_tree / spool_tree:.3f} "
          f"(the same ratio in CPU time, which other load on the machine does not skew)")
    # What deduplication saves on the same jobs, reported apart: not part of the ratio. Its own server, so that its
    # first round's jobs transcode and the second round's reuse them.
    deduplicating = SpoolServer("serve-deduplicating", deduplicate=True)
    try:
        reused = sum(deduplicating.round(clip)[0] for _ in range(2))
    finally:
        deduplicating.close()
    saved = 1 - reused / (2 * sum(spool) / len(spool))
    print(f"deduplication: with it on, two rounds of the same {args.jobs} jobs took {reused:.2f} s, "
          f"{saved * 100:.0f} % less than with it off (a job that starts after an identical one finished reuses its "
          f"outputs; concurrent ones do not)")
    print(f"overhead_ratio: {sum(plain) / sum(spool):.3f}")
finally:
    shutil.rmtree(work, ignore_errors=True)
