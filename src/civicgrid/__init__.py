"""CivicGrid: epidemic prevention and online government services for a region, on one platform."""
