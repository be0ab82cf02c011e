# syntax=docker/dockerfile:1.7
# The campusbot API image: FastAPI under uvicorn, as ECS Fargate runs it (linux/amd64, user 10001,
# read-only root filesystem with /tmp mounted). `platform deploy` builds it from the repository root
# and tags it with the hash of this build context (src-<hash>); the one-off migration task runs the
# same image with the command `platform seed`.
#   docker build -f docker/api.Dockerfile -t campusbot-api .
# Core dependencies only: no `local` extra (no torch, no embedded PostgreSQL) — in AWS the database
# is RDS and embeddings come from Bedrock.

ARG PYTHON_VERSION=3.12

# --- build: a virtualenv with campusbot and its dependencies ----------------------------------------
FROM python:${PYTHON_VERSION}-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies first, in their own layer: it is rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md ./
RUN mkdir -p src/campusbot && touch src/campusbot/__init__.py \
 && pip install . \
 && pip uninstall --yes campusbot
# Then the code (wheel build, so package data — migrations, bot definition, SQL — comes along).
COPY src ./src
RUN pip install --no-deps . \
 && python -m compileall -q -j 0 /opt/venv/lib

# --- runtime: slim, non-root ---------------------------------------------------------------------------
FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime
LABEL org.opencontainers.image.title="campusbot-api" \
      org.opencontainers.image.description="campusbot data API (FastAPI, uvicorn)" \
      org.opencontainers.image.source="https://github.com/campus/campusbot"
RUN groupadd --system --gid 10001 campusbot \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin campusbot
COPY --from=build /opt/venv /opt/venv
# The Amazon RDS CA bundle, fetched at build time (never at run time): the API verifies the database's certificate
# against it (CAMPUSBOT_DB_CA_BUNDLE in terraform/stacks/app; sslmode verify-full).
ADD --chmod=644 https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem /opt/rds-ca/global-bundle.pem
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CAMPUSBOT_API_HOST=0.0.0.0 \
    CAMPUSBOT_API_PORT=8000 \
    CAMPUSBOT_DATA_DIR=/tmp/campusbot
WORKDIR /app
USER 10001:10001
EXPOSE 8000
# Liveness of the process (the ALB checks /healthz too); python's urllib, no curl in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
CMD ["uvicorn", "campusbot.api.main:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000", \
     "--proxy-headers", "--forwarded-allow-ips", "*", "--no-access-log"]
