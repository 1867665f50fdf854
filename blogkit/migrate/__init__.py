"""`blogkit import`: an existing Zola, Hugo or Jekyll blog brought over as a blogkit site folder."""

GENERATORS = ("zola", "hugo", "jekyll")  # what `blogkit import` reads (its modules load only when it runs)
