"""The preview server: watch, rebuild, serve the last good build, reload the browser."""
