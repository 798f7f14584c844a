"""Django settings. Everything an operator may change comes from the environment (see README)."""

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent.parent
DATA_DIR = Path(os.environ.get("CIVICGRID_DATA_DIR", REPO_DIR / "var"))
ASSETS_DIR = Path(os.environ.get("CIVICGRID_ASSETS_DIR", REPO_DIR / "node_modules"))

ENVIRONMENT = os.environ.get("CIVICGRID_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = os.environ.get("CIVICGRID_DEBUG", "0") == "1" and not PRODUCTION


def _secret_key() -> str:
    """The key from the environment; in development a random one kept under DATA_DIR."""
    key = os.environ.get("CIVICGRID_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise RuntimeError("CIVICGRID_SECRET_KEY must be set when CIVICGRID_ENV=production")
    path = DATA_DIR / "dev-secret-key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = os.environ.get("CIVICGRID_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(
    ","
)
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("CIVICGRID_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "civicgrid.core",
    "civicgrid.core.notifications",
    "civicgrid.regions",
    "civicgrid.accounts",
    "civicgrid.core.audit",
    "civicgrid.core.workdays",
    "civicgrid.population",
    "civicgrid.learning",
    "civicgrid.errands",
    "civicgrid.community",
    "civicgrid.epidemic",
    "civicgrid.catalog",
    "civicgrid.certificates",
    "civicgrid.appointments",
    "civicgrid.applications",
]

AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    "civicgrid.core.request_logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "civicgrid.accounts.session_user.AuthenticationMiddleware",
    "civicgrid.core.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "civicgrid.urls"
WSGI_APPLICATION = "civicgrid.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite is the embedded default; production sets DATABASE_URL to PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'civicgrid.sqlite3'}"),
        conn_max_age=int(os.environ.get("CIVICGRID_DB_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, except that a connection busy with requests skips the health check.
    DATABASES["default"]["ENGINE"] = "civicgrid.core.postgresql"
if DATABASES["default"]["ENGINE"] == "civicgrid.core.postgresql" and (
    os.environ.get("CIVICGRID_DB_PREPARED", "1") == "1"
):
    # Parameters bound on the server, so that the hot paths' fixed statements (a gate scan, a
    # daily report) can be prepared there (core.sql_rows.prepared_cursor) and skip PostgreSQL's
    # parse and plan, which were half of its CPU per request. Nothing else is prepared: a
    # prepared statement soon gets one plan for any values, which ruins searches and lists.
    # A transaction-pooling PgBouncer older than 1.21 cannot keep prepared statements: set
    # CIVICGRID_DB_PREPARED=0 behind one.
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and the task worker proceed while a request writes; IMMEDIATE avoids
    # the "database is locked" upgrade deadlock when two writers start reading first.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    # Tests use a file, not Django's in-memory default: WAL and locking then behave as in
    # production, and tests of concurrent requests can open real second connections.
    # One file per process (xdist workers are processes), so parallel runs never share one.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"civicgrid-test-{os.getpid()}.sqlite3")
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2 for new and upgraded hashes; the others only to verify hashes made before.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Only set for `collectstatic` in production; by default assets are served from the finders.
STATIC_ROOT = os.environ.get("CIVICGRID_STATIC_ROOT") or None
STATICFILES_DIRS = [
    ("vendor/echarts", ASSETS_DIR / "echarts" / "dist"),
    ("vendor/jsqr", ASSETS_DIR / "jsqr" / "dist"),  # the office check-in's camera reads QR codes
]
# Serve straight from the finders: no collectstatic step between `git pull` and `make run`.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("CIVICGRID_TASKS_IMMEDIATE") == "1"
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}
# The worker writes a heartbeat this often; /healthz reports it stale after the limit.
WORKER_HEARTBEAT_SECONDS = 5
WORKER_HEARTBEAT_STALE_SECONDS = int(os.environ.get("CIVICGRID_WORKER_STALE_SECONDS", "60"))

# Pace of the background-task demonstration, slow enough to watch the bar move.
DEMO_TASK_STEP_SECONDS = 0.2

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:workspace"

SESSION_COOKIE_SECURE = PRODUCTION
# Django's database sessions and ModelBackend, each reading its row with one fixed SELECT.
SESSION_ENGINE = "civicgrid.core.session_store"
AUTHENTICATION_BACKENDS = [
    "civicgrid.accounts.backends.AccountBackend",
    # Sessions signed in before AccountBackend existed name this one; they keep working.
    "django.contrib.auth.backends.ModelBackend",
]
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "civicgrid.core.request_logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": os.environ.get("CIVICGRID_LOG_FORMAT", "json"),
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("CIVICGRID_LOG_LEVEL", "INFO")},
    "loggers": {
        # Our request log replaces Django's own per-request lines.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}

# --- SMS and notifications (civicgrid.core.sms, civicgrid.core.notifications) ----------------
# The SMS gateway: a dotted path to a civicgrid.core.sms.BaseSmsBackend subclass. Development
# prints each text to stderr and appends it to SMS_FILE_PATH, where a developer or a browser test
# reads one-time codes. Production must name a real gateway: the file backend it falls back to
# reaches no phone, and a system check warns about it at start-up.
SMS_BACKEND = os.environ.get(
    "CIVICGRID_SMS_BACKEND",
    "civicgrid.core.sms.FileSmsBackend" if PRODUCTION else "civicgrid.core.sms.ConsoleSmsBackend",
)
SMS_FILE_PATH = Path(os.environ.get("CIVICGRID_SMS_FILE_PATH", DATA_DIR / "sms-outbox.jsonl"))
# Put in front of every text; Chinese carriers require a bracketed sender name.
SMS_SIGNATURE = os.environ.get("CIVICGRID_SMS_SIGNATURE", "【CivicGrid】")
# Non-urgent notification texts due in quiet hours wait until they end (start > end wraps past
# midnight; start == end turns quiet hours off). Urgent ones are sent at once.
SMS_QUIET_HOURS = (
    os.environ.get("CIVICGRID_SMS_QUIET_START", "22:00"),
    os.environ.get("CIVICGRID_SMS_QUIET_END", "07:00"),
)
SMS_QUIET_HOURS_TIME_ZONE = "Asia/Shanghai"
# A notification text the gateway fails to take is tried at most SMS_MAX_ATTEMPTS times in all,
# waiting SMS_RETRY_BASE_SECONDS × 5^(attempt-1), at most an hour, between attempts.
SMS_MAX_ATTEMPTS = 4
SMS_RETRY_BASE_SECONDS = 60
# --- end of SMS and notifications ---------------------------------------------------------

# --- Personal data keys (civicgrid.core.crypto; the module docstring explains rotation) -------
# CIVICGRID_DATA_KEYS   "k2:<base64url 32 bytes>,k1:<...>": AES-256-GCM keys for citizen ID and
#                       mobile numbers. The first encrypts, all decrypt. Rotate by putting a new
#                       key first, running `civicgrid manage rotate_data_key`, then dropping the
#                       old key.
# CIVICGRID_LOOKUP_KEY  base64url 32 bytes: the HMAC key of the look-up hashes. Never rotated with
#                       the data keys (every stored hash depends on it); keep it as secret.
# Unset in development: random keys generated once and kept under DATA_DIR (dev-data-keys,
# dev-lookup-key, mode 0600). Unset in production: start-up fails. Malformed: start-up fails.


def _environment_key(variable: str, dev_file: str, make_dev_key) -> str:  # type: ignore[no-untyped-def]
    """A key from the environment; in development one generated once and kept under DATA_DIR."""
    from django.core.exceptions import ImproperlyConfigured

    value = os.environ.get(variable, "").strip()
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"CIVICGRID_ENV=production 时必须设置 {variable}。")
    path = DATA_DIR / dev_file
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        # Written whole to a 0600 temporary file, then linked into place: when the web
        # server and the worker start together, exactly one key wins and nobody reads half.
        fd, tmp = tempfile.mkstemp(dir=DATA_DIR, prefix=f".{dev_file}.")
        with os.fdopen(fd, "w") as handle:
            handle.write(make_dev_key())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip()


def _personal_data_keys() -> tuple[str, str]:
    from civicgrid.core.crypto import new_key_text, parse_data_keys, parse_lookup_key

    data_keys = _environment_key(
        "CIVICGRID_DATA_KEYS", "dev-data-keys", lambda: f"dev1:{new_key_text()}"
    )
    lookup_key = _environment_key("CIVICGRID_LOOKUP_KEY", "dev-lookup-key", new_key_text)
    parse_data_keys(data_keys)
    parse_lookup_key(lookup_key)
    return data_keys, lookup_key


CIVICGRID_DATA_KEYS, CIVICGRID_LOOKUP_KEY = _personal_data_keys()
# --- end of personal data keys ----------------------------------------------------------------

# --- Population register import (civicgrid.population.importing) -----------------------------
# The largest register file the import page accepts. An upload is kept in the database until it
# has been imported, and a workbook (.xlsx, .xls, .ods) is parsed whole in memory, so this also
# bounds both; a larger register goes in as CSV through `civicgrid import-people FILE`, which
# streams it and has no limit.
POPULATION_IMPORT_MAX_BYTES = int(os.environ.get("CIVICGRID_IMPORT_MAX_MB", "50")) * 1024 * 1024
# --- end of population register import --------------------------------------------------------

# --- Community (civicgrid.community) ----------------------------------------------------------
# CIVICGRID_CHECKPOINT_KEY        base64url 32 bytes: the HMAC key that signs gate QR codes
#                                 (community.tokens). Changing it voids every poster printed.
#                                 Unset in development: kept in DATA_DIR/dev-checkpoint-key;
#                                 unset in production: start-up fails.
# CIVICGRID_PASS_RETENTION_DAYS   days a pass record (personal data) is kept before the worker
#                                 deletes it; daily counts per gate are kept. Default 30.


def _checkpoint_key() -> str:
    from django.core.exceptions import ImproperlyConfigured

    from civicgrid.core.crypto import new_key_text, parse_lookup_key

    text = _environment_key("CIVICGRID_CHECKPOINT_KEY", "dev-checkpoint-key", new_key_text)
    try:
        parse_lookup_key(text)  # the same shape: base64url of 32 bytes
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(
            "CIVICGRID_CHECKPOINT_KEY 应为 32 字节的 base64url 编码。"
        ) from exc
    return text


COMMUNITY_CHECKPOINT_KEY = _checkpoint_key()
COMMUNITY_PASS_RETENTION_DAYS = int(os.environ.get("CIVICGRID_PASS_RETENTION_DAYS", "30"))

# --- E-certificates (civicgrid.certificates; certificates.signing explains the format) -------
# CIVICGRID_CERTIFICATE_KEYS   "k2:<base64 32-byte Ed25519 private key>,k1:<...>": the first
#                              signs new certificates; every listed key's public half verifies
#                              and is published at /certificates/keys.json. Rotate by putting a
#                              new key first; keep old ones while their certificates are valid.
#                              Unset in development: a key derived from SECRET_KEY (id dev-...);
#                              unset in production, or malformed: start-up fails.
# CIVICGRID_CERTIFICATE_CHECKS_PER_MINUTE  public checks one network may run a minute (60).


def _certificate_signing_keys() -> str:
    from django.core.exceptions import ImproperlyConfigured

    from civicgrid.certificates.signing import parse_keys

    text = os.environ.get("CIVICGRID_CERTIFICATE_KEYS", "").strip()
    if PRODUCTION and not text:
        raise ImproperlyConfigured(
            "CIVICGRID_ENV=production 时必须设置 CIVICGRID_CERTIFICATE_KEYS。"
        )
    parse_keys(text)
    return text


CERTIFICATE_SIGNING_KEYS = _certificate_signing_keys()
CERTIFICATE_VERIFICATIONS_PER_MINUTE = int(
    os.environ.get("CIVICGRID_CERTIFICATE_CHECKS_PER_MINUTE", "60")
)
# --- end of community -------------------------------------------------------------------------
