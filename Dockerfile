# ippo — one image for every role: web (gunicorn), task worker (ippo db_worker), clock (ippo program tick)
# and the one-off release step (ippo migrate && ippo collectstatic). See docs/deploy.md.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 IPPO_DATA_DIR=/var/lib/ippo IPPO_PRODUCTION=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /var/lib/ippo --create-home --shell /usr/sbin/nologin ippo

WORKDIR /opt/ippo
COPY requirements/base.lock requirements/base.lock
RUN pip install --no-cache-dir -r requirements/base.lock
COPY pyproject.toml README.md ./
COPY ippo ippo
RUN pip install --no-cache-dir --no-deps . \
    && cd ippo && ippo compilemessages -l ja -v 0

USER ippo
VOLUME /var/lib/ippo
EXPOSE 8000
# The web role; compose.yaml overrides the command for the worker, the clock and the release step.
CMD ["gunicorn", "ippo.wsgi", "--bind", "0.0.0.0:8000", "--worker-class", "gthread", "--workers", "4", "--threads", "4"]
