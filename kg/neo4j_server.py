"""Start, stop and inspect the Neo4j 5.26 community server that kg writes to.

With a Docker engine and Compose v2 the server is the ``neo4j`` service of ``docker/docker-compose.yml``.
Without them it is the embedded launcher in ``docker/launcher``: built once with Maven into the
cache dir, then run as a detached JVM that serves Bolt on 127.0.0.1 with authentication on. Both are
package data (``kg/data/docker-compose.yml`` and ``kg/data/launcher`` link to them in a source tree), found
with :mod:`importlib.resources`, so an installed wheel starts a server too.

There is no default password: unless ``NEO4J_PASSWORD`` is set, the first ``start`` generates one and
stores it in ``password_file()`` (mode 0600), where every later command finds it. The launcher's data dir
is made private (0700).

Environment:
    NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD: connection settings, see ``Neo4jSettings``.
    KG_NEO4J_HOME: cache dir for the launcher build, its logs and pid file, and the generated
        password (default ``~/.cache/kg/neo4j``).
    KG_NEO4J_DATA: data dir of the local launcher (default ``$KG_NEO4J_HOME/data``).
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.resources
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, DriverError, Neo4jError

from kg.errors import ConfigError, KGError

DEFAULT_URI = "bolt://127.0.0.1:7687"
DEFAULT_USER = "neo4j"

_DATA = importlib.resources.files("kg") / "data"
COMPOSE_FILE = Path(str(_DATA / "docker-compose.yml"))
LAUNCHER_DIR = Path(str(_DATA / "launcher"))

_MARKER = "kg-users-initialized"
"""Written by the launcher into a data dir whose users it has set up (their passwords are kept from then on)."""

_JAR_NAME = "kg-neo4j-launcher.jar"
_JAVA_OPTS = (
    "-Xms256m",
    "-Xmx1g",
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024",
)
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
_SCHEMES = frozenset({"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"})
_COMPOSE_TIMEOUT = 600.0
_STOP_TIMEOUT = 60.0

# Runs in a throwaway Python process so that the JVM is re-parented to init: the caller keeps
# neither a zombie nor a still-running Popen object.
_DETACH = """
import subprocess, sys
with open(sys.argv[1], "wb") as log:
    child = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=log,
                             stderr=subprocess.STDOUT, start_new_session=True)
print(child.pid)
"""


class Neo4jServerError(KGError):
    """The Neo4j server could not be started, reached or stopped."""


@dataclass(frozen=True)
class Neo4jSettings:
    """How to connect to Neo4j.

    Attributes:
        uri: Bolt URI of the server.
        user: User name. The Docker image only takes ``neo4j``; the launcher also creates any
            other name on the first start of a data dir.
        password: Password (Neo4j 5 requires at least 8 characters).
    """

    uri: str = DEFAULT_URI
    user: str = DEFAULT_USER
    password: str = ""

    def __post_init__(self) -> None:
        url = urlsplit(self.uri)
        try:
            port = url.port
        except ValueError:
            port = -1
        if url.scheme not in _SCHEMES or not url.hostname or port == -1:
            raise ConfigError(
                f"Neo4j URI {self.uri[:80]!r} is not a Bolt URI such as {DEFAULT_URI} (schemes: "
                f"{', '.join(sorted(_SCHEMES))}); check NEO4J_URI or --neo4j-uri"
            )

    @classmethod
    def from_env(cls, uri: str | None = None) -> Neo4jSettings:
        """Reads NEO4J_URI (unless ``uri`` is given), NEO4J_USER and NEO4J_PASSWORD; the password defaults to
        the one ``start`` generated (``password_file()``).

        Raises:
            ConfigError: the URI is not a Bolt URI.
            Neo4jServerError: no password is set and none was generated.
        """
        settings = cls.from_env_unchecked(uri)
        if not settings.password:
            raise Neo4jServerError(
                f"no Neo4j password: set NEO4J_PASSWORD, or run `kg neo4j start`, which generates "
                f"one into {password_file()}"
            )
        return settings

    @classmethod
    def from_env_unchecked(cls, uri: str | None = None) -> Neo4jSettings:
        """Like ``from_env``, with an empty password when none is known (for commands that need none)."""
        env = os.environ
        return cls(
            uri=uri or env.get("NEO4J_URI") or DEFAULT_URI,
            user=env.get("NEO4J_USER") or DEFAULT_USER,
            password=env.get("NEO4J_PASSWORD") or stored_password() or "",
        )

    @property
    def auth(self) -> tuple[str, str]:
        """The (user, password) pair the neo4j driver takes."""
        return (self.user, self.password)


@dataclass(frozen=True)
class ServerStatus:
    """What ``status`` found.

    Attributes:
        running: A Bolt server answers at ``uri`` (whether or not it accepts the credentials).
        uri: The URI that was checked.
        mode: ``"local"`` for the launcher, ``"docker"`` for the compose service, else None.
        pid: Process id of the local launcher.
        data_dir: Data dir of the local launcher.
    """

    running: bool
    uri: str
    mode: Literal["local", "docker"] | None
    pid: int | None
    data_dir: Path | None


def cache_dir() -> Path:
    """The dir holding the launcher build, its logs and its pid file."""
    return Path(os.environ.get("KG_NEO4J_HOME") or Path.home() / ".cache" / "kg" / "neo4j")


def default_data_dir() -> Path:
    """The local launcher's data dir unless ``start`` is given one."""
    return Path(os.environ.get("KG_NEO4J_DATA") or cache_dir() / "data")


def log_file() -> Path:
    """Output of the most recently launched local server."""
    return cache_dir() / "launcher.log"


def password_file() -> Path:
    """Where ``start`` stores the password it generates when ``NEO4J_PASSWORD`` is unset."""
    return cache_dir() / "password"


def stored_password() -> str | None:
    """The password ``start`` generated, if any."""
    try:
        return password_file().read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def _ensure_password(data_dir: Path, log: Callable[[str], None]) -> None:
    """Generate and store a password unless one is set, stored, or needed but unknown.

    Raises:
        Neo4jServerError: the launcher's data dir was set up with a password kg does not know.
    """
    if os.environ.get("NEO4J_PASSWORD") or stored_password():
        return
    if (data_dir / _MARKER).exists():
        raise Neo4jServerError(
            f"the Neo4j data dir {data_dir} was set up with a password kg does not know (kg 0.1 used "
            f"'kg-password' when NEO4J_PASSWORD was unset): set NEO4J_PASSWORD to it, or remove {data_dir} "
            "to start with an empty database"
        )
    path = password_file()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    password = secrets.token_urlsafe(24)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    log(
        f"generated a password for Neo4j user {Neo4jSettings.from_env_unchecked().user!r} in {path} "
        "(readable by you only); kg reads it from there unless NEO4J_PASSWORD is set"
    )


def start(
    *,
    data_dir: Path | None = None,
    uri: str | None = None,
    timeout: float = 180,
    log: Callable[[str], None] = lambda message: None,
) -> str:
    """Makes sure a Neo4j server answers and returns its URI.

    Does nothing if a server already accepts the credentials at the URI. Otherwise starts the
    Docker compose service if a Docker engine with Compose v2 answers, else (saying why through
    ``log``) the local launcher, building it first if needed, and waits until Bolt accepts the
    credentials. Without ``NEO4J_PASSWORD`` or a stored password, one is generated first.

    Args:
        data_dir: Data dir for the local launcher; default ``default_data_dir()``.
        uri: Bolt URI; default from ``Neo4jSettings.from_env()``.
        timeout: Seconds to wait for Bolt after starting the server (a build is not counted).
        log: Receives notes: a generated password, a fall-back to the launcher.

    Returns:
        The Bolt URI.

    Raises:
        Neo4jServerError: The server could not be started, with the tail of its log.
    """
    data_dir = (data_dir or default_data_dir()).resolve()
    with _lock():
        _ensure_password(data_dir, log)
        settings = _settings(uri)
        if _accepts(settings):
            return settings.uri
        docker_problem = _docker_problem()
        if docker_problem is None:
            _start_docker(settings, timeout)
            return settings.uri
        state = _local_state()
        if state is not None and state.uri != settings.uri:
            raise Neo4jServerError(
                f"the local Neo4j launcher (pid {state.pid}) serves {state.uri}, "
                f"not {settings.uri}; stop it first"
            )
        if state is None:
            log(f"{docker_problem}: starting the local Neo4j launcher (Java; built once with Maven into "
                f"{cache_dir()})")
        pid = state.pid if state else _launch(settings, data_dir)
        try:
            _wait(settings, timeout, pid)
        except Neo4jServerError:
            _terminate(pid)
            raise
    return settings.uri


def stop() -> bool:
    """Stops the server that ``start`` started.

    Returns:
        True if a local launcher or the compose service was running and has been stopped.

    Raises:
        Neo4jServerError: ``docker compose down`` failed.
    """
    with _lock():
        state = _local_state()
        if state is not None:
            _terminate(state.pid)
            return True
        if _docker_problem() is None and _docker_running():
            result = _compose(Neo4jSettings.from_env_unchecked(), "down")
            if result.returncode != 0:
                raise Neo4jServerError("docker compose down failed", detail=result.stderr.strip())
            return True
    return False


def status() -> ServerStatus:
    """Reports whether the server answers and which kind of server kg started."""
    state = _local_state()
    settings = Neo4jSettings.from_env_unchecked(state.uri if state else None)
    try:
        running = _accepts(settings)
    except Neo4jServerError:
        running = True
    if state is not None:
        return ServerStatus(running, settings.uri, "local", state.pid, state.data_dir)
    mode: Literal["docker"] | None = "docker" if _docker_problem() is None and _docker_running() else None
    return ServerStatus(running, settings.uri, mode, None, None)


def _settings(uri: str | None) -> Neo4jSettings:
    return Neo4jSettings.from_env(uri)


def _accepts(settings: Neo4jSettings) -> bool:
    """Whether a Bolt server at the URI accepts the credentials; raises if it rejects them."""
    try:
        with GraphDatabase.driver(
            settings.uri, auth=settings.auth, connection_timeout=2, connection_acquisition_timeout=5
        ) as driver:
            driver.verify_connectivity()
    except AuthError as exc:
        reason = (exc.message or "authentication failed").rstrip(".")
        raise Neo4jServerError(
            f"Neo4j at {settings.uri} rejects user {settings.user!r} ({reason}); set "
            "NEO4J_USER/NEO4J_PASSWORD to its credentials (a launcher data dir keeps the "
            "password of its first start)"
        ) from exc
    except (DriverError, Neo4jError):
        return False
    return True


def _wait(settings: Neo4jSettings, timeout: float, pid: int | None) -> None:
    deadline = time.monotonic() + timeout
    while not _accepts(settings):
        if pid is not None and not _alive(pid):
            raise Neo4jServerError("the Neo4j launcher exited during start-up", detail=_log_tail())
        if time.monotonic() > deadline:
            tail = _log_tail() if pid is not None else _docker_log_tail(settings)
            raise Neo4jServerError(
                f"Neo4j did not answer at {settings.uri} within {timeout:.0f}s", detail=tail
            )
        time.sleep(0.5)


@contextmanager
def _lock() -> Iterator[None]:
    """Serialises start and stop across processes."""
    cache_dir().mkdir(mode=0o700, parents=True, exist_ok=True)
    with (cache_dir() / "lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


# Local launcher ---------------------------------------------------------------------------


def _state_file() -> Path:
    return cache_dir() / "launcher.pid.json"


@dataclass(frozen=True)
class _LauncherState:
    """Contents of the pid file written when the launcher starts."""

    pid: int
    uri: str
    data_dir: Path


def _local_state() -> _LauncherState | None:
    """The pid file of a live launcher; a stale pid file is removed."""
    try:
        raw = json.loads(_state_file().read_text())
        state = _LauncherState(int(raw["pid"]), str(raw["uri"]), Path(raw["data_dir"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if _alive(state.pid):
        return state
    _state_file().unlink(missing_ok=True)
    return None


def _alive(pid: int) -> bool:
    """Whether pid is a running launcher (a reused pid or a zombie is not)."""
    if not Path("/proc/self").is_dir():  # no procfs (macOS): trust the pid
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    try:
        return _JAR_NAME.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _launch(settings: Neo4jSettings, data_dir: Path) -> int:
    url = urlsplit(settings.uri)
    if url.hostname not in _LOCAL_HOSTS:
        raise Neo4jServerError(
            f"nothing answers at {settings.uri}, and kg only starts servers on this machine"
        )
    java = shutil.which("java")
    if java is None:
        raise Neo4jServerError(
            "no Docker engine answers and java (17+) is not on PATH; install one of them"
        )
    jar = _ensure_built()
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        data_dir.chmod(0o700)  # the database files and the users' password hashes
    except OSError as exc:
        raise Neo4jServerError(f"cannot create the data dir {data_dir}: {exc.strerror or exc}") from exc
    command = [
        java,
        *_JAVA_OPTS,
        "-jar",
        str(jar),
        "--data-dir",
        str(data_dir),
        "--port",
        str(url.port or 7687),
    ]
    env = {**os.environ, "NEO4J_USER": settings.user, "NEO4J_PASSWORD": settings.password}
    result = subprocess.run(
        [sys.executable, "-c", _DETACH, str(log_file()), *command],
        check=False,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise Neo4jServerError("launching the Neo4j launcher failed", detail=result.stderr.strip())
    pid = int(result.stdout)
    _state_file().write_text(
        json.dumps({"pid": pid, "uri": settings.uri, "data_dir": str(data_dir)})
    )
    return pid


def _terminate(pid: int) -> None:
    """Sends SIGTERM (SIGKILL after a minute) and waits until the launcher is gone."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + _STOP_TIMEOUT
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if not _alive(pid):
            break
    _state_file().unlink(missing_ok=True)


def _source_digest() -> str:
    digest = hashlib.sha256()
    sources = [LAUNCHER_DIR / "pom.xml", *sorted((LAUNCHER_DIR / "src").rglob("*.java"))]
    for path in sources:
        digest.update(
            path.relative_to(LAUNCHER_DIR).as_posix().encode() + b"\0" + path.read_bytes()
        )
    return digest.hexdigest()


def _ensure_built() -> Path:
    """Builds the launcher jar and its lib/ unless a build of the current sources exists."""
    build = cache_dir() / "build"
    jar, stamp = build / _JAR_NAME, build / "source.sha256"
    digest = _source_digest()
    if jar.is_file() and stamp.is_file() and stamp.read_text() == digest:
        return jar
    mvn = shutil.which("mvn")
    if mvn is None:
        raise Neo4jServerError(
            "no Docker engine answers and Maven (mvn) is not on PATH to build the Neo4j launcher"
        )
    shutil.rmtree(build, ignore_errors=True)
    build_log = cache_dir() / "build.log"
    with build_log.open("wb") as out:
        result = subprocess.run(
            [
                mvn,
                "-B",
                "--no-transfer-progress",
                "-Dstyle.color=never",
                "-f",
                str(LAUNCHER_DIR / "pom.xml"),
                "package",
                f"-Dkg.build.dir={build}",
            ],
            check=False,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    if result.returncode != 0:
        raise Neo4jServerError("building the Neo4j launcher failed", detail=_tail(build_log))
    stamp.write_text(digest)
    return jar


def _tail(path: Path, lines: int = 40) -> str:
    try:
        with path.open(errors="replace") as handle:
            last = "".join(deque(handle, maxlen=lines))
    except OSError:
        return f"({path} cannot be read)"
    return f"last lines of {path}:\n{last}"


def _log_tail() -> str:
    return _tail(log_file())


# Docker -----------------------------------------------------------------------------------


def _docker_problem() -> str | None:
    """Why the compose service cannot be used (no docker, no engine, no Compose v2), or None."""
    if shutil.which("docker") is None:
        return "docker is not on PATH"
    checks = (
        (["docker", "info"], "no Docker engine answers (docker info failed)"),
        (["docker", "compose", "version"], "Docker Compose v2 is missing (docker compose version failed)"),
    )
    for command, problem in checks:
        try:
            if subprocess.run(command, check=False, capture_output=True, timeout=5).returncode != 0:
                return problem
        except (subprocess.TimeoutExpired, OSError):
            return problem
    return None


def _compose(settings: Neo4jSettings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "NEO4J_USER": settings.user,
        "NEO4J_PASSWORD": settings.password,
        "NEO4J_BOLT_PORT": str(urlsplit(settings.uri).port or 7687),
    }
    return subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE_FILE), *args],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=_COMPOSE_TIMEOUT,
    )


def _docker_running() -> bool:
    result = _compose(Neo4jSettings.from_env_unchecked(), "ps", "--quiet", "neo4j")
    return result.returncode == 0 and bool(result.stdout.strip())


def _start_docker(settings: Neo4jSettings, timeout: float) -> None:
    if settings.user != "neo4j":
        raise Neo4jServerError("the Neo4j Docker image only accepts NEO4J_USER=neo4j")
    result = _compose(settings, "up", "--detach")
    if result.returncode != 0:
        raise Neo4jServerError("docker compose up failed", detail=result.stderr.strip())
    _wait(settings, timeout, None)


def _docker_log_tail(settings: Neo4jSettings) -> str:
    result = _compose(settings, "logs", "--tail", "40", "neo4j")
    return f"last lines of the neo4j container's log:\n{result.stdout}{result.stderr}"
