"""The knowledge pipeline: S3 documents → text → chunks → embeddings → pgvector → search and grounded answers.

extract (text with headings) → chunking (token-aware, overlapping) → embeddings (the Embedder port) → store
(pgvector upserts and hybrid search) → ingest (S3 event records, the vectorizer's use case) → retrieve/answer
(`/search`, `/assist`). Nothing here imports torch: the vectorizer Lambda zips this package as it is.
"""
