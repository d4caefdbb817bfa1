"""Kafka (librdkafka's mock cluster, a real Kafka wire-protocol broker) and Redis for the streaming tests.

The mock cluster runs in a child process started through confluent-kafka, so a test can
freeze it (SIGSTOP) to make Kafka unreachable and thaw it (SIGCONT) to bring it back: the
broker advertises its own address in metadata, so a TCP proxy in front of the bootstrap
address would not stand between the app and the broker.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest

from tests.support.environment import REDIS_URL, missing_service, port_open

MOCK_BROKER = """
import sys, time
from confluent_kafka import Producer
keeper = Producer({"test.mock.num.brokers": 1, "bootstrap.servers": "unused", "log_level": 3})
broker = next(iter(keeper.list_topics(timeout=10).brokers.values()))
print(f"{broker.host}:{broker.port}", flush=True)
while True:
    time.sleep(3600)
"""


class MockKafka:
    """A mock Kafka cluster in its own process; `bootstrap` is its address."""

    def __init__(self) -> None:
        try:
            import confluent_kafka  # noqa: F401
        except ImportError:
            missing_service("confluent-kafka (the Kafka mock broker)", "pip install -e '.[test]'")
        self._process = subprocess.Popen(
            [sys.executable, "-c", MOCK_BROKER], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        self.bootstrap = self._process.stdout.readline().strip()  # type: ignore[union-attr]
        if not self.bootstrap:
            missing_service("the Kafka mock cluster", "pip install confluent-kafka")

    def freeze(self) -> None:
        """Kafka stops answering (connections hang, requests time out), as in a network outage."""
        os.kill(self._process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self._process.pid, signal.SIGCONT)

    def stop(self) -> None:
        self.thaw()
        self._process.kill()
        self._process.wait(timeout=10)


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """A mock Kafka cluster shared by the session's tests."""
    broker = MockKafka()
    yield broker.bootstrap
    broker.stop()


@pytest.fixture
def redis_url() -> str:
    if not port_open("127.0.0.1", 6379):
        missing_service(
            "Redis on 127.0.0.1:6379", 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ""'
        )
    return REDIS_URL


def unique_prefix() -> str:
    """Topic, consumer group and channel prefix of one test: tests never hear each other."""
    return f"t{uuid.uuid4().hex[:10]}"
