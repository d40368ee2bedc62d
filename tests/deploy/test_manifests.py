"""The Kubernetes manifests in deploy/k8s: schema-valid, and wired the way the app expects.

Every document is validated (strict: unknown fields are errors) against the Kubernetes JSON schemas that
the kubernetes-validate package ships, for the oldest cluster version we support and the newest one the
package knows.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import all_versions, major_minor
from packaging.version import Version

K8S_DIR = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
NAMESPACE = "boh"
SECRET_NAME = "boh-secrets"
CONFIGMAP_NAME = "boh-config"
OLDEST_SUPPORTED = "1.30"

Doc = dict[str, Any]


def _load() -> list[tuple[str, Doc]]:
    docs: list[tuple[str, Doc]] = []
    for path in sorted(K8S_DIR.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc is not None:
                docs.append((path.name, doc))
    return docs


DOCS = _load()


def _versions() -> list[str]:
    shipped = sorted({major_minor(v) for v in all_versions()}, key=Version)
    newest = shipped[-1]
    oldest = OLDEST_SUPPORTED if OLDEST_SUPPORTED in shipped else newest
    return sorted({oldest, newest}, key=Version)


def _find(kind: str, name: str) -> Doc:
    matches = [d for _, d in DOCS if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected exactly one {kind}/{name}, found {len(matches)}"
    return matches[0]


def _workloads() -> list[Doc]:
    return [d for _, d in DOCS if d["kind"] in {"Deployment", "Job", "StatefulSet", "DaemonSet", "CronJob"}]


def _pod_spec(workload: Doc) -> Doc:
    if workload["kind"] == "CronJob":
        return workload["spec"]["jobTemplate"]["spec"]["template"]["spec"]  # type: ignore[no-any-return]
    return workload["spec"]["template"]["spec"]  # type: ignore[no-any-return]


def _containers(workload: Doc) -> Iterator[Doc]:
    spec = _pod_spec(workload)
    yield from spec.get("initContainers", [])
    yield from spec["containers"]


def _argv(container: Doc) -> list[str]:
    return [*container.get("command", []), *container.get("args", [])]


def _secret_keys() -> set[str]:
    secret = _find("Secret", SECRET_NAME)
    return set(secret.get("stringData", {})) | set(secret.get("data", {}))


# ---------------------------------------------------------------------------------------------- schema


@pytest.mark.parametrize("version", _versions())
@pytest.mark.parametrize("doc", [d for _, d in DOCS], ids=[f"{f}:{d['kind']}/{d['metadata']['name']}" for f, d in DOCS])
def test_manifest_matches_kubernetes_schema(doc: Doc, version: str) -> None:
    assert kubernetes_validate.validate(doc, version, strict=True) == version


def test_validator_rejects_a_wrong_type() -> None:
    broken = copy.deepcopy(_find("Deployment", "boh-worker"))
    broken["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError) as exc:
        kubernetes_validate.validate(broken, _versions()[-1], strict=True)
    assert list(exc.value.path) == ["spec", "replicas"]


def test_validator_rejects_an_unknown_field_in_strict_mode() -> None:
    broken = copy.deepcopy(_find("Deployment", "boh-api"))
    broken["spec"]["template"]["spec"]["containers"][0]["imagePulPolicy"] = "Always"  # typo on purpose
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, _versions()[-1], strict=True)


# ------------------------------------------------------------------------------------------ inventory


def test_expected_objects_exist() -> None:
    found = {(d["kind"], d["metadata"]["name"]) for _, d in DOCS}
    assert found == {
        ("Namespace", NAMESPACE),
        ("ConfigMap", CONFIGMAP_NAME),
        ("Secret", SECRET_NAME),
        ("Job", "boh-migrate"),
        ("Deployment", "boh-api"),
        ("Service", "boh-api"),
        ("HorizontalPodAutoscaler", "boh-api"),
        ("PodDisruptionBudget", "boh-api"),
        ("Deployment", "boh-worker"),
        ("Deployment", "boh-ingest"),
        ("Service", "boh-ingest"),
        ("Ingress", "boh"),
    }


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text(encoding="utf-8"))
    manifests = {p.name for p in K8S_DIR.glob("*.yaml")} - {"kustomization.yaml"}
    assert kustomization["namespace"] == NAMESPACE
    assert sorted(kustomization["resources"]) == sorted(manifests)


def test_namespaced_objects_live_in_the_boh_namespace() -> None:
    for _, doc in DOCS:
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == NAMESPACE, doc["metadata"]["name"]


# -------------------------------------------------------------------------------------------- the API


def test_api_probes_use_readyz_and_healthz_on_the_served_port() -> None:
    (container,) = _find("Deployment", "boh-api")["spec"]["template"]["spec"]["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": 8000}
    readiness = container["readinessProbe"]["httpGet"]
    liveness = container["livenessProbe"]["httpGet"]
    assert readiness["path"] == "/readyz"
    assert liveness["path"] == "/healthz"
    assert readiness["port"] in ("http", 8000)
    assert liveness["port"] in ("http", 8000)


def test_api_serves_on_all_interfaces_and_leaves_migrations_to_the_job() -> None:
    (api,) = _find("Deployment", "boh-api")["spec"]["template"]["spec"]["containers"]
    argv = _argv(api)
    assert argv[:2] == ["boh", "serve"]
    assert argv[argv.index("--host") + 1] == "0.0.0.0"
    assert argv[argv.index("--port") + 1] == "8000"
    assert "--no-init" in argv
    (migrate,) = _pod_spec(_find("Job", "boh-migrate"))["containers"]
    assert _argv(migrate) == ["boh", "init"]
    assert _pod_spec(_find("Job", "boh-migrate"))["restartPolicy"] == "Never"


def test_hpa_scales_the_api_deployment_on_cpu() -> None:
    hpa = _find("HorizontalPodAutoscaler", "boh-api")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "boh-api"}
    assert hpa["spec"]["metrics"] == [
        {
            "type": "Resource",
            "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
        }
    ]
    assert 1 < hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
    # The HPA owns the replica count; a fixed `replicas:` would be reset on every `kubectl apply`.
    assert "replicas" not in _find("Deployment", "boh-api")["spec"]


def test_service_and_pdb_select_api_pods_only() -> None:
    api = _find("Deployment", "boh-api")
    api_labels = api["spec"]["template"]["metadata"]["labels"]
    worker_labels = _find("Deployment", "boh-worker")["spec"]["template"]["metadata"]["labels"]
    selector = api["spec"]["selector"]["matchLabels"]
    assert selector.items() <= api_labels.items()
    service = _find("Service", "boh-api")
    pdb = _find("PodDisruptionBudget", "boh-api")
    for labels in (service["spec"]["selector"], pdb["spec"]["selector"]["matchLabels"]):
        assert labels.items() <= api_labels.items()
        assert not labels.items() <= worker_labels.items()
    assert [p["targetPort"] for p in service["spec"]["ports"]] == ["http"]


def test_ingress_sends_floor_events_to_the_ingest_pods_and_the_rest_to_the_api() -> None:
    from boh.inventory.ingest.routes import router

    rules = _find("Ingress", "boh")["spec"]["rules"]
    paths = {p["path"]: (p["pathType"], p["backend"]["service"]["name"]) for r in rules for p in r["http"]["paths"]}
    assert paths == {"/api/v1/inventory/events": ("Exact", "boh-ingest"), "/": ("Prefix", "boh-api")}
    assert "/api/v1/inventory/events" in {getattr(r, "path", None) for r in router.routes}
    ingest = _find("Deployment", "boh-ingest")
    ingest_labels = ingest["spec"]["template"]["metadata"]["labels"]
    api_labels = _find("Deployment", "boh-api")["spec"]["template"]["metadata"]["labels"]
    selector = _find("Service", "boh-ingest")["spec"]["selector"]
    assert selector.items() <= ingest_labels.items()
    assert not selector.items() <= api_labels.items()
    (container,) = ingest["spec"]["template"]["spec"]["containers"]
    assert _argv(container) == _argv(_find("Deployment", "boh-api")["spec"]["template"]["spec"]["containers"][0])


# ----------------------------------------------------------------------------------------- the worker


def test_worker_runs_boh_worker_with_the_broker_url_from_the_secret() -> None:
    worker = _find("Deployment", "boh-worker")
    (container,) = worker["spec"]["template"]["spec"]["containers"]
    assert _argv(container) == ["boh", "worker"]
    assert "ports" not in container
    broker = [e for e in container.get("env", []) if e["name"] == "BOH_BROKER_URL"]
    assert broker == [
        {"name": "BOH_BROKER_URL", "valueFrom": {"secretKeyRef": {"name": SECRET_NAME, "key": "BOH_BROKER_URL"}}}
    ]
    assert _find("Secret", SECRET_NAME)["stringData"]["BOH_BROKER_URL"].startswith("redis://")


# ------------------------------------------------------------------------------- every workload (pods)


@pytest.mark.parametrize("workload", _workloads(), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_workload_runs_as_non_root_with_limits(workload: Doc) -> None:
    spec = _pod_spec(workload)
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] != 0
    assert spec.get("automountServiceAccountToken") is False
    for container in _containers(workload):
        assert {"cpu", "memory"} <= container["resources"]["requests"].keys(), container["name"]
        assert {"cpu", "memory"} <= container["resources"]["limits"].keys(), container["name"]
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]


@pytest.mark.parametrize("workload", _workloads(), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_workload_takes_secrets_by_reference_only(workload: Doc) -> None:
    secret_keys = _secret_keys()
    for container in _containers(workload):
        env_from = container.get("envFrom", [])
        assert {"configMapRef": {"name": CONFIGMAP_NAME}} in env_from
        assert {"secretRef": {"name": SECRET_NAME}} in env_from
        for ref in env_from:
            assert set(ref) <= {"configMapRef", "secretRef"}, ref
        for var in container.get("env", []):
            assert "value" not in var or var["name"] not in secret_keys, f"{var['name']} is inlined"
            assert "://" not in str(var.get("value", "")), f"{var['name']} looks like a URL with credentials"
            key_ref = var.get("valueFrom", {}).get("secretKeyRef")
            if key_ref is not None:
                assert key_ref["name"] == SECRET_NAME
                assert key_ref["key"] in secret_keys


def test_secret_holds_the_secrets_and_the_configmap_does_not() -> None:
    assert _secret_keys() == {"BOH_DATABASE_URL", "BOH_SECRET_KEY", "BOH_BROKER_URL"}
    assert _find("Secret", SECRET_NAME)["stringData"]["BOH_DATABASE_URL"].startswith("postgresql://")
    config = _find("ConfigMap", CONFIGMAP_NAME)["data"]
    assert config, "the ConfigMap is empty"
    assert all(key.startswith("BOH_") for key in config)
    assert not config.keys() & _secret_keys()
