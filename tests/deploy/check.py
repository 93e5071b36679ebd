"""The Kubernetes package, checked offline (tests/deploy/run).

1. `kubectl kustomize` renders each overlay (cpu, nvidia, trial), the cpu overlay with the kubernetes-actuator
   component, and the nvidia overlay with the spot-and-on-demand component (with and without that actuator).
2. kubernetes-validate --strict validates every built-in object (a misspelt field fails); ScaledObjects are validated
   against KEDA's CRD schema in deploy/kubernetes/schemas.
3. The policy: non-root, read-only root filesystem, no privilege escalation, all capabilities dropped; requests and
   limits; Spool's containers ready on /ready and live on /health (liveness never on /ready, which asks Redis);
   termination grace longer than the process's own shutdown; GPU workers ask for nvidia.com/gpu on GPU nodes; each
   worker Deployment scaled by exactly one thing (a ScaledObject, or the manager's kubernetes actuator with its Role).
4. Broken copies of each overlay (a misspelt field, a missing readiness probe, a liveness probe on /ready) must fail.
"""
import copy, json, os, shutil, subprocess, sys, tempfile

import jsonschema
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PACKAGE = os.path.join(REPO, "deploy", "kubernetes")
OVERLAYS = ["cpu", "nvidia", "trial"]
VENV_BIN = os.path.dirname(sys.executable)


def render(root, overlay):
    result = subprocess.run(["kubectl", "kustomize", os.path.join(root, overlay)], capture_output=True, text=True)
    if result.returncode != 0:
        raise Failure(f"kubectl kustomize {overlay}: {result.stderr.strip()}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


class Failure(Exception):
    pass


def validate_builtin(objects, label):
    """kubernetes-validate --strict on every object of a built-in kind."""
    problems = []
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for index, obj in enumerate(objects):
            if obj["apiVersion"].startswith("keda.sh/"):
                continue
            path = os.path.join(folder, f"{index:02d}-{obj['kind']}-{obj['metadata']['name']}.yaml")
            with open(path, "w") as handle:
                yaml.safe_dump(obj, handle)
            paths.append(path)
        result = subprocess.run([os.path.join(VENV_BIN, "kubernetes-validate"), "--strict", "--quiet", *paths],
                                capture_output=True, text=True)
        if result.returncode != 0:
            problems.append(f"{label}: kubernetes-validate: {(result.stdout + result.stderr).strip()}")
    return problems


def keda_schema():
    crd = None
    for doc in yaml.safe_load_all(open(os.path.join(PACKAGE, "schemas", "keda.sh_scaledobjects.yaml"))):
        if doc and doc.get("kind") == "CustomResourceDefinition":
            crd = doc
    versions = {v["name"]: v["schema"]["openAPIV3Schema"] for v in crd["spec"]["versions"]}
    return versions


def validate_keda(objects, label, schemas):
    problems = []
    for obj in objects:
        if obj["apiVersion"].startswith("keda.sh/"):
            version = obj["apiVersion"].split("/")[1]
            schema = schemas.get(version)
            if schema is None:
                problems.append(f"{label}: {obj['kind']} {obj['metadata']['name']}: KEDA has no version {version}")
                continue
            strict = close_objects(schema)
            for error in jsonschema.Draft7Validator(strict).iter_errors(obj):
                problems.append(f"{label}: ScaledObject {obj['metadata']['name']}: {error.message} at "
                                f"{'/'.join(map(str, error.absolute_path))}")
    return problems


def close_objects(schema):
    """The CRD's schema with unknown fields refused, as the API server prunes and `kubectl --validate=strict` refuses
    them (metadata excepted: its schema is the API server's own)."""
    schema = copy.deepcopy(schema)

    def walk(node, path):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node \
                    and not node.get("x-kubernetes-preserve-unknown-fields") and path != ("properties", "metadata"):
                node["additionalProperties"] = False
            for key, value in node.items():
                walk(value, path + (key,))
        elif isinstance(node, list):
            for value in node:
                walk(value, path)

    walk(schema, ())
    return schema


def pod_specs(objects):
    for obj in objects:
        if obj["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
            yield obj, obj["spec"]["template"]["spec"]


def spool_config(objects):
    for obj in objects:
        if obj["kind"] == "ConfigMap" and obj["metadata"]["name"].startswith("spool-config"):
            return json.loads(obj["data"]["config.json"])
    raise Failure("no spool-config ConfigMap")


def policy(objects, label):
    problems = []
    config = spool_config(objects)
    namespaces = [o for o in objects if o["kind"] == "Namespace"]
    if not any(n["metadata"].get("labels", {}).get("pod-security.kubernetes.io/enforce") == "restricted"
               for n in namespaces):
        problems.append(f"{label}: the namespace does not enforce the restricted pod security standard")
    if not any(o["kind"] == "NetworkPolicy" and o["spec"].get("podSelector") == {} and "ingress" not in o["spec"]
               for o in objects):
        problems.append(f"{label}: no default-deny ingress NetworkPolicy")
    drain = config.get("api", {}).get("drain_seconds", 3)
    shutdown_grace = config.get("worker", {}).get("shutdown_grace_seconds", 20)
    for obj, spec in pod_specs(objects):
        name = f"{label}: {obj['kind']} {obj['metadata']['name']}"
        security = spec.get("securityContext", {})
        containers = spec.get("containers", []) + spec.get("initContainers", [])
        for container in containers:
            where = f"{name} container {container['name']}"
            own = container.get("securityContext", {})
            if not (own.get("runAsNonRoot", security.get("runAsNonRoot")) is True):
                problems.append(f"{where}: may run as root (runAsNonRoot)")
            if own.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{where}: root filesystem is writable")
            if own.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}: privilege escalation allowed")
            if "ALL" not in own.get("capabilities", {}).get("drop", []):
                problems.append(f"{where}: capabilities not dropped")
            resources = container.get("resources", {})
            for kind in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    if resource not in resources.get(kind, {}):
                        problems.append(f"{where}: no {resource} {kind[:-1] if kind == 'limits' else 'request'}")
            if "spool" in container.get("image", "") and container.get("image", "").split(":")[0] == "spool":
                problems.append(f"{where}: image 'spool' was not pointed at a registry (images: in the overlay)")
        if obj["kind"] == "Job":
            continue
        for container in spec.get("containers", []):
            if "/spool" not in container.get("image", ""):
                continue
            where = f"{name} container {container['name']}"
            ready = container.get("readinessProbe", {}).get("httpGet", {}).get("path")
            live = container.get("livenessProbe", {}).get("httpGet", {}).get("path")
            if ready != "/ready":
                problems.append(f"{where}: readiness probe is {ready!r}, not /ready")
            if live != "/health":
                problems.append(f"{where}: liveness probe is {live!r}, not /health (liveness must not ask Redis)")
            role = container["args"][0]
            grace = spec.get("terminationGracePeriodSeconds", 30)
            needed = {"gateway": drain + 10, "worker": shutdown_grace + drain, "manager": 30}.get(role, 0)
            if grace <= needed:
                problems.append(f"{where}: terminationGracePeriodSeconds {grace} is not longer than its shutdown "
                                f"({needed} s)")
            if role == "worker":
                pool = container["args"][container["args"].index("--pool") + 1]
                gpu = "nvidia.com/gpu" in container.get("resources", {}).get("limits", {})
                if pool != "cpu" and not gpu:
                    problems.append(f"{where}: GPU pool {pool} without nvidia.com/gpu limits")
                if gpu and not (spec.get("nodeSelector") and spec.get("tolerations") and spec.get("runtimeClassName")):
                    problems.append(f"{where}: GPU worker without node selector, tolerations and runtimeClassName")
    # Exactly one thing scales each worker Deployment.
    workers = [o["metadata"]["name"] for o, _ in pod_specs(objects) if o["metadata"]["name"].startswith("spool-worker-")]
    scaled = {o["spec"]["scaleTargetRef"]["name"] for o in objects if o["kind"] == "ScaledObject"}
    manager = next(s for o, s in pod_specs(objects) if o["metadata"]["name"] == "spool-manager")
    env = {e["name"]: e.get("value") for c in manager["containers"] for e in c.get("env", [])}
    actuator = env.get("SPOOL_ACTUATOR", config.get("control_plane", {}).get("actuator", "gauge"))
    if actuator == "kubernetes":
        if scaled:
            problems.append(f"{label}: ScaledObjects {sorted(scaled)} fight the manager's kubernetes actuator")
        if not any(o["kind"] == "Role" and any("deployments/scale" in r.get("resources", []) for r in o["rules"])
                   for o in objects):
            problems.append(f"{label}: the kubernetes actuator has no Role on deployments/scale")
    else:
        for worker in workers:
            if worker not in scaled:
                problems.append(f"{label}: {worker} has no ScaledObject (actuator {actuator})")
    return problems


def check(root, overlays, schemas, verbose=True):
    problems = []
    for overlay in overlays:
        try:
            objects = render(root, overlay)
        except Failure as failure:
            problems.append(str(failure))
            continue
        found = validate_builtin(objects, overlay) + validate_keda(objects, overlay, schemas) + policy(objects, overlay)
        if verbose:
            kinds = {}
            for obj in objects:
                kinds[obj["kind"]] = kinds.get(obj["kind"], 0) + 1
            print(f"  {overlay}: {len(objects)} objects ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))})"
                  f" — {'ok' if not found else f'{len(found)} problems'}", flush=True)
        problems += found
    return problems


def with_actuator_component(root):
    """A kustomization beside the overlays, as a user would write one: the cpu overlay with the kubernetes-actuator
    component, and where the image comes from."""
    folder = os.path.join(root, "overlays", "cpu-kubernetes-actuator")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "kustomization.yaml"), "w") as handle:
        handle.write("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../cpu]\n"
                     "components: [../../components/kubernetes-actuator]\n"
                     "images: [{name: spool, newName: registry.example.com/spool, newTag: '0.1.0'}]\n")
    return "overlays/cpu-kubernetes-actuator"


def with_capacity_component(root):
    """The nvidia overlay with its l4 pool split into a spot and an on-demand part: followed by KEDA (the gauge), and
    scaled by the manager itself (the kubernetes-actuator component listed after it)."""
    made = []
    for name, components in (("nvidia-spot-and-on-demand", ["spot-and-on-demand"]),
                             ("nvidia-spot-and-on-demand-kubernetes-actuator",
                              ["spot-and-on-demand", "kubernetes-actuator"])):
        folder = os.path.join(root, "overlays", name)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "kustomization.yaml"), "w") as handle:
            handle.write("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../nvidia]\n"
                         f"components: [{', '.join('../../components/' + c for c in components)}]\n"
                         "images: [{name: spool, newName: registry.example.com/spool, newTag: '0.1.0'}]\n")
        made.append(f"overlays/{name}")
    return made


BREAKAGES = {
    "a misspelt field": ("base/gateway.yaml", "terminationGracePeriodSeconds:", "terminationGracePeriodSecond:"),
    # The trial overlay has no ScaledObject (its manager scales the workers), so only the others carry this one.
    "a misspelt ScaledObject field": ("base/keda-worker-cpu.yaml", "pollingInterval:", "pollInterval:",
                                      ["cpu", "nvidia"]),
    "a missing readiness probe": ("base/worker-cpu.yaml", "readinessProbe:", "startupProbe:"),
    "a liveness probe on /ready": ("base/manager.yaml", "livenessProbe:\n            httpGet: { path: /health",
                                   "livenessProbe:\n            httpGet: { path: /ready"),
}


def main():
    schemas = keda_schema()
    print("tests/deploy: the shipped package", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        root = os.path.join(scratch, "kubernetes")
        shutil.copytree(PACKAGE, root)
        overlays = [f"overlays/{o}" for o in OVERLAYS] + [with_actuator_component(root)] + with_capacity_component(root)
        problems = check(root, overlays, schemas)
    for problem in problems:
        print(f"  problem: {problem}", flush=True)
    broken_caught = 0
    broken_missed = []
    print("tests/deploy: broken copies must fail", flush=True)
    for what, (path, old, new, *only) in BREAKAGES.items():
        with tempfile.TemporaryDirectory() as scratch:
            root = os.path.join(scratch, "kubernetes")
            shutil.copytree(PACKAGE, root)
            target = os.path.join(root, path)
            text = open(target).read()
            if old not in text:
                raise SystemExit(f"tests/deploy: cannot break {path}: {old!r} is not in it (update BREAKAGES)")
            open(target, "w").write(text.replace(old, new, 1))
            for overlay in (only[0] if only else OVERLAYS):
                found = check(root, [f"overlays/{overlay}"], schemas, verbose=False)
                if found:
                    broken_caught += 1
                    print(f"  {overlay} with {what}: refused ({found[0][:160]})", flush=True)
                else:
                    broken_missed.append(f"{overlay} with {what}")
    for missed in broken_missed:
        print(f"  problem: {missed} passed the checks", flush=True)
    ok = not problems and not broken_missed
    print(f"deploy problems: {len(problems)} broken copies caught: {broken_caught}/{broken_caught + len(broken_missed)}",
          flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
