"""Settings: every knob of the service, read from the environment or `.env`.

Each field's description is the documentation of the setting; `.env.example` and the
README's configuration table are written from this class. Unsafe combinations are refused
when the settings are built, with a message that says what to change.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./inventory.db"


class SettingsError(ValueError):
    """A combination of settings the service refuses to start with."""


class Settings(BaseSettings):
    """Configuration of one service process."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False)

    environment: Literal["development", "production", "test"] = Field(
        "development",
        description="development, test or production; production refuses demo-only settings.",
    )
    database_url: SecretStr = Field(
        SecretStr(DEFAULT_DATABASE_URL),
        description="SQLAlchemy async URL: sqlite+aiosqlite:///./file.db or postgresql+asyncpg://user:pass@host/db.",
    )
    database_pool_size: int = Field(
        20,
        ge=1,
        le=200,
        description=(
            "Connections kept open per process (PostgreSQL); as many again may open for bursts. Below the requests "
            "a process serves at once, connections are opened and closed under load."
        ),
    )
    database_pool_pre_ping: bool = Field(
        False,
        description=(
            "Test each pooled connection before use (PostgreSQL; three round trips a request). Off, a connection "
            "the server dropped fails one request with 503 and the pool reconnects; turn on behind a proxy that "
            "drops idle connections."
        ),
    )
    database_echo: bool = Field(False, description="Log every SQL statement (debugging only).")

    kafka_enabled: bool = Field(False, description="Publish events through Kafka instead of the in-process bus.")
    kafka_bootstrap_servers: str = Field(
        "", description="Kafka brokers, host:port[,host:port]; required when KAFKA_ENABLED."
    )
    kafka_topic_prefix: str = Field(
        "inventory", description="Prefix of the topics: <prefix>.orders, .stock, .alerts, .forecasts."
    )
    kafka_consumer_group: str = Field("inventory-fanout", description="Consumer group of the fan-out consumer.")

    redis_enabled: bool = Field(False, description="Fan events out to every replica through Redis pub/sub.")
    redis_url: str = Field("redis://127.0.0.1:6379/0", description="Redis URL used when REDIS_ENABLED.")
    redis_channel_prefix: str = Field(
        "inventory", description="Prefix of the Redis channels and keys this deployment uses."
    )

    outbox_poll_seconds: float = Field(
        0.5,
        gt=0,
        le=60,
        description="After publishing, how soon the outbox relay looks again for events it was not told about.",
    )
    outbox_idle_poll_seconds: float = Field(
        5.0,
        gt=0,
        le=600,
        description="Longest wait between those looks while no events come (the wait doubles up to it).",
    )
    outbox_batch_interval_seconds: float = Field(
        0.02,
        ge=0,
        le=1,
        description=(
            "Shortest time between two batches of the outbox relay while events keep coming: under load the "
            "events of several orders go in one batch; a lone event is published at once."
        ),
    )
    stream_client_queue: int = Field(
        1000,
        ge=10,
        le=1_000_000,
        description="Events a socket client may have waiting before it counts as slow and is dropped.",
    )
    stream_heartbeat_seconds: float = Field(
        15.0, gt=0, le=300, description="Seconds between keep-alive pings on WebSocket and SSE streams."
    )

    auth_enabled: bool = Field(True, description="Require an API key (Authorization: Bearer) for writes.")
    auth_require_for_reads: bool = Field(False, description="Require an API key for reads too.")
    metrics_access: Literal["open", "viewer", "operator", "admin"] = Field(
        "viewer", description="Who may scrape GET /metrics: open, or the least role (viewer is open while reads are)."
    )
    api_key_cache_seconds: float = Field(
        1.0,
        ge=0,
        le=1,
        description="How long a verified API key is trusted before it is looked up again (0: every request); a revoked key fails on every replica within it.",
    )
    write_rate_limit_per_minute: int = Field(
        600, ge=0, le=1_000_000, description="Writes one API key may make per minute, per process; 0 turns it off."
    )

    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed to call the API from a browser (JSON list)."
    )
    max_upload_mb: int = Field(50, ge=1, le=10_000, description="Largest accepted upload, in megabytes.")
    max_upload_rows: int = Field(2_000_000, ge=1, description="Most data rows accepted in one uploaded file.")
    max_request_body_kb: int = Field(
        1024, ge=1, le=102_400, description="Largest JSON request body, in kilobytes (uploads have MAX_UPLOAD_MB)."
    )
    ingest_chunk_rows: int = Field(50_000, ge=100, description="Rows validated and written per chunk during ingestion.")
    default_lead_time_days: int = Field(
        14, ge=0, le=365, description="Lead time given to a product that ingestion creates without a stock file."
    )
    sales_tax_rate: float = Field(
        0.08, ge=0, le=1, description="Tax rate applied to API orders (fraction of the net line amount)."
    )

    forecast_horizon_weeks: int = Field(13, ge=1, le=52, description="Weeks ahead a forecast covers.")
    forecast_workers: int = Field(
        0, ge=0, le=64, description="Processes that fit models in parallel; 0 means one per core."
    )

    service_level: float = Field(
        0.95, gt=0.5, lt=1, description="Target probability of not running out during a lead time."
    )
    ordering_cost: float = Field(50.0, ge=0, description="Cost of placing one purchase order (EOQ's S).")
    holding_cost_rate: float = Field(
        0.25, gt=0, le=5, description="Yearly holding cost as a fraction of unit cost (EOQ's H = rate x unit cost)."
    )
    dead_stock_days: int = Field(
        90, ge=1, le=3650, description="Days without a sale after which stock on hand is dead stock."
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Log level of the service.")

    @property
    def database_dialect(self) -> str:
        """`sqlite` or `postgresql`, from DATABASE_URL."""
        return self.database_url.get_secret_value().split(":", 1)[0].split("+", 1)[0]

    @model_validator(mode="after")
    def _refuse_unsafe_combinations(self) -> Settings:
        problems: list[str] = []
        url = self.database_url.get_secret_value()
        if self.database_dialect not in ("sqlite", "postgresql"):
            problems.append(
                "DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg:// "
                f"(got a '{self.database_dialect}' URL)."
            )
        elif "+" not in url.split(":", 1)[0]:
            problems.append("DATABASE_URL needs an async driver: use sqlite+aiosqlite:// or postgresql+asyncpg://.")
        if self.kafka_enabled and not self.kafka_bootstrap_servers.strip():
            problems.append("KAFKA_ENABLED is true but KAFKA_BOOTSTRAP_SERVERS is empty: set it to host:port.")
        if self.auth_require_for_reads and not self.auth_enabled:
            problems.append("AUTH_REQUIRE_FOR_READS=true needs AUTH_ENABLED=true (keys for reads but not for writes).")
        if self.environment == "production":
            if "*" in self.cors_origins:
                problems.append('ENVIRONMENT=production with CORS_ORIGINS ["*"]: list the dashboard\'s origins.')
            if self.database_dialect == "sqlite":
                problems.append("ENVIRONMENT=production with SQLite: set DATABASE_URL to a postgresql+asyncpg:// URL.")
            if not self.auth_enabled:
                problems.append("ENVIRONMENT=production with AUTH_ENABLED=false: enable API keys.")
            if self.kafka_enabled and not self.redis_enabled:
                problems.append(
                    "ENVIRONMENT=production with Kafka but not Redis: set REDIS_ENABLED=true so every "
                    "replica's sockets get every event."
                )
        if problems:
            raise SettingsError("Refusing to start: " + " ".join(problems))
        return self


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
