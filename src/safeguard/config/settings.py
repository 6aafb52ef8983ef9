"""Django settings: one base, switched by the environment.

``DATABASE_URL`` chooses the database; it defaults to an SQLite file under ``var/``
(the embedded default). PostgreSQL is the production option, e.g.
``DATABASE_URL=postgres://user:pass@host:5432/safeguard``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent  # src/safeguard
PROJECT_DIR = Path(os.environ.get("SAFEGUARD_HOME", Path.cwd()))
VAR_DIR = Path(os.environ.get("SAFEGUARD_VAR", PROJECT_DIR / "var"))

DEBUG = os.environ.get("SAFEGUARD_DEBUG", "") == "1"
SECRET_KEY = os.environ.get("SAFEGUARD_SECRET_KEY", "")
if not SECRET_KEY:
    # The embedded default keeps a random key under var/, made on first use, so a demo
    # never runs on a key that is published in the source.
    _key_file = VAR_DIR / "secret_key"
    try:
        SECRET_KEY = _key_file.read_text().strip()
    except FileNotFoundError:
        import secrets

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        SECRET_KEY = secrets.token_urlsafe(50)
        _key_file.write_text(SECRET_KEY)
        _key_file.chmod(0o600)

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("SAFEGUARD_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # ninja: its Swagger UI served from our own static files, not a CDN (/api/v1/docs).
    "ninja",
    # Sign-in protection: failed sign-ins throttled (axes); one-time codes for 2FA (otp).
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Single-use recovery codes, for when the authenticator app is not to hand.
    "django_otp.plugins.otp_static",
    "safeguard.core",
    "safeguard.agencies",
    "safeguard.people",
    "safeguard.cases",
    "safeguard.referrals",
    "safeguard.earlyhelp",
    "safeguard.assessments",
    "safeguard.protection",
    "safeguard.sharing",
    "safeguard.notifications",
    "safeguard.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page asks for sign-in, except views marked @login_not_required (the sign-in
    # page; the API, which answers 401 problem documents itself). Static files are served
    # by WhiteNoise above and never reach it.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # request.user.is_verified(): has the person given their second factor this session?
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "safeguard.core.middleware.SessionTimeoutMiddleware",
    # PostgreSQL's row-level security acts as the signed-in person for the request, and is
    # cleared at its end (safeguard.cases.rls): after sign-in, the second factor and timeout.
    "safeguard.cases.rls.RowLevelSecurityMiddleware",
    "safeguard.core.middleware.NoStoreMiddleware",
    # Privileged roles who have not yet given their second factor reach only the two-factor
    # pages (and sign-out); the API refuses their session itself (safeguard.api.auth).
    "safeguard.web.signin.TwoFactorMiddleware",
    # Last, so it sees the sign-in page's response (and leaves it: AXES_LOCKOUT_CALLABLE).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "safeguard.config.urls"

# Sign-in: local accounts with GOV.UK-styled pages (safeguard.web.signin).
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "sign-in"
# axes' backend comes first: it refuses a locked-out username and address before the
# password is even checked; Django's model backend then checks the password.
# The organisation-account backend (OpenID Connect) takes no password: it never answers
# authenticate() and only keeps the sessions its own sign-in page starts (safeguard.web.oidc).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "safeguard.web.oidc.OrganisationBackend",
]
WSGI_APPLICATION = "safeguard.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "safeguard.web.jinja.environment"},
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'safeguard.sqlite3'}",
        conn_max_age=int(os.environ.get("SAFEGUARD_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with the server's writers queued in the process, not in SQLite's
    # sleeping busy handler (safeguard/core/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "safeguard.core.sqlite"
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        # WAL: pages are read while a long write is under way (the demo's build, an
        # import); IMMEDIATE: a writer takes the write lock when its transaction begins and
        # waits its turn (up to the timeout) instead of failing half-way through. The
        # database file is read through memory mapped once for all the server's
        # connections (mmap_size, 1 GiB of address space), not copied page by page into
        # each connection's own small cache by a system call a page.
        "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                        "PRAGMA mmap_size=1073741824",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    })
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, and each statement prepared on its second use on a
    # connection, so its plan is made once per connection, not once per request: the
    # row-level security rules (cases/rls.py) make planning most of a statement's time
    # (the case page at ×10: 15 ms planning, 3 ms running). Behind a pooler that cannot
    # keep prepared statements (PgBouncer in transaction mode before 1.21), set
    # SAFEGUARD_DB_PREPARE_THRESHOLD=none.
    _threshold = os.environ.get("SAFEGUARD_DB_PREPARE_THRESHOLD", "1").strip().lower()
    if _threshold != "none" and not _threshold.isdigit():
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SAFEGUARD_DB_PREPARE_THRESHOLD must be a whole number "
                                   "(uses before a statement is prepared) or none")
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "server_side_binding": True,
        "prepare_threshold": None if _threshold == "none" else int(_threshold),
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

if os.environ.get("SAFEGUARD_TESTING") == "1":
    # Tests sign in as many personas: a strong hash there only costs time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# ---- sign-in throttling (django-axes) -----------------------------------------------------
# ASVS 5.0 V6.3.1 (controls against credential stuffing and password brute force) at L2:
# after 5 failed sign-ins for one username from one IP address, that combination is refused
# for 15 minutes. Five is generous to a person who mistypes, and, with a 15-minute cool-off,
# caps an online guesser at 20 tries an hour for an account — far below what breaking a
# 12-character password needs. Locking by username *and* address, not username alone, means
# nobody elsewhere can lock a colleague out by typing their username (a denial of service
# ASVS also warns against); locking by address alone would let one office's shared address
# lock out a whole team. A successful sign-in clears the count. Behind a reverse proxy the
# address is the proxy's (REMOTE_ADDR), so there the lock is in effect by username.
AXES_ENABLED = os.environ.get("SAFEGUARD_TESTING") != "1"  # tests that need it turn it on
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The sign-in form itself says why (GOV.UK error summary), not axes' own page.
AXES_LOCKOUT_CALLABLE = "safeguard.web.accounts.lockout_response"
# No personal data in the logs: axes' log lines name neither the username nor the address
# (both are kept only in its attempts table, which the lock needs, and which expires).
AXES_VERBOSE = False
AXES_CLIENT_STR_CALLABLE = "safeguard.web.accounts.client_for_logs"
# Every sign-in is already in the audit trail; axes keeps no second log of them.
AXES_DISABLE_ACCESS_LOG = True

# ---- two-factor authentication (django-otp) ------------------------------------------------
# Which roles must give a one-time code: safeguard.agencies.models.TWO_FACTOR_ROLES.
OTP_TOTP_ISSUER = "Safeguard"
# A set-up code (safeguard.web.signin.issue_set_up_code) lasts this long unless told otherwise.
SAFEGUARD_SET_UP_CODE_HOURS = int(os.environ.get("SAFEGUARD_SET_UP_CODE_HOURS", "72"))

# ---- signing in with an organisation's account (OpenID Connect; ADR-006) -------------------
# Microsoft Entra ID first: the app registration's tenant (directory) ID, client ID and
# client secret. The issuer is <authority>/<tenant>/v2.0 and the endpoints and keys come
# from its discovery document. SAFEGUARD_OIDC_TENANT_ID=organizations is a multi-tenant
# registration: then each agency's tenant is recorded on it (safeguard.web.models.
# AgencyTenant). Unset, the sign-in page offers local accounts only.
SAFEGUARD_OIDC: dict[str, str] | None = None
if os.environ.get("SAFEGUARD_OIDC_TENANT_ID") and os.environ.get("SAFEGUARD_OIDC_CLIENT_ID"):
    SAFEGUARD_OIDC = {
        "authority": os.environ.get("SAFEGUARD_OIDC_AUTHORITY",
                                    "https://login.microsoftonline.com").rstrip("/"),
        "tenant_id": os.environ["SAFEGUARD_OIDC_TENANT_ID"],
        "client_id": os.environ["SAFEGUARD_OIDC_CLIENT_ID"],
        "client_secret": os.environ.get("SAFEGUARD_OIDC_CLIENT_SECRET", ""),
    }
# mozilla-django-oidc's own settings (the endpoints and client come from SAFEGUARD_OIDC):
# the authorization code flow with PKCE (S256), state and nonce; RS256 ID tokens only.
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid profile email"
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_USE_NONCE = True
OIDC_TIMEOUT = int(os.environ.get("SAFEGUARD_OIDC_TIMEOUT", "10"))
OIDC_AUTHENTICATION_CALLBACK_URL = "sign-in-organisation-callback"
OIDC_STORE_ACCESS_TOKEN = False
# The ID token is kept in the session (server-side: the database) for one thing: signing out
# at the identity provider too (id_token_hint), through this function.
OIDC_STORE_ID_TOKEN = True
OIDC_OP_LOGOUT_URL_METHOD = "safeguard.web.oidc.provider_logout_url"
# Entra ID's v2.0 ID tokens may not carry amr. A Conditional Access authentication context
# (c1 to c99) whose policy requires multi-factor authentication: the sign-in asks for it
# (the claims parameter) and an ID token whose acrs claim has it counts as the second
# factor. Set it only if that policy exists in every tenant whose accounts sign in. Unset,
# only amr counts.
SAFEGUARD_OIDC_MFA_AUTH_CONTEXT = os.environ.get("SAFEGUARD_OIDC_MFA_AUTH_CONTEXT", "").strip()

# ---- email through GOV.UK Notify (safeguard.notifications) ---------------------------------
# The API key ({key name}-{service id}-{secret key}, from Notify's API integration page), the
# template of each email, and the address of Safeguard its links point to. Unset (the demo,
# local development), nothing is sent: the outbox records each email as not sent because
# GOV.UK Notify is not configured, and the pages say so. NOTIFY_BASE_URL is Notify's API
# (unset: the client's own default).
NOTIFY_API_KEY = os.environ.get("NOTIFY_API_KEY", "")
NOTIFY_TEMPLATE_REPORT_SHARED = os.environ.get("NOTIFY_TEMPLATE_REPORT_SHARED", "")
NOTIFY_BASE_URL = os.environ.get("NOTIFY_BASE_URL", "")
NOTIFY_SAFEGUARD_URL = os.environ.get("NOTIFY_SAFEGUARD_URL", "")
NOTIFY_TIMEOUT = float(os.environ.get("NOTIFY_TIMEOUT", "10"))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise looks here even before collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the apps' static folders too, so a fresh checkout works before
# (or without) collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploaded timelines are read in memory and never stored.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# ---- hardening (OWASP ASVS L2) ------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Behind a TLS-terminating proxy in production: SAFEGUARD_HTTPS=1 turns on HSTS and secure
# cookies (the embedded demo serves plain HTTP on 127.0.0.1).
if os.environ.get("SAFEGUARD_HTTPS") == "1":
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SAFEGUARD_SESSION_IDLE_MINUTES = int(os.environ.get("SAFEGUARD_SESSION_IDLE_MINUTES", "30"))
SAFEGUARD_SESSION_ABSOLUTE_HOURS = int(os.environ.get("SAFEGUARD_SESSION_ABSOLUTE_HOURS", "10"))
SESSION_COOKIE_AGE = SAFEGUARD_SESSION_ABSOLUTE_HOURS * 3600

# Content-Security-Policy: our own origin only. The GOV.UK template's one inline script (the
# js-enabled switch) is allowed by its hash; the API's Swagger page (ninja's own inline
# start-up script) is excluded.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/v1/docs"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
if SAFEGUARD_OIDC:  # signing out goes on, from the sign-out form, to the identity provider
    _directives = CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert isinstance(_directives, dict)
    _directives["form-action"] = [*_directives["form-action"], SAFEGUARD_OIDC["authority"]]
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SAFEGUARD_LOG_LEVEL", "WARNING")},
}
