"""Service-item catalogue: items, materials, search, life events and the online-availability rate."""
