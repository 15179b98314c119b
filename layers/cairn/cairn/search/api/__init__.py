"""The search routes (per project and across the tenant's projects)."""
