"""HTTP routers, one module per resource. Handlers parse, authorise, call a service, serialise."""
