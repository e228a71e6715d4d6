"""The databases a request uses: the primary, and streaming read replicas for read-heavy GETs
with read-your-writes (docs/adr/0031-read-replicas-read-your-writes.md)."""
