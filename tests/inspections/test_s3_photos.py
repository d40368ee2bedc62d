"""Photos stored in an S3-compatible bucket: a real S3 API served locally by moto's server mode."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from moto.server import ThreadedMotoServer

from boh.bootstrap import Runtime
from boh.inspections.adapters import open_photo_store
from boh.settings import BlobSettings
from tests.inspections.helpers import jpeg, shop
from tests.inspections.test_visits import API, AT_STORE

KEYS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret"}


@pytest.fixture
def s3_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def test_photos_go_to_the_bucket_and_come_back(
    runtime: Runtime, app: FastAPI, client: TestClient, s3_url: str, tmp_path: Path
) -> None:
    s3 = boto3.client("s3", endpoint_url=s3_url, region_name="us-east-1", **KEYS)
    s3.create_bucket(Bucket="boh-photos")
    blobs = BlobSettings(bucket="boh-photos", endpoint_url=s3_url, region="us-east-1", prefix="tenant-data",
                         access_key_id=KEYS["aws_access_key_id"], secret_access_key=KEYS["aws_secret_access_key"])  # type: ignore[arg-type]  # fmt: skip
    settings = app.state.settings.model_copy(update={"blobs": blobs, "data_dir": tmp_path})
    app.state.inspection_photos = open_photo_store(settings=settings)
    s = shop(runtime, client)
    body = {"site_id": s.site, "template_id": s.template["id"], "idempotency_key": "s3"}
    vid = client.post(f"{API}/visits", json=body, headers=s.inspector).json()["id"]
    client.post(f"{API}/visits/{vid}/checkin", json=AT_STORE, headers=s.inspector)
    data = jpeg()
    r = client.post(f"{API}/visits/{vid}/photos", files={"file": ("p.jpg", data, "image/jpeg")},
                    data={"item_key": "shelf_photo", "client_id": "s3-1"}, headers=s.inspector)  # fmt: skip
    assert r.status_code == 201, r.text
    digest = hashlib.sha256(data).hexdigest()
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="boh-photos")["Contents"])
    base = f"tenant-data/inspections/{s.tenant.id}/{digest[:2]}/{digest}"
    assert keys == [f"{base}.jpeg", f"{base}.thumb.jpeg"]
    assert s3.get_object(Bucket="boh-photos", Key=f"{base}.jpeg")["Body"].read() == data
    got = client.get(r.json()["url"], headers=s.inspector)
    assert got.status_code == 200 and got.content == data
    assert not any(tmp_path.rglob("*.jpeg"))  # nothing on the local disk
