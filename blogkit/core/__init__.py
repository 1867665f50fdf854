"""Values every stage shares: the config, the content model, diagnostics, URL rules, the output set."""
