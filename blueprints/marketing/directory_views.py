"""Views of the traders' directory: the public list and map, the trader's own entry."""
