# ladderbot: one image for the Procfile's three processes (release, web, clock).
#   docker build -t ladderbot .
#   docker run --env-file .env -p 3000:3000 ladderbot                  # web: ladderbot serve --http
#   docker run --env-file .env ladderbot ladderbot clock                # clock
#   docker run --env-file .env ladderbot ladderbot db upgrade           # release
# compose.yml runs web + clock + PostgreSQL together.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot bot
COPY storage storage
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORT=3000 LADDER_CONTENT_DIR=/app/ladder_content
RUN useradd --create-home --uid 10001 ladderbot
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
WORKDIR /app
COPY --chown=ladderbot ladder_content ladder_content
COPY Procfile .
# SQLite's default file lives in ./data; mount a volume there to keep it.
RUN mkdir data && chown ladderbot data
USER ladderbot
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=2)" || exit 1
CMD ["ladderbot", "serve", "--http"]
