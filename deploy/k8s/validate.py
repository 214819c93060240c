#!/usr/bin/env python3
"""Offline checks of the manifests in this folder (no cluster needed).

    python3 deploy/k8s/validate.py [--schemas DIR]

Parses every *.yaml here and checks what the two Jobs must agree on: an Indexed embed Job whose completions equal its
--shards, the store and password from the Secret, every $(VAR) of the args defined, the images mounted read-only at
the same path in both Jobs, the same image and --model, CPU requests equal to limits, a writable /tmp under a
read-only root file system, and no password in any file. With --schemas DIR (a folder of kubernetes-json-schema
"standalone-strict" files: job-batch-v1.json, persistentvolumeclaim-v1.json, …) each object is also validated against
its JSON schema (needs python3-jsonschema). Exit 0 when everything holds, 1 otherwise. Needs python3-yaml.
"""
import argparse
import glob
import json
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
problems = []


def check(ok, message):
    if not ok:
        problems.append(message)
    return ok


def arg_after(args, flag):
    return args[args.index(flag) + 1] if flag in args and args.index(flag) + 1 < len(args) else None


def quantity(q):
    """CPU or memory quantity as a float (cores or bytes)."""
    q = str(q)
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}
    for unit, factor in sorted(units.items(), key=lambda u: -len(u[0])):
        if q.endswith(unit):
            return float(q[: -len(unit)]) * factor
    return float(q)


def check_job(path, job):
    name = job.get("metadata", {}).get("name", "?")
    where = f"{os.path.basename(path)} job/{name}"
    spec = job.get("spec") or {}
    pod = (spec.get("template") or {}).get("spec") or {}
    check(job.get("apiVersion") == "batch/v1", f"{where}: apiVersion must be batch/v1")
    check(pod.get("restartPolicy") in ("Never", "OnFailure"), f"{where}: a Job's pods need restartPolicy Never or OnFailure")
    if "podFailurePolicy" in spec:
        check(pod.get("restartPolicy") == "Never", f"{where}: podFailurePolicy requires restartPolicy Never")
    if "backoffLimitPerIndex" in spec:
        check(spec.get("completionMode") == "Indexed", f"{where}: backoffLimitPerIndex needs completionMode Indexed")
    sc = pod.get("securityContext") or {}
    check(sc.get("runAsNonRoot") is True, f"{where}: runAsNonRoot should be true")
    volumes = {v["name"]: v for v in pod.get("volumes") or []}
    containers = pod.get("containers") or []
    check(len(containers) == 1, f"{where}: expected one container")
    c = containers[0] if containers else {}
    check(bool(c.get("name")) and bool(c.get("image")), f"{where}: the container needs a name and an image")
    args = [str(a) for a in c.get("args") or []]
    env = {e["name"]: e for e in c.get("env") or []}
    for var in re.findall(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", " ".join(args)):
        check(var in env, f"{where}: args use $({var}) but the container defines no such env variable")
    check(arg_after(args, "--store") == "$(STORE)", f"{where}: --store must be $(STORE) (from the Secret)")
    for var in ("STORE", "PGPASSWORD"):
        ref = (env.get(var, {}).get("valueFrom") or {}).get("secretKeyRef") or {}
        check(ref.get("name") == "imagecluster-store" and ref.get("key") == var,
              f"{where}: {var} must come from secretKeyRef imagecluster-store/{var}")
    res = c.get("resources") or {}
    for kind in ("cpu", "memory"):
        req, lim = (res.get("requests") or {}).get(kind), (res.get("limits") or {}).get(kind)
        if check(req is not None and lim is not None, f"{where}: resources need requests and limits for {kind}"):
            check(quantity(req) <= quantity(lim), f"{where}: {kind} request {req} above its limit {lim}")
            if kind == "cpu":
                check(quantity(req) == quantity(lim), f"{where}: cpu request {req} != limit {lim} (the CLI starts a thread per core it sees)")
    mounts = {m["mountPath"]: m for m in c.get("volumeMounts") or []}
    csc = c.get("securityContext") or {}
    if csc.get("readOnlyRootFilesystem"):
        tmp = mounts.get("/tmp")
        check(tmp is not None and "emptyDir" in volumes.get(tmp["name"], {}),
              f"{where}: a read-only root file system needs an emptyDir at /tmp")
        cache = (env.get("XDG_CACHE_HOME") or {}).get("value", "")
        check(cache.startswith("/tmp/"), f"{where}: XDG_CACHE_HOME must point into the writable /tmp (the built-in model is written there)")
    for mount in mounts.values():
        check(mount["name"] in volumes, f"{where}: volumeMount {mount['name']} has no volume")
    images = args[1] if len(args) > 1 else None
    m = mounts.get(images)
    if check(m is not None, f"{where}: the images folder {images} is not a mount path"):
        claim = (volumes.get(m["name"]) or {}).get("persistentVolumeClaim") or {}
        check(m.get("readOnly") is True and claim.get("readOnly") is True,
              f"{where}: the images volume must be mounted read-only (mount and claim)")
    return {"args": args, "image": c.get("image"), "images": images, "mounts": mounts, "volumes": volumes, "spec": spec, "where": where}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schemas", help="folder of kubernetes-json-schema standalone-strict JSON files")
    options = parser.parse_args()
    objects = []
    for path in sorted(glob.glob(os.path.join(HERE, "*.yaml"))):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        check(not re.search(r"postgres(ql)?://[^/@\s:]+:[^@\s]+@", text), f"{os.path.basename(path)}: a password in a store URL")
        for doc in yaml.safe_load_all(text):
            if doc is None:
                continue
            if os.path.basename(path) == "kustomization.yaml":
                for resource in doc.get("resources") or []:
                    check(os.path.exists(os.path.join(HERE, resource)), f"kustomization.yaml: {resource} does not exist")
                continue
            check(bool(doc.get("apiVersion")) and bool(doc.get("kind")) and bool((doc.get("metadata") or {}).get("name")),
                  f"{os.path.basename(path)}: every object needs apiVersion, kind and metadata.name")
            objects.append((path, doc))
    jobs = {doc["metadata"]["name"]: check_job(path, doc) for path, doc in objects if doc.get("kind") == "Job"}
    embed, cluster = jobs.get("imagecluster-embed"), jobs.get("imagecluster-cluster")
    if check(embed is not None and cluster is not None, "expected the Jobs imagecluster-embed and imagecluster-cluster"):
        spec, args, where = embed["spec"], embed["args"], embed["where"]
        check(args[:1] == ["embed"], f"{where}: the command must be embed")
        check(spec.get("completionMode") == "Indexed", f"{where}: completionMode must be Indexed (the CLI reads JOB_COMPLETION_INDEX)")
        check("--shard" not in args, f"{where}: --shard I/N would give every pod the same part; use --shards N")
        shards = arg_after(args, "--shards")
        if check(shards is not None and shards.isdigit(), f"{where}: --shards N is missing"):
            check(int(shards) == spec.get("completions"), f"{where}: --shards {shards} must equal completions {spec.get('completions')}")
        check(1 <= (spec.get("parallelism") or 1) <= (spec.get("completions") or 0), f"{where}: parallelism must be 1..completions")
        args, where = cluster["args"], cluster["where"]
        check(args[:1] == ["cluster"], f"{where}: the command must be cluster")
        check((arg_after(args, "--k") or "").isdigit(), f"{where}: --k K is missing")
        out = arg_after(args, "--out") or ""
        runs = [p for p, m in cluster["mounts"].items() if out.startswith(p.rstrip("/") + "/") and not m.get("readOnly")]
        check(bool(runs), f"{where}: --out {out or '(missing)'} is not inside a writable mount")
        check(not out.startswith(cluster["images"].rstrip("/") + "/"), f"{where}: --out must not be inside the images folder")
        check(embed["images"] == cluster["images"], "both Jobs must read the images at the same path (the store keys files by it)")
        claim = lambda j: j["volumes"][j["mounts"][j["images"]]["name"]]["persistentVolumeClaim"]["claimName"]
        if embed["images"] in embed["mounts"] and cluster["images"] in cluster["mounts"]:
            check(claim(embed) == claim(cluster), "both Jobs must mount the same images claim")
        check(embed["image"] == cluster["image"], "both Jobs must run the same container image")
        check(arg_after(embed["args"], "--model") == arg_after(cluster["args"], "--model"),
              "both Jobs must name the same --model (or none): the store keys vectors by model")
    if options.schemas:
        import jsonschema
        for path, doc in objects:
            schema_file = os.path.join(options.schemas, f"{doc['kind'].lower()}-{doc['apiVersion'].replace('/', '-')}.json")
            if doc["apiVersion"] == "v1":
                schema_file = os.path.join(options.schemas, f"{doc['kind'].lower()}-v1.json")
            if not check(os.path.exists(schema_file), f"{os.path.basename(path)}: no schema {schema_file}"):
                continue
            with open(schema_file, encoding="utf-8") as f:
                validator = jsonschema.Draft4Validator(json.load(f))
            for error in validator.iter_errors(doc):
                problems.append(f"{os.path.basename(path)} {doc['kind']}/{doc['metadata']['name']}: "
                                f"{'/'.join(str(p) for p in error.absolute_path)}: {error.message[:200]}")
    for p in problems:
        print(f"FAIL {p}")
    print(f"{len(objects)} objects in {len({p for p, _ in objects})} files: " + ("OK" if not problems else f"{len(problems)} problem(s)"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
