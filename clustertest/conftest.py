"""One cluster for the whole module: starting it (PostgreSQL, migrations, the
demo blog, two app servers, a worker, nginx) is most of the test's time."""

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from clustertest.harness import Cluster, running_cluster


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    folder = Path(tempfile.mkdtemp(prefix="gazette-cluster-"))
    try:
        # Stopped however the tests end; stopping fails if a process is left.
        with running_cluster(folder) as running:
            yield running
    finally:
        shutil.rmtree(folder, ignore_errors=True)
