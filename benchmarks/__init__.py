"""The performance benchmark: a generated news site, a bare trafilatura loop and timed `raqib run`s."""
