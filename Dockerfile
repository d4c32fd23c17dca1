# One image for the five services; the command picks the service.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY shared shared
COPY services services
COPY deploy deploy
COPY bench bench
RUN pip install --no-cache-dir .
ENV HOST=0.0.0.0
# e.g. docker run IMAGE intake 8001
ENTRYPOINT ["sh", "-c", "exec uvicorn --factory services.$0.app:create_app --host 0.0.0.0 --port $1 --timeout-graceful-shutdown 2"]
