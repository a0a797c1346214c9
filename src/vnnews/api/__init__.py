"""JSON API (/api/v1/), RSS/Atom feeds, sitemaps and robots.txt: the site's machine-readable
outputs, all read-only views over the news app's rows."""
