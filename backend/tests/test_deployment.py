"""docker-compose.kafka.yml and the Dockerfile, checked without a Docker engine.

The compose file must be valid against the Compose Specification's JSON schema (vendored in
tests/support, see its NOTICE), and every variable it sets for the app must be a real setting
that the Settings class accepts as a whole: a typo or a removed setting fails here, not at
`docker compose up`.
"""

from __future__ import annotations

import copy
import json
import shlex
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from app.core.config import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.kafka.yml"
DOCKERFILE = ROOT / "Dockerfile"
SCHEMA = Path(__file__).resolve().parent / "support" / "compose-spec.json"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft201909Validator:
    schema = json.loads(SCHEMA.read_text())
    # The file names draft 2019-09 by an old spelling of its URL ("http://...#").
    jsonschema.Draft201909Validator.check_schema(schema)
    return jsonschema.Draft201909Validator(schema)


def app_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services that run our image (the ones built from the Dockerfile)."""
    return {name: service for name, service in compose["services"].items() if "build" in service}


def environment_of(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):  # the KEY=VALUE list form
        environment = dict(item.split("=", 1) for item in environment)
    return {name: str(value) for name, value in environment.items()}


def test_compose_file_is_valid_against_the_compose_specification(compose, validator) -> None:
    errors = sorted(validator.iter_errors(compose), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_the_schema_rejects_what_compose_would_reject(compose, validator) -> None:
    # The validator is not a rubber stamp: a misspelt key or a bad depends_on condition fails.
    broken = copy.deepcopy(compose)
    broken["services"]["app"]["healthchek"] = broken["services"]["app"].pop("healthcheck")
    assert not validator.is_valid(broken)
    broken = copy.deepcopy(compose)
    broken["services"]["app"]["depends_on"]["postgres"]["condition"] = "service_ready"
    assert not validator.is_valid(broken)


def test_every_variable_set_for_the_app_is_a_setting(compose) -> None:
    settings = {name.upper() for name in Settings.model_fields}
    for name, service in app_services(compose).items():
        unknown = set(environment_of(service)) - settings
        assert not unknown, f"{name} sets {sorted(unknown)}, which are not fields of app.core.config.Settings"


def test_the_app_environment_is_a_configuration_the_service_starts_with(compose, monkeypatch) -> None:
    for service in app_services(compose).values():
        with monkeypatch.context() as env:
            for name, value in environment_of(service).items():
                env.setenv(name, value)
            settings = Settings(_env_file=None)
        assert settings.kafka_enabled and settings.redis_enabled
        assert settings.database_dialect == "postgresql"
        host = settings.kafka_bootstrap_servers.split(":")[0]
        assert host in compose["services"], f"KAFKA_BOOTSTRAP_SERVERS names {host}, not a service of the file"


def test_two_replicas_wait_for_healthy_dependencies(compose) -> None:
    apps = app_services(compose)
    assert len(apps) >= 2, "a second replica shows the fan-out across replicas"
    assert {"postgres", "kafka", "redis"} <= set(compose["services"])
    assert "zookeeper" not in compose["services"]
    for name, service in compose["services"].items():
        assert "healthcheck" in service, f"{name} has no health check"
    waits: dict[str, set[str]] = {
        name: {dep for dep, cond in service["depends_on"].items() if cond["condition"] == "service_healthy"}
        for name, service in apps.items()
    }

    def reaches(name: str) -> set[str]:  # every service `name` waits for, directly or through another
        found = set(waits.get(name, set()))
        for dep in list(found):
            found |= reaches(dep)
        return found

    for name in apps:
        assert {"postgres", "kafka", "redis"} <= reaches(name), f"{name} may start before its dependencies"


def test_kafka_runs_in_kraft_mode(compose) -> None:
    kafka = environment_of(compose["services"]["kafka"])
    assert "controller" in kafka["KAFKA_PROCESS_ROLES"]
    assert kafka["KAFKA_CONTROLLER_QUORUM_VOTERS"].startswith(f"{kafka['KAFKA_NODE_ID']}@")
    assert not any("ZOOKEEPER" in name for name in kafka)


def test_data_lives_in_named_volumes(compose) -> None:
    declared = set(compose["volumes"])
    for name, service in compose["services"].items():
        for mount in service.get("volumes", []):
            source = mount.split(":", 1)[0] if isinstance(mount, str) else mount["source"]
            assert source in declared, f"{name} mounts {source}, which is not a named volume"
    stateful = {"postgres", "kafka", "redis"}
    assert stateful <= {name for name, service in compose["services"].items() if service.get("volumes")}


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_dockerfile_is_slim_unprivileged_and_migrates_before_serving() -> None:
    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    users = [argument for keyword, argument in instructions if keyword == "USER"]
    assert users and users[-1] not in ("root", "0"), "the service must not run as root"
    for keyword, argument in instructions:
        if keyword == "COPY" and "--from" not in argument:
            for source in shlex.split(argument)[:-1]:
                assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
    command = " ".join(json.loads(next(argument for keyword, argument in instructions if keyword == "CMD")))
    assert command.index("inventory db upgrade") < command.index("inventory serve --host 0.0.0.0")
