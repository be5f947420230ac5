FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_DEBUG=0
# WeasyPrint's libraries and fonts that cover Albanian, Serbian (Latin and Cyrillic) and Macedonian.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
       libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core fonts-noto-core procps \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 portal
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY --chown=portal:portal . .
RUN DJANGO_SECRET_KEY=build-only-collectstatic python manage.py collectstatic --noinput
USER portal
EXPOSE 8000
CMD ["gunicorn", "-c", "python:iisg_portal.gunicorn", "iisg_portal.wsgi:application"]
