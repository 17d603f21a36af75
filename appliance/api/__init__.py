"""HTTP APIs: the devices local REST API and the cloud sides."""
