"""One typed settings object: every environment variable is declared here once, with its default.

CLI options map onto these fields, so `assay serve --port 9000` and `ASSAY_PORT=9000 assay serve`
mean the same thing.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return Path.home() / ".assay"


class Settings(BaseSettings):
    """Server configuration, read from `ASSAY_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="ASSAY_", extra="ignore")

    host: str = Field("127.0.0.1", description="Interface to listen on.")
    port: int = Field(8000, ge=0, le=65535, description="TCP port (0 picks a free one).")
    data_dir: Path = Field(default_factory=default_data_dir, description="Where the database lives.")
    db_url: str | None = Field(
        None, description="Database URL, e.g. duckdb:///path/assay.duckdb; default: a file in data_dir."
    )
    public_url: str | None = Field(
        None, description="The address clients should use (set when Assay runs behind a proxy)."
    )
    org_name: str = Field("local", description="Name of the organization created on first start.")
    max_body_bytes: int = Field(
        64 * 1024 * 1024, gt=0, description="Requests with a larger body are refused with 413."
    )
    db_memory_bytes: int = Field(
        4 * 1024**3,
        gt=0,
        description="Memory the database may use for all queries and writes together; beyond it, work "
        "spills to disk.",
    )
    db_temp_bytes: int = Field(
        8 * 1024**3, ge=0, description="Disk the database may spill to beyond its memory (0: never spill)."
    )
    disk_reserve_bytes: int = Field(
        32 * 1024 * 1024,
        ge=0,
        description="Free disk space a write must leave beyond the write-ahead log's size; below it "
        "writes get 507 (and reads go on) until space is freed. 0 turns the check off (DuckDB then "
        "finds out itself, which invalidates the database; Assay reopens it).",
    )
    query_timeout_s: float = Field(
        30.0, gt=0, description="A query running longer is stopped and answered with 408."
    )
    query_memory_bytes: int = Field(
        512 * 1024 * 1024,
        gt=0,
        description="Largest answer one query may return, and the memory its sorts and groups should keep "
        "under; a query needing more gets a 400.",
    )
    query_max_string_bytes: int = Field(
        1024 * 1024,
        gt=0,
        description="Longest string a query's concat() may build; a query building a longer one gets a 400.",
    )
    query_max_string_parts: int = Field(
        8, gt=0, description="Most field values one string expression of a query may combine."
    )
    # Attachments (docs/clients.md): a folder beside the database, or an S3-compatible bucket.
    attachments_dir: Path | None = Field(
        None, description="Folder for attachment bytes; default: <data_dir>/attachments."
    )
    s3_bucket: str | None = Field(None, description="Keep attachments in this S3 bucket instead of a folder.")
    s3_prefix: str = Field("assay/attachments", description="Key prefix inside the bucket.")
    s3_endpoint_url: str | None = Field(
        None, description="S3-compatible endpoint, e.g. http://minio:9000 (default: AWS)."
    )
    s3_region: str | None = Field(None, description="Region of the bucket.")
    s3_access_key_id: str | None = Field(None, description="Access key (default: boto3's own lookup).")
    s3_secret_access_key: str | None = Field(None, description="Secret key (default: boto3's own lookup).")
    max_attachment_bytes: int = Field(
        256 * 1024 * 1024, gt=0, description="Larger attachment uploads are refused with 413."
    )
    signing_key: str | None = Field(
        None,
        description="Secret for signed attachment URLs; default: a key kept in <data_dir>/signing.key. "
        "Servers sharing a bucket need the same one.",
    )
    attachment_url_ttl_s: int = Field(
        900, ge=10, le=7 * 24 * 3600, description="How long a signed attachment URL stays valid."
    )

    # LLM judges, classifiers and facets (docs/scoring.md): any OpenAI-compatible endpoint. The key
    # stays on the server: no route returns it.
    llm_base_url: str | None = Field(
        None,
        description="OpenAI-compatible API for LLM judges, classifiers and facets, e.g. "
        "https://api.openai.com/v1 (unset: only heuristic, SQL and rule scorers run).",
    )
    llm_api_key: SecretStr | None = Field(None, description="Key sent as `Authorization: Bearer` to it.")
    llm_model: str = Field(
        "gpt-4o-mini", min_length=1, description="Model of LLM judges unless they name one."
    )
    llm_concurrency: int = Field(4, ge=1, le=256, description="LLM calls in flight at once, per server.")
    llm_requests_per_minute: int = Field(
        120, ge=0, description="Most LLM calls started per minute, per server (0: no limit)."
    )
    llm_timeout_s: float = Field(
        60.0, gt=0, description="One LLM call longer than this fails (and is retried)."
    )
    llm_max_retries: int = Field(
        3, ge=0, le=20, description="Retries of an LLM call after a 429, a 5xx or a timeout (with backoff)."
    )
    embeddings_model: str | None = Field(
        None,
        description="Embedding model for topics, on the LLM endpoint (unset: topics cluster TF-IDF terms).",
    )
    # Background jobs (retrospective scoring, topics): durable, leased in chunks from the store.
    job_workers: int = Field(
        1, ge=0, le=32, description="Job worker threads of this server (0: this server runs no jobs)."
    )
    job_lease_s: float = Field(
        30.0, gt=0, description="How long a worker holds a chunk before another server may take it over."
    )
    job_chunk_rows: int = Field(100, ge=1, le=10_000, description="Rows one worker claims at a time.")

    def llm_configured(self) -> bool:
        return bool(self.llm_base_url)

    secure_cookies: bool | None = Field(
        None,
        description="Mark sign-in cookies Secure (sent over HTTPS only); default: when the request "
        "or the public URL uses HTTPS.",
    )
    session_days: float = Field(14, gt=0, description="A browser session ends after this many days unused.")
    link_hours: float = Field(
        72, gt=0, description="One-time sign-in and invitation links expire after this many hours."
    )
    signin_failures: int = Field(
        5,
        gt=0,
        description="Failed sign-ins per email (and 4x that per client) before further tries get 429.",
    )
    signin_window_s: float = Field(900, gt=0, description="The window in which failed sign-ins are counted.")
    smtp_host: str | None = Field(None, description="Send invitations by mail through this SMTP server.")
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP port.")
    smtp_user: str | None = Field(None, description="SMTP user name (with smtp_password).")
    smtp_password: str | None = Field(None, description="SMTP password.")
    smtp_from: str = Field("assay@localhost", description="The sender of invitation mails.")
    smtp_starttls: bool = Field(True, description="Upgrade the SMTP connection with STARTTLS.")

    def resolved_db_url(self) -> str:
        if self.db_url:
            return self.db_url
        return f"duckdb://{(self.data_dir / 'assay.duckdb').resolve()}"  # an absolute path: duckdb:///…

    def files_dir(self) -> Path:
        """The folder beside the database file (the data directory when the database is elsewhere)."""
        url = self.resolved_db_url()
        if url.startswith("duckdb:///"):
            return Path(url[len("duckdb://") :]).parent
        return self.data_dir

    def resolved_attachments_dir(self) -> Path:
        return self.attachments_dir or self.files_dir() / "attachments"
