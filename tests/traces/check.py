"""One job's trace across three processes: a small OTLP/HTTP receiver (JSON), redis-server, a gateway, a manager and a
worker on loopback, each exporting to the receiver through the standard OTEL_* variables. One job is submitted with
a W3C traceparent; when it has succeeded the processes get SIGTERM, so what the receiver holds is what each flushed
on its way out (the batch delay is longer than the run). Checked: every span of the job is in the client's trace;
the tree is gateway `POST /v1/jobs` -> `store.submit`, manager `placement.decide`, worker `worker.attempt` -> claim,
download, probe, ffmpeg, validate, upload, commit; parents link up (none outside the set but the client's); each
process names its own service; the worker's log lines inside the attempt carry its trace_id. A second job with a
malformed traceparent is accepted and starts a trace of its own. Prints one line per check and ends with
`traces problems: N`.
"""
import base64, gzip, http.server, json, os, random, signal, sys, tempfile, threading, time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "faults"))
import harness  # noqa: E402  (the fault suite's process harness: Fleet, API, clips)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WORKER_STEPS = ["worker.claim", "worker.download", "worker.probe", "worker.ffmpeg", "worker.validate",
                "worker.upload", "worker.commit"]


def hex_id(value):
    """OTLP/JSON ids are hex by the specification; protobuf's own JSON mapping writes bytes as base64. Either reads."""
    if not value:
        return ""
    if all(c in "0123456789abcdefABCDEF" for c in value) and len(value) in (16, 32):
        return value.lower()
    return base64.b64decode(value).hex()


def attribute_value(value):
    for kind in ("stringValue", "boolValue", "doubleValue"):
        if kind in value:
            return value[kind]
    if "intValue" in value:
        return int(value["intValue"])
    return value


class Receiver:
    """Accepts POST /v1/traces (OTLP/HTTP with JSON bodies) and keeps every span with its service's name."""

    def __init__(self):
        self.spans = []
        self.requests = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                status = 200
                try:
                    if self.path != "/v1/traces" or not self.headers.get("Content-Type", "").startswith(
                            "application/json"):
                        raise ValueError(f"{self.path} {self.headers.get('Content-Type')}")
                    receiver.add(json.loads(body))
                except ValueError as error:
                    harness.log(f"receiver refused a request: {error}")
                    status = 400
                answer = b"{}"
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", harness.free_port()), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add(self, request):
        spans = []
        for resource_spans in request.get("resourceSpans", []):
            resource = {a["key"]: attribute_value(a["value"])
                        for a in resource_spans.get("resource", {}).get("attributes", [])}
            for scope in resource_spans.get("scopeSpans", []):
                for span in scope.get("spans", []):
                    spans.append({
                        "service": resource.get("service.name"), "name": span["name"],
                        "trace": hex_id(span.get("traceId")), "id": hex_id(span.get("spanId")),
                        "parent": hex_id(span.get("parentSpanId")),
                        "attributes": {a["key"]: attribute_value(a["value"]) for a in span.get("attributes", [])},
                        "status": span.get("status", {}),
                    })
        with self.lock:
            self.requests += 1
            self.spans += spans

    def snapshot(self):
        with self.lock:
            return list(self.spans)


def main():
    spool = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else f"{REPO}/.build/debug/spool")
    problems = []

    def check(ok, what):
        print(f"{'ok' if ok else 'FAIL'}: {what}", flush=True)
        if not ok:
            problems.append(what)

    receiver = Receiver()
    fleet = harness.Fleet(spool, tempfile.mkdtemp(prefix="spool-traces."))
    fleet.env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{receiver.port}",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
        # Longer than the run: every span reaches the receiver in the flush each process makes on SIGTERM.
        "OTEL_BSP_SCHEDULE_DELAY": "600000",
    }
    # A storage apart from the data folder, so the worker uploads its outputs (worker.upload) before committing.
    bucket = f"{fleet.work}/bucket"
    os.makedirs(bucket)
    storage = ["--storage", "file://" + bucket]
    try:
        fleet.start_redis()
        fleet.start_gateway("gateway-1", storage)
        fleet.start_manager("manager-1", storage)
        fleet.wait_for_log("manager-1", "leading")
        fleet.start_worker("worker-1", storage)
        worker_id = fleet.worker_ids["worker-1"]
        api = harness.API(fleet)
        clip = f"{fleet.inputs}/clip.mp4"
        harness.make_clip(clip, seconds=2)
        request = {"input": "file://" + clip, "outputs": [harness.MP4]}

        client_trace = "%032x" % random.getrandbits(128)
        client_span = "%016x" % random.getrandbits(64)
        status, job = api.call("POST", "/v1/jobs", request,
                               headers={"traceparent": f"00-{client_trace}-{client_span}-01",
                                        "tracestate": "spool=test"})
        check(status == 202, f"a submission with a traceparent is accepted ({status})")
        status, other = api.call("POST", "/v1/jobs", request, headers={"traceparent": "00-not-a-trace-01"})
        check(status == 202, f"a submission with a malformed traceparent is accepted ({status})")
        # A job split into segment tasks: each task is a job of its own, traced in the split job's trace.
        long_clip = f"{fleet.inputs}/long.mp4"
        harness.make_clip(long_clip, seconds=6, container_args=("-g", "25"))
        status, split = api.call("POST", "/v1/jobs", {"input": "file://" + long_clip, "outputs": [harness.MP4],
                                                      "segmenting": {"mode": "on", "seconds": 2}})
        check(status == 202, f"a segmented job is accepted ({status})")
        views = api.wait_all([job["id"], other["id"], split["id"]], timeout=240)
        for view in views.values():
            check(view and view["state"] == "succeeded", f"job {view and view['id']} succeeded "
                                                          f"({view and view['state']})")

        # SIGTERM: each process shuts down gracefully and its exporter, shut down last, sends what it holds.
        for name in ("gateway-1", "manager-1", "worker-1"):
            fleet.signal(name, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(fleet.alive(n) for n in ("gateway-1", "manager-1", "worker-1")):
            time.sleep(0.2)
        for name in ("gateway-1", "manager-1", "worker-1"):
            process = fleet.processes[name][0]
            check(process.poll() == 0, f"{name} stopped on SIGTERM with status 0 ({process.poll()})")

        spans = receiver.snapshot()
        harness.log(f"receiver: {receiver.requests} requests, {len(spans)} spans")
        trace = [s for s in spans if s["trace"] == client_trace]
        by_id = {s["id"]: s for s in trace}
        names = sorted(s["name"] for s in trace)
        print(f"the job's trace: {len(trace)} spans: {', '.join(names)}", flush=True)

        def one(name, service):
            found = [s for s in trace if s["name"] == name]
            check(len(found) == 1, f"one {name} span in the client's trace ({len(found)})")
            if found:
                check(found[0]["service"] == service, f"{name} comes from {service} ({found[0]['service']})")
            return found[0] if found else None

        submit = one("POST /v1/jobs", "spool-gateway")
        write = one("store.submit", "spool-gateway")
        placement = one("placement.decide", "spool-manager")
        attempt = one("worker.attempt", "spool-worker")
        steps = {name: one(name, "spool-worker") for name in WORKER_STEPS}

        if submit:
            check(submit["parent"] == client_span, "the gateway's span is a child of the client's traceparent")
            check(submit["attributes"].get("spool.job.id") == job["id"], "the gateway's span names the job")
            check(submit["attributes"].get("http.response.status_code") == 202, "the gateway's span has status 202")
            for child in (write, placement, attempt):
                if child:
                    check(child["parent"] == submit["id"], f"{child['name']} is a child of the gateway's span")
        if placement:
            check(placement["attributes"].get("spool.worker.id") == worker_id,
                  f"placement.decide names the chosen worker ({placement['attributes'].get('spool.worker.id')})")
            check("spool.placement.score" in placement["attributes"], "placement.decide carries the score")
        if attempt:
            attributes = attempt["attributes"]
            check(attributes.get("spool.attempt") == 1 and attributes.get("spool.pool") == "cpu"
                  and attributes.get("spool.worker.id") == worker_id and attributes.get("spool.job.id") == job["id"]
                  and attributes.get("spool.tenant") == "default",
                  f"worker.attempt names the job, tenant, attempt, pool and worker ({attributes})")
            check(attributes.get("spool.attempt.outcome") == "succeeded", "worker.attempt succeeded")
            for name, step in steps.items():
                if step:
                    check(step["parent"] == attempt["id"], f"{name} is a child of worker.attempt")
        if steps.get("worker.ffmpeg"):
            check(steps["worker.ffmpeg"]["attributes"].get("process.exit.code") == 0, "worker.ffmpeg exited 0")
        if steps.get("worker.commit"):
            check(steps["worker.commit"]["attributes"].get("spool.job.state") == "succeeded",
                  "worker.commit recorded the success")

        orphans = [s["name"] for s in trace if s["parent"] and s["parent"] != client_span and s["parent"] not in by_id]
        check(not orphans, f"every parent is the client's span or a span of the trace (orphans: {orphans})")
        elsewhere = [s["name"] for s in spans if s["attributes"].get("spool.job.id") == job["id"]
                     and s["trace"] != client_trace]
        check(not elsewhere, f"every span naming the job is in the client's trace (elsewhere: {elsewhere})")
        check(len({s["service"] for s in trace}) == 3, "three processes, three service names")

        # The malformed traceparent: a new root, and the job's later spans in that new trace.
        roots = [s for s in spans
                 if s["name"] == "POST /v1/jobs" and s["attributes"].get("spool.job.id") == other["id"]]
        check(len(roots) == 1 and not roots[0]["parent"] and roots[0]["trace"] != client_trace,
              "a malformed traceparent starts a new root span")
        if roots:
            later = {s["name"] for s in spans if s["trace"] == roots[0]["trace"]}
            check({"placement.decide", "worker.attempt", "worker.commit"} <= later,
                  f"that job's placement and attempt join its new trace ({sorted(later)})")

        # The segmented job: its tasks' attempts hang under the attempt that split it, all in one trace.
        roots = [s for s in spans
                 if s["name"] == "POST /v1/jobs" and s["attributes"].get("spool.job.id") == split["id"]]
        check(len(roots) == 1, "the segmented job's submission has one span")
        if roots:
            split_trace = [s for s in spans if s["trace"] == roots[0]["trace"]]
            ids = {s["id"] for s in split_trace}
            plans = [s for s in split_trace if s["name"] == "worker.plan_segments"]
            tasks = [s for s in split_trace if s["name"] == "worker.attempt"
                     and s["attributes"].get("spool.attempt.kind") == "segment_task"]
            joins = [s for s in split_trace if s["name"] == "worker.attempt"
                     and s["attributes"].get("spool.attempt.kind") == "join"]
            print(f"the segmented job's trace: {len(split_trace)} spans, {len(tasks)} task attempts, "
                  f"{len(joins)} join attempts", flush=True)
            check(len(plans) == 1 and len(tasks) >= 2 and len(joins) >= 1,
                  "the split, its tasks' attempts and the join are in the job's trace")
            check(plans and all(t["parent"] == plans[0]["id"] for t in tasks),
                  "every task's attempt is a child of the attempt that split the job")
            check(all(j["parent"] == roots[0]["id"] for j in joins), "the join is a child of the submission")
            check(all(not s["parent"] or s["parent"] in ids for s in split_trace),
                  "no orphan in the segmented job's trace")

        # Log lines made inside the attempt carry its trace.
        settled = [line for line in fleet.log_of("worker-1").splitlines()
                   if "attempt settled" in line and job["id"] in line]
        check(bool(settled) and all(f"trace_id={client_trace}" in line for line in settled),
              f"the worker's log lines for the attempt carry trace_id ({settled[:1]})")
    finally:
        fleet.finish()
        receiver.server.shutdown()
    for problem in problems:
        print(f"problem: {problem}", flush=True)
    print(f"traces problems: {len(problems)}", flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
