"""CertHub settings, read from the environment (CERTHUB_*). Defaults give a one-machine start on SQLite."""

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.http.request import validate_host

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("CERTHUB_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def production_problems(
    *,
    secret_key: str,
    fallbacks: list[str],
    demo_secret_key: str,
    allowed_hosts: str,
    site_url: str,
    proxy_ssl_header: str,
    debug: bool,
) -> list[str]:
    """What keeps CERTHUB_ENV=production from starting, one sentence per missing thing (C14)."""
    problems = []
    if demo_secret_key in fallbacks:
        problems.append("CERTHUB_SECRET_KEY_FALLBACKS holds the public demo secret")
    if not secret_key:
        problems.append("CERTHUB_SECRET_KEY is not set")
    elif secret_key == demo_secret_key:
        problems.append("CERTHUB_SECRET_KEY is the public demo secret")
    elif len(secret_key) < 50 or len(set(secret_key)) < 5:
        problems.append(
            "CERTHUB_SECRET_KEY is too weak: at least 50 characters, at least 5 different "
            "(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    hosts = [host.strip() for host in allowed_hosts.split(",") if host.strip()]
    if not hosts:
        problems.append("CERTHUB_ALLOWED_HOSTS is not set (the host names CertHub answers to, comma-separated)")
    elif "*" in hosts:
        problems.append("CERTHUB_ALLOWED_HOSTS must name the hosts, not '*'")
    site = urlsplit(site_url)
    if not site_url:
        problems.append("CERTHUB_SITE_URL is not set (the public https:// address, e.g. https://certhub.example.cn)")
    elif site.scheme != "https" or not site.hostname or site.query or site.fragment:
        problems.append(f"CERTHUB_SITE_URL must be an https:// address, not {site_url!r}")
    elif hosts and "*" not in hosts and not validate_host(site.hostname, hosts):
        problems.append(f"CERTHUB_SITE_URL's host {site.hostname!r} is not in CERTHUB_ALLOWED_HOSTS")
    if not proxy_ssl_header:
        problems.append(
            "CERTHUB_PROXY_SSL_HEADER is not set (the header the TLS-ending proxy sets, e.g. X-Forwarded-Proto; "
            "certhub serve speaks plain HTTP)"
        )
    if debug:
        problems.append("CERTHUB_DEBUG is on")
    return problems


DEBUG = env_bool("CERTHUB_DEBUG", False)

# Where CertHub runs (C14, docs/security.md): "development" (the default: the one-machine demo start, plain
# HTTP, a public demo secret) or "production", which refuses to start until every requirement below is met
# and turns on secure cookies, HSTS and the redirect to HTTPS. CERTHUB_REQUIRE_SECRET=1, the older switch,
# is read as CERTHUB_ENV=production.
CERTHUB_ENV = os.environ.get("CERTHUB_ENV", "").strip().lower() or (
    "production" if env_bool("CERTHUB_REQUIRE_SECRET", False) else "development"
)
if CERTHUB_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"CERTHUB_ENV must be development or production, not {CERTHUB_ENV!r}")
PRODUCTION = CERTHUB_ENV == "production"

# The demo secret is public (it is in this file): it signs nothing that matters on the demo machine only.
DEMO_SECRET_KEY = "certhub-demo-only-not-secret-" + "x" * 32
SECRET_KEY = os.environ.get("CERTHUB_SECRET_KEY", "") or DEMO_SECRET_KEY
# Rotating the secret: the previous one(s), comma-separated, still accepted for what they signed (sessions,
# password-reset links) until those expire; new signatures use SECRET_KEY only (docs/security.md).
SECRET_KEY_FALLBACKS = [k.strip() for k in os.environ.get("CERTHUB_SECRET_KEY_FALLBACKS", "").split(",") if k.strip()]

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("CERTHUB_ALLOWED_HOSTS", "*").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "axes",
    "certhub.core",
    "certhub.registry",
    "certhub.exchange",
    "certhub.ledger",
    "certhub.seal",
    "certhub.risk",
    "certhub.licensing",
    "certhub.complaints",
    "certhub.toolbox",
    "certhub.market",
    "certhub.integrity",
    "certhub.inspections",
    "certhub.cases",
    "certhub.stats",
    "certhub.trace",
    "certhub.accounts",
    "certhub.portal",
    "certhub.opendata",
    "certhub.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "certhub.core.middleware.SecurityHeadersMiddleware",
    "certhub.core.ratelimit.ApiRateLimitMiddleware",
    "certhub.core.middleware.NulCharacterMiddleware",
    "certhub.core.middleware.ApiBodyGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether this session passed its second factor (request.user.is_verified()), C14.
    "django_otp.middleware.OTPMiddleware",
    # Idle timeout for office roles and the absolute lifetime of a sign-in (core.sessions).
    "certhub.core.sessions.SessionTimeoutMiddleware",
    # A signed-in user who still owes a second factor (or its enrolment) reaches only those pages.
    "certhub.accounts.signin.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into CertHub's refusal page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "certhub.urls"
WSGI_APPLICATION = "certhub.wsgi.application"
ASGI_APPLICATION = "certhub.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "certhub.core.context_processors.roles",
            ],
        },
    }
]

DATABASE_URL = os.environ.get("CERTHUB_DATABASE_URL", f"sqlite:///{VAR_DIR / 'certhub.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed during writes; IMMEDIATE takes the write lock at BEGIN so that two
    # concurrent actions queue instead of failing with "database is locked" half-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("CERTHUB_TEST_SQLITE", "")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:office_home"
LOGOUT_REDIRECT_URL = "portal:home"

# Sign-in (C14, accounts.signin). django-axes checks every password attempt first.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2id first: memory-hard, so guessing on stolen hashes is costly while one sign-in stays cheap to
# serve; the others only read hashes written before the switch (upgraded at the next sign-in).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "certhub.accounts.signin.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Roles (core.choices.Role values) that must enrol a second factor at their first sign-in and pass it at
# every sign-in; a user of another role who enrolled one anyway must pass it too.
CERTHUB_MFA_REQUIRED_ROLES = env_list(
    "CERTHUB_MFA_REQUIRED_ROLES", "OFFICER,INSPECTOR,ADMINISTRATOR,CERTIFICATION_BODY,LAB"
)
# Sessions: a sign-in lasts at most SESSION_COOKIE_AGE seconds whatever is done with it (12 h: one working
# day); office roles are also signed out after CERTHUB_SESSION_IDLE_TIMEOUT seconds without a request.
SESSION_COOKIE_AGE = int(os.environ.get("CERTHUB_SESSION_LIFETIME", 12 * 3600))
CERTHUB_SESSION_IDLE_TIMEOUT = int(os.environ.get("CERTHUB_SESSION_IDLE_TIMEOUT", 30 * 60))
CERTHUB_IDLE_TIMEOUT_ROLES = env_list(
    "CERTHUB_IDLE_TIMEOUT_ROLES", "OFFICER,INSPECTOR,ADMINISTRATOR,CERTIFICATION_BODY,LAB"
)
# Dangerous pages (core.reauth) ask for the password and the second factor again when the last
# confirmation is older than this many seconds.
CERTHUB_REAUTH_MAX_AGE = int(os.environ.get("CERTHUB_REAUTH_MAX_AGE", 10 * 60))
CERTHUB_REAUTH_URL = "accounts:reauth"
# A password-reset link works once and for this many seconds (Django's default is three days).
PASSWORD_RESET_TIMEOUT = int(os.environ.get("CERTHUB_PASSWORD_RESET_TIMEOUT", 3600))
# "New sign-in" notices: a sign-in from an address and browser not among the user's last N sign-ins.
CERTHUB_NEW_SIGNIN_LOOKBACK = int(os.environ.get("CERTHUB_NEW_SIGNIN_LOOKBACK", 10))
# Enterprise sign-up and organization links (C8, accounts.signup). Sign-up forms sent per minute from one client
# address and for one e-mail address (0 = no limit); how long the e-mail confirmation link works (seconds);
# the one-time code sent to an organization's registered contact e-mail: how long it works (seconds), how many
# tries it allows, and how many codes one account may ask for in a day (each one e-mails the organization).
CERTHUB_SIGNUP_RATE_LIMIT = int(os.environ.get("CERTHUB_SIGNUP_RATE_LIMIT", 5))
CERTHUB_SIGNUP_EMAIL_RATE_LIMIT = int(os.environ.get("CERTHUB_SIGNUP_EMAIL_RATE_LIMIT", 2))
CERTHUB_EMAIL_CONFIRMATION_TIMEOUT = int(os.environ.get("CERTHUB_EMAIL_CONFIRMATION_TIMEOUT", 3 * 24 * 3600))
CERTHUB_LINK_CODE_TIMEOUT = int(os.environ.get("CERTHUB_LINK_CODE_TIMEOUT", 30 * 60))
CERTHUB_LINK_CODE_ATTEMPTS = int(os.environ.get("CERTHUB_LINK_CODE_ATTEMPTS", 5))
CERTHUB_LINK_CODES_PER_DAY = int(os.environ.get("CERTHUB_LINK_CODES_PER_DAY", 5))

# Throttling and lockout (accounts.signin.throttle). django-axes counts failed passwords per client
# address and per (user name, address): CERTHUB_SIGNIN_FAILURE_LIMIT failures lock that address (or that
# name at that address) for a cool-off that starts at CERTHUB_SIGNIN_COOLOFF seconds and doubles with each
# lockout of the same address in a day, up to CERTHUB_SIGNIN_COOLOFF_MAX. Before that, from
# CERTHUB_SIGNIN_SLOWDOWN_AFTER failures on, each further attempt must wait a delay doubling from
# CERTHUB_SIGNIN_DELAY seconds up to CERTHUB_SIGNIN_DELAY_MAX. No lock is kept per user name alone, so
# nobody can lock an officer out from elsewhere.
CERTHUB_SIGNIN_FAILURE_LIMIT = int(os.environ.get("CERTHUB_SIGNIN_FAILURE_LIMIT", 10))
CERTHUB_SIGNIN_COOLOFF = float(os.environ.get("CERTHUB_SIGNIN_COOLOFF", 60))
CERTHUB_SIGNIN_COOLOFF_MAX = float(os.environ.get("CERTHUB_SIGNIN_COOLOFF_MAX", 30 * 60))
CERTHUB_SIGNIN_SLOWDOWN_AFTER = int(os.environ.get("CERTHUB_SIGNIN_SLOWDOWN_AFTER", 3))
CERTHUB_SIGNIN_DELAY = float(os.environ.get("CERTHUB_SIGNIN_DELAY", 1))
CERTHUB_SIGNIN_DELAY_MAX = float(os.environ.get("CERTHUB_SIGNIN_DELAY_MAX", 30))
AXES_FAILURE_LIMIT = CERTHUB_SIGNIN_FAILURE_LIMIT
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
AXES_COOLOFF_TIME = "certhub.accounts.signin.throttle.cool_off"
AXES_CLIENT_IP_CALLABLE = "certhub.core.ratelimit.client_address"
AXES_LOCKOUT_CALLABLE = "certhub.accounts.signin.views.lockout_response"
# A failure during a lockout does not restart it: the cool-off stays as announced on the page.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success does not wipe the failures counted against its address: an attacker with one account of their
# own could otherwise reset the count for every name they guess at.
AXES_RESET_ON_SUCCESS = False
# The sign-in history CertHub keeps is accounts.SignInEvent; axes keeps only what it counts with.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
# No admin pages for the counters (the admin is read-only, C14): an operator lifts a lockout early with
# `certhub axes_reset_ip ADDRESS` or `certhub axes_reset_username NAME`.
AXES_ENABLE_ADMIN = False
# django-otp: TOTP codes are valid for their 30-second step and one step either side (clock drift).
OTP_TOTP_ISSUER = "CertHub"
OTP_TOTP_TOLERANCE = 1

# zh-Hans first, English second (C3).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Legal dates are in Asia/Shanghai; timestamps are stored in UTC (docs/architecture.md invariant 5).
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Bodies above this size are refused with 413 before parsing (bad-input rule: oversized bodies).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("CERTHUB_MAX_BODY_BYTES", 4 * 1024 * 1024))  # a 1,000-record batch

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
EMAIL_BACKEND = os.environ.get("CERTHUB_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# The sender of notices (信息通报, docs/cases.md); SMTP servers refuse mail from an unknown domain.
DEFAULT_FROM_EMAIL = os.environ.get("CERTHUB_DEFAULT_FROM_EMAIL", "certhub@localhost")
# The mail relay (SMTP backend); the password comes from the environment, never from the code.
EMAIL_HOST = os.environ.get("CERTHUB_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CERTHUB_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CERTHUB_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CERTHUB_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("CERTHUB_EMAIL_TLS", False)

# API rate limits (C2 reuse by other departments and buyers; core.ratelimit). Each API key has its own
# requests per minute (ApiKey.rate_limit, set when issued); anonymous calls to the batch verify, organization
# match and procurement check endpoints get this many per minute per client address (0 = no limit). Behind
# a reverse proxy, name the header that carries the client's address (e.g. X-Real-IP or X-Forwarded-For) and
# which proxies of our own append to it (core.ratelimit.client_address reads the right-most entry none of
# them wrote; what a client put to the left of it is never trusted).
CERTHUB_ANONYMOUS_RATE_LIMIT = int(os.environ.get("CERTHUB_ANONYMOUS_RATE_LIMIT", 60))
CERTHUB_CLIENT_IP_HEADER = os.environ.get("CERTHUB_CLIENT_IP_HEADER", "").strip()
# Our proxies are known by count (how many append to the header) or by address (their addresses or networks,
# comma-separated: every right-most entry written by one of them is skipped). core.ratelimit.client_address.
CERTHUB_TRUSTED_PROXIES: int | tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
_trusted_proxies = os.environ.get("CERTHUB_TRUSTED_PROXIES", "1").strip()
try:
    if _trusted_proxies.isdigit():
        CERTHUB_TRUSTED_PROXIES = int(_trusted_proxies)
        if CERTHUB_TRUSTED_PROXIES < 1:
            raise ValueError(_trusted_proxies)
    else:
        CERTHUB_TRUSTED_PROXIES = tuple(
            ipaddress.ip_network(entry.strip(), strict=False) for entry in _trusted_proxies.split(",")
        )
except ValueError:
    raise ImproperlyConfigured(
        "CERTHUB_TRUSTED_PROXIES must be a whole number, 1 or more (the proxies in front of CertHub), or "
        f"their addresses or networks, comma-separated (10.0.0.0/8,192.0.2.7), not {_trusted_proxies!r}"
    ) from None
# API keys (C14 least privilege, core.actions): a key lives CERTHUB_API_KEY_DAYS unless issued for less,
# never more than CERTHUB_API_KEY_MAX_DAYS; a rotated key keeps working CERTHUB_API_KEY_ROTATION_GRACE_DAYS
# after its successor is issued (or until its own expiry, if sooner), so clients switch without downtime.
CERTHUB_API_KEY_DAYS = int(os.environ.get("CERTHUB_API_KEY_DAYS", 365))
CERTHUB_API_KEY_MAX_DAYS = int(os.environ.get("CERTHUB_API_KEY_MAX_DAYS", 730))
CERTHUB_API_KEY_ROTATION_GRACE_DAYS = int(os.environ.get("CERTHUB_API_KEY_ROTATION_GRACE_DAYS", 7))
# Anonymous QR images decoded on /verify/ (and barcode images on /products/) per address a minute (0: no limit);
# see seal.views and registry.product_views.
CERTHUB_SCAN_RATE_LIMIT = int(os.environ.get("CERTHUB_SCAN_RATE_LIMIT", 240))
# QR and barcode images are never decoded above this many pixels (a larger JPEG is decoded scaled down first,
# anything else refused), and at most this many decodes run at once in a process, the next told to retry
# (core.images, which seal.qr and registry.barcodes share).
CERTHUB_QR_MAX_PIXELS = int(os.environ.get("CERTHUB_QR_MAX_PIXELS", 12_000_000))
CERTHUB_QR_DECODE_CONCURRENCY = int(os.environ.get("CERTHUB_QR_DECODE_CONCURRENCY", 2))
CERTHUB_API_PAGE_MAX = 100
CERTHUB_REGION_FILE = os.environ.get("CERTHUB_REGION_FILE", str(BASE_DIR / "core/data/regions/430000.json"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CERTHUB_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_MAX_LIMIT = 100

# Submissions (exchange app, C2): the largest file accepted, the most an XLSX may expand to when unzipped
# (a guard against zip bombs), where received files are kept (an interrupted import resumes from them),
# how many rows a chunk commits at once, and how many problems a report lists (the rest are counted).
SUBMISSION_MAX_BYTES = int(os.environ.get("CERTHUB_SUBMISSION_MAX_BYTES", 1024 * 1024 * 1024))
SUBMISSION_XLSX_MAX_UNZIPPED = int(os.environ.get("CERTHUB_SUBMISSION_XLSX_MAX_UNZIPPED", 2 * 1024 * 1024 * 1024))
SUBMISSION_DIR = Path(os.environ.get("CERTHUB_SUBMISSION_DIR", VAR_DIR / "submissions"))
# Uploaded materials (licensing applications, later complaint evidence; core/uploads.py): checked by their
# content, stored by SHA-256 digest as private files; at most this many bytes, images at most this many pixels.
CERTHUB_UPLOAD_DIR = Path(os.environ.get("CERTHUB_UPLOAD_DIR", VAR_DIR / "uploads"))
CERTHUB_UPLOAD_MAX_BYTES = int(os.environ.get("CERTHUB_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))
CERTHUB_UPLOAD_MAX_PIXELS = int(os.environ.get("CERTHUB_UPLOAD_MAX_PIXELS", 50_000_000))
# Complaints and tip-offs (C10, complaints app): evidence files at most this many bytes each and this many per
# filing; filings per client address a minute (core.ratelimit) and a day; the proof of work's difficulty in
# leading zero bits (about 2**bits hashes in the filer's browser) and how long a challenge stays valid; tracking
# look-ups (number + query code) per client address a minute.
CERTHUB_COMPLAINT_EVIDENCE_MAX_BYTES = int(os.environ.get("CERTHUB_COMPLAINT_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024))
CERTHUB_COMPLAINT_EVIDENCE_MAX_FILES = int(os.environ.get("CERTHUB_COMPLAINT_EVIDENCE_MAX_FILES", 5))
CERTHUB_COMPLAINT_RATE_LIMIT = int(os.environ.get("CERTHUB_COMPLAINT_RATE_LIMIT", 5))
CERTHUB_COMPLAINT_DAILY_LIMIT = int(os.environ.get("CERTHUB_COMPLAINT_DAILY_LIMIT", 10))
CERTHUB_COMPLAINT_POW_BITS = int(os.environ.get("CERTHUB_COMPLAINT_POW_BITS", 16))
CERTHUB_COMPLAINT_POW_SECONDS = int(os.environ.get("CERTHUB_COMPLAINT_POW_SECONDS", 1800))
CERTHUB_COMPLAINT_TRACK_RATE_LIMIT = int(os.environ.get("CERTHUB_COMPLAINT_TRACK_RATE_LIMIT", 10))
SUBMISSION_CHUNK_ROWS = int(os.environ.get("CERTHUB_SUBMISSION_CHUNK_ROWS", 2000))
# Bans (C9): the ban checks of the bulk certificate and report writers (registry.bans.checks_enabled). On
# always; CERTHUB_BAN_CHECKS=0 turns them off only so that the benchmark (bench part `bans`) can measure the
# same import without them. The single-record actions check whatever this says.
CERTHUB_BAN_CHECKS = env_bool("CERTHUB_BAN_CHECKS", True)
SUBMISSION_MAX_PROBLEMS = int(os.environ.get("CERTHUB_SUBMISSION_MAX_PROBLEMS", 20000))
# Processes that check a large file's rows in parallel before anything is written (one per core).
SUBMISSION_WORKERS = int(os.environ.get("CERTHUB_SUBMISSION_WORKERS", min(os.cpu_count() or 1, 4)))
SUBMISSION_PARALLEL_MIN_BYTES = int(os.environ.get("CERTHUB_SUBMISSION_PARALLEL_MIN_BYTES", 4 * 1024 * 1024))

# Open data (C2, docs/open-data.md): where exports are written (one dated directory each, and `latest`),
# how many are kept, the licence sentence published with them (empty: the page says the operator will
# publish the terms), and how the portal's button runs an export: "process" starts `certhub opendata
# export` beside the web server; "inline" exports within the request (small registries, tests).
CERTHUB_OPENDATA_DIR = Path(os.environ.get("CERTHUB_OPENDATA_DIR", VAR_DIR / "opendata"))
CERTHUB_OPENDATA_KEEP = int(os.environ.get("CERTHUB_OPENDATA_KEEP", 7))
CERTHUB_OPENDATA_LICENCE = os.environ.get("CERTHUB_OPENDATA_LICENCE", "")
CERTHUB_OPENDATA_ON_DEMAND = os.environ.get("CERTHUB_OPENDATA_ON_DEMAND", "process")

# Trust (C4, docs/ledger.md, docs/seals.md). Private signing keys live as files in CERTHUB_KEY_DIR (mode
# 0600, never in the database); only public keys are stored and published. CERTHUB_LEDGER_ORIGIN names
# the log in its checkpoints (c2sp.org/tlog-checkpoint), CERTHUB_SEAL_ISSUER the issuer of seals.
KEY_DIR = Path(os.environ.get("CERTHUB_KEY_DIR", VAR_DIR / "keys"))
LEDGER_ORIGIN = os.environ.get("CERTHUB_LEDGER_ORIGIN", "certhub.hunan.example/ledger")
LEDGER_CHECKPOINT_INTERVAL = int(
    os.environ.get("CERTHUB_LEDGER_CHECKPOINT_INTERVAL", 60)
)  # seconds between checkpoints
SEAL_ISSUER = os.environ.get("CERTHUB_SEAL_ISSUER", "certhub.hunan.example")
# Printable certificates (docs/seals.md) embed a font with Chinese glyphs: a TrueType file or collection,
# by default Debian's fonts-wqy-microhei.
PDF_FONT = os.environ.get("CERTHUB_PDF_FONT", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")

# Second factors (C14, accounts.signin). Passkeys are bound to the site's address: the relying party is
# the host of CERTHUB_SITE_URL, and only that origin may present an assertion.
CERTHUB_SITE_URL = os.environ.get("CERTHUB_SITE_URL", "http://localhost:8000").rstrip("/")
OTP_WEBAUTHN_RP_ID = urlsplit(CERTHUB_SITE_URL).hostname or "localhost"
OTP_WEBAUTHN_RP_NAME = "CertHub"
OTP_WEBAUTHN_ALLOWED_ORIGINS = [CERTHUB_SITE_URL]
# Passkeys are a second factor after the password, never a way around it.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False


# Deployment safety (C14, docs/security.md). Absolute links CertHub writes (seal and PDF links, e-mails) are
# built from CERTHUB_SITE_URL (core.absolute_urls), never from the request's Host header.
SESSION_COOKIE_SECURE = env_bool("CERTHUB_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("CERTHUB_SSL_REDIRECT", PRODUCTION)
# The redirect goes to the site's own host, not to whatever Host the request named.
SECURE_SSL_HOST = urlsplit(CERTHUB_SITE_URL).netloc if PRODUCTION else None
# HSTS: a year, for the site's host and its subdomains, with the preload directive (which only consents to
# listing: a registrable domain is listed when its owner submits it).
SECURE_HSTS_SECONDS = int(os.environ.get("CERTHUB_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CERTHUB_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("CERTHUB_HSTS_PRELOAD", True)
# Behind a proxy that ends TLS (`certhub serve` speaks plain HTTP), the header the proxy sets to say the
# client used HTTPS, e.g. CERTHUB_PROXY_SSL_HEADER=X-Forwarded-Proto. The proxy must overwrite a value a
# client sent; without it, every request looks like plain HTTP and the HTTPS redirect loops.
_proxy_ssl_header = os.environ.get("CERTHUB_PROXY_SSL_HEADER", "").strip()
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _proxy_ssl_header.upper().replace("-", "_"),
        os.environ.get("CERTHUB_PROXY_SSL_VALUE", "https").strip(),
    )
# Origins a form may be posted from besides the request's own (a proxy that rewrites Host); in production
# the site's own address by default.
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("CERTHUB_CSRF_TRUSTED_ORIGINS", CERTHUB_SITE_URL if PRODUCTION else "").split(",")
    if origin.strip()
]

if PRODUCTION:
    # Demo logins (their public password) are refused before any other backend is asked (demo.guard).
    AUTHENTICATION_BACKENDS = [
        "certhub.demo.guard.RefuseDemoCredentials",
        *AUTHENTICATION_BACKENDS,
    ]
    AUTH_PASSWORD_VALIDATORS = [*AUTH_PASSWORD_VALIDATORS, {"NAME": "certhub.demo.guard.RefuseDemoPassword"}]
    _missing = production_problems(
        secret_key=os.environ.get("CERTHUB_SECRET_KEY", ""),
        fallbacks=SECRET_KEY_FALLBACKS,
        demo_secret_key=DEMO_SECRET_KEY,
        allowed_hosts=os.environ.get("CERTHUB_ALLOWED_HOSTS", ""),
        site_url=os.environ.get("CERTHUB_SITE_URL", ""),
        proxy_ssl_header=_proxy_ssl_header,
        debug=DEBUG,
    )
    if _missing:
        raise ImproperlyConfigured(
            "CERTHUB_ENV=production cannot start:\n" + "\n".join(f"- {problem}" for problem in _missing)
        )
