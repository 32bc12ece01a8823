"""The HTTP API for developers: ``create_app(settings, engine=None)`` builds a FastAPI app.

Modules, one job each: ``app`` (factory, startup), ``state`` (the engine slot), ``auth`` (API
keys), ``errors`` (the JSON error envelope), ``request_log`` (request ids, JSON logs),
``metrics`` (Prometheus), ``schemas`` (bodies), ``sse`` (streamed answers), ``uploads`` (bounded
multipart reading), ``server`` (running uvicorn), and one module per group of routes.
"""
