# One image for `web` (gunicorn) and `worker` (qcluster). See docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=server.settings.production GUNICORN_BIND=0.0.0.0:8000
RUN apt-get update \
 && apt-get install -y --no-install-recommends gdal-bin libgdal32 libgeos-c1v5 libproj25 gettext \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fontconfig \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY . .
RUN pip install --no-cache-dir -c constraints.txt ".[redis,s3]" \
 && SECRET_KEY=build-only-not-a-secret-xxxxxxxxxxxxxxxx DATABASE_URL=postgis://build@localhost/build \
    RESIDENT_ID_KEY=build-only-0000000000000000000000000000000= RESIDENT_ID_HASH_KEY=build-only \
    REGISTER_CHAIN_KEY=build-only-not-a-secret-xxxxxxxxxxxxx \
    python manage.py collectstatic --no-input

EXPOSE 8000
CMD ["gunicorn", "server.wsgi:application"]
