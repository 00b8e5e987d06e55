"""Quartier's settings: the only package that reads the environment."""
from config.settings import ConfigurationError, Settings, load_settings

__all__ = ["ConfigurationError", "Settings", "load_settings"]
