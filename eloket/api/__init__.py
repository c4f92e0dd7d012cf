"""The REST API for city systems (``/api/v1/``): docs/api.md, OpenAPI in docs/api/openapi.yaml."""
