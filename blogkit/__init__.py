"""blogkit: a static site generator for company engineering-blog hubs."""

__version__ = "0.1.0"
