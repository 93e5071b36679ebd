"""Runs the storage benchmark; see bench/storage for what it measures."""
import argparse, json, os, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("--spool", required=True)
parser.add_argument("--weed", required=True)
parser.add_argument("--jobs", type=int, default=12)
parser.add_argument("--seconds", type=int, default=10)
args = parser.parse_args()
cores = os.cpu_count() or 1
work = tempfile.mkdtemp(prefix="spool-bench-storage.")
KEY, SECRET = "benchkey", "bench-secret-0123456789"
output = {"name": "bench", "kind": "mp4", "video": {"codec": "h264", "height": 480, "crf": 23}, "audio": {"codec": "aac"}}


def free_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def make_clips():
    """One clip, then copies that differ in their bytes (a metadata tag), so no two uploads are the same input."""
    os.makedirs(f"{work}/in")
    base = f"{work}/in/base.mp4"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=1280x720:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                    "-t", str(args.seconds), "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-shortest", base], check=True)
    clips = []
    for index in range(args.jobs):
        clip = f"{work}/in/clip{index}.mp4"
        subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", base, "-c", "copy",
                        "-metadata", f"comment=bench clip {index}", clip], check=True)
        clips.append(clip)
    return clips


def start_seaweedfs():
    ports = [free_port() for _ in range(9)]
    with open(f"{work}/s3.json", "w") as handle:
        json.dump({"identities": [{"name": "bench", "credentials": [{"accessKey": KEY, "secretKey": SECRET}],
                                   "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}, handle)
    os.makedirs(f"{work}/weed")
    log = open(f"{work}/weed.log", "w")
    weed = subprocess.Popen([args.weed, "server", "-dir", f"{work}/weed", "-ip", "127.0.0.1", "-ip.bind", "127.0.0.1",
                             "-master.port", str(ports[1]), "-master.port.grpc", str(ports[2]),
                             "-volume.port", str(ports[3]), "-volume.port.grpc", str(ports[4]), "-filer",
                             "-filer.port", str(ports[5]), "-filer.port.grpc", str(ports[6]), "-s3",
                             "-s3.port", str(ports[0]), "-s3.port.grpc", str(ports[7]), "-iam.port", str(ports[8]),
                             "-s3.port.iceberg", "0", "-s3.port.lance", "0", "-s3.config", f"{work}/s3.json"],
                            stdout=log, stderr=log, cwd=work)
    import boto3
    from botocore.config import Config
    s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{ports[0]}", aws_access_key_id=KEY,
                      aws_secret_access_key=SECRET, region_name="us-east-1",
                      config=Config(s3={"addressing_style": "path"}))
    for _ in range(150):
        try:
            s3.create_bucket(Bucket="bench")
            return weed, f"http://127.0.0.1:{ports[0]}"
        except Exception:
            time.sleep(0.2)
    sys.exit("SeaweedFS did not start; see " + f"{work}/weed.log")


def call(url, data=None, content_type="application/json"):
    request = urllib.request.Request(url, data=data, headers={"content-type": content_type})
    return json.load(urllib.request.urlopen(request))


def run_round(kind, index, clips, endpoint):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    storage = ["--storage", "s3://bench/round" + str(index), "--s3-endpoint", endpoint, "--s3-path-style"] \
        if kind == "s3" else []
    environment = dict(os.environ, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET)
    log = open(f"{work}/serve{index}.log", "w")
    server = subprocess.Popen([args.spool, "serve", "--data", f"{work}/data{index}", "--port", str(port),
                               "--pools", "cpu", "--cpu-slots", str(cores), "--no-deduplicate",
                               "--log-level", "warning"] + storage, stdout=log, stderr=log, env=environment)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/ready")
                break
            except OSError:
                time.sleep(0.05)
        start = time.monotonic()
        ids = []
        for clip in clips:
            upload = call(f"{url}/v1/uploads", open(clip, "rb").read(), "application/octet-stream")
            ids.append(call(f"{url}/v1/jobs", json.dumps({"input": upload["uri"], "outputs": [output]}).encode())["id"])
        views = {}
        while True:
            views = {job: call(f"{url}/v1/jobs/{job}") for job in ids}
            if all(v["state"] in ("succeeded", "failed", "cancelled") for v in views.values()):
                break
            time.sleep(0.1)
        elapsed = time.monotonic() - start
        bad = [v["state"] for v in views.values() if v["state"] != "succeeded"]
        if bad:
            sys.exit(f"{len(bad)} jobs did not succeed in the {kind} round: see {work}/serve{index}.log")
        # Every output is where it should be: read one back through the API.
        first = views[ids[0]]["outputs"][0]
        with urllib.request.urlopen(f"{url}{first['url']}") as response:
            if len(response.read()) != first["size_bytes"]:
                sys.exit(f"the {kind} round's output does not read back whole")
        return elapsed
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()


weed = None
try:
    clips = make_clips()
    weed, endpoint = start_seaweedfs()
    print(f"{args.jobs} uploads and transcodes of distinct {args.seconds} s 720p30 clips to 480p H.264, "
          f"{cores} at a time, deduplication off")
    times = {"file": [], "s3": []}
    for index, kind in enumerate(["file", "s3", "s3", "file"]):
        elapsed = run_round(kind, index, clips, endpoint)
        times[kind].append(elapsed)
        print(f"round {index + 1}: --storage {kind:4} {elapsed:6.2f} s", flush=True)
    print(f"file total: {sum(times['file']):.2f} s; s3 total: {sum(times['s3']):.2f} s")
    print(f"s3_ratio_vs_file: {sum(times['file']) / sum(times['s3']):.3f}")
finally:
    if weed:
        weed.kill()
        weed.wait()
    shutil.rmtree(work, ignore_errors=True)
