"""Loading, cleaning, legal-structure parsing and chunking of documents into the knowledge base."""
