"""Shared test setup: a throwaway Prefect home, so flows run in Prefect's local ephemeral mode."""

from __future__ import annotations

import os
import tempfile

# Before anything imports prefect: never touch the developer's ~/.prefect or a configured server.
_PREFECT_HOME = tempfile.mkdtemp(prefix="raqib-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.pop("PREFECT_API_URL", None)
os.environ.setdefault("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", "true")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# the 2-core CI machine can be busy; the local server may need more than the default 20 s to start
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
# A lake test keeps its Parquet files beside its catalog in the test's folder, never in a developer's data path.
os.environ.pop("RAQIB_LAKE_DATA_PATH", None)


def pytest_collection_modifyitems(config: object, items: list) -> None:
    """On RAQIB_TEST_BACKEND=lake, skip the tests marked file_only or lake_gap, with their reason."""
    from tests.backend import ON_LAKE

    if not ON_LAKE:
        return
    import pytest

    for item in items:
        for name, prefix in (("file_only", "file backend only: "), ("lake_gap", "known lake gap: ")):
            marker = item.get_closest_marker(name)
            if marker is not None:
                item.add_marker(pytest.mark.skip(reason=prefix + str(marker.args[0])))
