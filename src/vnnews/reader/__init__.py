"""The reading site: home, sections, articles, outlets, tags and search, in Vietnamese."""
