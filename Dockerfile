# adlint's scoring service: `docker build -t adlint . && docker run -p 8000:8000 adlint`.
# Only the base install (onnxruntime, tokenizers, FastAPI, ...), the rule layer and the shipped artifact:
# no torch, no training code, no corpus.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY model ./model
COPY serve ./serve
RUN python -m venv /opt/adlint \
    && /opt/adlint/bin/pip install --no-cache-dir . \
    && /opt/adlint/bin/python -c "import model.checker, serve.app; from model.checker import SHIPPED_ARTIFACT as a; assert (a / 'model.onnx').exists(), a"

FROM python:3.11-slim
RUN groupadd --system --gid 10001 adlint \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin adlint
COPY --from=build /opt/adlint /opt/adlint
ENV PATH=/opt/adlint/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ADLINT_HOST=0.0.0.0 \
    ADLINT_PORT=8000
USER 10001:10001
EXPOSE 8000
# The slim image has no curl: the probe is a few lines of the Python it already has.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['ADLINT_PORT'], timeout=4)"]
ENTRYPOINT ["adlint"]
CMD ["serve"]
