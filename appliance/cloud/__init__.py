"""The cloud side (`appliance cloud`): the relay that terminates the uplink, and the fleet API."""
