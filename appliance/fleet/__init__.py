"""Fleet management: enrollment, registry, desired state, model rollout, commands, bundles.

The cloud side (``api`` and its routers) runs inside ``appliance cloud`` beside the
relay; the device side is :mod:`appliance.fleet.agent`.
"""
