# The API image: python:3.11-slim, the project installed once, run as an unprivileged user.
# On start it brings DATABASE_URL to the latest migration, then serves on 0.0.0.0:8000.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv/inventory

# Dependencies first (the layer is reused while only the code changes): pyproject.toml alone
# is enough for pip to resolve them.
COPY pyproject.toml README.md alembic.ini ./
COPY backend ./backend
# Installed in place (-e): the Alembic migrations live in backend/migrations, beside the
# package rather than inside it, and `inventory db upgrade` finds them through the source tree.
RUN pip install -e . \
    && useradd --system --uid 10001 --user-group --home-dir /srv/inventory --no-create-home inventory \
    && mkdir -p /srv/inventory/data \
    && chown inventory:inventory /srv/inventory/data

USER inventory
EXPOSE 8000

HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/ready', timeout=2)"]

# Migrations on start; `exec` so uvicorn is PID 1's replacement and gets SIGTERM directly.
CMD ["sh", "-c", "inventory db upgrade && exec inventory serve --host 0.0.0.0 --port 8000"]
