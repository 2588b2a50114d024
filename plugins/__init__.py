"""Trellis's built-in plugins. Each sub-package is a plugin with the same
anatomy a third-party plugin has (see docs/plugins.md)."""
