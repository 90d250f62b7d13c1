"""Django settings for ippo. Everything is read from the environment: see docs/configuration.md."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from ippo.lib.env import data_dir, email_settings, env_bool, env_int, env_list, env_str, secret_key

BASE_DIR = Path(__file__).resolve().parent
TESTING = "pytest" in sys.modules or env_bool("IPPO_TESTING")
if TESTING and not os.environ.get("IPPO_DATA_DIR"):
    os.environ["IPPO_DATA_DIR"] = tempfile.mkdtemp(prefix="ippo-test-")
if TESTING and os.environ.get("PYTEST_XDIST_WORKER") and not os.environ.get("IPPO_TEST_WORKER_DIR"):
    # Parallel test workers inherit the controller's directory: give each its own (uploads, keys, backups).
    os.environ["IPPO_DATA_DIR"] = os.path.join(os.environ["IPPO_DATA_DIR"], os.environ["PYTEST_XDIST_WORKER"])
    os.environ["IPPO_TEST_WORKER_DIR"] = "1"
DATA_DIR = data_dir()

PRODUCTION = env_bool("IPPO_PRODUCTION")
DEBUG = env_bool("IPPO_DEBUG") and not PRODUCTION
SECRET_KEY = secret_key(DATA_DIR)
BASE_URL = env_str("IPPO_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

if PRODUCTION and "ALLOWED_HOSTS" not in os.environ:
    raise ImproperlyConfigured("IPPO_PRODUCTION=1 needs ALLOWED_HOSTS (comma-separated host names).")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "ippo.core",
    "ippo.accounts",
    "ippo.catalog",
    "ippo.assessments",
    "ippo.program",
    "ippo.registers",
    "ippo.policies",
    "ippo.reports",
    "ippo.sharing",
    "ippo.questionnaires",
    "ippo.people",
    "ippo.training",
    "ippo.phishing",
    "ippo.reporting",
    "ippo.incidents",
    "ippo.tabletop",
    "ippo.checks",
    "ippo.devices",
    "ippo.console",
    "ippo.api",
    "ippo.backup",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_htmx",
    "ninja",  # serves the API docs page from its bundled files, not a CDN
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "ippo.reporting.middleware.AnonymousRoutesMiddleware",  # first: strips cookies/IP/UA on /report/…
    "django.middleware.security.SecurityMiddleware",
    "ippo.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ippo.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "ippo.accounts.middleware.MfaRequiredMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "ippo.urls"
WSGI_APPLICATION = "ippo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "ippo.core.context_processors.ippo",
            ],
        },
    }
]

# --- Database: SQLite (WAL) in the data dir by default; DATABASE_URL=postgres://… to scale out.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'ippo.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a writing transaction takes the write lock up front, so concurrent writers queue
        # (busy_timeout) instead of failing with "database is locked" on lock upgrade.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA busy_timeout=20000;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        if TESTING
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    )
}
if env_str("CACHE_URL"):
    if not env_str("CACHE_URL").startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured("CACHE_URL must start with redis:// or rediss://.")
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("CACHE_URL")}

# --- Background tasks: django-tasks with the database backend; `ippo serve` runs the worker alongside.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend" if TESTING else "django_tasks_db.DatabaseBackend"
        ),
    }
}

# --- Accounts
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests that check the hasher itself override this.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:start"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "ippo.accounts.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "ippo.accounts.adapter.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# New sign-ups confirm their address with a code sent by e-mail before they can do anything else
# (invitation links already prove the address). "optional" is for closed networks without mail.
ACCOUNT_EMAIL_VERIFICATION = env_str("IPPO_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True  # passwordless sign-in with a one-time code sent by e-mail
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ippo] "
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "5/m/ip,5/5m/key",
    "signup": "10/h/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "10/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "request_login_code": "10/m/ip,3/m/key",
    "reauthenticate": "10/m/user",
}
MFA_ADAPTER = "ippo.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = env_str("IPPO_MFA_ISSUER", "ippo")
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION  # passkeys on http://127.0.0.1 during evaluation
# Wrong MFA codes count against the same "login_failed" limit as wrong passwords (per user).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_ONLY = False


def _oidc_apps() -> list[dict]:
    apps = []
    ms_client = env_str("IPPO_SSO_MICROSOFT_CLIENT_ID")
    if ms_client:
        tenant = env_str("IPPO_SSO_MICROSOFT_TENANT_ID")
        if tenant.lower() in {"common", "organizations", "consumers"}:
            raise ImproperlyConfigured(
                "IPPO_SSO_MICROSOFT_TENANT_ID must be your directory (tenant) ID, not a multi-tenant alias."
            )
        server = env_str("IPPO_SSO_MICROSOFT_SERVER_URL") or (
            f"https://login.microsoftonline.com/{tenant}/v2.0" if tenant else ""
        )
        if not server:
            raise ImproperlyConfigured("IPPO_SSO_MICROSOFT_CLIENT_ID needs IPPO_SSO_MICROSOFT_TENANT_ID.")
        ms_settings: dict = {"server_url": server}
        # Entra ID sends no email_verified claim: trust its e-mail only for the company's own domains.
        if domains := env_list("IPPO_SSO_MICROSOFT_VERIFIED_DOMAINS", []):
            ms_settings["verified_email"] = [d.lower() for d in domains]
        apps.append(
            {
                "provider_id": "microsoft",
                "name": "Microsoft Entra ID",
                "client_id": ms_client,
                "secret": env_str("IPPO_SSO_MICROSOFT_CLIENT_SECRET"),
                "settings": ms_settings,
            }
        )
    g_client = env_str("IPPO_SSO_GOOGLE_CLIENT_ID")
    if g_client:
        apps.append(
            {
                "provider_id": "google",
                "name": "Google Workspace",
                "client_id": g_client,
                "secret": env_str("IPPO_SSO_GOOGLE_CLIENT_SECRET"),
                "settings": {"server_url": env_str("IPPO_SSO_GOOGLE_SERVER_URL", "https://accounts.google.com")},
            }
        )
    return apps


SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": _oidc_apps()}}

# --- Internationalisation: Japanese first, English equal; time zone Asia/Tokyo unless configured.
LANGUAGE_CODE = env_str("IPPO_LANGUAGE", "ja")
LANGUAGES = [("ja", "日本語"), ("en", "English")]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured("IPPO_LANGUAGE must be 'ja' or 'en'.")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("IPPO_TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "ippo_language"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files, served by WhiteNoise from the data dir after `collectstatic` (no CDN, intranet-safe).
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": DATA_DIR / "files"}},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = TESTING or DEBUG

# --- E-mail
globals().update(email_settings(env_str("EMAIL_URL", "memory://" if TESTING else "console://")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ippo <ippo@localhost>")

# --- Modules (docs/configuration.md, "Modules").
# Automated checks: the DNS server to ask (host:port; empty = the system's), and the per-connection timeout.
IPPO_CHECKS_RESOLVER = env_str("IPPO_CHECKS_RESOLVER")
IPPO_CHECKS_TIMEOUT = float(env_str("IPPO_CHECKS_TIMEOUT", "4"))
# Phishing drills: days after a drill finishes before per-person results are deleted (the totals stay), and
# the seconds after delivery within which a click counts as a link scanner's.
IPPO_DRILL_RETENTION_DAYS = env_int("IPPO_DRILL_RETENTION_DAYS", 180)
IPPO_DRILL_SCANNER_SECONDS = env_int("IPPO_DRILL_SCANNER_SECONDS", 60)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security. Production mode turns on everything `ippo check --deploy` asks for.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("IPPO_SESSION_HOURS", 12) * 3600
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("IPPO_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("IPPO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("IPPO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("IPPO_HSTS_PRELOAD", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Origins (besides our own) that forms may post to or redirect through: the SSO providers.
IPPO_FORM_ACTION_ORIGINS = sorted(
    {
        "/".join(app["settings"]["server_url"].split("/")[:3])
        for app in SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]
    }
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("IPPO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # WeasyPrint logs every layout step at INFO; keep its warnings (missing fonts, bad CSS).
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
