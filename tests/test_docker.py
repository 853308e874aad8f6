"""The container image: built and run where a Docker engine answers, and kept in step with
the Procfile everywhere."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import pytest
import yaml

from tests.conftest import ROOT


def _procfile() -> dict[str, list[str]]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return {name.strip(): command.split() for name, command in (line.split(":", 1) for line in lines if line.strip())}


def test_compose_runs_the_procfiles_commands():
    services = yaml.safe_load((ROOT / "compose.yml").read_text())["services"]
    procfile = _procfile()
    assert {name: services[name]["command"] for name in procfile} == procfile
    assert "db" in services and "DATABASE_URL" in services["web"]["environment"]


def test_the_image_serves_the_procfiles_web_command():
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = next(line for line in dockerfile.splitlines() if line.startswith("CMD "))
    assert yaml.safe_load(cmd.removeprefix("CMD ")) == _procfile()["web"]
    assert "\nUSER " in dockerfile, "the image must not run as root"


def _docker_engine() -> str | None:
    docker = shutil.which("docker")
    if docker is None:
        return None
    answer = subprocess.run([docker, "info"], capture_output=True, timeout=20)
    return docker if answer.returncode == 0 else None


@pytest.mark.skipif(_docker_engine() is None, reason="no Docker engine answers here (`docker info` fails)")
def test_the_image_builds_runs_as_non_root_and_answers_in_the_terminal():
    docker = _docker_engine()
    assert docker is not None
    tag = f"ladderbot-test:{uuid.uuid4().hex[:8]}"
    subprocess.run([docker, "build", "-t", tag, str(ROOT)], check=True, capture_output=True, timeout=900)
    try:
        whoami = subprocess.run([docker, "run", "--rm", tag, "id", "-u"], capture_output=True, text=True, timeout=120)
        assert whoami.stdout.strip() not in ("", "0")
        answer = subprocess.run(
            [docker, "run", "--rm", tag, "ladderbot", "ask", "L3", "senior", "software"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert answer.returncode == 0 and "Senior Software Engineer" in answer.stdout
    finally:
        subprocess.run([docker, "rmi", "-f", tag], capture_output=True, timeout=120)
