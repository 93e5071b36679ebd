"""Runs the segments benchmark; see bench/segments for what it measures."""
import argparse, json, os, shutil, signal, socket, subprocess, sys, tempfile, time
import urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("--spool", required=True)
parser.add_argument("--seconds", type=int, default=240)
parser.add_argument("--segment", type=int, default=30)
args = parser.parse_args()
work = tempfile.mkdtemp(prefix="spool-bench-segments.")
output = {"name": "movie", "kind": "mp4", "video": {"codec": "h264", "height": 720, "crf": 23}, "audio": {"codec": "aac"}}
processes = []


def free_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def start(name, argv):
    log = open(f"{work}/{name}.log", "w")
    process = subprocess.Popen(argv, stdout=log, stderr=log, start_new_session=True)
    processes.append(process)
    return process


def stop_all():
    for process in reversed(processes):
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    processes.clear()


def wait_ready(url):
    for _ in range(400):
        try:
            urllib.request.urlopen(f"{url}/ready")
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"{url} never became ready")


def make_clip():
    """A 1080p30 test picture with a tone, 2-second GOPs (as a camera or an upload would have)."""
    cache = os.path.expanduser("~/.cache/spool-bench")
    os.makedirs(cache, exist_ok=True)
    clip = f"{cache}/clip-1080p-{args.seconds}s.mp4"
    if not os.path.exists(clip):
        print(f"making a {args.seconds} s 1080p clip (kept in {cache})", file=sys.stderr)
        subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc2=size=1920x1080:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                        "-t", str(args.seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "60",
                        "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip + ".tmp.mp4"], check=True)
        os.rename(clip + ".tmp.mp4", clip)
    os.makedirs(f"{work}/in")
    os.link(clip, f"{work}/in/clip.mp4") if os.stat(clip).st_dev == os.stat(work).st_dev else shutil.copy(clip, f"{work}/in/clip.mp4")
    return f"{work}/in/clip.mp4"


def run_job(url, clip, segmenting):
    body = json.dumps({"input": "file://" + clip, "outputs": [output],
                       "segmenting": {"mode": segmenting, "seconds": args.segment}}).encode()
    request = urllib.request.Request(f"{url}/v1/jobs", data=body, headers={"content-type": "application/json"})
    start = time.monotonic()
    job = json.load(urllib.request.urlopen(request))
    while job["state"] not in ("succeeded", "failed", "cancelled"):
        time.sleep(0.2)
        job = json.load(urllib.request.urlopen(f"{url}/v1/jobs/{job['id']}"))
    elapsed = time.monotonic() - start
    if job["state"] != "succeeded":
        sys.exit(f"job {job['id']} {job['state']}: {job.get('error')}")
    return elapsed, job


def whole_file(clip):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    start("serve", [args.spool, "serve", "--data", f"{work}/data-a", "--port", str(port), "--input-root",
                    f"{work}/in", "--pools", "cpu", "--cpu-slots", "1", "--ffmpeg-threads", "2",
                    "--no-deduplicate", "--log-level", "warning"])
    try:
        wait_ready(url)
        return run_job(url, clip, "off")
    finally:
        stop_all()


def segmented(clip):
    redis_port = free_port()
    start("redis", ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no",
                    "--bind", "127.0.0.1"])
    redis = f"redis://127.0.0.1:{redis_port}"
    for _ in range(100):
        if subprocess.run(["redis-cli", "-p", str(redis_port), "ping"], capture_output=True).stdout.strip() == b"PONG":
            break
        time.sleep(0.05)
    common = ["--redis", redis, "--data", f"{work}/data-b", "--log-level", "warning"]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    try:
        start("gateway", [args.spool, "gateway", *common, "--port", str(port), "--input-root", f"{work}/in"])
        start("manager", [args.spool, "manager", *common])
        for index in range(2):
            start(f"worker{index}", [args.spool, "worker", *common, "--pool", "cpu", "--slots", "1",
                                     "--ffmpeg-threads", "1", "--input-root", f"{work}/in", "--no-deduplicate"])
        wait_ready(url)
        # Both workers registered before the clock starts, as (a)'s worker is.
        for _ in range(200):
            pools = json.load(urllib.request.urlopen(f"{url}/v1/pools"))
            workers = sum(p.get("workers", 0) for p in pools.get("pools", []) if p.get("name") == "cpu")
            if workers >= 2:
                break
            time.sleep(0.1)
        elapsed, job = run_job(url, clip, "on")
        detail = json.load(urllib.request.urlopen(f"{url}/v1/jobs/{job['id']}"))
        return elapsed, detail
    finally:
        stop_all()


def probe(path, entries, stream):
    return subprocess.run(["ffprobe", "-v", "error", "-select_streams", stream, "-show_entries", entries, "-of",
                           "csv=p=0", path], check=True, capture_output=True, text=True).stdout.split()


def output_path(job):
    return job["outputs"][0]["uri"].removeprefix("file://")


def seam_check(a, b, starts):
    times_a = [float(t.split(",")[0]) for t in probe(output_path(a), "frame=pts_time", "v:0")]
    times_b = [float(t.split(",")[0]) for t in probe(output_path(b), "frame=pts_time", "v:0")]
    worst = max((abs(x - y) for x, y in zip(times_a, times_b)), default=float("inf"))
    audio_a = [float(x) for x in probe(output_path(a), "stream=start_time,duration", "a:0")[0].split(",")]
    audio_b = [float(x) for x in probe(output_path(b), "stream=start_time,duration", "a:0")[0].split(",")]
    drift = max(abs(audio_a[0] - audio_b[0]), abs(audio_a[1] - audio_b[1]))
    print(f"seam check: {len(starts) - 1} seams; frames whole {len(times_a)}, segmented {len(times_b)}; "
          f"timestamps differ by at most {worst * 1000:.3f} ms; audio start/length differ by {drift * 1000:.3f} ms "
          f"(one AAC frame is 21.333 ms)")
    return len(times_a) == len(times_b) and worst < 0.001 and drift <= 1024 / 48000


try:
    clip = make_clip()
    time_a, job_a = whole_file(clip)
    print(f"(a) whole-file, 1 worker x 2 threads: {time_a:.1f} s, SSIM {job_a['outputs'][0]['ssim']:.4f}")
    time_b, job_b = segmented(clip)
    segments = job_b["segments"]
    ssims = [t["ssim"] for t in segments["tasks"] if t.get("ssim") is not None]
    print(f"(b) segmented, 2 workers x 1 thread: {time_b:.1f} s, SSIM {job_b['outputs'][0]['ssim']:.4f} "
          f"({segments['count']} segments, per-segment SSIM {min(ssims):.4f}..{max(ssims):.4f})")
    workers = sorted({t.get("worker") for t in segments["tasks"] if t.get("worker")})
    print(f"tasks ran on {len(workers)} workers: {', '.join(workers)}")
    exact = seam_check(job_a, job_b, segments["starts"])
    if not exact:
        print("seam check FAILED", file=sys.stderr)
    print(f"segment_efficiency: {time_a / time_b:.3f}")
    sys.exit(0 if exact else 1)
finally:
    stop_all()
    shutil.rmtree(work, ignore_errors=True)
