"""``pip install .`` (not editable) gives a working kg: the wheel holds the queries, the Neo4j launcher sources,
the compose file and the extractors' models, and the installed ``kg`` finds them with importlib.resources."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
SOURCES = ("pyproject.toml", "README.md", "kg", "extractors", "queries", "docker")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the sources, installed into a directory of its own."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "target", "*.egg-info"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy(path, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp / "dist"), str(source)],
                   check=True, timeout=600)
    [wheel] = (tmp / "dist").glob("kg-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--no-index", "--target", str(tmp / "site"), str(wheel)],
                   check=True, timeout=600)
    return tmp / "site"


def _python(site: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Python with the wheel's directory first on its path (run elsewhere than the source tree, which ``-c`` and
    ``-m`` would put first)."""
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=cwd or site.parent,
                          timeout=600, check=False)


def test_the_installed_package_is_the_wheel_not_the_source_tree(installed: Path) -> None:
    result = _python(installed, "-c", "import kg, extractors; print(kg.__file__); print(extractors.__file__)")
    assert result.stdout.splitlines() == [str(installed / "kg" / "__init__.py"),
                                          str(installed / "extractors" / "__init__.py")]


def test_version_and_queries_work_from_the_wheel(installed: Path) -> None:
    result = _python(installed, "-m", "kg", "--version")
    assert result.returncode == 0 and result.stdout.startswith("kg ")
    result = _python(installed, "-m", "kg", "query", "--list")
    assert result.returncode == 0 and "search_entities" in result.stdout, result.stderr


def test_the_launcher_sources_and_compose_file_are_in_the_wheel(installed: Path) -> None:
    code = ("from kg import neo4j_server as s; print(s.LAUNCHER_DIR); print(s.COMPOSE_FILE); "
            "print(s._source_digest())")
    wheel = _python(installed, "-c", code).stdout.splitlines()
    source = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            timeout=60, cwd=ROOT).stdout.splitlines()
    assert wheel[0] == str(installed / "kg" / "data" / "launcher")
    assert (Path(wheel[0]) / "pom.xml").is_file() and Path(wheel[1]).is_file()
    assert wheel[2] == source[2]  # kg neo4j start builds the same launcher from the wheel


def test_extract_works_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    out = tmp_path / "records.jsonl"
    result = _python(installed, "-m", "kg", "extract", str(FIXTURES / "papers.jsonl"), "-o", str(out), "-q",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3
