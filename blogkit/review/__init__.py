"""The pull request as the editor's desk: what a change does to the published site (`diff`) and
who reviews it (`codeowners`). A leaf like `fetch/`: it reads built folders and the site's
profiles, and uses `core/` and `load/`."""
