"""An S3-compatible server on 127.0.0.1 for tests: moto's standalone server (PyPI `moto[server]`).

It keeps objects in memory and speaks the S3 REST API, so Assay's boto3 backend talks to it as it
would to AWS S3 or MinIO.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx

from assay.testing import START_TIMEOUT_S, free_port

MOTO = str(Path(sys.executable).with_name("moto_server"))
CREDENTIALS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret"}


@dataclass
class S3Server:
    endpoint: str
    bucket: str

    def client(self) -> Any:
        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1", **CREDENTIALS)

    def settings(self) -> dict[str, str]:
        """The `ASSAY_*` variables that point a server at this bucket."""
        return {
            "ASSAY_S3_BUCKET": self.bucket,
            "ASSAY_S3_ENDPOINT_URL": self.endpoint,
            "ASSAY_S3_REGION": "us-east-1",
            "ASSAY_S3_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
            "ASSAY_S3_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        }

    def keys(self) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=self.bucket)
        return [o["Key"] for o in listed.get("Contents", [])]


@contextmanager
def s3_server(log: Path, bucket: str = "assay-test") -> Iterator[S3Server]:
    port = free_port()
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [MOTO, "-H", "127.0.0.1", "-p", str(port)], stdout=out, stderr=subprocess.STDOUT
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + START_TIMEOUT_S
        while True:
            try:
                httpx.get(endpoint, timeout=1)
                break
            except httpx.HTTPError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"moto_server did not start: {log.read_text()}") from None
                time.sleep(0.1)
        server = S3Server(endpoint, bucket)
        server.client().create_bucket(Bucket=bucket)
        yield server
    finally:
        proc.terminate()
        proc.wait(timeout=30)
