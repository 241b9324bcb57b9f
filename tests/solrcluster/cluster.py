"""The local SolrCloud of `make cluster`: ZooKeeper and two Solr nodes, each its own JVM.

    python tests/solrcluster/cluster.py start [--dir .cluster]    # build (first run: Maven), start, set up
    python tests/solrcluster/cluster.py stop  [--dir .cluster]
    python tests/solrcluster/cluster.py status

Why separate processes: the contract kills one node (`kill -9`) and expects the other to go on
serving from its replicas, which Solr's in-process MiniSolrCloudCluster cannot show. The Java
side (`Launcher.java`) runs the same test-framework classes MiniSolrCloudCluster uses; this
file builds it (Maven resolves Solr 9.10.1 from Maven Central once; later runs are offline),
starts the processes detached from the caller, and sets the collection up with NewsFacet's
own `setup` (configset upload and Collections API), as a user does on their own SolrCloud.

Files in the cluster folder: `engine` (the solr:// URL), `zk.pid`, `node-N.pid`, `node-N.port`,
`*.log`, and each node's Solr home (`node-N/`). A node restarted with its port and home rejoins.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SOURCE = HERE / "src" / "main" / "java" / "newsfacet" / "cluster" / "Launcher.java"
TARGET = HERE / "target"
CLASSPATH = TARGET / "classpath.txt"
CLASSES = TARGET / "classes"
MAIN = "newsfacet.cluster.Launcher"
HEAP = {"zk": "-Xmx128m", "node": "-Xmx512m"}
START_TIMEOUT_S = 180
ZK_SESSION_MS = 10_000
# "1": the nodes compile with C1 only. The engine tests' clusters live a few minutes: C2's compiling
# cost more CPU than it saved (the Solr tests: nodes 88 -> 34 CPU s, 116 -> 88 s on 2 cores). A
# cluster of `make cluster` (the benchmark's) keeps the full JIT.
ENV_QUICK_JIT = "NEWSFACET_CLUSTER_QUICK_JIT"
NODES = 2
COLLECTION = "newsfacet"


_STARTED: list[subprocess.Popen] = []     # detached JVMs outlive their Popen: kept, not garbage-collected


class ClusterUnavailable(RuntimeError):
    """Java, Maven or the jars are missing, or the cluster did not start: the reason, for a skip message."""


def _cache() -> Path:
    """Where the class path Maven resolved and the compiled launcher are kept for the next checkout:
    a fresh clone (CI's) has no target/, and resolving the class path (a Maven run, ~14 s of CPU even
    offline) and compiling the launcher would be paid again. Keyed by the pom's and the source's
    contents, so a changed one builds anew; a class path whose jars are gone is not reused."""
    import hashlib
    digest = hashlib.sha1((HERE / "pom.xml").read_bytes() + b"\0" + SOURCE.read_bytes()).hexdigest()[:16]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "newsfacet-solrcluster" / digest


def _from_cache() -> None:
    """target/ filled from the cache (`_cache`) where it is not built yet; best effort."""
    try:
        cache = _cache()
        cached_cp, cached_classes = cache / "classpath.txt", cache / "classes"
        if not CLASSPATH.is_file() and cached_cp.is_file():
            if all(Path(p).exists() for p in cached_cp.read_text().strip().split(os.pathsep) if p):
                TARGET.mkdir(exist_ok=True)
                shutil.copyfile(cached_cp, CLASSPATH)           # a fresh mtime: newer than the pom
        stamp = CLASSES / "newsfacet" / "cluster" / "Launcher.class"
        if CLASSPATH.is_file() and not stamp.is_file() and cached_classes.is_dir():
            shutil.copytree(cached_classes, CLASSES, copy_function=shutil.copyfile, dirs_exist_ok=True)
    except (OSError, RuntimeError):      # RuntimeError: no home folder to keep a cache in
        pass


def _to_cache() -> None:
    """target/'s class path and classes copied into the cache, whole or not at all: written beside it
    and renamed into place (another checkout on the machine may be reading or writing it too)."""
    try:
        cache = _cache()
        if cache.is_dir():
            return
        tmp = cache.parent / f".{cache.name}.{os.getpid()}"
    except (OSError, RuntimeError):
        return
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        shutil.copyfile(CLASSPATH, tmp / "classpath.txt")
        shutil.copytree(CLASSES, tmp / "classes")
        os.rename(tmp, cache)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)


def build() -> str:
    """The launcher's class path, building it when the sources changed (Maven only the first time;
    a new checkout of the same pom and source takes both from `_cache`)."""
    for tool in ("java", "javac", "mvn"):
        if shutil.which(tool) is None:
            raise ClusterUnavailable(f"'{tool}' is not installed (the local SolrCloud needs Java 17 and Maven)")
    pom = HERE / "pom.xml"
    _from_cache()
    if not CLASSPATH.is_file() or CLASSPATH.stat().st_mtime < pom.stat().st_mtime or not _jars_present():
        TARGET.mkdir(exist_ok=True)
        run = subprocess.run(["mvn", "-q", "-B", "-f", str(pom), "dependency:build-classpath",
                              f"-Dmdep.outputFile={CLASSPATH}"], capture_output=True, text=True, timeout=1800)
        if run.returncode != 0 or not CLASSPATH.is_file():
            tail = (run.stdout + run.stderr).strip().splitlines()[-5:]
            raise ClusterUnavailable("Maven could not fetch Solr's jars: " + " | ".join(tail))
    stamp = CLASSES / "newsfacet" / "cluster" / "Launcher.class"
    if not stamp.is_file() or stamp.stat().st_mtime < SOURCE.stat().st_mtime:
        CLASSES.mkdir(parents=True, exist_ok=True)
        run = subprocess.run(["javac", "-nowarn", "-d", str(CLASSES), "-cp", CLASSPATH.read_text().strip(),
                              str(SOURCE)], capture_output=True, text=True, timeout=600)
        if run.returncode != 0:
            raise ClusterUnavailable("the launcher did not compile: " + run.stderr.strip()[-500:])
    _to_cache()                 # unless it is there already
    return f"{CLASSES}{os.pathsep}{CLASSPATH.read_text().strip()}"


def _jars_present() -> bool:
    return all(Path(p).exists() for p in CLASSPATH.read_text().strip().split(os.pathsep) if p)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:      # a zombie (killed, not yet reaped by its parent) is not alive
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return True


def _pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _spawn(cp: str, args: list[str], kind: str, log: Path, pidfile: Path) -> subprocess.Popen:
    # A node's ZooKeeper session lapses ZK_SESSION_MS after the node dies (Solr's default is 30 s): a node
    # started again on its port waits for its old session's live-node entry to go before it registers.
    node_only = [f"-Dsolr.zkclienttimeout={ZK_SESSION_MS}"] if kind == "node" else []
    if kind == "node" and os.environ.get(ENV_QUICK_JIT) == "1":
        node_only.append("-XX:TieredStopAtLevel=1")
    cmd = ["java", HEAP[kind], "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1" if kind == "zk" else
           "-XX:+UseStringDeduplication", *node_only, f"-Dlog4j2.configurationFile={HERE / 'log4j2.xml'}",
           "-Dsolr.log.dir=" + str(log.parent), "-Djava.net.preferIPv4Stack=true", "-cp", cp, MAIN, *args]
    out = open(log, "ab")
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True, cwd=str(log.parent))
    out.close()
    _STARTED.append(proc)
    pidfile.write_text(f"{proc.pid}\n")
    return proc


def _wait_ready(proc: subprocess.Popen, log: Path, what: str, timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ClusterUnavailable(f"{what} exited ({proc.returncode}); see {log}: " + _tail(log))
        if b"READY " in log.read_bytes():
            return
        time.sleep(0.3)
    raise ClusterUnavailable(f"{what} did not start in {timeout:.0f} s; see {log}")


def _tail(log: Path) -> str:
    try:
        return " | ".join(log.read_text(errors="replace").strip().splitlines()[-3:])
    except OSError:
        return ""


def engine_url(folder: Path) -> str:
    ports = [(folder / f"node-{i}.port").read_text().strip() for i in range(1, NODES + 1)]
    return f"solr://{','.join('127.0.0.1:' + p for p in ports)}/{COLLECTION}"


def running(folder: Path) -> bool:
    """Whether the cluster of `folder` is up: ZooKeeper and every node alive."""
    pids = [_pid(folder / "zk.pid")] + [_pid(folder / f"node-{i}.pid") for i in range(1, NODES + 1)]
    return (folder / "engine").is_file() and all(p and _alive(p) for p in pids)


def start_node(folder: Path, i: int, cp: str | None = None) -> None:
    """Start node `i` (again) on its port and home; returns when it serves HTTP."""
    cp = cp or build()
    zk = (folder / "zk.port").read_text().strip()
    port_file = folder / f"node-{i}.port"
    if not port_file.exists():
        port_file.write_text(f"{free_port()}\n")
    log = folder / f"node-{i}.log"
    log.write_bytes(b"")
    proc = _spawn(cp, ["node", str(folder / f"node-{i}"), f"127.0.0.1:{zk}", port_file.read_text().strip()],
                  "node", log, folder / f"node-{i}.pid")
    _wait_ready(proc, log, f"Solr node {i}")


def start(folder: Path, shards: int = 2, replicas: int = 2) -> str:
    """Start (or find running) the cluster of `folder`; its engine URL."""
    folder = folder.resolve()
    if running(folder):
        return (folder / "engine").read_text().strip()
    stop(folder)
    cp = build()
    folder.mkdir(parents=True, exist_ok=True)
    for p in folder.iterdir():                 # a fresh cluster: a stale one's data would confuse ZooKeeper
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    (folder / ".gitignore").write_text("*\n")
    zk_port = free_port()
    (folder / "zk.port").write_text(f"{zk_port}\n")
    log = folder / "zk.log"
    proc = _spawn(cp, ["zk", str(folder / "zk"), str(zk_port)], "zk", log, folder / "zk.pid")
    try:
        _wait_ready(proc, log, "ZooKeeper")
        for i in range(1, NODES + 1):
            start_node(folder, i, cp)
        url = engine_url(folder)
        sys.path.insert(0, str(ROOT))
        from indexer.engines.solr.client import SolrClient
        print(SolrClient(url, timeout=180).setup(shards=shards, replicas=replicas))
        wait_healthy(url)
    except BaseException:
        stop(folder)
        raise
    (folder / "engine").write_text(url + "\n")
    return url


def wait_healthy(url: str, timeout: float = START_TIMEOUT_S) -> None:
    """Until every replica of the collection is active and a search answers."""
    sys.path.insert(0, str(ROOT))
    from indexer.engines import EngineError
    from indexer.engines.solr.client import SolrClient
    client = SolrClient(url, timeout=20)
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            status = client.cluster_status()
            coll = status["cluster"]["collections"][client.url.collection]
            live = set(status["cluster"].get("live_nodes", []))
            states = [r.get("state") == "active" and r.get("node_name") in live
                      for s in coll["shards"].values() for r in s["replicas"].values()]
            if states and all(states):
                client.select({"q": "*:*", "rows": 0})
                return
            last = f"{sum(states)} of {len(states)} replicas active"
        except (EngineError, KeyError) as exc:
            last = str(exc)
        time.sleep(0.5)
    raise ClusterUnavailable(f"the collection did not become healthy: {last}")


def stop(folder: Path, timeout: float = 30.0) -> None:
    """Stop every process of the cluster (nodes first, then ZooKeeper); kill what does not stop."""
    folder = folder.resolve()
    pidfiles = sorted(folder.glob("node-*.pid")) + [folder / "zk.pid"]
    for pidfile in pidfiles:
        pid = _pid(pidfile)
        if pid and _alive(pid):
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
            deadline = time.monotonic() + timeout
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if _alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        if pidfile.exists():
            pidfile.unlink()
    engine = folder / "engine"
    if engine.exists():
        engine.unlink()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("command", choices=("start", "stop", "status"))
    ap.add_argument("--dir", default=str(ROOT / ".cluster"))
    ap.add_argument("--shards", type=int, default=2)
    ap.add_argument("--replicas", type=int, default=2)
    args = ap.parse_args(argv)
    folder = Path(args.dir)
    if args.command == "stop":
        stop(folder)
        print(f"cluster in {folder} stopped")
        return 0
    if args.command == "status":
        print("running: " + (folder / "engine").read_text().strip() if running(folder) else "not running")
        return 0 if running(folder) else 1
    started = time.monotonic()
    try:
        url = start(folder, args.shards, args.replicas)
    except ClusterUnavailable as exc:
        print(f"cluster not started: {exc}", file=sys.stderr)
        return 1
    print(f"SolrCloud up in {time.monotonic() - started:.0f} s: {url} (written to {folder / 'engine'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
