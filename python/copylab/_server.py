"""A `copylab serve` process for Python code: start it on a free loopback port, talk to its control API, stop it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

__all__ = ["CopylabError", "CopylabServer", "ThreadedCopylabServer", "binary_path"]

#: The account boto3 clients act as when none is given: the source account of copylab's default world.
DEFAULT_ACCOUNT = "111122223333"
#: The Region when none is given.
DEFAULT_REGION = "us-east-1"


class CopylabError(RuntimeError):
    """copylab could not be started, or its control API refused a request."""


def binary_path() -> str:
    """The `copylab` executable: `COPYLAB_BINARY`, else the one this package installed, else the PATH's."""
    explicit = os.environ.get("COPYLAB_BINARY")
    if explicit:
        return explicit
    name = "copylab.exe" if sys.platform == "win32" else "copylab"
    for scheme in (None, "posix_user", "nt_user"):
        try:
            scripts = sysconfig.get_path("scripts", scheme) if scheme else sysconfig.get_path("scripts")
        except KeyError:
            continue
        candidate = Path(scripts) / name
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise CopylabError("the copylab executable was not found: pip install copylab, or set COPYLAB_BINARY")


class CopylabServer:
    """`copylab serve` in a child process, on a free loopback port.

    Use it as a context manager, or call `start()` and `stop()`::

        with CopylabServer() as copylab:
            backup = copylab.client("backup")
            backup.list_backup_vaults()

    `scenario` serves a built-in scenario (by name) or a scenario file instead of the default
    world; `empty` serves a world with nothing in it; `clock_scale` 0 (the default here) freezes
    the virtual clock so that only `advance()` moves it; `extra_args` go to `copylab serve` as they are.
    """

    def __init__(
        self,
        scenario: Optional[Union[str, os.PathLike[str]]] = None,
        *,
        empty: bool = False,
        clock_scale: float = 0.0,
        extra_args: Sequence[str] = (),
        startup_timeout: float = 30.0,
    ) -> None:
        self._args: List[str] = ["serve", "--bind", "127.0.0.1:0", "--clock-scale", str(clock_scale)]
        if scenario is not None:
            self._args += ["--scenario", os.fspath(scenario)]
        if empty:
            self._args.append("--empty")
        self._args += list(extra_args)
        self._startup_timeout = startup_timeout
        self._process: Optional[subprocess.Popen[str]] = None
        self._url: Optional[str] = None
        self._log: List[str] = []
        self._reader: Optional[threading.Thread] = None

    # Life cycle.

    def start(self) -> "CopylabServer":
        """Starts the server and waits until it answers."""
        if self._process is not None:
            return self
        process = subprocess.Popen(
            [binary_path(), *self._args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._process = process
        found = threading.Event()

        def read() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                self._log.append(line.rstrip("\n"))
                if self._url is None and "http://" in line and " on http://" in line:
                    self._url = "http://" + line.split(" on http://", 1)[1].split()[0]
                    found.set()
            found.set()

        self._reader = threading.Thread(target=read, name="copylab-serve-output", daemon=True)
        self._reader.start()
        found.wait(self._startup_timeout)
        if self._url is None:
            self.stop()
            raise CopylabError("copylab serve did not start:\n" + "\n".join(self._log[-20:]))
        deadline = time.monotonic() + self._startup_timeout
        while True:
            try:
                self.health()
                return self
            except (CopylabError, OSError):
                if time.monotonic() > deadline or process.poll() is not None:
                    self.stop()
                    raise CopylabError("copylab serve does not answer:\n" + "\n".join(self._log[-20:]))
                time.sleep(0.05)

    def stop(self) -> None:
        """Stops the server (SIGTERM, then SIGKILL after 10 s)."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> "CopylabServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # Where it is.

    @property
    def endpoint_url(self) -> str:
        """The URL to give clients as `endpoint_url` (or `AWS_ENDPOINT_URL`)."""
        if self._url is None:
            raise CopylabError("the server is not started")
        return self._url

    @property
    def log(self) -> List[str]:
        """What the server printed so far."""
        return list(self._log)

    def client(self, service: str, account: str = DEFAULT_ACCOUNT, region: str = DEFAULT_REGION, **kwargs: Any) -> Any:
        """A boto3 client for `service` acting as `account` (a 12-digit access key is that account's) in `region`."""
        import boto3  # optional: only this method needs it

        return boto3.client(
            service,
            endpoint_url=self.endpoint_url,
            aws_access_key_id=account,
            aws_secret_access_key="copylab",
            region_name=region,
            **kwargs,
        )

    def environment(self, account: str = DEFAULT_ACCOUNT, region: str = DEFAULT_REGION) -> Dict[str, str]:
        """The environment variables an AWS SDK or the AWS CLI reads to reach this server as `account`."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": account,
            "AWS_SECRET_ACCESS_KEY": "copylab",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
        }

    # The control API (/_copylab/).

    def _control(self, method: str, path: str, body: Optional[Any] = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.endpoint_url}/_copylab/{path}",
            data=data,
            method=method,
            headers={"content-type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            raise CopylabError(f"{method} /_copylab/{path}: HTTP {error.code}: {detail}") from None

    def health(self) -> Dict[str, Any]:
        """`GET /_copylab/health`."""
        result: Dict[str, Any] = self._control("GET", "health")
        return result

    def reset(self) -> None:
        """Puts the server back to the world it started with (jobs, plans, clock and changes forgotten)."""
        self._control("POST", "reset")

    def load_scenario(self, scenario: Union[str, os.PathLike[str], Mapping[str, Any]]) -> None:
        """Serves a scenario's world: a built-in name, a JSON scenario file, or a scenario as a dict.
        A state document (what `state()` returns, as a dict or a JSON file) is served whole:
        its jobs, keys and clock too."""
        if isinstance(scenario, Mapping):
            body: Any = dict(scenario)
        else:
            path = Path(os.fspath(scenario))
            if path.suffix == ".json" and path.is_file():
                body = json.loads(path.read_text())
            elif path.suffix in (".yaml", ".yml"):
                raise CopylabError(
                    f"{path}: give a built-in name or a JSON scenario here (or serve the YAML file with CopylabServer(scenario=...))"
                )
            else:
                body = {"name": os.fspath(scenario)}
        self._control("POST", "scenario", body)

    def advance(self, seconds: float) -> Dict[str, Any]:
        """Moves the virtual clock (backup plans run, jobs progress, lifecycles apply); the clock's state."""
        result: Dict[str, Any] = self._control("POST", f"clock/advance?seconds={seconds}")
        return result

    def state(self) -> Dict[str, Any]:
        """`GET /_copylab/state`: the state document (world, clock, jobs, what each service keeps),
        which `load_scenario` serves again."""
        result: Dict[str, Any] = self._control("GET", "state")
        return result

    def events(self, detail_type: Optional[str] = None, account: Optional[str] = None) -> List[Dict[str, Any]]:
        """AWS Backup's EventBridge events so far, in time order (envelopes as a Lambda receives them)."""
        query = []
        if detail_type:
            query.append("detail-type=" + urllib.request.quote(detail_type))
        if account:
            query.append("account=" + account)
        path = "events" + ("?" + "&".join(query) if query else "")
        result: Dict[str, Any] = self._control("GET", path)
        events: List[Dict[str, Any]] = result.get("events", [])
        return events

    def diagnosis(self, copy_job_id: str) -> Dict[str, Any]:
        """Why a copy job ended as it did: every check, its evidence, and the fix."""
        result: Dict[str, Any] = self._control("GET", f"copy-jobs/{copy_job_id}/diagnosis")
        return result


#: moto's name for the same thing (`ThreadedMotoServer`); copylab's server is a child process.
ThreadedCopylabServer = CopylabServer
