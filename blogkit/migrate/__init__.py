"""`blogkit import`: an existing Zola, Hugo or Jekyll blog brought over as a blogkit site folder."""
