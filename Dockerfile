# One production image for the web process and the worker.
#   web:    docker run … eloket                      (gunicorn, the default command)
#   worker: docker run … eloket python manage.py qcluster
FROM python:3.11-slim-bookworm AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --uid 10001 eloket

WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY home ./home
COPY eloket ./eloket
COPY forms ./forms
COPY locale ./locale
COPY manage.py ./
COPY gunicorn.conf.py ./
RUN pip install --upgrade pip && pip install .

# Static files are collected at build time with throwaway values; the real ones come at run time.
RUN DJANGO_SECRET_KEY=build-only-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n') \
    IDENTIFIER_HASH_KEY=build-only \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    DJANGO_STATIC_ROOT=/app/static \
    python manage.py collectstatic --noinput \
 && mkdir -p /app/var && chown -R eloket:eloket /app/var

USER eloket
ENV DJANGO_STATIC_ROOT=/app/static
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--no-control-socket", "--access-logfile", "-", "--forwarded-allow-ips", "*"]
