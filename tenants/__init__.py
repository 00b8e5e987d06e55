"""The tenancy core: towns, their schemas, and the scope every query runs in.

This package imports no blueprint. Blueprints import from it.
"""
