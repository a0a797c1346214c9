"""Article identity and duplicates in layers (design rule 7): canonical URL, content hash, then
near duplicates and story clusters. Django-free."""
