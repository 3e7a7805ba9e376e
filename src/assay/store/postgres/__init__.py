"""The PostgreSQL backend of the Store interface: several Assay servers over one database."""
