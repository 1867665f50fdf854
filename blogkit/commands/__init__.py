"""The command line: options, exit codes, printing diagnostics, scaffolding."""
