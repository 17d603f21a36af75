"""Operator console: browser pages served by the device's local API and by ``appliance cloud``.

Pages are static shells (no data, no secrets) plus plain JS and CSS files served by
the app itself; every figure on a page comes from a JSON route that demands the same
bearer token as the APIs. :func:`appliance.console.device.create_device_console_router`
and :func:`appliance.console.fleet.create_fleet_console_router` build the routers.
"""
