"""Attachment blobs in an S3-compatible object store (AWS S3, MinIO, Ceph, …), through boto3.

Chosen when `ASSAY_S3_BUCKET` is set; several Assay servers pointed at one bucket (and one
signing key) share attachments. A `PUT` of a whole object is atomic and durable in S3's model,
which is what `BlobStore.put` promises.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from assay.store.blobs import CHUNK

MISSING = ("404", "NoSuchKey", "NotFound")


class S3BlobStore:
    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.endpoint_url = endpoint_url
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}, s3={"addressing_style": "path"}),
        )

    def _key(self, name: str) -> str:
        return self.prefix + name

    def put(self, name: str, data: BinaryIO) -> int:
        start = data.tell()
        data.seek(0, 2)
        size = data.tell() - start
        data.seek(start)
        self.client.put_object(Bucket=self.bucket, Key=self._key(name), Body=data, ContentLength=size)
        return size

    def size(self, name: str) -> int | None:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) in MISSING:
                return None
            raise
        return int(head["ContentLength"])

    def read(self, name: str) -> Iterator[bytes] | None:
        try:
            got = self.client.get_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) in MISSING:
                return None
            raise
        body = got["Body"]

        def chunks() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(CHUNK)
            finally:
                body.close()

        return chunks()

    def describe(self) -> str:
        where = f" at {self.endpoint_url}" if self.endpoint_url else ""
        return f"s3://{self.bucket}/{self.prefix}{where}"
