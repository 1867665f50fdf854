"""`blogkit fetch`: the only stage that touches the network; it writes the fetched-data folder the build reads."""
