"""Quartier's modules. ``blueprints.app`` assembles them into the application."""
