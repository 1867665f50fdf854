"""The preview server: watch, rebuild, serve from memory, reload the browser."""
