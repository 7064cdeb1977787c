"""Tanya Kerja Sama Desa: knowledge base core (settings, embedding, store, search)."""
