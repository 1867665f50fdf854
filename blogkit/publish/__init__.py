"""Writing a build to the output folder, all or nothing."""
