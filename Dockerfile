# Meetbridge: slim image, non-root, state in /app/data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --create-home --uid 10001 meetbridge

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
# Shipped data files live outside the data volume, so an upgraded image brings its own
# (a volume keeps the files it was first created with); the gazetteer is unpacked into it once.
COPY data/gazetteer.sqlite.xz data/gazetteer_aliases.tsv data/interest_synonyms.toml data/GAZETTEER-LICENSE.md ./share/
RUN pip install . && mkdir -p /app/data && chown -R meetbridge:meetbridge /app/data

USER meetbridge
VOLUME ["/app/data"]
ENV MEETBRIDGE_DATABASE_PATH=/app/data/meetbridge.db \
    MEETBRIDGE_SHIPPED_DATA=/app/share
CMD ["python", "-m", "bot"]
