"""`make cluster`: the scaled-out site on loopback until Ctrl-C (see cluster/topology.py)."""

import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from cluster.topology import Topology, missing_commands


def main() -> int:
    if missing := missing_commands():
        print(f"cluster: install first: apt-get install -y {' '.join(missing)}")
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="quizsite-cluster-"))
    topology = Topology(workdir)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        topology.start()
        print(f"cluster: {topology.front}/  (HAProxy in front of {topology.app_servers} app")
        print(f"         servers on ports {', '.join(map(str, topology.app_ports))},")
        print(f"         {topology.task_workers} RQ task workers, Redis on {topology.redis_port},")
        print(f"         PostgreSQL at {topology.env['DATABASE_URL']})")
        print("cluster: no accounts yet: `python manage.py createsuperuser` with the same")
        print("         DATABASE_URL, or DEMO_ACCOUNTS=1. Ctrl-C stops everything.")
        while all(process.alive for process in topology.processes.values()):
            time.sleep(1)
        dead = [name for name, process in topology.processes.items() if not process.alive]
        print(f"cluster: {', '.join(dead)} stopped, so everything stops; its log:")
        for name in dead:
            print(topology.processes[name].log.read_text()[-3000:])
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        topology.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
