# syntax=docker/dockerfile:1
# BOH image. Web server (default):  docker run -p 8000:8000 --env-file boh.env IMAGE
#             Background worker:    docker run --env-file boh.env IMAGE worker
# Settings come from BOH_* environment variables (src/boh/settings.py); see deploy/k8s/ for Kubernetes.

# ---- 1. front-end assets from npm -> src/boh/http/static/vendor ---------------------------------------
FROM node:20-slim AS assets
WORKDIR /build/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
# The build script writes into ../src/boh/http/static/vendor, i.e. /build/src/boh/http/static/vendor.
RUN npm run build

# ---- 2. the Python package, installed into a virtualenv --------------------------------------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
RUN python -m venv /opt/venv
COPY pyproject.toml README.md ./
COPY src/ src/
COPY --from=assets /build/src/boh/http/static/vendor/ src/boh/http/static/vendor/
RUN /opt/venv/bin/pip install .

# ---- 3. runtime: no build tools, no sources, non-root ----------------------------------------------
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    BOH_DATA_DIR=/var/lib/boh
RUN groupadd --system --gid 10001 boh \
    && useradd --system --uid 10001 --gid boh --home-dir /var/lib/boh --shell /usr/sbin/nologin boh \
    && mkdir -p /var/lib/boh \
    && chown boh:boh /var/lib/boh
COPY --from=build /opt/venv /opt/venv
WORKDIR /var/lib/boh
# Numeric so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
EXPOSE 8000
# No HEALTHCHECK: the same image runs the worker, which has no HTTP port. Orchestrators probe the web
# server on /healthz (liveness) and /readyz (readiness, checks the database) instead.
ENTRYPOINT ["boh"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
