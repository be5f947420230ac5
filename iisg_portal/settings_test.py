"""Test settings: the real settings, with what a test run must not depend on switched off."""

import os
import uuid

os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# No connection pool in tests: pooled connections outlive a test and block dropping the test database.
os.environ.setdefault("DJANGO_DB_POOL", "0")
# A queue of this test process's own: one per run and per xdist worker (each has its own test database).
# xdist workers inherit the controller's environment, so the worker id must be part of the name; the
# Celery worker a test process starts inherits both variables and so computes the same queue.
_run = os.environ.setdefault("IISG_TEST_RUN", uuid.uuid4().hex[:10])
os.environ["CELERY_QUEUE"] = f"test-{_run}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
# Progress kept in Redis under the same name: each test database numbers its jobs from 1.
os.environ["PROGRESS_KEY_PREFIX"] = os.environ["CELERY_QUEUE"]

from iisg_portal.settings import *  # noqa: E402,F403
from iisg_portal.settings import CACHES, STORAGES  # noqa: E402

# Hashed static storage answers 404 before collectstatic.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if os.environ.get("EMAIL_FILE_PATH"):
    # The real worker is another process: its mail goes to files the test can read.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Sign-in limits are off in the suite, so no test is locked out by another's failures: the tests of the limits
# switch them on (tests/partners/test_sign_in_limits.py: axes, and a Redis cache of their own per test).
AXES_ENABLED = False
CACHES = {**CACHES, "throttle": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# Tasks run in the test process unless a test asks for the real worker (tests/conftest.py: celery_worker).
CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_TASK_ALWAYS_EAGER", "1") == "1"
CELERY_TASK_EAGER_PROPAGATES = True
