"""Runs the image scripts/build-image.sh made, the way a user would, and checks it does the main job: podman runs
`spool serve` from it with a read-only root filesystem and a volume for its data, the demo clip is submitted through
the API with the host's CLI, the outputs are probed, and `podman stop` (SIGTERM through tini) ends it with exit 0.

Usage: image-smoke.py TAG SPOOL_CLI
"""
import json, os, random, resource, shutil, socket, subprocess, sys, tempfile, time, urllib.request

tag, cli = sys.argv[1], sys.argv[2]
NAME = "spool-image-smoke"


def sh(*argv, check=True, capture=True):
    return subprocess.run(argv, check=check, capture_output=capture, text=True)


def free_port():
    while True:
        port = random.randrange(20000, 32000)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
                return port
            except OSError:
                pass


def main():
    runtime = []
    work = tempfile.mkdtemp(prefix="spool-image-smoke.")
    try:
        data = os.path.join(work, "data")
        os.makedirs(data)
        os.chown(data, 10001, 10001)
        port = free_port()
        sh("podman", "rm", "-f", NAME, check=False)
        # Host networking: no bridge or port-forwarding setup on the test machine; the server listens on loopback,
        # where it needs no admin key. The process limits are set below this machine's own: podman would raise them to its
        # maxima, which a root without CAP_SYS_RESOURCE (a container itself) may not. runc where there is one: crun
        # refuses hosts whose cgroups are half v1, half v2.
        soft_files = min(resource.getrlimit(resource.RLIMIT_NOFILE)[0], 16384)
        soft_procs = min(resource.getrlimit(resource.RLIMIT_NPROC)[0], 8192)
        runtime = ["--runtime", "runc"] if shutil.which("runc") else []
        started = sh("podman", *runtime, "run", "-d", "--name", NAME, "--network", "host", "--read-only",
                     "--tmpfs", "/tmp", "--no-healthcheck", "--ulimit", f"nofile={soft_files}:{soft_files}",
                     "--ulimit", f"nproc={soft_procs}:{soft_procs}", "-v", f"{data}:/var/lib/spool", tag,
                     "serve", "--data", "/var/lib/spool", "--port", str(port), check=False)
        if started.returncode != 0:
            print(f"image-smoke: podman run failed: {started.stderr.strip()}")
            return 1
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(base + "/ready", timeout=2).read()
                break
            except OSError:
                state = sh("podman", "inspect", "-f", "{{.State.Status}}", NAME, check=False).stdout.strip()
                if time.monotonic() > deadline or state not in ("running", "created", "configured"):
                    print(f"image-smoke: the server did not become ready ({state}):\n"
                          + sh("podman", "logs", NAME, check=False).stderr[-3000:])
                    return 1
                time.sleep(0.5)
        user = sh("podman", *runtime, "exec", NAME, "id", "-u").stdout.strip()
        clip = os.path.join(work, "clip.mp4")
        sh("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
           "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "6", "-c:v", "libx264",
           "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip)
        env = dict(os.environ, SPOOL_SERVER=base)
        submitted = subprocess.run([cli, "submit", clip, "--preset", "web-360p", "--wait", "--json"], env=env,
                                   capture_output=True, text=True, timeout=300)
        if submitted.returncode != 0:
            print(f"image-smoke: the job did not succeed: {submitted.stdout[-2000:]} {submitted.stderr[-2000:]}")
            print(sh("podman", "logs", NAME, check=False).stderr[-3000:])
            return 1
        job = json.loads(submitted.stdout)
        problems = []
        for output in job["outputs"]:
            body = urllib.request.urlopen(base + output["url"], timeout=30).read()
            target = os.path.join(work, "out-" + output["name"])
            open(target, "wb").write(body)
            probe = json.loads(sh("ffprobe", "-v", "error", "-print_format", "json", "-show_streams", target).stdout)
            heights = [s.get("height") for s in probe["streams"] if s.get("codec_type") == "video"]
            print(f"image-smoke: output {output['name']}: {len(body)} bytes, video height {heights}")
            if not heights:
                problems.append(f"{output['name']} has no video")
        # The console's files travel in the image beside the binary (its resource bundle).
        for path, kind in (("/", "text/html"), ("/console/app.js", "text/javascript")):
            with urllib.request.urlopen(base + path, timeout=10) as response:
                served = response.headers.get("Content-Type", "")
                print(f"image-smoke: {path}: {response.status} {served}, {len(response.read())} bytes")
                if response.status != 200 or not served.startswith(kind):
                    problems.append(f"the console's {path} is not served ({response.status} {served})")
        # The image's own configuration, as a registry user would get it.
        config = json.loads(sh("podman", "image", "inspect", tag).stdout)[0]
        details = config.get("Config", {})
        health = " ".join((config.get("Healthcheck") or details.get("Healthcheck") or {}).get("Test") or [])
        labels = details.get("Labels") or config.get("Labels") or {}
        print(f"image-smoke: user {details.get('User')}, entrypoint {details.get('Entrypoint')}, healthcheck "
              f"'{health}', labels {sorted(k for k in labels if k.startswith('org.opencontainers'))}")
        if details.get("User") != "10001:10001":
            problems.append(f"the image's user is {details.get('User')!r}")
        if "/health" not in health:
            problems.append("no HEALTHCHECK on /health")
        if "org.opencontainers.image.title" not in labels or "org.opencontainers.image.revision" not in labels:
            problems.append("OCI labels missing")
        if "tini" not in " ".join(details.get("Entrypoint") or []):
            problems.append("PID 1 is not tini")
        stopped = time.monotonic()
        sh("podman", *runtime, "stop", "-t", "30", NAME)
        code = sh("podman", "inspect", "-f", "{{.State.ExitCode}}", NAME).stdout.strip()
        print(f"image-smoke: ran as uid {user}, job {job['id']} {job['state']}; podman stop took "
              f"{time.monotonic() - stopped:.1f} s, exit code {code}")
        if user == "0":
            problems.append("the server ran as root")
        if code != "0":
            problems.append(f"SIGTERM ended it with exit code {code}")
        for problem in problems:
            print(f"image-smoke: problem: {problem}")
        print(f"image smoke: {'passed' if not problems else 'failed'}")
        return 0 if not problems else 1
    finally:
        sh("podman", "rm", "-f", NAME, check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
