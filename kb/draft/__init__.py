"""From question to document: drafting a Peraturan Bersama Kepala Desa or a perjanjian
bersama from the indexed law (``compose``), and checking a user's draft against it
(``check``). What the law requires of each kind is named in ``spec``; the legal basis
(Mengingat) is read from the indexed texts (``basis``)."""
