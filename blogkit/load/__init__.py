"""The first half of the pipeline: read the site folder into a frozen, assembled site model."""
