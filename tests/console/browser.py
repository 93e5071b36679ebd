"""The web console, driven in a real browser (Debian's chromium, headless, through Selenium and chromedriver) against a
real `spool serve` with an admin key, two tenants, real ffmpeg jobs and a managed pool:

- the admin signs in with the key, uploads a clip through the file picker and submits it with a preset, and watches
  its bar in the live table move and reach 100 %; the job page plays the MP4 (the video element reaches
  readyState >= 2) and shows the thumbnails; the first output, fetched by the page and dropped on the drop zone as a
  file, becomes a second job (the drag-and-drop path); a job with a callback shows its webhook delivered (to a
  receiver in this test); a long job is cancelled with its button;
- a job whose ffmpeg is killed reaches the dead letters and is retried from there, and succeeds;
- the live table narrows to one tenant's jobs and to one state with its filters;
- a pool is created with the form, its page draws the autoscaler chart, it is resized with its form and drained with
  its button;
- the workers view lists the server's workers and their devices;
- a tenant signed in sees only its own jobs, in the table and by address, and no operator view;
- a keyless server on loopback opens the console without a sign-in;
- on every view: no Content-Security-Policy violation and no script error in the browser's log, every form control
  labelled, every button named, and text contrast of at least 4.5:1 (3:1 for large text).

Screenshots of every view are saved (tests/console/screenshots/, or $SPOOL_CONSOLE_SCREENSHOTS). Prints one line per
check and ends with `console problems: N`.
"""
import http.server, json, os, sys, tempfile, threading, time, urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "faults"))
import harness  # noqa: E402  (the fault suite's process harness: Fleet, clips, ports, the ffmpeg killer)

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import NoAlertPresentException, TimeoutException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHOTS = os.environ.get("SPOOL_CONSOLE_SCREENSHOTS", f"{REPO}/tests/console/screenshots")
ADMIN_KEY = "console-admin-" + "k" * 30
problems = []


def check(condition, what):
    print(f"{'ok' if condition else 'PROBLEM'}: {what}", flush=True)
    if not condition:
        problems.append(what)
    return condition


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1360,900",
                     "--autoplay-policy=no-user-gesture-required", "--disable-gpu", "--lang=en-US"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    return driver


def wait(driver, condition, timeout=30, what="the page"):
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: condition(d))
    except TimeoutException:
        shot(driver, "timeout-" + "".join(c if c.isalnum() else "-" for c in what)[:40])
        raise TimeoutException(f"waited {timeout} s for {what}")


def shot(driver, name):
    """The whole page, not only the window: the window is stretched to the page's height for the picture."""
    os.makedirs(SHOTS, exist_ok=True)
    path = f"{SHOTS}/{name}.png"
    size = driver.get_window_size()
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(size["width"], min(max(height + 140, size["height"]), 4000))
    time.sleep(0.3)  # let the layout settle at the new size
    driver.save_screenshot(path)
    driver.set_window_size(size["width"], size["height"])
    print(f"screenshot: {os.path.relpath(path, REPO)}", flush=True)


def find(driver, selector):
    found = driver.find_elements(By.CSS_SELECTOR, selector)
    return found[0] if found else None


def visible(driver, selector):
    element = find(driver, selector)
    return element is not None and element.is_displayed()


def text(driver, selector):
    element = find(driver, selector)
    return element.text.strip() if element is not None else ""


def accept_confirm(driver):
    try:
        WebDriverWait(driver, 5).until(lambda d: d.switch_to.alert)
        driver.switch_to.alert.accept()
    except (TimeoutException, NoAlertPresentException):
        pass


def api(base, method, path, key, body=None, raw=None, content_type="application/json"):
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def wait_state(base, key, job_id, states, timeout=240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, view = api(base, "GET", f"/v1/jobs/{job_id}", key)
        if status == 200 and view["state"] in states:
            return view
        time.sleep(0.5)
    raise TimeoutError(f"job {job_id} did not reach {states}")


# Run in the page: an audit of what a screen reader and a keyboard user need, and of text contrast (WCAG 2.1 AA).
AUDIT = r"""
const problems = [];
const shown = e => e.offsetParent !== null || e.getClientRects().length > 0;
const named = e => (e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || e.title ||
                    (e.labels && e.labels.length) || e.textContent.trim()).toString().length > 0;
for (const e of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
  if (!shown(e) && e.type !== 'file') continue;
  if (!(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
    problems.push('unlabelled ' + e.tagName.toLowerCase() + '#' + e.id);
}
for (const e of document.querySelectorAll('button, a[href]')) if (shown(e) && !named(e))
  problems.push('unnamed ' + e.tagName.toLowerCase() + '#' + e.id + '.' + e.className);
for (const e of document.querySelectorAll('img')) if (shown(e) && !e.hasAttribute('alt'))
  problems.push('image without alt: ' + e.src);
const rgba = s => { const m = s.match(/[\d.]+/g) || [0, 0, 0, 0]; return m.map(Number).concat([1]).slice(0, 4); };
const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                   return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
const background = e => { let layers = [];
  for (let n = e; n; n = n.parentElement) { const c = rgba(getComputedStyle(n).backgroundColor);
    if (getComputedStyle(n).backgroundImage !== 'none') return null;  // a gradient or image: not judged here
    if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
  let out = [255, 255, 255];
  for (const c of layers.reverse()) out = out.map((v, i) => c[i] * c[3] + v * (1 - c[3]));
  return out; };
let judged = 0;
for (const e of document.querySelectorAll('body *')) {
  if (!shown(e) || ['SCRIPT', 'STYLE', 'svg', 'SVG'].includes(e.tagName) || e.closest('svg')) continue;
  const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  if (!own) continue;
  const style = getComputedStyle(e);
  if (style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
  const bg = background(e); if (!bg) continue;
  const fg = rgba(style.color); const over = fg.slice(0, 3).map((v, i) => v * fg[3] + bg[i] * (1 - fg[3]));
  const [a, b] = [lum(over), lum(bg)].sort((x, y) => y - x); const ratio = (a + 0.05) / (b + 0.05);
  const size = parseFloat(style.fontSize); const bold = Number(style.fontWeight) >= 700;
  const needed = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
  judged++;
  if (e.disabled || e.closest('[disabled],[aria-disabled=true]')) continue;  // disabled controls are exempt
  if (ratio < needed) problems.push('contrast ' + ratio.toFixed(2) + ' < ' + needed + ' on "' +
    e.textContent.trim().slice(0, 30) + '" (' + e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : '') + ')');
}
return {problems: problems.slice(0, 15), count: problems.length, judged};
"""


def audit(driver, view):
    result = driver.execute_script(AUDIT)
    check(result["count"] == 0, f"{view}: accessible ({result['judged']} texts judged for contrast)"
          + ("" if result["count"] == 0 else f": {result['count']} problems: {result['problems']}"))


def browser_errors(driver, view):
    """Script errors and CSP violations in the browser's log since the last look (a refused request the page
    expects, such as the 401 of a browser not yet signed in, is not a script error)."""
    entries = driver.get_log("browser")
    bad = [e["message"] for e in entries
           if "Content Security Policy" in e["message"] or "Uncaught" in e["message"]
           or ("SEVERE" == e["level"] and "Failed to load resource" not in e["message"]
               and "EventSource" not in e["message"])]
    check(not bad, f"{view}: no script error and no CSP violation in the browser's log" + (f": {bad[:3]}" if bad else ""))


def sign_in(driver, base, key):
    driver.get(base + "/")
    wait(driver, lambda d: visible(d, "#signin"), what="the sign-in form")
    field = find(driver, "#signin-key")
    field.clear()
    field.send_keys(key)
    find(driver, "#signin-submit").click()
    wait(driver, lambda d: text(d, "#whoami") != "", what="the signed-in caller")
    check(find(driver, "#signin-key").get_attribute("value") == "", "the key is cleared from the form once used")
    stored = driver.execute_script(
        "return JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie")
    check(key not in stored and key not in driver.page_source,
          "the key is nowhere in the page, its storage or its readable cookies")


def row_progress(driver, job_id):
    bar = find(driver, f'tr[data-job-id="{job_id}"] .job-progress [role=progressbar], '
                       f'tr[data-job-id="{job_id}"] .job-progress progress, '
                       f'tr[data-job-id="{job_id}"] .job-progress[role=progressbar]')
    if bar is None:
        return None
    value = bar.get_attribute("aria-valuenow") or bar.get_attribute("value")
    return float(value) if value not in (None, "") else None


def main():
    spool = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else f"{REPO}/.build/debug/spool")
    work = tempfile.mkdtemp(prefix="spool-console.")
    fleet = harness.Fleet(spool, work)
    killer = None
    driver = None
    try:
        # nvidia-smi prints two recorded L4s (the one fake: no NVIDIA GPU here), so the workers view has GPUs to show;
        # their NVENC self-test fails, so those workers take no job and every job runs on the CPU.
        fake = f"{work}/fake-bin"
        os.makedirs(fake, exist_ok=True)
        with open(f"{fake}/nvidia-smi", "w") as file:
            file.write(f"#!/bin/sh\ncat '{REPO}/Tests/SpoolMediaTests/Fixtures/nvidia-smi/l4-2x.csv'\n")
        os.chmod(f"{fake}/nvidia-smi", 0o755)
        fleet.env = {"PATH": fake + ":" + os.environ.get("PATH", "/usr/bin:/bin")}
        port = harness.free_port()
        # Two attempts: the job whose ffmpeg is killed twice reaches the dead letters quickly.
        # A webhook receiver on loopback (so the server must allow private networks for callbacks).
        deliveries = []

        class Receiver(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                deliveries.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}"))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *arguments):
                pass

        receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=receiver.serve_forever, daemon=True).start()
        fleet.start("serve", [spool, "serve", "--data", fleet.data, "--port", str(port), "--log-level", "warning",
                              "--input-root", fleet.inputs, "--max-attempts", "2", "--allow-private-networks"],
                    env={"SPOOL_ADMIN_KEY": ADMIN_KEY})
        # Loopback is a secure context, where the browser keeps the session's Secure cookie over plain HTTP.
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/ready", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("spool serve is not ready:\n" + fleet.log_of("serve")[-2000:])
                time.sleep(0.2)
        tenants = {}
        for name in ("acme", "globex"):
            status, view = api(base, "POST", "/v1/admin/tenants", ADMIN_KEY, {"id": name})
            tenants[name] = view["api_key"]
        clip = f"{fleet.inputs}/clip.mp4"
        harness.make_clip(clip, seconds=24, size="640x360")
        small = f"{fleet.inputs}/small.mp4"  # the tenants' (other bytes than the admin's clip: nothing is reused)
        harness.make_clip(small, seconds=4, size="320x240")
        long_clip = f"{fleet.inputs}/long.mp4"
        harness.make_clip(long_clip, seconds=120, size="1280x720")
        doomed = f"{fleet.inputs}/dead-letter-me.mp4"
        harness.make_clip(doomed, seconds=20, size="640x360")

        # globex's job, which acme must never see.
        status, upload = api(base, "POST", "/v1/uploads", tenants["globex"], raw=open(small, "rb").read(),
                             content_type="application/octet-stream")
        status, foreign = api(base, "POST", "/v1/jobs", tenants["globex"],
                              {"input": upload["uri"], "preset": "web-360p", "metadata": {"who": "globex"}})
        check(status == 202, "globex's job is accepted")

        driver = browser()
        # --- the admin ----------------------------------------------------------------------------------------
        driver.get(base + "/")
        wait(driver, lambda d: visible(d, "#signin"), what="the sign-in form")
        shot(driver, "01-sign-in")
        audit(driver, "sign-in")
        page = urllib.request.urlopen(base + "/")
        policy = page.headers.get("Content-Security-Policy", "")
        check("script-src 'self'" in policy and "unsafe-inline" not in policy,
              f"the page is served with a strict Content-Security-Policy ({policy[:60]}...)")
        sign_in(driver, base, ADMIN_KEY)
        check(text(driver, "#whoami") == "admin", f"signed in as admin (#whoami says {text(driver, '#whoami')!r})")
        wait(driver, lambda d: visible(d, "#view-jobs") and "live" in text(d, "#live-status").lower(),
             what="the live jobs table")
        check(find(driver, f'tr[data-job-id="{foreign["id"]}"]') is not None,
              "the admin's table shows every tenant's jobs (globex's job is listed)")

        # Upload through the file picker and submit with a preset.
        find(driver, "#upload-file").send_keys(clip)
        Select(find(driver, "#upload-preset")).select_by_value("web-default")  # 720p, 360p and thumbnails
        wait(driver, lambda d: find(d, "#upload-submit").is_enabled(), what="the submit button")
        find(driver, "#upload-submit").click()
        link = wait(driver, lambda d: find(d, "#upload-status a.job-link"), timeout=60, what="the submitted job's link")
        job_id = link.get_attribute("data-job-id")
        check(job_id.startswith("job_"), f"uploaded and submitted from the console: {job_id}")
        seen = []
        shot_taken = False
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            value = row_progress(driver, job_id)
            if value is not None and (not seen or seen[-1] != value):
                seen.append(value)
            if value is not None and 10 < value < 90 and not shot_taken:
                shot(driver, "02-jobs-running")
                shot_taken = True
            if value == 100 and text(driver, f'tr[data-job-id="{job_id}"] .job-state') == "succeeded":
                break
            time.sleep(0.1)
        check(seen and seen[-1] == 100, f"the live table's bar reached 100 % (values seen: {seen[:12]})")
        check(any(0 < v < 100 for v in seen), "the bar moved through values between 0 and 100 while the job ran")
        check(text(driver, f'tr[data-job-id="{job_id}"] .job-pool') != "", "the row names the job's pool")
        # The filters: each narrows the live table (the stream is reopened with them).
        def listed_states():
            return [r.text.strip() for r in driver.find_elements(By.CSS_SELECTOR, "#jobs-table tr[data-job-id] .job-state")]
        Select(find(driver, "#filter-tenant")).select_by_value("globex")
        def listed_ids():
            return [r.get_attribute("data-job-id") for r in
                    driver.find_elements(By.CSS_SELECTOR, "#jobs-table tr[data-job-id]")]
        try:
            wait(driver, lambda d: listed_ids() == [foreign["id"]], timeout=15, what="the tenant filter")
        except TimeoutException:
            pass
        check(listed_ids() == [foreign["id"]], f"the tenant filter shows globex's job alone ({listed_ids()})")
        Select(find(driver, "#filter-tenant")).select_by_value("")
        Select(find(driver, "#filter-state")).select_by_value("running")
        wait(driver, lambda d: all(state == "running" for state in listed_states()), what="the state filter")
        check(job_id not in [r.get_attribute("data-job-id") for r in
                             driver.find_elements(By.CSS_SELECTOR, "#jobs-table tr[data-job-id]")],
              "the state filter hides the succeeded job")
        Select(find(driver, "#filter-state")).select_by_value("")
        wait(driver, lambda d: find(d, f'tr[data-job-id="{job_id}"]'), what="the unfiltered table")
        shot(driver, "03-jobs")
        audit(driver, "jobs")
        browser_errors(driver, "jobs")

        # The job page: the MP4 plays, the thumbnails show.
        find(driver, f'tr[data-job-id="{job_id}"] a.job-link').click()
        wait(driver, lambda d: visible(d, "#view-job") and text(d, "#job-state") == "succeeded", what="the job page")
        video = wait(driver, lambda d: find(d, "#job-outputs video.output-video"), what="the output video")
        driver.execute_script("arguments[0].muted = true; arguments[0].play().catch(() => {});", video)
        ready = wait(driver, lambda d: d.execute_script("return arguments[0].readyState >= 2 && "
                                                       "arguments[0].readyState", video), what="the video to play")
        check(ready >= 2, f"the MP4 output plays in the page (readyState {ready}, "
                          f"{driver.execute_script('return arguments[0].videoWidth', video)} px wide)")
        loaded = wait(driver, lambda d: [t for t in d.find_elements(By.CSS_SELECTOR, "#job-outputs img.output-thumbnail")
                                         if d.execute_script("return arguments[0].complete && "
                                                             "arguments[0].naturalWidth > 0", t)] or None,
                      what="a thumbnail")
        thumbnails = driver.find_elements(By.CSS_SELECTOR, "#job-outputs img.output-thumbnail")
        check(len(loaded) > 0, f"thumbnails show ({len(thumbnails)} on the page)")
        check(find(driver, "#job-placement") is not None and "cpu" in find(driver, "#job-placement").text.lower(),
              "the placement explanation is shown as a table")
        check(not find(driver, "#job-cancel").is_enabled() and not find(driver, "#job-retry").is_enabled(),
              "a succeeded job can be neither cancelled nor retried")
        driver.execute_script("arguments[0].pause()", video)
        shot(driver, "04-job")
        audit(driver, "job page")
        browser_errors(driver, "job page")

        # Drag and drop: the page fetches the first output and drops it on the drop zone as a file.
        output_url = video.get_attribute("src")
        driver.get(base + "/#/jobs")
        wait(driver, lambda d: visible(d, "#dropzone"), what="the drop zone")
        driver.execute_async_script("""
            const [url, done] = [arguments[0], arguments[arguments.length - 1]];
            fetch(url).then(r => r.blob()).then(blob => {
              const transfer = new DataTransfer();
              transfer.items.add(new File([blob], 'dropped.mp4', {type: 'video/mp4'}));
              const zone = document.querySelector('#dropzone');
              for (const type of ['dragenter', 'dragover', 'drop'])
                zone.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: transfer}));
              done(true);
            });""", output_url)
        wait(driver, lambda d: find(d, "#upload-submit").is_enabled(), what="the dropped file to be taken")
        find(driver, "#upload-submit").click()
        link = wait(driver, lambda d: [a for a in d.find_elements(By.CSS_SELECTOR, "#upload-status a.job-link")
                                       if a.get_attribute("data-job-id") != job_id] or None,
                    timeout=60, what="the dropped file's job")
        dropped_id = link[0].get_attribute("data-job-id")
        check(wait_state(base, ADMIN_KEY, dropped_id, ("succeeded", "failed"))["state"] == "succeeded",
              f"a file dropped on the drop zone became a job that succeeded ({dropped_id})")

        # A job that announces its end to a webhook: its page shows the delivery.
        status, hooked = api(base, "POST", "/v1/jobs", ADMIN_KEY, {
            "input": "file://" + small, "preset": "web-360p",
            "callback_url": f"http://127.0.0.1:{receiver.server_address[1]}/spool-hook"})
        check(status == 202, f"a job with a callback is accepted ({status})")
        wait_state(base, ADMIN_KEY, hooked["id"], ("succeeded",), 120)
        deadline = time.monotonic() + 60
        delivery = {}
        while time.monotonic() < deadline and delivery.get("state") != "delivered":
            status, delivery = api(base, "GET", f"/v1/jobs/{hooked['id']}/webhook", ADMIN_KEY)
            delivery = delivery if status == 200 else {}
            time.sleep(0.3)
        driver.get(f"{base}/#/jobs/{hooked['id']}")

        def delivery_badges(d):
            return d.execute_script(
                "return [...document.querySelectorAll('#job-webhook .badge')].map(e => e.textContent.trim())")
        try:
            wait(driver, lambda d: "delivered" in delivery_badges(d), timeout=30, what="the webhook delivery")
        except TimeoutException:
            pass
        check(any(d.get("job", {}).get("id") == hooked["id"] for d in deliveries)
              and "delivered" in delivery_badges(driver),
              f"the job page shows its webhook delivered (badge {delivery_badges(driver)}; "
              f"{len(deliveries)} received by the hook)")

        # Cancel a long job from its page.
        status, upload = api(base, "POST", "/v1/uploads", ADMIN_KEY, raw=open(long_clip, "rb").read(),
                             content_type="application/octet-stream")
        status, long_job = api(base, "POST", "/v1/jobs", ADMIN_KEY, {"input": upload["uri"], "preset": "hls-ladder"})
        driver.get(f"{base}/#/jobs/{long_job['id']}")
        wait(driver, lambda d: text(d, "#job-id") == long_job["id"] and find(d, "#job-cancel").is_enabled(),
             what="the long job's cancel button")
        find(driver, "#job-cancel").click()
        accept_confirm(driver)
        wait(driver, lambda d: text(d, "#job-state") == "cancelled", timeout=60, what="the cancelled state")
        check(wait_state(base, ADMIN_KEY, long_job["id"], ("cancelled",), 30)["state"] == "cancelled",
              "a running job was cancelled with its button")
        check(find(driver, "#job-retry").is_enabled(), "a cancelled job can be retried")

        # A dead letter, retried from the console.
        killer = harness.FFmpegKiller("dead-letter-me")
        status, doomed_job = api(base, "POST", "/v1/jobs", ADMIN_KEY,
                                 {"input": "file://" + doomed, "preset": "web-360p"})
        wait_state(base, ADMIN_KEY, doomed_job["id"], ("failed",), 180)
        killer.stop()
        killer = None
        driver.get(base + "/#/dead-letters")
        row = f'#dead-letters-table tr[data-job-id="{doomed_job["id"]}"]'
        wait(driver, lambda d: find(d, row + " button.dead-letter-retry"), timeout=30, what="the dead letter")
        shot(driver, "07-dead-letters")
        audit(driver, "dead letters")
        find(driver, row + " button.dead-letter-retry").click()
        accept_confirm(driver)
        check(wait_state(base, ADMIN_KEY, doomed_job["id"], ("succeeded",), 180)["state"] == "succeeded",
              "a dead letter retried from the console succeeded")

        # A pool: created with the form, its chart drawn, drained with its button.
        driver.get(base + "/#/pools")
        wait(driver, lambda d: visible(d, "#pool-create"), what="the pool form")
        find(driver, "#pool-create-name").send_keys("burst")
        kind = find(driver, "#pool-create-kind")
        if kind.tag_name == "select":
            Select(kind).select_by_value("cpu")
        else:
            kind.clear()
            kind.send_keys("cpu")
        for field, value in (("#pool-create-min", "1"), ("#pool-create-max", "2")):
            find(driver, field).clear()
            find(driver, field).send_keys(value)
        find(driver, "#pool-create-submit").click()
        wait(driver, lambda d: find(d, 'tr[data-pool="burst"]'), what="the new pool's row")
        wait(driver, lambda d: text(d, 'tr[data-pool="burst"] .pool-workers') not in ("", "0"), timeout=60,
             what="the new pool's worker")
        shot(driver, "05-pools")
        audit(driver, "pools")
        driver.get(base + "/#/pools/burst")
        wait(driver, lambda d: visible(d, "#view-pool") and find(d, "svg#pool-chart"), what="the pool chart")
        wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "svg#pool-chart path, svg#pool-chart polyline"))
             > 0, timeout=40, what="the chart's lines")
        shot(driver, "06-pool")
        audit(driver, "pool page")
        for field, value in (("#pool-resize-min", "0"), ("#pool-resize-max", "3")):
            find(driver, field).clear()
            find(driver, field).send_keys(value)
        find(driver, "#pool-resize-submit").click()
        deadline = time.monotonic() + 20
        bounds = None
        while time.monotonic() < deadline:
            status, pool = api(base, "GET", "/v1/pools/burst", ADMIN_KEY)
            bounds = ((pool.get("spec") or {}).get("min_workers"), (pool.get("spec") or {}).get("max_workers"))
            if bounds == (0, 3):
                break
            time.sleep(0.3)
        check(bounds == (0, 3), f"the pool was resized with its form (bounds now {bounds})")
        find(driver, "#pool-drain").click()
        accept_confirm(driver)
        deadline = time.monotonic() + 60
        phase = None
        while time.monotonic() < deadline:
            status, pool = api(base, "GET", "/v1/pools/burst", ADMIN_KEY)
            phase = (pool.get("spec") or {}).get("phase") if status == 200 else "gone"
            if phase != "active":
                break
            time.sleep(0.5)
        check(phase in ("draining", "destroying", "gone"), f"the pool was drained with its button (phase {phase})")
        browser_errors(driver, "pools")

        # Workers and their devices.
        driver.get(base + "/#/workers")
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#workers-table tr[data-worker-id]"),
             what="the workers")
        # Read in one go: the view rebuilds a worker's rows when its record changes, so elements go stale.
        rows, devices = driver.execute_script(
            "return [document.querySelectorAll('#workers-table tr[data-worker-id]').length,"
            " [...document.querySelectorAll('#workers-table .device')].map(e => e.innerText)]")
        rows = [None] * rows
        gpus = [d for d in devices if d.startswith("GPU")]
        check(len(rows) >= 4, f"the workers view lists {len(rows)} workers (cpu, opencl, cuda, hybrid) and "
                              f"{len(devices)} device lines")
        check(gpus and all("NVIDIA L4" in g and "Utilisation" in g and "Memory" in g and "°C" in g
                           and "Encoder" in g for g in gpus),
              f"each GPU shows its utilisation, memory, encoder sessions and temperature ({len(gpus)} GPU lines; "
              f"first: {gpus[0].replace(chr(10), ' ') if gpus else 'none'})")
        def states():
            return driver.execute_script("return [...document.querySelectorAll('#workers-table .worker-state')]"
                                         ".map(e => e.textContent.trim().toLowerCase())")
        try:
            wait(driver, lambda d: "self-test failed" in states(), timeout=15, what="a failed self-test")
        except TimeoutException:
            pass
        check("self-test failed" in states(), f"a worker whose encode self-test failed says so (states: {states()})")
        shot(driver, "08-workers")
        audit(driver, "workers")
        browser_errors(driver, "workers")

        # --- a tenant -------------------------------------------------------------------------------------------
        signout = find(driver, "#signout")
        signout.click()
        wait(driver, lambda d: visible(d, "#signin"), what="the sign-in form after signing out")
        status = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch('/v1/sessions/current').then(r => done(r.status), () => done(0));")
        check(status == 401, f"signed out: the browser's session is over (GET /v1/sessions/current answers {status})")
        status, upload = api(base, "POST", "/v1/uploads", tenants["acme"], raw=open(small, "rb").read(),
                             content_type="application/octet-stream")
        status, own = api(base, "POST", "/v1/jobs", tenants["acme"], {"input": upload["uri"], "preset": "web-360p"})
        sign_in(driver, base, tenants["acme"])
        check(text(driver, "#whoami") == "acme", f"signed in as the tenant (#whoami says {text(driver, '#whoami')!r})")
        wait(driver, lambda d: find(d, f'tr[data-job-id="{own["id"]}"]'), what="acme's own job")
        listed = [r.get_attribute("data-job-id") for r in
                  driver.find_elements(By.CSS_SELECTOR, "#jobs-table tr[data-job-id]")]
        check(foreign["id"] not in listed and job_id not in listed,
              f"the tenant's table shows only its own jobs ({len(listed)} listed)")
        check(foreign["id"] not in driver.page_source, "no other tenant's job id anywhere in the page")
        check(not visible(driver, 'a[href="#/workers"]') and not visible(driver, "#filter-tenant"),
              "a tenant sees no operator views")
        shot(driver, "09-tenant-jobs")
        driver.get(f"{base}/#/jobs/{foreign['id']}")
        time.sleep(1.5)
        check(text(driver, "#job-state") not in ("queued", "running", "succeeded"),
              "another tenant's job is not found by its address")
        check(foreign["id"] not in (find(driver, "#job-outputs").text if find(driver, "#job-outputs") else ""),
              "and shows none of its outputs")
        browser_errors(driver, "tenant")
        driver.quit()
        driver = None

        # --- keyless, on loopback: no sign-in -------------------------------------------------------------------
        local = harness.free_port()
        fleet.start("keyless", [spool, "serve", "--data", f"{work}/keyless", "--port", str(local),
                                "--log-level", "warning"])
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{local}/health", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the keyless server did not start:\n" + fleet.log_of("keyless")[-2000:])
                time.sleep(0.2)
        driver = browser()
        driver.get(f"http://127.0.0.1:{local}/")
        wait(driver, lambda d: visible(d, "#view-jobs"), what="the keyless console")
        check(not visible(driver, "#signin") and text(driver, "#whoami") == "local",
              "a keyless server on loopback opens the console without a sign-in")
        browser_errors(driver, "keyless")
    except Exception as error:  # noqa: BLE001  (any failure is a problem of this test, reported with the logs)
        problems.append(f"{type(error).__name__}: {error}")
        print(f"PROBLEM: {type(error).__name__}: {error}", flush=True)
        print(fleet.log_of("serve")[-3000:], flush=True)
    finally:
        if killer:
            killer.stop()
        if driver:
            driver.quit()
        fleet.finish()
    for problem in problems:
        print(f"problem: {problem}", flush=True)
    print(f"console problems: {len(problems)}", flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
