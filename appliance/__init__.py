"""Edge Appliance: on-device decisions for factory events."""

__version__ = "0.1.0"
