import io
import shutil
import subprocess
import time
from contextlib import contextmanager

from pypdf import PdfReader


def wait_for(predicate, *, timeout: float = 30.0, interval: float = 0.1, message: str = "condition"):
    """Poll until predicate() is truthy; return its value. For work done by another process."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


def database_url() -> str:
    """The test database as a DATABASE_URL, for processes the tests start (a worker, a web server)."""
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def other_session(*, autocommit: bool = False):
    """A second connection to the test database, as another user's request or a long import would hold."""
    import psycopg
    from django.db import connection

    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=autocommit,
    ) as session:
        yield session


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "pack.pdf"
    path.write_bytes(content)
    if shutil.which("pdftotext"):
        out = tmp_path / "pack.txt"
        subprocess.run(["pdftotext", "-layout", str(path), str(out)], check=True)
        return out.read_text()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
