"""The ASGI application: wiring, settings and serving the built UI."""
