"""Starts the real thingdeck binary (THINGDECK_BIN) on a free port for each test, on SQLite and, when
THINGDECK_TEST_DATABASE_URL is set, on a fresh PostgreSQL database."""
import os
import re
import signal
import subprocess
import tempfile
import uuid

import psycopg
import pytest

SYSADMIN = "sysadmin@compat.test"
SYSADMIN_PASSWORD = "compat-sysadmin"


def _stores():
    stores = ["sqlite"]
    if os.environ.get("THINGDECK_TEST_DATABASE_URL"):
        stores.append("postgres")
    return stores


@pytest.fixture(params=_stores())
def server(request):
    tmp = tempfile.mkdtemp(prefix="thingdeck-compat-")
    admin_url = os.environ.get("THINGDECK_TEST_DATABASE_URL", "")
    dbname = None
    if request.param == "sqlite":
        url = f"sqlite:{tmp}/td.db"
    else:
        dbname = "td_compat_" + uuid.uuid4().hex
        with psycopg.connect(admin_url, autocommit=True) as c:
            c.execute(f"CREATE DATABASE {dbname}")
        url = admin_url.rsplit("/", 1)[0] + "/" + dbname
    env = {
        "PATH": os.environ.get("PATH", ""),
        "THINGDECK_DATABASE_URL": url,
        "THINGDECK_LISTEN": "127.0.0.1:0",
        "THINGDECK_SYSADMIN_EMAIL": SYSADMIN,
        "THINGDECK_SYSADMIN_PASSWORD": SYSADMIN_PASSWORD,
        "THINGDECK_LOG": "warn",
    }
    proc = subprocess.Popen([os.environ["THINGDECK_BIN"], "serve"], cwd=tmp, env=env, stdout=subprocess.PIPE, text=True)
    base = None
    for line in proc.stdout:
        m = re.search(r"listening on (http://\S+)", line)
        if m:
            base = m.group(1)
            break
    assert base, "server did not start"
    yield base
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0, "clean shutdown"
    if dbname:
        with psycopg.connect(admin_url, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
