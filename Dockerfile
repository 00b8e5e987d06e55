# Quartier: gunicorn serving wsgi:app on port 8000.
#   docker build -t quartier .
#   docker run -e SECRET_KEY=… -e DATABASE_URL=postgresql+psycopg://… -p 8000:8000 quartier
#   docker run … quartier flask db upgrade && docker run … quartier flask tenants migrate --all

# --- builder: the dependencies in a virtual environment -------------------------
FROM python:3.11-slim AS builder

ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /build
# Only the dependency list first, so a code change reuses this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
      > requirements.txt \
 && pip install -r requirements.txt

# --- final: the venv, the code, an unprivileged user -----------------------------
FROM python:3.11-slim

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    FLASK_APP=wsgi \
    QUARTIER_ENV=production \
    QUARTIER_INSTANCE_PATH=/app/instance

RUN groupadd --system quartier \
 && useradd --system --gid quartier --home-dir /app --no-create-home quartier

WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
# The code runs from /app (not site-packages): migrations/ and wsgi.py live beside it.
COPY . .
RUN pybabel compile -d blueprints/translations \
 && mkdir -p instance \
 && chown quartier:quartier instance

USER quartier
# Uploaded photos, floor plans and imported spreadsheets live in instance/uploads:
# mount a volume here (shared by every web and worker container).
VOLUME ["/app/instance"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
# SECRET_KEY is required in production: without it start-up stops and says so.
CMD ["gunicorn", "--config", "config/gunicorn.conf.py", "-w", "2", "-b", "0.0.0.0:8000", "wsgi:app"]
